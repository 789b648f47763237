/* Programs: section names to program types through one table (libbpf's conventions), the
 * functions of code sections, and the license. */
#include "obj_int.h"

/* Section names to program types, as libbpf names them. An entry ending in '/' takes a target. */
static const struct sec_def sec_defs[] = {
	{"kprobe/", BPF_PROG_TYPE_KPROBE, 0, ATTACH_KPROBE},
	{"kretprobe/", BPF_PROG_TYPE_KPROBE, 0, ATTACH_KRETPROBE},
	{"ksyscall/", BPF_PROG_TYPE_KPROBE, 0, ATTACH_KSYSCALL},
	{"kretsyscall/", BPF_PROG_TYPE_KPROBE, 0, ATTACH_KRETSYSCALL},
	{"tracepoint/", BPF_PROG_TYPE_TRACEPOINT, 0, ATTACH_TRACEPOINT},
	{"tp/", BPF_PROG_TYPE_TRACEPOINT, 0, ATTACH_TRACEPOINT},
	{"raw_tracepoint/", BPF_PROG_TYPE_RAW_TRACEPOINT, 0, ATTACH_RAW_TP},
	{"raw_tp/", BPF_PROG_TYPE_RAW_TRACEPOINT, 0, ATTACH_RAW_TP},
	{"uprobe/", BPF_PROG_TYPE_KPROBE, 0, ATTACH_UPROBE},       /* PATH:FUNC[+OFFSET] */
	{"uretprobe/", BPF_PROG_TYPE_KPROBE, 0, ATTACH_URETPROBE},
	{"usdt/", BPF_PROG_TYPE_KPROBE, 0, ATTACH_USDT},           /* PATH:PROVIDER:NAME */
	{"uprobe", BPF_PROG_TYPE_KPROBE, 0, ATTACH_UPROBE},        /* the target from --attach-to */
	{"uretprobe", BPF_PROG_TYPE_KPROBE, 0, ATTACH_URETPROBE},
	{"usdt", BPF_PROG_TYPE_KPROBE, 0, ATTACH_USDT},
	{"fentry/", BPF_PROG_TYPE_TRACING, BPF_TRACE_FENTRY, ATTACH_BTF},
	{"fexit/", BPF_PROG_TYPE_TRACING, BPF_TRACE_FEXIT, ATTACH_BTF},
	{"fmod_ret/", BPF_PROG_TYPE_TRACING, BPF_MODIFY_RETURN, ATTACH_BTF},
	{"tp_btf/", BPF_PROG_TYPE_TRACING, BPF_TRACE_RAW_TP, ATTACH_BTF},
	{"lsm/", BPF_PROG_TYPE_LSM, BPF_LSM_MAC, ATTACH_BTF},
	{"fentry", BPF_PROG_TYPE_TRACING, BPF_TRACE_FENTRY, ATTACH_BTF}, /* the target from --attach-to */
	{"fexit", BPF_PROG_TYPE_TRACING, BPF_TRACE_FEXIT, ATTACH_BTF},
	{"raw_tracepoint", BPF_PROG_TYPE_RAW_TRACEPOINT, 0, ATTACH_NONE}, /* tail-call targets */
	{"raw_tp", BPF_PROG_TYPE_RAW_TRACEPOINT, 0, ATTACH_NONE},
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
	static const char ok[] = "GPL\0GPL v2\0GPL and additional rights\0Dual BSD/GPL\0Dual MIT/GPL\0Dual MPL/GPL\0";
	for (const char *p = ok; *p; p = rb_nth(p, 1))
		if (!rb_strcmp(l, p))
			return true;
	return false;
}

static int check_func(struct obj *o, const struct elf_sec *s, const struct elf_sym *sym, const char *what)
{
	if (sym->value % INSN || sym->size % INSN || !sym->size)
		return FAIL(o, "%s '%s': offset %llu or size %llu is not a whole number of instructions", what,
			    sym->name, (unsigned long long)sym->value, (unsigned long long)sym->size);
	if (sym->value > s->size || sym->size > s->size - sym->value)
		return FAIL(o, "%s '%s': offset %llu + size %llu past the end of section '%s' (%llu bytes)", what,
			    sym->name, (unsigned long long)sym->value, (unsigned long long)sym->size, s->name,
			    (unsigned long long)s->size);
	return 0;
}

static int add_prog(struct obj *o, const struct elf_sec *s, const struct elf_sym *sym)
{
	const char *sec = s->name, *target;
	bool autoload = true;
	if (sec[0] == '?')
		sec++, autoload = false;
	const struct sec_def *def = sec_def_find(sec, &target);
	if (!def)
		return FAIL(o, "prog '%s': unknown section name '%s' (rawbpf knows kprobe/, kretprobe/, ksyscall/, "
			       "kretsyscall/, tracepoint/, tp/, raw_tp/, uprobe/, uretprobe/, usdt/, fentry/, fexit/, fmod_ret/, "
			       "tp_btf/, lsm/, xdp, socket, tc, perf_event)",
			    sym->name, s->name);
	if (def->prefix[rb_strlen(def->prefix) - 1] == '/' && !target[0])
		return FAIL(o, "prog '%s': section '%s' names no attach target after '%s'", sym->name, s->name,
			    def->prefix);
	if (check_func(o, s, sym, "prog"))
		return RB_EOBJ;
	struct prog *p = &o->progs[o->nprogs++];
	p->name = sym->name;
	p->sec = sec;
	p->def = def;
	p->target = target;
	p->autoload = autoload;
	p->sec_idx = s->idx;
	p->off = sym->value;
	p->body_cnt = (u32)(sym->size / INSN);
	p->fd = -1;
	return 0;
}

/* Programs (global functions of program sections) and every function, for calls. */
int find_functions(struct ctx *c)
{
	struct obj *o = c->o;
	struct elf *e = &o->elf;
	struct elf_sec s;
	struct elf_sym sym;
	unsigned nfunc = 0;

	for (unsigned i = 1; i < elf_nsyms(e); i++) {
		if (elf_symbol(e, i, &sym))
			return ERR_PASS(o, e);
		if (sym.type == STT_FUNC)
			nfunc++;
	}
	o->progs = rb_zalloc((nfunc ? nfunc : 1) * sizeof *o->progs);
	c->funcs = rb_zalloc((nfunc ? nfunc : 1) * sizeof *c->funcs);
	for (unsigned i = 1; i < elf_nsyms(e); i++) {
		elf_symbol(e, i, &sym);
		if (sym.type != STT_FUNC || sym.shndx == SHN_UNDEF || sym.shndx >= SHN_LORESERVE)
			continue;
		if (elf_section(e, sym.shndx, &s))
			return FAIL(o, "symbol '%s': %s", sym.name, e->err.msg);
		if (!is_code(&s))
			continue;
		if (sym.bind == STB_GLOBAL && is_prog_section(&s)) {
			if (add_prog(o, &s, &sym))
				return RB_EOBJ;
		} else if (check_func(o, &s, &sym, "function")) {
			return RB_EOBJ;
		}
		c->funcs[c->nfuncs++] = (struct func){sym.name, s.idx, sym.value, (u32)(sym.size / INSN)};
	}
	/* Sorted by section and offset (shell sort: no recursion, no quadratic worst case for the
	 * symbol counts a file can hold), neighbours must not overlap: an instruction belongs to one
	 * function, or relocations would apply twice. */
	struct func *f = c->funcs;
	for (unsigned gap = c->nfuncs / 2; gap; gap = gap == 2 ? 1 : gap * 5 / 11)
		for (unsigned i = gap; i < c->nfuncs; i++)
			for (unsigned j = i; j >= gap && (f[j - gap].sec_idx > f[j].sec_idx ||
					       (f[j - gap].sec_idx == f[j].sec_idx && f[j - gap].off > f[j].off)); j -= gap) {
				struct func t = f[j];
				f[j] = f[j - gap];
				f[j - gap] = t;
			}
	for (unsigned i = 1; i < c->nfuncs; i++)
		if (f[i].sec_idx == f[i - 1].sec_idx && f[i - 1].off + (u64)f[i - 1].cnt * INSN > f[i].off) {
			struct elf_sec s2;
			elf_section(e, f[i].sec_idx, &s2);
			return FAIL(o, "function '%s': offset %llu + size %llu overlaps function '%s' in section '%s'",
				    f[i - 1].name, (unsigned long long)f[i - 1].off, (unsigned long long)f[i - 1].cnt * INSN,
				    f[i].name, s2.name);
		}
	return 0;
}

const struct func *func_at(struct ctx *c, unsigned sec, u64 off)
{
	for (unsigned i = 0; i < c->nfuncs; i++) {
		const struct func *f = &c->funcs[i];
		if (f->sec_idx == sec && off >= f->off && off - f->off < (u64)f->cnt * INSN)
			return f;
	}
	return NULL;
}
