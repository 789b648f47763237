/* Readers of the files a user-space probe targets: a function's file offset from .symtab or
 * .dynsym (versions, IFUNCs), USDT notes and their argument specs as libbpf's usdt.bpf.h reads
 * them, and /etc/ld.so.cache. Pure: bytes in, answers out; every offset checked. */
#ifndef RAWBPF_UELF_H
#define RAWBPF_UELF_H
#include "elf.h"

/* A function found in a target. */
struct usym {
	u64 vaddr, off;    /* its address as linked, and where its code is in the file */
	const char *table; /* ".symtab" or ".dynsym" */
	const char *name;  /* as the table spells it (with @VER in .symtab) */
	const char *ver;   /* its version from .gnu.version_d ("GLIBC_2.2.5"), or "" */
};
/* FUNC, FUNC@VER or FUNC@@VER: the default version unless one is named; several different
 * addresses for the name, an IFUNC and undefined names are errors (in e->err). */
int uelf_sym(struct elf *e, const char *func, struct usym *out);
/* The file offset of address vaddr, through the PT_LOAD segment that maps it. */
int uelf_off(struct elf *e, u64 vaddr, u64 *off);

/* One USDT argument as libbpf's struct __bpf_usdt_arg_spec holds it. */
enum { USDT_CONST, USDT_REG, USDT_DEREF };
struct usdt_arg {
	u64 val_off;       /* the constant, or the offset from the register */
	u32 type;
	int16_t reg_off;       /* offsetof(struct pt_regs, reg) */
	bool sign;
	u8 shift;          /* 64 - size in bits */
	const char *reg;   /* the register's name in the spec (not terminated: reg_len) */
	u8 reg_len;
	int8_t size;           /* as in the note: negative means signed */
};
#define USDT_MAX_ARGS 12
#define USDT_SPEC_SIZE 208 /* sizeof(struct __bpf_usdt_spec) */
struct usdt_site {
	u64 vaddr, off;    /* the probe's address (after the .stapsdt.base adjustment), file offset */
	u64 sema, sema_off;/* the semaphore's address and file offset (0 if none) */
	const char *provider, *name, *args;
	struct usdt_arg arg[USDT_MAX_ARGS];
	unsigned nargs;
};
/* The sites of provider:name (every site if both are NULL) in .note.stapsdt, at most max into
 * out; *n is the number found (even beyond max). Arguments are parsed for e->machine. */
int uelf_usdt(struct elf *e, const char *provider, const char *name, struct usdt_site *out, unsigned max,
	      unsigned *n);
/* The 208 bytes of libbpf's struct __bpf_usdt_spec for a site. */
void usdt_spec_bytes(const struct usdt_site *s, u64 cookie, u8 *out);
/* "reg rdi", "*(rbp - 8)", "$5": one argument for people. */
void usdt_arg_text(const struct usdt_arg *a, char *buf, size_t size);

/* The path /etc/ld.so.cache gives for library name (e.g. "libc.so.6") on machine (EM_X86_64,
 * EM_AARCH64), or NULL; points into buf. */
const char *ldcache_find(const u8 *buf, size_t size, const char *name, u16 machine);
#endif
