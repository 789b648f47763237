/* Builds the object model from a BPF ELF object: programs by section name through one table
 * (libbpf's conventions), license, version, and checks on every relocation. */
#include "obj.h"
#include <linux/elf.h>

#define R_BPF_NONE 0
#define R_BPF_64_64 1      /* ld_imm64: map or global data address */
#define R_BPF_64_ABS64 2   /* data */
#define R_BPF_64_ABS32 3
#define R_BPF_64_NODYLD32 4 /* .BTF / .BTF.ext */
#define R_BPF_64_32 10     /* call: pc-relative target */

#define FAIL(o, ...) (rb_snprintf((o)->err, sizeof (o)->err, __VA_ARGS__), RB_EOBJ)

/* Section names to program types, as libbpf names them. An entry ending in '/' takes a target. */
static const struct sec_def sec_defs[] = {
	{"kprobe/", BPF_PROG_TYPE_KPROBE, 0, ATTACH_KPROBE},
	{"kretprobe/", BPF_PROG_TYPE_KPROBE, 0, ATTACH_KRETPROBE},
	{"ksyscall/", BPF_PROG_TYPE_KPROBE, 0, ATTACH_KSYSCALL},
	{"kretsyscall/", BPF_PROG_TYPE_KPROBE, 0, ATTACH_KRETSYSCALL},
	{"tracepoint/", BPF_PROG_TYPE_TRACEPOINT, 0, ATTACH_TRACEPOINT},
	{"tp/", BPF_PROG_TYPE_TRACEPOINT, 0, ATTACH_TRACEPOINT},
	{"raw_tracepoint/", BPF_PROG_TYPE_RAW_TRACEPOINT, 0, ATTACH_NONE},
	{"raw_tp/", BPF_PROG_TYPE_RAW_TRACEPOINT, 0, ATTACH_NONE},
	{"xdp", BPF_PROG_TYPE_XDP, BPF_XDP, ATTACH_NONE},
	{"socket", BPF_PROG_TYPE_SOCKET_FILTER, 0, ATTACH_NONE},
	{"tc", BPF_PROG_TYPE_SCHED_CLS, 0, ATTACH_NONE},
	{"classifier", BPF_PROG_TYPE_SCHED_CLS, 0, ATTACH_NONE},
	{"perf_event", BPF_PROG_TYPE_PERF_EVENT, 0, ATTACH_NONE},
	{"kprobe", BPF_PROG_TYPE_KPROBE, 0, ATTACH_NONE},
	{"tracepoint", BPF_PROG_TYPE_TRACEPOINT, 0, ATTACH_NONE},
};

const struct sec_def *sec_def_find(const char *sec, const char **target)
{
	for (size_t i = 0; i < ARRAY_SIZE(sec_defs); i++) {
		const char *p = sec_defs[i].prefix;
		size_t n = rb_strlen(p);
		if (rb_strncmp(sec, p, n))
			continue;
		if (p[n - 1] == '/') {
			*target = sec + n;
			return &sec_defs[i];
		}
		if (sec[n] == 0 || sec[n] == '/') { /* "xdp" or "xdp/anything" */
			*target = sec[n] ? sec + n + 1 : sec + n;
			return &sec_defs[i];
		}
	}
	return NULL;
}

/* The licenses the kernel treats as GPL-compatible (license_is_gpl_compatible()). */
bool license_is_gpl(const char *l)
{
	static const char *const ok[] = {"GPL", "GPL v2", "GPL and additional rights", "Dual BSD/GPL",
					 "Dual MIT/GPL", "Dual MPL/GPL"};
	for (size_t i = 0; i < ARRAY_SIZE(ok); i++)
		if (!rb_strcmp(l, ok[i]))
			return true;
	return false;
}

static bool is_prog_section(const struct elf_sec *s)
{
	return s->type == SHT_PROGBITS && (s->flags & SHF_EXECINSTR) && s->size && rb_strcmp(s->name, ".text");
}

static int add_prog(struct obj *o, const struct elf_sec *s, const struct elf_sym *sym, unsigned cap)
{
	const char *sec = s->name, *target;
	bool autoload = true;
	if (sec[0] == '?')
		sec++, autoload = false;
	const struct sec_def *def = sec_def_find(sec, &target);
	if (!def)
		return FAIL(o, "prog '%s': unknown section name '%s' (rawbpf knows kprobe/, kretprobe/, ksyscall/, "
			       "kretsyscall/, tracepoint/, tp/, raw_tp/, xdp, socket, tc, perf_event)",
			    sym->name, s->name);
	if (def->prefix[rb_strlen(def->prefix) - 1] == '/' && !target[0])
		return FAIL(o, "prog '%s': section '%s' names no attach target after '%s'", sym->name, s->name,
			    def->prefix);
	if (sym->value % sizeof(struct bpf_insn) || sym->size % sizeof(struct bpf_insn) || !sym->size)
		return FAIL(o, "prog '%s': offset %llu or size %llu is not a whole number of instructions", sym->name,
			    (unsigned long long)sym->value, (unsigned long long)sym->size);
	if (sym->value > s->size || sym->size > s->size - sym->value)
		return FAIL(o, "prog '%s': offset %llu + size %llu past the end of section '%s' (%llu bytes)",
			    sym->name, (unsigned long long)sym->value, (unsigned long long)sym->size, s->name,
			    (unsigned long long)s->size);
	if (o->nprogs == cap)
		return FAIL(o, "too many programs");
	struct prog *p = &o->progs[o->nprogs++];
	p->name = sym->name;
	p->sec = sec;
	p->def = def;
	p->target = target;
	p->autoload = autoload;
	p->sec_idx = s->idx;
	p->off = sym->value;
	p->insn_cnt = (u32)(sym->size / sizeof(struct bpf_insn));
	p->insns = rb_alloc(sym->size);
	for (u64 i = 0; i < sym->size; i++)
		((u8 *)p->insns)[i] = s->data[sym->value + i];
	p->fd = -1;
	return 0;
}

static int find_progs(struct obj *o)
{
	struct elf *e = &o->elf;
	struct elf_sec s;
	struct elf_sym sym;
	unsigned cap = 0;

	for (unsigned i = 1; i < elf_nsyms(e); i++) {
		if (elf_symbol(e, i, &sym))
			return FAIL(o, "%s", e->err);
		if (sym.type == STT_FUNC && sym.bind == STB_GLOBAL)
			cap++;
	}
	o->progs = rb_zalloc((cap ? cap : 1) * sizeof *o->progs);
	for (unsigned i = 1; i < elf_nsyms(e); i++) {
		elf_symbol(e, i, &sym);
		if (sym.type != STT_FUNC || sym.bind != STB_GLOBAL || sym.shndx == SHN_UNDEF ||
		    sym.shndx >= SHN_LORESERVE)
			continue;
		if (elf_section(e, sym.shndx, &s))
			return FAIL(o, "symbol '%s': %s", sym.name, e->err);
		if (!is_prog_section(&s))
			continue;
		if (add_prog(o, &s, &sym, cap))
			return RB_EOBJ;
	}
	return 0;
}

static struct prog *prog_at(struct obj *o, unsigned sec_idx, u64 off)
{
	for (unsigned i = 0; i < o->nprogs; i++) {
		struct prog *p = &o->progs[i];
		if (p->sec_idx == sec_idx && off >= p->off && off - p->off < (u64)p->insn_cnt * 8)
			return p;
	}
	return NULL;
}

/* Checks each relocation of a program section: its place, its symbol, its kind. */
static int check_relocs(struct obj *o, const struct elf_sec *rs)
{
	struct elf *e = &o->elf;
	struct elf_sec target, symsec;
	struct elf_rel r;
	struct elf_sym sym;

	if (rs->info >= e->shnum || rs->info == 0)
		return FAIL(o, "relocation section '%s': target section index %u out of range (%u sections)", rs->name,
			    rs->info, e->shnum);
	if (elf_section(e, rs->info, &target))
		return FAIL(o, "%s", e->err);
	if (!is_prog_section(&target) && rb_strcmp(target.name, ".text"))
		return 0; /* .BTF, .BTF.ext, debug info: nothing the kernel needs from us */
	if (rs->link != (unsigned)e->symtab)
		return FAIL(o, "relocation section '%s': symbol table index %u is not the symbol table", rs->name,
			    rs->link);
	if (rs->entsize != 16 || rs->size % 16)
		return FAIL(o, "relocation section '%s': entry size %llu and size %llu do not fit 16-byte entries",
			    rs->name, (unsigned long long)rs->entsize, (unsigned long long)rs->size);
	for (unsigned i = 0; i < elf_nrels(rs); i++) {
		if (elf_reloc(e, rs, i, &r))
			return FAIL(o, "%s", e->err);
		const char *where = target.name;
		if (r.offset % sizeof(struct bpf_insn))
			return FAIL(o, "%s: relocation #%u: offset %llu is not at an instruction boundary", where, i,
				    (unsigned long long)r.offset);
		if (r.offset >= target.size || target.size - r.offset < sizeof(struct bpf_insn))
			return FAIL(o, "%s: relocation #%u: offset %llu past the end of the section (%llu bytes)", where,
				    i, (unsigned long long)r.offset, (unsigned long long)target.size);
		if (elf_symbol(e, r.sym, &sym))
			return FAIL(o, "%s: relocation #%u: %s", where, i, e->err);
		if (r.type != R_BPF_64_64 && r.type != R_BPF_64_32)
			return FAIL(o, "%s: relocation #%u: type %u is not valid in code", where, i, r.type);
		struct prog *p = prog_at(o, target.idx, r.offset);
		const char *what = p ? p->name : target.name;
		if (sym.shndx == SHN_UNDEF || sym.shndx >= SHN_LORESERVE)
			return FAIL(o, "prog '%s': relocation #%u: symbol '%s' is undefined (extern symbols are not supported)",
				    what, i, sym.name);
		if (elf_section(e, sym.shndx, &symsec))
			return FAIL(o, "prog '%s': relocation #%u: %s", what, i, e->err);
		if (r.type == R_BPF_64_32 || (symsec.flags & SHF_EXECINSTR))
			return FAIL(o, "prog '%s': relocation #%u: call into '%s': BPF-to-BPF calls are not supported yet",
				    what, i, symsec.name);
		return FAIL(o, "prog '%s': relocation #%u: reference to '%s' in '%s': maps and global data are not "
			       "supported yet",
			    what, i, sym.name[0] ? sym.name : symsec.name, symsec.name);
	}
	return 0;
}

void obj_free(struct obj *o)
{
	for (unsigned i = 0; i < o->nprogs; i++)
		rb_free(o->progs[i].insns);
	rb_free(o->progs);
	rb_free(o->owned);
	o->progs = NULL;
	o->owned = NULL;
	o->nprogs = 0;
}

int obj_parse(struct obj *o, const void *buf, size_t size, const char *name)
{
	struct elf *e = &o->elf;
	struct elf_sec s;

	o->name = name;
	o->owned = NULL;
	o->err[0] = 0;
	o->nprogs = 0;
	o->progs = NULL;
	o->license[0] = 0;
	o->has_version = false;
	o->kversion = 0;
	if (elf_open(e, buf, size))
		return FAIL(o, "%s", e->err);
	if (e->symtab < 0)
		return FAIL(o, "no symbol table: programs cannot be found (was the object stripped with --strip-all?)");
	for (unsigned i = 1; i < e->shnum; i++) {
		if (elf_section(e, i, &s))
			return FAIL(o, "%s", e->err);
		if (!rb_strcmp(s.name, "license")) {
			if (!s.data || !s.size || rb_strnlen((const char *)s.data, s.size) == s.size)
				return FAIL(o, "section 'license' is not a NUL-terminated string");
			rb_strlcpy(o->license, (const char *)s.data, sizeof o->license);
		} else if (!rb_strcmp(s.name, "version")) {
			if (!s.data || s.size != 4)
				return FAIL(o, "section 'version' has %llu bytes, expected 4", (unsigned long long)s.size);
			o->kversion = (u32)s.data[0] | (u32)s.data[1] << 8 | (u32)s.data[2] << 16 | (u32)s.data[3] << 24;
			o->has_version = true;
		}
	}
	if (find_progs(o))
		return RB_EOBJ;
	if (!o->nprogs)
		return FAIL(o, "no programs: no global function in a section rawbpf can load");
	for (unsigned i = 1; i < e->shnum; i++) {
		elf_section(e, i, &s);
		if (s.type == SHT_RELA)
			return FAIL(o, "section '%s': RELA relocations are not used by BPF objects", s.name);
		if (s.type == SHT_REL && check_relocs(o, &s))
			return RB_EOBJ;
	}
	return 0;
}
