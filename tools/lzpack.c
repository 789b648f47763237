/* Build tool, one compressor (loader/lz.c decodes what it writes), two jobs:
 *   lzpack --image ELF DIR STUB_BASE   packs a static executable's loadable segments for the
 *                                      stub that unpacks them at start (loader/pack/stub.c):
 *                                      writes DIR/image.lz, params.h, image.S and stub.ld;
 *   lzpack --objects OUT.S DIR NAME=FILE...  compresses each built-in object on its own (so a
 *                                      run decodes only the one it uses) and writes the assembly
 *                                      that embeds them with their table. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MINMATCH 4
#define WINDOW 65535
#define HASH_BITS 16
/* Matches stop at this length: a long run (the zeros between an arm64 image's 64 KiB-aligned
 * segments) then costs a few more sequences, not a compare of the whole run at every position. */
#define MAXMATCH 4096

static unsigned char *in;
static size_t in_len;
static int *head, *prev;

static unsigned hash4(size_t i)
{
	unsigned v;
	memcpy(&v, in + i, 4);
	return (v * 2654435761u) >> (32 - HASH_BITS);
}

static void insert(size_t i)
{
	if (i + MINMATCH > in_len)
		return;
	unsigned h = hash4(i);
	prev[i] = head[h];
	head[h] = (int)i;
}

/* Longest match for position i among earlier positions in the window. */
static size_t best_match(size_t i, size_t *dist)
{
	size_t best = 0;
	if (i + MINMATCH > in_len)
		return 0;
	int tries = 512;
	for (int c = head[hash4(i)]; c >= 0 && tries-- > 0 && i - (size_t)c <= WINDOW; c = prev[c]) {
		size_t n = 0;
		while (n < MAXMATCH && i + n < in_len && in[c + n] == in[i + n])
			n++;
		if (n > best) {
			best = n;
			*dist = i - (size_t)c;
			if (n == MAXMATCH)
				break;
		}
	}
	return best >= MINMATCH ? best : 0;
}

static void put_len(FILE *f, size_t n)
{
	for (; n >= 255; n -= 255)
		fputc(255, f);
	fputc((int)n, f);
}

static void sequence(FILE *f, size_t lit_start, size_t lit, size_t dist, size_t len)
{
	size_t ml = len ? len - MINMATCH : 0;
	fputc((int)((lit < 15 ? lit : 15) << 4 | (ml < 15 ? ml : 15)), f);
	if (lit >= 15)
		put_len(f, lit - 15);
	fwrite(in + lit_start, 1, lit, f);
	if (!len)
		return;
	fputc((int)(dist & 255), f);
	fputc((int)(dist >> 8), f);
	if (ml >= 15)
		put_len(f, ml - 15);
}

/* Compresses in[0..in_len) into the file path; returns its size, or -1. An optimal parse: from
 * the end backwards, the cheapest encoding of each suffix, choosing at each position between a
 * literal (1 byte) and a match of any useful length at the longest distance-match found
 * (3 bytes: token and distance, plus a byte per 255 of extra length). */
static size_t ext_cost(size_t len)
{
	return len - MINMATCH >= 15 ? (len - MINMATCH - 15) / 255 + 1 : 0;
}

static long compress(FILE *lz)
{
	size_t *cost = malloc(sizeof(size_t) * (in_len + 1)), *mlen = calloc(in_len + 1, sizeof(size_t)),
	       *mdist = calloc(in_len + 1, sizeof(size_t)), *best = calloc(in_len + 1, sizeof(size_t)),
	       *bdist = calloc(in_len + 1, sizeof(size_t));
	head = malloc(sizeof(int) << HASH_BITS);
	prev = malloc(sizeof(int) * (in_len + 1));
	memset(head, -1, sizeof(int) << HASH_BITS);
	for (size_t i = 0; i < in_len; i++) { /* the longest match at every position */
		mlen[i] = best_match(i, &mdist[i]);
		insert(i);
	}
	cost[in_len] = 0;
	for (size_t i = in_len; i-- > 0;) {
		cost[i] = 1 + cost[i + 1];
		best[i] = 0;
		size_t m = mlen[i];
		for (size_t l = MINMATCH; l <= m; l = l < 64 || l == m ? l + 1 : (l + 64 < m ? l + 64 : m)) {
			size_t c = 3 + ext_cost(l) + cost[i + l];
			if (c < cost[i]) {
				cost[i] = c;
				best[i] = l;
				bdist[i] = mdist[i];
			}
		}
	}
	long start = ftell(lz);
	size_t i = 0, lit = 0;
	while (i < in_len) {
		if (best[i]) {
			sequence(lz, i - lit, lit, bdist[i], best[i]);
			i += best[i], lit = 0;
		} else {
			i++, lit++;
		}
	}
	sequence(lz, i - lit, lit, 0, 0);
	free(cost), free(mlen), free(mdist), free(best), free(bdist), free(head), free(prev);
	return ferror(lz) ? -1 : ftell(lz) - start;
}

/* --image: each loadable segment of a static ELF64 executable compressed on its own (the gaps
 * between them, 64 KiB-aligned on arm64, are neither stored nor written at start), and what the
 * stub needs to unpack them and restore their permissions. */
static int image(const char *elf, const char *dir, const char *stub_base)
{
	FILE *f = fopen(elf, "rb"), *lz;
	unsigned char eh[64], ph[56];
	unsigned long long lo = ~0ULL, mem_hi = 0, entry, phoff, align = 0x1000;
	unsigned phnum, phentsize;
	char path[1024];
	struct { unsigned long long addr, len; int prot; } r[8];
	struct { unsigned long long addr, size; long off, packed; } seg[8];
	int nr = 0, ns = 0;
	size_t total = 0;
	if (!f || fread(eh, 1, 64, f) != 64 || memcmp(eh, "\177ELF", 4) || eh[4] != 2 || eh[5] != 1) {
		fprintf(stderr, "lzpack: %s: not a little-endian ELF64 file\n", elf);
		return 1;
	}
	memcpy(&entry, eh + 24, 8);
	memcpy(&phoff, eh + 32, 8);
	phentsize = eh[54] | eh[55] << 8;
	phnum = eh[56] | eh[57] << 8;
	snprintf(path, sizeof path, "%s/image.lz", dir);
	if (!(lz = fopen(path, "wb")))
		return 1;
	for (int pass = 0; pass < 2; pass++)
		for (unsigned k = 0; k < phnum; k++) {
			unsigned type, flags;
			unsigned long long off, va, filesz, memsz, pa;
			fseek(f, (long)(phoff + (unsigned long long)k * phentsize), SEEK_SET);
			if (fread(ph, 1, 56, f) != 56)
				return 1;
			memcpy(&type, ph, 4);
			memcpy(&flags, ph + 4, 4);
			memcpy(&off, ph + 8, 8);
			memcpy(&va, ph + 16, 8);
			memcpy(&filesz, ph + 32, 8);
			memcpy(&memsz, ph + 40, 8);
			memcpy(&pa, ph + 48, 8);
			if (type != 1 /* PT_LOAD */)
				continue;
			if (!pass) {
				/* The largest page size the segments allow for (lld: 4 KiB x86_64, 64 KiB
				 * arm64): permissions are restored in units of it, so kernels with 16 or
				 * 64 KiB pages work too. */
				align = pa > align ? pa : align;
				lo = va < lo ? va : lo;
				mem_hi = va + memsz > mem_hi ? va + memsz : mem_hi;
				continue;
			}
			if (ns == 8 || nr == 8) {
				fprintf(stderr, "lzpack: %s: more than 8 loadable segments\n", elf);
				return 1;
			}
			if (filesz) {
				in_len = (size_t)filesz;
				in = realloc(in, in_len);
				fseek(f, (long)off, SEEK_SET);
				if (fread(in, 1, filesz, f) != filesz)
					return 1;
				seg[ns].addr = va, seg[ns].size = filesz, seg[ns].off = ftell(lz);
				if ((seg[ns].packed = compress(lz)) < 0)
					return 1;
				total += in_len;
				ns++;
			}
			if (flags & 2) /* writable: the reserved memory already is */
				continue;
			unsigned long long a = va & ~(align - 1), e = (va + memsz + align - 1) & ~(align - 1);
			for (int q = 0; q < nr; q++)
				if (a < r[q].addr + r[q].len && r[q].addr < e) {
					fprintf(stderr, "lzpack: %s: segments share a page; link with -z separate-loadable-segments\n", elf);
					return 1;
				}
			r[nr].addr = a, r[nr].len = e - a, r[nr].prot = (flags & 1 ? 4 : 0) | (flags & 4 ? 1 : 0);
			nr++;
		}
	fclose(f);
	long packed = ftell(lz);
	if (fclose(lz))
		return 1;
	lo &= ~(align - 1);
	unsigned long long mem = ((mem_hi + align - 1) & ~(align - 1)) - lo;
	snprintf(path, sizeof path, "%s/params.h", dir);
	FILE *h = fopen(path, "w");
	fprintf(h, "/* generated by tools/lzpack --image from %s */\n#define IMG_LO 0x%llxUL\n"
		   "#define IMG_MEM 0x%llxUL\n#define ENTRY 0x%llxUL\n#define SEGMENTS", elf, lo, mem, entry);
	for (int q = 0; q < ns; q++)
		fprintf(h, "%s {0x%llxUL, %lluUL, %ldUL, %ldUL}", q ? "," : "", seg[q].addr, seg[q].size, seg[q].off,
			seg[q].packed);
	fprintf(h, "\n#define PROT_RANGES");
	for (int q = 0; q < nr; q++)
		fprintf(h, "%s {0x%llxUL, 0x%llxUL, %d}", q ? "," : "", r[q].addr, r[q].len, r[q].prot);
	fprintf(h, "\n");
	fclose(h);
	snprintf(path, sizeof path, "%s/image.S", dir);
	h = fopen(path, "w");
	fprintf(h, ".section .rodata.image,\"a\"\n.global rb_image_lz\n"
		   "rb_image_lz: .incbin \"%s/image.lz\"\n"
		   ".section .note.GNU-stack,\"\",%%progbits\n", dir);
	fclose(h);
	snprintf(path, sizeof path, "%s/stub.ld", dir);
	h = fopen(path, "w");
	/* Each part on pages of its own (same offset in the next page: no file padding), so the
	 * code page stays executable and the payload does not. The image's memory is mapped by
	 * the stub itself: no zero-filled segment, whose page-aligned offset would pad the file. */
	fprintf(h, "ENTRY(_start)\nSECTIONS {\n  . = %s + SIZEOF_HEADERS;\n  .text : { *(.text*) }\n"
		   "  . = ALIGN(CONSTANT(MAXPAGESIZE)) + (. & (CONSTANT(MAXPAGESIZE) - 1));\n  .rodata : { rb_stub_ro_start = .; *(.rodata*) rb_stub_ro_end = .; }\n"
		   "  . = ALIGN(CONSTANT(MAXPAGESIZE)) + (. & (CONSTANT(MAXPAGESIZE) - 1));\n  .data : { *(.data*) *(.bss*) }\n"
		   "  /DISCARD/ : { *(.comment) }\n}\n", stub_base);
	fclose(h);
	fprintf(stderr, "lzpack: image of %s: %d segments, %zu bytes packed into %ld\n", elf, ns, total, packed);
	return 0;
}

static int objects(int n, char **args, const char *out_s, const char *dir)
{
	FILE *s = fopen(out_s, "w");
	char path[1024];
	if (!s)
		return 1;
	fprintf(s, ".section .rodata.builtin,\"a\"\n.global rb_builtins\n");
	for (int k = 0; k < n; k++) {
		char *eq = strchr(args[k], '=');
		FILE *f = eq ? fopen(eq + 1, "rb") : NULL;
		if (!f) {
			fprintf(stderr, "lzpack: cannot read %s\n", args[k]);
			return 1;
		}
		fseek(f, 0, SEEK_END);
		in_len = (size_t)ftell(f);
		rewind(f);
		in = realloc(in, in_len);
		if (fread(in, 1, in_len, f) != in_len)
			return 1;
		fclose(f);
		snprintf(path, sizeof path, "%s/%.*s.lz", dir, (int)(eq - args[k]), args[k]);
		FILE *lz = fopen(path, "wb");
		if (!lz || compress(lz) < 0 || fclose(lz))
			return 1;
		fprintf(s, ".Ld%d: .incbin \"%s\"\n.Le%d:\n.Ln%d: .asciz \"%.*s\"\n.Lr%d = %zu\n", k, path, k, k,
			(int)(eq - args[k]), args[k], k, in_len);
	}
	fprintf(s, ".balign 8\nrb_builtins:\n");
	for (int k = 0; k < n; k++)
		fprintf(s, ".quad .Ln%d, .Ld%d, .Le%d - .Ld%d, .Lr%d\n", k, k, k, k, k);
	fprintf(s, ".quad 0, 0, 0, 0\n.section .note.GNU-stack,\"\",%%progbits\n");
	fclose(s);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 5 && !strcmp(argv[1], "--image"))
		return image(argv[2], argv[3], argv[4]);
	if (argc >= 4 && !strcmp(argv[1], "--objects"))
		return objects(argc - 4, argv + 4, argv[2], argv[3]);
	fprintf(stderr, "usage: %s --image ELF DIR STUB_BASE | --objects OUT.S DIR NAME=FILE...\n", argv[0]);
	return 2;
}
