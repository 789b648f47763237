/* Loading an object's maps and BTF into the kernel, in the order the kernel needs them. */
#include "load.h"
#include "io.h"
#include "sys.h"

/* "0-3,5" -> 5: the CPUs a perf event array needs slots for, and per-CPU values hold. Read once,
 * and only by objects that need it. */
int nr_possible_cpus(void)
{
	static int cached;
	char buf[128];
	int n = 0;
	if (cached)
		return cached;
	if (kern_read("/sys/devices/system/cpu/possible", buf, sizeof buf) <= 0)
		return 1;
	for (const char *p = buf; *p;) {
		u64 a, b;
		p = rb_parse_u64(p, &a);
		if (!p)
			break;
		b = a;
		if (*p == '-' && !(p = rb_parse_u64(p + 1, &b)))
			break;
		n += b >= a ? (int)(b - a + 1) : 0;
		if (*p != ',')
			break;
		p++;
	}
	return cached = n > 0 ? n : 1;
}

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

int load_maps(struct loaded *l, struct err *e)
{
	struct obj *o = l->o;
	l->btf_fd = -1;
	l->btf_notice[0] = 0;
	if (o->nexts) {
		int r = load_externs(l, e);
		if (r < 0)
			return r;
	}
	load_btf(l);
	for (unsigned i = 0; i < o->nmaps; i++) {
		struct map *m = &o->maps[i];
		struct map_req r = {m->kname, m->type, m->key_size, m->value_size, m->max_entries, m->flags,
				    btf_typed(m->type) ? l->btf_fd : -1, m->btf_key, m->btf_value};
		if (m->type == BPF_MAP_TYPE_PERF_EVENT_ARRAY && !r.max_entries)
			r.max_entries = (u32)nr_possible_cpus(); /* one slot per CPU, as libbpf does */
		if (m->type == BPF_MAP_TYPE_RINGBUF)
			r.key_size = r.value_size = 0;
		m->max_entries = r.max_entries;
		m->fd = kern_map_create(&r, e);
		if (m->fd == -22 && r.btf_fd >= 0) { /* an older kernel refusing the types: without them */
			r.btf_fd = -1;
			m->fd = kern_map_create(&r, e);
		}
		if (m->fd < 0) {
			if (m->fd == -1)
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
	if (type == BPF_PROG_TYPE_KPROBE) /* checked by kernels before 5.0 */
		r->kern_version = o->has_version && o->kversion != 0xFFFFFFFE ? o->kversion : kern_version_code();
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
	for (unsigned i = 0; i < o->nmaps; i++)
		if (o->maps[i].fd >= 0) {
			kern_close(o->maps[i].fd, "the map: the last reference, so the kernel frees it");
			o->maps[i].fd = -1;
		}
	if (l->btf_fd >= 0)
		kern_close(l->btf_fd, "the BTF object");
	l->btf_fd = -1;
}
