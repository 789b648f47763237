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
#include "arch.h"

/* A whole file of at most 64 MiB, NUL-terminated (procfs files tell no size); NULL if none. */
static u8 *slurp(const char *path, size_t *len)
{
	int fd = kern_open(path, O_RDONLY, "the kernel config");
	size_t cap = 1 << 15, n = 0;
	long r = fd;
	u8 *buf = NULL;
	while (r > 0 && cap < (64u << 20)) {
		u8 *more = rb_alloc((cap *= 2) + 1);
		memcpy(more, buf, n);
		rb_free(buf);
		buf = more;
		while (n < cap && (r = kern_read_fd(fd, buf + n, cap - n, KREAD_CONFIG, path)) > 0)
			n += (size_t)r;
	}
	if (fd >= 0)
		kern_close(fd, path);
	if (r < 0)
		rb_free(buf), buf = NULL;
	if (buf)
		buf[n] = 0, *len = n;
	return buf;
}

/* The kernel's config text into *text (NULL if there is none; src says where rawbpf looked). */
static int kernel_config(char *src, char **text, struct err *e)
{
	struct new_utsname u;
	size_t n;
	const char *why;
	kern_uname(&u);
	rb_snprintf(src, 200, "/boot/config-%s", u.release);
	if ((*text = (char *)slurp(src, &n)))
		return 0;
	u8 *gz = slurp("/proc/config.gz", &n);
	rb_snprintf(src, 200, gz ? "/proc/config.gz" : "/boot/config-%s or /proc/config.gz", u.release);
	if (!gz)
		return 0;
	int r = gunzip(gz, n, 64u << 20, (u8 **)text, &n, &why);
	rb_free(gz);
	return r ? err_set(e, -EINVAL, "/proc/config.gz: %s", why) : 0;
}

/* "ffffffff81234560 T name [module]": the addresses of untyped ksyms; kid counts the lines
 * naming one (two with different addresses are ambiguous, as libbpf finds). */
static void kallsyms_line(char *line, void *ctx)
{
	struct obj *o = ctx;
	u64 addr = 0;
	char *name = rb_strchr(line, ' ');
	if (!name || !(name = rb_strchr(name + 1, ' ')))
		return;
	char *end = rb_strchr(++name, '\t');
	if (end)
		*end = 0;
	for (const char *p = line; *p != ' '; p++)
		addr = addr << 4 | (u64)(*p <= '9' ? *p - '0' : (*p | 32) - 'a' + 10);
	for (unsigned i = 0; i < o->nexts; i++) {
		struct ext *x = &o->exts[i];
		if (x->kind == EXT_KSYM && !x->type && !rb_strcmp(x->name, name) && (!x->kid || x->addr != addr))
			x->kid++, x->addr = addr, x->found = true;
	}
}

int load_externs(struct loaded *l, struct err *e)
{
	struct obj *o = l->o;
	char src[200], *cfg = NULL, num[16];
	bool cfg_read = false, ks_read = false;
	const char *why = NULL, *from = "";
	struct ext *x = NULL;
	int r = 0;
	src[0] = 0;
	for (unsigned i = 0; i < o->nexts && !r && !why; i++) {
		x = &o->exts[i];
		const char *val = NULL;
		size_t len = 1;
		if (x->kind != EXT_KCONFIG) {
			if (x->kind == EXT_KSYM && !x->type) /* untyped: from kallsyms, below */
				continue;
			if ((r = load_kernel_btf(l, e)) < 0)
				break;
			struct kbtf *kb = l->kbtf;
			const char *module = "";
			u32 kind = x->kind == EXT_KFUNC ? BTFK_FUNC : BTFK_VAR;
			x->kid = kbtf_find(kb, x->name, kind, NULL, &module);
			if (!x->kid && (r = kbtf_modules(kb, e)) < 0)
				break;
			if (!x->kid)
				x->kid = kbtf_find(kb, x->name, kind, NULL, &module);
			x->found = x->kid != 0;
			if (x->found && module[0]) {
				/* its module's BTF fd: in the ld_imm64 of a ksym, in the fd array of a kfunc
				 * call (whose off indexes it; 0 is vmlinux), one per module */
				u32 k = 1;
				while (k < l->nfds && rb_strcmp(l->fd_mods[k], module))
					k++;
				if (k == ARRAY_SIZE(l->fds)) {
					why = "is in an 8th module (at most 7)", from = module;
					break;
				}
				if (k >= l->nfds) {
					int fd = kern_module_btf_fd(module, e);
					if (fd < 0) {
						r = err_ctx(e, "extern '%s'", x->name);
						break;
					}
					l->fds[k] = fd, l->fd_mods[k] = module, l->nfds = k + 1;
				}
				x->btf_fd = l->fds[k], x->fd_idx = (int16_t)k;
			} else if (!x->found && !x->weak)
				why = "is not in the kernel's BTF", from = kb->src;
		} else if (!rb_strcmp(x->name, "LINUX_KERNEL_VERSION")) {
			len = (size_t)rb_snprintf(num, sizeof num, "%u", kern_version_code());
			val = num;
		} else if (!rb_strcmp(x->name, "LINUX_HAS_BPF_COOKIE")) {
			val = kern_has_helper(BPF_PROG_TYPE_KPROBE, BPF_FUNC_get_attach_cookie) ? "y" : "n";
		} else if (!rb_strcmp(x->name, "LINUX_HAS_SYSCALL_WRAPPER")) {
			/* libbpf asks with a kprobe on <prefix>bpf; kallsyms answers without kprobes too */
			struct tracefs t;
			struct attach_env env;
			attach_env_init(&env, &t);
			val = attach_syscall_prefix(&env) == 0 && !rb_strcmp(env.prefix, ARCH_SYSCALL_PREFIX) ? "y" : "n";
		} else if (rb_startswith(x->name, "CONFIG_")) {
			if (!cfg_read && (r = kernel_config(src, &cfg, e)) < 0)
				break;
			cfg_read = true;
			if (!(val = cfg ? kconfig_get(cfg, x->name, &len) : NULL) && !x->weak)
				why = cfg ? "is not set in the kernel config" : "has no kernel config", from = src;
		} else if (!x->weak) {
			why = "is none of LINUX_KERNEL_VERSION, LINUX_HAS_BPF_COOKIE, LINUX_HAS_SYSCALL_WRAPPER";
		}
		if (val && (x->found = true))
			r = kconfig_value(o, x, val, len, o->maps[o->kconfig_map].data + x->off, e);
	}
	for (unsigned i = 0; i < o->nexts && !r && !why; i++) {
		x = &o->exts[i];
		if (x->kind != EXT_KSYM || x->type)
			continue;
		if (!ks_read && (ks_read = true))
			kern_kallsyms("addresses of untyped ksyms", kallsyms_line, o);
		if (x->kid > 1)
			why = "has two addresses in /proc/kallsyms";
		else if (!x->found && !x->weak)
			why = "is not in /proc/kallsyms";
	}
	rb_free(cfg);
	if (why)
		r = err_set(e, -ENOENT, "extern '%s' %s%s%s", x->name, why, from[0] ? ": " : "", from);
	return r;
}
