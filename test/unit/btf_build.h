/* A BTF builder for the unit tests: types and strings appended, then the blob with its header.
 * A split builder (base given) numbers its ids and strings after its base's. */
#include <stdlib.h>
#include <string.h>

struct bb {
	unsigned char t[16384];
	char s[8192];
	unsigned tlen, slen, n, id0, s0;
};

static inline void bb_init(struct bb *b, const struct bb *base)
{
	memset(b, 0, sizeof *b);
	b->id0 = base ? base->id0 + base->n : 0;
	b->s0 = base ? base->s0 + base->slen : 0;
	if (!base)
		b->slen = 1; /* the empty string */
}

static unsigned bs(struct bb *b, const char *str)
{
	if (!str || !*str)
		return 0;
	unsigned off = b->slen;
	memcpy(b->s + off, str, strlen(str) + 1);
	b->slen += (unsigned)strlen(str) + 1;
	return b->s0 + off;
}

static void bw(struct bb *b, unsigned v)
{
	memcpy(b->t + b->tlen, &v, 4);
	b->tlen += 4;
}

/* A type's 12-byte header; its extra words follow with bw(). Returns its id. */
static unsigned bt(struct bb *b, const char *name, unsigned kind, unsigned vlen, int kflag, unsigned size_or_type)
{
	bw(b, bs(b, name));
	bw(b, kind << 24 | vlen | (unsigned)kflag << 31);
	bw(b, size_or_type);
	return b->id0 + ++b->n;
}

static inline unsigned bint(struct bb *b, const char *name, unsigned bytes, int is_signed)
{
	unsigned id = bt(b, name, 1, 0, 0, bytes);
	bw(b, (is_signed ? 1u : 0u) << 24 | bytes * 8);
	return id;
}

/* member: name, type, bit offset (kflag structs: bitfield size << 24 | offset) */
static inline void bmem(struct bb *b, const char *name, unsigned type, unsigned bits)
{
	bw(b, bs(b, name));
	bw(b, type);
	bw(b, bits);
}

static inline unsigned barr(struct bb *b, unsigned elem, unsigned n)
{
	unsigned id = bt(b, NULL, 3, 0, 0, 0);
	bw(b, elem);
	bw(b, elem); /* index type: any int will do for the reader */
	bw(b, n);
	return id;
}

static inline unsigned char *bb_finish(struct bb *b, unsigned long long *size)
{
	unsigned hdr[6] = {0xeB9F | 1u << 16, 24, 0, b->tlen, b->tlen, b->slen};
	*size = 24 + b->tlen + b->slen;
	unsigned char *out = malloc(*size);
	memcpy(out, hdr, 24);
	memcpy(out + 24, b->t, b->tlen);
	memcpy(out + 24 + b->tlen, b->s, b->slen);
	return out;
}
