/* Puts an object into the kernel: its BTF, its maps (with initial data, .rodata frozen), its
 * programs' map references, the initial slots of prog arrays; and takes it all out again. */
#ifndef RAWBPF_LOAD_H
#define RAWBPF_LOAD_H
#include "kernel.h"
#include "obj.h"

struct loaded {
	struct obj *o;
	int btf_fd;            /* -1 if the object has no BTF or the kernel refused it */
	char btf_notice[200];  /* why the BTF was left out, to announce */
};

int nr_possible_cpus(void);
/* Loads the BTF (falling back cleanly without it) and creates every map. */
int load_maps(struct loaded *l, struct err *e);
/* The BPF_PROG_LOAD request for p as type, with map fds applied and BTF line info if loaded. */
void load_request(struct loaded *l, struct prog *p, u32 type, struct load_req *r);
/* Puts programs into the prog arrays' initial slots. */
int load_prog_arrays(struct loaded *l, struct err *e);
/* Resolves the object's externs (resolve.c): before the maps, so .kconfig values are in place. */
int load_externs(struct loaded *l, struct err *e);
void load_release(struct loaded *l);
#endif
