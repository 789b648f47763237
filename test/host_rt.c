/* The sanitizer build's replacement for loader/start.c: the loader on the host libc, so ASan and
 * UBSan watch every allocation (malloc instead of the arena) and every access. */
#include <stdlib.h>
#include <sys/auxv.h>
#include "io.h"

unsigned long rb_vdso, rb_pagesize;
char **rb_environ;
extern char **environ;

static void flush_at_exit(void)
{
	rb_flush();
}

/* What start.c does around main(): note the vDSO, flush stdout when main returns. */
__attribute__((constructor)) static void start(void)
{
	rb_vdso = getauxval(AT_SYSINFO_EHDR);
	rb_pagesize = getauxval(AT_PAGESZ);
	rb_environ = environ;
	atexit(flush_at_exit);
}

void *rb_alloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p)
		abort();
	return p;
}

void *rb_zalloc(size_t n)
{
	void *p = calloc(1, n ? n : 1);
	if (!p)
		abort();
	return p;
}

void rb_free(void *p)
{
	free(p);
}

_Noreturn void rb_exit(int code)
{
	rb_flush();
	exit(code);
}
