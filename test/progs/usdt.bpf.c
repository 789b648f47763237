/* Test object for USDT probes, written for libbpf: BPF_USDT from its usdt.bpf.h reads the
 * arguments of rawbpf_test:tick (test/uprobe_target.c, given with --attach-to) through the spec
 * rawbpf writes into __bpf_usdt_specs and the BPF cookie (or the address map without cookies). */
#include <linux/bpf.h>
#include <linux/ptrace.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <stdbool.h>
#include <bpf/usdt.bpf.h>

SEC("usdt")
int BPF_USDT(tick, long i, long neg, int k, int sum)
{
	bpf_printk("tick %ld %ld %d", i, neg, k);
	bpf_printk("tick sum %d pid %d args %d", sum, (int)(bpf_get_current_pid_tgid() >> 32), bpf_usdt_arg_cnt(ctx));
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
