/* Test object for .kconfig externs: LINUX_* values and CONFIG_* of each kind libbpf takes
 * (tristate, bool, char, integer, string), weak ones that no kernel has. */
#include "rawbpf.bpf.h"

#define __kconfig __attribute__((section(".kconfig")))
#define __weak __attribute__((weak))
enum libbpf_tristate { TRI_NO = 0, TRI_YES = 1, TRI_MODULE = 2 };

extern unsigned int LINUX_KERNEL_VERSION __kconfig;
extern _Bool LINUX_HAS_BPF_COOKIE __kconfig;
extern _Bool LINUX_HAS_SYSCALL_WRAPPER __kconfig;
extern enum libbpf_tristate CONFIG_BPF_SYSCALL __kconfig;
extern _Bool CONFIG_BPF __kconfig;
extern char CONFIG_BPF_JIT __kconfig __weak;
extern int CONFIG_HZ __kconfig __weak;
extern unsigned long long CONFIG_NR_CPUS __kconfig __weak;
extern char CONFIG_DEFAULT_HOSTNAME[8] __kconfig __weak;
extern enum libbpf_tristate CONFIG_RAWBPF_NO_SUCH_OPTION __kconfig __weak;
extern int CONFIG_RAWBPF_NO_SUCH_NUMBER __kconfig __weak;

SEC("tp/syscalls/sys_enter_execve")
int kconfig_exec(void *ctx)
{
	printk("kc1 %u %d %d", LINUX_KERNEL_VERSION, LINUX_HAS_BPF_COOKIE, LINUX_HAS_SYSCALL_WRAPPER);
	printk("kc2 %d %d %d", CONFIG_BPF_SYSCALL, CONFIG_BPF, CONFIG_BPF_JIT);
	printk("kc3 %d %llu %s", CONFIG_HZ, CONFIG_NR_CPUS, CONFIG_DEFAULT_HOSTNAME);
	printk("kc4 %d %d", CONFIG_RAWBPF_NO_SUCH_OPTION, CONFIG_RAWBPF_NO_SUCH_NUMBER);
	return 0;
}

LICENSE("GPL");
