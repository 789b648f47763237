/* rawbpf load OBJ: create the maps, load every program, report each verdict, release
 * everything. No attach. */
#include "cli.h"
#include "io.h"
#include "kernel.h"

int do_load(struct opts *opt)
{
	struct obj o;
	struct err e;
	struct loaded l = {.o = &o, .btf_fd = -1, .btf_path = opt->btf};
	int worst = EXIT_OK;

	if (open_object(opt->obj, &o, &e) < 0)
		return report(&e, EXIT_BADOBJ);
	if (select_progs(&o, opt, &e) < 0 || apply_attach_to(&o, opt, &e) < 0) {
		worst = report(&e, EXIT_USAGE);
		goto out;
	}
	if (load_maps(&l, &e) < 0) {
		worst = report(&e, EXIT_FAIL);
		goto out;
	}
	if (l.btf_notice[0])
		rb_eprintf("rawbpf: notice: %s\n", l.btf_notice);
	for (unsigned i = 0; i < o.nprogs; i++) {
		struct prog *p = &o.progs[i];
		if (!p->autoload) {
			rb_printf("prog '%s' (%s): skipped (%s)\n", p->name, p->sec,
				  opt->only || opt->skip ? "not chosen by --prog/--skip" : "the section starts with '?'");
			continue;
		}
		int r = load_prog(&l, p, p->def->prog_type, &e);
		if (r == EXIT_OK) {
			rb_printf("prog '%s' (%s, %u instructions): accepted by the verifier\n", p->name, p->sec,
				  p->insn_cnt);
		} else {
			rb_printf("prog '%s' (%s, %u instructions): %s\n", p->name, p->sec, p->insn_cnt,
				  r == EXIT_REJECTED ? "rejected" : "not loaded");
			if (r > worst)
				worst = r;
		}
	}
out:
	load_release(&l);
	obj_free(&o);
	return worst;
}
