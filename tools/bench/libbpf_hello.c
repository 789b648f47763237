/* The libbpf row of `make bench`: the smallest libbpf-based loader that does the default job.
 * It opens trace_pipe, opens and loads OBJ, attaches every program by its section name
 * (bpf_program__attach: a ksyscall/ program to the kprobe on the syscall's function, a
 * tracepoint/ program to its tracepoint), says "attached" on stderr, and copies trace_pipe to
 * stdout until SIGINT or SIGTERM; then it destroys the links and the object. Built by
 * tools/bench/run when libbpf-dev is installed:
 *   clang -O2 -o libbpf_hello libbpf_hello.c -lbpf
 * usage: libbpf_hello OBJ */
#include <bpf/libbpf.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	stop = sig;
}

int main(int argc, char **argv)
{
	struct bpf_link *links[16];
	struct bpf_program *prog;
	struct sigaction sa = {.sa_handler = on_signal}; /* no SA_RESTART: read() returns EINTR */
	int n = 0, code = 1;
	char buf[4096];
	if (argc != 2) {
		fprintf(stderr, "usage: %s OBJ\n", argv[0]);
		return 2;
	}
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	int pipe = open("/sys/kernel/tracing/trace_pipe", O_RDONLY | O_CLOEXEC);
	if (pipe < 0)
		pipe = open("/sys/kernel/debug/tracing/trace_pipe", O_RDONLY | O_CLOEXEC);
	if (pipe < 0) {
		perror("libbpf_hello: trace_pipe");
		return 1;
	}
	struct bpf_object *obj = bpf_object__open_file(argv[1], NULL);
	if (!obj) {
		fprintf(stderr, "libbpf_hello: open %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	if (bpf_object__load(obj)) {
		fprintf(stderr, "libbpf_hello: load %s: %s\n", argv[1], strerror(errno));
		goto out;
	}
	bpf_object__for_each_program(prog, obj) {
		if (n == 16 || !(links[n] = bpf_program__attach(prog))) {
			fprintf(stderr, "libbpf_hello: attach %s: %s\n", bpf_program__name(prog), strerror(errno));
			goto out;
		}
		n++;
	}
	fprintf(stderr, "libbpf_hello: attached\n");
	while (!stop) {
		ssize_t r = read(pipe, buf, sizeof buf);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0 || write(1, buf, (size_t)r) != r)
			break;
	}
	code = 0;
out:
	while (n > 0)
		bpf_link__destroy(links[--n]);
	bpf_object__close(obj);
	close(pipe);
	return code;
}
