#ifndef FLOAT_ENVIRONMENT_H
#define FLOAT_ENVIRONMENT_H

/// Sets the calling thread's floating-point control to flush denormal (subnormal) results to
/// zero and to read denormal inputs as zero: FTZ and DAZ in MXCSR on x86-64, FZ in FPCR on
/// AArch64, nothing elsewhere. TensorFlow does the same on its CPU threads. Without it, a
/// value decaying through the subnormal range (e.g. Adam's first moment of a weight whose
/// gradient is zero on most steps, m ← 0.9·m) costs ~100 cycles per operation on x86.
/// Cheap when already set (one read of the control register).
void float_environment_flush_denormals(void);

/// Whether the calling thread flushes denormals (for tests).
int float_environment_flushes_denormals(void);

#endif
