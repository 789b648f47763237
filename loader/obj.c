/* Builds the object model from a BPF ELF object: finds the sections, then runs the steps of the
 * other obj_*.c files in order (programs, maps, relocations, linking, .BTF.ext). */
#include "obj_int.h"

void obj_free(struct obj *o)
{
	for (unsigned i = 0; i < o->nprogs; i++) {
		rb_free(o->progs[i].insns);
		rb_free(o->progs[i].pieces);
		rb_free(o->progs[i].rels);
		rb_free(o->progs[i].func_info);
		rb_free(o->progs[i].line_info);
		rb_free(o->progs[i].core);
	}
	for (unsigned i = 0; i < o->nmaps; i++) {
		rb_free(o->maps[i].slots);
		rb_free(o->maps[i].data);
	}
	rb_free(o->exts);
	o->exts = NULL;
	o->nexts = 0;
	rb_free(o->progs);
	rb_free(o->maps);
	rb_free(o->owned);
	btf_free(&o->btf);
	o->progs = NULL;
	o->maps = NULL;
	o->owned = NULL;
	o->nprogs = o->nmaps = 0;
}

int obj_parse(struct obj *o, const void *buf, size_t size, const char *name)
{
	struct elf *e = &o->elf;
	struct elf_sec s;
	struct ctx c = {.o = o, .maps_sec = -1, .btf_maps_sec = -1};
	int r = RB_EOBJ;

	memset(o, 0, sizeof *o);
	o->name = name;
	if (elf_open(e, buf, size))
		return ERR_PASS(o, e);
	if (e->symtab < 0)
		return FAIL(o, "no symbol table: programs cannot be found (was the object stripped with --strip-all?)");
	int rawbpf_sec = -1;
	for (unsigned i = 1; i < e->shnum; i++) {
		if (elf_section(e, i, &s))
			return ERR_PASS(o, e);
		if (!rb_strcmp(s.name, "license")) {
			if (!s.data || !s.size || rb_strnlen((const char *)s.data, s.size) == s.size)
				return FAIL(o, "section 'license' is not a NUL-terminated string");
			rb_strlcpy(o->license, (const char *)s.data, sizeof o->license);
		} else if (!rb_strcmp(s.name, "version")) {
			if (!s.data || s.size != 4)
				return FAIL(o, "section 'version' has %llu bytes, expected 4", (unsigned long long)s.size);
			memcpy(&o->kversion, s.data, 4);
			o->has_version = true;
		} else if (!rb_strcmp(s.name, ".BTF") && s.data) {
			o->btf_data = s.data, o->btf_size = s.size;
		} else if (!rb_strcmp(s.name, ".BTF.ext") && s.data) {
			o->btf_ext = s.data, o->btf_ext_size = s.size;
		} else if (!rb_strcmp(s.name, "maps")) {
			c.maps_sec = (int)i;
		} else if (!rb_strcmp(s.name, ".maps")) {
			c.btf_maps_sec = (int)i;
		} else if (!rb_strcmp(s.name, ".rawbpf")) {
			rawbpf_sec = (int)i;
		}
	}
	if (o->btf_data) {
		if (btf_parse(&o->btf, o->btf_data, o->btf_size))
			return FAIL(o, "section '.BTF': %s", o->btf.err.msg);
		o->has_btf = true;
	}
	if (find_functions(&c))
		goto out;
	if (!o->nprogs) {
		FAIL(o, "no programs: no global function in a section rawbpf can load");
		goto out;
	}
	c.cap_maps = elf_nsyms(e) + e->shnum;
	o->maps = rb_zalloc(c.cap_maps * sizeof *o->maps);
	if (c.maps_sec >= 0 && (elf_section(e, (unsigned)c.maps_sec, &s) || legacy_maps(&c, &s)))
		goto out;
	if (c.btf_maps_sec >= 0 && (elf_section(e, (unsigned)c.btf_maps_sec, &s) || btf_maps(&c, &s)))
		goto out;
	if (obj_externs(o))
		goto out;
	for (unsigned i = 1; i < e->shnum; i++) {
		elf_section(e, i, &s);
		if (s.type == SHT_REL)
			c.cap_rels += elf_nrels(&s);
	}
	c.rels = rb_zalloc((c.cap_rels ? c.cap_rels : 1) * sizeof *c.rels);
	if (relocations(&c))
		goto out;
	if (rawbpf_sec >= 0 && (elf_section(e, (unsigned)rawbpf_sec, &s) || rawbpf_section(&c, &s)))
		goto out;
	for (unsigned i = 0; i < o->nprogs; i++) {
		if (link_prog(&c, &o->progs[i])) {
			err_ctx(&o->err, "prog '%s'", o->progs[i].name);
			goto out;
		}
		if (btf_ext_prog(o, &o->progs[i]))
			goto out;
	}
	r = 0;
out:
	rb_free(c.funcs);
	rb_free(c.rels);
	return r;
}
