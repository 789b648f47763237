/* Fault-test helper of test/fault.bats (built there with clang against the host libc).
 *
 * fault signals RAWBPF MOMENTS SIG...     (SIG: INT, TERM, HUP, ...)
 *   First measures rawbpf's start-up: the median time from fork to its "attached to" line, over
 *   five runs of the default job. Then, for each signal, starts the default job MOMENTS times and
 *   sends the signal d microseconds after the fork, d spread evenly over 0 .. 2 x start-up,
 *   waits, and classifies the moment by what rawbpf had done when the signal was sent:
 *     early     the signal was not yet blocked (SigBlk in /proc/PID/status)
 *     setup     blocked, but no "attached to" line yet (loading, attaching)
 *     attached  the line was out
 *   An outcome is right when rawbpf exited 0, or died of that very signal while it was not yet
 *   blocked; then nothing may be left behind, and after every run tracefs must be as it was
 *   before the first (rawbpf mounts it when it is not mounted, and must unmount it). Wrong:
 *   death by a signal that was already blocked, any other exit status or signal, an error line
 *   on stderr, tracefs left mounted, or a run that does not end within 10 s of the signal.
 *   Prints one line per signal, every wrong run with its stderr, and exits 1 if there was one.
 *
 * fault rss COMMAND [ARG]...
 *   Runs COMMAND, stops it at its exit (ptrace, PTRACE_O_TRACEEXIT) to read its peak resident
 *   memory (VmHWM, the process's own high-water mark, which wait4's ru_maxrss is not: that would
 *   count this helper, which the command was forked from), and prints "exit N vmhwm_kib K"
 *   ("signal N" when it was killed). COMMAND may exec another program (setpriv ... rawbpf): the
 *   peak is the last program's. COMMAND's output goes where this helper's goes. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/ptrace.h>
#include <sys/statfs.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define TRACEFS "/sys/kernel/tracing"
#define TRACEFS_MAGIC 0x74726163

static double now_us(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e6 + t.tv_nsec / 1e3;
}

/* Sleeps until the deadline, the last stretch spinning: nanosleep alone overshoots by tens of
 * microseconds, which is a good part of rawbpf's start-up. */
static void wait_until(double deadline)
{
	double left = deadline - now_us();
	if (left > 150) {
		struct timespec ts = {0, (long)((left - 100) * 1e3)};
		ts.tv_sec = ts.tv_nsec / 1000000000L, ts.tv_nsec %= 1000000000L;
		nanosleep(&ts, NULL);
	}
	while (now_us() < deadline)
		;
}

static int tracefs_mounted(void)
{
	struct statfs s;
	return statfs(TRACEFS, &s) == 0 && s.f_type == TRACEFS_MAGIC;
}

static int blocked(pid_t pid, int sig)
{
	char path[64], line[256];
	unsigned long long mask = 0;
	snprintf(path, sizeof path, "/proc/%d/status", pid);
	FILE *f = fopen(path, "r");
	while (f && fgets(line, sizeof line, f))
		if (!strncmp(line, "SigBlk:", 7))
			mask = strtoull(line + 7, NULL, 16);
	if (f)
		fclose(f);
	return (mask >> (sig - 1)) & 1;
}

/* Appends what is in the pipe now to buf (size 8192) without blocking. */
static void slurp(int fd, char *buf, size_t *len)
{
	ssize_t n;
	while (*len < 8191 && (n = read(fd, buf + *len, 8191 - *len)) > 0)
		*len += (size_t)n;
	buf[*len] = 0;
}

static pid_t spawn(const char *rawbpf, int *err_fd)
{
	int p[2];
	if (pipe2(p, O_CLOEXEC))
		return -1;
	pid_t pid = fork();
	if (pid == 0) {
		/* As from an interactive shell: a background job of a script starts with SIGINT ignored,
		 * and an ignored signal is dropped before rawbpf blocks it. */
		sigset_t none;
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		for (int s = 1; s < 32; s++)
			if (s != SIGKILL && s != SIGSTOP)
				signal(s, SIG_DFL);
		int null = open("/dev/null", O_WRONLY);
		dup2(null, 1);
		dup2(p[1], 2);
		execl(rawbpf, rawbpf, (char *)NULL);
		_exit(127);
	}
	close(p[1]);
	fcntl(p[0], F_SETFL, O_NONBLOCK);
	*err_fd = p[0];
	return pid;
}

/* Waits up to ms for pid; kills it if it is still there. Returns 0 when it ended by itself. */
static int wait_for(pid_t pid, int *status, int ms)
{
	for (int i = 0; i < ms; i++) {
		if (waitpid(pid, status, WNOHANG) == pid)
			return 0;
		usleep(1000);
	}
	kill(pid, SIGKILL);
	waitpid(pid, status, 0);
	return -1;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

/* Median fork -> "attached to" over five runs, in microseconds; -1 if it never attached. */
static double startup_us(const char *rawbpf)
{
	double t[5];
	for (int i = 0; i < 5; i++) {
		char buf[8192];
		size_t len = 0;
		int fd, status;
		double t0 = now_us();
		pid_t pid = spawn(rawbpf, &fd);
		t[i] = -1;
		while (now_us() - t0 < 10e6) {
			struct pollfd p = {fd, POLLIN, 0};
			poll(&p, 1, 100);
			slurp(fd, buf, &len);
			if (strstr(buf, "attached to")) {
				t[i] = now_us() - t0;
				break;
			}
			if (waitpid(pid, &status, WNOHANG) == pid) {
				fprintf(stderr, "fault: %s exited before attaching: %s\n", rawbpf, buf);
				close(fd);
				return -1;
			}
		}
		kill(pid, SIGTERM);
		wait_for(pid, &status, 10000);
		close(fd);
		if (t[i] < 0)
			return -1;
	}
	qsort(t, 5, sizeof t[0], cmp);
	return t[4]; /* the slowest: under emulation (TCG) start-up varies twofold between runs */
}

/* An error line on stderr: anything from rawbpf but its notice and its attached line. */
static const char *error_line(const char *err)
{
	for (const char *l = err; *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : l + strlen(l))
		if (!strncmp(l, "rawbpf: ", 8) && strncmp(l, "rawbpf: notice: ", 16) && strncmp(l, "rawbpf: prog '", 14))
			return l;
	return NULL;
}

static int do_signals(const char *rawbpf, int moments, char **sigs, int nsigs)
{
	int mounted_before = tracefs_mounted(), wrong = 0;
	double start = startup_us(rawbpf);
	if (start < 0)
		return 1;
	double span = start * 2; /* some moments fall after the attached line even in a slow run */
	printf("start-up (fork to \"attached to\", slowest of 5): %.0f us; %d moments each from 0 to %.0f us; "
	       "tracefs %s mounted before\n",
	       start, moments, span, mounted_before ? "was" : "was not");
	for (int s = 0; s < nsigs; s++) {
		int sig = 0;
		for (int n = 1; n < 32 && !sig; n++)
			if (sigabbrev_np(n) && !strcmp(sigabbrev_np(n), sigs[s]))
				sig = n;
		const char *name = sigabbrev_np(sig);
		int early = 0, setup = 0, attached = 0, killed = 0, exited = 0;
		double last_killed = -1, first_exit = -1;
		if (sig <= 0 || !name) {
			fprintf(stderr, "fault: unknown signal '%s' (INT, TERM, HUP, ...)\n", sigs[s]);
			return 2;
		}
		for (int i = 0; i < moments; i++) {
			char err[8192];
			size_t len = 0;
			int fd, status, blk;
			double d = moments > 1 ? span * i / (moments - 1) : 0;
			const char *why = NULL, *phase;
			double t0 = now_us();
			pid_t pid = spawn(rawbpf, &fd);
			wait_until(t0 + d);
			slurp(fd, err, &len);
			blk = blocked(pid, sig);
			phase = !blk ? "early" : strstr(err, "attached to") ? "attached" : "setup";
			kill(pid, sig);
			if (wait_for(pid, &status, 10000))
				why = "did not end within 10 s of the signal";
			slurp(fd, err, &len);
			close(fd);
			if (!blk)
				early++;
			else if (!strcmp(phase, "attached"))
				attached++;
			else
				setup++;
			if (why)
				;
			else if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
				exited++;
				if (first_exit < 0)
					first_exit = d;
				if (error_line(err))
					why = "exit 0, but an error on stderr";
			} else if (WIFSIGNALED(status) && WTERMSIG(status) == sig) {
				killed++;
				last_killed = d;
				if (blk)
					why = "killed by the signal although rawbpf had blocked it";
			} else {
				why = "neither exit 0 nor death by the signal sent";
			}
			if (!why && tracefs_mounted() != mounted_before)
				why = mounted_before ? "tracefs unmounted" : "tracefs left mounted";
			if (why) {
				wrong++;
				printf("WRONG: SIG%s at %.0f us (%s): %s; status %s %d; stderr:\n%s\n", name, d, phase, why,
				       WIFSIGNALED(status) ? "signal" : "exit",
				       WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status), err);
				if (tracefs_mounted() && !mounted_before)
					umount(TRACEFS); /* so that the next runs are judged on their own */
			}
		}
		printf("SIG%s: %d moments: %d early, %d setup, %d attached; %d killed before blocking it (the latest "
		       "at %.0f us), %d exit 0 (the first at %.0f us)\n",
		       name, moments, early, setup, attached, killed, last_killed, exited, first_exit);
	}
	printf("%d wrong\n", wrong);
	return wrong ? 1 : 0;
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

static int do_rss(char **argv)
{
	int status;
	long kib = -1;
	pid_t pid = fork();
	if (pid == 0) {
		ptrace(PTRACE_TRACEME, 0, NULL, NULL);
		execvp(argv[0], argv); /* stops with SIGTRAP once the new program is in place */
		_exit(127);
	}
	if (waitpid(pid, &status, 0) != pid || !WIFSTOPPED(status)) {
		fprintf(stderr, "fault: %s did not start\n", argv[0]);
		return 1;
	}
	/* TRACEEXEC: a later exec (setpriv running rawbpf) stops as an event, not with a SIGTRAP. */
	ptrace(PTRACE_SETOPTIONS, pid, NULL, (void *)(long)(PTRACE_O_TRACEEXIT | PTRACE_O_TRACEEXEC | PTRACE_O_EXITKILL));
	ptrace(PTRACE_CONT, pid, NULL, NULL);
	for (;;) {
		if (waitpid(pid, &status, 0) != pid)
			return 1;
		if (WIFEXITED(status) || WIFSIGNALED(status))
			break;
		int sig = 0;
		if (status >> 8 == (SIGTRAP | (PTRACE_EVENT_EXIT << 8)))
			kib = vmhwm_kib(pid); /* at its exit, its memory still mapped */
		else if (status >> 8 != (SIGTRAP | (PTRACE_EVENT_EXEC << 8)))
			sig = WSTOPSIG(status); /* a signal for it: pass it on */
		ptrace(PTRACE_CONT, pid, NULL, (void *)(long)sig);
	}
	if (WIFEXITED(status))
		printf("exit %d vmhwm_kib %ld\n", WEXITSTATUS(status), kib);
	else
		printf("signal %d vmhwm_kib %ld\n", WTERMSIG(status), kib);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc >= 5 && !strcmp(argv[1], "signals"))
		return do_signals(argv[2], atoi(argv[3]), argv + 4, argc - 4);
	if (argc >= 3 && !strcmp(argv[1], "rss"))
		return do_rss(argv + 2);
	fprintf(stderr, "usage: fault signals RAWBPF MOMENTS SIG... | fault rss COMMAND [ARG]...\n");
	return 2;
}
