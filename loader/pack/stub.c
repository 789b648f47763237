/* The packed binary's first code: the loader's own segments are stored compressed, each on its
 * own (tools/lzpack.c --image), and this stub, at a separate address, maps memory where the
 * image belongs, unpacks each segment in its place (the gaps between them stay untouched),
 * makes each part read-only or executable as the original segments were, and enters it with
 * the untouched process stack, once it has unmapped the compressed image. Cost: decoding ~90 KB,
 * one mmap, two mprotect and one munmap call, for a file two thirds of the size. */
#include "../sys.h"
#include "../lz.h"
#include "params.h" /* generated: IMG_LO, IMG_MEM, ENTRY, SEGMENTS, PROT_RANGES */
#include <linux/mman.h>

ARCH_START_ASM;

extern const u8 rb_image_lz[];
/* The stub's read-only segment (stub.ld): the compressed image and the tables below. */
extern const u8 rb_stub_ro_start[], rb_stub_ro_end[];

/* lz_decode uses memcpy for literal runs. */
void *memcpy(void *d, const void *s, size_t n)
{
	u8 *dp = d;
	const u8 *sp = s;
	while (n--)
		*dp++ = *sp++;
	return d;
}

/* Each segment's place and size, and where its stream is in rb_image_lz. */
static const struct { unsigned long addr, size, off, packed; } segments[] = {SEGMENTS};
static const struct { unsigned long addr, len; int prot; } ranges[] = {PROT_RANGES};

/* The page size this kernel uses (AT_PAGESZ in the auxiliary vector past argv and envp): 4 KiB
 * on x86_64; 4, 16 or 64 KiB on arm64. */
static unsigned long page_size(long *sp)
{
	long *p = sp + 1 + sp[0] + 1; /* argc, argv[], NULL */
	while (*p++) /* envp[], NULL */
		;
	for (; p[0]; p += 2)
		if (p[0] == 6 /* AT_PAGESZ */)
			return (unsigned long)p[1];
	return 4096;
}

__attribute__((used)) _Noreturn void rb_start_c(long *sp)
{
	static const char bad[] = "rawbpf: the packed image is damaged, or its memory could not be set up\n";
	/* MAP_FIXED_NOREPLACE (4.17+; older kernels take the address as a hint): never over
	 * anything already mapped; checked either way. */
	void *img = sys_mmap((void *)IMG_LO, IMG_MEM, PROT_READ | PROT_WRITE,
			     MAP_PRIVATE | MAP_ANONYMOUS | 0x100000 /* MAP_FIXED_NOREPLACE */, -1, 0);
	if (img != (void *)IMG_LO) {
		sys_write(2, bad, sizeof bad - 1);
		sys_exit_group(127);
	}
	for (size_t i = 0; i < sizeof segments / sizeof segments[0]; i++)
		if (lz_decode(rb_image_lz + segments[i].off, segments[i].packed, (u8 *)segments[i].addr,
			      segments[i].size) < 0) {
			sys_write(2, bad, sizeof bad - 1);
			sys_exit_group(127);
		}
	for (size_t i = 0; i < sizeof ranges / sizeof ranges[0]; i++)
		if (SYS6(__NR_mprotect, ranges[i].addr, ranges[i].len, ranges[i].prot, 0, 0, 0) < 0) {
			sys_write(2, bad, sizeof bad - 1);
			sys_exit_group(127);
		}
	for (size_t i = 0; i < sizeof segments / sizeof segments[0]; i++)
		ARCH_SYNC_CODE(segments[i].addr, segments[i].size);
	/* The compressed image is spent: its pages go, so that the loader's own memory does not
	 * come on top of them (peak resident memory of the default job, measured: 192 -> 132 KiB
	 * here, 272 -> 208 KiB on arm64 with 16 KiB pages). Nothing read-only of the stub's is used
	 * after this. */
	unsigned long ps = page_size(sp), lo = (unsigned long)rb_stub_ro_start & ~(ps - 1),
		      hi = ((unsigned long)rb_stub_ro_end + ps - 1) & ~(ps - 1);
	sys_munmap((void *)lo, hi - lo);
	ARCH_ENTER(sp, ENTRY);
	__builtin_unreachable();
}
