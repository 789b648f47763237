/* Test object for .ksyms externs: an untyped symbol (an address), kfunc calls (6.4+), and a weak
 * kfunc no kernel has, guarded as bpf_ksym_exists() guards it. ksym_var.bpf.c: a typed one. */
#include "rawbpf.bpf.h"

#define __ksym __attribute__((section(".ksyms")))
#define __weak __attribute__((weak))
struct bpf_iter_num { __u64 __opaque[1]; } __attribute__((aligned(8)));

extern const void bpf_prog_put __ksym;           /* untyped: its address */
extern int bpf_iter_num_new(struct bpf_iter_num *it, int start, int end) __ksym;
extern int *bpf_iter_num_next(struct bpf_iter_num *it) __ksym;
extern void bpf_iter_num_destroy(struct bpf_iter_num *it) __ksym;
extern void bpf_rcu_read_lock(void) __ksym;
extern void bpf_rcu_read_unlock(void) __ksym;
extern void bpf_rawbpf_no_such_kfunc(void) __ksym __weak;

SEC("tp/syscalls/sys_enter_execve")
int ksyms_exec(void *ctx)
{
	struct bpf_iter_num it;
	int sum = 0, *v;
	bpf_iter_num_new(&it, 0, 5);
	while ((v = bpf_iter_num_next(&it)))
		sum += *v;
	bpf_iter_num_destroy(&it);
	bpf_rcu_read_lock();
	bpf_rcu_read_unlock();
	if (bpf_rawbpf_no_such_kfunc) /* bpf_ksym_exists() */
		bpf_rawbpf_no_such_kfunc();
	printk("ksyms sum %d", sum);
	printk("ksyms put %llx", (__u64)&bpf_prog_put);
	return 0;
}

LICENSE("GPL");
