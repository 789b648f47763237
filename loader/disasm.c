/* The BPF disassembler: one table per operand kind, no per-opcode formats. The syntax follows
 * the kernel verifier log (kernel/bpf/disasm.c), with jump targets as instruction indexes. */
#include "disasm.h"
#include "print.h"

/* Helpers that the book's programs and most tracing and XDP programs use: id, then name. */
static const char helpers[] =
	"\x01map_lookup_elem\0\x02map_update_elem\0\x03map_delete_elem\0\x04probe_read\0\x05ktime_get_ns\0"
	"\x06trace_printk\0\x07get_prandom_u32\0\x08get_smp_processor_id\0\x0ctail_call\0"
	"\x0eget_current_pid_tgid\0\x0fget_current_uid_gid\0\x10get_current_comm\0\x16perf_event_read\0"
	"\x17redirect\0\x19perf_event_output\0\x1askb_load_bytes\0\x1bget_stackid\0\x23get_current_task\0"
	"\x2cxdp_adjust_head\0\x2dprobe_read_str\0\x33redirect_map\0\x3aoverride_return\0\x43get_stack\0"
	"\x50get_current_cgroup_id\0\x6dsend_signal\0\x70probe_read_user\0\x71probe_read_kernel\0"
	"\x72probe_read_user_str\0\x73probe_read_kernel_str\0\x7dktime_get_boot_ns\0\x82ringbuf_output\0"
	"\x83ringbuf_reserve\0\x84ringbuf_submit\0\x85ringbuf_discard\0\x86ringbuf_query\0\x93" "d_path\0"
	"\x94" "copy_from_user\0\x9eget_current_task_btf\0\xa4" "for_each_map_elem\0\xa5snprintf\0"
	"\xad" "get_func_ip\0\xae" "get_attach_cookie\0\xb1trace_vprintk\0\xb5loop\0";

const char *helper_name(s32 id)
{
	for (const char *p = helpers; *p; p += rb_strlen(p) + 1)
		if ((u8)*p == id)
			return p + 1;
	return NULL;
}

#ifndef BPF_MEMSX
#define BPF_MEMSX 0x80 /* sign-extending loads (6.6), newer than some UAPI headers */
#endif

/* Indexed by opcode >> 4. */
static const char alu_ops[16][5] = {"+=", "-=", "*=", "/=", "|=", "&=", "<<=", ">>=", "", "%=", "^=", "=", "s>>="};
static const char jmp_ops[16][4] = {"", "==", ">", ">=", "&", "!=", "s>", "s>=", "", "", "<", "<=", "s<", "s<="};
/* Indexed by size >> 3: BPF_W, BPF_H, BPF_B, BPF_DW. */
static const char sizes[4][3] = {"32", "16", "8", "64"};

/* "*(u32 *)(r10 - 8)"; without the '*' for atomic_fetch_*(). */
static void mem(struct strbuf *o, const struct bpf_insn *in, int reg, bool deref)
{
	sb_add(o, "%s(%c%s *)(r%d %c %d)", deref ? "*" : "", BPF_MODE(in->code) == BPF_MEMSX ? 's' : 'u',
	    sizes[BPF_SIZE(in->code) >> 3], reg, in->off < 0 ? '-' : '+', in->off < 0 ? -in->off : in->off);
}

/* "+3 <12>": a relative jump and the instruction it lands on. */
static void target(struct strbuf *o, u32 idx, s32 off)
{
	sb_add(o, "%s%d <%lld>", off < 0 ? "" : "+", off, (long long)idx + off + 1);
}

__attribute__((noinline)) int disasm_insn(const struct bpf_insn *insns, u32 idx, u32 left, const struct dis_sym *sym, char *buf, size_t size)
{
	const struct bpf_insn *in = &insns[idx];
	struct strbuf o = {buf, size, 0, false};
	u8 cls = BPF_CLASS(in->code), op = BPF_OP(in->code), mode = BPF_MODE(in->code);
	bool x = BPF_SRC(in->code) == BPF_X;
	char r = cls == BPF_ALU || cls == BPF_JMP32 ? 'w' : 'r'; /* 32-bit operations name wN */
	int d = in->dst_reg, s = in->src_reg;
	static const struct dis_sym none;
	if (!sym)
		sym = &none;
	if (size)
		buf[0] = 0;
	switch (cls) {
	case BPF_ALU:
	case BPF_ALU64:
		if (op == BPF_NEG) {
			sb_add(&o, "%c%d = -%c%d", r, d, r, d);
		} else if (op == BPF_END) {
			sb_add(&o, "r%d = %s%d r%d", d, cls == BPF_ALU64 ? "bswap" : x ? "be" : "le", in->imm, d);
		} else if (op > BPF_END) {
			break;
		} else {
			sb_add(&o, "%c%d %s%s ", r, d, in->off && (op == BPF_DIV || op == BPF_MOD) ? "s" : "", alu_ops[op >> 4]);
			if (op == BPF_MOV && in->off && x)
				sb_add(&o, "(s%d)", in->off);
			if (x)
				sb_add(&o, "%c%d", r, s);
			else
				sb_add(&o, "%d", in->imm);
		}
		return 1;
	case BPF_JMP:
	case BPF_JMP32:
		if (op == BPF_CALL) {
			const char *h = helper_name(in->imm);
			if (sym->kind == DIS_EXTERN)
				sb_add(&o, "call %s (kfunc)", sym->name);
			else if (s == BPF_PSEUDO_CALL)
				sb_add(&o, "call pc%s%d", in->imm < 0 ? "" : "+", in->imm);
			else if (s == BPF_PSEUDO_KFUNC_CALL)
				sb_add(&o, "call kfunc#%d", in->imm);
			else
				sb_add(&o, "call %s%s#%d", h ? "bpf_" : "", h ? h : "", in->imm);
			if (sym->kind == DIS_FUNC)
				sb_add(&o, " <%s>", sym->name);
		} else if (op == BPF_EXIT) {
			sb_add(&o, "exit");
		} else if (op > BPF_JSLE) {
			break;
		} else {
			if (op != BPF_JA) {
				sb_add(&o, "if %c%d %s ", r, d, jmp_ops[op >> 4]);
				if (x)
					sb_add(&o, "%c%d ", r, s);
				else
					sb_add(&o, "0x%x ", in->imm);
			}
			sb_add(&o, "goto%s ", op == BPF_JA && cls == BPF_JMP32 ? "l" : "");
			target(&o, idx, op == BPF_JA && cls == BPF_JMP32 ? in->imm : in->off);
		}
		return 1;
	case BPF_LDX:
		if (mode != BPF_MEM && mode != BPF_MEMSX)
			break;
		sb_add(&o, "r%d = ", d);
		mem(&o, in, s, true);
		return 1;
	case BPF_ST:
	case BPF_STX:
		if (mode == BPF_ATOMIC && cls == BPF_STX) {
			static const char names[16][8] = {"add", "", "", "", "or", "and", "", "", "", "", "xor", "", "", "", "xchg", "cmpxchg"};
			const char *n = names[(in->imm >> 4) & 15];
			if (!(in->imm & BPF_FETCH)) {
				sb_add(&o, "lock ");
				mem(&o, in, d, true);
				sb_add(&o, " %s r%d", alu_ops[(in->imm >> 4) & 15], s);
			} else {
				sb_add(&o, "r%d = atomic_fetch_%s(", in->imm == BPF_CMPXCHG ? 0 : s, n);
				mem(&o, in, d, false);
				sb_add(&o, ", r%d)", s);
			}
			return 1;
		}
		if (mode != BPF_MEM)
			break;
		mem(&o, in, d, true);
		if (cls == BPF_STX)
			sb_add(&o, " = r%d", s);
		else
			sb_add(&o, " = %d", in->imm);
		return 1;
	case BPF_LD:
		if (in->code == (BPF_LD | BPF_IMM | BPF_DW) && left >= 2) {
			u64 v = (u64)(u32)in->imm | (u64)(u32)in[1].imm << 32;
			if (sym->kind == DIS_MAP)
				sb_add(&o, "r%d = map[%s] ll", d, sym->name);
			else if (sym->kind == DIS_MAP_VALUE)
				sb_add(&o, "r%d = map_value[%s]+%u", d, sym->name, sym->off);
			else if (sym->kind == DIS_EXTERN)
				sb_add(&o, "r%d = ksym[%s] ll", d, sym->name);
			else
				sb_add(&o, "r%d = 0x%llx ll", d, (unsigned long long)v);
			return 2;
		}
		if (mode == BPF_ABS)
			sb_add(&o, "r0 = *(u%s *)skb[%d]", sizes[BPF_SIZE(in->code) >> 3], in->imm);
		else if (mode == BPF_IND)
			sb_add(&o, "r0 = *(u%s *)skb[r%d + %d]", sizes[BPF_SIZE(in->code) >> 3], s, in->imm);
		else
			break;
		return 1;
	}
	sb_add(&o, "invalid opcode 0x%02x", in->code);
	return 1;
}
