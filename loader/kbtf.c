/* Reading the kernel's BTF (kernel layer: the files of /sys/kernel/btf, or --btf FILE). Files
 * are mapped, not copied, so only the pages used are read: a vmlinux with DWARF is hundreds of
 * megabytes, of which .BTF is a few; sysfs before 6.16 cannot be mapped, and is read. */
#include "kbtf.h"
#include "io.h"
#include "kernel.h"
#include "sys.h"
#include <linux/mman.h>

#define SYSFS_BTF "/sys/kernel/btf"

static int map_file(const char *path, u8 **out, u64 *size, struct err *e)
{
	struct statx st;
	int fd = sys_openat(AT_FDCWD, path, O_RDONLY | O_CLOEXEC, 0), r = 0;
	u8 *m = (u8 *)-1l;
	if (fd >= 0 && !sys_statx(fd, "", AT_EMPTY_PATH, STATX_TYPE | STATX_SIZE, &st) && (st.stx_mode & 0170000) != 0100000)
		r = err_set(e, -22, "read %s: not a regular file", path);
	else if (fd >= 0 && st.stx_size)
		m = sys_mmap(NULL, st.stx_size, PROT_READ, MAP_PRIVATE, fd, 0);
	if (fd >= 0)
		sys_close(fd);
	if (r)
		return r;
	bool mapped = (unsigned long)m < -4096ul;
	if (mapped)
		*size = st.stx_size;
	else if ((r = rb_read_whole(path, 1u << 30, &m, (size_t *)size, e)) == 0) /* (the checks and messages) */
		m = (u8 *)((unsigned long)m | 1); /* the low bit: a heap copy */
	if (r)
		explain("openat(\"%s\") = %s", path, kern_res(fd < 0 ? fd : r).s);
	else
		explain("openat(\"%s\") = %d, %s %llu bytes  -- kernel BTF", path, fd,
			mapped ? "mmap(PROT_READ, MAP_PRIVATE)" : "read", (unsigned long long)*size);
	if (!r)
		*out = m;
	return r;
}

static void unmap_file(u8 *m, u64 size)
{
	if ((unsigned long)m & 1)
		rb_free((u8 *)((unsigned long)m & ~1ul));
	else if (m)
		kern_munmap(m, size, "the kernel's BTF file");
}

static const u8 *file_data(u8 *m)
{
	return (const u8 *)((unsigned long)m & ~1ul);
}

static void mod_free(struct kbtf_mod *m)
{
	btf_free(&m->btf);
	unmap_file(m->map, m->map_size);
	rb_free(m);
}

int kbtf_load(struct kbtf *k, const char *path, struct err *e)
{
	memset(k, 0, sizeof *k);
	k->sysfs = !path;
	rb_strlcpy(k->src, path ? path : SYSFS_BTF "/vmlinux", sizeof k->src);
	int r = map_file(k->src, &k->map, &k->map_size, e);
	if (r < 0) {
		if (!path && r == -ENOENT)
			err_set(e, r, "this kernel has no BTF (%s: %s): give its BTF with --btf FILE (a raw BTF file, "
				      "or a vmlinux with a .BTF section)", k->src, rb_strerror(2));
		return r;
	}
	const u8 *d = file_data(k->map), *btf = d;
	u64 size = k->map_size;
	if (size >= 4 && !memcmp(d, "\177ELF", 4) && btf_elf_section(d, size, &btf, &size, e) < 0)
		return err_ctx(e, "%s", k->src);
	if (btf_parse(&k->btf, btf, size) < 0)
		return err_set(e, RB_EOBJ, "%s: %s", k->src, k->btf.err.msg);
	return 0;
}

struct btf *kbtf_module(struct kbtf *k, const char *name, struct err *e)
{
	char path[128];
	struct kbtf_mod *m;
	for (m = k->mods; m; m = m->next)
		if (!rb_strcmp(m->name, name))
			return &m->btf;
	if (!k->sysfs) {
		err_set(e, -ENOENT, "module '%s': %s has no modules", name, k->src);
		return NULL;
	}
	m = rb_zalloc(sizeof *m);
	rb_snprintf(path, sizeof path, SYSFS_BTF "/%s", name);
	rb_strlcpy(m->name, name, sizeof m->name);
	if (map_file(path, &m->map, &m->map_size, e) < 0) {
		rb_free(m);
		return NULL;
	}
	if (btf_parse_split(&m->btf, file_data(m->map), m->map_size, &k->btf) < 0) {
		err_set(e, RB_EOBJ, "%s: %s", path, m->btf.err.msg);
		mod_free(m);
		return NULL;
	}
	m->next = k->mods;
	k->mods = m;
	k->nmods++;
	return &m->btf;
}

int kbtf_modules(struct kbtf *k, struct err *e)
{
	if (!k->sysfs || k->modules_listed)
		return 0;
	int fd = sys_openat(AT_FDCWD, SYSFS_BTF, O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);
	explain("openat(\"" SYSFS_BTF "\", O_DIRECTORY) = %s  -- modules' BTF", kern_res(fd).s);
	if (fd < 0)
		return err_set(e, fd, "open " SYSFS_BTF ": %s", rb_strerror(-fd));
	static char buf[4096];
	long n, r = 0;
	while (r == 0 && (n = sys_getdents64(fd, buf, sizeof buf)) > 0)
		for (long at = 0; at + 19 < n && r == 0;) {
			u16 reclen;
			memcpy(&reclen, buf + at + 16, 2);
			const char *name = buf + at + 19;
			if (reclen < 20 || at + reclen > n)
				break;
			/* (a module unloaded since it was listed is no error) */
			if (name[0] != '.' && rb_strcmp(name, "vmlinux") && !kbtf_module(k, name, e) && e->code != -2)
				r = e->code;
			at += reclen;
		}
	sys_close(fd);
	k->modules_listed = r == 0;
	return (int)r;
}

u32 kbtf_find(struct kbtf *k, const char *name, u32 kind, struct btf **where, const char **module)
{
	struct kbtf_mod *m = NULL;
	for (struct btf *b = &k->btf; b; b = (m = m ? m->next : k->mods) ? &m->btf : NULL) {
		u32 id = btf_find(b, name, kind);
		if (id) {
			if (where)
				*where = b;
			if (module)
				*module = m ? m->name : "";
			return id;
		}
	}
	return 0;
}

void kbtf_free(struct kbtf *k)
{
	for (struct kbtf_mod *m = k->mods, *next; m; m = next) {
		next = m->next;
		mod_free(m);
	}
	btf_free(&k->btf);
	unmap_file(k->map, k->map_size);
	memset(k, 0, sizeof *k);
}
