/* Formats map keys and values and buffer records for people: through BTF where the object has
 * it (integers, char arrays as strings, enums by name, structs field by field), as hex where not,
 * and through a print format ("ID {key}: {value}", "{pid} {comm}") where the object gives one. */
#ifndef RAWBPF_PRINT_H
#define RAWBPF_PRINT_H
#include "btf.h"

struct strbuf {
	char *buf;
	size_t size, len;
	bool json;         /* values as JSON (run -j) */
};
void sb_add(struct strbuf *s, const char *fmt, ...) FMT(2, 3);
/* n bytes of str as a JSON string, quoted; bytes outside printable ASCII as \u00XX. */
void sb_json_str(struct strbuf *s, const char *str, size_t n);
/* Is the buffer full (so what it holds may be cut short)? */
static inline bool sb_full(const struct strbuf *s) { return s->len + 1 >= s->size; }

/* A value of BTF type id (0 = unknown: hex) in size bytes; a value shorter than its type (a
 * record with a variable-length tail) shows the members and array elements it holds. */
void print_value(struct strbuf *s, struct btf *b, u32 id, const u8 *data, u32 size);
/* A map key or value: without a type, sizes 1, 2, 4 and 8 print as unsigned integers. */
void print_entry(struct strbuf *s, struct btf *b, u32 id, const u8 *data, u32 size);
/* A record through a format: {key}, {value}, or {field} of the record's struct. Unknown
 * placeholders print as they are. */
void print_format(struct strbuf *s, const char *fmt, struct btf *b, u32 key_id, const u8 *key, u32 key_size,
		  u32 val_id, const u8 *val, u32 val_size);
/* n u64 addresses up to the first 0, as kernel symbols ("func+0x1c") through /proc/kallsyms, user
 * ones as hex (ksym.c, not a pure layer: where it is not linked in, stacks print as arrays of
 * numbers). s NULL: only note the addresses, so that a whole map snapshot costs one kallsyms pass. */
void print_stack(struct strbuf *s, const u8 *d, u32 n) __attribute__((weak));
#endif
