/* Unit tests of the pure layers (ELF reader, object model, formatter) against the host libc,
 * built with ASan and UBSan. Prints TAP: one line per check.
 * usage: unit_test CORPUS_DIR [GOOD_OBJECT...] */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "disasm.h"
#include "obj.h"
#include "unit.h"

void *rb_alloc(size_t n) { return malloc(n ? n : 1); }
void *rb_zalloc(size_t n) { return calloc(1, n ? n : 1); }
void rb_free(void *p) { free(p); }

static int n_run, n_fail;

void check(int ok, const char *name, const char *got, const char *want)
{
	n_run++;
	printf("%s %d - %s\n", ok ? "ok" : "not ok", n_run, name);
	if (!ok) {
		n_fail++;
		printf("#   got:  %s\n#   want: %s\n", got, want);
	}
}

static unsigned char *slurp(const char *path, size_t *size)
{
	FILE *f = fopen(path, "rb");
	unsigned char *buf;
	long n;
	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	/* An exact-size heap block, so ASan catches any read past the end of the file. */
	buf = malloc(n ? (size_t)n : 1);
	*size = fread(buf, 1, (size_t)n, f);
	fclose(f);
	return buf;
}

/* Each NAME.o in the corpus must be refused with exactly the message in NAME.expect. */
static void corpus(const char *dir)
{
	struct dirent **ents;
	int n = scandir(dir, &ents, NULL, alphasort);
	if (n < 0) {
		check(0, "corpus directory readable", dir, "a directory");
		return;
	}
	for (int i = 0; i < n; i++) {
		char path[512], want[512] = "", name[300];
		size_t len = strlen(ents[i]->d_name), size;
		if (len < 3 || strcmp(ents[i]->d_name + len - 2, ".o")) {
			free(ents[i]);
			continue;
		}
		snprintf(path, sizeof path, "%s/%.*s.expect", dir, (int)(len - 2), ents[i]->d_name);
		FILE *f = fopen(path, "r");
		if (!f || !fgets(want, sizeof want, f)) {
			check(0, ents[i]->d_name, "no .expect file", path);
			if (f)
				fclose(f);
			free(ents[i]);
			continue;
		}
		fclose(f);
		want[strcspn(want, "\n")] = 0;
		snprintf(path, sizeof path, "%s/%s", dir, ents[i]->d_name);
		unsigned char *buf = slurp(path, &size);
		struct obj o;
		int r = obj_parse(&o, buf, size, ents[i]->d_name);
		snprintf(name, sizeof name, "corpus %s is refused with its message", ents[i]->d_name);
		check(r == RB_EOBJ && !strcmp(o.err.msg, want), name, r ? o.err.msg : "(accepted)", want);
		obj_free(&o);
		free(buf);
		free(ents[i]);
	}
	free(ents);
}

/* Every truncation of a good object is refused cleanly (no sanitizer report, an error message). */
static void truncations(const char *path)
{
	size_t size;
	unsigned char *full = slurp(path, &size);
	int bad = 0;
	char name[600];
	for (size_t n = 0; n < size; n++) {
		unsigned char *buf = malloc(n ? n : 1);
		memcpy(buf, full, n);
		struct obj o;
		int r = obj_parse(&o, buf, n, "t");
		if (r == 0 || !o.err.msg[0])
			bad++;
		obj_free(&o);
		free(buf);
	}
	snprintf(name, sizeof name, "every truncation of %s (%zu lengths) is refused with a message", path, size);
	check(bad == 0, name, "some truncation was accepted or gave no message", "all refused");
	free(full);
}

static void good(const char *path)
{
	size_t size;
	char name[600];
	unsigned char *buf = slurp(path, &size);
	struct obj o;
	if (!buf) {
		check(0, path, "cannot read", "a BPF object");
		return;
	}
	int r = obj_parse(&o, buf, size, path);
	snprintf(name, sizeof name, "%s parses, with programs and a GPL license", path);
	check(r == 0 && o.nprogs > 0 && license_is_gpl(o.license), name, r ? o.err.msg : "no programs or license",
	      "parsed");
	/* Every instruction of every linked program disassembles to something the disassembler knows. */
	char text[160], bad[200] = "";
	for (unsigned i = 0; r == 0 && i < o.nprogs; i++)
		for (unsigned k = 0; k < o.progs[i].insn_cnt;) {
			k += (unsigned)disasm_insn(o.progs[i].insns, k, o.progs[i].insn_cnt - k, NULL, text, sizeof text);
			if (!text[0] || strstr(text, "invalid"))
				snprintf(bad, sizeof bad, "%s: %s", o.progs[i].name, text);
		}
	snprintf(name, sizeof name, "%s: every instruction disassembles", path);
	check(!bad[0], name, bad, "no invalid opcode");
	obj_free(&o);
	free(buf);
}

static void sections(void)
{
	static const struct { const char *sec, *target; u32 type; enum attach_kind kind; } t[] = {
		{"kprobe/do_unlinkat", "do_unlinkat", BPF_PROG_TYPE_KPROBE, ATTACH_KPROBE},
		{"kretprobe/do_unlinkat", "do_unlinkat", BPF_PROG_TYPE_KPROBE, ATTACH_KRETPROBE},
		{"ksyscall/execve", "execve", BPF_PROG_TYPE_KPROBE, ATTACH_KSYSCALL},
		{"kretsyscall/execve", "execve", BPF_PROG_TYPE_KPROBE, ATTACH_KRETSYSCALL},
		{"tracepoint/syscalls/sys_enter_execve", "syscalls/sys_enter_execve", BPF_PROG_TYPE_TRACEPOINT,
		 ATTACH_TRACEPOINT},
		{"tp/sched/sched_switch", "sched/sched_switch", BPF_PROG_TYPE_TRACEPOINT, ATTACH_TRACEPOINT},
		{"xdp", "", BPF_PROG_TYPE_XDP, ATTACH_NONE},
		{"xdp/extra", "extra", BPF_PROG_TYPE_XDP, ATTACH_NONE},
	};
	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
		const char *target = NULL;
		const struct sec_def *d = sec_def_find(t[i].sec, &target);
		char name[200];
		snprintf(name, sizeof name, "section '%s' -> type %u, target '%s'", t[i].sec, t[i].type, t[i].target);
		check(d && d->prog_type == t[i].type && d->kind == t[i].kind && !strcmp(target, t[i].target), name,
		      d ? target : "(unknown)", t[i].target);
	}
	const char *target;
	check(!sec_def_find("xdpfoo", &target), "section 'xdpfoo' is not xdp", "matched", "unknown");
	check(!sec_def_find("kprob/x", &target), "section 'kprob/x' is unknown", "matched", "unknown");
}

/* The disassembler against the verifier log's syntax, one instruction kind per line. */
static void disassembler(void)
{
	static const struct { struct bpf_insn in[2]; struct dis_sym sym; u32 idx; const char *want; } t[] = {
		{{{0xbf, 1, 10, 0, 0}}, {0}, 0, "r1 = r10"},
		{{{0x07, 1, 0, 0, -16}}, {0}, 0, "r1 += -16"},
		{{{0x63, 10, 1, -8, 0}}, {0}, 0, "*(u32 *)(r10 - 8) = r1"},
		{{{0x7a, 10, 0, 16, 7}}, {0}, 0, "*(u64 *)(r10 + 16) = 7"},
		{{{0x79, 0, 1, 8, 0}}, {0}, 0, "r0 = *(u64 *)(r1 + 8)"},
		{{{0x25, 1, 0, 3, 5}}, {0}, 9, "if r1 > 0x5 goto +3 <13>"},
		{{{0x2d, 1, 2, -4, 0}}, {0}, 9, "if r1 > r2 goto -4 <6>"},
		{{{0x16, 3, 0, 1, -1}}, {0}, 0, "if w3 == 0xffffffff goto +1 <2>"},
		{{{0x05, 0, 0, -3, 0}}, {0}, 5, "goto -3 <3>"},
		{{{0x85, 0, 0, 0, 6}}, {0}, 0, "call bpf_trace_printk#6"},
		{{{0x85, 0, 0, 0, 999}}, {0}, 0, "call #999"},
		{{{0x85, 0, 1, 0, 12}}, {DIS_FUNC, "get_opcode", 13}, 0, "call pc+12 <get_opcode>"},
		{{{0x18, 1, 0, 0, 0}, {0}}, {DIS_MAP, "counter_table", 0}, 0, "r1 = map[counter_table] ll"},
		{{{0x18, 1, 0, 0, 0}, {0}}, {DIS_MAP_VALUE, "hello_gl.rodata", 4}, 0, "r1 = map_value[hello_gl.rodata]+4"},
		{{{0x18, 2, 0, 0, 0x2a}, {0, 0, 0, 0, 1}}, {0}, 0, "r2 = 0x10000002a ll"},
		{{{0x95, 0, 0, 0, 0}}, {0}, 0, "exit"},
		{{{0xbc, 1, 2, 0, 0}}, {0}, 0, "w1 = w2"},
		{{{0x84, 2, 0, 0, 0}}, {0}, 0, "w2 = -w2"},
		{{{0xdc, 1, 0, 0, 16}}, {0}, 0, "r1 = be16 r1"},
		{{{0xc7, 1, 0, 0, 32}}, {0}, 0, "r1 s>>= 32"},
		{{{0xdb, 1, 2, 0, 0}}, {0}, 0, "lock *(u64 *)(r1 + 0) += r2"},
		{{{0xdb, 1, 2, 0, 1}}, {0}, 0, "r2 = atomic_fetch_add((u64 *)(r1 + 0), r2)"},
		{{{0x30, 0, 0, 0, 12}}, {0}, 0, "r0 = *(u8 *)skb[12]"},
		{{{0xff, 0, 0, 0, 0}}, {0}, 0, "invalid opcode 0xff"},
		{{{0x18, 1, 0, 0, 0}}, {0}, 0, "invalid opcode 0x18"}, /* a 64-bit load cut off */
	};
	char buf[128], name[200];
	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
		struct bpf_insn prog[16] = {{0}};
		memcpy(prog + t[i].idx, t[i].in, sizeof t[i].in);
		u32 left = t[i].in[1].code || t[i].sym.kind == DIS_MAP || t[i].sym.kind == DIS_MAP_VALUE ||
				   t[i].in[1].imm ? 2 : 1;
		int n = disasm_insn(prog, t[i].idx, left, &t[i].sym, buf, sizeof buf);
		snprintf(name, sizeof name, "disasm: %s", t[i].want);
		check(!strcmp(buf, t[i].want) && n == (left == 2 && t[i].in[0].code == 0x18 ? 2 : 1), name, buf, t[i].want);
	}
	/* Any 8 bytes: something printed, nothing past the buffer (ASan), a small buffer cut cleanly. */
	int bad = 0;
	for (unsigned c = 0; c < 256; c++) {
		struct bpf_insn in[2] = {{(u8)c, 11, 15, -32768, -2147483647 - 1}, {0}};
		bad += disasm_insn(in, 0, 2, NULL, buf, sizeof buf) < 1 || !buf[0];
		bad += disasm_insn(in, 0, 1, NULL, buf, 5) < 1 || strlen(buf) > 4;
	}
	check(!bad, "disasm: every opcode gives text, within the buffer", "empty or overflow", "text");
}

static void formatter(void)
{
	char buf[64];
	static const char *const want[] = {"[  42|-7  |0x1f|00012|x|ab|18446744073709551615]", "abc"};
	rb_snprintf(buf, sizeof buf, "[%4d|%-4d|0x%x|%05u|%c|%.2s|%llu]", 42, -7, 31, 12, 'x', "abcdef",
		    (unsigned long long)-1);
	check(!strcmp(buf, want[0]), "formatter: width, flags, precision, 64-bit", buf, want[0]);
	int n = rb_snprintf(buf, 4, "abcdef");
	check(n == 6 && !strcmp(buf, want[1]), "formatter: truncates and reports the full length", buf, want[1]);
	u64 v;
	check(rb_parse_u64("18446744073709551616", &v) == NULL, "parse_u64 refuses overflow", "accepted", "NULL");
	check(rb_parse_u64("0x1F", &v) && v == 31, "parse_u64 reads hex", "wrong", "31");
}

/* /sys/devices/system/cpu/possible: the slots a per-CPU perf event array needs are the highest
 * id + 1, not the number of CPUs (a machine with possible CPUs 0-3,8-11 has 8 and needs 12). */
static void cpu_lists(void)
{
	static const struct { const char *s; int top, n; } t[] = {
		{"0\n", 1, 1}, {"0-3\n", 4, 4}, {"0-3,8-11\n", 12, 8}, {"0,2,4-5", 6, 4}, {"", 0, 0}, {"x", 0, 0},
	};
	for (unsigned i = 0; i < sizeof t / sizeof t[0]; i++) {
		int n = -1, top = rb_cpu_list(t[i].s, &n);
		char got[64], want[64], name[96];
		snprintf(got, sizeof got, "slots %d, cpus %d", top, n);
		snprintf(want, sizeof want, "slots %d, cpus %d", t[i].top, t[i].n);
		snprintf(name, sizeof name, "cpu list '%.*s': highest id + 1 and count", (int)strcspn(t[i].s, "\n"), t[i].s);
		check(top == t[i].top && n == t[i].n, name, got, want);
	}
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: %s CORPUS_DIR [GOOD_OBJECT...]\n", argv[0]);
		return 2;
	}
	formatter();
	cpu_lists();
	disassembler();
	sections();
	btf_tests();
	print_tests();
	tracejson_tests();
	core_tests();
	ext_tests();
	uelf_tests();
	corpus(argv[1]);
	for (int i = 2; i < argc; i++) {
		good(argv[i]);
		truncations(argv[i]);
	}
	printf("1..%d\n# %d passed, %d failed\n", n_run, n_run - n_fail, n_fail);
	return n_fail != 0;
}
