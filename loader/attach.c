/* Attaching programs to kprobes (kprobe PMU first, tracefs kprobe_events as fallback) and to
 * tracepoints. Every attachment records what it created, so attach_undo can remove it. */
#include "attach.h"
#include "arch.h"
#include "io.h"

/* BCC's get_syscall_fnname order. */
static const char *const syscall_prefixes[] = {"sys_", "__x64_sys_", "__x32_compat_sys_", "__ia32_compat_sys_",
					       "__arm64_sys_", "__s390x_sys_", "__s390_sys_", "__riscv_sys_"};

void attach_env_init(struct attach_env *env, struct tracefs *tfs)
{
	memset(env, 0, sizeof *env);
	env->tfs = tfs;
	env->pmu_type = -1;
	env->retbit = -1;
	env->target_pid = -1;
	tfs->mounted_by_us = false;
}

int attach_tracefs(struct attach_env *env, struct err *e)
{
	if (env->tfs_ready)
		return 0;
	int r = tracefs_find(env->tfs, e);
	env->tfs_ready = r == 0;
	return r;
}

/* A line for the CLI to print (attach does not print): appended to env->notice. */
static void FMT(2, 3) notice(struct attach_env *env, const char *fmt, ...)
{
	size_t n = rb_strlen(env->notice);
	va_list ap;
	if (n && n < sizeof env->notice - 1)
		env->notice[n++] = '\n';
	va_start(ap, fmt);
	rb_vsnprintf(env->notice + n, sizeof env->notice - n, fmt, ap);
	va_end(ap);
}

long pmu_attr(const char *pmu, const char *attr, const char *why)
{
	char path[96], buf[64];
	u64 v;
	bool bit = attr[0] == 'f';
	rb_snprintf(path, sizeof path, "/sys/bus/event_source/devices/%s/%s", pmu, attr);
	long n = kern_read(path, buf, sizeof buf, why);
	if (n < 0)
		return n;
	if ((bit && !rb_startswith(buf, "config:")) || !rb_parse_u64(buf + (bit ? 7 : 0), &v) || v >= (bit ? 64 : 1u << 20))
		return -EINVAL;
	return (long)v;
}

/* What this kernel offers for kprobes: the PMU (its type is never guessed) and kprobe_events. */
static void probe_kprobes(struct attach_env *env, bool need_legacy)
{
	char path[128];
	struct statx st;
	if (env->probed)
		return;
	env->probed = true;
	env->pmu_type = (int)pmu_attr("kprobe", "type", "the kprobe PMU's type number, for perf_event_attr.type");
	if (env->pmu_type >= 0)
		env->retbit = (int)pmu_attr("kprobe", "format/retprobe", "which config bit asks for a return probe");
	if (env->pmu_type >= 0 && !need_legacy)
		return; /* the PMU is enough: no need for tracefs */
	struct err e;
	if (attach_tracefs(env, &e) < 0)
		return; /* no tracefs, so no kprobe_events; the path that needs it reports why */
	rb_snprintf(path, sizeof path, "%s/kprobe_events", env->tfs->dir);
	env->kprobe_events = kern_statx(path, STATX_TYPE, &st, "is the legacy kprobe interface there?") == 0;
}

/* The syscall whose entry/exit a kprobe target stands for, if it is one: "execve" for
 * ksyscall/execve and for kprobe/__x64_sys_execve. */
static const char *syscall_of(const struct prog *p)
{
	if (p->def->kind == ATTACH_KSYSCALL || p->def->kind == ATTACH_KRETSYSCALL)
		return p->target;
	for (size_t i = 0; i < ARRAY_SIZE(syscall_prefixes); i++)
		if (rb_startswith(p->target, syscall_prefixes[i]))
			return p->target + rb_strlen(syscall_prefixes[i]);
	return NULL;
}

static void set_func(struct attach_env *env, struct attachment *a)
{
	const struct prog *p = a->prog;
	if (p->def->kind == ATTACH_KSYSCALL || p->def->kind == ATTACH_KRETSYSCALL)
		rb_snprintf(a->func, sizeof a->func, "%s%s", env->prefix[0] ? env->prefix : ARCH_SYSCALL_PREFIX,
			    p->target);
	else
		rb_strlcpy(a->func, p->target, sizeof a->func);
}

static const char no_kprobes[] = "this kernel has no kprobes (no kprobe PMU, no kprobe_events)";

int attach_plan(struct attach_env *env, struct prog *p, enum attach_mode mode, struct attachment *a,
		u32 *load_type, struct err *e)
{
	enum attach_kind k = p->def->kind;
	memset(a, 0, sizeof *a);
	a->prog = p;
	a->perf_fd = -1;
	*load_type = p->def->prog_type;
	if (k == ATTACH_NONE)
		return 0; /* loaded only: a tail-call target, or a kind rawbpf does not attach */
	if (k == ATTACH_TRACEPOINT || k == ATTACH_RAW_TP) {
		a->path = k == ATTACH_TRACEPOINT ? PATH_TRACEPOINT : PATH_RAW_TP;
		rb_strlcpy(a->tp, p->target, sizeof a->tp);
		return 0;
	}
	if (k == ATTACH_BTF) { /* the target was named at load: no target to open */
		a->path = PATH_BTF;
		return 0;
	}
	if (attach_is_user(k))
		return uprobe_plan(env, a, mode, e);
	/* A kprobe of some kind. */
	a->ret = k == ATTACH_KRETPROBE || k == ATTACH_KRETSYSCALL;
	set_func(env, a);
	probe_kprobes(env, mode != MODE_KPROBE);
	const char *sc = syscall_of(p);
	bool pmu = env->pmu_type >= 0, legacy = env->kprobe_events;
	if (mode == MODE_TRACEPOINT || (mode == MODE_AUTO && !pmu && !legacy)) {
		if (!sc && mode == MODE_TRACEPOINT)
			return err_set(e, -EINVAL, "prog '%s': --attach=tracepoint: %s is not a syscall function: no "
					   "syscall tracepoint for it", p->name, a->func);
		if (!sc) {
			err_set(e, -ENOENT, "prog '%s': attach to %s: %s", p->name, a->func, no_kprobes);
			err_hint(e, "no CONFIG_KPROBE_EVENTS in this kernel; only syscall kprobes fall back to "
				    "syscall tracepoints");
			return e->code;
		}
		a->path = PATH_TRACEPOINT;
		rb_snprintf(a->tp, sizeof a->tp, "syscalls/sys_%s_%s", a->ret ? "exit" : "enter", sc);
		*load_type = BPF_PROG_TYPE_TRACEPOINT;
		if (mode == MODE_AUTO)
			rb_snprintf(a->notice, sizeof a->notice, "%s: attaching '%s' to the tracepoint %s instead, as a "
				    "tracepoint program", no_kprobes, p->name, a->tp);
		return 0;
	}
	if ((mode == MODE_KPROBE && !pmu) || (mode == MODE_LEGACY && !legacy)) { /* the forced path is missing */
		bool pm = mode == MODE_KPROBE;
		if (!pm && !env->tfs_ready)
			return attach_tracefs(env, e); /* says why there is no tracefs */
		err_set(e, -ENOENT, "prog '%s': --attach=%s: %s%s", p->name, pm ? "kprobe" : "kprobe-legacy",
			pm ? "this kernel has no kprobe PMU (/sys/bus/event_source/devices/kprobe is missing)" : env->tfs->dir,
			pm ? "" : "/kprobe_events does not exist");
		err_hint(e, "kprobes are not in this kernel (%sCONFIG_KPROBE_EVENTS)%s", pm ? "CONFIG_KPROBES/" : "",
			 sc ? "; --attach=tracepoint uses the syscall tracepoint instead" : "");
		return e->code;
	}
	if (a->ret && pmu && env->retbit < 0 && mode != MODE_LEGACY)
		pmu = false; /* no retprobe bit advertised: use the text interface */
	a->path = (mode == MODE_LEGACY || !pmu) ? PATH_LEGACY : PATH_PMU;
	if (mode == MODE_AUTO && a->path == PATH_LEGACY)
		rb_snprintf(a->notice, sizeof a->notice, "no kprobe PMU in this kernel: using the legacy %s/kprobe_events",
			    env->tfs->dir);
	*load_type = BPF_PROG_TYPE_KPROBE;
	return 0;
}

/* Calls fn on each whole line of fd (its '\n' replaced by a NUL), reading a buffer at a time,
 * so a file of any length is read in bounded memory; a line longer than the buffer is skipped. */
void each_line(int fd, char *buf, size_t size, void (*fn)(char *line, void *ctx), void *ctx)
{
	size_t have = 0;
	bool skipping = false;
	for (;;) {
		long n = kern_read_fd(fd, buf + have, size - 1 - have, KREAD_LINES, "line by line");
		if (n == -EINTR)
			continue;
		if (n <= 0)
			break;
		have += (size_t)n;
		buf[have] = 0;
		char *line = buf, *nl;
		while ((nl = rb_strchr(line, '\n'))) {
			*nl = 0;
			if (!skipping)
				fn(line, ctx);
			skipping = false;
			line = nl + 1;
		}
		have = (size_t)(buf + have - line);
		memmove(buf, line, have);
		if (have >= size - 1) {
			have = 0; /* an absurd line: drop it, up to its end */
			skipping = true;
		}
	}
}

/* "ffffffff81234560 T __x64_sys_bpf" (the address may read as zeros: still present) */
static void prefix_line(char *line, void *ctx)
{
	unsigned *found = ctx;
	char *name = rb_strchr(line, ' ');
	name = name ? rb_strchr(name + 1, ' ') : NULL;
	if (name)
		for (size_t i = 0; i < ARRAY_SIZE(syscall_prefixes); i++) {
			size_t pl = rb_strlen(syscall_prefixes[i]);
			if (!rb_strncmp(name + 1, syscall_prefixes[i], pl) && !rb_strcmp(name + 1 + pl, "bpf"))
				*found |= 1u << i;
		}
}

/* The first syscall prefix (in BCC's order) whose <prefix>bpf is in /proc/kallsyms. Attaching
 * asks only when the architecture's usual prefix failed (reading kallsyms takes tens of
 * milliseconds); probe asks always. */
int attach_syscall_prefix(struct attach_env *env)
{
	unsigned found = 0;
	int r = kern_kallsyms("which syscall prefix this kernel uses, as BCC's get_syscall_fnname finds it",
			      prefix_line, &found);
	if (r < 0)
		return r;
	for (size_t i = 0; i < ARRAY_SIZE(syscall_prefixes); i++)
		if (found & (1u << i)) {
			rb_strlcpy(env->prefix, syscall_prefixes[i], sizeof env->prefix);
			explain("syscall function prefix on this kernel: %s", env->prefix);
			return 0;
		}
	return -ENOENT;
}

/* Deletes the entry GROUP/EVENT of kprobe_events or uprobe_events: "-:GROUP/EVENT". */
static int legacy_delete(struct attach_env *env, const char *file, const char *tp, struct err *e)
{
	char cmd[8 + sizeof ((struct attachment *)0)->tp];
	rb_snprintf(cmd, sizeof cmd, "-:%s", tp);
	return tracefs_append(env->tfs, file, cmd, e);
}

/* Stale rawbpf events found in one pass over kprobe_events: removed once the file is closed
 * (removing entries while reading the list could skip some). */
struct stale {
	struct attach_env *env;
	unsigned n;
	char tp[32][64]; /* "rawbpf/rawbpf_<pid>_<n>" */
	u64 pid[32];
};

/* "p:rawbpf/rawbpf_123_0 __x64_sys_execve", or rawbpf_123_0_ns4026532281 from a rawbpf in another
 * pid namespace than the first: a candidate only if it is of our pid namespace and its pid is
 * dead there (or ours, from an earlier life). A pid of another namespace means nothing here. */
static void stale_line(char *line, void *ctx)
{
	struct stale *st = ctx;
	u64 pid, seq;
	if (st->n == ARRAY_SIZE(st->tp) || (line[0] != 'p' && line[0] != 'r') ||
	    !rb_startswith(line + 1, ":rawbpf/rawbpf_"))
		return;
	const char *p = rb_parse_u64(line + 16, &pid), *q = p && *p == '_' ? rb_parse_u64(p + 1, &seq) : NULL;
	char *sp = rb_strchr(line, ' ');
	size_t nl = rb_strlen(st->env->ns);
	if (q && sp && (size_t)(sp - q) == nl && !rb_strncmp(q, st->env->ns, nl) && pid < (1u << 30) &&
	    (size_t)(sp - line - 2) < sizeof st->tp[0] &&
	    ((int)pid == st->env->pid || kern_pid_gone((int)pid))) {
		*sp = 0;
		rb_strlcpy(st->tp[st->n], line + 2, sizeof st->tp[0]);
		st->pid[st->n++] = pid;
	}
}

/* Removes kprobe_events (uprobe_events) entries that rawbpf processes left behind when they were
 * killed. Only what is provably abandoned goes: names are rawbpf_<pid>_<n> plus, outside the
 * first pid namespace, _ns<inode of the namespace> (so two containers never share a name), and
 * only names of our own namespace whose pid is dead here (or ours, from an earlier life) are
 * touched; one still in use by a perf event refuses to go (EBUSY) and is left. Without
 * /proc/self/ns/pid nothing is swept. The file is read whole, however many events there are. */
static void remove_stale(struct attach_env *env, const char *file)
{
	char path[128], buf[1024];
	struct stale *st;
	struct err e;
	unsigned bit = file[0] == 'u' ? 2 : 1;
	if ((env->stale_checked & bit) || !env->ns_known)
		return;
	env->stale_checked |= bit;
	rb_snprintf(path, sizeof path, "%s/%s", env->tfs->dir, file);
	st = rb_zalloc(sizeof *st);
	st->env = env;
	unsigned removed;
	do { /* a pass finds at most 32; another pass if it was full and removed some */
		st->n = removed = 0;
		int fd = kern_open(path, O_RDONLY, "look for probes of rawbpf processes that were killed");
		if (fd < 0)
			break;
		each_line(fd, buf, sizeof buf, stale_line, st);
		kern_close(fd, path);
		for (unsigned i = 0; i < st->n; i++) {
			if (legacy_delete(env, file, st->tp[i], &e) < 0)
				continue; /* in use, or gone already: left as it is */
			removed++;
			notice(env, "removed the stale probe %s of dead process %llu", st->tp[i],
			       (unsigned long long)st->pid[i]);
		}
	} while (st->n == ARRAY_SIZE(st->tp) && removed);
	rb_free(st);
}

int attach_legacy_open(struct attach_env *env, const char *file, bool ret, const char *where, char *tp,
		       size_t size, int pid, bool *defined, struct err *e)
{
	char cmd[512];
	u64 id;
	int r;
	if ((r = attach_tracefs(env, e)) < 0)
		return r;
	if (!env->pid) { /* only the legacy path names things after us and our pid namespace */
		char ns[32];
		u64 ino = 0;
		env->pid = rb_getpid();
		kern_readlink("/proc/self/ns/pid", ns, sizeof ns, "our pid namespace, in the names of legacy events");
		env->ns_known = rb_startswith(ns, "pid:[") && rb_parse_u64(ns + 5, &ino) && ino;
		if (env->ns_known && ino != 0xEFFFFFFCu /* PROC_PID_INIT_INO: the first namespace */)
			rb_snprintf(env->ns, sizeof env->ns, "_ns%llu", (unsigned long long)ino);
	}
	remove_stale(env, file);
	rb_snprintf(tp, size, "rawbpf/rawbpf_%d_%u%s", env->pid, env->seq++, env->ns);
	rb_snprintf(cmd, sizeof cmd, "%c:%s %s", ret ? 'r' : 'p', tp, where);
	if ((r = tracefs_append(env->tfs, file, cmd, e)) < 0)
		return r;
	*defined = true;
	if ((r = tracefs_event_id(env->tfs, tp, &id, e)) < 0)
		return r;
	return kern_perf_tracepoint(id, tp, pid, e);
}

void attach_legacy_del(struct attach_env *env, const char *file, const char *tp)
{
	struct err e;
	if (legacy_delete(env, file, tp, &e) < 0)
		notice(env, "warning: %s", e.msg);
}

static void legacy_remove(struct attach_env *env, struct attachment *a)
{
	if (!a->legacy_defined)
		return;
	attach_legacy_del(env, "kprobe_events", a->tp);
	a->legacy_defined = false;
}

/* Opens the perf event for a's path, without the program yet. */
static int open_event(struct attach_env *env, struct attachment *a, struct err *e)
{
	u64 id;
	int r;
	switch (a->path) {
	case PATH_PMU:
		return kern_perf_probe(env->pmu_type, false, a->func, 0, a->ret ? 1ULL << env->retbit : 0, -1, e);
	case PATH_LEGACY:
		if ((r = attach_legacy_open(env, "kprobe_events", a->ret, a->func, a->tp, sizeof a->tp, -1,
					    &a->legacy_defined, e)) < 0)
			legacy_remove(env, a);
		return r;
	case PATH_TRACEPOINT:
		if ((r = attach_tracefs(env, e)) < 0)
			return r;
		if ((r = tracefs_event_id(env->tfs, a->tp, &id, e)) < 0) {
			if (r == -ENOENT)
				err_set(e, r, "tracepoint %s does not exist in this kernel", a->tp);
			return r;
		}
		return kern_perf_tracepoint(id, a->tp, -1, e);
	default:
		return err_set(e, -EINVAL, "no attach path");
	}
}

static bool unknown_symbol(int r)
{
	return r == -ENOENT || r == -EINVAL /* on older kernels */;
}

int attach_do(struct attach_env *env, struct attachment *a, struct err *e)
{
	struct prog *p = a->prog;
	if (a->path == PATH_BTF) { /* a BPF link; kernels without tracing links (EINVAL): a raw tracepoint fd */
		a->perf_fd = kern_link_create(p->fd, 0, p->def->expected_attach_type, 0, e);
		a->ret = a->perf_fd < 0; /* (for attach_describe: not a link) */
		if (a->perf_fd == -EINVAL)
			a->perf_fd = kern_raw_tp_open(NULL, p->fd, e);
		return a->perf_fd < 0 ? err_ctx(e, "prog '%s' (%s)", p->name, p->sec) : 0;
	}
	if (a->path == PATH_RAW_TP) { /* the bpf() call both opens and attaches */
		a->perf_fd = kern_raw_tp_open(a->tp, p->fd, e);
		if (a->perf_fd < 0) {
			if (a->perf_fd == -ENOENT)
				err_hint(e, "no raw tracepoint '%s' in this kernel (names are as in "
					    "/sys/kernel/tracing/events/*/, e.g. sys_enter)", a->tp);
			return err_ctx(e, "prog '%s'", p->name);
		}
		return 0;
	}
	if (a->sites)
		return uprobe_attach(env, a, e);
	int fd = open_event(env, a, e);
	/* A syscall function that is not under the usual prefix: ask kallsyms and try once more. */
	if (fd < 0 && a->path != PATH_TRACEPOINT && unknown_symbol(fd) && !env->prefix[0] &&
	    (p->def->kind == ATTACH_KSYSCALL || p->def->kind == ATTACH_KRETSYSCALL) &&
	    attach_syscall_prefix(env) == 0 && rb_strcmp(env->prefix, ARCH_SYSCALL_PREFIX)) {
		set_func(env, a);
		fd = open_event(env, a, e);
	}
	if (fd < 0) {
		err_ctx(e, "prog '%s'", p->name);
		if (a->path != PATH_TRACEPOINT && unknown_symbol(fd))
			err_hint(e, "is '%s' a kernel function here? see /proc/kallsyms (inlined functions, and "
				    "those of modules not loaded, cannot be probed)", a->func);
		else if (fd == -EPERM || fd == -EACCES)
			err_hint(e, "attaching needs root (CAP_PERFMON and CAP_BPF, or CAP_SYS_ADMIN)");
		else if (fd == -EADDRNOTAVAIL)
			err_hint(e, "the name '%s' matches several kernel functions", a->func);
		else if (fd == -EBUSY)
			err_hint(e, "the function may be live-patched, or the probe name is in use");
		return fd;
	}
	a->perf_fd = fd;
	int r = kern_perf_set_bpf(fd, p->fd, e);
	if (r < 0) {
		attach_undo(env, a);
		return err_ctx(e, "prog '%s'", p->name);
	}
	return 0;
}

void attach_undo(struct attach_env *env, struct attachment *a)
{
	if (a->sites)
		uprobe_detach(env, a);
	if (a->perf_fd >= 0)
		kern_close(a->perf_fd, a->path >= PATH_RAW_TP ? "the raw tracepoint or link: the program is detached with it"
							      : "the perf event: the program is detached with it");
	a->perf_fd = -1;
	legacy_remove(env, a); /* only after the perf event is closed, or the kernel says EBUSY */
}

void attach_describe(const struct attachment *a, char *buf, size_t size)
{
	if (a->sites)
		rb_snprintf(buf, size, "%s %s (%s%s%s)", a->usdt ? "usdt" : a->ret ? "uretprobe" : "uprobe", a->func,
			    a->path == PATH_PMU ? "uprobe PMU" : "uprobe_events: ", a->path == PATH_PMU ? "" : a->sites[0].ev,
			    !a->usdt ? "" : a->cookies ? "; spec ids in BPF cookies" : "; spec ids by address");
	else if (a->path == PATH_PMU || a->path == PATH_LEGACY)
		rb_snprintf(buf, size, "%s %s (kprobe%s%s)", a->ret ? "kretprobe" : "kprobe", a->func,
			    a->path == PATH_PMU ? " PMU" : "_events: ", a->path == PATH_PMU ? "" : a->tp);
	else if (a->path == PATH_RAW_TP)
		rb_snprintf(buf, size, "raw tracepoint %s", a->tp);
	else if (a->path == PATH_BTF)
		rb_snprintf(buf, size, "%s (kernel BTF id %u, %s)", a->prog->sec, a->prog->btf_id,
			    a->ret ? "BPF_RAW_TRACEPOINT_OPEN" : "BPF link");
	else
		rb_snprintf(buf, size, "tracepoint %s", a->tp);
}
