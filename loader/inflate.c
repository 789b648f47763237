/* gzip and deflate decoding, small rather than fast: canonical Huffman codes decoded a bit at a
 * time from per-length counts, the length and distance bases computed instead of tabled. The
 * output size is the trailer's, so the buffer is allocated once and every write checked. */
#include "inflate.h"

#define BAD "invalid compressed data"

struct huff {
	u16 count[16]; /* codes of each length */
	u16 sym[288];  /* symbols in code order */
};

struct inf {
	const u8 *in;
	size_t n, pos;
	u32 buf, nbits;
	u8 *out;
	size_t cap, len;
	const char *why; /* the first error; reads return 0 after it */
};

static int fail(struct inf *s, const char *why)
{
	if (!s->why)
		s->why = why;
	return -1;
}

static unsigned bits(struct inf *s, unsigned need)
{
	while (s->nbits < need) {
		if (s->pos >= s->n) {
			fail(s, "truncated data");
			return 0;
		}
		s->buf |= (u32)s->in[s->pos++] << s->nbits;
		s->nbits += 8;
	}
	unsigned v = s->buf & ((1u << need) - 1);
	s->buf >>= need;
	s->nbits -= need;
	return v;
}

/* Returns < 0 for an over-subscribed code, > 0 for an incomplete one. */
static int build(struct huff *h, const u8 *len, unsigned n)
{
	u16 offs[16];
	int left = 1;
	__builtin_memset(h->count, 0, sizeof h->count);
	for (unsigned i = 0; i < n; i++)
		h->count[len[i]]++;
	offs[1] = 0;
	for (unsigned l = 1; l < 16; l++) {
		left = left * 2 - h->count[l];
		if (left < 0)
			return -1;
		if (l < 15)
			offs[l + 1] = (u16)(offs[l] + h->count[l]);
	}
	for (unsigned i = 0; i < n; i++)
		if (len[i])
			h->sym[offs[len[i]]++] = (u16)i;
	return left;
}

static int decode(struct inf *s, const struct huff *h)
{
	int code = 0, first = 0, index = 0;
	for (unsigned l = 1; l < 16 && !s->why; l++) {
		code |= (int)bits(s, 1);
		int c = h->count[l];
		if (code - first < c)
			return s->why ? -1 : h->sym[index + code - first];
		index += c;
		first = (first + c) << 1;
		code <<= 1;
	}
	return fail(s, BAD);
}

/* Extra bits of length code i (0..27) and distance code i (0..29). */
static unsigned lx(int i) { return i < 8 ? 0 : (unsigned)(i - 4) >> 2; }
static unsigned dx(int i) { return i < 4 ? 0 : (unsigned)(i - 2) >> 1; }

static int codes(struct inf *s, const struct huff *lit, const struct huff *dist)
{
	for (;;) {
		int sym = decode(s, lit), dc;
		size_t len = 1, d = 0; /* a literal: one byte, no distance */
		if (sym < 0)
			return -1;
		if (sym == 256)
			return 0;
		if (sym > 256) {
			if ((sym -= 257) >= 29)
				return fail(s, BAD);
			len = 3, d = 1;
			for (int i = 0; i < sym; i++)
				len += 1u << lx(i);
			len = sym == 28 ? 258 : len + bits(s, lx(sym));
			if ((dc = decode(s, dist)) < 0)
				return -1;
			if (dc >= 30)
				return fail(s, BAD);
			for (int i = 0; i < dc; i++)
				d += 1u << dx(i);
			d += bits(s, dx(dc));
			if (s->why)
				return -1;
			if (d > s->len)
				return fail(s, BAD);
		}
		if (len > s->cap - s->len)
			return fail(s, "longer than its trailer says");
		for (; len; len--, s->len++)
			s->out[s->len] = d ? s->out[s->len - d] : (u8)sym;
	}
}

static int stored(struct inf *s)
{
	s->buf = s->nbits = 0; /* to the byte boundary */
	if (s->n - s->pos < 4)
		return fail(s, "truncated data");
	const u8 *p = s->in + s->pos;
	size_t len = (size_t)(p[0] | p[1] << 8);
	if ((p[2] | p[3] << 8) != (~len & 0xffff))
		return fail(s, BAD);
	s->pos += 4;
	if (s->n - s->pos < len)
		return fail(s, "truncated data");
	if (len > s->cap - s->len)
		return fail(s, "longer than its trailer says");
	memcpy(s->out + s->len, s->in + s->pos, len);
	s->len += len;
	s->pos += len;
	return 0;
}

static int dynamic(struct inf *s, bool fixed)
{
	static const u8 order[19] = {16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15};
	struct huff lit, dist, lc;
	u8 lens[288 + 32] = {0};
	unsigned nlen = 288, ndist = 30, i;
	if (fixed) {
		for (i = 0; i < 288; i++)
			lens[i] = i < 144 ? 8 : i < 256 ? 9 : i < 280 ? 7 : 8;
		for (; i < 288 + 30; i++)
			lens[i] = 5;
	} else {
		nlen = bits(s, 5) + 257;
		ndist = bits(s, 5) + 1;
		unsigned ncode = bits(s, 4) + 4;
		if (nlen > 286 || ndist > 30)
			return fail(s, BAD);
		for (i = 0; i < ncode; i++)
			lens[order[i]] = (u8)bits(s, 3);
		if (build(&lc, lens, 19))
			return fail(s, BAD);
		for (i = 0; i < nlen + ndist;) {
			int sym = decode(s, &lc);
			unsigned rep = 0, cnt;
			if (sym < 0)
				return -1;
			if (sym < 16) {
				lens[i++] = (u8)sym;
				continue;
			}
			if (sym == 16) {
				if (!i)
					return fail(s, BAD);
				rep = lens[i - 1];
				cnt = 3 + bits(s, 2);
			} else {
				cnt = sym == 17 ? 3 + bits(s, 3) : 11 + bits(s, 7);
			}
			if (cnt > nlen + ndist - i)
				return fail(s, BAD);
			while (cnt--)
				lens[i++] = (u8)rep;
		}
		if (!lens[256])
			return fail(s, BAD);
	}
	/* An incomplete code is allowed only when it has a single symbol (RFC 1951 3.2.7), or is
	 * the fixed distance code (30 of 32 codes used). */
	int r = build(&lit, lens, nlen);
	if (r < 0 || (r > 0 && nlen - lit.count[0] != 1))
		return fail(s, BAD);
	r = build(&dist, lens + nlen, ndist);
	if (r < 0 || (r > 0 && !fixed && ndist - dist.count[0] != 1))
		return fail(s, BAD);
	return s->why ? -1 : codes(s, &lit, &dist);
}

static u32 crc32(const u8 *p, size_t n)
{
	u32 c = ~0u;
	while (n--) {
		c ^= *p++;
		for (int k = 0; k < 8; k++)
			c = c >> 1 ^ (0xEDB88320u & -(c & 1));
	}
	return ~c;
}

static inline __attribute__((always_inline)) u32 le32(const u8 *p) { return p[0] | p[1] << 8 | p[2] << 16 | (u32)p[3] << 24; }

int gunzip(const u8 *in, size_t n, size_t max, u8 **out, size_t *size, const char **why)
{
	struct inf s = {.in = in};
	size_t p = 10;
	*out = NULL;
	*why = "not a gzip file";
	if (n < 18 || in[0] != 0x1f || in[1] != 0x8b || in[2] != 8)
		return -1;
	*why = "truncated header";
	if (in[3] & 4) /* FEXTRA */
		p += 2 + (size_t)(in[10] | in[11] << 8);
	for (unsigned f = 8; f <= 16; f <<= 1) /* FNAME, FCOMMENT: NUL-terminated */
		if (in[3] & f) {
			while (p < n && in[p])
				p++;
			p++;
		}
	p += in[3] & 2 ? 2 : 0; /* FHCRC */
	if (p > n - 8)
		return -1;
	u32 isize = le32(in + n - 4), crc = le32(in + n - 8);
	*why = "larger than rawbpf reads";
	if (isize > max)
		return -1;
	s.pos = p;
	s.n = n - 8;
	s.cap = isize;
	s.out = rb_alloc((size_t)isize + 1);
	for (unsigned last = 0; !last && !s.why;) {
		last = bits(&s, 1);
		unsigned type = bits(&s, 2);
		if (s.why)
			break;
		if (type == 0)
			stored(&s);
		else if (type == 3)
			fail(&s, BAD);
		else
			dynamic(&s, type == 1);
	}
	if (!s.why && s.len != isize)
		s.why = "shorter than its trailer says";
	if (!s.why && crc32(s.out, s.len) != crc)
		s.why = "CRC mismatch";
	if (s.why) {
		rb_free(s.out);
		*why = s.why;
		return -1;
	}
	s.out[s.len] = 0;
	*out = s.out;
	*size = s.len;
	return 0;
}
