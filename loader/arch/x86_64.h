/* x86_64: program entry and the raw system-call instruction. The only x86_64-specific code in
 * the loader besides the syscall function prefix and machine id below. */
#ifndef RAWBPF_ARCH_X86_64_H
#define RAWBPF_ARCH_X86_64_H

#define ARCH_NAME "x86_64"
/* The prefix kernels >= 4.17 give syscall entry functions on this architecture. */
#define ARCH_SYSCALL_PREFIX "__x64_sys_"
/* ELF machine of this architecture's programs, and where Debian keeps their libraries. */
#define ARCH_EM 62 /* EM_X86_64 */
#define ARCH_MULTIARCH "x86_64-linux-gnu"

static inline long arch_syscall6(long n, long a, long b, long c, long d, long e, long f)
{
	register long r10 __asm__("r10") = d;
	register long r8 __asm__("r8") = e;
	register long r9 __asm__("r9") = f;
	long ret;
	__asm__ volatile("syscall"
			 : "=a"(ret)
			 : "a"(n), "D"(a), "S"(b), "d"(c), "r"(r10), "r"(r8), "r"(r9)
			 : "rcx", "r11", "memory");
	return ret;
}

/* _start: the kernel leaves argc at (%rsp); hand the stack pointer to C with the ABI's
 * 16-byte alignment. */
#define ARCH_START_ASM                                                                             \
	__asm__(".text\n.global _start\n.type _start,@function\n_start:\n"                        \
		"xor %ebp,%ebp\nmov %rsp,%rdi\nand $-16,%rsp\ncall rb_start_c\nhlt\n")

#endif
