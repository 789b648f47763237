/* The BTF reader on hand-made BTF: split BTF (a module's, on top of vmlinux's) and the .BTF
 * section of an ELF file of another machine (a vmlinux). */
#include <stdio.h>
#include "btf.h"
#include "btf_build.h"
#include "unit.h"

static void split(void)
{
	struct bb base, mod;
	struct btf vb, mb;
	struct btf_t t;
	unsigned long long vsize, msize;
	bb_init(&base, NULL);
	unsigned u32 = bint(&base, "unsigned int", 4, 0);
	unsigned ts = bt(&base, "task_struct", 4, 1, 0, 8);
	bmem(&base, "pid", u32, 0);
	unsigned char *v = bb_finish(&base, &vsize);
	bb_init(&mod, &base);
	unsigned m = bt(&mod, "mod_thing", 4, 2, 0, 16);
	bmem(&mod, "task", ts, 0);  /* a base type, used from the module */
	bmem(&mod, "count", u32, 64);
	unsigned f = bt(&mod, "mod_func", 12, 0, 0, 0);
	unsigned char *mbuf = bb_finish(&mod, &msize);
	check(btf_parse(&vb, v, vsize) == 0 && vb.ntypes == 2, "split BTF: base parses", vb.err.msg, "2 types");
	int r = btf_parse_split(&mb, mbuf, msize, &vb);
	check(r == 0 && mb.start_id == 2 && mb.ntypes == 4 && m == 3 && f == 4, "split BTF: ids continue after the base's",
	      mb.err.msg, "ids 3..4");
	const char *name;
	unsigned type = 0, bit;
	r = btf_type(&mb, m, &t) || btf_member(&mb, &t, 0, &name, &type, &bit);
	check(!r && !strcmp(t.name, "mod_thing") && !strcmp(name, "task") && type == ts, "split BTF: own type, own strings",
	      r ? mb.err.msg : name, "mod_thing.task");
	r = btf_type(&mb, type, &t) || btf_member(&mb, &t, 0, &name, &type, &bit);
	check(!r && !strcmp(t.name, "task_struct") && !strcmp(name, "pid"), "split BTF: base types and strings through it",
	      r ? mb.err.msg : name, "task_struct.pid");
	check(btf_find(&mb, "mod_func", 12) == f && btf_find(&mb, "task_struct", 4) == 0,
	      "split BTF: btf_find looks at the module's own types", "wrong id", "4, and 0 for a base type");
	check(btf_type(&mb, 5, &t) != 0 && strstr(mb.err.msg, "out of range"), "split BTF: id past the last refused", mb.err.msg,
	      "out of range");
	btf_free(&mb);
	/* A name offset past base + module strings is refused. */
	unsigned bad = base.s0 + base.slen + mod.slen + 5;
	memcpy(mbuf + 24, &bad, 4);
	check(btf_parse_split(&mb, mbuf, msize, &vb) != 0 && strstr(mb.err.msg, "name offset"),
	      "split BTF: name offset past the strings refused", mb.err.msg, "name offset ...");
	btf_free(&mb);
	btf_free(&vb);
	free(mbuf);

	/* The .BTF of an x86-64 executable (as a vmlinux is). */
	unsigned char elf[64 + 3 * 64 + 16] = {0x7f, 'E', 'L', 'F', 2, 1, 1};
	unsigned long long shoff = 64 + 16;
	unsigned short hs[] = {64, 3, 1}; /* shentsize, shnum, shstrndx */
	memcpy(elf + 40, &shoff, 8);
	memcpy(elf + 58, hs, 6);
	memcpy(elf + 64, "\0.shstrtab\0.BTF\0", 16);
	unsigned long long so = 64, ss = 16, bo = 0, bsz = 0;
	memcpy(elf + shoff + 64 + 24, &so, 8);
	memcpy(elf + shoff + 64 + 32, &ss, 8);
	unsigned nm = 11;
	memcpy(elf + shoff + 128, &nm, 4);
	const unsigned char *got;
	unsigned long long gsize;
	struct err err = {0};
	unsigned char *big = malloc(sizeof elf + vsize);
	bo = sizeof elf, bsz = vsize;
	memcpy(elf + shoff + 128 + 24, &bo, 8);
	memcpy(elf + shoff + 128 + 32, &bsz, 8);
	memcpy(big, elf, sizeof elf);
	memcpy(big + sizeof elf, v, vsize);
	r = btf_elf_section(big, sizeof elf + vsize, &got, (u64 *)&gsize, &err);
	check(r == 0 && got == big + sizeof elf && gsize == vsize, "BTF from an ELF file's .BTF section", err.msg, "found");
	r = btf_elf_section(big, sizeof elf + vsize - 1, &got, (u64 *)&gsize, &err);
	check(r != 0 && strstr(err.msg, "past the end"), "an ELF whose .BTF runs past its end is refused", err.msg, "past the end");
	nm = 1;
	memcpy(big + shoff + 128, &nm, 4);
	r = btf_elf_section(big, sizeof elf + vsize, &got, (u64 *)&gsize, &err);
	check(r != 0 && strstr(err.msg, "without a .BTF"), "an ELF without .BTF: message says so", err.msg, "without a .BTF");
	free(big);
	free(v);
}

void btf_tests(void)
{
	split();
}
