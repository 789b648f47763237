/* The CO-RE resolver. A relocation names a local type and an access string ("0:1:2": array
 * index into the root, then member or array indexes); the same access is found in the target's
 * types of the same name (flavor suffixes "___x" dropped), walking anonymous members, and what
 * the instruction holds is recomputed there. Candidates are collected for every root in one
 * pass over the target's types; no index of the target is built. */
#include "core.h"

#define SPEC_MAX 64
#define STEPS (1u << 17) /* types resolved per relocation: shared sub-types make paths exponential */
static const char deep[] = "too many nested types";

struct acc {
	u32 type_id, idx; /* the composite (or array element type) and the member (or element) index */
	const char *name; /* the member's name; NULL for an array element */
};
struct spec {
	struct btf *btf;
	u32 root, len, raw_len;
	u64 bit; /* bit offset of the access from the root */
	struct acc a[SPEC_MAX];
	u32 raw[SPEC_MAX];
};

/* by kind, NUL-separated (a table of pointers is larger), "unknown" last */
static const char kind_names[] = "byte_off\0byte_sz\0field_exists\0signed\0lshift_u64\0rshift_u64\0local_type_id\0"
				 "target_type_id\0type_exists\0type_size\0enumval_exists\0enumval_value\0type_matches\0unknown";

const char *core_kind_name(u32 k)
{
	const char *s = kind_names;
	for (k = k < CORE_KINDS ? k : CORE_KINDS; k--;)
		s += rb_strlen(s) + 1;
	return s;
}

static bool is_field(u32 k) { return k <= CORE_FIELD_RSHIFT_U64; }
static bool is_enumval(u32 k) { return k - CORE_ENUMVAL_EXISTS < 2; }
/* a type relocation: its access string is "0" */
static bool is_type(u32 k) { return (1u << CORE_TYPE_ID_LOCAL | 1u << CORE_TYPE_ID_TARGET | 1u << CORE_TYPE_EXISTS | 1u << CORE_TYPE_SIZE | 1u << CORE_TYPE_MATCHES) >> k & 1; }
static bool is_composite(const struct btf_t *t) { return t->kind == BTFK_STRUCT || t->kind == BTFK_UNION; }
static bool is_enum(u32 k) { return k == BTFK_ENUM || k == BTFK_ENUM64; }

static u32 rd32(const u8 *p)
{
	u32 v;
	__builtin_memcpy(&v, p, 4); /* (a load: memcpy itself is a call in a freestanding build) */
	return v;
}

/* "task_struct___old" -> 11: up to the last "x___y" (libbpf's flavor convention). */
static size_t ess_len(const char *n)
{
	size_t len = rb_strlen(n);
	for (size_t i = len >= 5 ? len - 4 : 0; i-- > 0;)
		if (n[i] != '_' && n[i + 1] == '_' && n[i + 2] == '_' && n[i + 3] == '_' && n[i + 4] != '_')
			return i + 1;
	return len;
}

static bool ess_eq(const char *a, const char *b)
{
	size_t n = ess_len(a);
	return n == ess_len(b) && !rb_strncmp(a, b, n);
}

static u32 hash_of(const char *s, size_t n)
{
	u32 h = 2166136261u;
	while (n--)
		h = (h ^ (u8)*s++) * 16777619u;
	return h & 63;
}

static bool kind_compat(u32 a, u32 b)
{
	return a == b || (is_enum(a) && is_enum(b));
}

static const char *name_of(const struct btf_t *t)
{
	return t->name ? t->name : "";
}

/* Member i of a composite: its name, type and bit offset. */
static int member(struct core *c, struct btf *b, const struct btf_t *t, u32 i, const char **name, u32 *type, u32 *bit)
{
	return btf_member(b, t, i, name, type, bit) ? ERR_PASS(c, b) : 0;
}

/* Enumerator i of an ENUM or ENUM64: its name and value (ENUM values sign-extended, as libbpf). */
static const char *enumerator(struct btf *b, const struct btf_t *t, u32 i, u64 *val)
{
	const u8 *e = t->rec + (u64)i * (t->kind == BTFK_ENUM ? 8 : 12);
	if (val)
		*val = t->kind == BTFK_ENUM ? (u64)(s64)(s32)rd32(e + 4) : rd32(e + 4) | (u64)rd32(e + 8) << 32;
	return btf_str(b, rd32(e));
}

static int resolve(struct core *c, struct btf *b, u32 id, struct btf_t *t)
{
	if (++c->steps > STEPS)
		return FAIL(c, deep);
	return btf_resolve(b, id, t) ? ERR_PASS(c, b) : 0;
}

static int size_of(struct core *c, struct btf *b, u32 id, u64 *sz)
{
	return btf_size(b, id, sz) || *sz > 0xffffffffu ? FAIL(c, "%s", b->err.msg[0] ? b->err.msg : "type too large") : 0;
}

/* Whether an array of n elements after s's last accessor is a flexible array member: of no
 * length, and the last member of its struct (any index goes). */
static bool flex(const struct spec *s, u32 n)
{
	const struct acc *a = &s->a[s->len - 1];
	struct btf_t t;
	return a->name && !n && !btf_type(s->btf, a->type_id, &t) && a->idx == t.vlen - 1;
}

/* The local side: access string to accessors (libbpf's bpf_core_parse_spec). */
static int spec_parse(struct core *c, struct btf *b, const struct core_rec *r, struct spec *s)
{
	struct btf_t t;
	const char *str = btf_str(b, r->access), *p = str;
	u64 sz;
	__builtin_memset(s, 0, sizeof *s - sizeof s->a - sizeof s->raw);
	s->btf = b;
	s->root = r->type_id;
	c->steps = 0;
	if (r->kind >= CORE_KINDS)
		return FAIL(c, "unknown relocation kind %u", r->kind);
	if (!str || !*str)
		return FAIL(c, "access string offset %u out of range or empty", r->access);
	if (btf_type(b, r->type_id, &t))
		return ERR_PASS(c, b);
	while (*p) {
		u64 v = 0;
		const char *d = p;
		while (*p >= '0' && *p <= '9' && v < 0x80000000u)
			v = v * 10 + (u64)(*p++ - '0');
		if (p == d || s->raw_len == SPEC_MAX || v >= 0x80000000u || (*p && *p++ != ':') || (!*p && p[-1] == ':'))
			return FAIL(c, "malformed access string \"%s\"", str);
		s->raw[s->raw_len++] = (u32)v;
	}
	if (is_type(r->kind))
		return rb_strcmp(str, "0") ? FAIL(c, "access \"%s\", not \"0\"", str) : 0;
	if (resolve(c, b, r->type_id, &t))
		return RB_EOBJ;
	s->a[0] = (struct acc){t.id, s->raw[0], NULL};
	s->len = 1;
	if (is_enumval(r->kind)) {
		if (!is_enum(t.kind) || s->raw_len > 1 || s->raw[0] >= t.vlen)
			return FAIL(c, "access \"%s\": not an enumerator", str);
		s->a[0].name = enumerator(b, &t, s->raw[0], NULL);
		return s->a[0].name ? 0 : FAIL(c, "enumerator name out of range");
	}
	if (size_of(c, b, t.id, &sz))
		return RB_EOBJ;
	s->bit = (u64)s->raw[0] * sz * 8;
	u32 id = t.id;
	for (u32 i = 1; i < s->raw_len; i++) {
		u32 idx = s->raw[i], mt, bit, elem, n;
		const char *name;
		if (resolve(c, b, id, &t))
			return RB_EOBJ;
		if (is_composite(&t)) {
			if (idx >= t.vlen || member(c, b, &t, idx, &name, &mt, &bit))
				return FAIL(c, "access \"%s\": type %u has no member %u", str, t.id, idx);
			s->bit += bit;
			if (*name)
				s->a[s->len++] = (struct acc){t.id, idx, name};
			id = mt;
		} else if (t.kind == BTFK_ARRAY) {
			btf_array(b, &t, &elem, &n);
			bool fl = flex(s, n);
			if (resolve(c, b, elem, &t) || size_of(c, b, t.id, &sz))
				return RB_EOBJ;
			if (!fl && idx >= n)
				return FAIL(c, "access \"%s\": index %u past an array of %u", str, idx, n);
			s->a[s->len++] = (struct acc){t.id, idx, NULL};
			s->bit += (u64)idx * sz * 8;
			id = t.id;
		} else {
			return FAIL(c, "access \"%s\": type %u (kind %u) has no members", str, t.id, t.kind);
		}
		if (s->bit >> 40)
			return FAIL(c, "access \"%s\": offset too large", str);
	}
	return 0;
}

static int cmp(struct core *c, struct btf *lb, u32 lid, struct btf *tb, u32 tid, u32 how, int level);

/* Finds the local member la in the target composite tid, through anonymous members. */
static int match_member(struct core *c, struct btf *lb, const struct acc *la, struct btf *tb, u32 tid, struct spec *s,
			u32 *next)
{
	struct btf_t lt, t;
	const char *lname, *name;
	u32 ltype, lbit, type, bit;
	/* (the local accessor was read once already: it is valid) */
	btf_type(lb, la->type_id, &lt);
	btf_member(lb, &lt, la->idx, &lname, &ltype, &lbit);
	if (resolve(c, tb, tid, &t))
		return RB_EOBJ;
	if (!is_composite(&t))
		return 0;
	for (u32 i = 0; i < t.vlen; i++) {
		if (s->raw_len == SPEC_MAX)
			return FAIL(c, deep);
		if (member(c, tb, &t, i, &name, &type, &bit))
			return RB_EOBJ;
		s->bit += bit;
		s->raw_len++; /* (only counted: how deep the target's access goes) */
		if (!*name) {
			int found = match_member(c, lb, la, tb, type, s, next);
			if (found)
				return found;
		} else if (!rb_strcmp(lname, name)) {
			s->a[s->len++] = (struct acc){t.id, i, name};
			*next = type;
			int ok = cmp(c, lb, ltype, tb, type, 1 /* C_FIELD */, 32);
			if (ok <= 0)
				s->len--;
			return ok;
		}
		s->bit -= bit;
		s->raw_len--;
	}
	return 0;
}

/* libbpf's bpf_core_names_match: flavors dropped; an anonymous target matches only anonymous. */
static bool names_match(const char *l, const char *t)
{
	if (!t || !*t)
		return !l || !*l;
	return l && ess_eq(l, t);
}

/* Whether the local type may be relocated to the target type, by libbpf's rules: C_TYPE its
 * bpf_core_types_are_compat (type relocations), C_FIELD its bpf_core_fields_are_compat (a
 * member's type), C_MATCH its bpf_core_types_match (type_matches: structural), with C_PTR once
 * behind a pointer (where composites compare by name only). */
enum { C_TYPE, C_FIELD, C_MATCH, C_PTR = 4 };
static int cmp(struct core *c, struct btf *lb, u32 lid, struct btf *tb, u32 tid, u32 how, int level)
{
	struct btf_t l, t;
	u32 m = how & 3, ln, tn;
	for (;; level--) {
		if (level <= 0)
			return FAIL(c, deep);
		if (resolve(c, lb, lid, &l) || resolve(c, tb, tid, &t))
			return RB_EOBJ;
		/* (type_matches compares names with typedefs and qualifiers skipped, as libbpf) */
		if (m == C_MATCH) {
			if (!l.kind || !t.kind || !names_match(l.name, t.name))
				return !l.kind && !t.kind;
		} else if (m == C_FIELD && is_composite(&l) && is_composite(&t)) {
			return 1;
		} else if (!kind_compat(l.kind, t.kind)) {
			return 0;
		}
		switch (l.kind) {
		case 0: /* void */
			return 1;
		case BTFK_STRUCT: case BTFK_UNION: case BTFK_FWD: case BTFK_ENUM: case BTFK_ENUM64: case BTFK_FUNC_PROTO: {
			bool comp = is_composite(&l), proto = l.kind == BTFK_FUNC_PROTO;
			if (proto) {
				if (m == C_FIELD || t.kind != BTFK_FUNC_PROTO || l.vlen != t.vlen)
					return 0;
			} else {
				if (m != C_MATCH)
					return comp || m != C_FIELD || !*name_of(&l) || !*name_of(&t) ||
					       ess_eq(name_of(&l), name_of(&t));
				/* a forward declaration, or a composite behind a pointer: only struct or union */
				if (l.kind == BTFK_FWD || (comp && (how & C_PTR)))
					return (is_composite(&t) || t.kind == BTFK_FWD) && ((how & C_PTR) || t.kind == BTFK_FWD) &&
					       (l.kind == BTFK_FWD ? l.kflag : l.kind == BTFK_UNION) ==
						       (t.kind == BTFK_FWD ? t.kflag : t.kind == BTFK_UNION);
				if ((comp ? l.kind != t.kind : !is_enum(t.kind) || l.size_or_type != t.size_or_type) || l.vlen > t.vlen)
					return 0;
			}
			/* every local member or enumerator has one of its name in the target (members of a
			 * type that matches too); a prototype's parameters match in their places (one walk
			 * under either rule) */
			u32 ls = (0x2040u >> l.kind & 1) ? 8 : 12, ts = (0x2040u >> t.kind & 1) ? 8 : 12; /* ENUM, FUNC_PROTO */
			for (u32 i = 0; i < l.vlen; i++) {
				int found = 0;
				for (u32 j = 0; j < t.vlen && !found; j++)
					if ((proto ? i == j : names_match(btf_str(lb, rd32(l.rec + i * ls)), btf_str(tb, rd32(t.rec + j * ts)))) &&
					    (found = comp || proto ? cmp(c, lb, rd32(l.rec + i * ls + 4), tb, rd32(t.rec + j * ts + 4), how, level - 1)
							   : 1) < 0)
						return found;
				if (!found)
					return 0;
			}
			if (!proto)
				return 1;
			lid = l.size_or_type, tid = t.size_or_type;
			continue;
		}
		case BTFK_FLOAT:
			return m == C_FIELD;
		case BTFK_INT: /* compatible: only the old bitfield-like integers are refused */
			if (m == C_MATCH)
				return t.kind == BTFK_INT && l.size_or_type == t.size_or_type &&
				       (rd32(l.rec) >> 24 & 1) == (rd32(t.rec) >> 24 & 1);
			return !(rd32(l.rec) >> 16 & 0xff) && !(rd32(t.rec) >> 16 & 0xff);
		case BTFK_PTR:
			if (m == C_FIELD)
				return 1;
			if (t.kind != BTFK_PTR)
				return 0;
			how |= C_PTR;
			lid = l.size_or_type, tid = t.size_or_type;
			continue;
		case BTFK_ARRAY:
			if (t.kind != BTFK_ARRAY)
				return 0;
			btf_array(lb, &l, &lid, &ln);
			btf_array(tb, &t, &tid, &tn);
			if (m == C_MATCH && ln != tn)
				return 0;
			continue;
		default:
			return 0;
		}
	}
}

/* The same access in a candidate target type (libbpf's bpf_core_spec_match): 1 if it is there. */
static int spec_match(struct core *c, const struct spec *ls, u32 kind, struct btf *tb, u32 tid, struct spec *ts)
{
	struct btf_t t;
	__builtin_memset(ts, 0, sizeof *ts - sizeof ts->a - sizeof ts->raw);
	ts->btf = tb;
	ts->root = tid;
	if (is_type(kind))
		return cmp(c, ls->btf, ls->root, tb, tid, kind == CORE_TYPE_MATCHES ? C_MATCH : C_TYPE, 32);
	if (is_enumval(kind)) {
		if (resolve(c, tb, tid, &t))
			return RB_EOBJ;
		if (!is_enum(t.kind))
			return 0;
		for (u32 i = 0; i < t.vlen; i++) {
			const char *n = enumerator(tb, &t, i, NULL);
			if (n && ess_eq(ls->a[0].name, n)) {
				ts->a[0] = (struct acc){t.id, i, n};
				ts->len = 1;
				return 1;
			}
		}
		return 0;
	}
	for (u32 i = 0; i < ls->len; i++) {
		const struct acc *la = &ls->a[i];
		if (resolve(c, tb, tid, &t))
			return RB_EOBJ;
		if (la->name) {
			int m = match_member(c, ls->btf, la, tb, t.id, ts, &tid);
			if (m <= 0)
				return m;
			continue;
		}
		if (i > 0) {
			u32 n;
			if (t.kind != BTFK_ARRAY)
				return 0;
			btf_array(tb, &t, &tid, &n);
			if (!flex(ts, n) && la->idx >= n)
				return 0;
			if (resolve(c, tb, tid, &t))
				return RB_EOBJ;
		}
		if (ts->raw_len == SPEC_MAX)
			return FAIL(c, deep);
		u64 sz;
		ts->a[ts->len++] = (struct acc){t.id, la->idx, NULL};
		ts->raw_len++;
		if (size_of(c, tb, t.id, &sz))
			return RB_EOBJ;
		ts->bit += (u64)la->idx * sz * 8;
		tid = t.id;
	}
	return 1;
}

struct calc {
	u64 val;
	u32 sz, type; /* a plain field's load size and type, for load size changes */
	bool validate;
};

/* What the instruction should hold for this spec, as libbpf computes it. */
#define EXISTS (1u << CORE_FIELD_EXISTS | 1u << CORE_TYPE_EXISTS | 1u << CORE_TYPE_MATCHES | 1u << CORE_ENUMVAL_EXISTS)
static int calc(struct core *c, u32 kind, const struct spec *s, struct calc *o)
{
	struct btf_t t, mt;
	const char *name;
	u32 mtype, mbit, bits;
	u64 sz, bit, byte_off;
	o->validate = true;
	o->sz = o->type = 0;
	o->val = 1;
	if (EXISTS >> kind & 1)
		return 0;
	if (kind == CORE_ENUMVAL_VALUE) {
		btf_type(s->btf, s->a[0].type_id, &t); /* (read once already, as the accessors below) */
		enumerator(s->btf, &t, s->a[0].idx, &o->val);
		return 0;
	}
	if (kind == CORE_TYPE_SIZE)
		return size_of(c, s->btf, s->root, &o->val);
	o->val = s->root; /* the type ids */
	if (!is_field(kind))
		return 0;
	const struct acc *a = &s->a[s->len - 1];
	if (!a->name) { /* an array element, or the root itself */
		if (size_of(c, s->btf, a->type_id, &sz))
			return RB_EOBJ;
		if (kind > CORE_FIELD_BYTE_SIZE)
			return FAIL(c, "%s of an array element makes no sense", core_kind_name(kind));
		o->val = kind ? sz : s->bit / 8;
		if (!kind)
			o->sz = (u32)sz, o->type = a->type_id;
		return 0;
	}
	btf_type(s->btf, a->type_id, &t);
	btf_member(s->btf, &t, a->idx, &name, &mtype, &mbit);
	bits = btf_member_bitsize(s->btf, &t, a->idx);
	if (resolve(c, s->btf, mtype, &mt))
		return RB_EOBJ;
	bit = s->bit;
	bool bf = bits != 0;
	if (bf) { /* the smallest aligned load of the member's type, or wider, that holds it */
		sz = mt.size_or_type;
		for (byte_off = sz ? bit / 8 / sz * sz : 0; sz && sz <= 8 && bit + bits - byte_off * 8 > sz * 8;)
			sz *= 2, byte_off = bit / 8 / sz * sz;
		if (!sz || sz > 8)
			return FAIL(c, "bitfield '%s' cannot be read with one load", name);
	} else {
		if (size_of(c, s->btf, mt.id, &sz))
			return RB_EOBJ;
		byte_off = bit / 8;
		if (!kind)
			o->sz = (u32)sz, o->type = mt.id;
		bits = (u32)sz * 8;
	}
	/* (the compiler may read a bitfield otherwise than libbpf: its offset is not checked) */
	o->validate = !bf || kind == CORE_FIELD_SIGNED || kind == CORE_FIELD_RSHIFT_U64;
	o->val = kind == CORE_FIELD_BYTE_OFFSET ? byte_off
		 : kind == CORE_FIELD_BYTE_SIZE ? sz
		 : kind == CORE_FIELD_SIGNED ? (is_enum(mt.kind) && mt.kflag) || (mt.kind == BTFK_INT && (rd32(mt.rec) >> 24 & 1))
		 : kind == CORE_FIELD_LSHIFT_U64 ? 64 - (bit + bits - byte_off * 8)
						 : 64 - bits;
	return 0;
}

/* Whether a load of a field whose size changed still reads the right value (libbpf: pointers
 * and unsigned integers only, zero-extended). */
static bool size_change_ok(struct btf *lb, u32 lid, struct btf *tb, u32 tid)
{
	struct btf_t l, t;
	if (btf_type(lb, lid, &l) || btf_type(tb, tid, &t))
		return false;
	if (l.kind == BTFK_PTR && t.kind == BTFK_PTR)
		return true;
	return l.kind == BTFK_INT && t.kind == BTFK_INT && !(rd32(l.rec) >> 24 & 1) && !(rd32(t.rec) >> 24 & 1);
}

static void poison(struct bpf_insn *in)
{
	*in = (struct bpf_insn){.code = BPF_JMP | BPF_CALL, .imm = CORE_POISON};
}

static int patch(struct core *c, struct bpf_insn *insns, u32 cnt, const struct core_rec *r, struct core_res *res,
		 const struct calc *lc, const struct calc *tc)
{
	static const u8 bytes[4] = {4, 2, 1, 8}; /* of BPF_W, BPF_H, BPF_B, BPF_DW */
	struct bpf_insn *in = &insns[r->insn];
	u32 cls = BPF_CLASS(in->code), j = 0;
	bool ld64 = in->code == (BPF_LD | BPF_IMM | BPF_DW), alu = cls == BPF_ALU || cls == BPF_ALU64,
	     mem = cls == BPF_LDX || cls == BPF_ST || cls == BPF_STX;
	u64 v = res->val;
	if (ld64 && r->insn + 1 >= cnt)
		goto bad;
	if (!res->poison && mem && lc->sz != tc->sz && !size_change_ok(c->local, lc->type, res->btf, tc->type))
		res->poison = true, res->why = "its size changed, and it is no pointer or unsigned integer";
	if (res->poison) {
		if (ld64)
			poison(in + 1); /* the second half too, or the verifier says "unknown opcode 00" */
		poison(in);
		return 0;
	}
	/* (ld_imm64: no src_reg or off, a second half of code, registers and off 0) */
	if (ld64 ? (rd32((const u8 *)in) & 0xfffff000) || rd32((const u8 *)(in + 1)) : alu ? BPF_SRC(in->code) != BPF_K : !mem)
		goto bad;
	u64 was = ld64 ? (u32)in[0].imm | (u64)(u32)in[1].imm << 32 : (u64)(s64)(alu ? in->imm : in->off);
	if (lc->validate && was != res->orig)
		return FAIL(c, "it holds %lld, not %llu as the object's BTF says", (long long)was,
			    (unsigned long long)res->orig);
	/* (an ALU immediate is sign-extended to 64 bits, except by a 32-bit ALU) */
	if (alu ? (s64)v != (s32)v && (cls == BPF_ALU64 || v >> 32) : mem && v > 0x7fff)
		return FAIL(c, "%llu does not fit the instruction", (unsigned long long)v);
	if (mem && lc->sz != tc->sz) {
		while (j < 4 && bytes[j] != tc->sz)
			j++;
		if (bytes[BPF_SIZE(in->code) >> 3] != lc->sz || j == 4)
			return FAIL(c, "a %u-byte access of a %u-byte field (now %u bytes)", bytes[BPF_SIZE(in->code) >> 3],
				    lc->sz, tc->sz);
		in->code = (u8)((in->code & ~0x18) | j << 3);
	}
	if (mem)
		in->off = (short)v;
	else
		in->imm = (s32)v;
	if (ld64)
		in[1].imm = (s32)(v >> 32);
	return 0;
bad:
	return FAIL(c, "opcode 0x%02x cannot take a CO-RE value", in->code);
}

static u32 root_of(const struct core *c, u32 id)
{
	for (u32 i = 0; i < c->nroots; i++)
		if (c->roots[i].id == id)
			return i;
	return (u32)-1;
}

int core_apply(struct core *c, struct bpf_insn *insns, u32 cnt, const struct core_rec *r, struct core_res *res)
{
	static struct spec ls, ts; /* 1.3 KB each: not on a small stack (the resolver is not reentrant) */
	struct calc lc, tc = {0}, cc;
	u64 bit = 0;
	u32 n = 0, root = root_of(c, r->type_id);
	__builtin_memset(res, 0, sizeof *res);
	c->err.msg[0] = 0;
	if (r->insn >= cnt)
		return FAIL(c, "instruction %u past the program's end (%u)", r->insn, cnt);
	if (spec_parse(c, c->local, r, &ls) || calc(c, r->kind, &ls, &lc) < 0)
		return RB_EOBJ;
	res->orig = lc.val;
	if (r->kind == CORE_TYPE_ID_LOCAL) {
		res->val = lc.val;
		return patch(c, insns, cnt, r, res, &lc, &lc);
	}
	for (u32 i = 0; root != (u32)-1 && i < c->ncands; i++) {
		struct core_cand *k = &c->cands[i];
		if (k->root != root)
			continue;
		int m = spec_match(c, &ls, r->kind, k->btf, k->id, &ts);
		if (m < 0)
			return RB_EOBJ;
		if (!m)
			continue;
		if (calc(c, r->kind, &ts, &cc) < 0)
			return RB_EOBJ;
		if (n && ((is_field(r->kind) && ts.bit != bit) || cc.val != res->val))
			return FAIL(c, "ambiguous: kernel types %u and %u match and disagree", res->targ_id, k->id);
		if (!n++) {
			res->val = cc.val, res->btf = k->btf, res->targ_id = k->id;
			tc = cc, bit = ts.bit;
		}
	}
	if (!n) {
		res->poison = !(EXISTS >> r->kind & 1); /* the exists kinds are 0, the others poisoned */
		tc.sz = lc.sz; /* no size change without a target */
		res->why = root == (u32)-1 || !c->roots[root].ncand ? "no kernel type of that name and kind"
			   : is_field(r->kind)				    ? "no kernel type of that name has the field"
			   : is_enumval(r->kind)			    ? "no kernel enum of that name has it"
									    : "the kernel's type is not compatible";
	}
	return patch(c, insns, cnt, r, res, &lc, &tc);
}

/* Room for one more of n elements of size in p (of *cap). */
static void *grow(void *p, u32 n, u32 *cap, size_t size)
{
	if (n < *cap)
		return p;
	void *q = rb_alloc((*cap = *cap * 2 + 8) * size);
	if (n)
		memcpy(q, p, n * size);
	rb_free(p);
	return q;
}

void core_init(struct core *c, struct btf *local)
{
	memset(c, 0, sizeof *c);
	c->local = local;
	memset(c->hash, 0xff, sizeof c->hash);
}

int core_add(struct core *c, const struct core_rec *r, u32 n)
{
	static struct spec s;
	struct btf_t t;
	for (u32 i = 0; i < n; i++) {
		if (spec_parse(c, c->local, &r[i], &s))
			return RB_EOBJ;
		if (r[i].kind == CORE_TYPE_ID_LOCAL || root_of(c, r[i].type_id) != (u32)-1)
			continue;
		btf_type(c->local, r[i].type_id, &t);
		if (!t.name || !*t.name)
			return FAIL(c, "relocation against an anonymous type (%u)", t.id);
		c->roots = grow(c->roots, c->nroots, &c->cap_roots, sizeof *c->roots);
		u32 len = (u32)ess_len(t.name), h = hash_of(t.name, len);
		c->roots[c->nroots] = (struct core_root){t.id, t.kind, len, c->hash[h], t.name, 0, false};
		c->hash[h] = c->nroots++;
		c->kinds |= 1u << t.kind | (is_enum(t.kind) ? 1u << BTFK_ENUM | 1u << BTFK_ENUM64 : 0);
		c->first[(u8)t.name[0] >> 5] |= 1u << (t.name[0] & 31);
	}
	return 0;
}

void core_search(struct core *c, struct btf *b)
{
	struct btf_t t;
	const u8 *types = b->data + b->hdr_len + b->type_off;
	for (u32 id = b->start_id + 1; id <= b->ntypes; id++) {
		/* (the kind, read in place, and the name's first byte rule out most types cheaply) */
		if (!(c->kinds >> (types[b->offs[id - b->start_id] + 7] & 0x1f) & 1) || btf_type(b, id, &t) || !t.name || !*t.name ||
		    !(c->first[(u8)t.name[0] >> 5] >> (t.name[0] & 31) & 1))
			continue;
		size_t n = ess_len(t.name);
		for (u32 i = c->hash[hash_of(t.name, n)]; i != (u32)-1; i = c->roots[i].next) {
			struct core_root *r = &c->roots[i];
			if (r->len != n || rb_strncmp(r->name, t.name, n) || !kind_compat(r->kind, t.kind) || (b->base && r->base))
				continue;
			c->cands = grow(c->cands, c->ncands, &c->cap_cands, sizeof *c->cands);
			c->cands[c->ncands++] = (struct core_cand){i, b, id};
			r->ncand++;
			r->base |= !b->base;
		}
	}
}

bool core_missing(const struct core *c)
{
	for (u32 i = 0; i < c->nroots; i++)
		if (!c->roots[i].ncand)
			return true;
	return false;
}

int core_refused(const char *log, const struct core_poison *p, u32 n, const void *prog)
{
	static const char call[] = ": (85) call unknown#195896080";
	const char *at = log ? rb_strstr(log, "invalid func unknown#195896080") : NULL, *end;
	u64 insn = 0, v;
	bool seen = false;
	if (!at)
		return -1;
	for (const char *s = log; s < at; s++)
		if ((s == log || s[-1] == '\n') && (end = rb_parse_u64(s, &v)) && !rb_strncmp(end, call, sizeof call - 1))
			insn = v, seen = true;
	for (u32 i = 0; seen && i < n; i++)
		if (p[i].prog == prog && p[i].insn == insn) /* (never the second half of an ld_imm64: it is not reached first) */
			return (int)i;
	return -1;
}

void core_path(struct btf *b, const struct core_rec *r, char *buf, size_t size)
{
	static struct spec s;
	struct core c;
	struct btf_t t;
	size_t n = 0;
	buf[0] = 0;
	if (spec_parse(&c, b, r, &s) || btf_type(b, r->type_id, &t)) {
		rb_snprintf(buf, size, "type %u, access #%u", r->type_id, r->access);
		return;
	}
	if (!is_field(r->kind)) {
		rb_snprintf(buf, size, is_enumval(r->kind) ? "%s%s::%s" : "%s%s",
			    t.kind == BTFK_STRUCT ? "struct " : t.kind == BTFK_UNION ? "union " : is_enum(t.kind) ? "enum " : "",
			    name_of(&t), s.a[0].name);
		return;
	}
	n = (size_t)rb_snprintf(buf, size, "%s", name_of(&t));
	for (u32 i = 0; i < s.len && n < size; i++)
		n += (size_t)(s.a[i].name ? rb_snprintf(buf + n, size - n, "%s%s", i == 1 ? "::" : ".", s.a[i].name)
			      : i || s.a[0].idx ? rb_snprintf(buf + n, size - n, "[%u]", s.a[i].idx) : 0);
}

void core_free(struct core *c)
{
	rb_free(c->roots);
	rb_free(c->cands);
	c->roots = NULL;
	c->cands = NULL;
	c->nroots = c->ncands = 0;
}
