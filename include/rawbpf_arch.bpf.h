/* What a BPF program may need to know about the CPU the kernel runs on: system-call numbers
 * (they differ: execve is 59 on x86_64, 221 on arm64). Chosen, as libbpf does, by the
 * -D__TARGET_ARCH_<arch> the GNUmakefile passes: x86 or arm64. */
#ifndef RAWBPF_ARCH_BPF_H
#define RAWBPF_ARCH_BPF_H

#if defined(__TARGET_ARCH_x86)
#define RB_ARCH "x86_64"
#define RB_NR_execve 59
#define RB_NR_timer_create 222
#define RB_NR_timer_settime 223
#define RB_NR_timer_gettime 224
#define RB_NR_timer_getoverrun 225
#define RB_NR_timer_delete 226
#elif defined(__TARGET_ARCH_arm64)
#define RB_ARCH "aarch64"
#define RB_NR_execve 221
#define RB_NR_timer_create 107
#define RB_NR_timer_gettime 108
#define RB_NR_timer_getoverrun 109
#define RB_NR_timer_settime 110
#define RB_NR_timer_delete 111
#else
#error "rawbpf_arch.bpf.h: build with -D__TARGET_ARCH_x86 or -D__TARGET_ARCH_arm64 (make ARCH=... passes it)"
#endif

/* Where the target's UAPI headers are on the include path (the GNUmakefile puts them there), the
 * numbers above are checked against them at every build: a wrong table, or headers of another
 * architecture than __TARGET_ARCH_, stops the build. */
#if __has_include(<asm/unistd.h>)
#include <asm/unistd.h>
_Static_assert(RB_NR_execve == __NR_execve, "RB_NR_execve differs from <asm/unistd.h>");
_Static_assert(RB_NR_timer_create == __NR_timer_create, "RB_NR_timer_create differs from <asm/unistd.h>");
_Static_assert(RB_NR_timer_settime == __NR_timer_settime, "RB_NR_timer_settime differs from <asm/unistd.h>");
_Static_assert(RB_NR_timer_gettime == __NR_timer_gettime, "RB_NR_timer_gettime differs from <asm/unistd.h>");
_Static_assert(RB_NR_timer_getoverrun == __NR_timer_getoverrun,
	       "RB_NR_timer_getoverrun differs from <asm/unistd.h>");
_Static_assert(RB_NR_timer_delete == __NR_timer_delete, "RB_NR_timer_delete differs from <asm/unistd.h>");
#endif
#endif
