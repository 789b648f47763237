/* LZ decoder. A sequence is a token byte (high nibble: literal count, low nibble: match length
 * minus 4; 15 means more length bytes follow, each added, until one is not 255), the literals,
 * then, unless the input ends there, a 2-byte little-endian distance and the match's extra length
 * bytes. A match copies byte by byte, so it may overlap what it produces. */
#include "lz.h"

static int length(const u8 **ip, const u8 *end, size_t *n)
{
	if (*n != 15)
		return 0;
	for (;;) {
		if (*ip >= end)
			return -1;
		u8 b = *(*ip)++;
		*n += b;
		if (b != 255)
			return 0;
	}
}

int lz_decode(const u8 *src, size_t src_size, u8 *dst, size_t dst_size)
{
	const u8 *ip = src, *end = src + src_size;
	size_t op = 0;
	while (ip < end) {
		u8 token = *ip++;
		size_t lit = token >> 4, len = token & 15;
		if (length(&ip, end, &lit) || lit > (size_t)(end - ip) || lit > dst_size - op)
			return -1;
		memcpy(dst + op, ip, lit);
		ip += lit, op += lit;
		if (ip == end)
			break;
		if (end - ip < 2)
			return -1;
		size_t dist = (size_t)ip[0] | (size_t)ip[1] << 8;
		ip += 2;
		if (length(&ip, end, &len))
			return -1;
		len += 4;
		if (!dist || dist > op || len > dst_size - op)
			return -1;
		for (size_t i = 0; i < len; i++, op++)
			dst[op] = dst[op - dist];
	}
	return op == dst_size ? 0 : -1;
}
