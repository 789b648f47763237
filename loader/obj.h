/* The object model: what a BPF ELF object holds, in the terms the kernel needs (programs with
 * their types and attach targets, license, version). Pure: built from bytes, no system calls. */
#ifndef RAWBPF_OBJ_H
#define RAWBPF_OBJ_H
#include "elf.h"
#include <linux/bpf.h>

/* How a program's section name says it attaches. */
enum attach_kind {
	ATTACH_NONE,        /* load only (xdp, socket, ...): rawbpf does not attach these */
	ATTACH_KPROBE,      /* kprobe/SYMBOL */
	ATTACH_KRETPROBE,   /* kretprobe/SYMBOL */
	ATTACH_KSYSCALL,    /* ksyscall/NAME: the syscall's entry function on this kernel */
	ATTACH_KRETSYSCALL, /* kretsyscall/NAME */
	ATTACH_TRACEPOINT,  /* tracepoint/CAT/NAME, tp/CAT/NAME */
};

struct sec_def {
	const char *prefix;  /* "kprobe/" needs a target after the slash; "xdp" stands alone */
	u32 prog_type;
	u32 expected_attach_type;
	enum attach_kind kind;
};

struct prog {
	const char *name;          /* function symbol */
	const char *sec;           /* section name, without a leading '?' */
	const struct sec_def *def;
	const char *target;        /* what follows the prefix: symbol, syscall, CAT/NAME; "" if none */
	bool autoload;             /* false for "?sec" */
	unsigned sec_idx;
	u64 off;                   /* byte offset of the first instruction in its section */
	struct bpf_insn *insns;    /* our copy, patched by relocations */
	u32 insn_cnt;
	int fd;                    /* -1 until loaded */
};

struct obj {
	struct elf elf;
	const char *name;
	char license[128];
	u32 kversion;              /* from the "version" section; 0 if absent */
	bool has_version;
	struct prog *progs;
	unsigned nprogs;
	void *owned;               /* the file's bytes, if the caller read them (freed with it) */
	char err[320];
};

/* Parses buf (which must outlive obj). Returns 0, or RB_EOBJ with obj->err naming what is wrong. */
int obj_parse(struct obj *o, const void *buf, size_t size, const char *name);
/* Frees what obj_parse allocated (safe after a failed parse). */
void obj_free(struct obj *o);
const struct sec_def *sec_def_find(const char *sec, const char **target);
bool license_is_gpl(const char *license);
#endif
