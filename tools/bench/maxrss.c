/* maxrss N CMD...: runs CMD N times (stdout to /dev/null) and prints each run's wall time (us)
 * and peak resident memory (KiB, the kernel's ru_maxrss), one run per line; exit 1 if a run
 * failed. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	if (argc < 3)
		return fprintf(stderr, "usage: maxrss N CMD...\n"), 2;
	for (int i = 0, n = atoi(argv[1]); i < n; i++) {
		struct timespec a, b;
		struct rusage ru;
		int st;
		clock_gettime(CLOCK_MONOTONIC, &a);
		pid_t p = fork();
		if (!p) {
			int fd = open("/dev/null", O_WRONLY);
			dup2(fd, 1);
			execvp(argv[2], argv + 2);
			_exit(127);
		}
		wait4(p, &st, 0, &ru);
		clock_gettime(CLOCK_MONOTONIC, &b);
		if (!WIFEXITED(st) || WEXITSTATUS(st))
			return fprintf(stderr, "maxrss: %s failed (status 0x%x)\n", argv[2], st), 1;
		printf("%lld %ld\n", (b.tv_sec - a.tv_sec) * 1000000LL + (b.tv_nsec - a.tv_nsec) / 1000, ru.ru_maxrss);
	}
	return 0;
}
