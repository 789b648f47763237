/* libFuzzer target: gunzip (the /proc/config.gz reader) and the config-line reader over what it
 * decodes, under ASan and UBSan: any input gives 0 and a NUL-terminated text, or -1 and a reason. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "ext.h"
#include "inflate.h"

#define FUZZ_NAME "fuzz_gz"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	u8 *buf = malloc(size ? size : 1), *out = NULL;
	size_t n = 0, len;
	const char *why = NULL;
	memcpy(buf, data, size);
	int r = gunzip(buf, size, 1 << 22, &out, &n, &why);
	if (r != 0 && (r != -1 || !why || !*why || out))
		abort();
	if (r == 0) {
		if (out[n] != 0)
			abort();
		const char *v = kconfig_get((const char *)out, "CONFIG_A", &len);
		if (v && (v < (const char *)out || v + len > (const char *)out + n))
			abort();
		free(out);
	}
	free(buf);
	return 0;
}
