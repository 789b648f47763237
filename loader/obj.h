/* The object model: what a BPF ELF object holds, in the terms the kernel needs: programs with
 * their types and attach targets (each linked with the subprograms it calls), maps (BTF-defined
 * .maps, legacy maps, global data sections), the relocations that will carry map fds into the
 * instructions, license, version, BTF. Pure: built from bytes, no system calls. */
#ifndef RAWBPF_OBJ_H
#define RAWBPF_OBJ_H
#include "btf.h"
#include "core.h"
#include "elf.h"
#include <linux/bpf.h>

/* How a program's section name says it attaches. */
enum attach_kind {
	ATTACH_NONE,        /* load only (xdp, socket, ...): rawbpf does not attach these */
	ATTACH_KPROBE,      /* kprobe/SYMBOL */
	ATTACH_KRETPROBE,   /* kretprobe/SYMBOL */
	ATTACH_KSYSCALL,    /* ksyscall/NAME: the syscall's entry function on this kernel */
	ATTACH_KRETSYSCALL, /* kretsyscall/NAME */
	ATTACH_TRACEPOINT,  /* tracepoint/CAT/NAME, tp/CAT/NAME */
	ATTACH_RAW_TP,      /* raw_tracepoint/NAME, raw_tp/NAME */
	ATTACH_UPROBE,      /* uprobe/PATH:FUNC[+OFFSET], or uprobe with --attach-to */
	ATTACH_URETPROBE,   /* uretprobe/PATH:FUNC */
	ATTACH_USDT,        /* usdt/PATH:PROVIDER:NAME */
	ATTACH_BTF,         /* fentry/, fexit/, fmod_ret/ FUNC, tp_btf/NAME, lsm/HOOK: a kernel BTF id at load */
};

/* uprobe, uretprobe, usdt: a probe in a user-space file (loader/uprobe.c) */
static inline bool attach_is_user(enum attach_kind k)
{
	return k == ATTACH_UPROBE || k == ATTACH_URETPROBE || k == ATTACH_USDT;
}

struct sec_def { /* 19 bytes, the name in place: no pointer, no padding, in a table of 30 */
	char prefix[16];  /* "kprobe/" needs a target after the slash; "xdp" stands alone */
	u8 prog_type;
	u8 expected_attach_type;
	u8 kind; /* enum attach_kind */
};

struct ext;
enum map_def { MAP_DEF_BTF, MAP_DEF_LEGACY, MAP_DEF_DATA };

struct prog;
struct map_slot { u32 key; struct prog *prog; };

struct map {
	const char *name;          /* its symbol, or its section for global data */
	char kname[16];            /* the name the kernel gets (BPF_OBJ_NAME_LEN) */
	enum map_def def;
	u32 type, key_size, value_size, max_entries, flags;
	u32 btf_key, btf_value;    /* BTF type ids, 0 if none */
	unsigned sec_idx;
	u64 off, def_size;         /* where its definition sits in its section, and its size */
	u32 values_off;            /* offset of the "values" member (initial prog array slots) */
	const u8 *init;            /* global data: the initial bytes (NULL for .bss) */
	struct map_slot *slots;    /* initial prog array values */
	unsigned nslots;
	const char *fmt;           /* print format from the .rawbpf section, or NULL */
	u32 record;                /* BTF type of a perf/ring buffer's records, 0 if unknown */
	bool used;                 /* a program refers to it */
	int fd;                    /* -1 until created */
	u8 *data;                  /* initial bytes rawbpf made (--set, .kconfig): init points here */
};

/* PREL_EXT: a 64-bit load of an extern (map = its index in obj->exts, value_off = the addend);
 * PREL_KFUNC: a call of a kfunc extern. */
enum { PREL_MAP_FD, PREL_MAP_VALUE, PREL_EXT, PREL_KFUNC };
struct prog_rel {
	u32 insn;                  /* index of the ld_imm64 */
	u32 kind;
	u32 map;                   /* index into obj->maps */
	u32 value_off;             /* PREL_MAP_VALUE: offset into the map's value */
};

/* A run of instructions copied into a program: its own body, or a subprogram it calls. */
struct piece {
	unsigned sec_idx;
	u64 off;                   /* bytes, in the section */
	u32 at, cnt;               /* instructions, in the program */
	const char *name;
};

struct prog {
	const char *name;          /* function symbol */
	const char *sec;           /* section name, without a leading '?' */
	const struct sec_def *def;
	const char *target;        /* what follows the prefix: symbol, syscall, CAT/NAME; "" if none */
	bool autoload;             /* false for "?sec" */
	unsigned sec_idx;
	u64 off;                   /* byte offset of the first instruction in its section */
	u32 body_cnt;              /* instructions of its own function */
	struct bpf_insn *insns;    /* linked: its body then the subprograms it calls */
	u32 insn_cnt;
	struct piece *pieces;
	unsigned npieces;
	struct prog_rel *rels;
	unsigned nrels;
	bool uses_trace_printk;    /* calls bpf_trace_printk or bpf_trace_vprintk */
	u32 *func_info;            /* .BTF.ext, remapped to the linked program: {insn, type} */
	u32 *line_info;            /* {insn, file name, line, line/column} */
	u32 func_info_cnt, line_info_cnt;
	struct core_rec *core;     /* CO-RE relocations, in the linked program's instruction numbers */
	u32 core_cnt;
	int fd;                    /* -1 until loaded */
	u32 btf_id;                /* ATTACH_BTF: the target's id in the kernel's BTF */
	int btf_obj_fd;            /* ... in a module's BTF object (else 0) */
};

struct obj {
	struct elf elf;
	const char *name;
	char license[128];
	u32 kversion;              /* from the "version" section; 0 if absent */
	bool has_version;
	struct prog *progs;
	unsigned nprogs;
	struct map *maps;
	unsigned nmaps;
	bool has_btf;
	struct btf btf;
	const u8 *btf_data, *btf_ext;
	u64 btf_size, btf_ext_size;
	struct ext *exts;          /* externs of .kconfig and .ksyms (ext.h) */
	unsigned nexts;
	int kconfig_map;           /* index of the .kconfig map, -1 if none */
	u32 ncore;                 /* CO-RE relocations of all programs: the kernel's BTF is needed */
	void *owned;               /* the file's bytes, if the caller read them (freed with it) */
	struct err err;
};

/* Parses buf (which must outlive obj). Returns 0, or RB_EOBJ with obj->err naming what is wrong. */
int obj_parse(struct obj *o, const void *buf, size_t size, const char *name);
/* Frees what obj_parse allocated (safe after a failed parse). */
void obj_free(struct obj *o);
/* A copy of the object's BTF as the kernel wants it: clang leaves DATASEC sizes and variable
 * offsets for the loader to fill in from the ELF sections and symbols. NULL without BTF. */
u8 *obj_btf_for_kernel(struct obj *o, u32 *size);
/* Writes the created maps' fds into the program's instructions. */
void obj_apply_maps(struct obj *o, struct prog *p);
const struct sec_def *sec_def_find(const char *sec, const char **target);
bool license_is_gpl(const char *license);
const char *map_type_name(u32 type);
/* A version section of 0xFFFFFFFE asks the loader for the running kernel's (libbpf's convention). */
#define KVER_FILL_IN 0xFFFFFFFEu
#endif
