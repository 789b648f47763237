/* Reading the kernel's BTF (kernel layer: the files of /sys/kernel/btf, or --btf FILE). Files
 * are mapped, not copied, so only the pages used are read: a vmlinux with DWARF is hundreds of
 * megabytes, of which .BTF is a few; sysfs before 6.16 cannot be mapped, and is read. */
#include "kbtf.h"
#include "io.h"
#include "kernel.h"

#define SYSFS_BTF "/sys/kernel/btf"

static int map_file(const char *path, u8 **out, u64 *size, struct err *e)
{
	void *m;
	int r = kern_map_file(path, &m, size, "kernel BTF", e);
	if (r == 0)
		*out = m;
	return r;
}

static void unmap_file(u8 *m, u64 size)
{
	kern_unmap_file(m, size, "the kernel's BTF file");
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

struct mods_ctx {
	struct kbtf *k;
	struct err *e;
};

static int each_module(const char *name, void *ctx)
{
	struct mods_ctx *c = ctx;
	/* (a module unloaded since it was listed is no error) */
	if (name[0] != '.' && rb_strcmp(name, "vmlinux") && !kbtf_module(c->k, name, c->e) && c->e->code != -2)
		return c->e->code;
	return 0;
}

int kbtf_modules(struct kbtf *k, struct err *e)
{
	if (!k->sysfs || k->modules_listed)
		return 0;
	struct mods_ctx c = {k, e};
	int r = kern_list_dir(SYSFS_BTF, each_module, &c, "modules' BTF", e);
	k->modules_listed = r == 0;
	return r;
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
