/* Fuzzing seed, never loaded: a CO-RE relocation against a type whose parts share sub-types:
 * function pointers whose two parameters are the previous one, 30 deep. A resolver comparing
 * it path by path instead of type by type takes 2^30 steps (it hung before the resolver's step
 * bound); the fuzzer starts from it and varies the shape. */
#include <linux/types.h>
#include <linux/bpf.h>

#define SEC(name) __attribute__((section(name), used))

typedef int (*p0)(int);
#define P(n, m) typedef int (*p##n)(p##m, p##m);
P(1, 0) P(2, 1) P(3, 2) P(4, 3) P(5, 4) P(6, 5) P(7, 6) P(8, 7) P(9, 8) P(10, 9)
P(11, 10) P(12, 11) P(13, 12) P(14, 13) P(15, 14) P(16, 15) P(17, 16) P(18, 17) P(19, 18) P(20, 19)
P(21, 20) P(22, 21) P(23, 22) P(24, 23) P(25, 24) P(26, 25) P(27, 26) P(28, 27) P(29, 28) P(30, 29)

SEC("tp/syscalls/sys_enter_execve")
int deep(void *ctx)
{
	return __builtin_preserve_type_info(*(p30 *)0, 0 /* BPF_TYPE_EXISTS */);
}

char LICENSE[] SEC("license") = "GPL";
