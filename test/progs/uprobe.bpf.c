/* Test object for user-space probes, written for libbpf (its headers, its macros): rb_add's
 * arguments by uprobe, rb_mul's result by uretprobe (test/uprobe_target.c, given with
 * --attach-to), and bash's readline line by uretprobe, found through $PATH. */
#include <linux/bpf.h>
#include <linux/ptrace.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

SEC("uprobe")
int BPF_KPROBE(add_entry, int a, int b)
{
	bpf_printk("rb_add(%d, %d) pid %d", a, b, (int)(bpf_get_current_pid_tgid() >> 32));
	return 0;
}

SEC("uretprobe")
int BPF_KRETPROBE(mul_return, long ret)
{
	bpf_printk("rb_mul returned %ld pid %d", ret, (int)(bpf_get_current_pid_tgid() >> 32));
	return 0;
}

SEC("uretprobe/bash:readline")
int BPF_KRETPROBE(bash_readline, const char *line)
{
	char buf[64];
	bpf_probe_read_user_str(buf, sizeof buf, line);
	bpf_printk("readline: '%s' pid %d", buf, (int)(bpf_get_current_pid_tgid() >> 32));
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
