/* libFuzzer target: what rawbpf reads from the file a uprobe or USDT probe targets (loader/uelf.c
 * over the ELF reader): symbols of .symtab and .dynsym with their versions, program headers,
 * .note.stapsdt and its argument specs; and /etc/ld.so.cache. Under ASan and UBSan; the contract
 * callers rely on is checked, a broken one aborts. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "uelf.h"

#define FUZZ_NAME "fuzz_uelf"
#include "fuzz.h"


static void check_err(const struct elf *e)
{
	size_t n = strnlen(e->err.msg, sizeof e->err.msg);
	CHECK(n > 0 && n < sizeof e->err.msg, "refused with an empty or unterminated message");
}

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	static const char *const funcs[] = {"rb_add", "readline", "malloc", "memcpy@GLIBC_2.2.5", "memcpy@@GLIBC_2.14",
					    "main", "_start"};
	u8 *buf = malloc(size ? size : 1); /* exact size: ASan sees a read past the end */
	struct elf e;
	memcpy(buf, data, size);
	/* The same bytes as a linker cache, on both machines' entries. */
	for (int m = 0; m < 2; m++) {
		const char *p = ldcache_find(buf, size, "libc.so.6", m ? 183 : 62);
		CHECK(!p || ((const u8 *)p >= buf && (const u8 *)p + strlen(p) < buf + size), "cache path outside the file");
	}
	if (elf_open_exec(&e, buf, size)) {
		check_err(&e);
		free(buf);
		return 0;
	}
	for (size_t i = 0; i < sizeof funcs / sizeof *funcs; i++) {
		struct usym s;
		if (uelf_sym(&e, funcs[i], &s)) {
			check_err(&e);
			continue;
		}
		CHECK(s.off < size, "%s: file offset %llu past the end (%zu)", funcs[i], (unsigned long long)s.off, size);
		CHECK(strlen(s.name) + strlen(s.ver) + strlen(s.table) < 1u << 30, "strings");
	}
	struct usdt_site sites[4];
	unsigned n;
	if (uelf_usdt(&e, NULL, NULL, sites, 4, &n)) {
		check_err(&e);
	} else {
		CHECK(n > 0, "no site, no error");
		for (unsigned i = 0; i < n && i < 4; i++) {
			u8 spec[USDT_SPEC_SIZE];
			char text[48];
			CHECK(sites[i].off < size && (!sites[i].sema || sites[i].sema_off < size), "site %u outside the file", i);
			CHECK(sites[i].nargs <= USDT_MAX_ARGS, "site %u: %u arguments", i, sites[i].nargs);
			(void)strlen(sites[i].provider), (void)strlen(sites[i].name), (void)strlen(sites[i].args);
			usdt_spec_bytes(&sites[i], 0, spec);
			for (unsigned k = 0; k < sites[i].nargs; k++) {
				const struct usdt_arg *a = &sites[i].arg[k];
				CHECK(a->shift == 0 || a->shift == 32 || a->shift == 48 || a->shift == 56, "shift %u", a->shift);
				CHECK(a->type != USDT_CONST || !a->reg, "a constant with a register");
				usdt_arg_text(a, text, sizeof text);
				CHECK(strnlen(text, sizeof text) < sizeof text, "argument text not terminated");
			}
		}
	}
	free(buf);
	return 0;
}
