/* rawbpf's command line: parses options, dispatches to one function per command, and holds the
 * helpers every command shares (object lookup, program loading, error printing). */
#include "cli.h"
#include "ext.h"
#include "io.h"
#include "kernel.h"
#include "sys.h"
#include <linux/reboot.h>

#ifndef RAWBPF_VERSION
#define RAWBPF_VERSION "0.1"
#endif

/* One function per command; its line in the usage text, and the options it takes, are also its
 * own --help. */
static const struct command {
	const char *name;
	int (*run)(struct opts *);
	bool obj; /* takes OBJ (the options each takes: option_help) */
	const char *desc;
} commands[] = {
	{"run", do_run, true,
	 "load OBJ, attach each program by its SEC() name, print what they report\n"
	 "until Ctrl-C, SIGTERM, SIGHUP or --duration, detach everything; root"},
	{"load", do_load, true,
	 "load each program, report the verifier's verdict (its log, exit 4 on a\n"
	 "rejection), release everything; no attach; root"},
	{"inspect", do_inspect, true,
	 "OBJ's sections, programs, maps, relocations, BTF, CO-RE (with the kernel's\n"
	 "BTF); --disasm: the instructions; reads files only, no privileges"},
	{"probe", do_probe, false,
	 "what this kernel offers for BPF and how each answer was found; exit 1 if\n"
	 "the default job cannot run here"},
};

/* The options' help: each one's commands (bit n: commands[n]; a --help line only), its name, what it does. */
static const char option_help[] =
	"\1--duration=S\0stop after S seconds (decimals allowed)\0"
	"\1--interval=S\0print maps every S seconds (default 2)\0"
	"\1--attach=MODE\0auto (the PMU, else legacy kprobe_events or uprobe_events, else the\n"
	"syscall tracepoint), pmu (kprobe), legacy (kprobe-legacy), tracepoint\0"
	"\7--attach-to=PROG=TARGET\0PROG's target: PATH:FUNC[+OFF] (uprobe), PATH:PROVIDER:NAME (usdt)\0"
	"\1--pid=PID\0user-space probes fire in process PID only\0"
	"\3--prog=NAME[,NAME]\0only these programs ('?' ones too)\0"
	"\3--skip=NAME[,NAME]\0all programs but these\0"
	"\3--set NAME=VALUE\0a global (.rodata, .data, .bss), MAP.max_entries=N or MAP.value_size=N\n"
	"before loading; repeatable\0"
	"\1--keep-going\0leave out a program the kernel refuses, run the others\0"
	"\1--record=MAP=TYPE\0MAP's perf or ring buffer records are of BTF type TYPE\0"
	"\7--btf=FILE\0the kernel's types for CO-RE (raw BTF, or ELF with .BTF; default\n"
	"/sys/kernel/btf/vmlinux)\0"
	"\17--explain\0narrate every call into the kernel on stderr\0"
	"\4--disasm\0inspect: the instructions, as the verifier log shows them\0"
	"\15-j, --json\0JSON on stdout (run: one object per line)\0"
	"\20-h, --help\0this text; -V, --version: the version\0";

/* text, each line after the first indented by n spaces, and a newline */
static void put_indented(const char *text, int n)
{
	for (const char *nl; (nl = rb_strchr(text, '\n')); text = nl + 1)
		rb_printf("%.*s\n%*s", (int)(nl - text), text, n, "");
	rb_printf("%s\n", text);
}

/* The usage text; for one command (c), its synopsis (the options it takes) and its line. */
static void print_usage(const struct command *c)
{
	const struct command *k = c ? c : commands;
	if (c) {
		size_t col = 14 + rb_strlen(c->name) + (c->obj ? 4 : 0);
		rb_printf("usage: rawbpf %s%s", c->name, c->obj ? " OBJ" : "");
		for (const char *p = option_help; *p; p = rb_nth(p, 2))
			if (*p >> (c - commands) & 1) {
				size_t n = rb_strlen(p + 1) + 3;
				if (col + n > 97)
					rb_printf("\n "), col = 1;
				rb_printf(" [%s]", p + 1);
				col += n;
			}
		rb_printf("\n%18s", "");
	} else
		rb_printf("usage: rawbpf [COMMAND] [OPTIONS]\n"
			  "A static, libc-free eBPF loader. No command: rawbpf run hello, the Hello World of Learning\n"
			  "eBPF chapter 2 (a kprobe on execve printing \"Hello World!\", the trace pipe to stdout).\n\n");
	for (; k < commands + ARRAY_SIZE(commands) && (!c || k == c); k++) {
		if (!c)
			rb_printf("  %s%-*s ", k->name, (int)(15 - rb_strlen(k->name)), k->obj ? " OBJ" : "");
		put_indented(k->desc, 18);
	}
	if (c)
		return;
	rb_printf("  help [COMMAND]  this text, or one command's (also: rawbpf COMMAND --help)\n\nOBJ: a BPF ELF "
		  "object file, or a built-in object:\n ");
	for (const struct builtin *b = rb_builtins; b->name; b++)
		rb_printf(" %s", b->name);
	rb_printf("\n\n");
	for (const char *p = option_help; *p; p = rb_nth(p, 2)) {
		rb_printf("  %-20s ", p + 1);
		put_indented(rb_nth(p, 1), 23);
	}
	rb_printf("\nexit codes: 0 success (also after Ctrl-C, SIGTERM, SIGHUP), 1 failure, 2 usage error,\n"
		  "3 bad or missing object, 4 rejected by the verifier\n");
}

static int usage_error(const char *fmt, const char *arg)
{
	char msg[256];
	rb_snprintf(msg, sizeof msg, fmt, arg);
	rb_eprintf("rawbpf: %s\nTry 'rawbpf --help'.\n", msg);
	return EXIT_USAGE;
}

int report(const struct err *e, int code)
{
	rb_eprintf("rawbpf: %s\n", e->msg);
	if (e->hint[0])
		rb_eprintf("rawbpf: hint: %s\n", e->hint);
	return code;
}

int open_object(const char *arg, struct obj *o, struct err *e)
{
	u8 *file = NULL;
	size_t size = 0;
	const char *name = arg;
	const struct builtin *b = rb_builtins;
	bool plain = !rb_strchr(arg, '/') && !rb_strchr(arg, '.'); /* a name, not a path */
	while (plain && b->name && rb_strcmp(b->name, arg))
		b++;
	const u8 *data;
	if (plain && b->name) {
		data = b->data;
		size = (size_t)b->size;
	} else {
		int r = rb_read_file(arg, 100u << 20, &file, &size, e);
		if (r < 0) {
			if (r == -ENOENT && plain)
				err_hint(e, "not a file, and not a built-in object either (rawbpf --help lists them)");
			return r;
		}
		/* the object's name is the file's, without directories */
		for (const char *p = arg; *p; p++)
			if (*p == '/' && p[1])
				name = p + 1;
		data = file;
	}
	int r = obj_parse(o, data, size, name);
	o->owned = file;
	if (r < 0) {
		err_set(e, RB_EOBJ, "%s: %s", arg, o->err.msg);
		obj_free(o);
		return RB_EOBJ;
	}
	return 0;
}

/* Is name one of the comma-separated list's names? */
static bool in_list(const char *list, const char *name)
{
	size_t n = rb_strlen(name);
	for (const char *p = list; p; p = rb_strchr(p, ','), p = p ? p + 1 : p)
		if (!rb_strncmp(p, name, n) && (p[n] == ',' || !p[n]))
			return true;
	return false;
}

/* The index of the one of cnt structs (stride bytes apart, each starting with its name) whose
 * name is the n bytes at name, or cnt. */
static unsigned named(const void *arr, unsigned cnt, size_t stride, const char *name, size_t n)
{
	unsigned i = 0;
	for (const char *x; i < cnt && (x = *(const char *const *)((const char *)arr + i * stride),
					rb_strncmp(x, name, n) || x[n]); i++)
		;
	return i;
}
_Static_assert(offsetof(struct prog, name) == 0 && offsetof(struct map, name) == 0, "named() reads the name first");
#define prog_named(o, name, n) named((o)->progs, (o)->nprogs, sizeof *(o)->progs, name, n)

static int check_list(struct obj *o, const char *opt, const char *list, struct err *e)
{
	for (const char *p = list; p && *p;) {
		size_t n = 0;
		while (p[n] && p[n] != ',')
			n++;
		if (!n || prog_named(o, p, n) == o->nprogs)
			return err_set(e, -EINVAL, "%s: no program '%.*s' in %s", opt, (int)(n < 63 ? n : 63), p, o->name);
		p += n + (p[n] == ',');
	}
	return 0;
}

int select_progs(struct obj *o, const struct opts *opt, struct err *e)
{
	for (unsigned i = 0; i < opt->nsets; i++)
		if (obj_set(o, opt->sets[i], e))
			return e->code;
	if (obj_check_sizes(o, e))
		return e->code;
	if ((opt->only && check_list(o, "--prog", opt->only, e)) || (opt->skip && check_list(o, "--skip", opt->skip, e)))
		return e->code;
	for (unsigned i = 0; i < o->nprogs; i++) {
		struct prog *p = &o->progs[i];
		if (opt->only)
			p->autoload = in_list(opt->only, p->name) || (p->autoload && p->def->kind == ATTACH_NONE);
		if (opt->skip && in_list(opt->skip, p->name))
			p->autoload = false;
	}
	for (unsigned k = 0; k < opt->nrecord; k++) {
		const char *a = opt->record[k], *t = rb_strchr(a, '=') + 1;
		int n = (int)(t - a - 1);
		unsigned i = named(o->maps, o->nmaps, sizeof *o->maps, a, (size_t)n);
		if (i == o->nmaps)
			return err_set(e, -EINVAL, "--record %s: no map '%.*s' in %s", a, n, a, o->name);
		t += rb_startswith(t, "struct ") ? 7 : rb_startswith(t, "union ") ? 6 : 0;
		u32 id = 0;
		for (u32 kind = BTFK_STRUCT; o->has_btf && !id && kind <= BTFK_TYPEDEF; kind++)
			id = btf_find(&o->btf, t, kind);
		if (!id)
			return err_set(e, -EINVAL, "--record %s: no type '%s' in %s's BTF", a, t, o->name);
		o->maps[i].record = id;
	}
	return 0;
}

int apply_attach_to(struct obj *o, const struct opts *opt, struct err *e)
{
	for (unsigned k = 0; k < opt->nattach_to; k++) {
		const char *a = opt->attach_to[k], *eq = rb_strchr(a, '=');
		unsigned i = prog_named(o, a, (size_t)(eq - a));
		if (i == o->nprogs)
			return err_set(e, -EINVAL, "--attach-to %s: no program '%.*s' in %s", a, (int)(eq - a), a, o->name);
		if (o->progs[i].def->kind == ATTACH_NONE)
			return err_set(e, -EINVAL, "--attach-to %s: prog '%s' (section '%s') is not a kind rawbpf attaches", a,
				       o->progs[i].name, o->progs[i].sec);
		o->progs[i].target = eq + 1;
	}
	return 0;
}

/* Does a plain two-instruction tracepoint program load? Then an EPERM was not for privileges. */
static bool loads_plain(struct load_req r)
{
	static const struct bpf_insn ret0[] = {{.code = BPF_ALU64 | BPF_MOV | BPF_K}, {.code = BPF_JMP | BPF_EXIT}};
	struct err e;
	char *log;
	r.insns = ret0, r.insn_cnt = 2, r.attach_btf_id = r.attach_btf_obj_fd = r.expected_attach_type = 0;
	r.prog_type = BPF_PROG_TYPE_TRACEPOINT, r.btf_fd = -1;
	int fd = kern_prog_load(&r, &log, &e);
	rb_free(log);
	if (fd >= 0)
		kern_close(fd, "the test program: plain programs load");
	return fd >= 0;
}

int load_prog(struct loaded *l, struct prog *p, u32 type, struct err *e)
{
	struct obj *o = l->o;
	struct load_req r;
	char *log;
	if (p->def->kind == ATTACH_BTF && load_btf_target(l, p, e) < 0) {
		report(e, 0);
		e->msg[0] = 0;
		return EXIT_FAIL;
	}
	load_request(l, p, type, &r);
	int fd = kern_prog_load(&r, &log, e);
	if (fd >= 0) {
		p->fd = fd;
		return EXIT_OK;
	}
	bool rejected = log && log[0];
	if (rejected && load_core_refused(l, p, log, e))
		;
	else if (rejected)
		err_set(e, e->code, "prog '%s': rejected by the verifier (%s); its log follows", p->name,
			rb_strerror(-e->code));
	if (rejected && !license_is_gpl(o->license) && rb_strstr(log, "GPL"))
		err_hint(e, "the license \"%s\" is not GPL-compatible, and bpf_trace_printk and many other helpers are "
			    "GPL-only: declare char _license[] SEC(\"license\") = \"GPL\";",
			 o->license);
	else if (fd == -EPERM && !rejected && p->def->kind == ATTACH_BTF && loads_plain(r)) {
		err_set(e, -EPERM, "prog '%s' (%s): load: Operation not permitted, though this kernel loads other programs "
			       "for us: it refuses %s* programs (with no verifier log)", p->name, p->sec, p->def->prefix);
		err_hint(e, "BPF trampolines are not available to us here (lockdown, an LSM policy, or no trampoline "
			    "support in this kernel); a kprobe or tracepoint program on the same event does the job");
	} else if (fd == -EPERM && !rejected)
		err_hint(e, "loading BPF programs needs root (CAP_BPF and CAP_PERFMON, or CAP_SYS_ADMIN); see also "
			    "/proc/sys/kernel/unprivileged_bpf_disabled and lockdown");
	report(e, 0);
	if (rejected) {
		rb_eprintf("-- BEGIN verifier log for prog '%s' --\n", p->name);
		size_t n = rb_strlen(log);
		while (n && log[n - 1] == '\n')
			n--;
		rb_flush();
		rb_write_all(2, log, n);
		rb_eprintf("\n-- END verifier log --\n");
	}
	rb_free(log);
	e->msg[0] = 0; /* already reported */
	return rejected || fd == -EINVAL || fd == -E2BIG ? EXIT_REJECTED : EXIT_FAIL;
}

/* "1", "2.5", "0.25" -> milliseconds; -1 if malformed. */
static s64 parse_seconds(const char *s)
{
	u64 whole = 0, frac = 0, scale = 1000;
	const char *p = s;
	if (*p != '.' && !(p = rb_parse_u64(s, &whole)))
		return -1;
	if (*p == '.')
		for (p++; *p >= '0' && *p <= '9'; p++)
			if (scale /= 10)
				frac += (u64)(*p - '0') * scale;
	if (*p || whole > 1000000000 || p == s)
		return -1;
	return (s64)(whole * 1000 + frac);
}

/* The options: one row each, what it sets in struct opts and what its value must be. */
enum { O_HELP, O_VERSION, O_BOOL, O_STR, O_LIST, O_PAIR, O_SECONDS, O_PID, O_MODE };
#define OPT(f) (u16) offsetof(struct opts, f)
static const char wants[] = "\0program names, separated by commas\0a file (raw BTF, or an ELF file with a .BTF "
			    "section)\0NAME=VALUE\0PROG=TARGET\0MAP=TYPE\0a positive number of seconds\0a process id\0"
			    "auto, pmu, legacy, kprobe, kprobe-legacy or tracepoint";
static const struct option {
	char name[13];
	u8 kind, max, want; /* want: what the value must be, the nth of wants */
	u16 off, count; /* the field; for O_LIST and O_PAIR, the count beside it */
} options[] = {
	{"-h", O_HELP, 0, 0, 0, 0}, {"--help", O_HELP, 0, 0, 0, 0}, {"-V", O_VERSION, 0, 0, 0, 0},
	{"--version", O_VERSION, 0, 0, 0, 0}, {"-j", O_BOOL, 0, 0, OPT(json), 0}, {"--json", O_BOOL, 0, 0, OPT(json), 0},
	{"--disasm", O_BOOL, 0, 0, OPT(disasm), 0}, {"--explain", O_BOOL, 0, 0, OPT(explain), 0},
	{"--keep-going", O_BOOL, 0, 0, OPT(keep_going), 0},
	{"--prog", O_STR, 0, 1, OPT(only), 0}, {"--skip", O_STR, 0, 1, OPT(skip), 0}, {"--btf", O_STR, 0, 2, OPT(btf), 0},
	{"--set", O_LIST, 32, 3, OPT(sets), OPT(nsets)},
	{"--attach-to", O_PAIR, 16, 4, OPT(attach_to), OPT(nattach_to)},
	{"--record", O_PAIR, 8, 5, OPT(record), OPT(nrecord)},
	{"--duration", O_SECONDS, 0, 6, OPT(duration_ms), 0},
	{"--interval", O_SECONDS, 0, 6, OPT(interval_ms), 0},
	{"--pid", O_PID, 0, 7, OPT(pid), 0},
	{"--attach", O_MODE, 0, 8, OPT(mode), 0},
};

/* An option given to a command that does not take it (its commands are the first byte of its
 * option_help entry): "inspect: --set is for run and load", exit 2; else 0. */
static int not_for(const struct command *c, const char *name)
{
	size_t n = rb_strlen(name);
	for (const char *p = option_help; *p; p = rb_nth(p, 2))
		for (const char *q = p + 1; (q = rb_strstr(q, name)); q += n)
			if (!((q[n] | 32) >= 'a' && (q[n] | 32) <= 'z') && q[n] != '-') {
				unsigned left = (u8)*p & 15;
				char msg[96], *m = msg;
				if (left >> (c - commands) & 1)
					return 0;
				m += rb_snprintf(m, 40, "%s: %s is for", c->name, name);
				for (unsigned k = 0, first = 1; k < ARRAY_SIZE(commands); k++)
					if (left >> k & 1) {
						left &= ~(1u << k);
						m += rb_snprintf(m, 16, "%s%s", first ? " " : left ? ", " : " and ",
								 commands[k].name);
						first = 0;
					}
				return usage_error("%s", msg);
			}
	return 0;
}

/* Sets what argv[*i] says in opt: 0, or 1 for --help, -1 for --version, else an exit code. */
static int option(struct opts *opt, char **argv, int *i, int argc)
{
	/* pmu and legacy say the same as kprobe and kprobe-legacy, for uprobes too */
	static const char modes[][14] = {"auto", "kprobe", "kprobe-legacy", "tracepoint", "pmu", "legacy"};
	const char *a = argv[*i], *val = NULL, *eq;
	const struct option *o = options;
	size_t n = 0;
	while (o < options + ARRAY_SIZE(options) &&
	       (rb_strncmp(a, o->name, n = rb_strlen(o->name)) || (a[n] && (a[n] != '=' || o->kind <= O_BOOL))))
		o++;
	if (o == options + ARRAY_SIZE(options))
		return usage_error("unknown option '%s'", a);
	opt->given |= 1u << (o - options);
	if (o->kind <= O_BOOL) {
		if (o->kind == O_BOOL)
			((bool *)opt)[o->off] = true;
		return o->kind == O_HELP ? 1 : o->kind == O_VERSION ? -1 : 0;
	}
	val = a[n] ? a + n + 1 : *i + 1 < argc ? argv[++*i] : NULL;
	char *f = (char *)opt + o->off;
	unsigned *cnt = (unsigned *)((char *)opt + o->count);
	s64 v = -1;
	u64 pid;
	const char *end;
	switch (o->kind) {
	case O_STR:
		v = val && *val ? 0 : -1;
		*(const char **)f = val;
		break;
	case O_PAIR:
		eq = val ? rb_strchr(val, '=') : NULL;
		if (!eq || eq == val || !eq[1])
			break;
		/* fallthrough */
	case O_LIST:
		if (val && *cnt == o->max) {
			char msg[48];
			rb_snprintf(msg, sizeof msg, "%%s: at most %u of them", o->max);
			return usage_error(msg, o->name);
		}
		if (val)
			((const char **)f)[(*cnt)++] = val, v = 0;
		break;
	case O_SECONDS:
		v = *(s64 *)f = val ? parse_seconds(val) : -1;
		v = v > 0 ? 0 : -1;
		break;
	case O_PID:
		end = val ? rb_parse_u64(val, &pid) : NULL;
		if (end && !*end && pid && pid < 1u << 22)
			*(int *)f = (int)pid, v = 0;
		break;
	case O_MODE:
		for (unsigned m = 0; val && m < ARRAY_SIZE(modes); m++)
			if (!rb_strcmp(val, modes[m]))
				*(enum attach_mode *)f = (enum attach_mode)(m > 3 ? m - 3 : m), v = 0;
		break;
	}
	if (v < 0) {
		rb_eprintf("rawbpf: %s: expected %s, got '%s'\nTry 'rawbpf --help'.\n", o->name, rb_nth(wants, o->want),
			   val ? val : "");
		return EXIT_USAGE;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct opts opt = {.mode = MODE_AUTO, .interval_ms = 2000, .pid = -1};
	const struct command *c = commands;
	bool help = false;
	int code;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (a[0] == '-' && a[1]) {
			if ((code = option(&opt, argv, &i, argc)) > 1)
				return code;
			if (code < 0) {
				rb_printf("rawbpf %s (%s)\n", RAWBPF_VERSION, ARCH_NAME);
				return EXIT_OK;
			}
			help |= code;
		} else if (!opt.cmd) {
			opt.cmd = a;
		} else if (!opt.obj) {
			opt.obj = a;
		} else {
			return usage_error("unexpected argument '%s'", a);
		}
	}
	kern_explain = opt.explain;
	if (opt.cmd && !rb_strcmp(opt.cmd, "help")) /* rawbpf help [COMMAND] */
		help = true, opt.cmd = opt.obj;
	if (help && !opt.cmd) {
		print_usage(NULL);
		return EXIT_OK;
	}
	if (!opt.cmd) {
		opt.cmd = "run";
		opt.obj = "hello";
	}
	while (c < commands + ARRAY_SIZE(commands) && rb_strcmp(opt.cmd, c->name))
		c++;
	if (c == commands + ARRAY_SIZE(commands))
		return usage_error("unknown command '%s' (commands: run, load, inspect, probe, help)", opt.cmd);
	if (help) {
		print_usage(c);
		return EXIT_OK;
	}
	if (c->obj && !opt.obj)
		return usage_error("%s: which object? (a file, or a built-in name such as hello)", opt.cmd);
	if (!c->obj && opt.obj)
		return usage_error("unexpected argument '%s'", opt.obj);
	for (unsigned k = 2 * 2; k < ARRAY_SIZE(options); k++) /* past -h, --help, -V, --version */
		if ((opt.given >> k & 1) && (code = not_for(c, options[k].name)))
			return code;
	code = c->run(&opt);
	int w = rb_flush();
	if (w < 0 && w != -EPIPE /* EPIPE: the reader went away, as with | head */ && code == EXIT_OK) {
		rb_eprintf("rawbpf: writing the output: %s\n", rb_strerror(-w));
		code = EXIT_FAIL;
	}
	if (sys_getpid() == 1) {
		/* rawbpf is /init: exiting would panic the kernel, so power off cleanly instead. */
		explain("reboot(LINUX_REBOOT_CMD_POWER_OFF)  -- rawbpf is /init: exiting would panic the kernel");
		rb_flush();
		sys_sync();
		sys_reboot(LINUX_REBOOT_CMD_POWER_OFF);
	}
	return code;
}
