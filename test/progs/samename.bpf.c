/* Test object for DATASEC offsets: a .data variable and a .bss one; the test renames the .bss
 * one's ELF symbol to the .data one's name, so that two sections hold a symbol "in_data". Each
 * DATASEC's variables must take their offsets from the symbols of their own section. */
#include "rawbpf.bpf.h"

int first = 1, in_data = 7;
int pad, in_bss;

SEC("tp/syscalls/sys_enter_execve")
int samename(void *ctx)
{
	in_bss += in_data + first;
	pad++;
	return 0;
}

LICENSE("GPL");
