/* What the object model's files share while obj_parse builds an object: parse-time state and
 * the steps obj.c calls in order. Internal to loader/obj*.c. */
#ifndef RAWBPF_OBJ_INT_H
#define RAWBPF_OBJ_INT_H
#include "ext.h"
#include <linux/elf.h>

#define R_BPF_64_64 1      /* ld_imm64: a map, or an address in global data */
#define R_BPF_64_32 10     /* call: the target is symbol + (imm + 1) * 8 */

#define INSN 8u

static inline bool is_code(const struct elf_sec *s)
{
	return s->type == SHT_PROGBITS && (s->flags & SHF_EXECINSTR) && s->size;
}

static inline bool is_prog_section(const struct elf_sec *s)
{
	return is_code(s) && rb_strcmp(s->name, ".text");
}

static inline bool is_data_section(const struct elf_sec *s)
{
	return (s->type == SHT_PROGBITS || s->type == SHT_NOBITS) && (s->flags & SHF_ALLOC) &&
	       !(s->flags & SHF_EXECINSTR) &&
	       (rb_startswith(s->name, ".data") || rb_startswith(s->name, ".rodata") ||
		rb_startswith(s->name, ".bss"));
}

/* Everything callable: the STT_FUNC symbols of code sections. */
struct func {
	const char *name;
	unsigned sec_idx;
	u64 off;
	u32 cnt;
};

/* A resolved relocation of a code section. */
enum { REL_MAP_FD = PREL_MAP_FD, REL_MAP_VALUE = PREL_MAP_VALUE, REL_EXT = PREL_EXT, REL_KFUNC = PREL_KFUNC, REL_CALL };
struct rel {
	unsigned sec_idx, target_sec;
	u64 off, target_off;
	u32 kind, map, value_off, index;
};

/* Parse-time state that does not outlive obj_parse. */
struct ctx {
	struct obj *o;
	struct func *funcs;
	unsigned nfuncs;
	struct rel *rels;
	unsigned nrels, cap_rels, cap_maps;
	int maps_sec, btf_maps_sec; /* "maps", ".maps" section indexes, -1 if none */
};

/* obj_prog.c: programs (global functions of program sections) and every function, for calls. */
int find_functions(struct ctx *c);
const struct func *func_at(struct ctx *c, unsigned sec, u64 off);
/* obj_map.c: the name the kernel gets: prefix (at most 8 characters) and name, [A-Za-z0-9_.] */
void set_kname(struct map *m, const char *prefix, const char *name);
/* obj_map.c: maps from "maps", ".maps" and global data sections; the .rawbpf section. */
int legacy_maps(struct ctx *c, const struct elf_sec *s);
int btf_maps(struct ctx *c, const struct elf_sec *s);
struct map *data_map(struct ctx *c, const struct elf_sec *s);
int rawbpf_section(struct ctx *c, const struct elf_sec *s);
/* obj_link.c: every relocation checked and recorded; each program linked with its callees. */
int relocations(struct ctx *c);
int link_prog(struct ctx *c, struct prog *p);
/* obj_btf.c: a program's func_info and line_info from .BTF.ext. */
int btf_ext_prog(struct obj *o, struct prog *p);
#endif
