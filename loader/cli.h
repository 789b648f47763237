/* Shared by the command files: options, object lookup, loading, error printing, exit codes. */
#ifndef RAWBPF_CLI_H
#define RAWBPF_CLI_H
#include "attach.h"
#include "load.h"
#include "obj.h"

/* Exit codes (documented in --help and the README). */
enum {
	EXIT_OK = 0,
	EXIT_FAIL = 1,     /* the system or kernel refused something */
	EXIT_USAGE = 2,    /* bad command line */
	EXIT_BADOBJ = 3,   /* the object file is missing, unreadable or not a valid BPF object */
	EXIT_REJECTED = 4, /* the verifier rejected a program */
};

struct opts {
	const char *cmd;
	const char *obj;
	s64 duration_ms;   /* 0 = until a signal */
	s64 interval_ms;   /* map printing */
	enum attach_mode mode;
	const char *btf;   /* --btf FILE: the kernel's BTF for CO-RE */
	bool explain;
	bool json;         /* -j: inspect and probe */
	bool disasm;       /* inspect --disasm */
	bool keep_going;   /* run: a program the kernel refuses is left out, the others run */
	const char *only, *skip; /* --prog, --skip: comma-separated program names */
	const char *sets[32];    /* --set NAME=VALUE, in order */
	unsigned nsets;
	int pid;           /* --pid: user-space probes fire in this process only; -1: all */
	const char *attach_to[16]; /* --attach-to PROG=TARGET */
	unsigned nattach_to;
	const char *record[8];     /* --record MAP=TYPE */
	unsigned nrecord;
	u32 given;                 /* bit n: options[n] (main.c) was given */
};

/* The built-in objects, embedded stripped at build time (the GNUmakefile's builtin.S) and
 * parsed where they lie. */
struct builtin {
	const char *name;
	const u8 *data;
	u64 size;
};
extern const struct builtin rb_builtins[];

/* Prints "rawbpf: <msg>" and the hint; returns code. */
int report(const struct err *e, int code);
/* OBJ is a path if it contains '/' or '.', else a built-in name (falling back to a file). */
int open_object(const char *arg, struct obj *o, struct err *e);
/* --set (each in order, then the check for maps left unsized), --record (the maps' record types),
 * then --prog/--skip: sets each program's autoload (a '?' program named by --prog loads; programs that
 * attach nowhere, tail-call targets, come along with --prog). -EINVAL for a name OBJ lacks. */
int select_progs(struct obj *o, const struct opts *opt, struct err *e);
/* --attach-to PROG=TARGET: gives each named program its target (-EINVAL for a program OBJ
 * lacks, or one whose section attaches to nothing). */
int apply_attach_to(struct obj *o, const struct opts *opt, struct err *e);
/* Loads one program as type; on rejection prints the verifier log. Returns an exit code. */
int load_prog(struct loaded *l, struct prog *p, u32 type, struct err *e);

int do_run(struct opts *opt);
int do_load(struct opts *opt);
int do_inspect(struct opts *opt);
int do_probe(struct opts *opt);
#endif
