/* type_matches (bpf_core_type_matches), which clang 14 crashes emitting: built by core.bats with
 * clang-16. Each answer, 1 or 0, stored to a global; the test compares them with libbpf's and
 * with what it expects of any kernel (these layouts have not changed since 5.x). Kept out of
 * test/progs/, which the build compiles with the default clang. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

struct mm_struct; /* a forward declaration: behind a pointer it matches the struct */
struct task_struct { int pid; int tgid; struct mm_struct *mm; }; /* (not comm: char's sign varies) */
struct task_struct___size { long pid; };      /* pid is an int */
/* (names compared after typedefs: clang's "unsigned long" is "long unsigned int" in the kernel) */
struct in6_addr { union { unsigned char u6_addr8[16]; } in6_u; };
struct in6_addr___len { union { unsigned char u6_addr8[8]; } in6_u; };
struct list_head { struct list_head *next, *prev; };
struct list_head___ptr { struct task_struct *next; }; /* points to another struct */
enum pid_type { PIDTYPE_PID, PIDTYPE_TGID };   /* a subset of the enumerators */
enum pid_type___bad { PIDTYPE_NOPE };
typedef int pid_t;                             /* typedefs skipped: int and int */
typedef void (*smp_call_func_t)(void *info);
typedef long (*smp_call_func_t___ret)(void *info);

unsigned long long out[11];

SEC("tp/syscalls/sys_enter_execve")
int core_match(void *ctx)
{
	out[0] = bpf_core_type_matches(struct task_struct);
	out[1] = bpf_core_type_matches(struct task_struct___size);
	out[2] = bpf_core_type_matches(struct in6_addr___len);
	out[3] = bpf_core_type_matches(struct list_head);
	out[4] = bpf_core_type_matches(struct list_head___ptr);
	out[5] = bpf_core_type_matches(enum pid_type);
	out[6] = bpf_core_type_matches(enum pid_type___bad);
	out[7] = bpf_core_type_matches(pid_t);
	out[8] = bpf_core_type_matches(smp_call_func_t);
	out[9] = bpf_core_type_matches(smp_call_func_t___ret);
	out[10] = bpf_core_type_matches(struct in6_addr);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
