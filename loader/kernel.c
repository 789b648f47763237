/* The kernel layer: bpf(), perf_event_open(), perf ioctls, tracefs. Each wrapper zeroes its
 * attributes, passes pointers as u64, narrates itself under --explain and reports errors in the
 * error record; none of them prints anything else. */
#include "kernel.h"
#include "attach.h"
#include "io.h"
#include "obj.h"
#include "sys.h"
#include <asm/signal.h>
#include <asm/statfs.h>
#include <linux/elf.h>
#include <linux/magic.h>
#include <linux/mman.h>
#include <linux/perf_event.h>
#include <linux/resource.h>
#include <linux/signalfd.h>

bool kern_explain;

void explain(const char *fmt, ...)
{
	char buf[1024];
	va_list ap;
	if (!kern_explain)
		return;
	va_start(ap, fmt);
	int n = rb_vsnprintf(buf, sizeof buf - 1, fmt, ap);
	va_end(ap);
	if (n > (int)sizeof buf - 2)
		n = (int)sizeof buf - 2;
	buf[n++] = '\n';
	rb_flush();
	rb_write_all(2, "explain: ", 9);
	rb_write_all(2, buf, (size_t)n);
}

struct kres kern_res(long r)
{
	struct kres k;
	if (r >= 0)
		rb_snprintf(k.s, sizeof k.s, "%ld", r);
	else
		rb_snprintf(k.s, sizeof k.s, "-1 (%s)", rb_strerror((int)-r));
	return k;
}

long kern_said(long r, const char *why, const char *fmt, ...)
{
	char call[768];
	va_list ap;
	if (!kern_explain)
		return r;
	va_start(ap, fmt);
	rb_vsnprintf(call, sizeof call, fmt, ap);
	va_end(ap);
	explain("%s = %s%s%s", call, kern_res(r).s, why ? "  -- " : "", why ? why : "");
	return r;
}

/* Calls that repeat (the run loop's polls and reads, the map printer's walks) are narrated the
 * first time only, saying so: true the first time for kind bit. */
static bool first(unsigned bit)
{
	static unsigned told;
	bool r = kern_explain && !(told & bit);
	told |= bit;
	return r;
}
#define REPEATS "; repeats are not narrated"

const char *prog_type_name(u32 t)
{
	/* By type number, NUL-separated (empty: not one rawbpf loads); cheaper than a pointer table */
	static const char names[] = "\0socket_filter\0kprobe\0sched_cls\0\0tracepoint\0xdp\0perf_event\0\0\0\0\0\0\0\0\0"
				    "\0raw_tracepoint\0\0\0\0\0\0\0\0\0tracing\0\0ext\0lsm";
	const char *p = t <= 29 ? rb_nth(names, t) : "";
	return *p ? p : "other";
}

/* One BPF_PROG_LOAD attempt. */
static int prog_load_once(const struct load_req *r, u32 log_level, char *log, u32 log_size)
{
	union bpf_attr a;
	memset(&a, 0, sizeof a);
	a.prog_type = r->prog_type;
	a.expected_attach_type = r->expected_attach_type;
	a.insns = (u64)(uintptr_t)r->insns;
	a.insn_cnt = r->insn_cnt;
	a.license = (u64)(uintptr_t)r->license;
	a.kern_version = r->kern_version;
	a.attach_btf_id = r->attach_btf_id;
	a.attach_btf_obj_fd = r->attach_btf_obj_fd;
	a.fd_array = (u64)(uintptr_t)r->fd_array;
	a.log_level = log_level;
	a.log_buf = (u64)(uintptr_t)log;
	a.log_size = log_size;
	rb_strlcpy(a.prog_name, r->name, sizeof a.prog_name);
	if (r->btf_fd >= 0 && r->func_info_cnt) {
		a.prog_btf_fd = (u32)r->btf_fd;
		a.func_info = (u64)(uintptr_t)r->func_info;
		a.func_info_cnt = r->func_info_cnt;
		a.func_info_rec_size = 8;
		a.line_info = (u64)(uintptr_t)r->line_info;
		a.line_info_cnt = r->line_info_cnt;
		a.line_info_rec_size = r->line_info_cnt ? 16 : 0;
	}
	if (log)
		log[0] = 0;
	return (int)kern_said(sys_bpf(BPF_PROG_LOAD, &a, sizeof a),
			      log_level ? "the verifier again, this time asking for its log" : "hand the instructions to the verifier",
			      "bpf(BPF_PROG_LOAD, prog_type=%s, expected_attach_type=%u, attach_btf_id=%u, attach_btf_obj_fd=%u, "
			      "name=\"%s\", insn_cnt=%u, license=\"%s\", kern_version=0x%x, prog_btf_fd=%d, log_level=%u, log_size=%u)",
			      prog_type_name(r->prog_type), a.expected_attach_type, a.attach_btf_id, a.attach_btf_obj_fd,
			      a.prog_name, r->insn_cnt, r->license, r->kern_version, a.func_info_cnt ? (int)a.prog_btf_fd : -1,
			      log_level, log_size);
}

/* Before 5.11 BPF memory is charged to RLIMIT_MEMLOCK, and a small limit shows as EPERM: raise
 * it, once, the first time that happens; true if the caller should try again. */
static bool raise_memlock(int err)
{
	static bool raised;
	if (err != -EPERM || raised)
		return false;
	raised = true;
	struct rlimit64 lim = {RLIM64_INFINITY, RLIM64_INFINITY};
	return !kern_said(sys_prlimit64(0, RLIMIT_MEMLOCK, &lim, NULL), "kernels before 5.11 charge BPF memory to it",
			  "prlimit64(RLIMIT_MEMLOCK, infinity)");
}

int kern_prog_load(const struct load_req *r, char **logp, struct err *e)
{
	int fd = prog_load_once(r, 0, NULL, 0);
	*logp = NULL;
	if (raise_memlock(fd))
		fd = prog_load_once(r, 0, NULL, 0);
	if (fd >= 0)
		return fd;
	/* Rejected: load again with a log, growing it until the whole log fits, up to the most that
	 * kernels before 5.2 accept (a bigger log_size is EINVAL there, which would hide the error). */
	const u32 log_max = 0xFFFFFFFFu >> 8;
	int err = fd;
	for (u32 size = 64 * 1024;; size = size < log_max / 4 ? size * 4 : log_max) {
		char *log = rb_alloc(size);
		fd = prog_load_once(r, 1, log, size);
		if (fd >= 0) { /* accepted the second time: report the first error anyway */
			sys_close(fd);
			rb_free(log);
			break;
		}
		if (fd == -ENOSPC && size < log_max) {
			rb_free(log);
			continue;
		}
		*logp = log;
		if (fd == -ENOSPC) { /* even the biggest log was too small: say so at its end; the error is the load's */
			static const char cut[] = "\n-- the log did not fit in 16777215 bytes, the most every kernel "
						  "accepts: this is only part of it --";
			size_t n = rb_strlen(log);
			rb_strlcpy(log + (n < size - sizeof cut ? n : size - sizeof cut), cut, sizeof cut);
		} else {
			err = fd;
		}
		break;
	}
	return err_sys(e, err, "prog '%s': load", r->name);
}

int kern_map_create(const struct map_req *r, struct err *e)
{
	union bpf_attr a;
	memset(&a, 0, sizeof a);
	a.map_type = r->type;
	a.key_size = r->key_size;
	a.value_size = r->value_size;
	a.max_entries = r->max_entries;
	a.map_flags = r->flags;
	rb_strlcpy(a.map_name, r->name, sizeof a.map_name);
	if (r->btf_fd >= 0 && r->btf_value) {
		a.btf_fd = (u32)r->btf_fd;
		a.btf_key_type_id = r->btf_key;
		a.btf_value_type_id = r->btf_value;
	}
	int fd, again = 0;
	do
		fd = (int)kern_said(sys_bpf(BPF_MAP_CREATE, &a, sizeof a), "a map the programs share with user space",
				    "bpf(BPF_MAP_CREATE, map_type=%u (%s), name=\"%s\", key_size=%u, value_size=%u, "
				    "max_entries=%u, map_flags=0x%x, btf_key_type_id=%u, btf_value_type_id=%u)", r->type,
				    map_type_name(r->type), a.map_name, r->key_size, r->value_size, r->max_entries, r->flags,
				    a.btf_key_type_id, a.btf_value_type_id);
	while (!again++ && raise_memlock(fd));
	if (fd < 0)
		return err_sys(e, fd, "map '%s': create", r->name);
	return fd;
}

int kern_map_update(int fd, const char *map, const void *key, const void *value, struct err *e)
{
	union bpf_attr a;
	memset(&a, 0, sizeof a);
	a.map_fd = (u32)fd;
	a.key = (u64)(uintptr_t)key;
	a.value = (u64)(uintptr_t)value;
	int r = (int)kern_said(sys_bpf(BPF_MAP_UPDATE_ELEM, &a, sizeof a), "store an initial value",
			       "bpf(BPF_MAP_UPDATE_ELEM, map_fd=%d (%s), key=%u)", fd, map, *(const u32 *)key);
	if (r < 0)
		return err_sys(e, r, "map '%s': update", map);
	return 0;
}

/* Lookups and key walks happen at every print interval: the first of each is narrated. */
static int map_elem(int cmd, int fd, const void *key, void *out)
{
	union bpf_attr a;
	memset(&a, 0, sizeof a);
	a.map_fd = (u32)fd;
	a.key = (u64)(uintptr_t)key;
	a.value = (u64)(uintptr_t)out; /* (next_key shares the field) */
	int r = sys_bpf(cmd, &a, sizeof a);
	if (first(cmd == BPF_MAP_LOOKUP_ELEM ? 1 : 2))
		kern_said(r, "what the map printer reads at each interval" REPEATS, "bpf(%s, map_fd=%d)",
			  cmd == BPF_MAP_LOOKUP_ELEM ? "BPF_MAP_LOOKUP_ELEM" : "BPF_MAP_GET_NEXT_KEY", fd);
	return r;
}

int kern_map_lookup(int fd, const void *key, void *value)
{
	return map_elem(BPF_MAP_LOOKUP_ELEM, fd, key, value);
}

int kern_map_next_key(int fd, const void *key, void *next)
{
	return map_elem(BPF_MAP_GET_NEXT_KEY, fd, key, next);
}

int kern_map_freeze(int fd, const char *map, struct err *e)
{
	union bpf_attr a;
	memset(&a, 0, sizeof a);
	a.map_fd = (u32)fd;
	int r = (int)kern_said(sys_bpf(BPF_MAP_FREEZE, &a, sizeof a), "read-only now, so the verifier may trust its "
			       "contents", "bpf(BPF_MAP_FREEZE, map_fd=%d (%s))", fd, map);
	if (r < 0)
		return err_sys(e, r, "map '%s': freeze", map);
	return 0;
}

int kern_btf_load(const void *data, u32 size, char **logp, struct err *e)
{
	union bpf_attr a;
	memset(&a, 0, sizeof a);
	a.btf = (u64)(uintptr_t)data;
	a.btf_size = size;
	int fd, again = 0;
	do
		fd = (int)kern_said(sys_bpf(BPF_BTF_LOAD, &a, sizeof a), "the object's types: typed maps, source lines "
				    "in verifier logs", "bpf(BPF_BTF_LOAD, btf_size=%u)", size);
	while (!again++ && raise_memlock(fd));
	*logp = NULL;
	if (fd >= 0)
		return fd;
	u32 lsize = 64 * 1024;
	char *log = rb_alloc(lsize);
	log[0] = 0;
	a.btf_log_buf = (u64)(uintptr_t)log;
	a.btf_log_size = lsize;
	a.btf_log_level = 1;
	int r = (int)kern_said(sys_bpf(BPF_BTF_LOAD, &a, sizeof a), "again, for the kernel's reason",
			       "bpf(BPF_BTF_LOAD, btf_log_level=1)");
	if (r >= 0)
		sys_close(r);
	*logp = log;
	return err_sys(e, fd, "BTF: load");
}

int kern_raw_tp_open(const char *name, int prog_fd, struct err *e)
{
	union bpf_attr a;
	memset(&a, 0, sizeof a);
	a.raw_tracepoint.name = (u64)(uintptr_t)name;
	a.raw_tracepoint.prog_fd = (u32)prog_fd;
	if (!name)
		name = "NULL: the program's BTF target";
	int fd = (int)kern_said(sys_bpf(BPF_RAW_TRACEPOINT_OPEN, &a, sizeof a), "attached while this fd is open",
				"bpf(BPF_RAW_TRACEPOINT_OPEN, name=%s, prog_fd=%d)", name, prog_fd);
	if (fd < 0)
		return err_sys(e, fd, "raw tracepoint %s: attach", name);
	return fd;
}

int kern_module_btf_fd(const char *name, struct err *e)
{
	union bpf_attr a;
	struct bpf_btf_info info;
	char n[64];
	u32 id = 0;
	explain("bpf(BPF_BTF_GET_NEXT_ID), BPF_BTF_GET_FD_BY_ID, BPF_OBJ_GET_INFO_BY_FD over the kernel's BTF objects  -- "
		"find module %s's, for attach_btf_obj_fd" REPEATS, name);
	for (;;) {
		memset(&a, 0, sizeof a);
		a.start_id = id;
		int r = sys_bpf(BPF_BTF_GET_NEXT_ID, &a, sizeof a), fd;
		if (r < 0)
			return err_set(e, r, "module '%s': no BTF object of that name in the kernel (%s)", name,
				       rb_strerror(-r));
		id = a.next_id;
		memset(&a, 0, sizeof a);
		a.btf_id = id;
		if ((fd = sys_bpf(BPF_BTF_GET_FD_BY_ID, &a, sizeof a)) < 0)
			continue;
		memset(&info, 0, sizeof info);
		info.name = (u64)(uintptr_t)n;
		info.name_len = sizeof n;
		memset(&a, 0, sizeof a);
		a.info.bpf_fd = (u32)fd;
		a.info.info_len = sizeof info;
		a.info.info = (u64)(uintptr_t)&info;
		if (!sys_bpf(BPF_OBJ_GET_INFO_BY_FD, &a, sizeof a) && info.kernel_btf && !rb_strcmp(n, name))
			return fd;
		sys_close(fd);
	}
}

/* Every perf_event_open: pid -1 with cpu 0 is every process (a BPF program runs on any CPU
 * regardless); a pid, with cpu -1, is that process only; cpu >= 0 with pid -1 (a perf buffer) that
 * CPU. The narration is "perf_event_open(<args>, pid, cpu) = fd  -- why". */
static int perf_open(struct perf_event_attr *a, int pid, int cpu, const char *why, const char *args, ...)
{
	char buf[256];
	va_list ap;
	a->size = sizeof *a;
	a->sample_period = 1;
	a->wakeup_events = 1;
	if (cpu < -1)
		cpu = pid < 0 ? 0 : -1;
	int fd = sys_perf_event_open(a, pid, cpu, -1, PERF_FLAG_FD_CLOEXEC);
	va_start(ap, args);
	rb_vsnprintf(buf, sizeof buf, args, ap);
	va_end(ap);
	return (int)kern_said(fd, why, "perf_event_open(%s, pid=%d, cpu=%d)", buf, pid, cpu);
}

int kern_perf_bpf_output(int cpu, struct err *e)
{
	struct perf_event_attr a;
	memset(&a, 0, sizeof a);
	a.type = PERF_TYPE_SOFTWARE;
	a.config = PERF_COUNT_SW_BPF_OUTPUT;
	a.sample_type = PERF_SAMPLE_RAW;
	int fd = perf_open(&a, -1, cpu, "a buffer for bpf_perf_event_output() on that CPU",
			   "type=PERF_TYPE_SOFTWARE, config=PERF_COUNT_SW_BPF_OUTPUT, sample_type=RAW");
	if (fd < 0)
		return err_sys(e, fd, "perf buffer on CPU %d: perf_event_open", cpu);
	return fd;
}

int kern_perf_enable(int fd, struct err *e)
{
	int r = (int)kern_said(sys_ioctl(fd, PERF_EVENT_IOC_ENABLE, 0), "start counting: the buffer takes records",
			       "ioctl(%d, PERF_EVENT_IOC_ENABLE)", fd);
	if (r < 0)
		return err_sys(e, r, "PERF_EVENT_IOC_ENABLE");
	return 0;
}

int kern_perf_probe(int pmu_type, bool user, const char *name, u64 off, u64 config, int pid, struct err *e)
{
	struct perf_event_attr a;
	const char *pmu = user ? "uprobe" : "kprobe";
	memset(&a, 0, sizeof a);
	a.type = (u32)pmu_type;
	a.config = config;
	a.config1 = (u64)(uintptr_t)name; /* kprobe_func, uprobe_path */
	a.config2 = off;                  /* probe_offset */
	int fd = perf_open(&a, pid, -2, user ? "a breakpoint at that file offset" : "the kernel makes the probe; "
			   "nothing left in tracefs", "type=%d (%s PMU), config=0x%llx, config1=\"%s\", config2=0x%llx",
			   pmu_type, pmu, (unsigned long long)config, name, (unsigned long long)off);
	if (fd >= 0)
		return fd;
	if (!user)
		return err_sys(e, fd, "perf_event_open on the kprobe PMU for %s", name);
	return err_sys(e, fd, "perf_event_open on the uprobe PMU for %s offset 0x%llx", name,
		       (unsigned long long)off);
}

int kern_perf_tracepoint(u64 id, const char *what, int pid, struct err *e)
{
	struct perf_event_attr a;
	memset(&a, 0, sizeof a);
	a.type = PERF_TYPE_TRACEPOINT;
	a.config = id;
	int fd = perf_open(&a, pid, -2, "a perf event on the tracefs event, for the program",
			   "type=PERF_TYPE_TRACEPOINT, config=%llu (%s)", (unsigned long long)id, what);
	if (fd < 0)
		return err_sys(e, fd, "perf_event_open on %s (id %llu)", what, (unsigned long long)id);
	return fd;
}

int kern_perf_set_bpf(int perf_fd, int prog_fd, struct err *e)
{
	int r = (int)kern_said(sys_ioctl(perf_fd, PERF_EVENT_IOC_SET_BPF, prog_fd), "the program runs on each hit (the event was "
			       "opened enabled)",
			       "ioctl(%d, PERF_EVENT_IOC_SET_BPF, %d)", perf_fd, prog_fd);
	if (r < 0)
		return err_sys(e, r, "attach program (PERF_EVENT_IOC_SET_BPF)");
	return 0;
}

int kern_link_create(int prog_fd, int target_fd, u32 attach_type, u64 cookie, struct err *e)
{
	union bpf_attr a;
	char c[40] = "";
	memset(&a, 0, sizeof a);
	a.link_create.prog_fd = (u32)prog_fd;
	a.link_create.target_fd = (u32)target_fd;
	a.link_create.attach_type = attach_type;
	a.link_create.perf_event.bpf_cookie = cookie;
	if (cookie)
		rb_snprintf(c, sizeof c, ", bpf_cookie=%llu", (unsigned long long)cookie);
	int fd = (int)kern_said(sys_bpf(BPF_LINK_CREATE, &a, sizeof a), cookie ? "with a cookie the program reads back "
				"(bpf_get_attach_cookie)" : "a BPF link: attached while the fd is open",
				"bpf(BPF_LINK_CREATE, prog_fd=%d, target_fd=%d, attach_type=%u%s)", prog_fd, target_fd,
				attach_type, c);
	if (fd < 0)
		return err_sys(e, fd, "BPF_LINK_CREATE");
	return fd;
}

bool kern_has_helper(u32 prog_type, u32 helper)
{
	struct bpf_insn insns[2] = {{.code = BPF_JMP | BPF_CALL, .imm = (s32)helper}, {.code = BPF_JMP | BPF_EXIT}};
	struct load_req r = {.name = "rawbpf_probe", .btf_fd = -1, .prog_type = prog_type, .insns = insns,
			     .insn_cnt = 2, .license = "GPL"};
	int fd = prog_load_once(&r, 0, NULL, 0);
	explain("helper #%u %s for %s programs", helper, fd >= 0 ? "exists" : "is missing", prog_type_name(prog_type));
	if (fd >= 0)
		sys_close(fd);
	return fd >= 0;
}

/* Reads the whole of a small file and shows what it holds. */
long kern_read(const char *path, char *buf, size_t size, const char *why)
{
	long n = rb_read_small(path, buf, size);
	explain("read(\"%s\") = \"%s\"%s%s", path, n < 0 ? rb_strerror((int)-n) : buf, why ? "  -- " : "", why ? why : "");
	return n;
}

int kern_open(const char *path, int flags, const char *why)
{
	return (int)kern_said(sys_openat(AT_FDCWD, path, flags | O_CLOEXEC, 0), why, "open(\"%s\")", path);
}

long kern_read_fd(int fd, void *buf, size_t n, unsigned kind, const char *what)
{
	long r = sys_read(fd, buf, n);
	if (first(kind))
		kern_said(r, "what is there" REPEATS, "read(%d: %s)", fd, what);
	return r;
}

int kern_statx(const char *path, unsigned mask, struct statx *st, const char *why)
{
	return (int)kern_said(sys_statx(AT_FDCWD, path, 0, mask, st), why, "statx(\"%s\")", path);
}

int kern_uname(struct new_utsname *u)
{
	int r = sys_uname(u);
	if (r)
		u->release[0] = u->machine[0] = 0;
	explain("uname() = %s, release \"%s\"  -- which kernel this is", kern_res(r).s, u->release);
	return r;
}

bool kern_pid_gone(int pid)
{
	return kern_said(sys_kill(pid, 0), "is it alive? (signal 0 tests, sends nothing)", "kill(%d, 0)", pid) == -ESRCH;
}

long kern_readlink(const char *path, char *buf, size_t size, const char *why)
{
	long n = sys_readlinkat(AT_FDCWD, path, buf, size - 1);
	buf[n > 0 ? n : 0] = 0;
	explain("readlink(\"%s\") = \"%s\"  -- %s", path, n >= 0 ? buf : rb_strerror((int)-n), why);
	return n;
}

int kern_kallsyms(const char *why, void (*fn)(char *line, void *ctx), void *ctx)
{
	char buf[4096 + 256];
	int fd = kern_open("/proc/kallsyms", O_RDONLY, why);
	if (fd < 0)
		return fd;
	each_line(fd, buf, sizeof buf, fn, ctx);
	return kern_close(fd, "/proc/kallsyms");
}

int kern_close(int fd, const char *what)
{
	return (int)kern_said(sys_close(fd), what, "close(%d)", fd);
}

void *kern_mmap(int fd, size_t len, int prot, long off, const char *what, struct err *e)
{
	void *p = sys_mmap(NULL, len, prot, MAP_SHARED, fd, off);
	long r = (unsigned long)p > -4096UL ? (long)p : 0;
	explain("mmap(NULL, %zu, %s, MAP_SHARED, %d, %ld) = %p%s  -- %s", len,
		prot & PROT_WRITE ? "PROT_READ|PROT_WRITE" : "PROT_READ", fd, off, r ? NULL : p, r ? kern_res(r).s : "", what);
	if (r)
		return err_sys(e, (int)r, "%s: mmap", what), NULL;
	return p;
}

/* A file mapped MAP_PRIVATE, else (sysfs before 6.16 cannot be mapped) read into the heap: the
 * low bit of *out marks a copy. One narration line for the open, statx, mmap (or read), close. */
int kern_map_file(const char *path, void **out, u64 *size, const char *why, struct err *e)
{
	struct statx st = {0}; /* (a failed statx: size 0, so the file is read) */
	int fd = sys_openat(AT_FDCWD, path, O_RDONLY | O_CLOEXEC, 0), r = 0;
	u8 *m = NULL;
	long mm = 1; /* the mmap's result: 0 mapped, -errno refused, 1 not tried */
	char how[64] = "";
	if (fd >= 0) {
		if (!sys_statx(fd, "", AT_EMPTY_PATH, STATX_TYPE | STATX_SIZE, &st) && (st.stx_mode & 0170000) != 0100000) /* not S_IFREG */
			r = err_set(e, -EINVAL, "read %s: not a regular file", path);
		else if (st.stx_size) {
			m = sys_mmap(NULL, st.stx_size, PROT_READ, MAP_PRIVATE, fd, 0);
			mm = (unsigned long)m > -4096ul ? (long)m : 0;
			/* A refused mmap is told too (sysfs before 6.16 says ENODEV): the file is then read. */
			rb_snprintf(how, sizeof how, "mmap(PROT_READ, MAP_PRIVATE)%s%s, ", mm ? " = " : "", mm ? kern_res(mm).s : "");
		}
		sys_close(fd);
	}
	*size = st.stx_size;
	if (!r && mm && (r = rb_read_whole(path, 1u << 30, &m, (size_t *)size, e)) == 0) /* (the checks and messages) */
		m = (u8 *)((unsigned long)m | 1);
	if (r)
		explain("openat(\"%s\") = %s%s%s", path, how, fd < 0 ? "" : "then ", kern_res(fd < 0 ? fd : r).s);
	else
		explain("openat(\"%s\") = %d, %s%s %llu bytes  -- %s", path, fd, how, mm ? "read" : "mapped", (unsigned long long)*size, why);
	if (!r)
		*out = m;
	return r;
}

void kern_unmap_file(void *m, u64 size, const char *what)
{
	if ((unsigned long)m & 1)
		rb_free((u8 *)((unsigned long)m & ~1ul));
	else if (m)
		kern_munmap(m, size, what);
}

/* Each name in directory path to fn (. and .. too), until fn returns non-zero. */
int kern_list_dir(const char *path, int (*fn)(const char *name, void *ctx), void *ctx, const char *why, struct err *e)
{
	int fd = sys_openat(AT_FDCWD, path, O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);
	explain("openat(\"%s\", O_DIRECTORY) = %s  -- %s", path, kern_res(fd).s, why);
	if (fd < 0)
		return err_sys(e, fd, "open %s", path);
	static char buf[4096];
	long n, r = 0;
	while (r == 0 && (n = sys_getdents64(fd, buf, sizeof buf)) > 0)
		for (long at = 0; at + 19 < n && r == 0;) {
			u16 reclen;
			memcpy(&reclen, buf + at + 16, 2); /* struct linux_dirent64: d_ino, d_off, d_reclen, d_type, d_name */
			if (reclen < 20 || at + reclen > n)
				break;
			r = fn(buf + at + 19, ctx);
			at += reclen;
		}
	if (r == 0 && n < 0) /* a failed listing is not the end of the list */
		r = err_sys(e, (int)n, "read %s", path);
	sys_close(fd);
	return (int)r;
}

void kern_munmap(void *p, size_t len, const char *what)
{
	kern_said(sys_munmap(p, len), what, "munmap(%p, %zu)", p, len);
}

int kern_poll(struct pollfd *f, unsigned n, const struct __kernel_timespec *t, const char *what)
{
	int r = sys_ppoll(f, n, t);
	if (first(4))
		kern_said(r, "sleep until there is output or a signal; each ready fd is read" REPEATS, "ppoll(%s)", what);
	return r;
}

#define SIG_BIT(s) (1ULL << ((s) - 1))
int kern_stop_signals(struct err *e)
{
	u64 stops = SIG_BIT(SIGINT) | SIG_BIT(SIGQUIT) | SIG_BIT(SIGTERM), block = stops | SIG_BIT(SIGPIPE);
	struct sigaction old;
	/* Started under nohup (SIGHUP ignored), a hangup must not stop the run. */
	if (!(kern_said(sys_rt_sigaction(SIGHUP, NULL, &old), "is SIGHUP ignored (nohup)?",
			       "rt_sigaction(SIGHUP, NULL)") == 0 && old.sa_handler == SIG_IGN))
		stops |= SIG_BIT(SIGHUP), block |= SIG_BIT(SIGHUP);
	kern_said(sys_rt_sigprocmask(SIG_BLOCK, &block, NULL), "signals wait in the queue instead of killing us mid-setup",
		  "rt_sigprocmask(SIG_BLOCK, %sINT QUIT TERM PIPE)", stops & SIG_BIT(SIGHUP) ? "HUP " : "");
	int fd = (int)kern_said(sys_signalfd4(-1, &stops, SFD_CLOEXEC), "polled by the main loop: a stop signal ends the "
				"run through the cleanup", "signalfd4(%sINT QUIT TERM)", stops & SIG_BIT(SIGHUP) ? "HUP " : "");
	if (fd < 0)
		return err_sys(e, fd, "signalfd");
	return fd;
}

int kern_signal(int fd)
{
	struct signalfd_siginfo si;
	return kern_read_fd(fd, &si, sizeof si, 8, "signalfd") == sizeof si ? (int)si.ssi_signo : 0;
}

/* The possible CPUs ("0-3,8-11"), read once and only by objects that need them: how many there
 * are (8: per-CPU map values hold one each, packed) and the highest id + 1 (12: the slots of a
 * perf event array and the perf buffers, indexed by CPU id). */
static int possible_cpus(bool slots)
{
	static int n, top;
	char buf[256];
	if (!top) {
		long r = kern_read("/sys/devices/system/cpu/possible", buf, sizeof buf, "the CPUs per-CPU maps and perf buffers cover");
		top = r > 0 ? rb_cpu_list(buf, &n) : 0;
		if (top <= 0 || n <= 0)
			top = n = 1;
	}
	return slots ? top : n;
}
int nr_possible_cpus(void) { return possible_cpus(false); }
int possible_cpu_slots(void) { return possible_cpus(true); }

/* tracefs */
static bool is_fs(const char *dir, u32 magic, const char *why)
{
	struct statfs st;
	int r = (int)kern_said(sys_statfs(dir, &st), why, "statfs(\"%s\")", dir);
	return r == 0 && (u32)st.f_type == magic;
}

static int mount_fs(const char *type, const char *dir, struct err *e)
{
	int r = (int)kern_said(sys_mount(type, dir, type, 0, NULL), "it was not mounted (as in an initramfs)",
			       "mount(\"%s\", \"%s\", \"%s\")", type, dir, type);
	if (r < 0) {
		err_sys(e, r, "mount %s on %s", type, dir);
		if (r == -EPERM || r == -EACCES)
			err_hint(e, "mounting needs CAP_SYS_ADMIN: run as root, or mount it first: "
				    "mount -t %s %s %s", type, type, dir);
	}
	return r;
}

int tracefs_find(struct tracefs *t, struct err *e)
{
	static const char *const dirs[] = {"/sys/kernel/tracing", "/sys/kernel/debug/tracing"};
	t->mounted_by_us = t->sysfs_by_us = false;
	for (size_t i = 0; i < ARRAY_SIZE(dirs); i++)
		if (is_fs(dirs[i], TRACEFS_MAGIC, "is tracefs mounted here? (its magic number)")) {
			rb_strlcpy(t->dir, dirs[i], sizeof t->dir);
			return 0;
		}
	/* Not mounted. In an initramfs even /sys may be missing: mount sysfs first. */
	if (!is_fs("/sys/kernel", SYSFS_MAGIC, "tracefs is not mounted; sysfs, where it goes?")) {
		if (!is_fs("/sys", SYSFS_MAGIC, "is sysfs mounted at all?")) {
			kern_said(sys_mkdirat(AT_FDCWD, "/sys", 0555), "where sysfs goes (EEXIST: there already)", "mkdir(\"/sys\")");
			if (mount_fs("sysfs", "/sys", e) < 0)
				return err_ctx(e, "tracefs is not mounted and neither is sysfs");
			t->sysfs_by_us = true;
		}
	}
	rb_strlcpy(t->dir, dirs[0], sizeof t->dir);
	if (mount_fs("tracefs", t->dir, e) < 0) {
		if (e->code == -ENOENT || e->code == -ENODEV)
			err_hint(e, "this kernel has no tracefs (CONFIG_TRACING); rawbpf needs it for trace_pipe");
		tracefs_release(t); /* the sysfs mounted for it */
		return err_ctx(e, "no tracefs");
	}
	t->mounted_by_us = true;
	return 0;
}

void tracefs_release(struct tracefs *t)
{
	if (t->mounted_by_us)
		kern_said(sys_umount2(t->dir, 0), "rawbpf mounted it, so it takes it away again", "umount(\"%s\")", t->dir);
	if (t->sysfs_by_us) /* after tracefs, which was mounted on it */
		kern_said(sys_umount2("/sys", 0), "rawbpf mounted sysfs for tracefs, so it goes too", "umount(\"/sys\")");
	t->mounted_by_us = t->sysfs_by_us = false;
}

static void path_join(char *out, size_t size, const struct tracefs *t, const char *a, const char *b)
{
	rb_snprintf(out, size, "%s/%s%s%s", t->dir, a, b ? "/" : "", b ? b : "");
}

int tracefs_append(const struct tracefs *t, const char *file, const char *line, struct err *e)
{
	char path[128];
	path_join(path, sizeof path, t, file, NULL);
	int fd = sys_openat(AT_FDCWD, path, O_WRONLY | O_APPEND | O_CLOEXEC, 0);
	long r = fd;
	if (fd >= 0) {
		r = sys_write(fd, line, rb_strlen(line));
		sys_close(fd);
	}
	kern_said(r < 0 ? r : 0, line[0] == '-' ? "remove the probe rawbpf defined" : "define a probe through the legacy "
		  "text interface", "write(\"%s\", \"%s\")", path, line);
	if (r < 0)
		return err_sys(e, (int)r, "%s \"%s\" to %s", fd < 0 ? "open" : "write", line, path);
	return 0;
}

int tracefs_event_id(const struct tracefs *t, const char *event, u64 *id, struct err *e)
{
	char path[192], buf[32];
	rb_snprintf(path, sizeof path, "%s/events/%s/id", t->dir, event);
	long n = kern_read(path, buf, sizeof buf, "the event's id, to open it with perf_event_open");
	if (n < 0)
		return err_sys(e, (int)n, "read %s", path);
	if (!rb_parse_u64(buf, id))
		return err_set(e, -EINVAL, "read %s: not a number: \"%s\"", path, buf);
	return 0;
}

int tracefs_open_pipe(const struct tracefs *t, struct err *e)
{
	char path[96];
	path_join(path, sizeof path, t, "trace_pipe", NULL);
	int fd = kern_open(path, O_RDONLY | O_NONBLOCK, "where bpf_trace_printk's lines come out");
	if (fd < 0) {
		err_sys(e, fd, "open %s", path);
		if (fd == -EBUSY)
			err_hint(e, "trace_pipe has one reader at a time: another rawbpf, 'cat trace_pipe' or bpftool "
				    "is reading it; stop that first");
		else if (fd == -EACCES || fd == -EPERM)
			err_hint(e, "reading trace_pipe needs root");
	}
	return fd;
}

/* LINUX_VERSION_CODE, which kprobe programs must quote on kernels before 5.0. The vDSO carries it
 * in an ELF note named "Linux"; Debian kernels report their real version in it too. */
static u32 vdso_version(void)
{
	/* (the kernel's own image, mapped by it page-aligned: its headers are read in place) */
	const u8 *base = (const u8 *)rb_vdso;
	const Elf64_Ehdr *eh = (const Elf64_Ehdr *)base;
	for (unsigned i = 0; base && i < eh->e_phnum; i++) {
		const Elf64_Phdr *ph = (const Elf64_Phdr *)(base + eh->e_phoff + (u64)i * eh->e_phentsize);
		const u8 *note = base + ph->p_offset;
		for (u64 off = 0; ph->p_type == PT_NOTE && off + 12 <= ph->p_filesz;) {
			const u32 *nh = (const u32 *)(note + off);
			u64 name = off + 12, desc = name + ((nh[0] + 3) & ~3u);
			if (nh[0] == 6 && nh[1] == 4 && !memcmp(note + name, "Linux", 6))
				return *(const u32 *)(note + desc);
			off = desc + ((nh[1] + 3) & ~3u);
		}
	}
	return 0;
}

u32 kern_version_code(void)
{
	struct new_utsname u;
	u64 v[3] = {0, 0, 0};
	u32 code = vdso_version();
	if (code) {
		explain("kern_version 0x%x: from the vDSO's \"Linux\" note (no system call)", code);
		return code;
	}
	if (kern_uname(&u) < 0)
		return 0;
	const char *p = u.release;
	for (int i = 0; i < 3 && p; i++) {
		p = rb_parse_u64(p, &v[i]);
		if (p && *p == '.')
			p++;
		else
			break;
	}
	return (u32)(v[0] << 16 | v[1] << 8 | (v[2] > 255 ? 255 : v[2]));
}
