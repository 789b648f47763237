/* The system call number of the throughput flood (tools/bench/flood.bpf.c, flood.c): no
 * architecture rawbpf builds for has a system call with this number. */
#define FLOOD_NR 61709
