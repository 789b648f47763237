/* Benchmark harness for `make bench`: runs each loader many times and prints medians of
 * spawn -> attached (the loader's "attached" line on stderr), spawn -> the first Hello World line
 * of an execve we trigger, and peak resident memory, each with its ratio to the first (the floor).
 * usage: bench RUNS LABEL 'COMMAND ARGS' [LABEL 'COMMAND ARGS']... */
#define _GNU_SOURCE
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <poll.h>
#include <fcntl.h>

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

/* Reads fd into buf (appending) until needle appears or timeout_ms passes. */
static int wait_for(int fd, char *buf, size_t size, size_t *len, const char *needle, double deadline)
{
	while (!strstr(buf, needle)) {
		struct pollfd p = {fd, POLLIN, 0};
		double left = deadline - now_ms();
		if (left <= 0 || poll(&p, 1, (int)left) <= 0)
			return -1;
		if (*len + 1 >= size) /* keep the tail: the needle may straddle */
			memmove(buf, buf + size / 2, *len - size / 2 + 1), *len -= size / 2;
		ssize_t n = read(fd, buf + *len, size - 1 - *len);
		if (n <= 0)
			return -1;
		*len += (size_t)n;
		buf[*len] = 0;
	}
	return 0;
}

struct sample { double attach, first; long rss_kib; };

static int one_run(char **argv, struct sample *s)
{
	int out[2], err[2], status;
	char obuf[65536] = "", ebuf[4096] = "", needle[64];
	size_t olen = 0, elen = 0;
	struct rusage ru;
	if (pipe2(out, O_CLOEXEC) || pipe2(err, O_CLOEXEC))
		return -1;
	double t0 = now_ms();
	pid_t pid = fork();
	if (pid == 0) {
		dup2(out[1], 1);
		dup2(err[1], 2);
		execvp(argv[0], argv);
		_exit(127);
	}
	close(out[1]);
	close(err[1]);
	int r = wait_for(err[0], ebuf, sizeof ebuf, &elen, "attached", t0 + 10000);
	s->attach = now_ms() - t0;
	if (r == 0) {
		double t1 = now_ms();
		pid_t trig = fork();
		if (trig == 0) {
			execl("/bin/true", "true", (char *)NULL);
			_exit(127);
		}
		/* The line of our trigger names its pid: older lines cannot be mistaken for it. */
		snprintf(needle, sizeof needle, "-%d ", trig);
		r = wait_for(out[0], obuf, sizeof obuf, &olen, needle, t1 + 10000);
		s->first = now_ms() - t0;
		waitpid(trig, NULL, 0);
	}
	/* VmHWM of the running loader: wait4's ru_maxrss would count the forked harness too. */
	char path[64], line[256];
	snprintf(path, sizeof path, "/proc/%d/status", pid);
	FILE *f = fopen(path, "r");
	s->rss_kib = -1;
	while (f && fgets(line, sizeof line, f))
		if (!strncmp(line, "VmHWM:", 6))
			s->rss_kib = atol(line + 6);
	if (f)
		fclose(f);
	kill(pid, SIGTERM);
	wait4(pid, &status, 0, &ru);
	close(out[0]);
	close(err[0]);
	if (r)
		fprintf(stderr, "bench: %s: no %s (stderr: %s)\n", argv[0], elen ? "Hello World line" : "attached line",
			ebuf);
	return r;
}

int main(int argc, char **argv)
{
	if (argc < 4 || (argc - 2) % 2) {
		fprintf(stderr, "usage: %s RUNS LABEL 'COMMAND ARGS' [LABEL 'COMMAND ARGS']...\n", argv[0]);
		return 2;
	}
	int runs = atoi(argv[1]), ntools = (argc - 2) / 2;
	double floor_att = 0, floor_first = 0, floor_rss = 0;
	printf("%-10s %12s %7s %14s %7s %10s %7s\n", "loader", "attach(ms)", "ratio", "1st line(ms)", "ratio",
	       "peak RSS", "ratio");
	for (int t = 0; t < ntools; t++) {
		char *cmd = strdup(argv[3 + 2 * t]), *args[32];
		int n = 0;
		for (char *p = strtok(cmd, " "); p && n < 31; p = strtok(NULL, " "))
			args[n++] = p;
		args[n] = NULL;
		double *att = calloc((size_t)runs, sizeof(double)), *first = calloc((size_t)runs, sizeof(double)),
		       *rss = calloc((size_t)runs, sizeof(double));
		int ok = 0;
		for (int i = 0; i < runs; i++) {
			struct sample s;
			if (one_run(args, &s) == 0) {
				att[ok] = s.attach, first[ok] = s.first, rss[ok] = (double)s.rss_kib;
				ok++;
			}
		}
		if (!ok) {
			printf("%-10s failed\n", argv[2 + 2 * t]);
			continue;
		}
		double a = median(att, ok), f = median(first, ok), m = median(rss, ok);
		if (t == 0)
			floor_att = a, floor_first = f, floor_rss = m;
		printf("%-10s %12.3f %7.2f %14.3f %7.2f %7.0f KiB %7.2f   (%d runs)\n", argv[2 + 2 * t], a, a / floor_att,
		       f, f / floor_first, m, m / floor_rss, ok);
		free(att), free(first), free(rss), free(cmd);
	}
	return 0;
}
