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

static void copy8(u8 *d, const u8 *s)
{
	u64 w;
	__builtin_memcpy(&w, s, 8);
	__builtin_memcpy(d, &w, 8);
}

/* Copies n bytes forward. Where there are 16 bytes to spare after the copy in dst (and in src,
 * for literals), it copies whole 8-byte words and may write past n into that slack, which later
 * bytes overwrite; a match closer than 8 bytes repeats itself and goes byte by byte. */
static void copy_fwd(u8 *d, const u8 *s, size_t n, size_t dist, bool slack)
{
	if (slack && dist >= 8) {
		for (size_t i = 0; i < n; i += 8)
			copy8(d + i, s + i);
		return;
	}
	while (n--)
		*d++ = *s++;
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
		copy_fwd(dst + op, ip, lit, 8, (size_t)(end - ip) >= lit + 16 && dst_size - op >= lit + 16);
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
		copy_fwd(dst + op, dst + op - dist, len, dist, dst_size - op >= len + 16);
		op += len;
	}
	return op == dst_size ? 0 : -1;
}
