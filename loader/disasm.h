/* BPF instructions as text, in the kernel verifier log's syntax: "r1 = r10", "r1 += -16",
 * "*(u32 *)(r10 - 8) = r1", "if r1 > 0x5 goto +3 <12>", "call bpf_trace_printk#6". Pure. */
#ifndef RAWBPF_DISASM_H
#define RAWBPF_DISASM_H
#include "rt.h"
#include <linux/bpf.h>

/* What the object says an instruction refers to, which the instruction alone does not. */
enum { DIS_NONE, DIS_MAP, DIS_MAP_VALUE, DIS_FUNC, DIS_EXTERN /* a ksym or kfunc */ };
struct dis_sym {
	int kind;
	const char *name; /* map or function */
	u32 off;          /* DIS_MAP_VALUE: offset into the value */
};

/* Formats insns[idx] (with insns[idx + 1] for a 64-bit load) into buf; left is how many
 * instructions there are from idx on. Returns the instructions it used: 1 or 2. */
int disasm_insn(const struct bpf_insn *insns, u32 idx, u32 left, const struct dis_sym *sym, char *buf,
		size_t size);
/* "trace_printk" for 6; NULL for helpers not in the table. */
const char *helper_name(s32 id);
#endif
