/* Values printed through BTF (print.c): integers by their encoding, bitfields by their bits,
 * enums by their signedness, ENUM64 and FLOAT by value. */
#include <stdio.h>
#include <string.h>
#include "print.h"
#include "unit.h"
#include "btf_build.h"

static void expect(struct btf *b, unsigned id, const void *data, unsigned size, const char *want, const char *what)
{
	char buf[256];
	struct strbuf s = {buf, sizeof buf, 0, 0};
	buf[0] = 0;
	print_value(&s, b, id, data, size);
	char name[160];
	snprintf(name, sizeof name, "print: %s", what);
	check(!strcmp(buf, want), name, buf, want);
}

void print_tests(void)
{
	struct bb bb;
	bb_init(&bb, NULL);
	unsigned u32t = bint(&bb, "unsigned int", 4, 0);
	unsigned s32t = bint(&bb, "int", 4, 1);
	/* an INT whose encoding says 3 bits at offset 2 of its 1 byte (old-style bitfield type) */
	unsigned odd = bt(&bb, "odd", 1, 0, 0, 1);
	bw(&bb, 1u << 24 | 2u << 16 | 3);
	/* struct { unsigned a:3; int b:5; unsigned c:24; int d; } with kflag (size << 24 | offset) */
	unsigned kst = bt(&bb, "k", 4, 4, 1, 8);
	bmem(&bb, "a", u32t, 3u << 24 | 0);
	bmem(&bb, "b", s32t, 5u << 24 | 3);
	bmem(&bb, "c", u32t, 24u << 24 | 8);
	bmem(&bb, "d", s32t, 32);
	/* the same bits without kflag: members typed by INTs of 3, 5 and 24 bits */
	unsigned i3 = bt(&bb, "u3", 1, 0, 0, 4);
	bw(&bb, 3);
	unsigned i5 = bt(&bb, "s5", 1, 0, 0, 4);
	bw(&bb, 1u << 24 | 5);
	unsigned i24 = bt(&bb, "u24", 1, 0, 0, 4);
	bw(&bb, 24);
	unsigned nst = bt(&bb, "n", 4, 4, 0, 8);
	bmem(&bb, "a", i3, 0);
	bmem(&bb, "b", i5, 3);
	bmem(&bb, "c", i24, 8);
	bmem(&bb, "d", s32t, 32);
	/* enum u { BIG = 0xfffffff0 } (unsigned: no kflag); enum s { NEG = -2 } (kflag) */
	unsigned eu = bt(&bb, "u", 6, 1, 0, 4);
	bw(&bb, bs(&bb, "BIG"));
	bw(&bb, 0xfffffff0u);
	unsigned es = bt(&bb, "s", 6, 1, 1, 4);
	bw(&bb, bs(&bb, "NEG"));
	bw(&bb, (unsigned)-2);
	/* enum64 { HUGE = 0x123456789 } */
	unsigned e64 = bt(&bb, "e64", 19, 1, 0, 8);
	bw(&bb, bs(&bb, "HUGE"));
	bw(&bb, 0x23456789u);
	bw(&bb, 0x1u);
	unsigned f32 = bt(&bb, "float", 16, 0, 0, 4);
	unsigned f64 = bt(&bb, "double", 16, 0, 0, 8);
	unsigned long long size;
	unsigned char *blob = bb_finish(&bb, &size);
	struct btf b;
	memset(&b, 0, sizeof b);
	check(btf_parse(&b, blob, size) == 0, "print: the test BTF parses", b.err.msg, "parsed");

	/* a=5, b=-3 (0b11101), c=0xabcdef, d=-7 */
	unsigned w0 = 5u | (0x1du << 3) | (0xabcdefu << 8);
	int w1 = -7;
	unsigned char rec[8];
	memcpy(rec, &w0, 4);
	memcpy(rec + 4, &w1, 4);
	expect(&b, kst, rec, 8, "{a=5 b=-3 c=11259375 d=-7}", "kflag bitfields: each its own bits, signed or not");
	expect(&b, nst, rec, 8, "{a=5 b=-3 c=11259375 d=-7}", "bitfields typed by INT encodings (no kflag)");
	unsigned char byte = 0x1c; /* bits 2..4 = 0b111 = -1 as 3 signed bits */
	expect(&b, odd, &byte, 1, "-1", "INT encoding offset and bits");
	unsigned v = 0xfffffff0u;
	expect(&b, eu, &v, 4, "BIG", "unsigned ENUM (no kflag) matches its enumerator");
	v = 0xfffffff1u;
	expect(&b, eu, &v, 4, "4294967281", "unsigned ENUM prints unsigned");
	v = (unsigned)-2;
	expect(&b, es, &v, 4, "NEG", "signed ENUM (kflag)");
	v = (unsigned)-3;
	expect(&b, es, &v, 4, "-3", "signed ENUM prints signed");
	unsigned long long q = 0x123456789ull;
	expect(&b, e64, &q, 8, "HUGE", "ENUM64 by name");
	q = 0x123456780ull;
	expect(&b, e64, &q, 8, "4886718336", "ENUM64 value");
	float f = 1.5f;
	expect(&b, f32, &f, 4, "1.5", "FLOAT (4 bytes)");
	double d = -0.000125;
	expect(&b, f64, &d, 8, "-0.000125", "FLOAT (8 bytes), small");
	d = 6.02214076e23;
	expect(&b, f64, &d, 8, "6.02214e+23", "FLOAT (8 bytes), large");
	d = 1234.5;
	expect(&b, f64, &d, 8, "1234.5", "FLOAT (8 bytes), fixed");
	/* print.c formats floats in integers only: against the host's printf("%g") on 400,000 bit
	 * patterns of each width (ties included: many floats sit exactly on a 6-digit half) */
	unsigned long long seed = 88172645463325252ULL;
	int bad = 0, n = 0;
	char got[64], want[64] = "", first[160] = "";
	for (int i = 0; i < 400000; i++) {
		seed ^= seed << 13, seed ^= seed >> 7, seed ^= seed << 17;
		unsigned u = (unsigned)(seed >> 17);
		memcpy(&d, &seed, 8);
		memcpy(&f, &u, 4);
		for (int w = 0; w < 2; w++) {
			double v = w ? (double)f : d;
			struct strbuf sb = {got, sizeof got, 0, 0};
			got[0] = 0;
			print_value(&sb, &b, w ? f32 : f64, w ? (void *)&f : (void *)&d, w ? 4 : 8);
			snprintf(want, sizeof want, v != v ? "nan" : "%g", v);
			n++;
			if (strcmp(got, want) && !bad++)
				snprintf(first, sizeof first, "%s for %s", got, want);
		}
	}
	snprintf(want, sizeof want, "%d values as printf", n);
	check(!bad, "print: FLOAT values of random bits, as printf's %g", first, want);
	btf_free(&b);
	free(blob);
}
