/* run -j's trace line parser (tracejson.c) on fixed lines in each kernel's layout (REFERENCE.md):
 * 5 flag characters (5.15+), 4 (5.9-5.14, Debian 11's 5.10), a number instead of the event name
 * and no added newline (before 5.9), the (tgid) column, odd comms, lost-event lines, lines that
 * do not parse, and lines split across reads. */
#include <stdio.h>
#include <string.h>
#include "trace.h"
#include "unit.h"

/* The loader's stdout, here a buffer: what trace_json wrote. */
static char out[4096];
static size_t nout;
void rb_puts_n(const char *s, size_t n)
{
	if (nout + n < sizeof out)
		memcpy(out + nout, s, n), nout += n;
	out[nout] = 0;
}

static void expect(const char *in, const char *want, const char *what)
{
	char name[160];
	nout = 0;
	out[0] = 0;
	trace_json(in, strlen(in));
	snprintf(name, sizeof name, "tracejson: %s", what);
	check(!strcmp(out, want), name, out, want);
}

void tracejson_tests(void)
{
	expect("            bash-2315    [001] ...21   951.675893: bpf_trace_printk: Hello World!\n",
	       "{\"type\":\"trace\",\"comm\":\"bash\",\"pid\":2315,\"cpu\":1,\"flags\":\"...21\",\"ts\":951.675893,"
	       "\"msg\":\"Hello World!\"}\n", "5.15+: 5 flag characters");
	expect("            init-107     [000] d...     2.739416: bpf_trace_printk: Hello World!\n",
	       "{\"type\":\"trace\",\"comm\":\"init\",\"pid\":107,\"cpu\":0,\"flags\":\"d...\",\"ts\":2.739416,"
	       "\"msg\":\"Hello World!\"}\n", "5.9-5.14: 4 flag characters");
	expect("           <...>-1234  [003] .N..    12.345678: 0: Hello World!\n",
	       "{\"type\":\"trace\",\"comm\":\"<...>\",\"pid\":1234,\"cpu\":3,\"flags\":\".N..\",\"ts\":12.345678,"
	       "\"msg\":\"Hello World!\"}\n", "before 5.9: a number for the event, an uncached comm");
	expect("              sh-88    [000] ....     5.000001: 0x00000001: key: value\n",
	       "{\"type\":\"trace\",\"comm\":\"sh\",\"pid\":88,\"cpu\":0,\"flags\":\"....\",\"ts\":5.000001,"
	       "\"msg\":\"key: value\"}\n", "before 5.9: a hex event number, a message with ': '");
	/* before 5.9 no newline is added: two messages of a format without \n share a line */
	expect("              sh-88    [000] ....     5.000001: 0: onetwo\n",
	       "{\"type\":\"trace\",\"comm\":\"sh\",\"pid\":88,\"cpu\":0,\"flags\":\"....\",\"ts\":5.000001,"
	       "\"msg\":\"onetwo\"}\n", "before 5.9: messages run together");
	expect("            bash-2315    (   2315) [001] ...21   951.675893: bpf_trace_printk: x\n",
	       "{\"type\":\"trace\",\"comm\":\"bash\",\"pid\":2315,\"cpu\":1,\"flags\":\"...21\",\"ts\":951.675893,"
	       "\"msg\":\"x\"}\n", "the (tgid) column");
	expect("            bash-2315    (-------) [001] d...   951.675893: bpf_trace_printk: x\n",
	       "{\"type\":\"trace\",\"comm\":\"bash\",\"pid\":2315,\"cpu\":1,\"flags\":\"d...\",\"ts\":951.675893,"
	       "\"msg\":\"x\"}\n", "the (tgid) column, tgid unknown, 4 flags");
	expect("     my-prog [2]-77      [001] .... 1.000000: bpf_trace_printk: \"q\" \\ end\n",
	       "{\"type\":\"trace\",\"comm\":\"my-prog [2]\",\"pid\":77,\"cpu\":1,\"flags\":\"....\",\"ts\":1.000000,"
	       "\"msg\":\"\\\"q\\\" \\\\ end\"}\n", "a comm with a space, a dash and brackets; quotes in the message");
	expect("CPU:1 [LOST 12 EVENTS]\n", "{\"type\":\"lost\",\"cpu\":1,\"lost\":12}\n", "lost events");
	expect("garbage line\n", "{\"type\":\"trace\",\"line\":\"garbage line\"}\n", "a line that does not parse");
	expect("  a-1 [000] .... notatime: bpf_trace_printk: x\n",
	       "{\"type\":\"trace\",\"line\":\"  a-1 [000] .... notatime: bpf_trace_printk: x\"}\n",
	       "a timestamp that is not one");
	/* a line in two reads: the part is kept until its end comes */
	nout = 0;
	out[0] = 0;
	trace_json("   a-5 [001] ...", 16);
	int empty = nout == 0;
	trace_json("21 1.5: bpf_trace_printk: m\n\n", 30);
	check(empty && !strcmp(out, "{\"type\":\"trace\",\"comm\":\"a\",\"pid\":5,\"cpu\":1,\"flags\":\"...21\",\"ts\":1.5,"
				    "\"msg\":\"m\"}\n"), "tracejson: a line split across two reads", out, "one object");
}
