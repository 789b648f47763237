/* rawbpf load OBJ: load every program, report each verdict, release everything. No attach. */
#include "cli.h"
#include "io.h"
#include "kernel.h"

int do_load(struct opts *opt)
{
	struct obj o;
	struct err e;
	int worst = EXIT_OK;

	if (open_object(opt->obj, &o, &e) < 0)
		return report(&e, EXIT_BADOBJ);
	for (unsigned i = 0; i < o.nprogs; i++) {
		struct prog *p = &o.progs[i];
		if (!p->autoload) {
			rb_printf("prog '%s' (%s): skipped (the section starts with '?')\n", p->name, p->sec);
			continue;
		}
		int r = load_prog(&o, p, p->def->prog_type, &e);
		if (r == EXIT_OK) {
			rb_printf("prog '%s' (%s, %u instructions): accepted by the verifier\n", p->name, p->sec,
				  p->insn_cnt);
			kern_close(p->fd, "the program: nothing else holds it, so the kernel frees it");
			p->fd = -1;
		} else {
			rb_printf("prog '%s' (%s, %u instructions): %s\n", p->name, p->sec, p->insn_cnt,
				  r == EXIT_REJECTED ? "rejected" : "not loaded");
			if (r > worst)
				worst = r;
		}
	}
	obj_free(&o);
	return worst;
}
