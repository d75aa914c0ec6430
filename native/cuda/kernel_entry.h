// Glue between the N-API entry points of the kernel families and their
// launchers (owned by helper "cuda-kernels"): turns a LaunchStatus into the
// JS Error of device.h ("<kernel>: <call> failed: <cudaGetErrorString> (...)").
#pragma once

#include "cuda/device.h"
#include "cuda/launchers.h"

namespace gradnode::cuda {

/** Throws "<kernel>: <status.call> failed: ..." unless the launcher succeeded. */
inline void throwIfFailed(const CudaArgs& args, const LaunchStatus& status) {
  if (!status.ok()) args.check(status.error, status.call ? status.call : "CUDA call");
}

}  // namespace gradnode::cuda
