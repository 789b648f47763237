/* Values the object's own bytes do not hold: --set NAME=VALUE settings of global variables and
 * map sizes, and the object's externs (.kconfig values; .ksyms variables and kfuncs), with the
 * kernel config text they are read from. Pure: the kernel layer (resolve.c) finds the values. */
#ifndef RAWBPF_EXT_H
#define RAWBPF_EXT_H
#include "obj.h"

enum ext_kind { EXT_KCONFIG, EXT_KSYM, EXT_KFUNC };
struct ext {
	const char *name;
	enum ext_kind kind;
	bool weak;
	u32 btf_id;        /* its VAR or FUNC in the object's BTF */
	u32 type;          /* the VAR's type; 0 for an untyped ksym ("extern const void x __ksym") */
	u32 off, size;     /* .kconfig: where its value sits in the .kconfig map */
	bool found;        /* resolved at load time */
	u32 kid;           /* the kernel BTF id of the VAR or FUNC */
	int btf_fd;        /* the module's BTF fd; 0 for vmlinux */
	int16_t fd_idx;       /* kfunc in a module: its index in the program's fd array */
	u64 addr;          /* untyped ksym: its address in /proc/kallsyms */
};

/* "-12", "0x1f", "255" as an integer of size bytes, signed or not: 0, -1 malformed, -2 too big. */
int parse_int(const char *s, bool sign, u32 size, u64 *out);

/* --set NAME=VALUE (a variable of .rodata, .data or .bss, typed through BTF) or
 * --set MAP.max_entries=N / MAP.value_size=N. Returns 0, or -22 with e naming what is wrong. */
int obj_set(struct obj *o, const char *arg, struct err *e);
/* Refuses maps that would be created with max_entries 0 (objects whose user space sizes them). */
int obj_check_sizes(struct obj *o, struct err *e);

/* The value of NAME=... in a kernel config text (NUL-terminated): its start and length, or NULL
 * when absent (a "# NAME is not set" line is absent too). */
const char *kconfig_get(const char *text, const char *name, size_t *len);
/* Which of libbpf's kconfig value types the BTF type is; 0 if none (an unsupported type). */
int kconfig_class(struct btf *b, u32 type, bool *sign);
/* Writes a .kconfig extern's value (val, len bytes, as a config line has it) into out by the
 * extern's BTF type, with libbpf's rules: y/n/m for bool, tristate and char; numbers for
 * integers, range-checked; "strings" for char arrays, truncated to fit. */
int kconfig_value(struct obj *o, const struct ext *x, const char *val, size_t len, u8 *out, struct err *e);

/* Collects the externs of .kconfig and .ksyms from the object's symbols and BTF, and lays out
 * the .kconfig values. Called by obj_parse; RB_EOBJ with o->err on a malformed extern. */
int obj_externs(struct obj *o);
/* The extern named by an undefined symbol, or NULL. */
struct ext *obj_extern(struct obj *o, const char *name);
/* Fixes the kernel's copy of the object's BTF for externs, which the kernel refuses as clang
 * writes them: extern linkage, functions and void variables in DATASECs. */
void ext_btf_fixup(struct obj *o, u8 *btf);
/* Patches a program's extern references once they are resolved. */
void ext_apply(struct obj *o, struct prog *p);

/* libbpf's poison for a call of a kfunc that is missing (weak): helper 2002000000 + extern. */
#define EXT_POISON_KFUNC 2002000000
#endif
