/* ELF64 reader for BPF objects: validates everything before handing it out. Fields are copied
 * out with memcpy, so a buffer of any alignment is safe. */
#include "elf.h"
#include <linux/elf.h>


/* off + len <= size, without overflow. */
static bool in_bounds(u64 off, u64 len, u64 size)
{
	return off <= size && len <= size - off;
}

static void copy_in(void *dst, const u8 *src, size_t n)
{
	u8 *d = dst;
	while (n--)
		*d++ = *src++;
}

/* Section idx, which must be a string table ending in NUL. */
static int strtab(struct elf *e, unsigned idx, struct elf_sec *s, const char *what)
{
	if (elf_section(e, idx, s))
		return RB_EOBJ;
	if (s->type != SHT_STRTAB || !s->size || s->data[s->size - 1])
		return FAIL(e, "%s (section %u) is not a NUL-terminated string table", what, idx);
	return 0;
}

static int open_any(struct elf *e, const void *buf, size_t size, bool exec)
{
	Elf64_Ehdr h;
	struct elf_sec s;

	e->buf = buf;
	e->size = size;
	e->symtab = -1;
	e->nsyms = e->phnum = 0;
	e->err.msg[0] = 0;
	if (size < sizeof h)
		return FAIL(e, "truncated: %zu bytes, an ELF64 header needs %zu", size, sizeof h);
	copy_in(&h, buf, sizeof h);
	if (h.e_ident[0] != 0x7f || h.e_ident[1] != 'E' || h.e_ident[2] != 'L' || h.e_ident[3] != 'F')
		return FAIL(e, "not an ELF file (bad magic)");
	if (h.e_ident[EI_CLASS] != ELFCLASS64)
		return FAIL(e, "not a 64-bit ELF file (class %u); BPF objects are ELF64", h.e_ident[EI_CLASS]);
	if (h.e_ident[EI_DATA] != ELFDATA2LSB)
		return FAIL(e, "big-endian ELF (data encoding %u); this build reads little-endian BPF objects (clang -target bpfel)",
			    h.e_ident[EI_DATA]);
	if (h.e_ident[EI_VERSION] != EV_CURRENT || h.e_version != EV_CURRENT)
		return FAIL(e, "unknown ELF version %u", h.e_version);
	if (exec) {
		if (h.e_type != ET_EXEC && h.e_type != ET_DYN)
			return FAIL(e, "ELF type %u: not an executable or shared library", h.e_type);
		if (h.e_phentsize != sizeof(Elf64_Phdr) || !in_bounds(h.e_phoff, (u64)h.e_phnum * sizeof(Elf64_Phdr), size))
			return FAIL(e, "program header table (offset %llu, %u entries of %u bytes) does not fit the file",
				    (unsigned long long)h.e_phoff, h.e_phnum, h.e_phentsize);
		e->phoff = h.e_phoff;
		e->phnum = h.e_phnum;
	} else if (h.e_machine != EM_BPF && h.e_machine != EM_NONE)
		return FAIL(e, "wrong machine %u: not a BPF object (e_machine must be %u, EM_BPF)", h.e_machine, EM_BPF);
	else if (h.e_type != ET_REL)
		return FAIL(e, "ELF type %u: not a relocatable object (compile with clang -target bpf -c)", h.e_type);
	if (h.e_shentsize != sizeof(Elf64_Shdr))
		return FAIL(e, "section header size %u, expected %zu", h.e_shentsize, sizeof(Elf64_Shdr));
	if (h.e_shnum == 0)
		return FAIL(e, "no section headers (e_shnum is 0)");
	if (!in_bounds(h.e_shoff, (u64)h.e_shnum * sizeof(Elf64_Shdr), size))
		return FAIL(e, "section header table (offset %llu, %u entries) extends past the end of the file (%zu bytes)",
			    (unsigned long long)h.e_shoff, h.e_shnum, size);
	if (h.e_shstrndx >= h.e_shnum)
		return FAIL(e, "section name table index %u out of range (%u sections)", h.e_shstrndx, h.e_shnum);
	e->shoff = h.e_shoff;
	e->shnum = h.e_shnum;
	e->shstrndx = h.e_shstrndx;
	e->machine = h.e_machine;
	e->type = h.e_type;

	/* The name table first: until it is known, every section is named "". */
	e->shstr = NULL;
	if (strtab(e, h.e_shstrndx, &s, "section name table"))
		return RB_EOBJ;
	e->shstr = (const char *)s.data;
	e->shstrsz = s.size;

	/* The symbol table and its strings, used by everything after. */
	for (unsigned i = 1; i < e->shnum; i++) {
		if (elf_section(e, i, &s))
			return RB_EOBJ;
		if (s.type != SHT_SYMTAB)
			continue;
		if (e->symtab >= 0)
			return FAIL(e, "more than one symbol table (sections %d and %u)", e->symtab, i);
		if (s.entsize != sizeof(Elf64_Sym))
			return FAIL(e, "symbol table '%s': entry size %llu, expected %zu", s.name,
				    (unsigned long long)s.entsize, sizeof(Elf64_Sym));
		if (s.size % sizeof(Elf64_Sym))
			return FAIL(e, "symbol table '%s': size %llu is not a multiple of %zu", s.name,
				    (unsigned long long)s.size, sizeof(Elf64_Sym));
		if (s.link == 0 || s.link >= e->shnum)
			return FAIL(e, "symbol table '%s': string table index %u out of range (%u sections)", s.name,
				    s.link, e->shnum);
		e->symsec = s;
		if (strtab(e, s.link, &e->strsec, "symbol string table"))
			return RB_EOBJ;
		e->symtab = (int)i;
		e->nsyms = (unsigned)(s.size / sizeof(Elf64_Sym));
	}
	return 0;
}

int elf_open(struct elf *e, const void *buf, size_t size)
{
	return open_any(e, buf, size, false);
}

int elf_open_exec(struct elf *e, const void *buf, size_t size)
{
	return open_any(e, buf, size, true);
}

void elf_phdr(const struct elf *e, unsigned idx, void *phdr)
{
	copy_in(phdr, e->buf + e->phoff + (u64)idx * sizeof(Elf64_Phdr), sizeof(Elf64_Phdr));
}

int elf_section(struct elf *e, unsigned idx, struct elf_sec *s)
{
	Elf64_Shdr sh;
	if (idx >= e->shnum)
		return FAIL(e, "section index %u out of range (%u sections)", idx, e->shnum);
	copy_in(&sh, e->buf + e->shoff + (u64)idx * sizeof sh, sizeof sh);
	if (!e->shstr)
		sh.sh_name = 0;
	else if (sh.sh_name >= e->shstrsz)
		return FAIL(e, "section %u: name offset %u past the end of the name table (%llu bytes)", idx,
			    sh.sh_name, (unsigned long long)e->shstrsz);
	s->idx = idx;
	s->name = e->shstr ? e->shstr + sh.sh_name : ""; /* the table ends with NUL: terminated */
	s->type = sh.sh_type;
	s->flags = sh.sh_flags;
	s->size = sh.sh_size;
	s->addr = sh.sh_addr;
	s->link = sh.sh_link;
	s->info = sh.sh_info;
	s->entsize = sh.sh_entsize;
	s->align = sh.sh_addralign;
	s->data = NULL;
	if (sh.sh_type == SHT_NOBITS || sh.sh_type == SHT_NULL)
		return 0;
	if (!in_bounds(sh.sh_offset, sh.sh_size, e->size))
		return FAIL(e, "section %u '%s': offset %llu + size %llu past the end of the file (%zu bytes)", idx,
			    s->name, (unsigned long long)sh.sh_offset, (unsigned long long)sh.sh_size, e->size);
	s->data = e->buf + sh.sh_offset;
	return 0;
}

unsigned elf_nsyms(const struct elf *e)
{
	return e->nsyms;
}

int elf_symbol(struct elf *e, unsigned idx, struct elf_sym *out)
{
	Elf64_Sym sym;
	if (idx >= elf_nsyms(e))
		return FAIL(e, "symbol index %u out of range (%u symbols)", idx, elf_nsyms(e));
	copy_in(&sym, e->symsec.data + (u64)idx * sizeof sym, sizeof sym);
	if (sym.st_name >= e->strsec.size)
		return FAIL(e, "symbol %u: name offset %u past the end of the string table (%llu bytes)", idx,
			    sym.st_name, (unsigned long long)e->strsec.size);
	out->name = (const char *)e->strsec.data + sym.st_name;
	out->value = sym.st_value;
	out->size = sym.st_size;
	out->shndx = sym.st_shndx;
	out->type = ELF64_ST_TYPE(sym.st_info);
	out->bind = ELF64_ST_BIND(sym.st_info);
	out->vis = sym.st_other & 3;
	return 0;
}

unsigned elf_nrels(const struct elf_sec *rel)
{
	return (unsigned)(rel->size / sizeof(Elf64_Rel));
}

int elf_reloc(struct elf *e, const struct elf_sec *rel, unsigned i, struct elf_rel *out)
{
	Elf64_Rel r;
	if (rel->entsize != sizeof r || rel->size % sizeof r)
		return FAIL(e, "relocation section '%s': entry size %llu and size %llu do not fit %zu-byte entries",
			    rel->name, (unsigned long long)rel->entsize, (unsigned long long)rel->size, sizeof r);
	if (i >= elf_nrels(rel))
		return FAIL(e, "relocation section '%s': index %u out of range", rel->name, i);
	copy_in(&r, rel->data + (u64)i * sizeof r, sizeof r);
	out->offset = r.r_offset;
	out->sym = (u32)ELF64_R_SYM(r.r_info);
	out->type = (u32)ELF64_R_TYPE(r.r_info);
	return 0;
}
