/* The feature probes behind `rawbpf probe` (part of the kernel layer): each asks the kernel one
 * question the way a loader would meet the answer, and records the answer with how it was found.
 * Whatever a probe creates is closed at once; nothing outlives the command. */
#include "attach.h"
#include "kbtf.h"
#include "arch.h"
#include "io.h"

void probe_add(struct probe *p, const char *what, bool ok, const char *fmt, ...)
{
	va_list ap;
	if (p->n == ARRAY_SIZE(p->item))
		return;
	struct probe_item *it = &p->item[p->n++];
	it->what = what;
	it->ok = ok;
	va_start(ap, fmt);
	rb_vsnprintf(it->text, sizeof it->text, fmt, ap);
	va_end(ap);
}

static long stat_size(const char *path)
{
	struct statx st;
	int r = kern_statx(path, STATX_SIZE, &st, NULL);
	return r < 0 ? r : (long)st.stx_size;
}

/* A BTF-typed program ("return 0") loaded for the kernel's fn and attached for a moment: does this
 * kernel run what, and with a BPF link or only BPF_RAW_TRACEPOINT_OPEN? */
static void btf_prog(struct probe *p, struct kbtf *k, const char *what, u32 type, u32 eat, const char *fn)
{
	static const struct bpf_insn ret0[] = {{.code = BPF_ALU64 | BPF_MOV | BPF_K}, {.code = BPF_JMP | BPF_EXIT}};
	struct load_req r = {.name = "rawbpf_probe", .btf_fd = -1, .prog_type = type, .expected_attach_type = eat,
			     .insns = ret0, .insn_cnt = 2, .license = "GPL"};
	struct err e;
	char *log;
	int l = -EINVAL, link = 1;
	r.attach_btf_id = kbtf_find(k, fn, eat == BPF_TRACE_RAW_TP ? BTFK_TYPEDEF : BTFK_FUNC, NULL, NULL);
	int fd = r.attach_btf_id ? kern_prog_load(&r, &log, &e) : -ENOENT;
	if (fd >= 0 && (l = kern_link_create(fd, 0, eat, 0, &e)) == -EINVAL)
		l = kern_raw_tp_open(NULL, fd, &e), link = 0;
	/* (two results in one line: kern_res gives each its own buffer) */
	probe_add(p, what, l >= 0, "%s|%s (BTF id %u): PROG_LOAD = %s%s%s%s", fd < 0 ? "no" : l < 0 ? "loads, no attach" :
		  link ? "yes, BPF link" : "yes, raw tp", fn, r.attach_btf_id, kern_res(fd).s, fd < 0 ? "" : "; ",
		  fd < 0 ? "" : link ? "LINK_CREATE = " : "RAW_TRACEPOINT_OPEN = ", fd < 0 ? "" : kern_res(l).s);
	if (l >= 0)
		kern_close(l, "the probe's attachment");
	if (fd >= 0)
		kern_close(fd, "the probe's program");
	if (fd < 0 && r.attach_btf_id)
		rb_free(log);
}

/* A PMU's type (the number perf_event_attr.type takes), or -errno. */
static long pmu(struct probe *p, const char *what, const char *name)
{
	long v = pmu_attr(name, "type", "the PMU's type, for perf_event_attr.type");
	if (v >= 0)
		probe_add(p, what, true, "type %ld|/sys/bus/event_source/devices/%s/type", v, name);
	else
		probe_add(p, what, false, "no|/sys/bus/event_source/devices/%s/type: %s", name, rb_strerror((int)-v));
	return v;
}

void kern_probe(struct probe *p)
{
	static const struct bpf_insn ret0[] = {{.code = BPF_ALU64 | BPF_MOV | BPF_K}, {.code = BPF_JMP | BPF_EXIT}};
	struct load_req req = {.name = "rawbpf_probe", .btf_fd = -1, .prog_type = BPF_PROG_TYPE_TRACEPOINT,
			       .insns = ret0, .insn_cnt = 2, .license = "GPL"};
	struct map_req ring = {.name = "rawbpf_probe", .type = BPF_MAP_TYPE_RINGBUF, .max_entries = (u32)rb_pagesize,
			       .btf_fd = -1};
	struct err e;
	char buf[2048], path[192], *log, *s;
	u64 caps = 0, id = 0;
	long n;

	/* bpf() and our right to use it: a tracepoint program of two instructions, "return 0". */
	int prog = kern_prog_load(&req, &log, &e);
	rb_free(log);
	p->bpf = prog >= 0;
	probe_add(p, "bpf syscall", prog != -ENOSYS, "%s|bpf(BPF_PROG_LOAD) of a 2-instruction tracepoint program = %s",
		  prog == -ENOSYS ? "no" : "yes", kern_res(prog).s);
	if (kern_read("/proc/self/status", buf, sizeof buf, "our capabilities (CapEff)") > 0 && (s = rb_strstr(buf, "CapEff:")))
		for (s += 7; *s == '\t' || *s == ' ' || (*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'f'); s++)
			if (*s > ' ')
				caps = caps << 4 | (u64)(*s <= '9' ? *s - '0' : *s - 'a' + 10);
	probe_add(p, "privileges", p->bpf, "%s|CapEff %llx in /proc/self/status; %s",
		  (caps >> 21 & 1) ? "CAP_SYS_ADMIN" : (caps >> 38 & 3) == 3 ? "CAP_BPF, CAP_PERFMON" : "not enough",
		  (unsigned long long)caps, p->bpf ? "the tracing program loaded" : "the tracing program did not load");

	n = kern_read("/proc/sys/net/core/bpf_jit_enable", buf, 32, NULL);
	probe_add(p, "JIT", n > 0 && buf[0] != '0', "%s|/proc/sys/net/core/bpf_jit_enable = %s",
		  n <= 0 ? "unknown" : buf[0] == '0' ? "off (interpreter)" : buf[0] == '2' ? "on (debug)" : "on",
		  n < 0 ? rb_strerror((int)-n) : buf);
	/* What CO-RE objects are relocated against. */
	struct kbtf k;
	int r = kbtf_load(&k, NULL, &e);
	if (r)
		probe_add(p, "kernel BTF", false, "no|%s", e.msg);
	else
		probe_add(p, "kernel BTF", true, "%u types|%s, %llu bytes", k.btf.ntypes, k.src, (unsigned long long)k.map_size);
	if (!r && p->bpf) { /* BTF-typed programs, each loaded and attached for a moment */
		r = kbtf_modules(&k, &e);
		if (r)
			probe_add(p, "module BTF", false, "no|%s", e.msg);
		else
			probe_add(p, "module BTF", k.nmods, "%u modules|split BTF in /sys/kernel/btf/<module>", k.nmods);
		btf_prog(p, &k, "fentry/fexit", BPF_PROG_TYPE_TRACING, BPF_TRACE_FENTRY, ARCH_SYSCALL_PREFIX "execve");
		btf_prog(p, &k, "tp_btf", BPF_PROG_TYPE_TRACING, BPF_TRACE_RAW_TP, "btf_trace_sys_enter");
		btf_prog(p, &k, "BPF LSM", BPF_PROG_TYPE_LSM, BPF_LSM_MAC, "bpf_lsm_file_open");
		/* An lsm program attaches where the BPF LSM is built in but runs only where it is active. */
		struct probe_item *it = &p->item[p->n - 1];
		if (it->ok && kern_read("/sys/kernel/security/lsm", buf, sizeof buf, "active LSMs") > 0 && !rb_strstr(buf, "bpf"))
			it->ok = false, rb_snprintf(it->text, sizeof it->text, "attaches, inactive|lsm: %s", buf);
	}
	kbtf_free(&k);

	/* tracefs, as run finds it: mounted already, or mounted now (and unmounted at release). */
	p->tracefs = tracefs_find(&p->tfs, &e) == 0;
	probe_add(p, "tracefs", p->tracefs, p->tracefs ? "%s|%s" : "no|%.0s%s", p->tfs.dir,
		  !p->tracefs ? e.msg : p->tfs.mounted_by_us ? "not mounted: mounted it (statfs magic), unmounted on exit"
							     : "mounted (statfs magic 0x74726163)");
	long kp = pmu(p, "kprobe PMU", "kprobe");
	bool kev = false;
	if (p->tracefs) {
		rb_snprintf(path, sizeof path, "%s/kprobe_events", p->tfs.dir);
		kev = stat_size(path) >= 0;
		probe_add(p, "kprobe_events", kev, "%s|%s", kev ? "yes" : "no", path);
		p->tracepoint = tracefs_event_id(&p->tfs, "syscalls/sys_enter_execve", &id, &e) == 0;
		probe_add(p, "syscall tracepoint", p->tracepoint, p->tracepoint ? "yes|%s/events/%s/id = %llu" : "no|%s/events/%s/id",
			  p->tfs.dir, "syscalls/sys_enter_execve", (unsigned long long)id);
	}
	p->kprobes = kp >= 0 || kev;
	pmu(p, "uprobe PMU", "uprobe");

	/* Raw tracepoints: a raw_tracepoint program on sys_enter, detached at once. */
	req.prog_type = BPF_PROG_TYPE_RAW_TRACEPOINT;
	log = NULL;
	int rp = p->bpf ? kern_prog_load(&req, &log, &e) : prog, fd = rp;
	rb_free(log);
	if (rp >= 0)
		fd = kern_raw_tp_open("sys_enter", rp, &e);
	probe_add(p, "raw tracepoints", fd >= 0, "%s|BPF_RAW_TRACEPOINT_OPEN(\"sys_enter\") = %s, closed at once",
		  fd >= 0 ? "yes" : "no", kern_res(fd).s);
	if (fd >= 0)
		kern_close(fd, "the probe's raw tracepoint");
	if (rp >= 0)
		kern_close(rp, "the probe's program");

	fd = p->bpf ? kern_map_create(&ring, &e) : prog;
	probe_add(p, "ring buffers", fd >= 0, "%s|BPF_MAP_CREATE(ringbuf, %lu bytes) = %s", fd >= 0 ? "yes" : "no",
		  rb_pagesize, kern_res(fd).s);
	if (fd >= 0)
		kern_close(fd, "the probe's ring buffer");

	/* BPF links on perf events (5.15): with target_fd 0, not a perf event, EBADF means the kernel
	 * got as far as looking at it; EINVAL, that it does not know the attach type. */
	fd = p->bpf ? kern_link_create(prog, 0, BPF_PERF_EVENT, 0, &e) : prog;
	probe_add(p, "perf event links", fd == -EBADF, "%s|BPF_LINK_CREATE(BPF_PERF_EVENT, target_fd 0) = %s; EBADF: known",
		  fd == -EBADF ? "yes" : "no", kern_res(fd).s);
	if (fd >= 0)
		kern_close(fd, "the probe's link");
	if (prog >= 0)
		kern_close(prog, "the probe's program");

	n = kern_read("/sys/kernel/security/lockdown", buf, 128, NULL);
	s = n > 0 ? rb_strchr(buf, '[') : NULL;
	if (s && rb_strchr(s, ']'))
		*rb_strchr(s, ']') = 0, s++;
	probe_add(p, "lockdown", !s || !rb_strcmp(s, "none"), s ? "%s|/sys/kernel/security/lockdown" :
		  "unknown|%s/sys/kernel/security/lockdown: securityfs not mounted, or no lockdown LSM", s ? s : "");
	n = kern_read("/proc/sys/kernel/unprivileged_bpf_disabled", buf, 32, NULL);
	probe_add(p, "unprivileged BPF", n > 0 && buf[0] == '0', "%s|/proc/sys/kernel/unprivileged_bpf_disabled = %s%s",
		  n <= 0 ? "unknown" : buf[0] == '0' ? "allowed" : "disabled", n < 0 ? rb_strerror((int)-n) : buf,
		  n > 0 && buf[0] == '1' ? " (until reboot)" : n > 0 && buf[0] == '2' ? " (root may set 0)" : "");
}

void kern_probe_release(struct probe *p)
{
	if (p->tracefs)
		tracefs_release(&p->tfs);
}
