/* Puts an object into the kernel: its BTF, its maps (with initial data, .rodata frozen), its
 * programs' map references, the initial slots of prog arrays; and takes it all out again. */
#ifndef RAWBPF_LOAD_H
#define RAWBPF_LOAD_H
#include "kernel.h"
#include "kbtf.h"
#include "obj.h"

struct loaded {
	struct obj *o;
	int btf_fd;            /* -1 if the object has no BTF or the kernel refused it */
	char btf_notice[200];  /* why the BTF was left out, to announce */
	const char *btf_path;  /* --btf FILE; NULL: /sys/kernel/btf/vmlinux */
	struct kbtf *kbtf;     /* the kernel's BTF, once load_kernel_btf read it */
	u32 core_applied;
	struct core_poison *poison;
	u32 npoison;
	int fds[8];            /* the BTF fds of modules with kfuncs or ksyms; [0]: vmlinux (unused) */
	const char *fd_mods[8];
	u32 nfds;
};

/* Reads the kernel's BTF (--btf FILE, or /sys/kernel/btf/vmlinux) once; l->kbtf after. */
int load_kernel_btf(struct loaded *l, struct err *e);
/* Relocates every program's CO-RE relocations against the kernel's BTF (only objects that have
 * them read it); one that cannot be resolved is poisoned. With res (o->ncore of them, and as many
 * msg), nothing is patched: res[i] is what relocation i (in program order) resolves to, or msg[i]
 * why it cannot be (inspect). load_maps calls it first. */
int load_core_resolve(struct loaded *l, struct core_res *res, char (*msg)[120], struct err *e);
/* If the verifier refused p at a poisoned instruction: e names the relocation, true. */
bool load_core_refused(struct loaded *l, const struct prog *p, const char *log, struct err *e);

/* Loads the BTF (falling back cleanly without it) and creates every map. */
int load_maps(struct loaded *l, struct err *e);
/* The BPF_PROG_LOAD request for p as type, with map fds applied and BTF line info if loaded. */
void load_request(struct loaded *l, struct prog *p, u32 type, struct load_req *r);
/* A BTF-typed program's target (p->btf_id, p->btf_obj_fd) from the kernel's BTF. */
int load_btf_target(struct loaded *l, struct prog *p, struct err *e);
/* Puts programs into the prog arrays' initial slots. */
int load_prog_arrays(struct loaded *l, struct err *e);
/* Resolves the object's externs (resolve.c): before the maps, so .kconfig values are in place. */
int load_externs(struct loaded *l, struct err *e);
void load_release(struct loaded *l);
#endif
