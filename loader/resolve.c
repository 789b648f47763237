/* Externs resolved against the running kernel (kernel layer): .kconfig values from its config
 * (/boot/config-<release>, else /proc/config.gz, as libbpf looks) and LINUX_* from the kernel
 * itself; .ksyms from its BTF (typed variables, kfuncs) or /proc/kallsyms (untyped). Only
 * objects with externs come here, and each source is read only if some extern needs it. */
#include "attach.h"
#include "ext.h"
#include "inflate.h"
#include "io.h"
#include "kbtf.h"
#include "load.h"
#include "sys.h"

/* A whole file, NUL-terminated (procfs files have no size to ask for). */
static u8 *read_all(const char *path, size_t max, size_t *len)
{
	int fd = sys_openat(AT_FDCWD, path, O_RDONLY | O_CLOEXEC, 0);
	size_t cap = 64 * 1024, n = 0;
	long r = 0;
	u8 *buf = NULL;
	if (fd >= 0) {
		buf = rb_alloc(cap + 1);
		while (n < max && (r = sys_read(fd, buf + n, cap - n)) != 0) {
			if (r == -4)
				continue;
			if (r < 0)
				break;
			if ((n += (size_t)r) == cap) {
				u8 *more = rb_alloc(cap * 2 + 1);
				memcpy(more, buf, n);
				rb_free(buf);
				buf = more, cap *= 2;
			}
		}
		sys_close(fd);
		if (r < 0 || n >= max)
			rb_free(buf), buf = NULL;
	}
	explain("read(\"%s\") = %s%s  -- the kernel's config, for .kconfig externs", path,
		buf ? "" : kern_res(fd < 0 ? fd : r < 0 ? r : -27), buf ? "the file" : "");
	if (buf)
		buf[n] = 0, *len = n;
	return buf;
}

/* The kernel's config text into *text, NULL if there is none (src says where rawbpf looked). */
static int kernel_config(char *src, size_t srcsz, char **text, struct err *e)
{
	struct { char f[6][65]; } u;
	size_t n;
	const char *why;
	u8 *gz;
	sys_uname(&u);
	rb_snprintf(src, srcsz, "/boot/config-%s", u.f[2]);
	if ((*text = (char *)read_all(src, 64u << 20, &n)))
		return 0;
	rb_strlcpy(src + rb_strlen(src), " or /proc/config.gz", srcsz - rb_strlen(src));
	if (!(gz = read_all("/proc/config.gz", 16u << 20, &n)))
		return 0;
	int r = gunzip(gz, n, 64u << 20, (u8 **)text, &n, &why);
	rb_free(gz);
	rb_strlcpy(src, "/proc/config.gz", srcsz);
	return r ? err_set(e, -22, "/proc/config.gz: %s", why) : 0;
}

/* bpf_get_attach_cookie (5.15), as libbpf probes it: a tracepoint program calling it loads. */
static bool has_cookie(void)
{
	static const struct bpf_insn insns[] = {{BPF_JMP | BPF_CALL, 0, 0, 0, BPF_FUNC_get_attach_cookie},
						{BPF_ALU64 | BPF_MOV | BPF_K, 0, 0, 0, 0}, {BPF_JMP | BPF_EXIT, 0, 0, 0, 0}};
	struct load_req r = {.name = "rawbpf_probe", .btf_fd = -1, .prog_type = BPF_PROG_TYPE_TRACEPOINT,
			     .insns = insns, .insn_cnt = 3, .license = "GPL"};
	struct err e;
	char *log;
	int fd = kern_prog_load(&r, &log, &e);
	rb_free(log);
	if (fd >= 0)
		kern_close(fd, "the probe program");
	return fd >= 0;
}

struct ksyms {
	struct obj *o;
	unsigned left;
};

/* "ffffffff81234560 T name [module]": the addresses of untyped ksyms. */
static void kallsyms_line(char *line, void *ctx)
{
	struct ksyms *k = ctx;
	u64 addr = 0;
	char *name = rb_strchr(line, ' ');
	if (!name || !(name = rb_strchr(name + 1, ' ')))
		return;
	char *end = rb_strchr(++name, '\t');
	if (end)
		*end = 0;
	for (const char *p = line; *p != ' '; p++)
		addr = addr << 4 | (u64)(*p <= '9' ? *p - '0' : (*p | 32) - 'a' + 10);
	for (unsigned i = 0; i < k->o->nexts; i++) {
		struct ext *x = &k->o->exts[i];
		if (x->kind == EXT_KSYM && !x->type && !rb_strcmp(x->name, name)) {
			if (x->found && x->addr != addr)
				x->kid = 1; /* two different addresses: ambiguous */
			else if (!x->found)
				k->left--;
			x->found = true, x->addr = addr;
		}
	}
}

int load_externs(struct loaded *l, struct err *e)
{
	struct obj *o = l->o;
	char src[300] = "", *cfg = NULL, num[16];
	bool cfg_read = false, kb_read = false, untyped = false;
	struct kbtf kb;
	int r = 0;
	for (unsigned i = 0; i < o->nexts && !r; i++) {
		struct ext *x = &o->exts[i];
		const char *val = NULL;
		size_t len = 1;
		if (x->kind != EXT_KCONFIG) {
			if (!x->type && x->kind == EXT_KSYM) {
				untyped = true;
				continue;
			}
			if (!kb_read && (r = kbtf_load(&kb, NULL, e)) < 0)
				break;
			kb_read = true;
			const char *module = "";
			u32 kind = x->kind == EXT_KFUNC ? BTFK_FUNC : BTFK_VAR;
			x->kid = kbtf_find(&kb, x->name, kind, NULL, &module);
			if (!x->kid && kb.sysfs && !kb.modules_listed && kbtf_modules(&kb, e) >= 0)
				x->kid = kbtf_find(&kb, x->name, kind, NULL, &module);
			if (x->kid && module[0])
				r = err_set(e, -95, "extern '%s' is in the module %s: rawbpf resolves externs of vmlinux "
						    "only", x->name, module);
			x->found = x->kid != 0;
			if (!x->found && !x->weak)
				r = err_set(e, -2, "extern '%s': the kernel's BTF (%s) has no %s of that name", x->name, kb.src,
					    x->kind == EXT_KFUNC ? "function (kfunc)" : "variable");
			continue;
		}
		if (!rb_strcmp(x->name, "LINUX_KERNEL_VERSION")) {
			len = (size_t)rb_snprintf(num, sizeof num, "%u", kern_version_code());
			val = num;
		} else if (!rb_strcmp(x->name, "LINUX_HAS_BPF_COOKIE")) {
			val = has_cookie() ? "y" : "n";
		} else if (!rb_strcmp(x->name, "LINUX_HAS_SYSCALL_WRAPPER")) {
			/* libbpf asks with a kprobe on <prefix>bpf; kallsyms answers without kprobes too */
			struct tracefs t;
			struct attach_env env;
			attach_env_init(&env, &t);
			val = attach_syscall_prefix(&env) == 0 && !rb_strcmp(env.prefix, ARCH_SYSCALL_PREFIX) ? "y" : "n";
		} else if (rb_startswith(x->name, "CONFIG_")) {
			if (!cfg_read && (r = kernel_config(src, sizeof src, &cfg, e)) < 0)
				break;
			cfg_read = true;
			val = cfg ? kconfig_get(cfg, x->name, &len) : NULL;
			if (!val && !x->weak)
				r = err_set(e, -2, cfg ? "extern '%s': not set in the kernel config (%s)" :
							 "extern '%s': no kernel config to read it from (%s; the latter needs "
							 "CONFIG_IKCONFIG_PROC)", x->name, src);
		} else if (!x->weak) {
			r = err_set(e, -22, "extern '%s': rawbpf knows LINUX_KERNEL_VERSION, LINUX_HAS_BPF_COOKIE and "
					    "LINUX_HAS_SYSCALL_WRAPPER, not this one", x->name);
		}
		if (val && !r)
			r = kconfig_value(o, x, val, len, o->maps[o->kconfig_map].data + x->off, e);
		x->found = val != NULL;
	}
	if (!r && untyped) {
		struct ksyms k = {o, 0};
		char buf[4096];
		for (unsigned i = 0; i < o->nexts; i++)
			k.left += o->exts[i].kind == EXT_KSYM && !o->exts[i].type;
		int fd = sys_openat(AT_FDCWD, "/proc/kallsyms", O_RDONLY | O_CLOEXEC, 0);
		explain("open(\"/proc/kallsyms\") = %s  -- addresses of %u untyped ksyms", kern_res(fd), k.left);
		if (fd >= 0) {
			each_line(fd, buf, sizeof buf, kallsyms_line, &k);
			sys_close(fd);
		}
		for (unsigned i = 0; i < o->nexts && !r; i++) {
			struct ext *x = &o->exts[i];
			if (x->kind != EXT_KSYM || x->type)
				continue;
			if (x->kid == 1)
				r = err_set(e, -22, "extern '%s': /proc/kallsyms has it at two addresses", x->name);
			else if (!x->found && !x->weak)
				r = err_set(e, -2, "extern '%s': not in /proc/kallsyms", x->name);
		}
	}
	rb_free(cfg);
	if (kb_read)
		kbtf_free(&kb);
	return r;
}
