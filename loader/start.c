/* The freestanding half of the runtime: program entry, the memory routines the compiler may
 * call, the allocator and exit. The sanitizer build replaces this file with test/host_rt.c. */
#define RT_MEM_DEFINED /* the memory routines themselves are here */
#include "io.h"
#include "sys.h"
#include <linux/auxvec.h>
#include <linux/mman.h>

ARCH_START_ASM;

unsigned long rb_vdso, rb_pagesize = 4096;
char **rb_environ;
int main(int argc, char **argv);

__attribute__((used)) _Noreturn void rb_start_c(long *sp)
{
	int argc = (int)sp[0];
	char **argv = (char **)(sp + 1);
	char **p = argv + argc + 1; /* environment */
	rb_environ = p;
	while (*p)
		p++;
	for (unsigned long *av = (unsigned long *)(p + 1); av[0]; av += 2)
		if (av[0] == AT_SYSINFO_EHDR)
			rb_vdso = av[1];
		else if (av[0] == AT_PAGESZ)
			rb_pagesize = av[1];
	rb_exit(main(argc, argv));
}

/* The compiler emits calls to these for struct copies and zeroing. */
void *memcpy(void *d, const void *s, size_t n)
{
	u8 *dp = d;
	const u8 *sp = s;
	while (n--)
		*dp++ = *sp++;
	return d;
}

void *memmove(void *d, const void *s, size_t n)
{
	u8 *dp = d;
	const u8 *sp = s;
	if (dp < sp)
		return memcpy(d, s, n);
	while (n--)
		dp[n] = sp[n];
	return d;
}

void *memset(void *d, int c, size_t n)
{
	u8 *dp = d;
	while (n--)
		*dp++ = (u8)c;
	return d;
}

int memcmp(const void *a, const void *b, size_t n)
{
	const u8 *x = a, *y = b;
	for (; n; n--, x++, y++)
		if (*x != *y)
			return *x - *y;
	return 0;
}

/* Allocator: small blocks are carved from 64 KiB arenas; freeing the latest one gives its space
 * back, others stay (rawbpf builds its object model once). Blocks over 16 KiB get their own
 * mapping and are unmapped by rb_free. */
#define ARENA (64 * 1024)
#define BIG (16 * 1024)
struct blk { u64 size; u64 big; };
/* The first arena is in .bss: a run of the built-in object needs no mmap at all. */
static u8 arena0[ARENA] __attribute__((aligned(16)));
static u8 *arena_cur = arena0, *arena_end = arena0 + ARENA;

static void *map_or_die(size_t n)
{
	void *p = sys_mmap(NULL, n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if ((unsigned long)p > -4096UL) {
		rb_eprintf("rawbpf: out of memory (mapping %zu bytes failed)\n", n);
		rb_exit(1);
	}
	return p;
}

void *rb_alloc(size_t n)
{
	struct blk *b;
	size_t need = sizeof *b + ((n + 15) & ~(size_t)15);
	if (n > BIG) {
		if (n > (1UL << 40)) {
			rb_eprintf("rawbpf: out of memory (%zu bytes requested)\n", n);
			rb_exit(1);
		}
		need = (need + 4095) & ~(size_t)4095;
		b = map_or_die(need);
		b->big = 1;
	} else {
		if ((size_t)(arena_end - arena_cur) < need) {
			arena_cur = map_or_die(ARENA);
			arena_end = arena_cur + ARENA;
		}
		b = (struct blk *)arena_cur;
		arena_cur += need;
		b->big = 0;
	}
	b->size = need;
	return b + 1;
}

void *rb_zalloc(size_t n)
{
	/* Fresh mappings are zero; arena space may have been used and given back. */
	void *p = rb_alloc(n);
	return n > BIG ? p : memset(p, 0, n);
}

void rb_free(void *p)
{
	struct blk *b = (struct blk *)p - 1;
	if (!p)
		return;
	if (b->big)
		sys_munmap(b, b->size);
	else if ((u8 *)b + b->size == arena_cur)
		arena_cur = (u8 *)b; /* the latest block: its space is reused, so scratch memory freed
				      * in reverse order (each map print, say) does not pile up */
}

_Noreturn void rb_exit(int code)
{
	rb_flush();
	sys_exit_group(code);
}
