/* Shared by the unit test files: one TAP line per check. */
#ifndef RAWBPF_UNIT_H
#define RAWBPF_UNIT_H
void check(int ok, const char *name, const char *got, const char *want);
void btf_tests(void);
void core_tests(void);
void ext_tests(void);
void print_tests(void);
void tracejson_tests(void);
void uelf_tests(void);
#endif
