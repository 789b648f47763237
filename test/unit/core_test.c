/* The CO-RE resolver on hand-made BTF: each relocation kind against targets whose layouts differ
 * from the object's, flavors, anonymous members, arrays, bitfields, load size changes, module
 * (split) BTF, ambiguity, poisoning, and records it must refuse. */
#include <stdio.h>
#include "btf_build.h"
#include "core.h"
#include "unit.h"

#define MOV(imm) {0xb7, 1, 0, 0, (imm)}            /* r1 = imm */
#define LDXW(off) {0x61, 1, 2, (off), 0}           /* r1 = *(u32 *)(r2 + off) */
#define LD64(imm) {0x18, 1, 0, 0, (imm)}, {0}      /* r1 = imm ll */

static struct bb L; /* the object's BTF */
static struct btf lb;
static unsigned char *lblob;

static struct core_rec rec(unsigned insn, unsigned type, const char *access, unsigned kind)
{
	return (struct core_rec){insn, type, bs(&L, access), kind};
}

/* Resolves r against targets (NULL-terminated) with the instructions in; returns core_apply's
 * result, the instructions patched in place. */
static int resolve1(struct btf **targets, struct core_rec r, struct bpf_insn *in, unsigned cnt, struct core_res *res,
		    char *err)
{
	unsigned long long size;
	struct core c;
	free(lblob);
	lblob = bb_finish(&L, &size);
	btf_free(&lb);
	if (btf_parse(&lb, lblob, size)) {
		snprintf(err, 300, "local BTF: %s", lb.err.msg);
		return -1;
	}
	core_init(&c, &lb);
	int ret = core_add(&c, &r, 1);
	for (; !ret && *targets; targets++)
		core_search(&c, *targets);
	if (!ret)
		ret = core_apply(&c, in, cnt, &r, res);
	snprintf(err, 300, "%s", c.err.msg);
	core_free(&c);
	return ret;
}

static unsigned char *blobs[16];
static unsigned nblobs;

static struct btf *tparse(struct bb *b, struct btf *out, struct btf *base)
{
	unsigned long long size;
	unsigned char *blob = blobs[nblobs++] = bb_finish(b, &size); /* (kept for the test's life) */
	if (btf_parse_split(out, blob, size, base))
		printf("# target BTF: %s\n", out->err.msg);
	return out;
}

static void expect(const char *name, int ret, const char *err, int ok, const char *got)
{
	char buf[400];
	snprintf(buf, sizeof buf, "%s%s%s", got, err[0] ? " / " : "", err);
	check(ok, name, buf, "see the test");
	(void)ret;
}

void core_tests(void)
{
	struct bb T, T2, M;
	struct btf tb, tb2, mb;
	struct core_res res;
	char err[300], got[200];

	/* The object: struct task_struct___v2 { int pid; int tgid; char comm[16]; unsigned flag:1;
	 * unsigned big; int sbig; }, enum e { A, B }, struct foo { int a; }. */
	bb_init(&L, NULL);
	unsigned li = bint(&L, "int", 4, 1), lu = bint(&L, "unsigned int", 4, 0), lc = bint(&L, "char", 1, 0);
	unsigned larr = barr(&L, lc, 16);
	unsigned lt = bt(&L, "task_struct___v2", 4, 6, 1, 32);
	bmem(&L, "pid", li, 0);
	bmem(&L, "tgid", li, 32);
	bmem(&L, "comm", larr, 64);
	bmem(&L, "flag", lu, 1u << 24 | 192);
	bmem(&L, "big", lu, 224);
	bmem(&L, "sbig", li, 256);
	unsigned le = bt(&L, "e", 6, 2, 0, 4);
	bw(&L, bs(&L, "A")), bw(&L, 0);
	bw(&L, bs(&L, "B")), bw(&L, 1);
	unsigned lfoo = bt(&L, "foo", 4, 1, 0, 4);
	bmem(&L, "a", li, 0);
	unsigned lmissing = bt(&L, "not_in_kernel", 4, 1, 0, 4);
	bmem(&L, "a", li, 0);

	/* The kernel: struct task_struct { long x; int pid; struct { int a; int tgid; }; char pad[2];
	 * char comm[16]; unsigned :5, flag:1 (kflag); unsigned long big; long sbig; }, enum e { B = 5,
	 * A = 7 }, struct foo { int a; int b; }. */
	bb_init(&T, NULL);
	unsigned ti = bint(&T, "int", 4, 1), tl = bint(&T, "long", 8, 1), tul = bint(&T, "unsigned long", 8, 0);
	unsigned tu = bint(&T, "unsigned int", 4, 0), tc = bint(&T, "char", 1, 1);
	unsigned anon = bt(&T, NULL, 4, 2, 0, 8);
	bmem(&T, "a", ti, 0);
	bmem(&T, "tgid", ti, 32);
	unsigned tarr = barr(&T, tc, 16), tpad = barr(&T, tc, 2);
	unsigned tt = bt(&T, "task_struct", 4, 8, 1, 64);
	bmem(&T, "x", tl, 0);
	bmem(&T, "pid", ti, 64);
	bmem(&T, NULL, anon, 96);
	bmem(&T, "pad", tpad, 160);
	bmem(&T, "comm", tarr, 176);
	bmem(&T, "flag", tu, 1u << 24 | 309); /* in the u32 at byte 36: bit 21 of it */
	bmem(&T, "big", tul, 320);
	bmem(&T, "sbig", tl, 384);
	unsigned te = bt(&T, "e", 6, 2, 0, 4);
	bw(&T, bs(&T, "B")), bw(&T, 5);
	bw(&T, bs(&T, "A")), bw(&T, 7);
	bt(&T, "foo", 4, 2, 0, 8);
	bmem(&T, "a", ti, 0);
	bmem(&T, "b", ti, 32);
	struct btf *kt[] = {tparse(&T, &tb, NULL), NULL};

	static const struct { const char *name, *access; unsigned kind; int local, want; } fields[] = {
		{"byte_off through an anonymous member (task_struct___v2 matches task_struct)", "0:1", CORE_FIELD_BYTE_OFFSET, 4, 16},
		{"byte_off of a plain member", "0:0", CORE_FIELD_BYTE_OFFSET, 0, 8},
		{"byte_off of an array element comm[3]", "0:2:3", CORE_FIELD_BYTE_OFFSET, 11, 25},
		{"byte_sz of an array", "0:2", CORE_FIELD_BYTE_SIZE, 16, 16},
		{"field_exists", "0:1", CORE_FIELD_EXISTS, 1, 1},
		{"signed", "0:0", CORE_FIELD_SIGNED, 1, 1},
		{"byte_off of a bitfield: the aligned u32 holding it", "0:3", CORE_FIELD_BYTE_OFFSET, 24, 36},
		{"byte_sz of a bitfield", "0:3", CORE_FIELD_BYTE_SIZE, 4, 4},
		{"lshift_u64 of a bitfield", "0:3", CORE_FIELD_LSHIFT_U64, 63, 42},
		{"rshift_u64 of a bitfield", "0:3", CORE_FIELD_RSHIFT_U64, 63, 63},
		{"byte_sz of a field that grew", "0:4", CORE_FIELD_BYTE_SIZE, 4, 8},
		{"second element of the root array (access 1:0)", "1:0", CORE_FIELD_BYTE_OFFSET, 32, 72},
	};
	for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++) {
		struct bpf_insn in[] = {MOV(fields[i].local)};
		int r = resolve1(kt, rec(0, lt, fields[i].access, fields[i].kind), in, 1, &res, err);
		snprintf(got, sizeof got, "ret %d, imm %d (want %d)", r, in[0].imm, fields[i].want);
		expect(fields[i].name, r, err, r == 0 && !res.poison && in[0].imm == fields[i].want && in[0].code == 0xb7, got);
	}

	/* Loads: the offset patched; a field that grew from u32 to u64 loads 8 bytes; a signed one
	 * that grew is poisoned; an offset past 16 bits refused. */
	struct bpf_insn ld[] = {LDXW(4)};
	int r = resolve1(kt, rec(0, lt, "0:1", CORE_FIELD_BYTE_OFFSET), ld, 1, &res, err);
	expect("LDX: off patched", r, err, r == 0 && ld[0].off == 16 && ld[0].code == 0x61, "");
	struct bpf_insn grow[] = {LDXW(28)};
	r = resolve1(kt, rec(0, lt, "0:4", CORE_FIELD_BYTE_OFFSET), grow, 1, &res, err);
	snprintf(got, sizeof got, "code 0x%x off %d", grow[0].code, grow[0].off);
	expect("LDX of an unsigned field that grew: 8-byte load at the new offset", r, err,
	       r == 0 && grow[0].off == 40 && grow[0].code == (0x61 & ~0x18) + 0x18, got);
	struct bpf_insn sgrow[] = {LDXW(32)};
	r = resolve1(kt, rec(0, lt, "0:5", CORE_FIELD_BYTE_OFFSET), sgrow, 1, &res, err);
	expect("LDX of a signed field that grew: poisoned", r, err, r == 0 && res.poison && sgrow[0].code == 0x85 &&
	       sgrow[0].imm == CORE_POISON, "");
	struct bpf_insn bad[] = {MOV(5)};
	r = resolve1(kt, rec(0, lt, "0:1", CORE_FIELD_BYTE_OFFSET), bad, 1, &res, err);
	expect("an instruction not holding the object's own value is refused, untouched", r, err,
	       r != 0 && strstr(err, "not 4 as the object") && bad[0].imm == 5, "");

	/* Missing things: exists reads 0, the rest is poisoned (ld_imm64: both halves). */
	struct bb L0 = L;
	unsigned lnof = bt(&L, "task_struct", 4, 1, 0, 4);
	bmem(&L, "nope", li, 0);
	struct bpf_insn ex[] = {MOV(1)};
	r = resolve1(kt, rec(0, lnof, "0:0", CORE_FIELD_EXISTS), ex, 1, &res, err);
	expect("field_exists of a missing field: 0", r, err, r == 0 && !res.poison && ex[0].imm == 0, "");
	struct bpf_insn po[] = {MOV(0)};
	r = resolve1(kt, rec(0, lnof, "0:0", CORE_FIELD_BYTE_OFFSET), po, 1, &res, err);
	expect("byte_off of a missing field: a call to helper 0xbad2310", r, err,
	       r == 0 && res.poison && po[0].code == 0x85 && po[0].imm == 0xbad2310 && res.why, "");
	struct bpf_insn po64[] = {LD64(lmissing)};
	r = resolve1(kt, rec(0, lmissing, "0", CORE_TYPE_ID_TARGET), po64, 2, &res, err);
	expect("target_type_id of a missing type: ld_imm64 poisoned in both halves", r, err,
	       r == 0 && res.poison && po64[0].code == 0x85 && po64[1].code == 0x85 && po64[1].imm == 0xbad2310, "");
	struct bpf_insn tex[] = {MOV(1)};
	r = resolve1(kt, rec(0, lmissing, "0", CORE_TYPE_EXISTS), tex, 1, &res, err);
	expect("type_exists of a missing type: 0", r, err, r == 0 && tex[0].imm == 0, "");

	/* Types and enums. */
	struct bpf_insn id[] = {LD64(lt)};
	r = resolve1(kt, rec(0, lt, "0", CORE_TYPE_ID_TARGET), id, 2, &res, err);
	expect("target_type_id: the kernel's id in the ld_imm64", r, err, r == 0 && id[0].imm == (int)tt && id[1].imm == 0, "");
	struct bpf_insn lid[] = {LD64(lt)};
	r = resolve1(kt, rec(0, lt, "0", CORE_TYPE_ID_LOCAL), lid, 2, &res, err);
	expect("local_type_id: unchanged", r, err, r == 0 && lid[0].imm == (int)lt, "");
	struct bpf_insn sz[] = {MOV(32)};
	r = resolve1(kt, rec(0, lt, "0", CORE_TYPE_SIZE), sz, 1, &res, err);
	expect("type_size", r, err, r == 0 && sz[0].imm == 64, "");
	struct bpf_insn ev[] = {MOV(1)}, ee[] = {MOV(1)};
	r = resolve1(kt, rec(0, le, "1", CORE_ENUMVAL_VALUE), ev, 1, &res, err);
	expect("enumval_value: B is 5 in the kernel", r, err, r == 0 && ev[0].imm == 5, "");
	r = resolve1(kt, rec(0, le, "1", CORE_ENUMVAL_EXISTS), ee, 1, &res, err);
	expect("enumval_exists", r, err, r == 0 && ee[0].imm == 1, "");
	struct bpf_insn tm[] = {MOV(1)};
	r = resolve1(kt, rec(0, lfoo, "0", CORE_TYPE_MATCHES), tm, 1, &res, err);
	expect("type_matches: every local member has a match", r, err, r == 0 && tm[0].imm == 1, "");
	(void)te;

	/* A kernel whose enum is an ENUM64 (6.0 and later) and whose foo is not the object's. */
	struct bb T3;
	struct btf tb3;
	bb_init(&T3, NULL);
	unsigned i3 = bint(&T3, "long", 8, 1);
	bt(&T3, "e", 19, 2, 0, 8);
	bw(&T3, bs(&T3, "A")), bw(&T3, 1), bw(&T3, 0);
	bw(&T3, bs(&T3, "B")), bw(&T3, 2), bw(&T3, 1); /* 1 << 32 | 2 */
	bt(&T3, "foo", 4, 1, 0, 8);
	bmem(&T3, "a", i3, 0);
	struct btf *k64[] = {tparse(&T3, &tb3, NULL), NULL};
	struct bpf_insn e64[] = {LD64(1)};
	r = resolve1(k64, rec(0, le, "1", CORE_ENUMVAL_VALUE), e64, 2, &res, err);
	expect("enumval_value from an ENUM64: all 64 bits in the ld_imm64", r, err, r == 0 && e64[0].imm == 2 && e64[1].imm == 1, "");
	struct bpf_insn nm[] = {MOV(1)}, tsz[] = {MOV(4)};
	r = resolve1(k64, rec(0, lfoo, "0", CORE_TYPE_MATCHES), nm, 1, &res, err);
	expect("type_matches: a member of another size does not match", r, err, r == 0 && nm[0].imm == 0, "");
	r = resolve1(k64, rec(0, lfoo, "0", CORE_TYPE_SIZE), tsz, 1, &res, err);
	expect("type_size still resolves (the types are compatible)", r, err, r == 0 && tsz[0].imm == 8, "");

	/* Two kernel types of the name that disagree: an error naming the ambiguity; a module's type
	 * found through split BTF. */
	bb_init(&T2, NULL);
	unsigned i2 = bint(&T2, "int", 4, 1);
	bt(&T2, "task_struct", 4, 1, 0, 8);
	bmem(&T2, "tgid", i2, 32);
	bt(&T2, "task_struct", 4, 1, 0, 8);
	bmem(&T2, "tgid", i2, 0);
	struct btf *amb[] = {tparse(&T2, &tb2, NULL), NULL};
	struct bpf_insn am[] = {MOV(4)};
	L = L0;
	r = resolve1(amb, rec(0, lt, "0:1", CORE_FIELD_BYTE_OFFSET), am, 1, &res, err);
	expect("two kernel types that disagree: ambiguous, refused", r, err, r != 0 && strstr(err, "ambiguous") && am[0].imm == 4, "");
	bb_init(&M, &T);
	unsigned mfoo = bt(&M, "not_in_kernel", 4, 1, 0, 8);
	bmem(&M, "a", ti, 32);
	struct btf *withmod[] = {kt[0], tparse(&M, &mb, &tb), NULL};
	struct bpf_insn mo[] = {MOV(0)};
	r = resolve1(withmod, rec(0, lmissing, "0:0", CORE_FIELD_BYTE_OFFSET), mo, 1, &res, err);
	expect("a module's type (split BTF) is a candidate", r, err, r == 0 && mo[0].imm == 4 && res.targ_id == mfoo, "");

	/* libbpf's rules that a review found broken: type_matches compares the names of types with
	 * typedefs and qualifiers skipped (const void * matches void *, unsigned int matches a u32
	 * typedef); void (id 0) is a type like any other (pointed to, returned); and a module's type
	 * of a name vmlinux has is no candidate (modules are searched only for types vmlinux lacks). */
	struct bb T4, M2;
	struct btf tb4, mb2;
	unsigned lcv = bt(&L, NULL, 10, 0, 0, 0), lpv = bt(&L, NULL, 2, 0, 0, lcv);
	unsigned ltm = bt(&L, "tm", 4, 2, 0, 16);
	bmem(&L, "x", lu, 0);
	bmem(&L, "p", lpv, 64);
	unsigned lvp = bt(&L, "vp", 8, 0, 0, lpv);
	bb_init(&T4, NULL);
	unsigned tu4 = bint(&T4, "unsigned int", 4, 0), ti4 = bint(&T4, "int", 4, 1);
	unsigned t32 = bt(&T4, "u32", 8, 0, 0, tu4), tpv = bt(&T4, NULL, 2, 0, 0, 0);
	bt(&T4, "tm", 4, 2, 0, 16);
	bmem(&T4, "x", t32, 0);
	bmem(&T4, "p", tpv, 64);
	bt(&T4, "vp", 8, 0, 0, tpv);
	bt(&T4, "foo", 4, 1, 0, 4);
	bmem(&T4, "a", ti4, 0);
	struct btf *k4 = tparse(&T4, &tb4, NULL);
	bb_init(&M2, &T4);
	bt(&M2, "foo", 4, 1, 0, 8);
	bmem(&M2, "a", ti4, 32);
	struct btf *k4m[] = {k4, tparse(&M2, &mb2, &tb4), NULL};
	struct bpf_insn tq[] = {MOV(1)}, tv[] = {MOV(1)}, mf[] = {MOV(0)};
	r = resolve1(k4m, rec(0, ltm, "0", CORE_TYPE_MATCHES), tq, 1, &res, err);
	expect("type_matches: unsigned int vs u32, const void * vs void *", r, err, r == 0 && tq[0].imm == 1, "");
	r = resolve1(k4m, rec(0, lvp, "0", CORE_TYPE_EXISTS), tv, 1, &res, err);
	expect("type_exists of a typedef of void *", r, err, r == 0 && tv[0].imm == 1, "");
	r = resolve1(k4m, rec(0, lfoo, "0:0", CORE_FIELD_BYTE_OFFSET), mf, 1, &res, err);
	expect("a module's foo is no candidate when vmlinux has foo", r, err, r == 0 && mf[0].imm == 0, "");

	/* Values that do not fit the instruction's immediate are refused, not truncated: a 64-bit
	 * enum value in a MOV, 0xffffffff in a 64-bit MOV (sign-extended it would be -1); what fits
	 * is patched (0xffffffff in a 32-bit MOV, -1 of a signed 32-bit enum in a 64-bit MOV). */
	struct bb T5;
	struct btf tb5;
	unsigned lf = bt(&L, "f", 6, 1, 0, 4);
	bw(&L, bs(&L, "X")), bw(&L, 3);
	unsigned lg = bt(&L, "g", 6, 1, 0, 4);
	bw(&L, bs(&L, "Y")), bw(&L, 0);
	bb_init(&T5, NULL);
	bt(&T5, "e", 19, 2, 0, 8);
	bw(&T5, bs(&T5, "A")), bw(&T5, 1), bw(&T5, 0);
	bw(&T5, bs(&T5, "B")), bw(&T5, 2), bw(&T5, 1);
	bt(&T5, "f", 19, 1, 0, 8);
	bw(&T5, bs(&T5, "X")), bw(&T5, 0xffffffff), bw(&T5, 0);
	bt(&T5, "g", 6, 1, 1, 4);
	bw(&T5, bs(&T5, "Y")), bw(&T5, 0xffffffff);
	struct btf *k5[] = {tparse(&T5, &tb5, NULL), NULL};
	static const struct { const char *name; unsigned code; int type, local; int ok, want; } imms[] = {
		{"a 64-bit enum value in a 64-bit MOV: refused", 0xb7, 0, 1, 0, 0},
		{"a 64-bit enum value in a 32-bit MOV: refused", 0xb4, 0, 1, 0, 0},
		{"0xffffffff in a 64-bit MOV (it would read -1): refused", 0xb7, 1, 3, 0, 0},
		{"0xffffffff in a 32-bit MOV: patched", 0xb4, 1, 3, 1, -1},
		{"-1 of a signed enum in a 64-bit MOV: patched", 0xb7, 2, 0, 1, -1},
	};
	for (size_t i = 0; i < sizeof imms / sizeof imms[0]; i++) {
		unsigned type = imms[i].type == 0 ? le : imms[i].type == 1 ? lf : lg;
		struct bpf_insn in[] = {{(unsigned char)imms[i].code, 1, 0, 0, imms[i].local}};
		r = resolve1(k5, rec(0, type, imms[i].type ? "0" : "1", CORE_ENUMVAL_VALUE), in, 1, &res, err);
		snprintf(got, sizeof got, "ret %d, imm %d", r, in[0].imm);
		expect(imms[i].name, r, err, imms[i].ok ? r == 0 && in[0].imm == imms[i].want
					   : r != 0 && strstr(err, "does not fit") && in[0].imm == imms[i].local, got);
	}

	/* Types that share sub-types: walked path by path, each of these takes 2^30 steps or more
	 * (an object crafted to hang the loader); the resolver gives up with an error instead.
	 * Anonymous members, a struct embedding the previous one twice (field relocations); the same
	 * shape compared structurally (type_matches); prototypes whose two parameters point to the
	 * previous one (type_exists). */
	struct bb T6;
	struct btf tb6;
	unsigned ldeep = bt(&L, "deep", 4, 1, 0, 4);
	bmem(&L, "x", li, 0);
	unsigned lm = bt(&L, "m0", 4, 0, 0, 0);
	for (int k = 1; k <= 30; k++) { /* (30: type_matches gives up 32 deep) */
		char nm[8];
		snprintf(nm, sizeof nm, "m%d", k);
		unsigned prev = lm;
		lm = bt(&L, nm, 4, 2, 0, 0);
		bmem(&L, NULL, prev, 0), bmem(&L, NULL, prev, 0);
	}
	unsigned lp = bt(&L, "p0", 8, 0, 0, li);
	for (int k = 1; k <= 30; k++) {
		char nm[8];
		snprintf(nm, sizeof nm, "p%d", k);
		unsigned proto = bt(&L, NULL, 13, 2, 0, li);
		bw(&L, 0), bw(&L, lp), bw(&L, 0), bw(&L, lp); /* two parameters: name, type */
		unsigned ptr = bt(&L, NULL, 2, 0, 0, proto);
		lp = bt(&L, nm, 8, 0, 0, ptr);
	}
	bb_init(&T6, NULL);
	unsigned ti6 = bint(&T6, "int", 4, 1);
	unsigned e6 = bt(&T6, "e0", 4, 0, 0, 0);
	for (int k = 1; k <= 40; k++) {
		char nm[8];
		snprintf(nm, sizeof nm, "m%d", k);
		unsigned prev = e6;
		e6 = bt(&T6, NULL, 4, 2, 0, 0);
		bmem(&T6, NULL, prev, 0), bmem(&T6, NULL, prev, 0);
	}
	bt(&T6, "deep", 4, 2, 0, 8);
	bmem(&T6, NULL, e6, 0);
	bmem(&T6, "x", ti6, 32);
	struct btf *k6[] = {tparse(&T6, &tb6, NULL), NULL};
	struct bpf_insn dp[] = {MOV(0)};
	r = resolve1(k6, rec(0, ldeep, "0:0", CORE_FIELD_BYTE_OFFSET), dp, 1, &res, err);
	expect("anonymous members sharing a type: bounded, an error", r, err, r != 0 && strstr(err, "too many"), "");
	r = resolve1((struct btf *[]){&lb, NULL}, rec(0, lm, "0", CORE_TYPE_MATCHES), dp, 1, &res, err);
	expect("type_matches over structs sharing a type: bounded, an error", r, err, r != 0 && strstr(err, "too many"), "");
	r = resolve1((struct btf *[]){&lb, NULL}, rec(0, lp, "0", CORE_TYPE_EXISTS), dp, 1, &res, err);
	expect("type_exists over prototypes sharing a type: bounded, an error", r, err, r != 0 && strstr(err, "too many"), "");

	/* A verifier refusal mapped back to the poisoned relocation it reached: the one at that
	 * instruction, not the one before it; a refusal elsewhere, or of another program, is none. */
	static const char log1[] = "8: (b7) r1 = 0\n9: (85) call bpf_get_current_pid_tgid#14\n"
				   "10: (85) call unknown#195896080\ninvalid func unknown#195896080\n";
	int progs[2];
	struct core_poison pz[] = {{&progs[0], 0, 9, "x"}, {&progs[0], 1, 10, "y"}, {&progs[1], 0, 10, "z"}};
	check(core_refused(log1, pz, 3, &progs[0]) == 1, "refused at 10: the relocation of instruction 10", "", "1");
	check(core_refused(log1, pz, 1, &progs[0]) == -1, "refused at 10: not the relocation of instruction 9", "", "-1");
	check(core_refused(log1, pz + 2, 1, &progs[0]) == -1, "refused at 10: not another program's", "", "-1");
	check(core_refused("10: (85) call unknown#195896080\nR1 !read_ok\n", pz, 3, &progs[0]) == -1,
	      "another refusal: none", "", "-1");

	/* The access path as C. */
	static const struct { const char *access; unsigned kind; const char *want; } paths[] = {
		{"0:1", CORE_FIELD_BYTE_OFFSET, "task_struct___v2::tgid"},
		{"0:2:3", CORE_FIELD_BYTE_OFFSET, "task_struct___v2::comm[3]"},
		{"0", CORE_TYPE_SIZE, "struct task_struct___v2"},
	};
	for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++) {
		char p[100];
		struct core_rec cr = rec(0, lt, paths[i].access, paths[i].kind);
		unsigned long long size;
		free(lblob);
		lblob = bb_finish(&L, &size);
		btf_free(&lb);
		btf_parse(&lb, lblob, size);
		core_path(&lb, &cr, p, sizeof p);
		check(!strcmp(p, paths[i].want), "core_path: C access", p, paths[i].want);
	}

	/* Records the resolver must refuse, with a message. */
	static const struct { const char *access; unsigned kind, type; const char *msg; } broken[] = {
		{"0:1", 13, 0, "unknown relocation kind"},
		{"0:x", CORE_FIELD_BYTE_OFFSET, 0, "malformed access string"},
		{"0:", CORE_FIELD_BYTE_OFFSET, 0, "malformed access string"},
		{"0:9", CORE_FIELD_BYTE_OFFSET, 0, "has no member 9"},
		{"0:2:16", CORE_FIELD_BYTE_OFFSET, 0, "past an array of 16"},
		{"0:0:1", CORE_FIELD_BYTE_OFFSET, 0, "has no members"},
		{"0:1", CORE_TYPE_SIZE, 0, "not \"0\""},
		{"0", CORE_FIELD_BYTE_OFFSET, 999, "out of range"},
		{"5", CORE_ENUMVAL_VALUE, 1, "not an enumerator"},
		{"99999999999", CORE_FIELD_BYTE_OFFSET, 0, "malformed access string"},
	};
	for (size_t i = 0; i < sizeof broken / sizeof broken[0]; i++) {
		struct bpf_insn in[] = {MOV(0)};
		unsigned type = broken[i].type == 999 ? 999 : broken[i].type == 1 ? le : lt;
		r = resolve1(kt, rec(0, type, broken[i].access, broken[i].kind), in, 1, &res, err);
		snprintf(got, sizeof got, "broken record '%s' kind %u refused: %s", broken[i].access, broken[i].kind, broken[i].msg);
		check(r != 0 && strstr(err, broken[i].msg) != NULL, got, err, broken[i].msg);
	}
	struct bpf_insn past[] = {MOV(0)};
	r = resolve1(kt, rec(3, lt, "0:0", CORE_FIELD_BYTE_OFFSET), past, 1, &res, err);
	check(r != 0 && strstr(err, "past the program"), "a record past the program's end is refused", err, "past the program");
	struct bpf_insn jmp[] = {{0x05, 0, 0, 0, 0}};
	r = resolve1(kt, rec(0, lt, "0:0", CORE_FIELD_BYTE_OFFSET), jmp, 1, &res, err);
	check(r != 0 && strstr(err, "cannot take"), "a jump cannot take a CO-RE value", err, "cannot take");
	btf_free(&lb);
	btf_free(&tb);
	btf_free(&tb2);
	btf_free(&mb);
	btf_free(&tb3);
	btf_free(&tb4);
	btf_free(&tb5);
	btf_free(&tb6);
	btf_free(&mb2);
	free(lblob);
	while (nblobs)
		free(blobs[--nblobs]);
	(void)tu, (void)tul, (void)li;
}
