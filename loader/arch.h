/* Chooses the one header that holds everything specific to the CPU we build for. */
#ifndef RAWBPF_ARCH_H
#define RAWBPF_ARCH_H
#if defined(__x86_64__)
#include "arch/x86_64.h"
#elif defined(__aarch64__)
#include "arch/aarch64.h"
#else
#error "rawbpf: unsupported architecture (add loader/arch/<arch>.h)"
#endif
#endif
