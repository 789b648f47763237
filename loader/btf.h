/* A bounds-checked reader of BTF (the BPF Type Format) from an object's .BTF section. Pure:
 * every type id, name offset and record it hands out has been checked against the section. */
#ifndef RAWBPF_BTF_H
#define RAWBPF_BTF_H
#include "rt.h"

struct btf_t {        /* one type, copied out of the section */
	u32 id;
	const char *name;
	u32 kind, vlen;
	bool kflag;
	u32 size_or_type;  /* size for INT/STRUCT/UNION/ENUM/DATASEC/FLOAT, else a type id */
	const u8 *rec;     /* the record's extra data (members, enumerators, ...) */
};

struct btf {
	const u8 *data;
	u32 size;
	u32 hdr_len, type_off, type_len, str_off, str_len;
	u32 ntypes;        /* ids 1..ntypes (split BTF: its own are start_id+1..ntypes) */
	u32 *offs;         /* offs[id - start_id]: byte offset of type id in the type section */
	struct btf *base;  /* split BTF (a module's): the vmlinux BTF its ids and strings continue */
	u32 start_id, start_str;
	struct err err;   /* what is wrong, naming the object (RB_EOBJ) */
};

int btf_parse(struct btf *b, const u8 *data, u64 size);
/* Split BTF (a module's, /sys/kernel/btf/<module>): type ids continue after base's last id and
 * string offsets after base's strings. base must outlive b. */
int btf_parse_split(struct btf *b, const u8 *data, u64 size, struct btf *base);
/* The .BTF section of an ELF file of any machine and type (a vmlinux); 0, or RB_EOBJ with err. */
int btf_elf_section(const u8 *data, u64 size, const u8 **btf, u64 *btf_size, struct err *e);
/* The string at offset off (split BTF: the base's below start_str); NULL if out of range. */
const char *btf_str(struct btf *b, u32 off);
void btf_free(struct btf *b);
/* Type id (0 is void). */
int btf_type(struct btf *b, u32 id, struct btf_t *t);
/* Skips typedef, const, volatile, restrict and type tags. */
int btf_resolve(struct btf *b, u32 id, struct btf_t *t);
/* The size in bytes of a type (arrays and modifiers followed). */
int btf_size(struct btf *b, u32 id, u64 *size);
/* i-th member of a struct/union: name, type, bit offset. */
int btf_member(struct btf *b, const struct btf_t *t, u32 i, const char **name, u32 *type, u32 *bit_off);
/* An array's element type and count. */
int btf_array(struct btf *b, const struct btf_t *t, u32 *elem, u32 *nelems);
/* i-th variable of a DATASEC: its VAR type id, offset and size. */
int btf_datasec_var(struct btf *b, const struct btf_t *t, u32 i, u32 *var, u32 *off, u32 *size);
/* i-th enumerator of an ENUM (32 bits, signed if kflag) or ENUM64. */
int btf_enum(struct btf *b, const struct btf_t *t, u32 i, const char **name, s64 *val);
/* INT encoding: signedness and bit size. */
int btf_int(struct btf *b, const struct btf_t *t, bool *is_signed, u32 *bits);
/* INT encoding: the bit offset of the value in its storage (old-style bitfields). */
u32 btf_int_offset(struct btf *b, const struct btf_t *t);
/* i-th member's bitfield size in a kflag struct/union (0: not a bitfield, or no kflag). */
u32 btf_member_bitsize(struct btf *b, const struct btf_t *t, u32 i);
/* The id of the named type of kind (0 if none). */
u32 btf_find(struct btf *b, const char *name, u32 kind);

#define BTFK_INT 1
#define BTFK_PTR 2
#define BTFK_ARRAY 3
#define BTFK_STRUCT 4
#define BTFK_UNION 5
#define BTFK_ENUM 6
#define BTFK_FWD 7
#define BTFK_TYPEDEF 8
#define BTFK_VOLATILE 9
#define BTFK_CONST 10
#define BTFK_RESTRICT 11
#define BTFK_FUNC 12
#define BTFK_FUNC_PROTO 13
#define BTFK_VAR 14
#define BTFK_DATASEC 15
#define BTFK_FLOAT 16
#define BTFK_DECL_TAG 17
#define BTFK_TYPE_TAG 18
#define BTFK_ENUM64 19
#endif
