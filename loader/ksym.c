/* Stack addresses as kernel symbols ("func+0x1c", "func+0x8 [module]"), for stack trace map
 * values and stack arrays in records. /proc/kallsyms is read only when a stack is printed, and
 * holds 200,000 lines: rawbpf keeps just the addresses it was asked about (sorted, each with the
 * nearest text symbol at or below it) and resolves the new ones of a batch in one pass. */
#include "io.h"
#include "kernel.h"
#include "print.h"

#define KSYM_MAX 1024
static struct ksym {
	u64 addr, sym; /* sym: the greatest text symbol <= addr (0: none) */
	char name[112]; /* "name\t[module]"; one too long for it ends in "..." rather than cut silently */
} ks[KSYM_MAX];
static u32 nks, pending, resets;
static bool off, seen; /* off: kallsyms gave no addresses (told once): hex from then on */

static u32 find(u64 a) /* the first entry with addr >= a */
{
	u32 lo = 0, hi = nks;
	while (lo < hi) {
		u32 mid = (lo + hi) / 2;
		if (ks[mid].addr < a)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* "ffffffff81234560 t name\t[module]": a text symbol updates the first address at or above it
 * (the rest get theirs from their lower neighbours after the pass, see resolve()). */
static void line(char *l, void *ctx)
{
	u64 a = 0;
	char *p = l;
	for (; (*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f'); p++)
		a = a << 4 | (u64)(*p <= '9' ? *p - '0' : *p - 'a' + 10);
	if (*p != ' ' || (p[1] | 32) != 't' || p[2] != ' ' || !a)
		return;
	seen = true;
	u32 i = find(a);
	if (i < nks && ks[i].sym < a) {
		ks[i].sym = a;
		if (rb_strlcpy(ks[i].name, p + 3, sizeof ks[i].name) >= sizeof ks[i].name) /* "name\t[module]" */
			memcpy(ks[i].name + sizeof ks[i].name - 4, "...", 4);
	}
}

static void resolve(void)
{
	seen = false;
	int r = kern_kallsyms("symbols of stack addresses", line, NULL);
	/* An address's symbol is the greatest of those that updated it or any entry below it. */
	for (u32 i = 1; i < nks; i++)
		if (ks[i - 1].sym > ks[i].sym)
			ks[i].sym = ks[i - 1].sym, memcpy(ks[i].name, ks[i - 1].name, sizeof ks[i].name);
	pending = 0;
	if (!seen) {
		off = true;
		rb_eprintf("rawbpf: notice: /proc/kallsyms: %s: stacks in hex\n",
			   r < 0 ? rb_strerror(-r) : "all addresses 0 (kptr_restrict)");
	}
}

/* Kernel addresses have the top bit set on both architectures; user ones are printed as hex. */
static void want(u64 a)
{
	u32 i = find(a);
	if (off || !(a >> 63) || (i < nks && ks[i].addr == a))
		return;
	if (nks == KSYM_MAX) { /* full: resolve what waits, then start over */
		if (pending)
			resolve();
		nks = i = 0;
		resets++;
	}
	memmove(&ks[i + 1], &ks[i], (nks - i) * sizeof *ks);
	ks[i] = (struct ksym){a, 0, ""};
	nks++, pending++;
}

void print_stack(struct strbuf *s, const u8 *d, u32 n)
{
	u64 a;
	u32 k = 0, r = resets;
	for (; k < n && (memcpy(&a, d + 8 * k, 8), a); k++) /* a stack ends at its first 0 */
		want(a);
	for (u32 j = 0; r != resets && j < k; j++) /* the table filled up and started over */
		memcpy(&a, d + 8 * j, 8), want(a);
	if (!s)
		return;
	if (pending)
		resolve();
	const char *q = s->json ? "\"" : "";
	sb_add(s, "[");
	for (u32 j = 0; j < k; j++) {
		memcpy(&a, d + 8 * j, 8);
		u32 i = find(a);
		sb_add(s, "%s%s", j ? (s->json ? "," : ", ") : "", q);
		if (!off && i < nks && ks[i].addr == a && ks[i].sym) { /* "name+0x1c [module]" */
			char *mod = rb_strchr(ks[i].name, '\t');
			sb_add(s, "%.*s+0x%llx%s%s%s", mod ? (int)(mod - ks[i].name) : (int)sizeof ks[i].name, ks[i].name,
			       (unsigned long long)(a - ks[i].sym), mod ? " " : "", mod ? mod + 1 : "", q);
		} else {
			sb_add(s, "0x%llx%s", (unsigned long long)a, q);
		}
	}
	sb_add(s, "]");
}
