/* The reader of uprobe targets on hand-made ELF executables: symbols (versions, duplicates,
 * IFUNCs, the file offset through a segment), USDT notes (.stapsdt.base, semaphores) and every
 * argument form of x86_64 and arm64 with what libbpf's usdt.bpf.h gets; /etc/ld.so.cache. */
#include <stdio.h>
#include <string.h>
#include <linux/elf.h>
#include "uelf.h"
#include "unit.h"

static unsigned char img[4096];
static size_t len;

static size_t put(const void *p, size_t n)
{
	size_t at = (len + 7) & ~7ul;
	memcpy(img + at, p, n);
	len = at + n;
	return at;
}

/* An executable for machine: one PT_LOAD (vaddr 0x400000 + offset), .text, .symtab of syms
 * (name, value, info), a .note.stapsdt note with args and base, and .stapsdt.base at
 * base_addr. */
struct s { const char *name; unsigned long long value; unsigned char info; };
static void build(unsigned short machine, const struct s *syms, int nsyms, const char *args, unsigned long long base,
		  unsigned long long base_addr)
{
	char shstr[] = "\0.text\0.symtab\0.strtab\0.note.stapsdt\0.stapsdt.base\0.shstrtab";
	char str[256] = "";
	Elf64_Sym sy[8] = {{0}};
	size_t sl = 1;
	memset(img, 0, sizeof img);
	len = sizeof(Elf64_Ehdr) + sizeof(Elf64_Phdr);
	for (int i = 0; i < nsyms; i++) {
		sy[i + 1] = (Elf64_Sym){.st_name = (unsigned)sl, .st_info = syms[i].info, .st_shndx = 1, .st_value = syms[i].value};
		strcpy(str + sl, syms[i].name);
		sl += strlen(syms[i].name) + 1;
	}
	size_t text = put("\x90\x90\x90\x90", 4);
	size_t symtab = put(sy, sizeof(Elf64_Sym) * (nsyms + 1)), strtab = put(str, sl);
	unsigned char note[256] = {0};
	size_t an = strlen(args), dsz = 24 + 12 + 5 + an + 1;
	unsigned hdr[3] = {8, (unsigned)dsz, 3};
	unsigned long long desc[3] = {0x400000 + text, base, 0x400000 + text + 2};
	memcpy(note, hdr, 12);
	memcpy(note + 12, "stapsdt", 8);
	memcpy(note + 20, desc, 24);
	memcpy(note + 44, "rawbpf_test\0tick", 17);
	memcpy(note + 61, args, an + 1);
	size_t notes = put(note, 20 + ((dsz + 3) & ~3ul));
	size_t shs = put(shstr, sizeof shstr);
	Elf64_Shdr sh[7] = {{0},
		{1, SHT_PROGBITS, SHF_ALLOC | SHF_EXECINSTR, 0x400000 + text, text, 4, 0, 0, 0, 0},
		{7, SHT_SYMTAB, 0, 0, symtab, sizeof(Elf64_Sym) * (nsyms + 1), 3, 1, 8, sizeof(Elf64_Sym)},
		{15, SHT_STRTAB, 0, 0, strtab, sl, 0, 0, 0, 0},
		{23, SHT_NOTE, 0, 0, notes, 20 + ((dsz + 3) & ~3ul), 0, 0, 0, 0},
		{37, SHT_PROGBITS, SHF_ALLOC, base_addr, text, 1, 0, 0, 0, 0},
		{51, SHT_STRTAB, 0, 0, shs, sizeof shstr, 0, 0, 0, 0}};
	size_t shoff = put(sh, sizeof sh);
	Elf64_Ehdr eh = {.e_type = ET_EXEC, .e_machine = machine, .e_version = EV_CURRENT, .e_phoff = sizeof eh,
			 .e_shoff = shoff, .e_ehsize = sizeof eh, .e_phentsize = sizeof(Elf64_Phdr), .e_phnum = 1,
			 .e_shentsize = sizeof(Elf64_Shdr), .e_shnum = 7, .e_shstrndx = 6};
	memcpy(eh.e_ident, "\177ELF\2\1\1", 7);
	Elf64_Phdr ph = {.p_type = PT_LOAD, .p_offset = 0, .p_vaddr = 0x400000, .p_filesz = 2048, .p_memsz = 2048};
	memcpy(img, &eh, sizeof eh);
	memcpy(img + sizeof eh, &ph, sizeof ph);
}

static void usdt_case(unsigned short machine, const char *args, const char *want)
{
	struct elf e;
	struct usdt_site s[2];
	unsigned n;
	char got[400] = "", name[96];
	build(machine, NULL, 0, args, 0, 0);
	if (elf_open_exec(&e, img, sizeof img) || uelf_usdt(&e, "rawbpf_test", "tick", s, 2, &n)) {
		snprintf(got, sizeof got, "error: %s", e.err.msg);
	} else {
		for (unsigned i = 0; i < s[0].nargs; i++) {
			const struct usdt_arg *a = &s[0].arg[i];
			snprintf(got + strlen(got), sizeof got - strlen(got), "%s%u/%d/%lld/%u%s", i ? " " : "", a->type,
				 a->reg_off, (long long)a->val_off, a->shift, a->sign ? "s" : "");
		}
	}
	snprintf(name, sizeof name, "usdt args '%s' (machine %u)", args, machine);
	check(!strncmp(got, want, strlen(want)) && (want[0] == 'e' || !strcmp(got, want)), name, got, want);
}

static void sym_case(const struct s *syms, int n, const char *func, const char *want)
{
	struct elf e;
	struct usym u;
	char got[300], name[96];
	build(EM_X86_64, syms, n, "", 0, 0);
	if (elf_open_exec(&e, img, sizeof img) || uelf_sym(&e, func, &u))
		snprintf(got, sizeof got, "error: %s", e.err.msg);
	else
		snprintf(got, sizeof got, "0x%llx 0x%llx %s %s", (unsigned long long)u.vaddr, (unsigned long long)u.off,
			 u.table, u.ver);
	snprintf(name, sizeof name, "uprobe target '%s'", func);
	check(!strncmp(got, want, strlen(want)), name, got, want);
}

void uelf_tests(void)
{
	/* libbpf's struct __bpf_usdt_arg_spec: type (0 const, 1 reg, 2 deref)/reg_off/val_off/bitshift */
	usdt_case(EM_X86_64, "-4@%edi 8@-16(%rbp) 8@(%rax) 4@$5 -2@%r9w 1@%sil -8@$-3 8@%rip",
		  "1/112/0/32s 2/32/-16/0 2/80/0/0 0/0/5/32 1/64/0/48s 1/104/0/56 0/0/-3/0s 1/128/0/0");
	usdt_case(EM_X86_64, "8@%r15 4@%r8d 8@0x10(%rsp)", "1/0/0/0 1/72/0/32 2/152/16/0");
	usdt_case(EM_AARCH64, "8@x0 -4@[sp, 12] 4@[x1] 4@-5 8@x30 -4@w2 8@[x29, -8]",
		  "1/0/0/0 2/248/12/32s 2/8/0/32 0/0/-5/32 1/240/0/0 1/16/0/32s 2/232/-8/0");
	usdt_case(EM_X86_64, "4@sym(%rip)", "error: USDT rawbpf_test:tick: argument 1 '4@sym(%rip)'");
	usdt_case(EM_X86_64, "3@%rax", "error: USDT rawbpf_test:tick: argument 1 '3@%rax': size not 1, 2, 4 or 8");
	usdt_case(EM_X86_64, "8@%xyz", "error: USDT rawbpf_test:tick: argument 1 '8@%xyz': unknown register");
	usdt_case(EM_AARCH64, "8@x31", "error: USDT rawbpf_test:tick: argument 1 '8@x31': unknown register");
	usdt_case(EM_X86_64, "8@-8(%rbp", "error: USDT rawbpf_test:tick: argument 1 '8@-8(%rbp'");
	usdt_case(EM_X86_64, "8@%rax+", "error: USDT rawbpf_test:tick: argument 1 '8@%rax+': unexpected text after it");
	usdt_case(EM_RISCV, "8@a0", "error: USDT rawbpf_test:tick: argument 1 '8@a0': USDT arguments are read on x86_64 and arm64 only");

	/* .stapsdt.base: the address is moved by how far the section is from where the note says */
	struct elf e;
	struct usdt_site s[1];
	unsigned n = 0;
	char got[128];
	build(EM_X86_64, NULL, 0, "", 0x400100, 0x400110);
	int r = elf_open_exec(&e, img, sizeof img) || uelf_usdt(&e, NULL, NULL, s, 1, &n);
	snprintf(got, sizeof got, "%d %u 0x%llx 0x%llx 0x%llx", r, n, (unsigned long long)s[0].vaddr,
		 (unsigned long long)s[0].off, (unsigned long long)s[0].sema_off);
	char want[128];
	unsigned long long text = s[0].off - 0x10;
	snprintf(want, sizeof want, "0 1 0x%llx 0x%llx 0x%llx", 0x400000 + text + 0x10, text + 0x10, text + 2);
	check(!strcmp(got, want), "usdt: .stapsdt.base adjustment and the semaphore's file offset", got, want);
	/* a note that runs past its section */
	build(EM_X86_64, NULL, 0, "", 0, 0);
	{
		Elf64_Ehdr eh;
		Elf64_Shdr sh;
		memcpy(&eh, img, sizeof eh);
		memcpy(&sh, img + eh.e_shoff + 4 * sizeof sh, sizeof sh);
		unsigned big = 4000;
		memcpy(img + sh.sh_offset + 4, &big, 4); /* descsz */
		r = elf_open_exec(&e, img, sizeof img) || uelf_usdt(&e, NULL, NULL, s, 1, &n);
		check(r && strstr(e.err.msg, "runs past the section"), "usdt: a note longer than its section is refused", e.err.msg,
		      "... runs past the section");
	}

	const struct s dup[] = {{"f", 0x400010, STT_FUNC}, {"f", 0x400020, STT_FUNC}};
	sym_case(dup, 2, "f", "error: 'f' is at several addresses");
	const struct s same[] = {{"g", 0x400010, STT_FUNC}, {"g", 0x400010, (STB_GLOBAL << 4) | STT_FUNC}};
	sym_case(same, 2, "g", "0x400010 0x10 .symtab ");
	const struct s ver[] = {{"m@V1", 0x400030, STT_FUNC}, {"m@@V2", 0x400040, STT_FUNC}};
	sym_case(ver, 2, "m", "0x400040 0x40 .symtab V2");
	sym_case(ver, 2, "m@V1", "0x400030 0x30 .symtab V1");
	sym_case(ver, 2, "m@@V2", "0x400040 0x40 .symtab V2");
	sym_case(ver, 2, "m@V3", "error: no function 'm@V3'");
	const struct s ifn[] = {{"strlen", 0x400050, 10 /* STT_GNU_IFUNC */}};
	sym_case(ifn, 1, "strlen", "error: 'strlen' is an IFUNC");
	const struct s far[] = {{"h", 0x900000, STT_FUNC}};
	sym_case(far, 1, "h", "error: address 0x900000 is in no loadable segment");
	sym_case(far, 1, "nope", "error: no function 'nope' in .symtab or .dynsym");

	/* ld.so.cache: entries for two machines, the one of ours found */
	unsigned char c[48 + 2 * 24 + 64] = "glibc-ld.so.cache1.1";
	unsigned nl = 2, f0 = 0x0303, f1 = 0x0a03, k = 96, v0 = 106, v1 = 128;
	memcpy(c + 20, &nl, 4);
	memcpy(c + 48, &f1, 4), memcpy(c + 52, &k, 4), memcpy(c + 56, &v1, 4);
	memcpy(c + 72, &f0, 4), memcpy(c + 76, &k, 4), memcpy(c + 80, &v0, 4);
	memcpy(c + 96, "libc.so.6", 10);
	memcpy(c + 106, "/lib/x86_64/libc.so.6", 22);
	memcpy(c + 128, "/lib/arm/libc.so.6", 19);
	const char *p = ldcache_find(c, sizeof c, "libc.so.6", EM_X86_64), *q = ldcache_find(c, sizeof c, "libc.so.6", EM_AARCH64);
	snprintf(got, sizeof got, "%s %s %s", p ? p : "-", q ? q : "-", ldcache_find(c, sizeof c, "libm.so.6", EM_X86_64) ? "?" : "-");
	check(!strcmp(got, "/lib/x86_64/libc.so.6 /lib/arm/libc.so.6 -"), "ld.so.cache: each machine's entry", got,
	      "/lib/x86_64/libc.so.6 /lib/arm/libc.so.6 -");
	nl = 1000; /* more entries than the file holds */
	memcpy(c + 20, &nl, 4);
	check(!ldcache_find(c, sizeof c, "libc.so.6", EM_X86_64), "ld.so.cache: a count past the file is refused", "", "");
}
