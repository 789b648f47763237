/* Output: trace_pipe lines pass through unchanged; perf and ring buffer records and map entries
 * are formatted through BTF (print.c). Perf buffers follow the perf mmap ABI (head/tail in the
 * first page); ring buffers the BPF ring buffer ABI (consumer page, producer page, data mapped
 * twice so a record never wraps). */
#include "output.h"
#include "io.h"
#include "print.h"
#include "trace.h"
#include <linux/mman.h>
#include <linux/perf_event.h>
#include <linux/poll.h>

#define PERF_DATA_PAGES 8
#define RB_BUSY (1u << 31)
#define RB_DISCARD (1u << 30)

static bool printable(const struct map *m)
{
	switch (m->type) {
	case BPF_MAP_TYPE_HASH: case BPF_MAP_TYPE_ARRAY: case BPF_MAP_TYPE_PERCPU_HASH:
	case BPF_MAP_TYPE_PERCPU_ARRAY: case BPF_MAP_TYPE_LRU_HASH: case BPF_MAP_TYPE_LRU_PERCPU_HASH:
	case BPF_MAP_TYPE_STACK_TRACE:
		/* not global data, nor libbpf's own USDT bookkeeping */
		return m->def != MAP_DEF_DATA && !rb_startswith(m->name, "__bpf_usdt_");
	default:
		return false;
	}
}

static bool percpu(const struct map *m)
{
	return m->type == BPF_MAP_TYPE_PERCPU_HASH || m->type == BPF_MAP_TYPE_PERCPU_ARRAY ||
	       m->type == BPF_MAP_TYPE_LRU_PERCPU_HASH;
}

int output_setup(struct output *out, struct err *e)
{
	struct loaded *l = out->l;
	struct obj *o = l->o;
	unsigned npb = 0, nrb = 0;
	for (unsigned i = 0; i < o->nmaps; i++) {
		npb += o->maps[i].type == BPF_MAP_TYPE_PERF_EVENT_ARRAY ? o->maps[i].max_entries : 0;
		nrb += o->maps[i].type == BPF_MAP_TYPE_RINGBUF;
		out->print_maps |= printable(&o->maps[i]);
	}
	out->pb = rb_zalloc((npb ? npb : 1) * sizeof *out->pb);
	out->rb = rb_zalloc((nrb ? nrb : 1) * sizeof *out->rb);
	for (unsigned i = 0; i < o->nmaps; i++) {
		struct map *m = &o->maps[i];
		if (m->type == BPF_MAP_TYPE_PERF_EVENT_ARRAY) {
			for (u32 cpu = 0; cpu < m->max_entries && cpu < (u32)possible_cpu_slots(); cpu++) {
				int fd = kern_perf_bpf_output((int)cpu, e);
				if (fd == -ENODEV) /* an offline CPU */
					continue;
				if (fd < 0)
					return fd;
				struct perfbuf *pb = &out->pb[out->npb++];
				*pb = (struct perfbuf){m, (int)cpu, fd, NULL, (1 + PERF_DATA_PAGES) * rb_pagesize};
				if (!(pb->base = kern_mmap(fd, pb->len, PROT_READ | PROT_WRITE, 0, "perf buffer: a CPU's "
							   "records", e)))
					return err_ctx(e, "map '%s', CPU %u", m->kname, cpu);
				int r = kern_perf_enable(fd, e);
				if (r < 0 || (r = kern_map_update(m->fd, m->kname, &cpu, &fd, e)) < 0)
					return r;
			}
		} else if (m->type == BPF_MAP_TYPE_RINGBUF) {
			struct ringbuf *rb = &out->rb[out->nrb++];
			rb->map = m;
			rb->cons_len = rb_pagesize;
			rb->prod_len = rb_pagesize + 2 * (size_t)m->max_entries;
			if (!(rb->cons = kern_mmap(m->fd, rb->cons_len, PROT_READ | PROT_WRITE, 0, "ring buffer: "
						   "consumer page", e)) ||
			    !(rb->prod = kern_mmap(m->fd, rb->prod_len, PROT_READ, (long)rb_pagesize, "ring buffer: "
						   "producer page and data", e)))
				return err_ctx(e, "map '%s'", m->kname);
		}
	}
	return 0;
}

/* run -j: a JSON object's start, {"type":"TYPE","map":"NAME". */
static void json_head(struct strbuf *s, const char *type, const struct map *m)
{
	sb_add(s, "{\"type\":\"%s\",\"map\":", type);
	sb_json_str(s, m->name, rb_strlen(m->name));
}

/* What a JSON line holds when it did not fit its buffer: rather a note than invalid JSON. */
static void json_end(struct strbuf *s, const char *type, const struct map *m)
{
	if (sb_full(s)) {
		s->len = 0;
		json_head(s, type, m);
		sb_add(s, ",\"error\":\"too long to show\"");
	}
	sb_add(s, "}\n");
	rb_puts_n(s->buf, s->len);
}

/* Ends a text line built in a buffer that kept 64 bytes back: one that did not fit says so. */
static void text_end(struct strbuf *s)
{
	if (sb_full(s)) {
		size_t max = s->size;
		s->size += 64;
		sb_add(s, " ... [cut: the line is longer than %zu bytes]", max);
	}
	sb_add(s, "\n");
	rb_puts_n(s->buf, s->len);
}

static void record(struct output *out, struct map *m, int cpu, const u8 *data, u32 size)
{
	static char line[16384];
	struct strbuf s = {line, sizeof line - 64, 0, out->json};
	struct btf *b = out->l->o->has_btf ? &out->l->o->btf : NULL;
	if (out->json) {
		json_head(&s, "record", m);
		sb_add(&s, cpu >= 0 ? ",\"cpu\":%d,\"value\":" : ",\"value\":", cpu);
		print_value(&s, b, m->record, data, size);
		json_end(&s, "record", m);
		return;
	}
	if (m->fmt)
		print_format(&s, m->fmt, b, 0, NULL, 0, m->record, data, size);
	else
		print_value(&s, b, m->record, data, size);
	text_end(&s);
}

static void read_perf(struct output *out, struct perfbuf *pb)
{
	struct perf_event_mmap_page *meta = (void *)pb->base;
	u8 *data = pb->base + rb_pagesize;
	u64 size = PERF_DATA_PAGES * rb_pagesize;
	u64 head = __atomic_load_n(&meta->data_head, __ATOMIC_ACQUIRE), tail = meta->data_tail;
	static u8 tmp[65536]; /* h.size is a u16 */
	while (tail < head) {
		struct perf_event_header h;
		for (u32 i = 0; i < sizeof h; i++)
			((u8 *)&h)[i] = data[(tail + i) % size];
		if (h.size < sizeof h || h.size > head - tail)
			break; /* cannot happen with a sane kernel: stop rather than read garbage */
		for (u32 i = 0; i < h.size; i++) /* the record may wrap around the end */
			tmp[i] = data[(tail + i) % size];
		if (h.type == PERF_RECORD_SAMPLE && h.size >= sizeof h + 4) {
			u32 n;
			memcpy(&n, tmp + sizeof h, 4);
			if (n <= h.size - sizeof h - 4)
				record(out, pb->map, pb->cpu, tmp + sizeof h + 4, n);
		} else if (h.type == PERF_RECORD_LOST && h.size >= sizeof h + 16) {
			u64 lost;
			memcpy(&lost, tmp + sizeof h + 8, 8);
			out->lost += lost;
			if (out->json) { /* run -j: on stdout with the records, {"type":"lost","map":...} */
				char b[192];
				struct strbuf s = {b, sizeof b, 0, true};
				json_head(&s, "lost", pb->map);
				sb_add(&s, ",\"cpu\":%d,\"lost\":%llu", pb->cpu, (unsigned long long)lost);
				json_end(&s, "lost", pb->map);
			} else
				rb_eprintf("rawbpf: perf buffer '%s' CPU %d: %llu records lost\n", pb->map->name, pb->cpu,
					   (unsigned long long)lost);
		}
		tail += h.size;
	}
	__atomic_store_n(&meta->data_tail, tail, __ATOMIC_RELEASE);
}

static void read_ring(struct output *out, struct ringbuf *rb)
{
	u64 *cons_pos = (u64 *)rb->cons, *prod_pos = (u64 *)rb->prod;
	u8 *data = rb->prod + rb_pagesize;
	u64 mask = rb->map->max_entries - 1;
	u64 cons = __atomic_load_n(cons_pos, __ATOMIC_ACQUIRE);
	for (;;) {
		u64 prod = __atomic_load_n(prod_pos, __ATOMIC_ACQUIRE);
		if (cons >= prod)
			return;
		while (cons < prod) {
			u32 *hdr = (u32 *)(data + (cons & mask));
			u32 len = __atomic_load_n(hdr, __ATOMIC_ACQUIRE);
			if (len & RB_BUSY)
				return; /* being written: the next wakeup brings it */
			u32 n = len & ~(RB_BUSY | RB_DISCARD);
			if (!(len & RB_DISCARD) && n <= rb->map->max_entries)
				record(out, rb->map, -1, (u8 *)hdr + 8, n);
			cons += (n + 8 + 7) & ~7ull;
			__atomic_store_n(cons_pos, cons, __ATOMIC_RELEASE);
		}
	}
}

static bool all_zero(const u8 *d, u32 n)
{
	for (u32 i = 0; i < n; i++)
		if (d[i])
			return false;
	return true;
}

/* Per-CPU values: summed when they are integers, else listed. */
static void percpu_value(struct strbuf *s, struct output *out, struct map *m, const u8 *v)
{
	struct btf *b = out->l->o->has_btf ? &out->l->o->btf : NULL;
	u32 stride = (m->value_size + 7) & ~7u;
	struct btf_t t;
	bool integer = b && m->btf_value ? !btf_resolve(b, m->btf_value, &t) && t.kind == BTFK_INT
					 : m->value_size <= 8;
	if (integer && m->value_size <= 8) {
		u64 sum = 0;
		for (int c = 0; c < nr_possible_cpus(); c++) {
			u64 x = 0;
			memcpy(&x, v + (u64)c * stride, m->value_size);
			sum += x;
		}
		sb_add(s, "%llu", (unsigned long long)sum);
		return;
	}
	sb_add(s, "[");
	for (int c = 0; c < nr_possible_cpus(); c++) {
		sb_add(s, c ? (s->json ? "," : ", ") : "");
		print_value(s, b, m->btf_value, v + (u64)c * stride, m->value_size);
	}
	sb_add(s, "]");
}

/* A log2 histogram, as the libbpf tools keep them: a value whose struct has an array of 4- or
 * 8-byte counters named "slots", slot i counting values of [2^i, 2^(i+1)) (slot 0 also 0).
 * Shown as bpftrace's hist() shows one; returns the offset of slots + 1, 0 if not one. */
static u32 hist_at(struct btf *b, const struct map *m, u32 *n, u64 *es)
{
	struct btf_t t, at;
	const char *name;
	u32 mt, bit, elem;
	if (!b || btf_resolve(b, m->btf_value, &t) || t.kind != BTFK_STRUCT)
		return 0;
	for (u32 i = 0; i < t.vlen; i++)
		if (!btf_member(b, &t, i, &name, &mt, &bit) && !rb_strcmp(name, "slots") && !(bit % 8) &&
		    !btf_resolve(b, mt, &at) && at.kind == BTFK_ARRAY && !btf_array(b, &at, &elem, n) &&
		    !btf_size(b, elem, es) && (*es == 4 || *es == 8) && bit / 8 + *n * *es <= m->value_size)
			return bit / 8 + 1;
	return 0;
}

static void print_hist(struct strbuf *s, const u8 *d, u32 n, u64 es)
{
	u64 max = 1, v;
	u32 last = 0;
	for (u32 i = 0; i < n; i++) {
		memcpy(&v, d + i * es, 8), v = es == 4 ? (u32)v : v;
		max = v > max ? v : max;
		last = v ? i + 1 : last;
	}
	for (u32 i = 0; i < last; i++) {
		memcpy(&v, d + i * es, 8), v = es == 4 ? (u32)v : v;
		char r[48];
		rb_snprintf(r, sizeof r, "[%llu, %llu)", i ? 1ULL << i : 0ULL, 2ULL << i);
		sb_add(s, "\n%-24s %8llu |", r, (unsigned long long)v);
		for (u32 k = 0; k < 40; k++)
			sb_add(s, k < v * 40 / max ? "@" : " ");
		sb_add(s, "|");
	}
}

/* One entry's value: a stack, one value per CPU, or one value. */
static void map_value(struct strbuf *s, struct output *out, struct btf *b, struct map *m, const u8 *val)
{
	if (m->type == BPF_MAP_TYPE_STACK_TRACE)
		print_stack(s, val, m->value_size / 8);
	else if (percpu(m))
		percpu_value(s, out, m, val);
	else
		print_entry(s, b, m->btf_value, val, m->value_size);
}

static void print_map(struct output *out, struct map *m)
{
	struct btf *b = out->l->o->has_btf ? &out->l->o->btf : NULL;
	u32 vlen = percpu(m) ? ((m->value_size + 7) & ~7u) * (u32)nr_possible_cpus() : m->value_size;
	u8 *key = rb_alloc(m->key_size * 2 + 8), *next = key + m->key_size + 4, *val = rb_alloc(vlen + 8);
	static char line[65536];
	struct strbuf s = {line, sizeof line - 64, 0, out->json};
	bool any = false, first = true, stk = m->type == BPF_MAP_TYPE_STACK_TRACE;
	u64 es;
	/* Stacks: every address of the snapshot first, so kallsyms is read once for them all. */
	for (int r = kern_map_next_key(m->fd, NULL, next); stk && r == 0; r = kern_map_next_key(m->fd, key, next))
		if (memcpy(key, next, m->key_size), kern_map_lookup(m->fd, key, val) == 0)
			print_stack(NULL, val, m->value_size / 8);
	if (out->json) {
		json_head(&s, "map", m);
		sb_add(&s, ",\"entries\":[");
	} else if (!m->fmt)
		sb_add(&s, "%s:", m->name);
	int r = kern_map_next_key(m->fd, NULL, next);
	for (unsigned n = 0; r == 0 && n < 100000; n++) {
		memcpy(key, next, m->key_size);
		if (kern_map_lookup(m->fd, key, val) == 0 &&
		    !((m->type == BPF_MAP_TYPE_ARRAY || m->type == BPF_MAP_TYPE_PERCPU_ARRAY) && all_zero(val, vlen))) {
			any = true;
			u32 ns, h = out->json || percpu(m) ? 0 : hist_at(b, m, &ns, &es);
			if (m->fmt && !percpu(m) && !h && !out->json) {
				print_format(&s, m->fmt, b, m->btf_key, key, m->key_size, m->btf_value, val, m->value_size);
			} else { /* key, then a histogram or " => " and the value; a JSON entry {"key":..,"value":..} */
				sb_add(&s, out->json ? (first ? "{\"key\":" : ",{\"key\":") : h ? (first ? " key " : "\n%s: key ")
					   : first ? " " : stk ? "\n%s: " : ", ", m->name); /* a stack a line */
				print_entry(&s, b, m->btf_key, key, m->key_size);
				if (h) {
					print_hist(&s, val + h - 1, ns, es);
				} else {
					sb_add(&s, out->json ? ",\"value\":" : " => ");
					map_value(&s, out, b, m, val);
					sb_add(&s, out->json ? "}" : "");
				}
				if (stk && !out->json) /* a stack a line, each written out: a big map is not cut at the buffer's end */
					rb_puts_n(s.buf, s.len), s.len = 0;
			}
			first = false;
		}
		r = kern_map_next_key(m->fd, key, next);
	}
	if (out->json) {
		sb_add(&s, "]");
		json_end(&s, "map", m);
	} else if (any) {
		text_end(&s);
	}
	rb_free(val); /* newest first: the arena takes both back */
	rb_free(key);
}

static void print_maps(struct output *out)
{
	struct obj *o = out->l->o;
	for (unsigned i = 0; i < o->nmaps; i++)
		if (printable(&o->maps[i]))
			print_map(out, &o->maps[i]);
}

int output_loop(struct output *out, s64 deadline_ns)
{
	unsigned n = 0, first_pb, first_rb;
	struct pollfd *pfd = rb_zalloc((2 + out->npb + out->nrb) * sizeof *pfd);
	s64 next_print = out->print_maps ? now_ns() + out->interval_ns : 0;
	int ret;
	char what[80];
	pfd[n++] = (struct pollfd){out->sig_fd, POLLIN, 0};
	pfd[n++] = (struct pollfd){out->trace_fd, POLLIN, 0}; /* fd -1 is ignored by poll */
	first_pb = n;
	for (unsigned i = 0; i < out->npb; i++)
		pfd[n++] = (struct pollfd){out->pb[i].fd, POLLIN, 0};
	first_rb = n;
	for (unsigned i = 0; i < out->nrb; i++)
		pfd[n++] = (struct pollfd){out->rb[i].map->fd, POLLIN, 0};
	rb_snprintf(what, sizeof what, "signalfd, trace_pipe, %u perf buffers, %u ring buffers", out->npb, out->nrb);
	for (;;) {
		struct __kernel_timespec ts, *tp = NULL;
		s64 until = deadline_ns;
		if (next_print && (!until || next_print < until))
			until = next_print;
		if (until) { /* clock_gettime is a system call here (no vDSO): only when a timer is due */
			s64 left = until - now_ns();
			if (left < 0)
				left = 0;
			ts.tv_sec = left / 1000000000LL;
			ts.tv_nsec = left % 1000000000LL;
			tp = &ts;
		}
		int r = kern_poll(pfd, n, tp, what);
		if (r < 0 && r != -EINTR) {
			ret = r;
			break;
		}
		if (r > 0 && (pfd[0].revents & POLLIN) && (ret = kern_signal(out->sig_fd)))
			break;
		/* One read per wakeup, then back to ppoll. Measured (make bench, throughput): under a
		 * burst this delivers about twice the lines that reading on until EAGAIN does, as cat's
		 * blocking reads do; the likely reason is that a reader that keeps reading takes the
		 * writer's half-filled pages, and the small buffer a kernel starts with overflows sooner. */
		if (r > 0 && (pfd[1].revents & (POLLIN | POLLERR | POLLHUP)) &&
		    (ret = (int)trace_copy(out->trace_fd, 1, ~0ull)) < 0)
			break;
		for (unsigned i = 0; r > 0 && i < out->npb; i++)
			if (pfd[first_pb + i].revents & POLLIN)
				read_perf(out, &out->pb[i]);
		for (unsigned i = 0; r > 0 && i < out->nrb; i++)
			if (pfd[first_rb + i].revents & POLLIN)
				read_ring(out, &out->rb[i]);
		s64 now = until ? now_ns() : 0;
		if (next_print && now >= next_print) {
			print_maps(out);
			next_print = now + out->interval_ns;
		}
		if ((ret = rb_flush()) < 0)
			break;
		if (deadline_ns && now >= deadline_ns) {
			ret = 0;
			break;
		}
	}
	rb_free(pfd);
	return ret;
}

int output_final(struct output *out)
{
	for (unsigned i = 0; i < out->npb; i++)
		read_perf(out, &out->pb[i]);
	for (unsigned i = 0; i < out->nrb; i++)
		read_ring(out, &out->rb[i]);
	if (out->print_maps)
		print_maps(out);
	int r = rb_flush();
	if (r == 0 && out->trace_fd >= 0)
		r = trace_flush(out->trace_fd);
	return r;
}

void output_release(struct output *out)
{
	for (unsigned i = 0; i < out->npb; i++) {
		if (out->pb[i].base)
			kern_munmap(out->pb[i].base, out->pb[i].len, "the perf buffer");
		kern_close(out->pb[i].fd, "the perf buffer");
	}
	for (unsigned i = 0; i < out->nrb; i++) {
		if (out->rb[i].cons)
			kern_munmap(out->rb[i].cons, out->rb[i].cons_len, "the ring buffer's consumer page");
		if (out->rb[i].prod)
			kern_munmap(out->rb[i].prod, out->rb[i].prod_len, "the ring buffer's producer page and data");
	}
	rb_free(out->pb);
	rb_free(out->rb);
	out->pb = NULL;
	out->rb = NULL;
	out->npb = out->nrb = 0;
}
