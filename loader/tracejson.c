/* run -j: trace_pipe lines as JSON objects, one per line. The line's layout differs between
 * kernels (REFERENCE.md: flags of 4 or 5 characters, an optional "(tgid)" column, a number
 * instead of the event name before 5.9), so it is parsed on its separators:
 * "<comm>-<pid> [<cpu>] <flags> <secs.usecs>: <event>: <message>". */
#include "emit.h"
#include "trace.h"

static char *skip_sp(char *p)
{
	while (*p == ' ')
		p++;
	return p;
}

static bool digits(const char *p, const char *end)
{
	if (p == end)
		return false;
	for (; p < end; p++)
		if ((*p < '0' || *p > '9') && *p != '.')
			return false;
	return true;
}

static void json_line(char *l)
{
	struct emit w = {.json = true};
	u64 pid, cpu, n;
	const char *p;
	char *br = l, *end, *ts, *msg, *cend = NULL;
	em_open(&w, NULL, '{');
	if (rb_startswith(l, "CPU:") && (p = rb_parse_u64(l + 4, &cpu)) && rb_startswith(p, " [LOST ") &&
	    rb_parse_u64(p + 7, &n)) {
		em_rec(&w, "%{type}s%{cpu}llu%{lost}llu", "lost", cpu, n);
		goto out;
	}
	/* The cpu column: the first " [digits]" with "-digits" (and maybe "(tgid)") before it. */
	while ((br = rb_strstr(br + 1, " ["))) {
		char *e2 = br, *dash; /* e2: just after the pid */
		while (e2 > l && e2[-1] == ' ')
			e2--;
		if (e2 > l && e2[-1] == ')') {
			while (e2 > l && e2[-1] != '(')
				e2--;
			e2 -= e2 > l;
			while (e2 > l && e2[-1] == ' ')
				e2--;
		}
		for (dash = e2; dash > l && dash[-1] >= '0' && dash[-1] <= '9';)
			dash--;
		if (dash > l && dash[-1] == '-' && dash < e2 && rb_parse_u64(dash, &pid) && rb_parse_u64(br + 2, &cpu) &&
		    (end = rb_strchr(br, ']'))) {
			cend = dash - 1; /* cut there only once the whole line parsed */
			break;
		}
	}
	char *flags = br ? skip_sp(end + 1) : NULL, *f_end = flags ? rb_strchr(flags, ' ') : NULL;
	ts = f_end ? skip_sp(f_end) : NULL;
	char *colon = ts ? rb_strstr(ts, ": ") : NULL;
	if (!colon || !digits(ts, colon)) {
		em_rec(&w, "%{type}s%{line}s", "trace", l);
		goto out;
	}
	*cend = *f_end = *colon = 0;
	msg = colon + 2; /* then "bpf_trace_printk: ", or "0: " before 5.9 */
	char *ev = rb_strstr(msg, ": ");
	for (char *q = msg; ev && q < ev; q++)
		if (*q == ' ')
			ev = NULL;
	if (ev)
		msg = ev + 2;
	em_rec(&w, "%{type}s%{comm}s%{pid}llu%{cpu}llu%{flags}s%{ts}n%{msg}s", "trace", skip_sp(l), pid, cpu, flags,
	       ts, msg);
out:
	em_close(&w);
}

/* trace_pipe hands out whole lines; a part line is kept for the next read all the same. */
void trace_json(const char *buf, size_t n)
{
	static char line[1280];
	static size_t have;
	for (size_t i = 0; i < n; i++) {
		if (buf[i] != '\n') {
			if (have < sizeof line - 1)
				line[have++] = buf[i];
			continue;
		}
		line[have] = 0;
		if (have)
			json_line(line);
		have = 0;
	}
}
