/* Reports for people and for programs from one description: each record is a printf-style format
 * whose conversions may name a JSON key, "%-16{name}s". As text, the format prints as printf
 * would, without the keys; with -j only the keyed conversions print, as "key":value. */
#ifndef RAWBPF_EMIT_H
#define RAWBPF_EMIT_H
#include "rt.h"

struct emit {
	bool json;
	u8 depth;
	bool array[8], items[8]; /* per open container: is it an array, has it an item yet */
};
/* A JSON container ('{' or '['), keyed inside an object; nothing in text. */
void em_open(struct emit *w, const char *key, char brace);
void em_close(struct emit *w);
/* One record: in an array, a JSON object of its keyed fields; in an object, more fields.
 * Conversions: s, d, u, x (with l, ll), b (a bool), n (a string that is JSON already, such as a
 * number). Unkeyed ones print only as text; precision
 * .0 ("%.0{key}u") and b print only in JSON. */
void em_rec(struct emit *w, const char *fmt, ...);
#endif
