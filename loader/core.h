/* CO-RE: an object's field offsets and sizes, type ids and sizes, enum values, relocated against
 * a kernel's BTF as libbpf does (relo_core.c's rules). Pure: object BTF, .BTF.ext records and
 * target BTF in; patched instructions, or an error naming the relocation, out. */
#ifndef RAWBPF_CORE_H
#define RAWBPF_CORE_H
#include "btf.h"
#include <linux/bpf.h>

enum {
	CORE_FIELD_BYTE_OFFSET, CORE_FIELD_BYTE_SIZE, CORE_FIELD_EXISTS, CORE_FIELD_SIGNED, CORE_FIELD_LSHIFT_U64,
	CORE_FIELD_RSHIFT_U64, CORE_TYPE_ID_LOCAL, CORE_TYPE_ID_TARGET, CORE_TYPE_EXISTS, CORE_TYPE_SIZE,
	CORE_ENUMVAL_EXISTS, CORE_ENUMVAL_VALUE, CORE_TYPE_MATCHES, CORE_KINDS
};
#define CORE_POISON 0xbad2310 /* helper id of a poisoned instruction: "invalid func unknown#195896080" */

/* A .BTF.ext core_relo record, its instruction renumbered to the linked program. */
struct core_rec {
	u32 insn, type_id, access, kind; /* access: offset of "0:1:2" in the object's BTF strings */
};

struct core_root {                /* a local type that relocations are relative to */
	u32 id, kind, len, next;       /* len: of the name without its ___flavor; next: same hash, or -1 */
	const char *name;
	u32 ncand;
	bool base;                     /* a candidate is vmlinux's: modules' are not looked at */
};
struct core_cand {
	u32 root;
	struct btf *btf;
	u32 id;
};

struct core {
	struct btf *local;
	struct core_root *roots;
	u32 nroots, cap_roots;
	u32 hash[64];                  /* first root by hash of its essential name, or -1 */
	u32 kinds;                     /* the BTF kinds of the roots, as a bit mask */
	u32 first[8];                  /* the first bytes of their names, as a bit mask */
	struct core_cand *cands;
	u32 ncands, cap_cands;
	u32 steps;                     /* types resolved for the current relocation */
	struct err err;
};

struct core_res {
	bool poison;                   /* made a call to helper CORE_POISON */
	u64 orig, val;                 /* what the compiler computed, and what it is on the target */
	struct btf *btf;               /* the target type that matched, if any */
	u32 targ_id;
	const char *why;               /* poison: why */
};

void core_init(struct core *c, struct btf *local);
/* Checks records (kind, type, access string) and notes the types they need candidates for. */
int core_add(struct core *c, const struct core_rec *r, u32 n);
/* One pass over target's own types (a split BTF's, not its base's), collecting candidates. */
void core_search(struct core *c, struct btf *target);
/* Whether some root has no candidate yet (so module BTF may be worth searching). */
bool core_missing(const struct core *c);
/* Resolves r and patches insns (cnt instructions) in place; an unresolvable relocation is
 * poisoned. Returns 0, or RB_EOBJ with c->err (the instruction is then left untouched). */
int core_apply(struct core *c, struct bpf_insn *insns, u32 cnt, const struct core_rec *r, struct core_res *res);
/* The relocation as C: "task_struct::real_parent", "task_struct::comm[2]", "struct task_struct",
 * "enum pid_type::PIDTYPE_TGID". */
/* A poisoned relocation, to name it when the verifier refuses the program there. */
struct core_poison {
	const void *prog;
	u32 rec, insn;                 /* its index among the program's records, its instruction */
	const char *why;
};
/* Which of the n poisoned relocations the verifier refused prog at, from its log (the last
 * "N: (85) call unknown#195896080" line before "invalid func unknown#195896080"): an index into
 * p, or -1 if the refusal was something else. */
int core_refused(const char *log, const struct core_poison *p, u32 n, const void *prog);
void core_path(struct btf *local, const struct core_rec *r, char *buf, size_t size);
const char *core_kind_name(u32 kind);
void core_free(struct core *c);
#endif
