/* Relocations and linking: each relocation of a code section checked and recorded, prog array
 * slots from .rel.maps, every program linked with the subprograms it calls, map fds applied. */
#include "obj_int.h"

/* Checks one relocation of a code section and records what it asks for. A message says what is
 * wrong; the caller puts "prog 'NAME': relocation #N: " before it (*whatp: NAME, a function or
 * else the section; *prog false: "SECTION: relocation #N: "), or nothing if *whatp is NULL. */
static int code_reloc(struct ctx *c, const struct elf_sec *rs, const struct elf_sec *target, unsigned i,
		      const char **whatp, bool *prog)
{
	struct obj *o = c->o;
	struct elf *e = &o->elf;
	struct elf_sec symsec;
	struct elf_rel r;
	struct elf_sym sym;

	*whatp = NULL, *prog = false;
	if (elf_reloc(e, rs, i, &r))
		return ERR_PASS(o, e);
	*whatp = target->name;
	if (r.offset % INSN)
		return FAIL(o, "offset %llu is not at an instruction boundary", (unsigned long long)r.offset);
	if (r.offset >= target->size || target->size - r.offset < INSN)
		return FAIL(o, "offset %llu past the end of the section (%llu bytes)", (unsigned long long)r.offset,
			    (unsigned long long)target->size);
	if (elf_symbol(e, r.sym, &sym))
		return FAIL(o, "%s", e->err.msg);
	if (r.type != R_BPF_64_64 && r.type != R_BPF_64_32)
		return FAIL(o, "type %u is not valid in code", r.type);
	const struct func *fn = func_at(c, target->idx, r.offset);
	const char *what = fn ? fn->name : target->name;
	*whatp = what, *prog = true;
	struct bpf_insn insn;
	memcpy(&insn, target->data + r.offset, sizeof insn);
	struct ext *x = sym.shndx == SHN_UNDEF ? obj_extern(o, sym.name) : NULL;
	if (sym.shndx == SHN_UNDEF && !x)
		return FAIL(o, "symbol '%s' is undefined, and not an extern of .kconfig or "
			       ".ksyms", sym.name);
	if (sym.shndx >= SHN_LORESERVE || (!x && elf_section(e, sym.shndx, &symsec)))
		return FAIL(o, "symbol '%s' is in no section", sym.name);
	struct rel *rel = &c->rels[c->nrels++];
	*rel = (struct rel){.sec_idx = target->idx, .off = r.offset, .index = i};
	if (x) {
		rel->map = (u32)(x - o->exts);
		rel->value_off = (u32)insn.imm;
		if (x->kind == EXT_KFUNC && insn.code == (BPF_JMP | BPF_CALL) && insn.src_reg == BPF_PSEUDO_CALL)
			rel->kind = REL_KFUNC;
		else if (insn.code == (BPF_LD | BPF_IMM | BPF_DW) && r.offset + 2 * INSN <= target->size)
			rel->kind = REL_EXT;
		else
			return FAIL(o, "extern '%s' used by an instruction that is neither a "
				       "64-bit load nor a kfunc call (opcode 0x%x)", sym.name, insn.code);
		return 0;
	}
	if (r.type == R_BPF_64_32 || (symsec.flags & SHF_EXECINSTR)) {
		if (insn.code != (BPF_JMP | BPF_CALL) || insn.src_reg != BPF_PSEUDO_CALL)
			return FAIL(o, "a call relocation on an instruction that is not a "
				       "BPF-to-BPF call (opcode 0x%x)", insn.code);
		if (!is_code(&symsec))
			return FAIL(o, "call into '%s', which is not code", symsec.name);
		/* Unsigned, so a hostile symbol value wraps instead of overflowing; any wrap lands
		 * far outside the section. */
		u64 t = sym.value + ((u64)(s64)insn.imm + 1) * INSN;
		if (t >= symsec.size)
			return FAIL(o, "call target %llu outside '%s' (%llu bytes)", (unsigned long long)t, symsec.name,
				    (unsigned long long)symsec.size);
		if (t % INSN)
			return FAIL(o, "call target %llu in '%s' is not on an instruction "
				       "boundary", (unsigned long long)t, symsec.name);
		rel->kind = REL_CALL;
		rel->target_sec = symsec.idx;
		rel->target_off = t;
		return 0;
	}
	if (insn.code != (BPF_LD | BPF_IMM | BPF_DW) || r.offset + 2 * INSN > target->size)
		return FAIL(o, "a map or data reference on an instruction that is not "
			       "a 64-bit load (opcode 0x%x)", insn.code);
	const char *symname = sym.name[0] ? sym.name : symsec.name;
	if ((int)sym.shndx == c->maps_sec || (int)sym.shndx == c->btf_maps_sec) {
		for (unsigned k = 0; k < o->nmaps; k++)
			if (o->maps[k].sec_idx == sym.shndx && o->maps[k].off == sym.value) {
				rel->kind = REL_MAP_FD;
				rel->map = k;
				return 0;
			}
		return FAIL(o, "'%s' in '%s' is not a map", symname, symsec.name);
	}
	if (is_data_section(&symsec)) {
		u64 off = sym.value + (u64)(s64)insn.imm;
		if (off >= symsec.size && !(off == 0 && symsec.size == 0))
			return FAIL(o, "offset %llu of '%s' past the end of '%s' (%llu bytes)", (unsigned long long)off, symname,
				    symsec.name,
				    (unsigned long long)symsec.size);
		struct map *m = data_map(c, &symsec);
		if (!m)
			return RB_EOBJ;
		rel->kind = REL_MAP_VALUE;
		rel->map = (u32)(m - o->maps);
		rel->value_off = (u32)off;
		return 0;
	}
	return FAIL(o, "reference to '%s' in section '%s', which is neither a map nor "
		       "global data", symname, symsec.name);
}

/* Initial values of BTF-defined prog arrays: ".rel.maps" entries pointing at programs. */
static int map_values(struct ctx *c, const struct elf_sec *rs)
{
	struct obj *o = c->o;
	struct elf *e = &o->elf;
	struct elf_rel r;
	struct elf_sym sym;
	struct map *m;
	u64 slot;
	for (unsigned i = 0; i < elf_nrels(rs); i++) {
		if (elf_reloc(e, rs, i, &r) || elf_symbol(e, r.sym, &sym))
			return ERR_PASS(o, e);
		m = NULL;
		for (unsigned k = 0; k < o->nmaps; k++)
			if (o->maps[k].def == MAP_DEF_BTF && r.offset >= o->maps[k].off &&
			    r.offset - o->maps[k].off < o->maps[k].def_size)
				m = &o->maps[k];
		if (!m || !m->values_off || r.offset - m->off < m->values_off || (r.offset - m->off - m->values_off) % 8)
			return FAIL(o, "'.maps': relocation #%u at offset %llu is not in a map's initial values", i,
				    (unsigned long long)r.offset);
		slot = (r.offset - m->off - m->values_off) / 8;
		if (m->type != BPF_MAP_TYPE_PROG_ARRAY || slot >= m->max_entries) {
			FAIL(o, "only prog arrays take initial values here, within max_entries (%u)", m->max_entries);
			goto bad;
		}
		struct prog *p = NULL;
		for (unsigned k = 0; k < o->nprogs; k++)
			if (o->progs[k].sec_idx == sym.shndx && o->progs[k].off == sym.value)
				p = &o->progs[k];
		if (!p) {
			FAIL(o, "'%s' is not a program", sym.name);
			goto bad;
		}
		for (unsigned k = 0; k < m->nslots; k++)
			if (m->slots[k].key == slot) {
				FAIL(o, "set twice");
				goto bad;
			}
		if (!m->slots) /* at most one slot per relocation: never sized by the file's max_entries */
			m->slots = rb_zalloc(elf_nrels(rs) * sizeof *m->slots);
		m->slots[m->nslots++] = (struct map_slot){(u32)slot, p};
	}
	return 0;
bad:
	return err_ctx(&o->err, "map '%s': initial value #%llu", m->name, (unsigned long long)slot);
}

int relocations(struct ctx *c)
{
	struct obj *o = c->o;
	struct elf *e = &o->elf;
	struct elf_sec rs, target;
	for (unsigned i = 1; i < e->shnum; i++) {
		elf_section(e, i, &rs);
		if (rs.type == SHT_RELA)
			return FAIL(o, "section '%s': RELA relocations are not used by BPF objects", rs.name);
		if (rs.type != SHT_REL)
			continue;
		if (rs.info >= e->shnum || rs.info == 0)
			return FAIL(o, "relocation section '%s': target section index %u out of range (%u sections)",
				    rs.name, rs.info, e->shnum);
		if (elf_section(e, rs.info, &target))
			return ERR_PASS(o, e);
		bool code = is_code(&target), values = (int)target.idx == c->btf_maps_sec;
		if (!code && !values)
			continue; /* .BTF, .BTF.ext, debug info: nothing the kernel needs from us */
		if (rs.link != (unsigned)e->symtab)
			return FAIL(o, "relocation section '%s': symbol table index %u is not the symbol table", rs.name,
				    rs.link);
		if (rs.entsize != 16 || rs.size % 16) /* (elf_reloc's check and words, for a section of none) */
			return FAIL(o, "relocation section '%s': entry size %llu and size %llu do not fit %zu-byte entries",
				    rs.name, (unsigned long long)rs.entsize, (unsigned long long)rs.size, (size_t)16);
		if (values) {
			if (map_values(c, &rs))
				return RB_EOBJ;
			continue;
		}
		if (c->nrels + elf_nrels(&rs) > c->cap_rels)
			return FAIL(o, "too many relocations");
		for (unsigned k = 0; k < elf_nrels(&rs); k++) {
			const char *what;
			bool prog;
			if (code_reloc(c, &rs, &target, k, &what, &prog))
				return what ? err_ctx(&o->err, prog ? "prog '%s': relocation #%u" : "%s: relocation #%u", what, k)
					    : RB_EOBJ;
		}
	}
	return 0;
}

static const struct rel *rel_at(struct ctx *c, unsigned sec, u64 off)
{
	for (unsigned i = 0; i < c->nrels; i++)
		if (c->rels[i].sec_idx == sec && c->rels[i].off == off)
			return &c->rels[i];
	return NULL;
}

/* Copies a program's body and, after it, every function it calls (transitively), fixing call
 * offsets to the new layout and noting which instructions take map fds. (A message: the
 * caller puts "prog 'NAME': " before it.) */
int link_prog(struct ctx *c, struct prog *p)
{
	struct obj *o = c->o;
	struct elf *e = &o->elf;
	u64 total = p->body_cnt;
	for (unsigned i = 0; i < c->nfuncs; i++)
		total += c->funcs[i].cnt;
	if (total > 1000000)
		return FAIL(o, "too many instructions (%llu)", (unsigned long long)total);
	p->insns = rb_alloc(total * sizeof *p->insns);
	p->pieces = rb_zalloc((c->nfuncs + 1) * sizeof *p->pieces);
	p->rels = rb_zalloc((c->nrels ? c->nrels : 1) * sizeof *p->rels);
	p->pieces[0] = (struct piece){p->sec_idx, p->off, 0, p->body_cnt, p->name};
	p->npieces = 1;
	p->insn_cnt = 0;
	for (unsigned pi = 0; pi < p->npieces; pi++) {
		struct piece *pc = &p->pieces[pi];
		struct elf_sec s;
		elf_section(e, pc->sec_idx, &s);
		memcpy(p->insns + pc->at, s.data + pc->off, (size_t)pc->cnt * INSN);
		p->insn_cnt = pc->at + pc->cnt;
		for (u32 j = 0; j < pc->cnt; j++) {
			u32 idx = pc->at + j;
			u64 off = pc->off + (u64)j * INSN;
			struct bpf_insn *in = &p->insns[idx];
			const struct rel *r = rel_at(c, pc->sec_idx, off);
			bool ld = in->code == (BPF_LD | BPF_IMM | BPF_DW);
			if (ld && j + 1 >= pc->cnt)
				return FAIL(o, "64-bit load at instruction %u is cut off", idx);
			if (ld && in->src_reg == BPF_PSEUDO_FUNC)
				return FAIL(o, "instruction %u passes a function as a callback: not "
					       "supported", idx);
			/* (code_reloc put map and extern relocations on 64-bit loads, kfunc ones on calls) */
			if (r && r->kind != REL_CALL) {
				p->rels[p->nrels++] = (struct prog_rel){idx, r->kind, r->map, r->value_off};
				if (r->kind < REL_EXT)
					o->maps[r->map].used = true;
			}
			if (ld) {
				j++;
				continue;
			}
			if (in->code == (BPF_JMP | BPF_CALL) && in->src_reg == 0 &&
			    (in->imm == BPF_FUNC_trace_printk || in->imm == BPF_FUNC_trace_vprintk))
				p->uses_trace_printk = true;
			if (r && r->kind == REL_KFUNC)
				continue;
			if (in->code != (BPF_JMP | BPF_CALL) || in->src_reg != BPF_PSEUDO_CALL) {
				if (r)
					return FAIL(o, "relocation #%u lands on instruction %u, neither a "
						       "64-bit load nor a call", r->index, idx);
				continue;
			}
			unsigned tsec = pc->sec_idx;
			s64 toff = (s64)off + ((s64)in->imm + 1) * INSN;
			if (r)
				tsec = r->target_sec, toff = (s64)r->target_off;
			const struct func *f = toff >= 0 ? func_at(c, tsec, (u64)toff) : NULL;
			if (!f)
				return FAIL(o, "the call at instruction %u goes to no known function", idx);
			struct piece *q = NULL;
			for (unsigned k = 0; k < p->npieces; k++)
				if (p->pieces[k].sec_idx == f->sec_idx && p->pieces[k].off == f->off)
					q = &p->pieces[k];
			if (!q) {
				if (p->npieces > c->nfuncs)
					return FAIL(o, "too many called functions");
				q = &p->pieces[p->npieces++];
				*q = (struct piece){f->sec_idx, f->off, p->pieces[p->npieces - 2].at +
								 p->pieces[p->npieces - 2].cnt, f->cnt, f->name};
				pc = &p->pieces[pi]; /* (the array does not move; keep the pointer honest) */
			}
			in->imm = (s32)((s64)q->at + ((u64)toff - f->off) / INSN - (s64)idx - 1);
		}
	}
	return 0;
}

void obj_apply_maps(struct obj *o, struct prog *p)
{
	ext_apply(o, p);
	for (unsigned i = 0; i < p->nrels; i++) {
		struct bpf_insn *in = &p->insns[p->rels[i].insn];
		if (p->rels[i].kind > PREL_MAP_VALUE)
			continue;
		in[0].src_reg = p->rels[i].kind == PREL_MAP_FD ? BPF_PSEUDO_MAP_FD : BPF_PSEUDO_MAP_VALUE;
		in[0].imm = o->maps[p->rels[i].map].fd;
		in[1].imm = p->rels[i].kind == PREL_MAP_FD ? 0 : (s32)p->rels[i].value_off;
	}
}
