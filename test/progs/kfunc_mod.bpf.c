/* Test object: kfuncs of a module, nf_conntrack's (5.18 on): a conntrack lookup from XDP, and
 * the release of what it found. Their calls name the module's BTF through the program's fd
 * array (insn->off indexes it, as libbpf does). Weak, and guarded by the type the same module
 * defines: where nf_conntrack is not loaded or has no BTF, the calls are dead code and the
 * program still loads. The QEMU matrix loads the module (check_kfunc_module). */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

struct nf_conn;
struct bpf_ct_opts {
	__s32 netns_id;
	__s32 error;
	__u8 l4proto;
	__u8 dir;
	__u8 reserved[2];
} __attribute__((preserve_access_index));

extern struct nf_conn *bpf_xdp_ct_lookup(struct xdp_md *ctx, struct bpf_sock_tuple *tuple, __u32 tuple__sz,
					 struct bpf_ct_opts *opts, __u32 opts__sz) __ksym __weak;
extern void bpf_ct_release(struct nf_conn *ct) __ksym __weak;

SEC("xdp")
int ct_lookup(struct xdp_md *ctx)
{
	struct bpf_sock_tuple tup = {};
	struct bpf_ct_opts opts = {.netns_id = -1, .l4proto = 6 /* TCP */};
	if (bpf_core_type_exists(struct bpf_ct_opts)) {
		struct nf_conn *ct = bpf_xdp_ct_lookup(ctx, &tup, sizeof tup.ipv4, &opts, sizeof opts);
		if (ct)
			bpf_ct_release(ct);
	}
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
