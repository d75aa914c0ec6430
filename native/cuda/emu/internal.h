// What the emulator's scheduler (scheduler.cc) and runtime (runtime.cc) share.
#pragma once

#include <cuda_runtime.h>

#include <string>

namespace gnemu {

/**
 * Records a kernel fault (a deadlocked barrier, a shuffle with an absent
 * lane, a bad pointer argument): printed to stderr with the kernel's name,
 * and sticky, as a fault on a real device: every later runtime call fails
 * with `error`.
 */
void fault(cudaError_t error, const std::string& message);

/** The sticky fault, cudaSuccess while there is none. */
cudaError_t stickyError();

/** Sets the last (non-sticky) error, as a failed launch does; returns it. */
cudaError_t setLastError(cudaError_t error);

/** Whether [p, p + bytes) lies inside one live device allocation (bytes = 0: p may be its end). */
bool isDeviceRange(const void* p, size_t bytes);

}  // namespace gnemu
