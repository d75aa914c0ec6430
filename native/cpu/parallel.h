// Splitting a batch's images between threads, for the kernels whose work per
// image is large (the fused convolution, max pooling): fixed contiguous parts
// (so results never depend on timing), as many threads as OpenBLAS uses
// (OPENBLAS_NUM_THREADS=1 makes them serial too), and OpenBLAS set to one
// thread while the parts run, since each part calls it on its own. Workers
// only compute: every argument is checked, and every buffer allocated, on
// the calling thread before they start.
#pragma once

#include <cblas.h>

#include <algorithm>
#include <cstdint>
#include <thread>
#include <vector>

namespace gradnode::cpu {

/** Threads for `images` images: OpenBLAS's thread count, at most the cores and one per image. */
inline int imageThreads(int64_t images) {
  const int64_t cores = std::max(1u, std::thread::hardware_concurrency());
  return static_cast<int>(std::max<int64_t>(1, std::min({int64_t(openblas_get_num_threads()), cores, images})));
}

/** fn(worker, first, last) over [0, count) in `threads` parts (each non-empty when threads <= count); worker 0 is the caller. */
template <class Fn>
void parallelImages(int threads, int64_t count, Fn fn) {
  if (threads <= 1) {
    fn(0, int64_t(0), count);
    return;
  }
  const int blasThreads = openblas_get_num_threads();
  openblas_set_num_threads(1);
  std::vector<std::thread> workers;
  auto bound = [&](int w) { return count * w / threads; };
  for (int w = 1; w < threads; ++w) workers.emplace_back([&, w] { fn(w, bound(w), bound(w + 1)); });
  fn(0, int64_t(0), bound(1));
  for (auto& t : workers) t.join();
  openblas_set_num_threads(blasThreads);
}

/** Scratch of the calling (JS) thread, kept between calls so a training step allocates nothing. */
template <class T>
T* threadScratch(size_t elements) {
  thread_local std::vector<double> arena;
  const size_t doubles = (elements * sizeof(T) + sizeof(double) - 1) / sizeof(double);
  if (arena.size() < doubles) arena.resize(doubles);
  return reinterpret_cast<T*>(arena.data());
}

}  // namespace gradnode::cpu
