/* rawbpf probe: what this kernel offers for BPF and how each answer was found (probe.c asks),
 * then whether the default job can run here, and why not. Exit 1 if it cannot. */
#include "cli.h"
#include "emit.h"

int do_probe(struct opts *opt)
{
	struct emit w = {.json = opt->json};
	struct probe p = {.n = 0};
	struct attach_env env;
	struct new_utsname u;
	const char *why = NULL;

	kern_uname(&u);
	em_open(&w, NULL, '{');
	em_rec(&w, "kernel %{release}s, %{machine}s\n", u.release, u.machine);
	kern_probe(&p);
	bool ours = p.tfs.mounted_by_us;
	attach_env_init(&env, &p.tfs); /* (which forgets who mounted tracefs) */
	p.tfs.mounted_by_us = ours;
	int r = attach_syscall_prefix(&env);
	probe_add(&p, "syscall prefix", r == 0, r ? "unknown|/proc/kallsyms: %s" : "%s|the first of BCC's prefixes whose "
		  "<prefix>bpf is in /proc/kallsyms; execve is %sexecve", r ? rb_strerror(-r) : env.prefix, env.prefix);
	if (!p.bpf)
		why = "bpf() refused to load a tracing program (no bpf syscall, or not enough privileges)";
	else if (!p.tracefs)
		why = "no tracefs, and it cannot be mounted";
	else if (!p.kprobes && !p.tracepoint)
		why = "neither kprobes nor the syscalls/sys_enter_execve tracepoint";
	probe_add(&p, "default job", !why, "%s|%s", why ? "cannot run" : "runs",
		  why ? why : p.kprobes ? "kprobe on the execve function; trace_pipe" :
		  "no kprobes: the syscalls/sys_enter_execve tracepoint instead; trace_pipe");
	em_open(&w, "features", '[');
	for (unsigned i = 0; i < p.n; i++) {
		char *bar = rb_strchr(p.item[i].text, '|');
		if (bar)
			*bar++ = 0;
		em_rec(&w, "%-19{name}s %-22{value}s %{how}s%{ok}b\n", p.item[i].what, p.item[i].text, bar ? bar : "",
		       p.item[i].ok);
	}
	em_close(&w);
	em_close(&w);
	kern_probe_release(&p);
	return why ? EXIT_FAIL : EXIT_OK;
}
