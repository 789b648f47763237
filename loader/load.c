/* Loading an object's maps and BTF into the kernel, in the order the kernel needs them. */
#include "load.h"
#include "io.h"

/* Only these map types take BTF key and value types; the kernel refuses them on the others. */
static bool btf_typed(u32 type)
{
	return type == BPF_MAP_TYPE_HASH || type == BPF_MAP_TYPE_ARRAY || type == BPF_MAP_TYPE_PERCPU_HASH ||
	       type == BPF_MAP_TYPE_PERCPU_ARRAY || type == BPF_MAP_TYPE_LRU_HASH ||
	       type == BPF_MAP_TYPE_LRU_PERCPU_HASH;
}

/* The object's BTF into the kernel; if the kernel refuses it, everything loads without it. */
static void load_btf(struct loaded *l)
{
	struct err e;
	char *log = NULL;
	u32 size;
	struct obj *o = l->o;
	bool useful = false; /* only typed maps and line info use it: else, no BPF_BTF_LOAD */
	for (unsigned i = 0; i < o->nmaps; i++)
		useful |= btf_typed(o->maps[i].type) && o->maps[i].btf_value;
	for (unsigned i = 0; i < o->nprogs; i++)
		useful |= o->progs[i].func_info_cnt > 0;
	u8 *btf = useful ? obj_btf_for_kernel(o, &size) : NULL;
	if (!btf)
		return;
	l->btf_fd = kern_btf_load(btf, size, &log, &e);
	if (l->btf_fd < 0) {
		/* The log's last line says what the kernel did not like. */
		const char *last = "", *p = log ? log : "";
		for (; *p; p++)
			if (p[0] == '\n' && p[1] && p[1] != '\n')
				last = p + 1;
		char why[96];
		size_t n = 0;
		while (last[n] && last[n] != '\n' && n < sizeof why - 1)
			why[n] = last[n], n++;
		why[n] = 0;
		rb_snprintf(l->btf_notice, sizeof l->btf_notice,
			    "the kernel refused the object's BTF (%s%s%s): loading without it (maps untyped, no source lines "
			    "in verifier logs)", rb_strerror(-l->btf_fd), why[0] ? ": " : "", why);
	}
	rb_free(log);
	rb_free(btf);
}

int load_kernel_btf(struct loaded *l, struct err *e)
{
	if (l->kbtf)
		return 0;
	l->kbtf = rb_alloc(sizeof *l->kbtf);
	int r = kbtf_load(l->kbtf, l->btf_path, e);
	if (r < 0) {
		kbtf_free(l->kbtf);
		rb_free(l->kbtf);
		l->kbtf = NULL;
	}
	return r;
}

int load_core_resolve(struct loaded *l, struct core_res *res, char (*msg)[120], struct err *e)
{
	struct obj *o = l->o;
	struct core c;
	struct core_res one;
	char path[160];
	int r = 0;
	u32 n = 0, need = 0;
	/* (as libbpf: programs that will not be loaded are not relocated) */
	for (unsigned i = 0; i < o->nprogs; i++)
		need += res || o->progs[i].autoload ? o->progs[i].core_cnt : 0;
	if (!need)
		return 0;
	if ((r = load_kernel_btf(l, e)) < 0)
		return err_ctx(e, "%s has %u CO-RE relocations, to be resolved against the kernel's types", o->name,
			       o->ncore);
	core_init(&c, &o->btf);
	for (unsigned i = 0; i < o->nprogs && !r; i++)
		if ((res || o->progs[i].autoload) && (r = core_add(&c, o->progs[i].core, o->progs[i].core_cnt)))
			*e = c.err; /* (obj_parse checked each record already) */
	core_search(&c, &l->kbtf->btf);
	/* Types vmlinux lacks may be a module's (libbpf looks there only then, too). */
	if (!r && core_missing(&c) && (r = kbtf_modules(l->kbtf, e)) < 0)
		err_ctx(e, "%s: CO-RE relocations against the modules' types", o->name);
	for (struct kbtf_mod *m = l->kbtf->mods; !r && m; m = m->next)
		core_search(&c, &m->btf);
	if (!res)
		l->poison = rb_zalloc(o->ncore * sizeof *l->poison);
	for (unsigned i = 0; i < o->nprogs && !r; i++) {
		struct prog *p = &o->progs[i];
		struct bpf_insn *insns = p->insns;
		if (!res && !p->autoload)
			continue;
		if (res) { /* inspect: what each resolves to, nothing patched */
			insns = rb_alloc((u64)p->insn_cnt * sizeof *insns);
			memcpy(insns, p->insns, (u64)p->insn_cnt * sizeof *insns);
		}
		for (u32 k = 0; k < p->core_cnt && !r; k++, n++) {
			struct core_res *out = res ? &res[n] : &one;
			if (core_apply(&c, insns, p->insn_cnt, &p->core[k], out) < 0) {
				if (res) {
					rb_strlcpy(msg[n], c.err.msg, sizeof msg[n]);
					continue;
				}
				core_path(&o->btf, &p->core[k], path, sizeof path);
				r = err_set(e, RB_EOBJ, "prog '%s': CO-RE relocation #%u (%s of %s, instruction %u) against %s: %s",
					    p->name, k, core_kind_name(p->core[k].kind), path, p->core[k].insn, l->kbtf->src,
					    c.err.msg);
			} else if (out->poison) {
				if (!res)
					l->poison[l->npoison] = (struct core_poison){p, k, p->core[k].insn, out->why};
				l->npoison++;
			} else {
				l->core_applied++;
			}
		}
		if (res)
			rb_free(insns);
	}
	core_free(&c);
	explain("CO-RE: %u relocations against %s (%u types%s): %u applied, %u poisoned", need, l->kbtf->src,
		l->kbtf->btf.ntypes, l->kbtf->nmods ? ", and modules'" : "", l->core_applied, l->npoison);
	return r;
}

bool load_core_refused(struct loaded *l, const struct prog *p, const char *log, struct err *e)
{
	char path[160];
	int i = core_refused(log, l->poison, l->npoison, p);
	if (i < 0)
		return false;
	const struct core_rec *r = &p->core[l->poison[i].rec];
	core_path(&l->o->btf, r, path, sizeof path);
	err_set(e, e->code, "prog '%s': instruction %u: CO-RE relocation #%u (%s of %s) has no match in %s (%s), "
			    "and the program reaches it",
		p->name, r->insn, l->poison[i].rec, core_kind_name(r->kind), path, l->kbtf->src, l->poison[i].why);
	err_hint(e, "guard the access with bpf_core_field_exists() or bpf_core_type_exists(), or build for this "
		    "kernel's types");
	return true;
}

int load_maps(struct loaded *l, struct err *e)
{
	struct obj *o = l->o;
	l->btf_fd = -1;
	l->btf_notice[0] = 0;
	int cr = load_core_resolve(l, NULL, NULL, e);
	if (cr < 0)
		return cr;
	if (o->nexts && (cr = load_externs(l, e)) < 0)
		return cr;
	load_btf(l);
	for (unsigned i = 0; i < o->nmaps; i++) {
		struct map *m = &o->maps[i];
		struct map_req r = {m->kname, m->type, m->key_size, m->value_size, m->max_entries, m->flags,
				    btf_typed(m->type) ? l->btf_fd : -1, m->btf_key, m->btf_value};
		if (m->type == BPF_MAP_TYPE_PERF_EVENT_ARRAY && !r.max_entries)
			r.max_entries = (u32)possible_cpu_slots(); /* one slot per CPU id */
		if (m->type == BPF_MAP_TYPE_RINGBUF)
			r.key_size = r.value_size = 0;
		m->max_entries = r.max_entries;
		m->fd = kern_map_create(&r, e);
		if (m->fd == -EINVAL && r.btf_fd >= 0) { /* an older kernel refusing the types: without them */
			r.btf_fd = -1;
			m->fd = kern_map_create(&r, e);
		}
		if (m->fd < 0) {
			if (m->fd == -EPERM)
				err_hint(e, "creating maps needs root (CAP_BPF, or CAP_SYS_ADMIN); before 5.11 also enough "
					    "RLIMIT_MEMLOCK");
			return m->fd;
		}
		if (m->def == MAP_DEF_DATA && m->init) {
			u32 key = 0;
			int r2 = kern_map_update(m->fd, m->kname, &key, m->init, e);
			if (r2 < 0)
				return r2;
		}
		if (m->def == MAP_DEF_DATA && (m->flags & BPF_F_RDONLY_PROG)) {
			int r2 = kern_map_freeze(m->fd, m->kname, e);
			if (r2 < 0)
				return r2;
		}
	}
	return 0;
}

void load_request(struct loaded *l, struct prog *p, u32 type, struct load_req *r)
{
	struct obj *o = l->o;
	obj_apply_maps(o, p);
	memset(r, 0, sizeof *r);
	r->name = p->name;
	r->prog_type = type;
	r->expected_attach_type = p->def->expected_attach_type;
	r->insns = p->insns;
	r->insn_cnt = p->insn_cnt;
	r->license = o->license;
	r->btf_fd = -1;
	if (l->btf_fd >= 0 && p->func_info_cnt) {
		r->btf_fd = l->btf_fd;
		r->func_info = p->func_info;
		r->func_info_cnt = p->func_info_cnt;
		r->line_info = p->line_info;
		r->line_info_cnt = p->line_info_cnt;
	}
	r->attach_btf_id = p->btf_id;
	r->attach_btf_obj_fd = p->btf_obj_fd > 0 ? (u32)p->btf_obj_fd : 0;
	r->fd_array = l->nfds ? l->fds : NULL;
	if (type == BPF_PROG_TYPE_KPROBE) /* checked by kernels before 5.0 */
		r->kern_version = o->has_version && o->kversion != KVER_FILL_IN ? o->kversion : kern_version_code();
}

/* The kernel's BTF id of a BTF-typed program's target: FUNC FUNC (fentry, fexit, fmod_ret),
 * typedef btf_trace_NAME (tp_btf), FUNC bpf_lsm_HOOK (lsm); in vmlinux, else in a module's BTF
 * (whose BTF object fd then goes with the id). Only such programs read the kernel's BTF. */
int load_btf_target(struct loaded *l, struct prog *p, struct err *e)
{
	char name[160];
	const char *mod;
	u32 t = p->def->expected_attach_type;
	bool tp = t == BPF_TRACE_RAW_TP;
	if (!p->target[0])
		return err_set(e, -EINVAL, "prog '%s': section '%s' names no kernel function: give one with --attach-to %s=FUNC",
			       p->name, p->sec, p->name);
	int r = load_kernel_btf(l, e);
	if (r < 0)
		return err_ctx(e, "prog '%s' (%s)", p->name, p->sec);
	rb_snprintf(name, sizeof name, "%s%s", tp ? "btf_trace_" : t == BPF_LSM_MAC ? "bpf_lsm_" : "", p->target);
	u32 kind = tp ? BTFK_TYPEDEF : BTFK_FUNC;
	p->btf_id = kbtf_find(l->kbtf, name, kind, NULL, &mod);
	if (!p->btf_id && (r = kbtf_modules(l->kbtf, e)) < 0)
		return err_ctx(e, "prog '%s' (%s)", p->name, p->sec);
	if (!p->btf_id)
		p->btf_id = kbtf_find(l->kbtf, name, kind, NULL, &mod);
	explain("kernel BTF: %s %s = id %u%s%s  -- the target the program is loaded for (attach_btf_id)",
		tp ? "typedef" : "FUNC", name, p->btf_id, p->btf_id && mod[0] ? " in module " : "", p->btf_id ? mod : "");
	if (!p->btf_id)
		return err_set(e, -ENOENT, "prog '%s' (%s): no %s '%s' in the kernel's BTF (%s%s)", p->name, p->sec,
			       tp ? "typedef" : "function", name, l->kbtf->src, l->kbtf->nmods ? " and the modules'" : "");
	if (mod[0] && (p->btf_obj_fd = kern_module_btf_fd(mod, e)) < 0)
		return err_ctx(e, "prog '%s'", p->name);
	return 0;
}

int load_prog_arrays(struct loaded *l, struct err *e)
{
	struct obj *o = l->o;
	for (unsigned i = 0; i < o->nmaps; i++) {
		struct map *m = &o->maps[i];
		for (unsigned k = 0; k < m->nslots; k++) {
			if (m->slots[k].prog->fd < 0)
				continue; /* not loaded ('?' section) */
			int r = kern_map_update(m->fd, m->kname, &m->slots[k].key, &m->slots[k].prog->fd, e);
			if (r < 0)
				return r;
		}
	}
	return 0;
}

void load_release(struct loaded *l)
{
	struct obj *o = l->o;
	for (unsigned i = 0; i < o->nprogs; i++)
		if (o->progs[i].fd >= 0) {
			kern_close(o->progs[i].fd, "the program: with no attachment left, the kernel frees it");
			o->progs[i].fd = -1;
		}
	for (unsigned i = 0; i < o->nprogs; i++)
		if (o->progs[i].btf_obj_fd > 0)
			kern_close(o->progs[i].btf_obj_fd, "the module's BTF object"), o->progs[i].btf_obj_fd = 0;
	for (unsigned i = 0; i < o->nmaps; i++)
		if (o->maps[i].fd >= 0) {
			kern_close(o->maps[i].fd, "the map: the last reference, so the kernel frees it");
			o->maps[i].fd = -1;
		}
	while (l->nfds > 1)
		kern_close(l->fds[--l->nfds], "the module's BTF object");
	l->nfds = 0;
	if (l->btf_fd >= 0)
		kern_close(l->btf_fd, "the BTF object");
	l->btf_fd = -1;
	if (l->kbtf)
		kbtf_free(l->kbtf);
	rb_free(l->kbtf);
	rb_free(l->poison);
	l->kbtf = NULL;
	l->poison = NULL;
	l->npoison = 0;
}
