/* User-space probes: the file a uprobe, uretprobe or USDT probe names (found as the dynamic
 * linker or a shell would find it), the places in it (uelf.c reads them), and programs attached
 * there through the uprobe PMU or, as fallback, tracefs uprobe_events; USDT specs are written
 * where libbpf's usdt.bpf.h reads them. */
#include "attach.h"
#include "arch.h"
#include "io.h"

static bool is_file(const char *path, bool exec)
{
	struct statx st;
	return kern_statx(path, STATX_TYPE | STATX_MODE, &st, "is it the file to probe?") == 0 && (st.stx_mode & 0170000) == 0100000 &&
	       (!exec || (st.stx_mode & 0111));
}

static const char *env_get(const char *name)
{
	size_t n = rb_strlen(name);
	for (char **p = rb_environ; p && *p; p++)
		if (!rb_strncmp(*p, name, n) && (*p)[n] == '=')
			return *p + n + 1;
	return NULL;
}

/* NAME to a path: as given when it has a '/'; a library ("libc.so.6") through /etc/ld.so.cache,
 * then the standard directories; a program through $PATH. */
static int find_file(const char *name, char *out, size_t size, struct err *e)
{
	static const char dirs[] = "/lib/" ARCH_MULTIARCH "\0/usr/lib/" ARCH_MULTIARCH "\0/lib64\0/usr/lib64\0/lib\0/usr/lib\0";
	const char *how = "as given";
	if (rb_strchr(name, '/')) {
		rb_strlcpy(out, name, size);
		if (!is_file(out, false))
			return err_set(e, -ENOENT, "%s: no such file", name);
	} else if (rb_strstr(name, ".so")) {
		u8 *buf;
		size_t n;
		struct err e2;
		const char *p = NULL;
		how = "through /etc/ld.so.cache";
		if (rb_read_whole("/etc/ld.so.cache", 64u << 20, &buf, &n, &e2) == 0) {
			if ((p = ldcache_find(buf, n, name, ARCH_EM)))
				rb_strlcpy(out, p, size);
			rb_free(buf);
		}
		for (const char *d = dirs; !p && *d; d = rb_nth(d, 1)) {
			rb_snprintf(out, size, "%s/%s", d, name);
			if (is_file(out, false))
				p = out, how = "in a standard library directory";
		}
		if (!p)
			return err_set(e, -ENOENT, "library %s: not in /etc/ld.so.cache nor the standard directories", name);
	} else {
		const char *path = env_get("PATH"), *p;
		if (!path)
			path = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
		for (p = path;; p++) {
			const char *end = rb_strchr(p, ':');
			int len = end ? (int)(end - p) : (int)rb_strlen(p);
			rb_snprintf(out, size, "%.*s/%s", len ? len : 1, len ? p : ".", name);
			if (is_file(out, true))
				break;
			if (!end)
				return err_set(e, -ENOENT, "program %s: not found in $PATH (%s)", name, path);
			p = end;
		}
		how = "through $PATH";
	}
	explain("probe target %s: %s (%s)", name, out, how);
	return 0;
}

/* The last c in [s, end), or NULL. */
static const char *last_of(const char *s, const char *end, char c)
{
	while (end > s)
		if (*--end == c)
			return end;
	return NULL;
}

int uprobe_resolve(const char *target, bool usdt, char **pathp, struct usite **sitesp, unsigned *np, char *what,
		   size_t wsize, struct err *e)
{
	char name[256], path[256];
	const char *end = target + rb_strlen(target), *c2 = last_of(target, end, ':');
	const char *c1 = usdt && c2 ? last_of(target, c2, ':') : c2;
	struct elf elf;
	struct usdt_site *s = NULL;
	u8 *buf = NULL;
	size_t size;
	int r;
	*sitesp = NULL;
	*np = 0;
	if (!c1 || c1 == target || !c2[1] || (usdt && c2 == c1 + 1))
		return err_set(e, -EINVAL, "target '%s': expected %s", target, usdt ? "PATH:PROVIDER:NAME" : "PATH:FUNC[+OFFSET]");
	rb_snprintf(name, sizeof name, "%.*s", (int)(c1 - target), target);
	if ((r = find_file(name, path, sizeof path, e)) < 0 || (r = rb_read_file(path, 512u << 20, &buf, &size, e)) < 0)
		return r;
	if (elf_open_exec(&elf, buf, size))
		goto bad;
	if (usdt) {
		char prov[128];
		s = rb_alloc(64 * sizeof *s);
		rb_snprintf(prov, sizeof prov, "%.*s", (int)(c2 - c1 - 1), c1 + 1);
		if (uelf_usdt(&elf, prov, c2 + 1, s, 64, np))
			goto bad;
		if (*np > 64) {
			r = err_set(e, -E2BIG, "USDT %s:%s: %u sites (at most 64)", prov, c2 + 1, *np);
			goto out;
		}
		struct usite *u = *sitesp = rb_zalloc(*np * sizeof *u);
		for (unsigned i = 0; i < *np; i++, u++) {
			u->vaddr = s[i].vaddr, u->off = s[i].off, u->ref = s[i].sema_off, u->sema = s[i].sema;
			rb_strlcpy(u->args, s[i].args, sizeof u->args);
			u->dyn = elf.type == 3 /* ET_DYN */;
			usdt_spec_bytes(&s[i], 0, u->spec);
			for (unsigned k = 0; k < s[i].nargs; k++) { /* (a length after each step: the text may be cut) */
				size_t n = rb_strlen(u->parsed);
				if (k)
					rb_strlcpy(u->parsed + n, ", ", sizeof u->parsed - n);
				n = rb_strlen(u->parsed);
				usdt_arg_text(&s[i].arg[k], u->parsed + n, sizeof u->parsed - n);
			}
			explain("USDT %s:%s site %u: address 0x%llx, offset 0x%llx, semaphore offset 0x%llx, \"%s\": %s",
				prov, c2 + 1, i, (unsigned long long)u->vaddr,
				(unsigned long long)u->off, (unsigned long long)u->ref, u->args, u->parsed);
		}
		rb_snprintf(what, wsize, "%s %s:%s, %u site%s", path, prov, c2 + 1, *np, *np == 1 ? "" : "s");
	} else {
		struct usym sym;
		u64 add = 0, off;
		const char *plus = last_of(c1 + 1, end, '+'), *fe = plus ? plus : end;
		rb_snprintf(name, sizeof name, "%.*s", (int)(fe - c1 - 1), c1 + 1);
		if (plus && (!(plus = rb_parse_u64(plus + 1, &add)) || *plus)) {
			r = err_set(e, -EINVAL, "target '%s': bad +OFFSET", target);
			goto out;
		}
		const char *num = rb_parse_u64(name, &off);
		if (num && !*num) { /* PATH:0x1234, a file offset */
			off += add;
			rb_snprintf(what, wsize, "%s offset 0x%llx", path, (unsigned long long)off);
		} else if (uelf_sym(&elf, name, &sym)) {
			goto bad;
		} else {
			off = sym.off + add;
			rb_snprintf(what, wsize, "%s:%s%s (file offset 0x%llx, %s%s%s)", path, name, plus ? c1 + 1 + rb_strlen(name) : "",
				    (unsigned long long)off, sym.table, sym.ver[0] ? " version " : "", sym.ver);
		}
		explain("uprobe target %s", what);
		*sitesp = rb_zalloc(sizeof **sitesp);
		(*sitesp)->off = off;
		*np = 1;
	}
	for (unsigned i = 0; i < *np; i++)
		(*sitesp)[i].fd = (*sitesp)[i].link = -1;
	*pathp = rb_alloc(rb_strlen(path) + 1);
	rb_strlcpy(*pathp, path, rb_strlen(path) + 1);
	r = 0;
	goto out;
bad:
	r = err_set(e, RB_EOBJ, "%s: %s", path, elf.err.msg);
out:
	rb_free(s);
	rb_free(buf);
	return r;
}

/* The uprobe PMU's type, retprobe bit and where ref_ctr_offset goes ("config:32-63", 4.20+). */
static void probe_uprobes(struct attach_env *env)
{
	if (env->uprobed)
		return;
	env->uprobed = true;
	env->upmu_type = (int)pmu_attr("uprobe", "type", NULL);
	env->uretbit = (int)pmu_attr("uprobe", "format/retprobe", NULL);
	env->urefshift = (int)pmu_attr("uprobe", "format/ref_ctr_offset", NULL);
}

/* Is there tracefs's uprobe_events (the legacy interface)? Asked only when it may be used. */
static bool uprobe_events(struct attach_env *env)
{
	char path[128];
	struct statx st;
	struct err e;
	if (attach_tracefs(env, &e) < 0)
		return false;
	rb_snprintf(path, sizeof path, "%s/uprobe_events", env->tfs->dir);
	return kern_statx(path, STATX_TYPE, &st, "is the legacy uprobe interface there?") == 0;
}

int uprobe_plan(struct attach_env *env, struct attachment *a, enum attach_mode mode, struct err *e)
{
	struct prog *p = a->prog;
	a->usdt = p->def->kind == ATTACH_USDT;
	a->ret = p->def->kind == ATTACH_URETPROBE;
	if (!p->target[0]) {
		rb_snprintf(a->notice, sizeof a->notice, "prog '%s': section '%s' names no target: loaded, not attached "
							 "(--attach-to %s=%s gives it one)",
			     p->name, p->sec, p->name, a->usdt ? "PATH:PROVIDER:NAME" : "PATH:FUNC");
		return 0;
	}
	if (mode == MODE_TRACEPOINT)
		return err_set(e, -EINVAL, "prog '%s': --attach=tracepoint: no tracepoint stands in for a user-space probe",
			       p->name);
	int r = uprobe_resolve(p->target, a->usdt, &a->upath, &a->sites, &a->nsites, a->func, sizeof a->func, e);
	if (r < 0)
		return err_ctx(e, "prog '%s'", p->name);
	probe_uprobes(env);
	bool sema = false;
	for (unsigned i = 0; i < a->nsites; i++)
		sema |= a->sites[i].ref != 0;
	bool pmu = env->upmu_type >= 0 && (!a->ret || env->uretbit >= 0) && (!sema || env->urefshift >= 0);
	if (mode == MODE_KPROBE && !pmu)
		return err_set(e, -ENOENT, "prog '%s': --attach=pmu: no uprobe PMU%s", p->name,
			       env->upmu_type >= 0 ? " with retprobe and ref_ctr_offset" : "");
	if ((mode == MODE_LEGACY || !pmu) && !uprobe_events(env)) {
		err_set(e, -ENOENT, "prog '%s': this kernel has no %suprobe_events", p->name, pmu ? "" : "uprobe PMU and no ");
		err_hint(e, "uprobes need CONFIG_UPROBE_EVENTS");
		return e->code;
	}
	a->path = mode == MODE_LEGACY || !pmu ? PATH_LEGACY : PATH_PMU;
	if (mode == MODE_AUTO && a->path == PATH_LEGACY)
		rb_snprintf(a->notice, sizeof a->notice, "no uprobe PMU for '%s': using the legacy %s/uprobe_events",
			    p->name, env->tfs->dir);
	return 0;
}

static struct map *map_named(struct obj *o, const char *name)
{
	for (unsigned i = 0; o && i < o->nmaps; i++)
		if (!rb_strcmp(o->maps[i].name, name) && o->maps[i].fd >= 0)
			return &o->maps[i];
	return NULL;
}

/* USDT: site s's spec into __bpf_usdt_specs, then the program on the event with the spec id as
 * its BPF cookie; without BPF links (before 5.15) the id goes into __bpf_usdt_ip_to_spec_id by
 * the probe's address instead, which is known only for a fixed-address executable. */
static int usdt_attach(struct attach_env *env, struct attachment *a, struct usite *s, struct err *e)
{
	struct map *specs = map_named(env->obj, "__bpf_usdt_specs"), *ips = map_named(env->obj, "__bpf_usdt_ip_to_spec_id");
	u32 id = env->spec_next++;
	int r;
	if (specs && specs->value_size != USDT_SPEC_SIZE)
		return err_set(e, -EINVAL, "map __bpf_usdt_specs: value of %u bytes, not usdt.bpf.h's %u", specs->value_size,
			       USDT_SPEC_SIZE);
	if (specs && id >= specs->max_entries)
		return err_set(e, -E2BIG, "map __bpf_usdt_specs: more sites than its %u entries", specs->max_entries);
	if (specs && (r = kern_map_update(specs->fd, specs->kname, &id, s->spec, e)) < 0)
		return r;
	s->link = kern_link_create(a->prog->fd, s->fd, BPF_PERF_EVENT, id, e);
	if (s->link >= 0)
		return a->cookies = true, 0;
	if (s->link != -EINVAL && s->link != -EOPNOTSUPP)
		return s->link;
	u64 ip = s->vaddr;
	if (ips && s->dyn)
		return err_set(e, -EOPNOTSUPP, "no BPF cookies (5.15+), and a position-independent file's USDT probe has no fixed "
				       "address");
	if (ips && (r = kern_map_update(ips->fd, ips->kname, &ip, &id, e)) < 0)
		return r;
	return kern_perf_set_bpf(s->fd, a->prog->fd, e);
}

int uprobe_attach(struct attach_env *env, struct attachment *a, struct err *e)
{
	char where[320];
	int r = 0;
	for (unsigned i = 0; i < a->nsites && r >= 0; i++) {
		struct usite *s = &a->sites[i];
		if (a->path == PATH_PMU) {
			u64 config = (a->ret ? 1ULL << env->uretbit : 0) | (s->ref ? s->ref << env->urefshift : 0);
			r = s->fd = kern_perf_probe(env->upmu_type, true, a->upath, s->off, config, env->target_pid, e);
		} else {
			int n = rb_snprintf(where, sizeof where, "%s:0x%llx", a->upath, (unsigned long long)s->off);
			if (s->ref)
				rb_snprintf(where + n, sizeof where - (size_t)n, "(0x%llx)", (unsigned long long)s->ref);
			r = s->fd = attach_legacy_open(env, "uprobe_events", a->ret, where, s->ev, sizeof s->ev, env->target_pid,
						       &s->defined, e);
		}
		if (r >= 0)
			r = a->usdt ? usdt_attach(env, a, s, e) : kern_perf_set_bpf(s->fd, a->prog->fd, e);
	}
	if (r >= 0)
		return 0;
	if (r == -ENOENT || r == -EINVAL)
		err_hint(e, "is the offset in the file's code? (PATH:0xOFFSET is a file offset)");
	else if (r == -EPERM || r == -EACCES)
		err_hint(e, "attaching needs root (CAP_PERFMON and CAP_BPF, or CAP_SYS_ADMIN)");
	else if (r == -ESRCH)
		err_hint(e, "--pid %d: no such process", env->target_pid);
	return err_ctx(e, "prog '%s'", a->prog->name);
}

void uprobe_detach(struct attach_env *env, struct attachment *a)
{
	for (unsigned i = 0; i < a->nsites; i++) {
		struct usite *s = &a->sites[i];
		if (s->link >= 0)
			kern_close(s->link, "the BPF link: the program is detached with it");
		if (s->fd >= 0)
			kern_close(s->fd, "the uprobe's perf event");
		if (s->defined) /* after its perf event is closed, or the kernel says EBUSY */
			attach_legacy_del(env, "uprobe_events", s->ev);
	}
	rb_free(a->sites);
	rb_free(a->upath);
	a->sites = NULL, a->upath = NULL, a->nsites = 0;
}
