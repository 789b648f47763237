/* rawbpf run OBJ (and the default job): load, attach every program by its section name, print
 * what the programs report (trace_pipe, perf and ring buffers, maps) until a signal or
 * --duration, then undo everything in reverse. */
#include "cli.h"
#include "io.h"
#include "kernel.h"
#include "output.h"
#include "trace.h"

/* Prints what the attach layer had to say (a line each) and forgets it. */
static void tell(struct attach_env *env)
{
	for (char *s = env->notice, *nl; *s; s = nl + 1) {
		nl = rb_strchr(s, '\n');
		rb_eprintf("rawbpf: %.*s\n", nl ? (int)(nl - s) : (int)rb_strlen(s), s);
		if (!nl)
			break;
	}
	env->notice[0] = 0;
}

/* The other program of an alternative: fentry/F and kprobe/F, fexit/F and kretprobe/F, tp_btf/T
 * and tracepoint/CAT/T or raw_tp/T, both to be loaded; else NULL. */
static struct prog *twin(struct obj *o, struct prog *p)
{
	for (unsigned i = 0; p->autoload && i < o->nprogs; i++) {
		struct prog *q = &o->progs[i], *b = p->def->kind == ATTACH_BTF ? p : q, *k = b == p ? q : p;
		u32 t = b->def->expected_attach_type, kk = k->def->kind;
		const char *slash = rb_strchr(k->target, '/');
		if (q->autoload && b->def->kind == ATTACH_BTF && k->def->kind != ATTACH_BTF &&
		    ((t == BPF_TRACE_FENTRY && kk == ATTACH_KPROBE) || (t == BPF_TRACE_FEXIT && kk == ATTACH_KRETPROBE) ||
		     (t == BPF_TRACE_RAW_TP && (kk == ATTACH_RAW_TP || kk == ATTACH_TRACEPOINT))) &&
		    !rb_strcmp(b->target, kk == ATTACH_TRACEPOINT && slash ? slash + 1 : k->target))
			return q;
	}
	return NULL;
}

int do_run(struct opts *opt)
{
	struct obj o;
	struct err e;
	struct tracefs tfs;
	struct attach_env env;
	struct loaded l = {.o = &o, .btf_fd = -1, .btf_path = opt->btf};
	struct output out = {.l = &l, .trace_fd = -1, .sig_fd = -1};
	struct attachment *att = NULL;
	u32 *types = NULL;
	unsigned natt = 0;
	int code = EXIT_FAIL, r;
	bool trace = false;

	if (open_object(opt->obj, &o, &e) < 0)
		return report(&e, EXIT_BADOBJ);
	if (select_progs(&o, opt, &e) < 0 || apply_attach_to(&o, opt, &e) < 0) {
		obj_free(&o);
		return report(&e, EXIT_USAGE);
	}
	attach_env_init(&env, &tfs);
	env.obj = &o;
	env.target_pid = opt->pid;
	out.interval_ns = opt->interval_ms * 1000000LL;
	out.json = opt->json;
	if (opt->json)
		trace_sink = trace_json;

	/* From here on a stop signal only queues up on the signalfd, so whatever moment it comes,
	 * the run still goes through the cleanup below. */
	/* SIGHUP (unless started under nohup), SIGINT, SIGQUIT and SIGTERM end the run cleanly, even
	 * from the background of a script, where the shell ignores SIGINT; SIGPIPE turns into EPIPE. */
	if ((out.sig_fd = kern_stop_signals(&e)) < 0) {
		report(&e, EXIT_FAIL);
		goto out;
	}
	for (unsigned i = 0; i < o.nprogs; i++)
		trace |= o.progs[i].autoload && o.progs[i].uses_trace_printk;
	if (trace) {
		/* Open trace_pipe before loading anything: if another reader has it, nothing is created. */
		if (attach_tracefs(&env, &e) < 0 || (out.trace_fd = tracefs_open_pipe(&tfs, &e)) < 0) {
			report(&e, EXIT_FAIL);
			goto out;
		}
		trace_discard_old(out.trace_fd);
		trace_use_raw(&tfs);
	}

	att = rb_zalloc(o.nprogs * (sizeof *att + sizeof *types)); /* and each program's type after them */
	types = (u32 *)(att + o.nprogs);
	for (unsigned i = 0; i < o.nprogs; i++) {
		if (!o.progs[i].autoload)
			continue;
		if (attach_plan(&env, &o.progs[i], opt->mode, &att[natt], &types[i], &e) < 0)
			goto fail;
		if (att[natt].notice[0])
			rb_eprintf("rawbpf: notice: %s\n", att[natt].notice);
		natt++;
	}
	unsigned attachable = 0;
	for (unsigned i = 0; i < natt; i++)
		attachable += att[i].path != PATH_NONE;
	if (!attachable) {
		err_set(&e, -EINVAL, "%s: no program to attach (rawbpf attaches kprobe/, kretprobe/, ksyscall/, "
				 "kretsyscall/, tracepoint/, tp/, raw_tp/, fentry/, fexit/, fmod_ret/, tp_btf/, lsm/, uprobe/, "
				 "uretprobe/ and usdt/ programs, and bare fentry, fexit, uprobe, uretprobe and usdt ones with "
				 "--attach-to; '?' sections are skipped)",
			opt->obj);
		goto fail;
	}
	if (load_maps(&l, &e) < 0)
		goto fail;
	if (l.btf_notice[0])
		rb_eprintf("rawbpf: notice: %s\n", l.btf_notice);
	/* Refused programs: without --keep-going the run ends at the first; with it, when none is left
	 * to attach. Of two alternatives, the BTF-typed one is loaded first, the other only if the
	 * kernel refuses it. */
	for (unsigned i = 0; i < o.nprogs; i++) {
		struct prog *p = &o.progs[i], *q = twin(&o, p);
		if (!p->autoload || (q && p->def->kind != ATTACH_BTF))
			continue;
		r = load_prog(&l, p, types[i], &e);
		if (q) {
			rb_eprintf("rawbpf: prog '%s' (%s) and prog '%s' (%s) are alternatives for one event: attaching '%s'%s\n",
				   p->name, p->sec, q->name, q->sec, r ? q->name : p->name,
				   r ? ", as the kernel refused the BTF-typed one" : ", the BTF-typed one, as the kernel loads it");
			attachable--;
			if (r)
				r = load_prog(&l, q, types[q - o.progs], &e), p = q;
		}
		if (r != EXIT_OK) {
			attachable -= p->def->kind != ATTACH_NONE;
			if (!opt->keep_going || !attachable) {
				code = r;
				goto out;
			}
			rb_eprintf("rawbpf: --keep-going: running without prog '%s'\n", p->name);
		}
	}
	if (load_prog_arrays(&l, &e) < 0 || output_setup(&out, &e) < 0)
		goto fail;
	for (unsigned i = 0; i < natt; i++) {
		char what[256];
		struct prog *p = att[i].prog, *q = twin(&o, p);
		if (att[i].path == PATH_NONE || p->fd < 0)
			continue;
		r = attach_do(&env, &att[i], &e);
		tell(&env);
		if (r < 0) {
			report(&e, EXIT_FAIL);
			/* A BTF-typed program the kernel loads but cannot attach (arm64 before 6.4: no
			 * trampolines): its alternative then, loaded now and attached in its turn. */
			if (q && q->fd < 0 && p->def->kind == ATTACH_BTF) {
				rb_eprintf("rawbpf: prog '%s' cannot attach: attaching its alternative '%s' instead\n", p->name, q->name);
				unsigned j = 0;
				while (att[j].prog != q)
					j++;
				if (load_prog(&l, q, types[q - o.progs], &e) == EXIT_OK) {
					if (j > i)
						continue; /* attached in its turn */
					if (attach_do(&env, &att[j], &e) == 0) {
						attach_describe(&att[j], what, sizeof what);
						rb_eprintf("rawbpf: prog '%s': attached to %s\n", q->name, what);
						continue;
					}
					report(&e, EXIT_FAIL);
				}
				p = q;
			}
			if (!opt->keep_going || !--attachable)
				goto out;
			rb_eprintf("rawbpf: --keep-going: running without prog '%s'\n", att[i].prog->name);
			continue;
		}
		attach_describe(&att[i], what, sizeof what);
		rb_eprintf("rawbpf: prog '%s': attached to %s\n", att[i].prog->name, what);
	}

	r = output_loop(&out, opt->duration_ms ? now_ns() + opt->duration_ms * 1000000LL : 0);
	if (r < 0 && r != -EPIPE /* the reader went away, as with | head */) {
		err_set(&e, r, "writing the output: %s", rb_strerror(-r));
		goto fail;
	}
	code = EXIT_OK;
	goto out;
fail:
	report(&e, EXIT_FAIL);
out:
	for (unsigned i = natt; i-- > 0;)
		attach_undo(&env, &att[i]);
	tell(&env);
	if (code == EXIT_OK)
		output_final(&out); /* what the programs wrote before they were detached */
	output_release(&out);
	load_release(&l);
	if (out.trace_fd >= 0)
		trace_close(out.trace_fd);
	if (env.tfs_ready)
		tracefs_release(&tfs);
	if (out.sig_fd >= 0)
		kern_close(out.sig_fd, "the signalfd");
	rb_free(att);
	obj_free(&o);
	return code;
}
