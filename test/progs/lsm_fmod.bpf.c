/* Test object for fmod_ret and lsm programs. fmod_ret/security_file_open makes the open(2)s of
 * one process (target_pid, given with --set) fail with EPERM: security_* functions are the ones
 * fmod_ret may change on kernels without CONFIG_FUNCTION_ERROR_INJECTION (Debian's). The
 * lsm/bprm_check_security program, on the BPF LSM's hook, prints the pid of each exec (and
 * allows it); it runs only where the BPF LSM is active (bpf in lsm=, /sys/kernel/security/lsm). */
#include "rawbpf.bpf.h"

const volatile int target_pid = 0;

SEC("fmod_ret/security_file_open")
int deny_open(__u64 *ctx)
{
	int pid = bpf_get_current_pid_tgid() >> 32;
	if (pid != target_pid)
		return 0; /* 0: the function runs as usual */
	printk("fmod_ret denied open %d", pid);
	return -1; /* -EPERM, returned instead of running the function */
}

SEC("lsm/bprm_check_security")
int lsm_exec(__u64 *ctx)
{
	printk("lsm exec %d", (int)(bpf_get_current_pid_tgid() >> 32));
	return 0;
}

LICENSE("GPL");
