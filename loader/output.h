/* The output layer: one loop that copies trace_pipe, reads perf and ring buffers, and prints
 * maps at an interval, until a signal, the deadline, or a closed stdout. */
#ifndef RAWBPF_OUTPUT_H
#define RAWBPF_OUTPUT_H
#include "load.h"

struct perfbuf {
	struct map *map;
	int cpu, fd;
	u8 *base;
	size_t len;
};

struct ringbuf {
	struct map *map;
	u8 *cons, *prod;
	size_t cons_len, prod_len;
};

struct output {
	struct loaded *l;
	int trace_fd, sig_fd;
	struct perfbuf *pb;
	unsigned npb;
	struct ringbuf *rb;
	unsigned nrb;
	s64 interval_ns;
	bool print_maps;
	bool json;         /* run -j: one JSON object per line for each record and map snapshot */
	u64 lost;
};

/* Opens the perf buffers (one per CPU, put into their perf event array) and maps the ring
 * buffers: before the programs are attached, so no record is dropped. */
int output_setup(struct output *out, struct err *e);
/* Returns the signal that ended it, 0 at the deadline, or -errno. */
int output_loop(struct output *out, s64 deadline_ns);
/* After detaching: what the buffers and trace_pipe still hold, and the maps once more. */
int output_final(struct output *out);
void output_release(struct output *out);
#endif
