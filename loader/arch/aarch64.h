/* aarch64 (arm64): program entry and the raw system-call instruction. The only aarch64-specific
 * code in the loader besides the syscall function prefix and machine id below. */
#ifndef RAWBPF_ARCH_AARCH64_H
#define RAWBPF_ARCH_AARCH64_H

#define ARCH_NAME "aarch64"
/* The prefix kernels >= 4.19 give syscall entry functions on this architecture. */
#define ARCH_SYSCALL_PREFIX "__arm64_sys_"
/* ELF machine of this architecture's programs, and where Debian keeps their libraries. */
#define ARCH_EM 183 /* EM_AARCH64 */
#define ARCH_MULTIARCH "aarch64-linux-gnu"

/* svc #0: number in x8, arguments in x0..x5, result (or -errno) in x0; nothing else clobbered. */
static inline long arch_syscall6(long n, long a, long b, long c, long d, long e, long f)
{
	register long x8 __asm__("x8") = n;
	register long x0 __asm__("x0") = a;
	register long x1 __asm__("x1") = b;
	register long x2 __asm__("x2") = c;
	register long x3 __asm__("x3") = d;
	register long x4 __asm__("x4") = e;
	register long x5 __asm__("x5") = f;
	__asm__ volatile("svc #0"
			 : "+r"(x0)
			 : "r"(x8), "r"(x1), "r"(x2), "r"(x3), "r"(x4), "r"(x5)
			 : "memory", "cc");
	return x0;
}

/* _start: the kernel leaves argc at [sp]; hand the stack pointer to C with the ABI's 16-byte
 * alignment (the kernel already aligns it; this keeps it so). x29/x30 cleared: the outermost
 * frame. */
#define ARCH_START_ASM                                                                             \
	__asm__(".text\n.global _start\n.type _start,%function\n_start:\n"                        \
		"mov x29, #0\nmov x30, #0\nmov x0, sp\nand sp, x0, #-16\nbl rb_start_c\nbrk #0\n")

#endif
