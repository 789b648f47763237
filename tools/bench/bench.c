/* Start-up harness of `make bench` (tools/bench/run): runs one loader RUNS times and prints one
 * RESULT line of medians for the run script's table:
 *  - attached: spawn -> the loader's own line saying it is attached (ATTACH_TEXT, on its stdout
 *    or stderr; "-" when the loader has no such line);
 *  - first line: spawn -> the first line of its output (stdout) that names this harness's pid.
 *    From the spawn on, the harness makes an execve of a path that does not exist every
 *    TRIGGER_MIN_US or 2 % of the time since the spawn, whichever is longer (ppoll waits in
 *    between). The execve fails with ENOENT, but the execve entry (kprobe or tracepoint) has fired
 *    by then, so every loader sees it; it costs a few microseconds, needs no fork, and its lines
 *    carry this harness's pid, which no other process has. The time is attachment, however the
 *    loader does it, plus the time an event takes to reach its output: a measure independent of
 *    what the loader says about itself;
 *  - peak RSS: VmHWM of the loader process when its first line arrived (the process's own high
 *    water mark: wait4's ru_maxrss would also count this harness, which it was forked from);
 *  - exe: the size of the loader's executable file (/proc/PID/exe);
 *  - mapped: the sizes of the distinct files the loader has mapped at its first line (its
 *    executable, the shared libraries and interpreter modules it loaded), added up.
 * The loader runs in its own process group, which gets SIGTERM after the first line (SIGKILL 5 s
 * later if it is still there).
 * usage: bench RUNS LABEL ATTACH_TEXT|- COMMAND [ARG]...
 * output: RESULT LABEL OK_RUNS ATTACH_MS|- FIRST_MS RSS_KIB EXE_BYTES MAPPED_BYTES */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define TRIGGER_MIN_US 25
#define TIMEOUT_MS 30000

static double now_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof *v, cmp);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* A stream of the loader's output: appended to buf, the oldest half dropped when full (a needle
 * may straddle a read, so the tail is kept). */
struct stream {
	int fd;
	char buf[65536];
	size_t len;
};

static void drain(struct stream *s)
{
	if (s->len + 4096 >= sizeof s->buf) {
		size_t keep = sizeof s->buf / 2;
		memmove(s->buf, s->buf + s->len - keep, keep);
		s->len = keep;
	}
	ssize_t n = read(s->fd, s->buf + s->len, sizeof s->buf - 1 - s->len);
	if (n > 0)
		s->len += (size_t)n;
	else
		s->fd = -1; /* end of file: the loader has gone */
	s->buf[s->len] = 0;
}

static long vmhwm_kib(pid_t pid)
{
	char path[64], line[256];
	long kib = -1;
	snprintf(path, sizeof path, "/proc/%d/status", pid);
	FILE *f = fopen(path, "r");
	while (f && fgets(line, sizeof line, f))
		if (!strncmp(line, "VmHWM:", 6))
			kib = atol(line + 6);
	if (f)
		fclose(f);
	return kib;
}

/* The sizes of the distinct files in /proc/PID/maps, added up. */
static long long mapped_bytes(pid_t pid)
{
	char path[64], line[4352];
	unsigned long long seen[512];
	unsigned nseen = 0;
	long long total = 0;
	snprintf(path, sizeof path, "/proc/%d/maps", pid);
	FILE *f = fopen(path, "r");
	while (f && fgets(line, sizeof line, f)) {
		unsigned long long inode;
		int off = 0;
		struct stat st;
		if (sscanf(line, "%*s %*s %*s %*s %llu %n", &inode, &off) < 1 || !inode || !off || line[off] != '/')
			continue;
		line[strcspn(line, "\n")] = 0;
		unsigned i = 0;
		while (i < nseen && seen[i] != inode)
			i++;
		if (i < nseen || stat(line + off, &st))
			continue;
		if (nseen < sizeof seen / sizeof seen[0])
			seen[nseen++] = inode;
		total += st.st_size;
	}
	if (f)
		fclose(f);
	return total;
}

static long long exe_bytes(pid_t pid)
{
	char path[64];
	struct stat st;
	snprintf(path, sizeof path, "/proc/%d/exe", pid);
	return stat(path, &st) ? -1 : st.st_size;
}

struct sample {
	double attach, first;
	long rss_kib;
	long long exe, mapped;
};

/* The loader under test runs in its own process group, out of reach of a Ctrl-C: when the
 * harness is stopped, it takes the loader with it. */
static volatile pid_t running;

static void on_signal(int sig)
{
	if (running > 0)
		kill(-running, SIGKILL);
	signal(sig, SIG_DFL);
	raise(sig);
}

static void trigger(void)
{
	static char *const argv[] = {"rawbpf-bench-trigger", NULL};
	execve("/nonexistent-rawbpf-bench-trigger", argv, argv + 1); /* fails: ENOENT */
}

static int one_run(char **argv, const char *attach_text, struct sample *s)
{
	int out[2], err[2], status, r = -1;
	static struct stream so, se;
	char needle[32];
	if (pipe2(out, O_CLOEXEC) || pipe2(err, O_CLOEXEC))
		return -1;
	snprintf(needle, sizeof needle, "-%d ", getpid());
	so = (struct stream){.fd = out[0]};
	se = (struct stream){.fd = err[0]};
	s->attach = -1;
	double t0 = now_ms(), next = t0;
	pid_t pid = fork();
	if (pid == 0) {
		setpgid(0, 0);
		dup2(out[1], 1);
		dup2(err[1], 2);
		execvp(argv[0], argv);
		_exit(127);
	}
	setpgid(pid, pid);
	running = pid;
	close(out[1]);
	close(err[1]);
	for (;;) {
		double t = now_ms();
		if (t >= next) {
			trigger();
			t = now_ms();
			double gap = (t - t0) * 0.02;
			next = t + (gap > TRIGGER_MIN_US / 1e3 ? gap : TRIGGER_MIN_US / 1e3);
		}
		if (t - t0 > TIMEOUT_MS || (so.fd < 0 && se.fd < 0))
			break;
		struct pollfd p[2] = {{so.fd, POLLIN, 0}, {se.fd, POLLIN, 0}};
		double wait_ms = next - t;
		struct timespec ts = {(time_t)(wait_ms / 1e3), (long)(wait_ms * 1e6) % 1000000000L};
		if (ppoll(p, 2, &ts, NULL) <= 0)
			continue;
		t = now_ms();
		if (p[1].revents)
			drain(&se);
		if (p[0].revents)
			drain(&so);
		if (s->attach < 0 && attach_text && (strstr(se.buf, attach_text) || strstr(so.buf, attach_text)))
			s->attach = t - t0;
		if (strstr(so.buf, needle)) {
			s->first = t - t0;
			s->rss_kib = vmhwm_kib(pid);
			s->exe = exe_bytes(pid);
			s->mapped = mapped_bytes(pid);
			r = 0;
			break;
		}
	}
	kill(-pid, SIGTERM);
	for (int i = 0; i < 500 && waitpid(pid, &status, WNOHANG) == 0; i++)
		usleep(10000);
	if (kill(-pid, SIGKILL) == 0)
		waitpid(pid, &status, 0);
	running = 0;
	close(out[0]);
	close(err[0]);
	if (r)
		fprintf(stderr, "bench: %s: no line of the harness's execve within %d s; stderr: %.300s\n", argv[0],
			TIMEOUT_MS / 1000, se.buf);
	else if (attach_text && s->attach < 0)
		fprintf(stderr, "bench: %s: no '%s' before the first line\n", argv[0], attach_text);
	return r;
}

int main(int argc, char **argv)
{
	if (argc < 5) {
		fprintf(stderr, "usage: %s RUNS LABEL ATTACH_TEXT|- COMMAND [ARG]...\n", argv[0]);
		return 2;
	}
	int runs = atoi(argv[1]), ok = 0, attach_ok = 0;
	const char *label = argv[2], *attach_text = strcmp(argv[3], "-") ? argv[3] : NULL;
	double *att = calloc((size_t)runs, sizeof(double)), *first = calloc((size_t)runs, sizeof(double)),
	       *rss = calloc((size_t)runs, sizeof(double));
	long long exe = -1, mapped = -1;
	signal(SIGPIPE, SIG_IGN);
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	signal(SIGHUP, on_signal);
	for (int i = 0; i < runs; i++) {
		struct sample s;
		if (one_run(argv + 4, attach_text, &s))
			continue;
		if (s.attach >= 0)
			att[attach_ok++] = s.attach;
		first[ok] = s.first, rss[ok] = (double)s.rss_kib;
		exe = s.exe, mapped = s.mapped;
		ok++;
	}
	if (!ok) {
		printf("RESULT %s 0 - - - - -\n", label);
		return 1;
	}
	char a[32] = "-";
	if (attach_ok)
		snprintf(a, sizeof a, "%.3f", median(att, attach_ok));
	printf("RESULT %s %d %s %.3f %.0f %lld %lld\n", label, ok, a, median(first, ok), median(rss, ok), exe, mapped);
	return 0;
}
