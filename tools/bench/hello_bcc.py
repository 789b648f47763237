#!/usr/bin/python3
# The BCC row of `make bench`: Learning eBPF's hello.py. With "tp" as its argument (a kernel
# without kprobes) it attaches to the syscalls/sys_enter_execve tracepoint instead of the
# execve function's kprobe. It says "attached" on stderr once attached, then prints the trace
# pipe as trace_print() does (decoded: this BCC's trace_print shows bytes as b'...').
import sys
from bcc import BPF

b = BPF(text=r'''
int hello(void *ctx) {
    bpf_trace_printk("Hello World!");
    return 0;
}
''')
if sys.argv[1:] == ["tp"]:
    b.attach_tracepoint(tp="syscalls:sys_enter_execve", fn_name="hello")
else:
    b.attach_kprobe(event=b.get_syscall_fnname("execve"), fn_name="hello")
print("hello_bcc: attached", file=sys.stderr, flush=True)
try:
    while True:
        print(b.trace_readline().decode(errors="replace"), flush=True)
except KeyboardInterrupt:
    pass
