/* trace_pipe_raw reader: takes the per-CPU ring-buffer pages as the kernel stores them (a page
 * swap, no formatting in the kernel, which costs trace_pipe's readers ~2 us a line) and prints
 * each bpf_trace_printk event as trace_pipe would, CPUs merged by time stamp. Layouts come from
 * tracefs (events/header_page, the event's format); whatever it cannot mirror exactly makes it
 * give way to trace_pipe, saying why. */
#include "trace.h"
#include "io.h"
#include "kernel.h"
#include "load.h"

#define EAGAIN 11
#define MISSED (1u << 31) /* RB_MISSED_EVENTS: events were lost before this page */
#define STORED (1u << 30) /* RB_MISSED_STORED: their count follows the data */

struct rcpu {
	int fd;
	u32 pos, end; /* next record in pg, end of its committed data; pos == end: no page */
	u8 *pg;
	u64 base, ts; /* running time stamp; the time of the data record at pos */
	long lost;    /* to report before the next line: a count, -1 unknown, 0 none */
	bool abs;     /* an absolute time stamp came: the next record's time is it */
};

/* Field indexes, in events/header_page and the event's format. */
enum { F_TS, F_COMMIT, F_DATA, F_TYPE, F_FLAGS, F_PC, F_PID, F_STR, NF };
static const char fname[] = "timestamp\0commit\0data\0common_type\0common_flags\0common_preempt_count\0"
			    "common_pid\0bpf_string\0";
static struct {
	struct rcpu *c;
	int n, state; /* state: 0 not tried, 1 on, -1 off (trace_pipe) */
	u32 off[NF], size[NF], id, psz, ev_min;
	bool irq, ns, nib, lazy, loc, other, changed;
	u64 pids_at;  /* when the command names were read */
	u32 olen, budget, skipped, opts; /* opts: trace_options and trace_clock as set up */
	int werr;
	struct { int pid; char comm[16]; } cmd[64];
	u32 ncmd;
	const struct tracefs *t;
} R;

static const char *path(const char *f)
{
	static char p[160];
	rb_snprintf(p, sizeof p, "%s/%s", R.t->dir, f);
	return p;
}

/* Field lines of a format file into R.off/R.size; an unknown common_ field: R.other. */
static void fields(char *s)
{
	for (char *l = s; (l = rb_strstr(l, "field:")); l++) {
		char *semi = rb_strchr(l, ';'), *nm = semi;
		if (!semi)
			return;
		while (nm[-1] != ' ' && nm[-1] != ':')
			nm--;
		u64 off = 0, size = 0;
		const char *o = rb_strstr(semi, "offset:"), *z = rb_strstr(semi, "size:");
		if (!o || !z || !rb_parse_u64(o + 7, &off) || !rb_parse_u64(z + 5, &size))
			return;
		*semi = 0;
		int i = 0;
		for (const char *f = fname; *f && rb_strcmp(f, nm); f += rb_strlen(f) + 1)
			i++;
		if (i < NF) {
			R.off[i] = (u32)off, R.size[i] = (u32)size;
			R.loc |= i == F_STR && rb_strstr(l, "__data_loc");
		} else
			R.other |= rb_startswith(nm, "common_");
		l = semi;
	}
}

static bool has_line(const char *s, const char *w)
{
	size_t n = rb_strlen(w);
	for (const char *p = s; (p = rb_strstr(p, w)); p++)
		if ((p == s || p[-1] == '\n') && (p[n] == '\n' || !p[n]))
			return true;
	return false;
}

static u32 fnv(const char *s)
{
	u32 h = 2166136261u;
	while (*s)
		h = (h ^ (u8)*s++) * 16777619u;
	return h;
}

static char b[2048];
static bool rd(const char *f) { return kern_read(path(f), b, sizeof b, "what trace_pipe_raw's lines need") >= 0; }

/* fnv of a file as rd() leaves it in b; 0 if it cannot be read. */
static u32 again(const char *f, unsigned kind)
{
	int fd = kern_open(path(f), 0, "changed since the set-up? (checked once a second)");
	long n = fd < 0 ? -1 : kern_read_fd(fd, b, sizeof b - 1, kind, f);
	if (fd >= 0)
		kern_close(fd, f);
	while (n > 0 && (b[n - 1] == '\n' || b[n - 1] == ' '))
		n--;
	b[n > 0 ? n : 0] = 0;
	return n > 0 ? fnv(b) : 0;
}

/* What rawbpf cannot mirror here (the tracefs file that says so), or NULL: reads the layouts and
 * the settings that change trace_pipe's lines. */
static const char *setup(void)
{
	u32 v = kern_version_code();
	u64 x;
	if (v < 0x50a00 || (v >= 0x50b00 && v < 0x50f00)) /* 5.11-5.14: not checked */
		return "this kernel version";
	R.nib = v >= 0x50f00, R.lazy = v >= 0x60d00;
	if (!rd("events/header_event") || fnv(b) != 0x19435d6f)
		return "events/header_event";
	if (!rd("events/header_page"))
		return "events/header_page";
	fields(b);
	R.psz = R.off[F_DATA] + R.size[F_DATA];
	if (R.off[F_TS] || R.size[F_TS] != 8 || (R.size[F_COMMIT] != 8 && R.size[F_COMMIT] != 4) ||
	    R.off[F_DATA] < R.off[F_COMMIT] + R.size[F_COMMIT] || R.psz > 65536 || R.size[F_DATA] < 64)
		return "events/header_page";
	const char *f = "events/bpf_trace/bpf_trace_printk/format", *id;
	if (!rd(f) || !(id = rb_strstr(b, "\nID: ")) || !rb_parse_u64(id + 5, &x) ||
	    !rb_strstr(b, "\nprint fmt: \"%s\", __get_str(bpf_string)"))
		return f;
	R.id = (u32)x;
	fields(b);
	if (R.other || !R.loc || R.size[F_TYPE] != 2 || R.size[F_FLAGS] != 1 || R.size[F_PC] != 1 ||
	    R.size[F_PID] != 4 || R.size[F_STR] != 4)
		return f;
	R.ev_min = R.off[F_STR] + 4;
	for (int i = F_TYPE; i < F_STR; i++)
		if (R.off[i] + R.size[i] > R.ev_min)
			R.ev_min = R.off[i] + R.size[i];
	/* Only bpf_trace_printk's events in the buffer, shown with the default context columns. */
	if (!rd(f = "current_tracer") || rb_strcmp(b, "nop"))
		return f;
	if (!rd(f = "set_event") || (b[0] && rb_strcmp(b, "bpf_trace:bpf_trace_printk")))
		return f;
	if (!rd(f = "trace_options") || !has_line(b, "context-info"))
		return f;
	for (const char *o = "raw\0hex\0bin\0latency-format\0record-tgid\0fields\0"; *o; o += rb_strlen(o) + 1)
		if (has_line(b, o))
			return f;
	R.irq = has_line(b, "irq-info");
	R.opts = fnv(b);
	if (!rd(f = "trace_clock"))
		return f;
	R.opts ^= fnv(b) * 3;
	for (const char *c = "[local]\0[global]\0[perf]\0[mono]\0[mono_raw]\0[boot]\0[tai]\0"; *c; c += rb_strlen(c) + 1)
		R.ns |= rb_strstr(b, c) != NULL;
	if (!R.ns) /* the others print counts, not seconds */
		return f;
	R.n = possible_cpu_slots();
	R.c = rb_zalloc((size_t)R.n * sizeof *R.c);
	for (int i = 0; i < R.n; i++)
		R.c[i].fd = -1;
	for (int i = 0; i < R.n; i++) {
		char p[48];
		rb_snprintf(p, sizeof p, "per_cpu/cpu%d/trace_pipe_raw", i);
		R.c[i].fd = kern_open(path(p), 04000 /* O_NONBLOCK */, "a CPU's ring-buffer pages, read one at a time");
		if (R.c[i].fd == -2) /* not a CPU tracing knows */
			continue;
		if (R.c[i].fd < 0)
			return "trace_pipe_raw";
	}
	return NULL;
}

void traceraw_close(void)
{
	for (int i = 0; i < R.n; i++)
		if (R.c[i].fd >= 0)
			kern_close(R.c[i].fd, "trace_pipe_raw"), R.c[i].fd = -1;
}

static void off(const char *why)
{
	traceraw_close();
	R.state = -1;
	explain("trace_pipe_raw not used: %s is not as rawbpf can mirror it; reading trace_pipe", why);
}

static u32 rd32(const u8 *p) { u32 v; memcpy(&v, p, 4); return v; }

/* Moves c to its next data record (reading the next page when one runs out); false if there is
 * none now. Padding, time extends and absolute stamps are followed as the kernel's reader does. */
static bool next(struct rcpu *c, bool skip)
{
	if (skip)
		c->pos += rd32(c->pg + c->pos) & 31 ? (rd32(c->pg + c->pos) & 31) * 4 + 4 : rd32(c->pg + c->pos + 4) + 4;
	for (;;) {
		if (c->pos + 8 > c->end) {
			if (!R.budget || R.other || c->fd < 0) /* (a CPU without a buffer costs nothing) */
				return c->pos = c->end = 0, false;
			/* All of a page but its last word: then the kernel copies the records out, leaving
			 * room after them for the count of lost events (a full page swapped whole has none);
			 * the second read takes the rest of that page. */
			u32 w = R.size[F_COMMIT];
			if (!c->pg) /* a CPU that never traces costs no page */
				c->pg = rb_alloc(R.psz);
			long n = kern_read_fd(c->fd, c->pg, R.psz - w, KREAD_RAW, "trace_pipe_raw");
			if (n == -ENODEV) /* possible but not present (a hot-plug slot): no buffer */
				kern_close(c->fd, "trace_pipe_raw of a CPU not present"), c->fd = -1;
			else
				R.other |= n < 0 && n != -EAGAIN && n != -4; /* an error: trace_pipe then */
			if (n < (long)R.off[F_DATA])
				return c->pos = c->end = 0, false;
			R.budget--; /* (pages read, not attempts: idle CPUs do not use up the others' turn) */
			long n2 = kern_read_fd(c->fd, c->pg + n, w, KREAD_RAW, "trace_pipe_raw");
			if (n2 != w)
				R.other = true, n2 = 0; /* not the reads this kernel does: give way */
			u32 cm = rd32(c->pg + R.off[F_COMMIT]), len = cm & ~(MISSED | STORED);
			if (len > n - R.off[F_DATA])
				len = 0; /* cannot be: read nothing of it rather than garbage */
			memcpy(&c->base, c->pg, 8);
			c->pos = R.off[F_DATA], c->end = c->pos + len, c->abs = false;
			if (cm & MISSED) {
				long m = -1;
				if (cm & STORED && c->end + R.size[F_COMMIT] <= (u32)(n + n2))
					memcpy(&m, c->pg + c->end, R.size[F_COMMIT]);
				c->lost = c->lost > 0 && m > 0 ? c->lost + m : m;
			}
			continue;
		}
		u32 h = rd32(c->pg + c->pos), t = h & 31, d = h >> 5, a = rd32(c->pg + c->pos + 4);
		u64 v = (u64)a << 27 | d;
		if (t == 29 && !d) { /* the rest of the page is empty */
			c->pos = c->end;
			continue;
		}
		u32 len = t == 29 ? a + 4 : t >= 30 ? 8 : t ? t * 4 + 4 : a + 4;
		if (len < 8 || len > c->end - c->pos) { /* (pos + 8 <= end here; a sum could wrap) */
			c->pos = c->end;
			continue;
		}
		if (t == 30)
			c->base += v;
		else if (t == 31) { /* absolute; its top bits from the page's stamp (rb_fix_abs_ts) */
			u64 msb = c->base & (0x1full << 59);
			c->base = v | msb;
			if (msb && c->base < msb)
				c->base += 1ull << 59;
			c->abs = true;
		} else if (t < 29) {
			c->ts = c->abs ? c->base : c->base + d;
			c->base += d, c->abs = false;
			return true;
		}
		c->pos += len;
	}
}

static void out(void)
{
	long r = 0;
	if (R.olen && trace_sink)
		trace_sink(trace_buf, R.olen), r = rb_flush();
	else if (R.olen)
		r = rb_write_all(1, trace_buf, R.olen);
	R.werr = r < 0 && !R.werr ? (int)r : R.werr;
	R.olen = 0;
}

static void emit(const char *s, u32 n)
{
	if (R.olen + n > sizeof trace_buf)
		out();
	memcpy(trace_buf + R.olen, s, n);
	R.olen += n;
}

/* The command name trace_pipe would show for pid: from saved_cmdlines, read again when a pid is
 * not among those kept, or after 1 s (the kernel looks it up when it formats; reading it costs ~0.3 us an entry). */
static const char *comm(int pid)
{
	if (!pid)
		return "<idle>";
	for (u32 i = 0; i < R.ncmd; i++)
		if (R.cmd[i].pid == pid)
			return R.cmd[i].comm;
	static char b[4097];
	if (R.ncmd == ARRAY_SIZE(R.cmd))
		R.ncmd = 0;
	u32 me = R.ncmd++;
	R.cmd[me].pid = pid;
	rb_strlcpy(R.cmd[me].comm, "<...>", 16);
	int fd = kern_open(path("saved_cmdlines"), 0, "command names by pid (again for a new pid, or after 1 s)");
	long n, have = 0;
	while (fd >= 0 && (n = kern_read_fd(fd, b + have, 4096 - have, KREAD_CMDLINES, "saved_cmdlines")) > 0) {
		have += n, b[have] = 0;
		char *l = b, *e;
		while ((e = rb_strchr(l, '\n'))) {
			u64 p;
			const char *s = rb_parse_u64(l, &p);
			*e = 0;
			for (u32 i = 0; s && *s == ' ' && i < R.ncmd; i++)
				if ((u64)R.cmd[i].pid == p)
					rb_strlcpy(R.cmd[i].comm, s + 1, 16);
			l = e + 1;
		}
		have = b + have - l;
		memmove(b, l, (size_t)have);
	}
	if (fd >= 0)
		kern_close(fd, "saved_cmdlines");
	return R.cmd[me].comm;
}

/* One line as trace_print_context() and the event's output print it; returns its bytes. */
static u32 line(struct rcpu *c, int cpu, const u8 *ev, u32 size)
{
	static const char hex[] = ".123456789abcdef";
	char s[1500]; /* a context of at most ~140 bytes and a string of at most 1300 */
	u32 loc = rd32(ev + R.off[F_STR]), so = loc & 0xffff, sl = loc >> 16, f = ev[R.off[F_FLAGS]], pc = ev[R.off[F_PC]];
	int pid = (int)rd32(ev + R.off[F_PID]), n = 0;
	if (c->lost)
		n = rb_snprintf(s, sizeof s, c->lost < 0 ? "CPU:%d [LOST EVENTS]\n" : "CPU:%d [LOST %ld EVENTS]\n", cpu, c->lost);
	c->lost = 0;
	n += rb_snprintf(s + n, sizeof s - n, "%16s-%-7d [%03d] ", comm(pid), pid, cpu);
	if (R.irq) { /* trace_print_lat_fmt(); bit 1 is "need resched lazy" from 6.13, "no irq flags" before */
		s[n++] = f & 0x81 ? ".dbD"[(f & 1) | (f >> 6 & 2)] : !R.lazy && f & 2 ? 'X' : '.';
		s[n++] = ".nlbpNLB"[(f >> 2 & 1) | (R.lazy ? f & 2 : 0) | (f >> 3 & 4)];
		s[n++] = ".hsHzZzZ"[(f >> 3 & 3) | (f >> 4 & 4)];
		if (R.nib)
			s[n++] = hex[pc & 15], s[n++] = hex[pc >> 4];
		else
			n += pc ? rb_snprintf(s + n, 3, "%x", pc) : (s[n] = '.', 1);
	}
	u64 us = (c->ts + 500) / 1000; /* ns2usecs() rounds */
	n += rb_snprintf(s + n, sizeof s - n, " %5llu.%06llu: bpf_trace_printk: ", (unsigned long long)(us / 1000000),
			 (unsigned long long)(us % 1000000));
	if (so + sl > size || sl > 1300 || (u32)n + sl + 1 > sizeof s) { /* not a record the kernel writes */
		R.other = true, R.skipped++;
		return 0;
	}
	sl = (u32)rb_strnlen((const char *)ev + so, sl);
	memcpy(s + n, ev + so, sl);
	s[n + sl] = '\n';
	emit(s, n + sl + 1);
	return n + sl + 1;
}

long traceraw_copy(const struct tracefs *t, unsigned max_pages, u64 limit)
{
	if (!R.state) {
		R.t = t;
		const char *why = setup();
		if (why) {
			off(why);
			return TRACE_RAW_OFF;
		}
		R.state = 1, R.pids_at = (u64)now_ns();
		explain("trace_pipe_raw of %d CPUs: lines formatted here as trace_pipe does (it is polled)", R.n);
	}
	if (R.state < 0)
		return TRACE_RAW_OFF;
	s64 now = now_ns();
	if (now - (s64)R.pids_at > 1000000000) {
		/* Options or clock changed since the set-up (checked once a second): trace_pipe, after
		 * the records already read. */
		R.ncmd = 0, R.pids_at = (u64)now;
		u32 h = again("trace_options", KREAD_RAW << 2);
		R.changed = h != (R.opts ^ again("trace_clock", KREAD_RAW << 3) * 3);
		R.other |= R.changed;
	}
	R.werr = rb_flush();
	R.budget = max_pages == 1 ? 64 : max_pages;
	u64 total = 0;
	for (int i = 0; i < R.n; i++)
		if (R.c[i].pos >= R.c[i].end)
			next(&R.c[i], false);
	/* Once it gives way (R.other: no page is read any more), what is already read is shown whole. */
	while ((total < limit || R.other) && !R.werr) {
		struct rcpu *m = NULL;
		for (int i = 0; i < R.n; i++)
			if (R.c[i].pos < R.c[i].end && (!m || R.c[i].ts < m->ts))
				m = &R.c[i];
		if (!m)
			break;
		const u8 *h = m->pg + m->pos, *ev = h + (rd32(h) & 31 ? 4 : 8);
		u32 size = rd32(h) & 31 ? (rd32(h) & 31) * 4 : rd32(h + 4) - 4;
		if (size < R.ev_min || (u32)(ev[R.off[F_TYPE]] | ev[R.off[F_TYPE] + 1] << 8) != R.id)
			R.other = true, R.skipped++;
		else
			total += line(m, (int)(m - R.c), ev, size);
		if (!next(m, true) && !R.budget && !R.other)
			break; /* its next page is not read yet: the merge stops here, not past it */
	}
	out();
	if (R.other) {
		if (R.skipped)
			rb_eprintf("rawbpf: notice: %u events other than bpf_trace_printk in trace_pipe_raw, not shown: "
				   "reading trace_pipe from here on\n", R.skipped);
		off(R.changed ? "trace_options or trace_clock (changed)" : "the buffer");
	}
	return R.werr < 0 ? R.werr : (long)total;
}
