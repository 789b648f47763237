/* Test helper: runs a program under MDWE, as systemd's MemoryDenyWriteExecute=yes does on 6.3+
 * kernels: prctl(PR_SET_MDWE, PR_MDWE_REFUSE_EXEC_GAIN), then execs it (the setting is
 * inherited across execve). Before the exec it proves the setting is in force: a page mapped
 * writable can no longer be made executable. usage: mdwe PROGRAM [ARG...]
 * Exit 77 if the kernel has no PR_SET_MDWE (EINVAL), 1 if MDWE is not in force. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <unistd.h>

#ifndef PR_SET_MDWE
#define PR_SET_MDWE 65
#define PR_GET_MDWE 66
#define PR_MDWE_REFUSE_EXEC_GAIN 1
#endif

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: mdwe PROGRAM [ARG...]\n");
		return 2;
	}
	if (prctl(PR_SET_MDWE, PR_MDWE_REFUSE_EXEC_GAIN, 0L, 0L, 0L) != 0) {
		fprintf(stderr, "mdwe: prctl(PR_SET_MDWE): %s\n", strerror(errno));
		return errno == EINVAL ? 77 : 1;
	}
	int got = prctl(PR_GET_MDWE, 0L, 0L, 0L, 0L);
	void *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (!(got & PR_MDWE_REFUSE_EXEC_GAIN) || p == MAP_FAILED ||
	    mprotect(p, 4096, PROT_READ | PROT_EXEC) == 0 || errno != EACCES) {
		fprintf(stderr, "mdwe: MDWE is not in force (PR_GET_MDWE = %d)\n", got);
		return 1;
	}
	munmap(p, 4096);
	execv(argv[1], argv + 1);
	fprintf(stderr, "mdwe: %s: %s\n", argv[1], strerror(errno));
	return 127;
}
