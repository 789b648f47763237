/* What a uprobe or USDT probe needs from its target file, read with the bounds-checked ELF reader:
 * function offsets (.symtab, else .dynsym with its versions), USDT notes and argument specs,
 * and the dynamic linker's cache. Pure. */
#include "uelf.h"
#include <linux/elf.h>

#define SHT_GNU_VERDEF 0x6ffffffd
#define SHT_GNU_VERSYM 0x6fffffff
#define STT_IFUNC 10

/* Is there a NUL in the n bytes at p? */
static bool memchr_nul(const u8 *p, u64 n)
{
	while (n--)
		if (!*p++)
			return true;
	return false;
}

static u64 rd(const u8 *p, unsigned n)
{
	u64 v = 0;
	while (n--)
		v = v << 8 | p[n];
	return v;
}

/* A string at off of a string section, or NULL if it is not terminated inside it. */
static const char *str_at(const struct elf_sec *s, u64 off)
{
	if (!s->data || off >= s->size || !memchr_nul(s->data + off, s->size - off))
		return NULL;
	return (const char *)s->data + off;
}

/* The first section of type (0: any) named name (NULL: any); false, and *out zeroed, if none. */
static bool sec_find(struct elf *e, u32 type, const char *name, struct elf_sec *out)
{
	for (unsigned i = 1; i < e->shnum; i++)
		if (!elf_section(e, i, out) && (!type || out->type == type) && (!name || !rb_strcmp(out->name, name)))
			return true;
	memset(out, 0, sizeof *out);
	return false;
}

int uelf_off(struct elf *e, u64 vaddr, u64 *off)
{
	Elf64_Phdr ph;
	for (unsigned i = 0; i < e->phnum; i++) {
		elf_phdr(e, i, &ph);
		if (ph.p_type == PT_LOAD && vaddr >= ph.p_vaddr && vaddr - ph.p_vaddr < ph.p_filesz &&
		    ph.p_offset + (vaddr - ph.p_vaddr) < e->size && ph.p_offset <= e->size) {
			*off = ph.p_offset + (vaddr - ph.p_vaddr);
			return 0;
		}
	}
	return FAIL(e, "address 0x%llx is in no loadable segment of the file", (unsigned long long)vaddr);
}

/* The version name of dynamic symbol idx through .gnu.version and .gnu.version_d; *hidden is
 * set for a non-default one (FUNC@VER rather than FUNC@@VER). */
static const char *dyn_version(struct elf *e, unsigned idx, bool *hidden)
{
	struct elf_sec vs, vd, str;
	*hidden = false;
	if (!sec_find(e, SHT_GNU_VERSYM, NULL, &vs) || !vs.data || (u64)idx * 2 + 2 > vs.size)
		return "";
	u16 v = (u16)rd(vs.data + idx * 2, 2);
	*hidden = v & 0x8000;
	v &= 0x7fff;
	if (!sec_find(e, SHT_GNU_VERDEF, NULL, &vd) || !vd.data || elf_section(e, vd.link, &str))
		return "";
	/* Verdef {u16 version, flags, ndx, cnt; u32 hash, aux, next}, Verdaux {u32 name, next} */
	for (u64 off = 0, n = 0; off + 20 <= vd.size && n < 4096; n++) {
		const u8 *d = vd.data + off;
		u64 aux = off + rd(d + 12, 4);
		if (rd(d + 4, 2) == v && aux + 8 <= vd.size && aux >= off) {
			const char *name = str_at(&str, rd(vd.data + aux, 4));
			return name ? name : "";
		}
		if (!rd(d + 16, 4))
			break;
		off += rd(d + 16, 4);
	}
	return "";
}

/* Looks for func in one symbol table; returns how many distinct addresses matched (0, 1, 2). */
static int search(struct elf *e, const struct elf_sec *tab, const char *func, struct usym *out, bool *ifunc)
{
	struct elf_sec strs;
	const char *at = rb_strchr(func, '@');
	size_t base = at ? (size_t)(at - func) : rb_strlen(func);
	bool dyn = tab->type == SHT_DYNSYM;
	int found = 0;
	if (tab->entsize != sizeof(Elf64_Sym) || elf_section(e, tab->link, &strs))
		return 0;
	for (u64 i = 1; i < tab->size / sizeof(Elf64_Sym); i++) {
		Elf64_Sym sym;
		memcpy(&sym, tab->data + i * sizeof sym, sizeof sym);
		const char *name = str_at(&strs, sym.st_name);
		unsigned type = ELF64_ST_TYPE(sym.st_info);
		if (!name || rb_strncmp(name, func, base) || (name[base] && name[base] != '@') ||
		    sym.st_shndx == SHN_UNDEF || !sym.st_value || (type != STT_FUNC && type != STT_IFUNC && type != STT_NOTYPE))
			continue;
		bool hidden = false;
		const char *ver = "";
		if (dyn)
			ver = dyn_version(e, (unsigned)i, &hidden);
		else if (name[base]) /* .symtab spells versions: FUNC@VER, FUNC@@VER (the default) */
			hidden = name[base + 1] != '@', ver = name + base + 1 + !hidden;
		if (at ? rb_strcmp(at + 1 + (at[1] == '@'), ver) : hidden)
			continue;
		if (found && out->vaddr == sym.st_value)
			continue;
		if (found++)
			break;
		*ifunc = type == STT_IFUNC;
		*out = (struct usym){sym.st_value, 0, dyn ? ".dynsym" : ".symtab", name, ver};
	}
	return found;
}

int uelf_sym(struct elf *e, const char *func, struct usym *out)
{
	struct elf_sec s;
	bool ifunc = false;
	int n = 0;
	/* .symtab first (all functions, static ones too), then .dynsym (what a stripped file keeps) */
	for (int pass = 0; pass < 2 && !n; pass++)
		if (sec_find(e, pass ? SHT_DYNSYM : SHT_SYMTAB, NULL, &s) && s.data)
			n = search(e, &s, func, out, &ifunc);
	if (!n)
		return FAIL(e, "no function '%s' in .symtab or .dynsym", func);
	if (n > 1)
		return FAIL(e, "'%s' is at several addresses (local functions of one name, or versions): give "
			       "FUNC@VERSION or PATH:0xOFFSET", func);
	if (ifunc)
		return FAIL(e, "'%s' is an IFUNC (its code is chosen at start-up): probe an implementation", func);
	return uelf_off(e, out->vaddr, &out->off);
}

/* Register offsets in struct pt_regs, by the target's machine. */
static int reg_off(u16 machine, const char *r, size_t n)
{
	/* each name followed by its pt_regs slot as a letter (A: 0, B: 1, ...): the 64-bit name, then its parts */
	static const char x86[] = "r15Ar14Br13Cr12DrbpEebpEbpEbplErbxFebxFbxFblFr11Gr10Hr9Ir8JraxKeaxKaxKalKrcxLecxLcxLcl"
				  "LrdxMedxMdxMdlMrsiNesiNsiNsilNrdiOediOdiOdilOripQeipQrspTespTspTsplT";
	u64 k;
	if (machine == EM_X86_64) {
		if (n > 2 && r[0] == 'r' && r[1] >= '0' && r[1] <= '9' && (r[n - 1] == 'd' || r[n - 1] == 'w' ||
								      r[n - 1] == 'b'))
			n--; /* r8d, r8w, r8b: the low half, quarter, byte of r8 */
		for (const char *p = x86, *w = p; *p; p++)
			if (*p >= 'A' && *p <= 'Z') {
				if ((size_t)(p - w) == n && !rb_strncmp(w, r, n))
					return (*p - 'A') * 8;
				w = p + 1;
			}
		return -1;
	}
	if (machine == EM_AARCH64) {
		if (n == 2 && !rb_strncmp(r, "sp", 2))
			return 31 * 8;
		if (n < 2 || n > 3 || (r[0] != 'x' && r[0] != 'w'))
			return -1;
		k = 0;
		for (size_t i = 1; i < n; i++)
			if (r[i] < '0' || r[i] > '9')
				return -1;
			else
				k = k * 10 + (u64)(r[i] - '0');
		return k <= 30 ? (int)k * 8 : -1; /* wN is the low half of xN */
	}
	return -1;
}

static const char *signed_num(const char *p, s64 *v)
{
	u64 u;
	bool neg = *p == '-';
	if (!(p = rb_parse_u64(p + neg, &u)))
		return NULL;
	*v = neg ? -(s64)u : (s64)u;
	return p;
}

static bool is_regch(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

/* One "SIZE@LOCATION" argument: x86_64 "-4@%edi", "8@-16(%rbp)", "8@(%rax)", "4@$5"; arm64
 * "8@x0", "4@[sp, 12]", "4@[x1]", "4@5". Returns the end of it, or NULL. */
static const char *parse_arg(u16 machine, const char *p, struct usdt_arg *a, const char **why)
{
	s64 size, off = 0;
	const char *r;
	bool x86 = machine == EM_X86_64;
	char close = 0;
	*why = "not SIZE@LOCATION";
	if (!(p = signed_num(p, &size)) || *p++ != '@')
		return NULL;
	*why = "size not 1, 2, 4 or 8";
	u64 as = (u64)(size < 0 ? -size : size);
	if (as != 1 && as != 2 && as != 4 && as != 8)
		return NULL;
	a->size = (int8_t)size;
	a->sign = size < 0;
	a->shift = (u8)(64 - as * 8);
	a->type = USDT_REG;
	*why = "not a register, constant or register plus offset";
	if (x86 ? *p == '$' : *p != '[' && !(*p >= 'a' && *p <= 'z')) { /* a constant: x86 "$5", arm64 "5" */
		a->type = USDT_CONST;
		if (!(p = signed_num(p + x86, &off)))
			return NULL;
		a->val_off = (u64)off;
		return p;
	}
	if (*p == '[' || (x86 && *p != '%')) { /* x86 OFF(%REG) or (%REG), arm64 [REG] or [REG, OFF] */
		a->type = USDT_DEREF;
		close = x86 ? ')' : ']';
		if (x86 && *p != '(' && !(p = signed_num(p, &off)))
			return NULL; /* (not a symbol's address, sym(%rip): not supported) */
		if (*p++ != (x86 ? '(' : '['))
			return NULL;
	}
	if (x86 && *p++ != '%')
		return NULL;
	for (r = p; is_regch(*p); p++)
		;
	int ro = reg_off(machine, r, (size_t)(p - r));
	*why = x86 || machine == EM_AARCH64 ? "unknown register" : "USDT arguments are read on x86_64 and arm64 only";
	if (ro < 0)
		return NULL;
	a->reg = r;
	a->reg_len = (u8)(p - r);
	a->reg_off = (int16_t)ro;
	*why = "unterminated memory operand";
	if (close == ']' && *p == ',') {
		p += p[1] == ' ' ? 2 : 1;
		if (!(p = signed_num(p, &off)))
			return NULL;
	}
	if (close && *p++ != close)
		return NULL;
	a->val_off = (u64)off;
	return p;
}

int uelf_usdt(struct elf *e, const char *provider, const char *name, struct usdt_site *out, unsigned max,
	      unsigned *n)
{
	struct elf_sec notes, base;
	*n = 0;
	sec_find(e, 0, ".stapsdt.base", &base);
	if (!sec_find(e, SHT_NOTE, ".note.stapsdt", &notes) || !notes.data)
		return FAIL(e, "no USDT probes (no .note.stapsdt section)");
	/* Notes: {u32 namesz, descsz, type}, name, desc, each padded to 4 bytes. */
	for (u64 off = 0; off + 12 <= notes.size;) {
		const u8 *h = notes.data + off;
		u64 nsz = rd(h, 4), dsz = rd(h + 4, 4), np = off + 12, dp = np + ((nsz + 3) & ~3ULL);
		if (nsz > notes.size || dsz > notes.size || dp > notes.size || dsz > notes.size - dp)
			return FAIL(e, ".note.stapsdt: note at %llu runs past the section", (unsigned long long)off);
		off = dp + ((dsz + 3) & ~3ULL);
		if (nsz != 8 || memcmp(h + 12, "stapsdt", 8) || rd(h + 8, 4) != 3)
			continue;
		const u8 *d = notes.data + dp;
		const char *str[3], *p = (const char *)d + 24;
		if (dsz < 24 + 3)
			return FAIL(e, ".note.stapsdt: a note too short (%llu bytes)", (unsigned long long)dsz);
		for (int k = 0; k < 3; k++) {
			size_t left = (size_t)(dsz - (u64)((const u8 *)p - d));
			if (!left || !memchr_nul((const u8 *)p, left))
				return FAIL(e, ".note.stapsdt: a note's provider, name or arguments are not terminated");
			str[k] = p;
			p += rb_strlen(p) + 1;
		}
		if ((provider && rb_strcmp(provider, str[0])) || (name && rb_strcmp(name, str[1])))
			continue;
		if ((*n)++ >= max)
			continue;
		struct usdt_site *u = &out[*n - 1];
		memset(u, 0, sizeof *u);
		u->vaddr = rd(d, 8);
		u->sema = rd(d + 16, 8);
		u->provider = str[0], u->name = str[1], u->args = str[2];
		if (base.idx) /* prelink or a linker may have moved the file: .stapsdt.base says by how much */
			u->vaddr += base.addr - rd(d + 8, 8);
		if (uelf_off(e, u->vaddr, &u->off) || (u->sema && uelf_off(e, u->sema, &u->sema_off)))
			return err_ctx(&e->err, "USDT %s:%s", u->provider, u->name); /* (was formatted into itself) */
		for (const char *a = u->args; *a;) {
			const char *why;
			if (*a == ' ') {
				a++;
				continue;
			}
			if (u->nargs == USDT_MAX_ARGS)
				return FAIL(e, "USDT %s:%s: more than %u arguments", u->provider, u->name, USDT_MAX_ARGS);
			const char *end = parse_arg(e->machine, a, &u->arg[u->nargs], &why);
			if (!end || (*end && *end != ' '))
				return FAIL(e, "USDT %s:%s: argument %u '%.*s': %s", u->provider, u->name, u->nargs + 1,
					    (int)(rb_strchr(a, ' ') ? rb_strchr(a, ' ') - a : (long)rb_strlen(a)), a,
					    end ? "unexpected text after it" : why);
			u->nargs++;
			a = end;
		}
	}
	if (!*n)
		return FAIL(e, "no USDT probe %s:%s in .note.stapsdt", provider ? provider : "", name ? name : "");
	return 0;
}

static void put(u8 *p, u64 v, unsigned n)
{
	while (n--)
		*p++ = (u8)v, v >>= 8;
}

void usdt_spec_bytes(const struct usdt_site *s, u64 cookie, u8 *out)
{
	memset(out, 0, USDT_SPEC_SIZE);
	for (unsigned i = 0; i < s->nargs; i++) {
		u8 *a = out + i * 16; /* {u64 val_off; enum arg_type; short reg_off; bool arg_signed; char arg_bitshift;} */
		put(a, s->arg[i].val_off, 8);
		put(a + 8, s->arg[i].type, 4);
		put(a + 12, (u16)s->arg[i].reg_off, 2);
		a[14] = s->arg[i].sign;
		a[15] = s->arg[i].shift;
	}
	put(out + 192, cookie, 8);
	put(out + 200, s->nargs, 2);
}

void usdt_arg_text(const struct usdt_arg *a, char *buf, size_t size)
{
	s64 off = (s64)a->val_off;
	const char *sign = a->sign ? "s" : "u";
	if (a->type == USDT_CONST)
		rb_snprintf(buf, size, "%s%d $%lld", sign, a->size < 0 ? -a->size * 8 : a->size * 8, (long long)off);
	else if (a->type == USDT_REG)
		rb_snprintf(buf, size, "%s%d %.*s", sign, a->size < 0 ? -a->size * 8 : a->size * 8, a->reg_len, a->reg);
	else
		rb_snprintf(buf, size, "%s%d *(%.*s %c %lld)", sign, a->size < 0 ? -a->size * 8 : a->size * 8, a->reg_len,
			    a->reg, off < 0 ? '-' : '+', (long long)(off < 0 ? -off : off));
}

/* glibc's cache: "glibc-ld.so.cache1.1", u32 nlibs, u32 strings, u8 flags, pad, u32 ext, 3 x u32;
 * then nlibs x {s32 flags; u32 key, value, osversion; u64 hwcap}; key and value are offsets from
 * the new header (which may follow an old-format "ld.so-1.7.0" table). */
const char *ldcache_find(const u8 *buf, size_t size, const char *name, u16 machine)
{
	static const char magic[] = "glibc-ld.so.cache1.1";
	u64 at = 0;
	u32 want = machine == EM_X86_64 ? 0x0303 : machine == EM_AARCH64 ? 0x0a03 : 0;
	if (size >= 16 && !memcmp(buf, "ld.so-1.7.0", 11))
		at = (16 + rd(buf + 12, 4) * 12 + 7) & ~7ULL;
	if (at > size || size - at < 48 || memcmp(buf + at, magic, 20))
		return NULL;
	const u8 *c = buf + at;
	u64 len = size - at, nlibs = rd(c + 20, 4);
	if (nlibs > (len - 48) / 24)
		return NULL;
	for (u64 i = 0; i < nlibs; i++) {
		const u8 *ent = c + 48 + i * 24;
		u64 k = rd(ent + 4, 4), v = rd(ent + 8, 4);
		if ((rd(ent, 4) & 0xffff) != want || k >= len || v >= len || !memchr_nul(c + k, len - k) ||
		    !memchr_nul(c + v, len - v))
			continue;
		if (!rb_strcmp((const char *)c + k, name))
			return (const char *)c + v;
	}
	return NULL;
}
