/* The libbpf side of the CO-RE benchmark: open and load an object (libbpf relocates it against
 * /sys/kernel/btf/vmlinux, creates its maps, loads its programs), then release it all. */
#include <stdio.h>
#include <bpf/libbpf.h>

static int quiet(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	return level == LIBBPF_WARN ? vfprintf(stderr, fmt, ap) : 0;
}

int main(int argc, char **argv)
{
	struct bpf_object *o;
	int r;
	if (argc != 2)
		return fprintf(stderr, "usage: libbpf_core OBJ\n"), 2;
	libbpf_set_print(quiet);
	o = bpf_object__open_file(argv[1], NULL);
	if (!o)
		return fprintf(stderr, "libbpf_core: cannot open %s\n", argv[1]), 1;
	r = bpf_object__load(o);
	bpf_object__close(o);
	return r ? 1 : 0;
}
