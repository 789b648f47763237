/* The user program the uprobe, uretprobe and USDT tests trace: `uprobe_target N` calls
 * rb_add(i, 100 * i) and rb_mul(i, -7) and fires the USDT probe rawbpf_test:tick(i, -1000 * i,
 * 42, rb_add's result) for i = 1..N (odd i at one of its two sites, even i at the other), then
 * prints "pid PID calls N"; `uprobe_target N wait` first prints "pid PID" and waits for a line
 * (or end of file) on stdin. The probe has a semaphore, so
 * it fires only while a tracer has raised it (the kernel does, through ref_ctr_offset).
 * Built twice: with the host's cc and libc (a PIE, dynamically linked: the bats tests), and with
 * -DRB_NOLIBC, static and freestanding for x86_64 and arm64 (the QEMU matrix's initramfs has no
 * libc). */
#define _SDT_HAS_SEMAPHORES 1
#include <sys/sdt.h>

#ifdef RB_NOLIBC
#if defined(__x86_64__)
static long sc(long n, long a, long b, long c)
{
	long r;
	__asm__ volatile("syscall" : "=a"(r) : "a"(n), "D"(a), "S"(b), "d"(c) : "rcx", "r11", "memory");
	return r;
}
enum { NR_read = 0, NR_write = 1, NR_getpid = 39, NR_exit = 231 };
__asm__(".globl _start\n_start:\n mov %rsp, %rdi\n and $-16, %rsp\n call start_c\n");
#elif defined(__aarch64__)
static long sc(long n, long a, long b, long c)
{
	register long x8 __asm__("x8") = n, x0 __asm__("x0") = a, x1 __asm__("x1") = b, x2 __asm__("x2") = c;
	__asm__ volatile("svc 0" : "+r"(x0) : "r"(x8), "r"(x1), "r"(x2) : "memory");
	return x0;
}
enum { NR_read = 63, NR_write = 64, NR_getpid = 172, NR_exit = 94 };
__asm__(".globl _start\n_start:\n mov x0, sp\n bl start_c\n");
#else
#error "RB_NOLIBC: x86_64 or aarch64"
#endif
static long read(int fd, void *b, unsigned long n) { return sc(NR_read, fd, (long)b, (long)n); }
static long write(int fd, const void *b, unsigned long n) { return sc(NR_write, fd, (long)b, (long)n); }
static int getpid(void) { return (int)sc(NR_getpid, 0, 0, 0); }
#else
#include <unistd.h>
#endif

unsigned short rawbpf_test_tick_semaphore __attribute__((section(".probes"), used));

__attribute__((noinline, used)) int rb_add(int a, int b)
{
	__asm__ volatile("" ::: "memory"); /* a real call, not folded away */
	return a + b;
}

__attribute__((noinline, used)) long rb_mul(long a, long b)
{
	__asm__ volatile("" ::: "memory");
	return a * b;
}

static char *num(char *p, long v)
{
	char tmp[24];
	int n = 0;
	do
		tmp[n++] = (char)('0' + v % 10);
	while (v /= 10);
	while (n)
		*p++ = tmp[--n];
	return p;
}

static int run(int argc, char **argv)
{
	long n = 0;
	for (const char *p = argc > 1 ? argv[1] : "3"; *p >= '0' && *p <= '9'; p++)
		n = n * 10 + (*p - '0');
	char buf[64] = "pid ", *p = num(buf + 4, getpid());
	if (argc > 2) { /* a tracer may attach to this pid now */
		*p = '\n';
		write(1, buf, (unsigned long)(p + 1 - buf));
		read(0, p, 1);
	}
	for (long i = 1; i <= n; i++) {
		int r = rb_add((int)i, (int)(100 * i));
		rb_mul(i, -7);
		/* two sites of one probe, as an inlined function gives: odd i at one, even i at the other */
		if (rawbpf_test_tick_semaphore && (i & 1))
			STAP_PROBE4(rawbpf_test, tick, i, -1000 * i, 42, r);
		else if (rawbpf_test_tick_semaphore)
			STAP_PROBE4(rawbpf_test, tick, i, -1000 * i, 42, r);
	}
	p = num((char *)__builtin_memcpy(p, " calls ", 7) + 7, n);
	*p++ = '\n';
	write(1, buf, (unsigned long)(p - buf));
	return 0;
}

#ifdef RB_NOLIBC
__attribute__((used)) void start_c(long *sp)
{
	sc(NR_exit, run((int)sp[0], (char **)(sp + 1)), 0, 0);
	for (;;)
		;
}
#else
int main(int argc, char **argv)
{
	return run(argc, argv);
}
#endif
