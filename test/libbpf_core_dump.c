/* The libbpf reference for test/core.bats: loads an object with libbpf (which relocates it
 * against /sys/kernel/btf/vmlinux) and prints every program's instructions as libbpf loaded
 * them, "PROG INDEX CODE OFF IMM" per line, for comparing with what rawbpf resolved. */
#include <stdio.h>
#include <bpf/libbpf.h>

int main(int argc, char **argv)
{
	struct bpf_object *o;
	struct bpf_program *p;
	if (argc != 2)
		return fprintf(stderr, "usage: libbpf_core_dump OBJ\n"), 2;
	o = bpf_object__open_file(argv[1], NULL);
	if (!o || bpf_object__load(o))
		return fprintf(stderr, "libbpf_core_dump: %s does not load\n", argv[1]), 1;
	bpf_object__for_each_program(p, o) {
		const struct bpf_insn *in = bpf_program__insns(p);
		for (size_t i = 0; i < bpf_program__insn_cnt(p); i++)
			printf("%s %zu %u %d %d\n", bpf_program__name(p), i, in[i].code, in[i].off, in[i].imm);
	}
	bpf_object__close(o);
	return 0;
}
