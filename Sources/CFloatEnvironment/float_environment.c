#include "float_environment.h"

#if defined(__x86_64__) || defined(__i386__)
#include <xmmintrin.h>
#define FE_FTZ_DAZ 0x8040u  /* MXCSR bit 15 (flush to zero) | bit 6 (denormals are zero) */

void float_environment_flush_denormals(void) {
    unsigned int csr = _mm_getcsr();
    if ((csr & FE_FTZ_DAZ) != FE_FTZ_DAZ) _mm_setcsr(csr | FE_FTZ_DAZ);
}

int float_environment_flushes_denormals(void) { return (_mm_getcsr() & FE_FTZ_DAZ) == FE_FTZ_DAZ; }

#elif defined(__aarch64__)
#include <stdint.h>
#define FE_FZ (1ull << 24)  /* FPCR.FZ */

void float_environment_flush_denormals(void) {
    uint64_t fpcr;
    __asm__ volatile("mrs %0, fpcr" : "=r"(fpcr));
    if (!(fpcr & FE_FZ)) __asm__ volatile("msr fpcr, %0" : : "r"(fpcr | FE_FZ));
}

int float_environment_flushes_denormals(void) {
    uint64_t fpcr;
    __asm__ volatile("mrs %0, fpcr" : "=r"(fpcr));
    return (fpcr & FE_FZ) != 0;
}

#else
void float_environment_flush_denormals(void) {}
int float_environment_flushes_denormals(void) { return 0; }
#endif
