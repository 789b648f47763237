/* The kernel's BTF, for CO-RE, externs and BTF-typed programs: /sys/kernel/btf/vmlinux, a
 * module's /sys/kernel/btf/<module> (split BTF on top of vmlinux's), or a file given with --btf
 * (raw BTF as BTFHub ships it, or an ELF file with a .BTF section such as a vmlinux). Only
 * objects that need it read it: nothing here runs for the default job. */
#ifndef RAWBPF_KBTF_H
#define RAWBPF_KBTF_H
#include "btf.h"

struct kbtf_mod {
	struct kbtf_mod *next;     /* the module read before it */
	char name[56];
	struct btf btf;            /* split on top of the vmlinux BTF */
	u8 *map;
	u64 map_size;
};

struct kbtf {
	struct btf btf;            /* vmlinux (or --btf FILE) */
	char src[200];             /* where it came from, for messages and --explain */
	bool sysfs;                /* from /sys/kernel/btf: modules can be looked up */
	bool modules_listed;       /* every module of /sys/kernel/btf is in mods[] */
	u8 *map;
	u64 map_size;
	struct kbtf_mod *mods;     /* the last one read */
	unsigned nmods;
};

/* Reads path (raw BTF or an ELF with .BTF), or with path NULL /sys/kernel/btf/vmlinux. Without
 * one, an error naming --btf. */
int kbtf_load(struct kbtf *k, const char *path, struct err *e);
/* A module's split BTF (/sys/kernel/btf/<name>), read once; NULL with e filled if there is none. */
struct btf *kbtf_module(struct kbtf *k, const char *name, struct err *e);
/* Reads every module's BTF listed in /sys/kernel/btf (only if k came from there). */
int kbtf_modules(struct kbtf *k, struct err *e);
/* The id of the type name of kind: vmlinux first, then the modules read so far. *where (may be
 * NULL) gets the BTF holding it, *module the module's name ("" for vmlinux). 0 if none. */
u32 kbtf_find(struct kbtf *k, const char *name, u32 kind, struct btf **where, const char **module);
void kbtf_free(struct kbtf *k);
#endif
