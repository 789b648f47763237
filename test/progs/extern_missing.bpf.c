/* Test object: a strong .kconfig extern and a strong kfunc that no kernel has (each refused with
 * its name), and a weak one of each, which are not. */
#include "rawbpf.bpf.h"

#define __kconfig __attribute__((section(".kconfig")))
#define __ksym __attribute__((section(".ksyms")))
#define __weak __attribute__((weak))

extern int CONFIG_RAWBPF_NO_SUCH_OPTION __kconfig;
extern void bpf_rawbpf_no_such_kfunc(void) __ksym;

SEC("tp/syscalls/sys_enter_execve")
int missing_exec(void *ctx)
{
	if (CONFIG_RAWBPF_NO_SUCH_OPTION)
		bpf_rawbpf_no_such_kfunc();
	return 0;
}

LICENSE("GPL");
