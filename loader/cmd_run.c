/* rawbpf run OBJ (and the default job): load, attach every program by its section name, copy
 * the trace pipe to stdout until a signal or --duration, then undo everything in reverse. */
#include "cli.h"
#include "io.h"
#include "kernel.h"
#include "sys.h"
#include "trace.h"

#define SIG_BIT(s) (1ULL << ((s) - 1))
/* SIGHUP, SIGINT, SIGQUIT, SIGTERM end the run cleanly; SIGPIPE turns into EPIPE on write. */
static const u64 stop_signals = SIG_BIT(1) | SIG_BIT(2) | SIG_BIT(3) | SIG_BIT(15);

int do_run(struct opts *opt)
{
	struct obj o;
	struct err e;
	struct tracefs tfs = {.mounted_by_us = false};
	struct attach_env env;
	struct attachment *att = NULL;
	unsigned natt = 0;
	int code = EXIT_FAIL, pipe_fd = -1, sig_fd = -1, r;
	u64 mask = stop_signals | SIG_BIT(13);

	if (open_object(opt->obj, &o, &e) < 0)
		return report(&e, EXIT_BADOBJ);

	/* From here on a stop signal only queues up on the signalfd, so whatever moment it comes,
	 * the run still goes through the cleanup below. */
	sys_rt_sigprocmask(0 /* SIG_BLOCK */, &mask, NULL);
	sig_fd = sys_signalfd4(-1, &stop_signals, 02000000 /* SFD_CLOEXEC */);
	if (sig_fd < 0) {
		err_set(&e, sig_fd, "signalfd: %s", rb_strerror(-sig_fd));
		report(&e, EXIT_FAIL);
		goto out;
	}
	if (tracefs_find(&tfs, &e) < 0) {
		report(&e, EXIT_FAIL);
		goto out;
	}
	/* Open trace_pipe before loading anything: if another reader holds it, nothing is created. */
	pipe_fd = tracefs_open_pipe(&tfs, &e);
	if (pipe_fd < 0) {
		report(&e, EXIT_FAIL);
		goto out;
	}
	trace_discard_old(pipe_fd);

	attach_env_init(&env, &tfs);
	att = rb_zalloc(o.nprogs * sizeof *att);
	for (unsigned i = 0; i < o.nprogs; i++) {
		struct prog *p = &o.progs[i];
		u32 type;
		if (!p->autoload)
			continue;
		if (attach_plan(&env, p, opt->mode, &att[natt], &type, &e) < 0) {
			report(&e, EXIT_FAIL);
			goto out;
		}
		if (att[natt].notice[0])
			rb_eprintf("rawbpf: notice: %s\n", att[natt].notice);
		if ((r = load_prog(&o, p, type, &e)) != EXIT_OK) {
			code = r;
			goto out;
		}
		natt++;
	}
	if (!natt) {
		err_set(&e, -22, "%s: no program to attach (all sections start with '?')", opt->obj);
		report(&e, EXIT_FAIL);
		goto out;
	}
	for (unsigned i = 0; i < natt; i++) {
		char what[256];
		if (attach_do(&env, &att[i], &e) < 0) {
			report(&e, EXIT_FAIL);
			goto out;
		}
		attach_describe(&att[i], what, sizeof what);
		rb_eprintf("rawbpf: prog '%s': attached to %s\n", att[i].prog->name, what);
	}

	r = trace_copy(pipe_fd, sig_fd, opt->duration_ms ? now_ns() + opt->duration_ms * 1000000LL : 0);
	if (r < 0 && r != -32 /* EPIPE: the reader went away, as with | head */) {
		err_set(&e, r, "reading trace_pipe: %s", rb_strerror(-r));
		report(&e, EXIT_FAIL);
		goto out;
	}
	code = EXIT_OK;
out:
	for (unsigned i = natt; i-- > 0;)
		attach_undo(&env, &att[i]);
	for (unsigned i = 0; i < o.nprogs; i++)
		if (o.progs[i].fd >= 0)
			kern_close(o.progs[i].fd, "the program: with no attachment left, the kernel frees it");
	if (pipe_fd >= 0) {
		if (code == EXIT_OK)
			trace_flush(pipe_fd); /* lines our programs wrote before they were detached */
		sys_close(pipe_fd);
	}
	tracefs_release(&tfs);
	if (sig_fd >= 0)
		sys_close(sig_fd);
	rb_free(att);
	obj_free(&o);
	return code;
}
