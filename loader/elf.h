/* A bounds-checked reader of ELF64 relocatable objects held in memory. Pure: no system calls, no
 * printing. Every offset, size, index and string it hands out has been checked against the buffer. */
#ifndef RAWBPF_ELF_H
#define RAWBPF_ELF_H
#include "rt.h"

struct elf_sec {
	unsigned idx;
	const char *name;
	const u8 *data;   /* NULL for SHT_NOBITS (.bss) */
	u64 size, addr;
	u32 type, link, info;
	u64 flags, entsize, align;
};

struct elf_sym {
	const char *name;
	u64 value, size;
	u16 shndx;
	u8 type, bind, vis; /* vis: STV_DEFAULT 0, ..., STV_HIDDEN 2 */
};

struct elf_rel {
	u64 offset;
	u32 sym, type;
};

struct elf {
	const u8 *buf;
	size_t size;
	u64 shoff;
	unsigned shnum, shstrndx;
	u16 machine, type;
	u64 phoff;         /* program headers (executables and shared libraries) */
	unsigned phnum;
	const char *shstr;
	u64 shstrsz;
	int symtab;        /* section index of SHT_SYMTAB, -1 if none */
	unsigned nsyms;    /* its entries (0 without one) */
	struct elf_sec symsec, strsec;
	struct err err;   /* what is wrong, naming the object (RB_EOBJ) */
};

/* Checks the header, the section table and the section-name table. */
int elf_open(struct elf *e, const void *buf, size_t size);
/* The same for a file a probe targets: an executable or shared library of any machine, with
 * its program headers checked too. */
int elf_open_exec(struct elf *e, const void *buf, size_t size);
/* Program header idx (bounds checked at open). */
void elf_phdr(const struct elf *e, unsigned idx, void *phdr64);
/* Section idx, with its name and data checked to lie inside the buffer. */
int elf_section(struct elf *e, unsigned idx, struct elf_sec *s);
unsigned elf_nsyms(const struct elf *e);
int elf_symbol(struct elf *e, unsigned idx, struct elf_sym *out);
/* Relocation i of a SHT_REL section (entries checked for size). */
unsigned elf_nrels(const struct elf_sec *rel);
int elf_reloc(struct elf *e, const struct elf_sec *rel, unsigned i, struct elf_rel *out);
#endif
