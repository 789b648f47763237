/* Unit tests of the pure pieces of settings and externs: gunzip over the three block types and
 * every broken copy, the kernel config reader, integer parsing, --set and .kconfig values on the
 * test objects (their directory in $RAWBPF_TEST_OBJ). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "ext.h"
#include "inflate.h"
#include "unit.h"

/* python3 zlib, wbits 31: Z_FIXED, level 0 (stored), level 9 (dynamic Huffman codes) */
static const u8 gz_fixed[] = {0x1f,0x8b,0x08,0x00,0x00,0x00,0x00,0x00,0x02,0x03,0x73,0xf6,0xf7,0x73,0xf3,0x74,0x8f,0xf7,0x88,0xb2,0x35,0x32,0x35,0xe0,0x72,0x46,0xe1,0x01,0x00,0x50,0xdb,0x74,0x36,0x1c,0x00,0x00,0x00};
static const u8 gz_stored[] = {0x1f,0x8b,0x08,0x00,0x00,0x00,0x00,0x00,0x04,0x03,0x01,0x0b,0x00,0xf4,0xff,0x43,0x4f,0x4e,0x46,0x49,0x47,0x5f,0x58,0x3d,0x6d,0x0a,0xce,0x7e,0x3f,0xd9,0x0b,0x00,0x00,0x00};
static const u8 gz_dynamic[] = {0x1f,0x8b,0x08,0x00,0x00,0x00,0x00,0x00,0x02,0x03,0x65,0xd5,0x3b,0x6e,0x1c,0x31,0x10,0x84,0xe1,0xdc,0xc7,0xd0,0x09,0x48,0xf6,0x3b,0xe8,0x48,0x80,0x0d,0x27,0x96,0x03,0xe7,0x3a,0x81,0x23,0x47,0xbe,0xbd,0xa7,0x77,0x03,0x6f,0xd5,0x84,0x1c,0x80,0x05,0xe8,0xd3,0x82,0xff,0xfb,0xc7,0x8f,0xaf,0xdf,0xbf,0x7d,0x7e,0xfc,0xfc,0xf5,0xb9,0xfa,0xef,0x97,0xf7,0xff,0xc7,0xdd,0xbf,0x5f,0x8f,0xa7,0xdf,0xfe,0x9c,0xb7,0xd7,0x2f,0xd2,0x67,0xbf,0x9e,0x15,0xef,0x1b,0xde,0xf7,0xeb,0xbe,0xc3,0xfd,0x68,0xad,0xd7,0x73,0xe2,0xfd,0xc2,0xfb,0x7b,0x5d,0x03,0x7b,0xc1,0xc2,0xde,0x1d,0x01,0x1f,0x0e,0xfd,0x0d,0x42,0x23,0x3a,0x23,0x8a,0x23,0xd6,0x7b,0x19,0x7c,0x71,0x5a,0x09,0x5a,0xc9,0x59,0x49,0x5c,0xa9,0xde,0x22,0x00,0x46,0x9e,0x87,0x41,0x1f,0xa2,0x48,0x7a,0xa4,0xb7,0x03,0xea,0x21,0xd5,0x43,0xac,0x67,0x5c,0x0f,0xc2,0x9e,0xe8,0x9d,0x40,0x7b,0xc8,0xf6,0x10,0xae,0x0c,0xae,0x20,0xae,0xec,0xeb,0xff,0x0b,0xba,0x42,0xba,0x42,0xba,0x32,0xba,0x82,0xba,0x62,0x7d,0x14,0x74,0x85,0x74,0x85,0x74,0x65,0x74,0x05,0x75,0xa5,0xfa,0x04,0xe8,0x2a,0xe9,0x2a,0xe9,0xea,0xe8,0x2a,0xea,0xaa,0xb4,0x2c,0xfc,0xc9,0x92,0xae,0x92,0xae,0x8e,0xae,0xa2,0xae,0x46,0xcb,0x01,0x5d,0x25,0x5d,0x25,0x5d,0x1b,0x5d,0x43,0x5d,0xdb,0x2d,0x06,0xba,0x46,0xba,0x46,0xba,0x36,0xba,0x86,0xba,0x66,0x2d,0x09,0xba,0x46,0xba,0x46,0xba,0x36,0xba,0x86,0xba,0x56,0xad,0x1b,0x74,0x9d,0x74,0x9d,0x74,0x7d,0x74,0x1d,0x75,0x5d,0x5a,0x15,0x74,0x9d,0x74,0x9d,0x9f,0x84,0xc7,0x9b,0x80,0xba,0x7e,0xbd,0x0a,0x0e,0xba,0x4e,0xba,0x4e,0xba,0x31,0xba,0x81,0xba,0xb1,0xaf,0xb7,0x05,0x74,0x83,0x74,0x83,0x74,0x63,0x74,0x03,0x75,0xc3,0xda,0x0e,0xe8,0x06,0xe9,0x06,0xe9,0xc6,0xe8,0x06,0xea,0x46,0xb5,0x19,0xe8,0x26,0xe9,0x26,0xe9,0xe6,0xe8,0x26,0xea,0xa6,0xb4,0x25,0xe8,0x26,0xe9,0x26,0xe9,0xe6,0xe8,0x26,0xea,0x66,0xb4,0x2f,0x7c,0x74,0x49,0x37,0x49,0xb7,0x46,0xb7,0x50,0xb7,0x76,0xbb,0x80,0x6e,0x91,0x6e,0x91,0x6e,0x8d,0x6e,0xa1,0x6e,0x59,0xbb,0x83,0x6e,0x91,0x6e,0x91,0x6e,0x8d,0x6e,0xa1,0x6e,0x55,0x7b,0x09,0x86,0x82,0x43,0xb6,0x36,0xa7,0xe4,0x3c,0x5a,0x82,0xc2,0x7b,0x49,0x07,0x16,0x6d,0x2f,0xe5,0x29,0xe3,0x29,0x7f,0x4c,0x39,0x4d,0x45,0x07,0xc6,0x6d,0xaf,0xe4,0x29,0x0e,0xdc,0xb3,0x70,0xb7,0xc4,0x4d,0xe3,0x30,0x72,0xb7,0xca,0xdd,0x32,0xf7,0xec,0x1c,0x87,0xee,0x2a,0x5d,0x52,0xe9,0x6e,0xa9,0xbb,0xb5,0xee,0x19,0x3b,0xae,0xdd,0x95,0xbb,0xbc,0x72,0xf7,0x0f,0x6b,0x81,0x48,0x4e,0x3e,0x08,0x00,0x00};

static void gz_case(const char *name, const u8 *gz, size_t n, const char *want)
{
	u8 *in = malloc(n), *out;
	size_t size;
	const char *why = "";
	char title[120];
	memcpy(in, gz, n);
	int r = gunzip(in, n, 1 << 20, &out, &size, &why);
	snprintf(title, sizeof title, "gunzip: %s", name);
	check(r == 0 && size == strlen(want) && !memcmp(out, want, size) && !out[size], title, r ? why : "other bytes", want);
	if (!r)
		free(out);
	/* Every truncation and every flipped byte: refused with a reason, or (a flip in the header's
	 * unused fields) the same text; never anything else, never a sanitizer report. */
	int bad = 0;
	for (size_t cut = 0; cut < n; cut++) {
		u8 *t = malloc(cut ? cut : 1);
		memcpy(t, gz, cut);
		if (!gunzip(t, cut, 1 << 20, &out, &size, &why))
			bad++, free(out);
		free(t);
	}
	for (size_t at = 0; at < n; at++)
		for (int bit = 0; bit < 8; bit++) {
			in[at] ^= (u8)(1 << bit);
			if (!gunzip(in, n, 1 << 20, &out, &size, &why)) {
				bad += size != strlen(want) || memcmp(out, want, size);
				free(out);
			} else {
				bad += !why || !why[0];
			}
			in[at] ^= (u8)(1 << bit);
		}
	snprintf(title, sizeof title, "gunzip: %s: each truncation and flipped bit refused or harmless", name);
	check(!bad, title, "accepted with other data, or no reason", "refused");
	free(in);
}

static void gz_tests(void)
{
	char *text = malloc(4096);
	size_t n = 0;
	for (int i = 0; i < 120; i++) {
		const char *v[] = {"y", "m", "\"s%d\"", "%d"};
		char val[16];
		snprintf(val, sizeof val, v[i % 4], i % 4 == 3 ? i * 7 : i);
		n += (size_t)sprintf(text + n, "CONFIG_OPT_%d=%s\n", i, val);
	}
	gz_case("fixed Huffman codes", gz_fixed, sizeof gz_fixed, "CONFIG_HZ=250\nCONFIG_HZ=250\n");
	gz_case("stored block", gz_stored, sizeof gz_stored, "CONFIG_X=m\n");
	gz_case("dynamic Huffman codes", gz_dynamic, sizeof gz_dynamic, text);
	u8 *out;
	size_t size;
	const char *why = "";
	check(gunzip(gz_dynamic, sizeof gz_dynamic, 100, &out, &size, &why) && strstr(why, "larger"),
	      "gunzip: output over the limit refused before decoding", why, "larger than rawbpf reads");
	size_t len;
	const char *cfg = "# CONFIG_HZ_100 is not set\nCONFIG_HZ_250=y\nCONFIG_HZ=250\nCONFIG_S=\"a b\"";
	const char *v = kconfig_get(cfg, "CONFIG_HZ", &len);
	check(v && len == 3 && !memcmp(v, "250", 3), "kconfig_get: CONFIG_HZ, not CONFIG_HZ_250", v ? v : "NULL", "250");
	v = kconfig_get(cfg, "CONFIG_S", &len);
	check(v && len == 5 && !memcmp(v, "\"a b\"", 5), "kconfig_get: the last line, without a newline", v ? v : "NULL", "\"a b\"");
	check(!kconfig_get(cfg, "CONFIG_HZ_100", &len), "kconfig_get: a '# ... is not set' line is absent", "found", "NULL");
	free(text);
}

static void int_tests(void)
{
	static const struct { const char *s; bool sign; u32 size; int r; u64 v; } t[] = {
		{"127", true, 1, 0, 127}, {"128", true, 1, -2, 0}, {"-128", true, 1, 0, 0x80}, {"-129", true, 1, -2, 0},
		{"255", false, 1, 0, 255}, {"256", false, 1, -2, 0}, {"-1", false, 4, -2, 0}, {"-0", false, 4, 0, 0},
		{"0x7fffffff", true, 4, 0, 0x7fffffff}, {"2147483648", true, 4, -2, 0}, {"-2147483648", true, 4, 0, 0x80000000},
		{"18446744073709551615", false, 8, 0, ~0ull}, {"-9223372036854775808", true, 8, 0, 1ull << 63},
		{"9223372036854775808", true, 8, -2, 0}, {"12x", true, 4, -1, 0}, {"", true, 4, -1, 0}, {"-", true, 4, -1, 0},
	};
	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
		u64 v = 0;
		char name[96], got[64];
		int r = parse_int(t[i].s, t[i].sign, t[i].size, &v);
		snprintf(name, sizeof name, "parse_int '%s' as %s %u bytes -> %d", t[i].s, t[i].sign ? "signed" : "unsigned",
			 t[i].size, t[i].r);
		snprintf(got, sizeof got, "%d, 0x%llx", r, (unsigned long long)v);
		check(r == t[i].r && (r || v == t[i].v), name, got, "as listed");
	}
}

static unsigned char *slurp(const char *dir, const char *file, size_t *size)
{
	char path[512];
	snprintf(path, sizeof path, "%s/%s", dir, file);
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	rewind(f);
	unsigned char *buf = malloc((size_t)n);
	*size = fread(buf, 1, (size_t)n, f);
	fclose(f);
	return buf;
}

/* The bytes --set wrote, and the message of a refused one. */
static void set_tests(const char *dir)
{
	static const struct { const char *arg, *err; } t[] = {
		{"target_pid=-42", NULL}, {"level=HIGH", NULL}, {"tag=hello", NULL}, {"loud=true", NULL},
		{"small=-128", NULL}, {"sized.max_entries=64", NULL},
		{"nosuch=1", "--set nosuch=1: no global variable of that name in .rodata, .data or .bss; it has "},
		{"target_pid=x", "--set target_pid=x: not a number; 'target_pid' is int, a signed 4-byte integer"},
		{"small=128", "--set small=128: out of range; 'small' is signed char, a signed 1-byte integer (-128 to 127)"},
		{"tag=12345678", "--set tag=12345678: too long; 'tag' is char[8], a string of at most 7 bytes"},
		{"level=MID", "--set level=MID: neither one of its names nor a number; 'level' is enum level"},
		{"loud=2", "--set loud=2: expected true, false, 1 or 0; 'loud' is a bool"},
		{"nomap.max_entries=1", "--set nomap.max_entries=1: no map of that name"},
		{"sized.max_entries=0", "--set sized.max_entries=0: expected a number from 1 to 4294967295"},
		{"=1", "--set =1: expected NAME=VALUE"},
	};
	size_t size;
	unsigned char *buf = dir ? slurp(dir, "settings.bpf.o", &size) : NULL;
	struct obj o;
	struct err e;
	check(buf && !obj_parse(&o, buf, size, "settings.bpf.o"), "--set: settings.bpf.o parses", buf ? o.err.msg : "no file", "parsed");
	if (!buf)
		return;
	e.msg[0] = 0;
	check(obj_check_sizes(&o, &e) && strstr(e.msg, "--set sized.max_entries=N"), "--set: a map left unsized is refused, naming --set MAP.max_entries",
	      e.msg, "... --set sized.max_entries=N");
	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
		char name[160];
		e.msg[0] = 0;
		int r = obj_set(&o, t[i].arg, &e);
		snprintf(name, sizeof name, "--set %s: %s", t[i].arg, t[i].err ? "refused with its message" : "accepted");
		check(t[i].err ? r == -22 && !strncmp(e.msg, t[i].err, strlen(t[i].err)) : r == 0, name, r ? e.msg : "accepted",
		      t[i].err ? t[i].err : "accepted");
	}
	struct map *ro = NULL, *bss = NULL, *sized = NULL;
	for (unsigned i = 0; i < o.nmaps; i++) {
		if (!strcmp(o.maps[i].name, ".rodata"))
			ro = &o.maps[i];
		if (!strcmp(o.maps[i].name, ".bss"))
			bss = &o.maps[i];
		if (!strcmp(o.maps[i].name, "sized"))
			sized = &o.maps[i];
	}
	/* .rodata as clang lays it out here: target_pid, level, tag[8], loud (the symbols say so). */
	int pid = 0, level = 0;
	if (ro && ro->init) {
		memcpy(&pid, ro->init, 4);
		memcpy(&level, ro->init + 4, 4);
	}
	check(ro && pid == -42 && level == 7 && !memcmp(ro->init + 8, "hello\0\0\0", 8) && ro->init[16] == 1,
	      "--set: .rodata holds -42, HIGH (7), \"hello\" and true", "other bytes", "as set");
	check(bss && bss->init && (signed char)bss->init[0] == -128, "--set: .bss (no file bytes) holds -128", "other", "-128");
	check(sized && sized->max_entries == 64 && !obj_check_sizes(&o, &e), "--set: sized.max_entries=64 sizes the map",
	      e.msg, "64");
	obj_free(&o);
	free(buf);
}

/* .kconfig values written by libbpf's rules into the layout the object's BTF gives. */
static void kconfig_tests(const char *dir)
{
	size_t size;
	unsigned char *buf = dir ? slurp(dir, "kconfig.bpf.o", &size) : NULL;
	struct obj o;
	struct err e;
	check(buf && !obj_parse(&o, buf, size, "kconfig.bpf.o") && o.kconfig_map >= 0 && o.nexts == 11,
	      "kconfig.bpf.o: 11 externs and a .kconfig map", buf ? o.err.msg : "no file", "parsed");
	if (!buf)
		return;
	static const struct { const char *ext, *val; const char *want; int size; const char *err; } t[] = {
		{"CONFIG_BPF_SYSCALL", "m", "\2\0\0\0", 4, NULL},      /* tristate */
		{"CONFIG_BPF", "y", "\1", 1, NULL},                    /* bool */
		{"CONFIG_BPF", "m", NULL, 0, "extern 'CONFIG_BPF': the kernel's value 'm' does not fit (it takes a bool, tristate or char)"},
		{"CONFIG_BPF", "1", "\1", 1, NULL},
		{"CONFIG_BPF_JIT", "y", "y", 1, NULL},                 /* char */
		{"CONFIG_HZ", "-250", "\x06\xff\xff\xff", 4, NULL},    /* int */
		{"CONFIG_HZ", "0x80000000", NULL, 0, "extern 'CONFIG_HZ': the kernel's value '0x80000000' does not fit (out of range)"},
		{"CONFIG_HZ", "\"250\"", NULL, 0, "extern 'CONFIG_HZ': the kernel's value '\"250\"' does not fit (it takes a char array)"},
		{"CONFIG_NR_CPUS", "8192", "\0\x20\0\0\0\0\0\0", 8, NULL},
		{"CONFIG_DEFAULT_HOSTNAME", "\"(none)\"", "(none)", 7, NULL},
		{"CONFIG_DEFAULT_HOSTNAME", "\"localhost\"", "localho", 8, NULL}, /* truncated as libbpf does */
		{"CONFIG_DEFAULT_HOSTNAME", "y", NULL, 0, "extern 'CONFIG_DEFAULT_HOSTNAME': the kernel's value 'y' does not fit"},
	};
	u8 *kc = o.maps[o.kconfig_map].data;
	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
		struct ext *x = obj_extern(&o, t[i].ext);
		char name[200];
		snprintf(name, sizeof name, "kconfig %s=%s: %s", t[i].ext, t[i].val, t[i].err ? "refused" : "its bytes");
		if (!x) {
			check(0, name, "no such extern", t[i].ext);
			continue;
		}
		e.msg[0] = 0;
		memset(kc + x->off, 0x55, x->size);
		int r = kconfig_value(&o, x, t[i].val, strlen(t[i].val), kc + x->off, &e);
		check(t[i].err ? r && !strncmp(e.msg, t[i].err, strlen(t[i].err)) : !r && !memcmp(kc + x->off, t[i].want, (size_t)t[i].size),
		      name, r ? e.msg : "other bytes", t[i].err ? t[i].err : "as listed");
	}
	/* Offsets in DATASEC order, each aligned to its size, as libbpf lays them out. */
	struct ext *a = obj_extern(&o, "LINUX_HAS_BPF_COOKIE"), *b = obj_extern(&o, "CONFIG_NR_CPUS");
	check(a && b && a->off == 4 && a->size == 1 && b->off % 8 == 0 && b->size == 8, "kconfig: offsets aligned in DATASEC order",
	      "other", "4 and a multiple of 8");
	obj_free(&o);
	free(buf);
	buf = slurp(dir, "ksyms.bpf.o", &size);
	check(buf && !obj_parse(&o, buf, size, "ksyms.bpf.o"), "ksyms.bpf.o parses", buf ? o.err.msg : "no file", "parsed");
	if (!buf)
		return;
	struct ext *put = obj_extern(&o, "bpf_prog_put"), *kf = obj_extern(&o, "bpf_iter_num_new"),
		   *weak = obj_extern(&o, "bpf_rawbpf_no_such_kfunc");
	check(put && put->kind == EXT_KSYM && !put->type && kf && kf->kind == EXT_KFUNC && !kf->weak && weak && weak->weak,
	      "ksyms: an untyped ksym, a kfunc, a weak kfunc", "other", "as declared");
	unsigned kfunc_calls = 0;
	for (unsigned i = 0; i < o.progs[0].nrels; i++)
		kfunc_calls += o.progs[0].rels[i].kind == PREL_KFUNC;
	check(kfunc_calls == 7, "ksyms: seven kfunc calls to patch", "other", "7");
	obj_free(&o);
	free(buf);
}

void ext_tests(void)
{
	const char *dir = getenv("RAWBPF_TEST_OBJ");
	check(dir != NULL, "RAWBPF_TEST_OBJ names the built test objects", "unset", "build/test");
	gz_tests();
	int_tests();
	set_tests(dir);
	kconfig_tests(dir);
}
