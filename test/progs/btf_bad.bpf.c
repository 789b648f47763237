/* Test object for BTF-typed programs whose targets are wrong or missing. */
#include "rawbpf.bpf.h"

SEC("fentry/rawbpf_no_such_function")
int no_such_fn(void *ctx) { return 0; }

SEC("tp_btf/rawbpf_no_such_tp")
int no_tp(void *ctx) { return 0; }

SEC("fentry")
int no_target(void *ctx) { return 0; }

LICENSE("GPL");
