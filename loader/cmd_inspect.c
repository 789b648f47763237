/* rawbpf inspect OBJ [--disasm]: what an object holds, as rawbpf reads it, with no help from the
 * kernel: sections, programs, maps and global data, relocations, license, BTF; with --disasm
 * each linked program's instructions. Reads the file and makes no other system call. */
#include "cli.h"
#include "disasm.h"
#include "ext.h"
#include "emit.h"
#include "io.h"
#include "kernel.h"
#include <linux/elf.h>

static const char *sec_type(u32 t)
{
	return t <= SHT_REL ? rb_nth("NULL\0PROGBITS\0SYMTAB\0STRTAB\0RELA\0HASH\0DYNAMIC\0NOTE\0NOBITS\0REL", t)
	       : t == 0x6fff4c03 ? "LLVM_ADDRSIG" : "other";
}

/* What a section is for, as a loader sees it. */
static const char *sec_role(struct elf *e, const struct elf_sec *s, char *buf, size_t size)
{
	/* name, then role, until an empty name */
	static const char named[] = "license\0license\0version\0kernel version\0.maps\0maps (BTF-defined)\0maps\0"
				    "maps (legacy)\0.BTF\0types (BTF)\0.BTF.ext\0function and line info (BTF)\0.rawbpf\0"
				    "print formats (rawbpf)\0.text\0functions programs call\0";
	struct elf_sec t;
	for (const char *p = named; *p; p = rb_nth(p, 2))
		if (!rb_strcmp(s->name, p))
			return rb_nth(p, 1);
	if (s->type == SHT_REL && !elf_section(e, s->info, &t)) {
		rb_snprintf(buf, size, "relocations of %s", t.name);
		return buf;
	}
	if (s->type == SHT_PROGBITS && (s->flags & SHF_EXECINSTR))
		return "program";
	if (s->flags & SHF_ALLOC)
		return s->flags & SHF_WRITE ? "global data" : "global data (read-only)";
	return s->type == SHT_SYMTAB ? "symbols" : s->type == SHT_STRTAB ? "names" :
	       rb_startswith(s->name, ".debug") ? "debug info (DWARF)" : "";
}

/* "maps:" in text, the start of the array "maps" in JSON */
static void heading(struct emit *w, const char *key)
{
	if (!w->json)
		rb_printf("%s:\n", key);
	em_open(w, key, '[');
}

static const char *sec_name(struct obj *o, unsigned idx)
{
	struct elf_sec s;
	return elf_section(&o->elf, idx, &s) ? "?" : s.name;
}

static void describe_attach(const struct prog *p, char *buf, size_t size)
{
	static const char kinds[] = "none (loaded only)\0kprobe\0kretprobe\0syscall entry\0syscall return\0tracepoint\0"
				    "raw tracepoint\0uprobe\0uretprobe\0usdt\0BTF-typed"; /* by enum attach_kind */
	rb_snprintf(buf, size, "%s%s%s", rb_nth(kinds, p->def->kind), p->def->kind ? " " : "", p->target);
}

/* The function (piece) holding instruction i of p. */
static const struct piece *piece_at(const struct prog *p, u32 i)
{
	for (unsigned k = 0; k < p->npieces; k++)
		if (i >= p->pieces[k].at && i - p->pieces[k].at < p->pieces[k].cnt)
			return &p->pieces[k];
	return NULL;
}

/* What the object says instruction i refers to: a map, a map value, a called function. */
static void sym_of(const struct obj *o, const struct prog *p, u32 i, struct dis_sym *s)
{
	const struct bpf_insn *in = &p->insns[i];
	*s = (struct dis_sym){DIS_NONE, NULL, 0};
	if (in->code == (BPF_JMP | BPF_CALL) && in->src_reg == BPF_PSEUDO_CALL) {
		const struct piece *f = piece_at(p, i + 1 + (u32)in->imm);
		if (f)
			*s = (struct dis_sym){DIS_FUNC, f->name, f->at};
	}
	for (unsigned k = 0; k < p->nrels; k++) {
		const struct prog_rel *r = &p->rels[k];
		const struct ext *x = r->kind > PREL_MAP_VALUE ? &o->exts[r->map] : NULL;
		if (r->insn != i)
			continue;
		if (!x)
			*s = (struct dis_sym){r->kind == PREL_MAP_FD ? DIS_MAP : DIS_MAP_VALUE, o->maps[r->map].kname,
					      r->value_off};
		else if (x->kind == EXT_KCONFIG) /* .kconfig values: in their map */
			*s = (struct dis_sym){DIS_MAP_VALUE, o->maps[o->kconfig_map].kname, x->off + r->value_off};
		else
			*s = (struct dis_sym){DIS_EXTERN, x->name, 0};
	}
}

static void sections(struct emit *w, struct obj *o)
{
	struct elf *e = &o->elf;
	struct elf_sec s;
	char buf[160], flags[4];
	heading(w, "sections");
	for (unsigned i = 1; i < e->shnum; i++) {
		if (elf_section(e, i, &s))
			continue;
		size_t n = 0;
		for (const char *f = "\2A\1W\4X"; *f; f += 2) /* SHF_ALLOC, SHF_WRITE, SHF_EXECINSTR */
			if (s.flags & (u8)*f)
				flags[n++] = f[1];
		flags[n] = 0;
		em_rec(w, "  [%2{index}u] %-24{name}s %-9{type}s %-3{flags}s %6{size}llu  %{role}s\n", i, s.name,
		       sec_type(s.type), flags, (unsigned long long)s.size, sec_role(e, &s, buf, sizeof buf));
	}
	em_close(w);
}

/* What a user-space probe's target resolves to: the file, the offset, each USDT site. */
static void user_target(struct emit *w, const struct prog *p)
{
	char what[256], *path;
	struct usite *s;
	unsigned n;
	struct err e;
	if (uprobe_resolve(p->target, p->def->kind == ATTACH_USDT, &path, &s, &n, what, sizeof what, &e) < 0) {
		em_rec(w, "    -> %{error}s\n", e.msg);
		return;
	}
	em_rec(w, "    -> %{resolved}s\n", what);
	if (p->def->kind == ATTACH_USDT) {
		em_open(w, "sites", '[');
		for (unsigned i = 0; i < n; i++)
			em_rec(w, "    site %u: address 0x%{address}llx, file offset 0x%{offset}llx, semaphore 0x%{semaphore}llx: "
				  "%{args}s (%{parsed}s)\n", i, (unsigned long long)s[i].vaddr, (unsigned long long)s[i].off,
			       (unsigned long long)s[i].sema, s[i].args, s[i].parsed);
		em_close(w);
	}
	rb_free(s);
	rb_free(path);
}

static void programs(struct emit *w, struct obj *o)
{
	char attach[192];
	heading(w, "programs");
	for (unsigned i = 0; i < o->nprogs; i++) {
		struct prog *p = &o->progs[i];
		describe_attach(p, attach, sizeof attach);
		em_open(w, NULL, '{');
		em_rec(w, "  %-16{name}s %-28{section}s %-14{type}s %{attach}s%.0{target}s, %{insns}u instructions%s%{autoload}b",
		       p->name, p->sec, prog_type_name(p->def->prog_type), attach, p->target, p->insn_cnt,
		       p->autoload ? "" : ", not loaded by default ('?')", p->autoload);
		em_open(w, "functions", '[');
		for (unsigned k = 0; k < p->npieces; k++)
			em_rec(w, k ? "%s%{name}s%.0{section}s%.0{start}u%.0{insns}u" : "%s%.0{name}s%.0{section}s%.0{start}u%.0{insns}u",
			       k == 1 ? "; calls " : k ? ", " : "", p->pieces[k].name, sec_name(o, p->pieces[k].sec_idx),
			       p->pieces[k].at, p->pieces[k].cnt);
		em_close(w);
		em_rec(w, "\n");
		if (attach_is_user(p->def->kind) && p->target[0])
			user_target(w, p);
		em_close(w);
	}
	em_close(w);
}

static void maps(struct emit *w, struct obj *o)
{
	/* by enum map_def: the text's words, then JSON's */
	static const char defs[] = "BTF-defined in \0legacy, in \0global data \0btf\0legacy\0data";
	heading(w, "maps");
	for (unsigned i = 0; i < o->nmaps; i++) {
		struct map *m = &o->maps[i];
		bool data = m->def == MAP_DEF_DATA, ro = data && (m->flags & BPF_F_RDONLY_PROG);
		em_rec(w, "  %-16{name}s %-16{type}s key %{key_size}u, value %{value_size}u, entries %{max_entries}u%s, "
			  "flags 0x%{flags}x: %s%.0{definition}s%{section}s%s%{read_only}b\n",
		       m->kname, map_type_name(m->type), m->key_size, m->value_size, m->max_entries,
		       m->type == BPF_MAP_TYPE_PERF_EVENT_ARRAY && !m->max_entries ? " (one per CPU)" : "",
		       m->flags, rb_nth(defs, m->def), rb_nth(defs, m->def + 3), sec_name(o, m->sec_idx),
		       ro ? ", read-only to programs (frozen)" : "", ro);
	}
	em_close(w);
}

/* What loading patches: each ld_imm64 gets a map fd or a map value's address, each BPF-to-BPF
 * call the distance to its function in the linked program, each prog array slot a program. */
/* .kconfig and .ksyms externs: what the loader will look for in this kernel. */
static void externs(struct emit *w, struct obj *o)
{
	static const char kinds[] = "kconfig\0ksym\0kfunc";
	heading(w, "externs");
	for (unsigned i = 0; i < o->nexts; i++) {
		const struct ext *x = &o->exts[i];
		bool kc = x->kind == EXT_KCONFIG, untyped = x->kind == EXT_KSYM && !x->type;
		/* the same arguments for both ("%.0u" uses one and shows nothing) */
		em_rec(w, kc ? "  %{name}s: %{kind}s%s%{weak}b, at %{offset}u of the .kconfig map, %{size}u bytes%.0s%.0u\n"
			     : "  %{name}s: %{kind}s%s%{weak}b%.0u%.0u%s%{untyped}b\n",
		       x->name, rb_nth(kinds, x->kind), x->weak ? ", weak" : "", x->weak, x->off, x->size,
		       untyped ? ", untyped (its address, from /proc/kallsyms)" : "", untyped);
	}
	em_close(w);
}

/* One relocation of kind (DIS_*, or 5: a prog array slot); each takes the same arguments ("%.0u"
 * uses one and shows nothing). */
static void reloc(struct emit *w, unsigned kind, const char *in, u32 at, const char *target, u32 off)
{
	char fmt[112];
	rb_snprintf(fmt, sizeof fmt, "  %%{in}s %s%%.0{kind}s\n",
		    rb_nth("\0insn %{at}u: map fd of %{target}s%.0u\0insn %{at}u: address of map %{target}s's value + "
			   "%{offset}u\0insn %{at}u: call of %{target}s, linked at insn %{offset}u\0insn %{at}u: extern "
			   "%{target}s%.0u\0slot %{at}u: fd of program %{target}s%.0u", kind));
	em_rec(w, fmt, in, at, target, off, rb_nth("\0map_fd\0map_value\0call\0extern\0prog_array_slot", kind));
}

static void relocations(struct emit *w, struct obj *o)
{
	struct dis_sym s;
	heading(w, "relocations");
	for (unsigned i = 0; i < o->nprogs; i++) {
		struct prog *p = &o->progs[i];
		for (u32 k = 0; k < p->insn_cnt; k++) {
			sym_of(o, p, k, &s);
			if (s.kind != DIS_NONE)
				reloc(w, s.kind, p->name, k, s.name, s.off);
		}
	}
	for (unsigned i = 0; i < o->nmaps; i++)
		for (unsigned k = 0; k < o->maps[i].nslots; k++)
			reloc(w, 5, o->maps[i].kname, o->maps[i].slots[k].key, o->maps[i].slots[k].prog->name, 0);
	em_close(w);
}

/* CO-RE: each relocation as the object asks for it, and with the kernel's BTF (or --btf) what
 * it resolves to there. */
static void core_relocations(struct emit *w, struct obj *o, const char *btf)
{
	struct loaded l = {.o = o, .btf_fd = -1, .btf_path = btf};
	struct err e;
	struct core_res *res = rb_zalloc(o->ncore * sizeof *res);
	char (*msg)[120] = rb_zalloc(o->ncore * sizeof *msg), path[160];
	bool resolved = load_core_resolve(&l, res, msg, &e) == 0;
	em_open(w, "core", '{');
	em_rec(w, "CO-RE relocations: %{count}u, ", o->ncore);
	if (resolved)
		em_rec(w, "against %{btf}s (%u types)\n", l.kbtf->src, l.kbtf->btf.ntypes);
	else
		em_rec(w, "not resolved: %{error}s\n", e.msg);
	em_open(w, "relocations", '[');
	for (unsigned i = 0, n = 0; i < o->nprogs; i++)
		for (u32 k = 0; k < o->progs[i].core_cnt; k++, n++) {
			const struct core_rec *r = &o->progs[i].core[k];
			core_path(&o->btf, r, path, sizeof path);
			/* not resolved, an error, poisoned, resolved: each takes the same arguments ("%.0u"
			 * uses one and shows nothing) */
			static const char *const fmt[] = {
				"%.0s%.0llu%.0llu%.0u%.0s\n", ": error: %{error}s%.0llu%.0llu%.0u%.0s\n",
				"%.0s: %{local}llu, here poisoned%.0llu%{poisoned}b: %{why}s\n",
				"%.0s: %{local}llu, here %{target}llu%.0{target_type}u%.0s\n"};
			char line[160];
			const struct core_res *x = &res[n];
			rb_snprintf(line, sizeof line, "  %%{in}s insn %%{insn}u: %%{kind}s %%{access}s (local type %%{type}u)%s",
				    fmt[!resolved ? 0 : msg[n][0] ? 1 : x->poison ? 2 : 3]);
			em_rec(w, line, o->progs[i].name, r->insn, core_kind_name(r->kind), path, r->type_id, msg[n],
			       (unsigned long long)x->orig, (unsigned long long)x->val, x->poison ? 1u : x->targ_id,
			       x->why ? x->why : "");
		}
	em_close(w);
	em_close(w);
	load_release(&l);
	rb_free(res);
	rb_free(msg);
}

/* One listing: p's instructions, functions and what they refer to from the object model; else
 * (p NULL) code section i's as the ELF reader finds them, functions and relocations by symbol. */
__attribute__((noinline)) static void listing(struct emit *w, struct obj *o, const struct prog *p, unsigned i, const char *name,
		    const struct bpf_insn *in, u32 n)
{
	struct elf *e = &o->elf;
	struct elf_sec rs;
	struct elf_sym sym;
	struct elf_rel rel;
	struct dis_sym ds;
	char buf[160];
	em_open(w, NULL, '{');
	em_rec(w, p ? "\nprog %{program}s, %u instructions:\n" : "\nsection %{section}s, %u instructions:\n", name, n);
	em_open(w, "insns", '[');
	for (u32 k = 0; k < n;) {
		const struct piece *f = p ? piece_at(p, k) : NULL;
		if (p) {
			if (f && f->at == k)
				em_rec(w, "%s (%s):\n", f->name, sec_name(o, f->sec_idx));
			sym_of(o, p, k, &ds);
		} else {
			ds = (struct dis_sym){DIS_NONE, NULL, 0};
			for (unsigned j = 1; j < elf_nsyms(e); j++)
				if (!elf_symbol(e, j, &sym) && sym.shndx == i && sym.type == STT_FUNC && sym.value == (u64)k * 8)
					em_rec(w, "%s (%s):\n", sym.name, name);
			for (unsigned j = 1; j < e->shnum; j++)
				for (unsigned q = 0; !elf_section(e, j, &rs) && rs.type == SHT_REL && rs.info == i && q < elf_nrels(&rs); q++)
					if (!elf_reloc(e, &rs, q, &rel) && rel.offset == (u64)k * 8 && !elf_symbol(e, rel.sym, &sym))
						ds = (struct dis_sym){in[k].code == (BPF_JMP | BPF_CALL) ? DIS_FUNC : DIS_MAP, sym.name, 0};
		}
		u32 used = (u32)disasm_insn(in, k, n - k, &ds, buf, sizeof buf);
		em_rec(w, p ? "%6{index}u: (%02{opcode}x) %{asm}s%.0{function}s\n" : "%6{index}u: (%02{opcode}x) %{asm}s\n", k,
		       in[k].code, buf, f ? f->name : "");
		k += used;
	}
	em_close(w);
	em_close(w);
}

static void disasm(struct emit *w, struct obj *o)
{
	em_open(w, "disassembly", '[');
	for (unsigned i = 0; i < o->nprogs; i++)
		listing(w, o, &o->progs[i], 0, o->progs[i].name, o->progs[i].insns, o->progs[i].insn_cnt);
	em_close(w);
}

/* An object the object model refuses (a section kind rawbpf does not know, say): each code
 * section's instructions as the ELF reader finds them. */
static void raw_code(struct emit *w, struct obj *o)
{
	struct elf_sec s;
	em_open(w, "disassembly", '[');
	for (unsigned i = 1; i < o->elf.shnum; i++) {
		if (elf_section(&o->elf, i, &s) || s.type != SHT_PROGBITS || !(s.flags & SHF_EXECINSTR) || !s.size)
			continue;
		struct bpf_insn *in = rb_alloc(s.size + 8); /* (the file's bytes need not be aligned) */
		memcpy(in, s.data, (size_t)s.size);
		listing(w, o, NULL, i, s.name, in, (u32)(s.size / 8));
		rb_free(in);
	}
	em_close(w);
}

int do_inspect(struct opts *opt)
{
	struct obj o;
	struct err e, e2;
	struct emit w = {.json = opt->json};
	u8 *file;
	size_t size;
	int r = open_object(opt->obj, &o, &e);
	if (r == 0 && apply_attach_to(&o, opt, &e) < 0) {
		obj_free(&o);
		return report(&e, EXIT_USAGE);
	}
	if (r < 0) {
		/* Not something rawbpf can load: show what the ELF reader can, and still exit 3. */
		memset(&o, 0, sizeof o);
		if (r != RB_EOBJ || rb_read_file(opt->obj, 100u << 20, &file, &size, &e2) < 0)
			return report(&e, EXIT_BADOBJ);
		o.owned = file;
		o.name = opt->obj;
		if (elf_open(&o.elf, file, size)) {
			obj_free(&o);
			return report(&e, EXIT_BADOBJ);
		}
		report(&e, 0);
		rb_eprintf("rawbpf: notice: what the ELF reader finds follows\n");
		for (unsigned i = 1; i < o.elf.shnum; i++) {
			struct elf_sec s;
			if (!elf_section(&o.elf, i, &s) && s.data && !rb_strcmp(s.name, "license"))
				memcpy(o.license, s.data, rb_strnlen((const char *)s.data, rb_min64(s.size, sizeof o.license - 1)));
		}
	}
	em_open(&w, NULL, '{');
	em_rec(&w, "object %{object}s: license \"%{license}s\"", o.name, o.license);
	if (o.has_version)
		em_rec(&w, ", kernel version 0x%{version}x", o.kversion);
	em_rec(&w, "\n");
	sections(&w, &o);
	if (r < 0) {
		if (opt->disasm)
			raw_code(&w, &o);
		em_close(&w);
		obj_free(&o);
		return EXIT_BADOBJ;
	}
	programs(&w, &o);
	maps(&w, &o);
	externs(&w, &o);
	relocations(&w, &o);
	if (o.ncore)
		core_relocations(&w, &o, opt->btf);
	em_open(&w, "btf", '{');
	if (o.has_btf)
		em_rec(&w, "BTF: %{types}u types, %{strings}u bytes of strings", o.btf.ntypes, o.btf.str_len);
	else
		em_rec(&w, "BTF: none (built without -g)");
	em_rec(&w, "; .BTF.ext %s%{ext}b\n", o.btf_ext ? "present: function and line info" : "absent", o.btf_ext != NULL);
	em_close(&w);
	if (opt->disasm)
		disasm(&w, &o);
	em_close(&w);
	obj_free(&o);
	return EXIT_OK;
}
