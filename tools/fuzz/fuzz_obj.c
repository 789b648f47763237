/* libFuzzer target: obj_parse, and so everything rawbpf does with a file's bytes before its first
 * system call (ELF reader, BTF reader, object model, relocation checks, the disassembler of
 * rawbpf inspect), under ASan and UBSan.
 * Besides the sanitizers it checks the contract callers rely on; a broken one aborts (a crash). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "disasm.h"
#include "obj.h"

#define FUZZ_NAME "fuzz_obj"
#include "fuzz.h"


/* A string handed out by the parser must be terminated inside memory ASan knows: strlen over it
 * reads every byte, so a name running off the end of the buffer is reported here. */
static size_t str_ok(const char *s, const char *what)
{
	CHECK(s != NULL, "%s is NULL", what);
	return strlen(s);
}

/* A code range [off, off + cnt instructions) of section idx lies inside the file. */
static void check_code(struct obj *o, const u8 *buf, size_t size, unsigned idx, u64 off, u64 cnt, const char *what)
{
	struct elf_sec s;
	CHECK(idx > 0 && idx < o->elf.shnum, "%s: section index %u of %u", what, idx, o->elf.shnum);
	CHECK(elf_section(&o->elf, idx, &s) == 0, "%s: its section no longer reads: %s", what, o->elf.err.msg);
	CHECK(s.data != NULL && off <= s.size && cnt * sizeof(struct bpf_insn) <= s.size - off,
	      "%s: %llu instructions at %llu do not fit section '%s' (%llu bytes)", what, (unsigned long long)cnt,
	      (unsigned long long)off, s.name, (unsigned long long)s.size);
	CHECK(s.data >= buf && s.data + s.size <= buf + size, "%s: section data outside the file", what);
}

static void check_parsed(struct obj *o, const u8 *buf, size_t size)
{
	CHECK(o->err.msg[0] == 0, "accepted, but the error message is '%.*s'", (int)sizeof o->err.msg, o->err.msg);
	CHECK(strnlen(o->license, sizeof o->license) < sizeof o->license, "license not terminated");
	CHECK(o->nprogs > 0 && o->progs != NULL, "accepted with %u programs", o->nprogs);
	(void)license_is_gpl(o->license);

	for (unsigned i = 0; i < o->nmaps; i++) {
		struct map *m = &o->maps[i];
		str_ok(m->name, "map name");
		CHECK(strnlen(m->kname, sizeof m->kname) < sizeof m->kname, "map '%s': kernel name not terminated",
		      m->name);
		CHECK(m->fd == -1, "map '%s': fd %d before creation", m->name, m->fd);
		CHECK(m->nslots == 0 || m->slots != NULL, "map '%s': %u slots, no array", m->name, m->nslots);
		CHECK(m->nslots <= m->max_entries, "map '%s': %u initial values for %u entries", m->name, m->nslots,
		      m->max_entries);
		for (unsigned k = 0; k < m->nslots; k++)
			CHECK(m->slots[k].key < m->max_entries && m->slots[k].prog >= o->progs &&
				      m->slots[k].prog < o->progs + o->nprogs,
			      "map '%s': initial value %u: key %u or program out of range", m->name, k, m->slots[k].key);
		if (m->fmt)
			str_ok(m->fmt, "map print format");
		if (m->init && !m->data) /* global data from the file: value_size bytes to copy into the map */
			CHECK(m->init >= buf && m->value_size <= size && m->init <= buf + size - m->value_size,
			      "map '%s': %u initial bytes outside the file", m->name, m->value_size);
	}

	for (unsigned i = 0; i < o->nprogs; i++) {
		struct prog *p = &o->progs[i];
		const char *target = NULL;

		str_ok(p->name, "prog name");
		str_ok(p->sec, "prog section");
		str_ok(p->target, "prog target");
		CHECK(p->def != NULL, "prog '%s': no section definition", p->name);
		CHECK(sec_def_find(p->sec, &target) == p->def && !strcmp(target, p->target),
		      "prog '%s': section '%s' does not map back to its definition and target", p->name, p->sec);
		CHECK(p->fd == -1, "prog '%s': fd %d before loading", p->name, p->fd);
		CHECK(p->body_cnt > 0 && p->insn_cnt >= p->body_cnt && p->insns != NULL,
		      "prog '%s': body of %u, %u instructions at %p", p->name, p->body_cnt, p->insn_cnt, (void *)p->insns);
		check_code(o, buf, size, p->sec_idx, p->off, p->body_cnt, p->name);
		/* Touch every instruction: the copy must be as long as insn_cnt says. */
		volatile u8 sum = 0;
		for (size_t k = 0; k < (size_t)p->insn_cnt * sizeof(struct bpf_insn); k++)
			sum ^= ((const u8 *)p->insns)[k];
		(void)sum;
		/* The pieces (its body, then the functions it calls) tile the instructions in order. */
		CHECK(p->npieces > 0 && p->pieces[0].at == 0, "prog '%s': %u pieces", p->name, p->npieces);
		u32 at = 0;
		for (unsigned k = 0; k < p->npieces; k++) {
			struct piece *pc = &p->pieces[k];
			CHECK(pc->at == at && pc->cnt <= p->insn_cnt - at, "prog '%s': piece %u (%u+%u) of %u instructions",
			      p->name, k, pc->at, pc->cnt, p->insn_cnt);
			check_code(o, buf, size, pc->sec_idx, pc->off, pc->cnt, p->name);
			at += pc->cnt;
		}
		CHECK(at == p->insn_cnt, "prog '%s': pieces cover %u of %u instructions", p->name, at, p->insn_cnt);
		/* .BTF.ext records, remapped to the linked program, name its instructions. */
		CHECK(p->func_info_cnt <= p->insn_cnt && p->line_info_cnt <= p->insn_cnt &&
			      (!p->func_info_cnt || p->func_info) && (!p->line_info_cnt || p->line_info),
		      "prog '%s': %u func_info, %u line_info for %u instructions", p->name, p->func_info_cnt,
		      p->line_info_cnt, p->insn_cnt);
		for (u32 k = 0; k < p->func_info_cnt; k++)
			CHECK(p->func_info[2 * k] < p->insn_cnt, "prog '%s': func_info %u at instruction %u", p->name, k,
			      p->func_info[2 * k]);
		for (u32 k = 0; k < p->line_info_cnt; k++)
			CHECK(p->line_info[4 * k] < p->insn_cnt, "prog '%s': line_info %u at instruction %u", p->name, k,
			      p->line_info[4 * k]);
		/* Every map or extern reference is a whole ld_imm64 (two slots) naming a map or an
		 * extern; a kfunc reference is a call naming an extern. */
		for (unsigned k = 0; k < p->nrels; k++) {
			struct prog_rel *r = &p->rels[k];
			CHECK(r->kind <= PREL_KFUNC, "prog '%s': reference kind %u", p->name, r->kind);
			CHECK(r->insn < p->insn_cnt, "prog '%s': reference %u at instruction %u of %u", p->name, k, r->insn,
			      p->insn_cnt);
			if (r->kind == PREL_KFUNC)
				CHECK(p->insns[r->insn].code == (BPF_JMP | BPF_CALL), "prog '%s': kfunc reference %u at "
				      "instruction %u, not a call", p->name, k, r->insn);
			else
				CHECK(p->insn_cnt - r->insn >= 2 && p->insns[r->insn].code == (BPF_LD | BPF_IMM | BPF_DW),
				      "prog '%s': reference %u at instruction %u of %u, not an ld_imm64", p->name, k, r->insn,
				      p->insn_cnt);
			if (r->kind == PREL_EXT || r->kind == PREL_KFUNC)
				CHECK(r->map < o->nexts, "prog '%s': extern reference %u to extern %u of %u", p->name, k,
				      r->map, o->nexts);
			else
				CHECK(r->map < o->nmaps, "prog '%s': map reference %u to map %u of %u", p->name, k, r->map,
				      o->nmaps);
		}
	}

	/* What rawbpf inspect prints: every instruction as text, with the maps it names, into a
	 * buffer whose size the input picks (so truncation is exercised too). */
	char text[160];
	size_t tsize = 1 + (size ? buf[size - 1] % sizeof text : 0);
	for (unsigned i = 0; i < o->nprogs; i++) {
		struct prog *p = &o->progs[i];
		for (u32 k = 0; k < p->insn_cnt;) {
			struct dis_sym ds = {DIS_NONE, NULL, 0};
			for (unsigned r = 0; r < p->nrels; r++)
				if (p->rels[r].insn == k && p->rels[r].kind <= PREL_MAP_VALUE)
					ds = (struct dis_sym){p->rels[r].kind == PREL_MAP_FD ? DIS_MAP : DIS_MAP_VALUE,
							      o->maps[p->rels[r].map].name, p->rels[r].value_off};
			int n = disasm_insn(p->insns, k, p->insn_cnt - k, &ds, text, tsize);
			CHECK(n == 1 || (n == 2 && p->insn_cnt - k >= 2), "prog '%s': disasm_insn used %d at %u of %u",
			      p->name, n, k, p->insn_cnt);
			CHECK(strnlen(text, tsize) < tsize, "prog '%s': instruction %u's text not terminated", p->name, k);
			k += (u32)n;
		}
	}

	/* CO-RE: every relocation resolved against the object's own BTF as the target (a kernel's
	 * stand-in: same names, so candidates exist), on a copy of the instructions; the access path
	 * as inspect prints it. A poisoned instruction is a call to helper 0xbad2310. */
	if (o->ncore) {
		struct core c;
		struct core_res res;
		char path[64];
		core_init(&c, &o->btf);
		for (unsigned i = 0; i < o->nprogs; i++)
			CHECK(core_add(&c, o->progs[i].core, o->progs[i].core_cnt) == 0, "accepted, then core_add: %s", c.err.msg);
		core_search(&c, &o->btf);
		for (unsigned i = 0; i < o->nprogs; i++) {
			struct prog *p = &o->progs[i];
			struct bpf_insn *copy = malloc((size_t)p->insn_cnt * sizeof *copy);
			memcpy(copy, p->insns, (size_t)p->insn_cnt * sizeof *copy);
			for (u32 k = 0; k < p->core_cnt; k++) {
				CHECK(p->core[k].insn < p->insn_cnt, "prog '%s': CO-RE record %u at %u of %u", p->name, k,
				      p->core[k].insn, p->insn_cnt);
				int r = core_apply(&c, copy, p->insn_cnt, &p->core[k], &res);
				CHECK(r == 0 || (r == RB_EOBJ && c.err.msg[0]), "core_apply %d with '%s'", r, c.err.msg);
				CHECK(r || !res.poison || (copy[p->core[k].insn].code == (BPF_JMP | BPF_CALL) &&
							   copy[p->core[k].insn].imm == CORE_POISON), "poisoned, not a call");
				core_path(&o->btf, &p->core[k], path, 1 + k % sizeof path);
				str_ok(path, "CO-RE access path");
			}
			free(copy);
		}
		core_free(&c);
	}

	/* What the kernel layer computes before BTF_LOAD and after creating the maps: pure, so it
	 * runs here too. */
	u32 btf_size = 0;
	u8 *btf = obj_btf_for_kernel(o, &btf_size);
	CHECK(!btf == !o->has_btf, "BTF copy %p, has_btf %d", (void *)btf, o->has_btf);
	if (btf) {
		volatile u8 sum = 0;
		for (u32 k = 0; k < btf_size; k++) /* the copy is as long as it says */
			sum ^= btf[k];
		(void)sum;
		rb_free(btf);
	}
	for (unsigned i = 0; i < o->nmaps; i++)
		o->maps[i].fd = (int)(1000 + i);
	for (unsigned i = 0; i < o->nprogs; i++) {
		struct prog *p = &o->progs[i];
		obj_apply_maps(o, p);
		for (unsigned k = 0; k < p->nrels; k++) /* externs are applied by ext_apply, at load */
			CHECK(p->rels[k].kind > PREL_MAP_VALUE || p->insns[p->rels[k].insn].imm == (s32)(1000 + p->rels[k].map),
			      "prog '%s': map reference %u not applied", p->name, k);
	}
}

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	/* An exact-size heap copy: ASan reports any read one byte past the end of the "file". */
	u8 *buf = malloc(size ? size : 1);
	struct obj o;

	memcpy(buf, data, size);
	/* Callers keep struct obj on the stack, uninitialized: obj_parse must set all it uses. */
	memset(&o, 0xbe, sizeof o);
	int r = obj_parse(&o, buf, size, "fuzz.o");
	CHECK(r == 0 || r == RB_EOBJ, "obj_parse returned %d", r);
	if (r == 0) {
		check_parsed(&o, buf, size);
	} else {
		size_t n = strnlen(o.err.msg, sizeof o.err.msg);
		CHECK(n > 0, "refused (%d) with an empty error message", r);
		CHECK(n < sizeof o.err.msg, "error message not NUL-terminated");
	}
	obj_free(&o); /* after success or failure alike; LeakSanitizer checks it freed everything */
	free(buf);
	return 0;
}
