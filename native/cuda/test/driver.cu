// Standalone test-and-bench driver of the CUDA kernels (no Node).
//
// Runs every launcher of native/cuda/launchers.h on random data, float and
// double, against a plain CPU reference written here (in double), prints
// PASS/FAIL per check, checks that the reductions are bitwise reproducible
// (two runs, same bits), then checks gemm (cuda-core's launchGemm, tiled and
// cuBLAS when it loads) and times it: GFLOP/s of the tiled kernel vs cuBLAS at
// 1024² .. 4096² (float and double), and checks and times the other tile
// shapes of gemm.cu's variant list (BENCH gemm-variant: % of cuBLAS at 2048²
// and 4096², to choose the addon's tiles by measurement). The caching allocator (allocator.h) is
// checked in both modes (a reused block comes back zeroed through
// deviceAllocZeroed, the path of the addon's alloc(); the counters) and timed:
// µs per alloc+free pair, pool vs cudaMalloc.
//
//   gradnode_cuda_driver [--no-bench] [--bench-only]
//   exit status: 0 all passed, 1 a check failed, 2 no CUDA device.
//
// Built by CMake (target gradnode_cuda_driver), or by hand:
//   nvcc -std=c++17 -O3 -arch=sm_90 -I native -DGRADNODE_CUDA_NO_NAPI native/cuda/test/driver.cu
//     native/cuda/{allocator,gemm,activations,elementwise,gather,im2col,layernorm,reduce,softmax_xent}.cu -ldl -o driver
//   (one command line)
//
// Tolerances follow the project's parity tests: |got - want| <=
// rtol·sqrt(terms)·(|want| + scale) with rtol 1e-5 (float) / 1e-12 (double),
// `terms` the number of terms summed into one output, `scale` the largest
// |want| of the output (so cancellation near zero is judged against the
// magnitude of the data). NaN must meet NaN, ±Infinity itself; integer
// outputs (argmax) must be equal.
#include <cuda_runtime.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <functional>
#include <limits>
#include <random>
#include <array>
#include <string>
#include <vector>

#include "cuda/allocator.h"
#include "cuda/gemm.h"
#include "cuda/launchers.h"

using namespace gradnode::cuda;

namespace {

int failures = 0;
int passes = 0;
bool verbose = false;

// ---- device buffers ---------------------------------------------------------------

template <class U>
struct Dev {
  U* p = nullptr;
  size_t n = 0;
  explicit Dev(size_t count) : n(count) {
    if (cudaMalloc(&p, std::max<size_t>(count, 1) * sizeof(U)) != cudaSuccess) {
      std::fprintf(stderr, "cudaMalloc of %zu bytes failed\n", count * sizeof(U));
      std::exit(1);
    }
  }
  Dev(const std::vector<U>& host) : Dev(host.size()) { upload(host); }
  ~Dev() { cudaFree(p); }
  Dev(const Dev&) = delete;
  Dev& operator=(const Dev&) = delete;
  void upload(const std::vector<U>& host) {
    if (!host.empty()) cudaMemcpy(p, host.data(), host.size() * sizeof(U), cudaMemcpyHostToDevice);
  }
  std::vector<U> get() const {
    std::vector<U> h(n);
    if (n) {
      const cudaError_t e = cudaMemcpy(h.data(), p, n * sizeof(U), cudaMemcpyDeviceToHost);
      if (e != cudaSuccess) {
        std::fprintf(stderr, "cudaMemcpy back failed: %s\n", cudaGetErrorString(e));
        std::exit(1);
      }
    }
    return h;
  }
};

std::mt19937_64 rng(12345);

template <class T>
std::vector<T> randomVec(size_t n, double lo = -1, double hi = 1) {
  std::uniform_real_distribution<double> d(lo, hi);
  std::vector<T> v(n);
  for (auto& x : v) x = static_cast<T>(d(rng));
  return v;
}

template <class T>
const char* typeName() { return sizeof(T) == 4 ? "f32" : "f64"; }

template <class T>
double rtol() { return sizeof(T) == 4 ? 1e-5 : 1e-12; }

void report(bool ok, const std::string& name, const std::string& detail = "") {
  if (ok) {
    ++passes;
    if (verbose) std::printf("PASS %s\n", name.c_str());
  } else {
    ++failures;
    std::printf("FAIL %s%s%s\n", name.c_str(), detail.empty() ? "" : ": ", detail.c_str());
  }
}

bool launched(const LaunchStatus& s, const std::string& name) {
  if (s.ok()) {
    const cudaError_t e = cudaDeviceSynchronize();
    if (e == cudaSuccess) return true;
    report(false, name, std::string("asynchronous error: ") + cudaGetErrorString(e));
    return false;
  }
  report(false, name, std::string(s.call ? s.call : "?") + " failed: " + cudaGetErrorString(s.error));
  return false;
}

/** Compares got (T) against want (double). */
template <class T>
void compare(const std::string& name, const std::vector<T>& got, const std::vector<double>& want, double terms) {
  if (got.size() < want.size()) {
    report(false, name, "size mismatch");
    return;
  }
  double scale = 0;
  for (double w : want) if (std::isfinite(w)) scale = std::max(scale, std::fabs(w));
  const double tol = rtol<T>() * std::sqrt(std::max(terms, 1.0));
  double worst = 0;
  size_t worstAt = 0;
  for (size_t i = 0; i < want.size(); ++i) {
    const double g = static_cast<double>(got[i]), w = want[i];
    bool ok;
    double err = 0;
    if (std::isnan(w)) ok = std::isnan(g);
    else if (std::isinf(w)) ok = g == w;
    else {
      err = std::fabs(g - w) / (std::fabs(w) + scale + 1e-300);
      ok = err <= tol;
    }
    if (!ok) {
      char buf[200];
      std::snprintf(buf, sizeof buf, "[%zu] got %.17g want %.17g (tol %.3g rel)", i, g, w, tol);
      report(false, name, buf);
      return;
    }
    if (err > worst) {
      worst = err;
      worstAt = i;
    }
  }
  (void)worstAt;
  report(true, name);
}

template <class T>
bool sameBits(const std::vector<T>& a, const std::vector<T>& b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(T)) == 0;
}

template <class T>
std::vector<double> toDouble(const std::vector<T>& v) { return std::vector<double>(v.begin(), v.end()); }

// ---- scalar references (JS semantics) ---------------------------------------------------

double jsMax(double a, double b) {
  if (std::isnan(a) || std::isnan(b)) return NAN;
  if (a == b) return std::signbit(a) ? b : a;
  return a > b ? a : b;
}
double jsMin(double a, double b) {
  if (std::isnan(a) || std::isnan(b)) return NAN;
  if (a == b) return std::signbit(a) ? a : b;
  return a < b ? a : b;
}
double jsPow(double a, double b) {
  if (std::isnan(b)) return NAN;
  if ((a == 1 || a == -1) && std::isinf(b)) return NAN;
  return std::pow(a, b);
}
double binaryRef(int op, double a, double b) {
  switch (op) {
    case 0: return a + b;
    case 1: return a - b;
    case 2: return a * b;
    case 3: return a / b;
    case 4: return jsMax(a, b);
    case 5: return jsMin(a, b);
    default: return jsPow(a, b);
  }
}
double unaryRef(int op, double x) {
  switch (op) {
    case 0: return -x;
    case 1: return std::fabs(x);
    case 2: return x > 0 ? 1 : (x < 0 ? -1 : x);
    case 3: return std::exp(x);
    case 4: return std::log(x);
    case 5: return std::sqrt(x);
    case 6: return x * x;
    case 7: return 1 / x;
    case 8: return std::tanh(x);
    case 9: return 1 - x * x;
    case 10: return 1 / (1 + std::exp(-x));
    case 11: return x > 0 ? x : 0;
    case 12: return x > 0 ? 1 : 0;
    default: return std::log1p(x);
  }
}
const char* kUnaryNames[] = {"neg", "abs", "sign", "exp", "log", "sqrt", "square", "reciprocal",
                             "tanh", "tanhGrad", "sigmoid", "relu", "reluMask", "log1p"};
const char* kBinaryNames[] = {"add", "sub", "mul", "div", "max", "min", "pow"};
const char* kActNames[] = {"identity", "relu", "tanh"};
const char* kReduceNames[] = {"sum", "max", "min"};

double act(int a, double v) { return a == 1 ? (v > 0 ? v : 0) : a == 2 ? std::tanh(v) : v; }

// ---- per-family tests ----------------------------------------------------------------------

template <class T>
void testActivations() {
  const int64_t m = 37, n = 53;
  for (int a = 0; a < 3; ++a) {
    for (int withBias = 0; withBias < 2; ++withBias) {
      const std::string name = std::string("biasActivationForward ") + typeName<T>() + " " + kActNames[a] +
                               (withBias ? " +bias" : "");
      auto x = randomVec<T>(m * n), bias = randomVec<T>(n);
      Dev<T> dx(x), db(bias), dout(m * n);
      if (!launched(launchBiasActivationForward<T>(a, m, n, dx.p, withBias ? db.p : nullptr, dout.p), name)) continue;
      std::vector<double> want(m * n);
      for (int64_t i = 0; i < m * n; ++i) {
        want[i] = act(a, static_cast<double>(static_cast<T>(x[i] + (withBias ? bias[i % n] : T(0)))));
      }
      compare(name, dout.get(), want, 2);
    }
    // backward, with an exact-zero check of the relu mask and of dBias reproducibility
    const std::string name = std::string("biasActivationBackward ") + typeName<T>() + " " + kActNames[a];
    const int64_t mb = 3000;  // several row chunks in the dBias reduction
    auto dOut = randomVec<T>(mb * n), out = randomVec<T>(mb * n);
    if (a == 1) for (int64_t i = 0; i < mb * n; i += 7) dOut[i] = std::numeric_limits<T>::infinity();
    Dev<T> dd(dOut), dout(out), ddx(mb * n), ddb(n);
    if (!launched(launchBiasActivationBackward<T>(a, mb, n, dd.p, dout.p, ddx.p, ddb.p), name)) continue;
    std::vector<double> wantDx(mb * n), wantDb(n, 0.0);
    for (int64_t i = 0; i < mb * n; ++i) {
      const double o = out[i], d = dOut[i];
      const double g = a == 1 ? (o > 0 ? d : 0.0) : a == 2 ? static_cast<double>(static_cast<T>(d * static_cast<T>(1 - static_cast<T>(o * o)))) : d;
      wantDx[i] = g;
    }
    auto gotDx = ddx.get();
    for (int64_t i = 0; i < mb * n; ++i) wantDb[i % n] += static_cast<double>(gotDx[i]);
    compare(name + " dX", gotDx, wantDx, 2);
    compare(name + " dBias", ddb.get(), wantDb, double(mb));
    if (a == 1) {
      bool zeros = true;
      for (int64_t i = 0; i < mb * n; ++i) {
        if (!(out[i] > 0) && !(gotDx[i] == 0 && !std::signbit(gotDx[i]))) zeros = false;
      }
      report(zeros, name + " masked entries exactly 0");
    }
    auto first = ddb.get();
    launchBiasActivationBackward<T>(a, mb, n, dd.p, dout.p, ddx.p, ddb.p);
    cudaDeviceSynchronize();
    report(sameBits(first, ddb.get()), name + " dBias bitwise reproducible");
  }
}

template <class T>
void layerNormRef(int64_t m, int64_t n, const std::vector<T>& x, const std::vector<T>* r, const std::vector<T>& gamma,
                  const std::vector<T>& beta, double eps, bool relu, std::vector<double>& out, std::vector<double>& mean,
                  std::vector<double>& rstd) {
  out.assign(m * n, 0);
  mean.assign(m, 0);
  rstd.assign(m, 0);
  for (int64_t i = 0; i < m; ++i) {
    std::vector<double> z(n);
    for (int64_t j = 0; j < n; ++j) z[j] = x[i * n + j] + (r ? static_cast<double>((*r)[i * n + j]) : 0.0);
    double mu = 0;
    for (double v : z) mu += v;
    mu /= n;
    double q = 0;
    for (double v : z) q += (v - mu) * (v - mu);
    const double rs = 1 / std::sqrt(q / n + eps);
    mean[i] = mu;
    rstd[i] = rs;
    for (int64_t j = 0; j < n; ++j) {
      const double v = gamma[j] * ((z[j] - mu) * rs) + beta[j];
      out[i * n + j] = relu ? (v > 0 ? v : 0) : v;
    }
  }
}

template <class T>
void testLayerNorm() {
  const double eps = 1e-5;
  const int64_t sizes[][2] = {{19, 7}, {23, 300}, {5, 3000}, {1200, 33}};
  for (auto& s : sizes) {
    const int64_t m = s[0], n = s[1];
    for (int withRes = 0; withRes < 2; ++withRes) {
      for (int relu = 0; relu < 2; ++relu) {
        char tag[96];
        std::snprintf(tag, sizeof tag, " %s m=%lld n=%lld%s%s", typeName<T>(), (long long)m, (long long)n,
                      withRes ? " +residual" : "", relu ? " relu" : "");
        auto x = randomVec<T>(m * n, -2, 3), res = randomVec<T>(m * n), gamma = randomVec<T>(n, 0.5, 1.5),
             beta = randomVec<T>(n);
        Dev<T> dx(x), dr(res), dg(gamma), db(beta), dout(m * n), dmean(m), drstd(m);
        const std::string fname = std::string("layerNormForward") + tag;
        if (!launched(launchLayerNormForward<T>(m, n, dx.p, withRes ? dr.p : nullptr, dg.p, db.p, eps, relu, dout.p,
                                                dmean.p, drstd.p), fname)) continue;
        std::vector<double> out, mean, rstd;
        layerNormRef<T>(m, n, x, withRes ? &res : nullptr, gamma, beta, eps, relu, out, mean, rstd);
        auto gotOut = dout.get(), gotMean = dmean.get(), gotRstd = drstd.get();
        compare(fname + " out", gotOut, out, double(n));
        compare(fname + " mean", gotMean, mean, double(n));
        compare(fname + " rstd", gotRstd, rstd, double(n));

        // backward from the device's own forward results (mean/rstd/out as stored)
        auto dOut = randomVec<T>(m * n);
        Dev<T> dd(dOut), ddx(m * n), ddg(n), ddb(n);
        const std::string bname = std::string("layerNormBackward") + tag;
        if (!launched(launchLayerNormBackward<T>(m, n, dd.p, dx.p, withRes ? dr.p : nullptr, dmean.p, drstd.p, dg.p,
                                                 relu, relu ? dout.p : nullptr, ddx.p, ddg.p, ddb.p), bname)) continue;
        std::vector<double> wantDx(m * n), wantG(n, 0), wantB(n, 0);
        for (int64_t i = 0; i < m; ++i) {
          const double mu = gotMean[i], rs = gotRstd[i];
          std::vector<double> g(n), zh(n);
          double s1 = 0, s2 = 0;
          for (int64_t j = 0; j < n; ++j) {
            const double z = static_cast<double>(static_cast<T>(x[i * n + j] + (withRes ? res[i * n + j] : T(0))));
            zh[j] = (z - mu) * rs;
            g[j] = relu ? (gotOut[i * n + j] > 0 ? double(dOut[i * n + j]) : 0.0) : double(dOut[i * n + j]);
            s1 += g[j] * gamma[j];
            s2 += g[j] * gamma[j] * zh[j];
            wantG[j] += g[j] * zh[j];
            wantB[j] += g[j];
          }
          for (int64_t j = 0; j < n; ++j) wantDx[i * n + j] = rs * (g[j] * gamma[j] - s1 / n - zh[j] * s2 / n);
        }
        compare(bname + " dX", ddx.get(), wantDx, double(n));
        compare(bname + " dGamma", ddg.get(), wantG, double(m));
        compare(bname + " dBeta", ddb.get(), wantB, double(m));
        auto g1 = ddg.get(), b1 = ddb.get(), x1 = ddx.get();
        launchLayerNormBackward<T>(m, n, dd.p, dx.p, withRes ? dr.p : nullptr, dmean.p, drstd.p, dg.p, relu,
                                   relu ? dout.p : nullptr, ddx.p, ddg.p, ddb.p);
        cudaDeviceSynchronize();
        report(sameBits(g1, ddg.get()) && sameBits(b1, ddb.get()) && sameBits(x1, ddx.get()),
               bname + " bitwise reproducible");
      }
    }
  }
  // constant row: zhat = 0 exactly, out = beta exactly
  {
    const int64_t m = 2, n = 37;
    std::vector<T> x(m * n, static_cast<T>(0.1)), gamma(n, T(2)), beta = randomVec<T>(n);
    Dev<T> dx(x), dg(gamma), db(beta), dout(m * n), dmean(m), drstd(m);
    const std::string name = std::string("layerNormForward ") + typeName<T>() + " constant row gives beta";
    if (launched(launchLayerNormForward<T>(m, n, dx.p, nullptr, dg.p, db.p, 1e-5, 0, dout.p, dmean.p, drstd.p), name)) {
      auto got = dout.get();
      bool ok = true;
      for (int64_t i = 0; i < m * n; ++i) ok = ok && got[i] == beta[i % n];
      report(ok, name);
    }
  }
}

template <class T>
void testSoftmax() {
  const int64_t shapes[][2] = {{64, 10}, {7, 1000}, {3, 20000}, {1, 1}};
  for (auto& s : shapes) {
    const int64_t m = s[0], c = s[1];
    char tag[64];
    std::snprintf(tag, sizeof tag, " %s m=%lld c=%lld", typeName<T>(), (long long)m, (long long)c);
    auto logits = randomVec<T>(m * c, -5, 5);
    if (m > 2 && c > 3) {
      logits[1 * c + 2] = static_cast<T>(1000);  // large logit: stable
      logits[2 * c + 1] = logits[2 * c + 3] = static_cast<T>(50);  // tie: first index
    }
    std::vector<int32_t> labels(m);
    for (int64_t i = 0; i < m; ++i) labels[i] = static_cast<int32_t>(rng() % c);
    Dev<T> dl(logits), dlp(m * c), dd(m * c);
    Dev<int32_t> dlab(labels), darg(m);
    double loss = 0;
    const std::string name = std::string("logSoftmaxNllForward") + tag;
    if (!launched(launchLogSoftmaxNllForward<T>(m, c, dl.p, dlab.p, dlp.p, darg.p, &loss), name)) continue;
    std::vector<double> want(m * c);
    double total = 0;
    std::vector<int32_t> wantArg(m);
    for (int64_t i = 0; i < m; ++i) {
      int64_t best = 0;
      for (int64_t j = 1; j < c; ++j) if (logits[i * c + j] > logits[i * c + best]) best = j;
      wantArg[i] = static_cast<int32_t>(best);
      const double mx = logits[i * c + best];
      double se = 0;
      for (int64_t j = 0; j < c; ++j) se += std::exp(double(logits[i * c + j]) - mx);
      const double ls = std::log(se);
      for (int64_t j = 0; j < c; ++j) want[i * c + j] = (double(logits[i * c + j]) - mx) - ls;
      total -= want[i * c + labels[i]];
    }
    compare(name + " logProbs", dlp.get(), want, double(c));
    compare(name + " loss", std::vector<double>{loss}, std::vector<double>{total / m}, double(c * m));
    report(darg.get() == wantArg, name + " argmax");
    const double gradLoss = 1.7;
    const std::string bname = std::string("logSoftmaxNllBackward") + tag;
    if (!launched(launchLogSoftmaxNllBackward<T>(m, c, dlp.p, dlab.p, gradLoss, dd.p), bname)) continue;
    auto lp = dlp.get();
    std::vector<double> wantD(m * c);
    for (int64_t i = 0; i < m; ++i)
      for (int64_t j = 0; j < c; ++j)
        wantD[i * c + j] = gradLoss / m * (std::exp(double(lp[i * c + j])) - (j == labels[i] ? 1 : 0));
    compare(bname, dd.get(), wantD, 2);
  }
  // NaN row: argmax is the first NaN, loss NaN
  {
    const int64_t m = 2, c = 5;
    std::vector<T> logits = {1, 2, std::numeric_limits<T>::quiet_NaN(), 3, std::numeric_limits<T>::quiet_NaN(),
                             0, 4, 4, 1, 2};
    std::vector<int32_t> labels = {0, 1};
    Dev<T> dl(logits), dlp(m * c);
    Dev<int32_t> dlab(labels), darg(m);
    double loss = 0;
    const std::string name = std::string("logSoftmaxNllForward ") + typeName<T>() + " NaN row";
    if (launched(launchLogSoftmaxNllForward<T>(m, c, dl.p, dlab.p, dlp.p, darg.p, &loss), name)) {
      auto arg = darg.get();
      report(arg[0] == 2 && arg[1] == 1 && std::isnan(loss), name,
             "argmax " + std::to_string(arg[0]) + "," + std::to_string(arg[1]) + " loss " + std::to_string(loss));
    }
  }
}

template <class T>
void testIm2col() {
  struct Case { int64_t b, c, h, w, kh, kw, sh, sw, ph, pw; } cases[] = {
      {2, 3, 7, 6, 3, 3, 1, 1, 1, 1}, {1, 2, 9, 8, 3, 2, 2, 3, 1, 0}, {3, 1, 5, 5, 5, 5, 1, 1, 0, 0},
      {1, 4, 6, 7, 2, 3, 2, 2, 2, 1}};
  for (auto& k : cases) {
    ConvShape g{k.b, k.c, k.h, k.w, k.kh, k.kw, k.sh, k.sw, k.ph, k.pw, 0, 0};
    g.outH = (g.height + 2 * g.padH - g.kernelH) / g.strideH + 1;
    g.outW = (g.width + 2 * g.padW - g.kernelW) / g.strideW + 1;
    const int64_t imageCount = g.batch * g.channels * g.height * g.width;
    const int64_t rows = g.channels * g.kernelH * g.kernelW, colCols = g.outH * g.outW;
    const int64_t colCount = g.batch * rows * colCols;
    char tag[96];
    std::snprintf(tag, sizeof tag, " %s %lldx%lldx%lldx%lld k%lldx%lld s%lldx%lld p%lldx%lld", typeName<T>(),
                  (long long)k.b, (long long)k.c, (long long)k.h, (long long)k.w, (long long)k.kh, (long long)k.kw,
                  (long long)k.sh, (long long)k.sw, (long long)k.ph, (long long)k.pw);
    auto images = randomVec<T>(imageCount);
    auto cols = randomVec<T>(colCount);
    Dev<T> di(images), dc(colCount), dc2(cols), di2(imageCount);
    std::vector<double> wantCols(colCount), wantImages(imageCount, 0.0);
    for (int64_t b = 0; b < g.batch; ++b)
      for (int64_t ch = 0; ch < g.channels; ++ch)
        for (int64_t ky = 0; ky < g.kernelH; ++ky)
          for (int64_t kx = 0; kx < g.kernelW; ++kx)
            for (int64_t oy = 0; oy < g.outH; ++oy)
              for (int64_t ox = 0; ox < g.outW; ++ox) {
                const int64_t row = (ch * g.kernelH + ky) * g.kernelW + kx;
                const int64_t ci = (b * rows + row) * colCols + oy * g.outW + ox;
                const int64_t iy = oy * g.strideH - g.padH + ky, ix = ox * g.strideW - g.padW + kx;
                const bool in = iy >= 0 && iy < g.height && ix >= 0 && ix < g.width;
                const int64_t ii = ((b * g.channels + ch) * g.height + iy) * g.width + ix;
                wantCols[ci] = in ? double(images[ii]) : 0.0;
                if (in) wantImages[ii] += double(cols[ci]);
              }
    if (launched(launchIm2col<T>(g, di.p, dc.p), std::string("im2col") + tag)) {
      compare(std::string("im2col") + tag, dc.get(), wantCols, 1);
    }
    if (launched(launchCol2im<T>(g, dc2.p, di2.p), std::string("col2im") + tag)) {
      compare(std::string("col2im") + tag, di2.get(), wantImages, double(k.kh * k.kw));
    }
  }
}

template <class T>
void testElementwise() {
  // binary: a transposed (non-contiguous), b broadcast along two axes, rank 4
  const std::vector<int64_t> shape = {3, 4, 5, 6};
  const int64_t total = 3 * 4 * 5 * 6;
  const std::vector<int64_t> aStrides = {1, 3, 12, 60};      // a stored as [6][5][4][3]
  const std::vector<int64_t> bStrides = {0, 6, 0, 1};        // b is [4][6] broadcast over dims 0 and 2
  for (int op = 0; op < 7; ++op) {
    auto a = randomVec<T>(total, op == 6 ? 0.1 : -2, 2), b = randomVec<T>(24, op == 3 ? 0.5 : -2, 2);
    if (op == 4 || op == 5) { a[0] = std::numeric_limits<T>::quiet_NaN(); }
    Dev<T> da(a), db(b), dout(total);
    const std::string name = std::string("binary ") + typeName<T>() + " " + kBinaryNames[op] + " rank 4 broadcast";
    if (!launched(launchBinary<T>(op, 4, shape.data(), da.p, aStrides.data(), db.p, bStrides.data(), dout.p), name)) continue;
    std::vector<double> want(total);
    for (int64_t i0 = 0, idx = 0; i0 < 3; ++i0)
      for (int64_t i1 = 0; i1 < 4; ++i1)
        for (int64_t i2 = 0; i2 < 5; ++i2)
          for (int64_t i3 = 0; i3 < 6; ++i3, ++idx) {
            const double av = a[i0 * 1 + i1 * 3 + i2 * 12 + i3 * 60], bv = b[i1 * 6 + i3];
            want[idx] = static_cast<double>(static_cast<T>(binaryRef(op, av, bv)));
          }
    compare(name, dout.get(), want, 2);
  }
  // binary: contiguous + scalar (rank 0 and a flat case)
  {
    const int64_t n = 100000;
    auto a = randomVec<T>(n), b = randomVec<T>(1);
    const int64_t shp[1] = {n}, sa[1] = {1}, sb[1] = {0};
    Dev<T> da(a), db(b), dout(n);
    const std::string name = std::string("binary ") + typeName<T>() + " mul by scalar";
    if (launched(launchBinary<T>(2, 1, shp, da.p, sa, db.p, sb, dout.p), name)) {
      std::vector<double> want(n);
      for (int64_t i = 0; i < n; ++i) want[i] = double(static_cast<T>(a[i] * b[0]));
      compare(name, dout.get(), want, 1);
    }
    Dev<T> d0(1);
    const std::string name0 = std::string("binary ") + typeName<T>() + " rank 0";
    if (launched(launchBinary<T>(0, 0, shp, da.p, sa, db.p, sb, d0.p), name0)) {
      compare(name0, d0.get(), {double(static_cast<T>(a[0] + b[0]))}, 1);
    }
  }
  // unary, every op
  for (int op = 0; op < 14; ++op) {
    const int64_t n = 4099;
    const bool positive = op == 4 || op == 5 || op == 13;  // log, sqrt, log1p
    auto x = randomVec<T>(n, positive ? 0.01 : -3, 3);
    x[0] = 0;
    if (!positive) x[1] = -0.0;
    Dev<T> dx(x), dout(n);
    const std::string name = std::string("unary ") + typeName<T>() + " " + kUnaryNames[op];
    if (!launched(launchUnary<T>(op, n, dx.p, dout.p), name)) continue;
    std::vector<double> want(n);
    for (int64_t i = 0; i < n; ++i) want[i] = unaryRef(op, double(x[i]));
    compare(name, dout.get(), want, 4);
  }
  // scale, axpy
  {
    const int64_t n = 10007;
    auto x = randomVec<T>(n), y = randomVec<T>(n);
    Dev<T> dx(x), dy(y), dout(n);
    const double alpha = 0.3;
    if (launched(launchScale<T>(alpha, n, dx.p, dout.p), std::string("scale ") + typeName<T>())) {
      std::vector<double> want(n);
      for (int64_t i = 0; i < n; ++i) want[i] = double(static_cast<T>(alpha * double(x[i])));
      compare(std::string("scale ") + typeName<T>(), dout.get(), want, 1);
    }
    if (launched(launchAxpy<T>(alpha, n, dx.p, dy.p), std::string("axpy ") + typeName<T>())) {
      std::vector<double> want(n);
      for (int64_t i = 0; i < n; ++i) want[i] = double(static_cast<T>(double(y[i]) + alpha * double(x[i])));
      compare(std::string("axpy ") + typeName<T>(), dy.get(), want, 1);
    }
  }
  // copyStrided: a transpose of rank 6 with a broadcast axis, and a plain contiguous copy
  {
    const std::vector<int64_t> shp = {2, 3, 1, 4, 2, 3};
    const std::vector<int64_t> st = {1, 2, 0, 6, 0, 24};  // dim 4 broadcast
    int64_t tot = 1;
    for (auto s : shp) tot *= s;
    auto src = randomVec<T>(72);
    Dev<T> ds(src), dout(tot);
    const std::string name = std::string("copyStrided ") + typeName<T>() + " rank 6 transpose+broadcast";
    if (launched(launchCopyStrided<T>(6, shp.data(), ds.p, st.data(), dout.p), name)) {
      std::vector<double> want(tot);
      int64_t idx = 0;
      for (int64_t a = 0; a < 2; ++a)
        for (int64_t b = 0; b < 3; ++b)
          for (int64_t c = 0; c < 1; ++c)
            for (int64_t d = 0; d < 4; ++d)
              for (int64_t e = 0; e < 2; ++e)
                for (int64_t f = 0; f < 3; ++f) want[idx++] = src[a * 1 + b * 2 + d * 6 + f * 24];
      compare(name, dout.get(), want, 1);
    }
    const int64_t cshp[2] = {8, 9}, cst[2] = {9, 1};
    Dev<T> dc(72);
    const std::string cname = std::string("copyStrided ") + typeName<T>() + " contiguous";
    if (launched(launchCopyStrided<T>(2, cshp, ds.p, cst, dc.p), cname)) compare(cname, dc.get(), toDouble(src), 1);
  }
}

template <class T>
void testReduce() {
  const int64_t cases[][3] = {{3, 50, 1}, {2, 100000, 1}, {1, 5000, 7}, {4, 3, 1000}, {5, 0, 3}, {3, 0, 1},
                              {1, 70000, 40}, {2000, 17, 1}};
  for (auto& c : cases) {
    const int64_t outer = c[0], n = c[1], inner = c[2];
    auto x = randomVec<T>(outer * n * inner, -3, 3);
    if (outer * n * inner > 10) x[5] = std::numeric_limits<T>::quiet_NaN();  // NaN propagates in max/min
    Dev<T> dx(x);
    for (int op = 0; op < 3; ++op) {
      char name[128];
      std::snprintf(name, sizeof name, "reduce %s %s (%lld, %lld, %lld)", typeName<T>(), kReduceNames[op],
                    (long long)outer, (long long)n, (long long)inner);
      Dev<T> dout(outer * inner);
      if (!launched(launchReduce<T>(op, outer, n, inner, dx.p, dout.p), name)) continue;
      std::vector<double> want(outer * inner);
      for (int64_t o = 0; o < outer; ++o)
        for (int64_t i = 0; i < inner; ++i) {
          double acc = op == 0 ? 0.0 : op == 1 ? -INFINITY : INFINITY;
          for (int64_t k = 0; k < n; ++k) {
            const double v = x[(o * n + k) * inner + i];
            acc = op == 0 ? acc + v : op == 1 ? jsMax(acc, v) : jsMin(acc, v);
          }
          want[o * inner + i] = acc;
        }
      auto got = dout.get();
      compare(name, got, want, double(std::max<int64_t>(n, 1)));
      launchReduce<T>(op, outer, n, inner, dx.p, dout.p);
      cudaDeviceSynchronize();
      report(sameBits(got, dout.get()), std::string(name) + " bitwise reproducible");
    }
  }
  // argmax with ties and NaN
  const int64_t acases[][3] = {{7, 33, 1}, {3, 20, 9}, {2, 5000, 1}, {1, 1, 4}};
  for (auto& c : acases) {
    const int64_t outer = c[0], n = c[1], inner = c[2];
    std::vector<T> x(outer * n * inner);
    for (auto& v : x) v = static_cast<T>(static_cast<int>(rng() % 7));  // many ties
    if (x.size() > 40) { x[17] = std::numeric_limits<T>::quiet_NaN(); x[30] = std::numeric_limits<T>::quiet_NaN(); }
    Dev<T> dx(x);
    Dev<int32_t> dout(outer * inner);
    char name[128];
    std::snprintf(name, sizeof name, "argmax %s (%lld, %lld, %lld)", typeName<T>(), (long long)outer, (long long)n,
                  (long long)inner);
    if (!launched(launchArgmax<T>(outer, n, inner, dx.p, dout.p), name)) continue;
    std::vector<int32_t> want(outer * inner);
    for (int64_t o = 0; o < outer; ++o)
      for (int64_t i = 0; i < inner; ++i) {
        int32_t best = 0;
        T bv = x[o * n * inner + i];
        for (int64_t k = 1; k < n; ++k) {
          const T v = x[(o * n + k) * inner + i];
          if (v > bv || (std::isnan(v) && !std::isnan(bv))) { bv = v; best = static_cast<int32_t>(k); }
        }
        want[o * inner + i] = best;
      }
    report(dout.get() == want, name);
  }
}

template <class T>
void testGather() {
  const int64_t srcLen = 1000, count = 5000;
  auto src = randomVec<T>(srcLen);
  std::vector<int32_t> index(count);
  for (auto& i : index) i = static_cast<int32_t>(rng() % 50);  // many repeats
  Dev<T> ds(src), dout(count);
  Dev<int32_t> di(index);
  const std::string name = std::string("gather ") + typeName<T>();
  if (launched(launchGather<T>(ds.p, srcLen, di.p, count, dout.p), name)) {
    std::vector<double> want(count);
    for (int64_t j = 0; j < count; ++j) want[j] = src[index[j]];
    compare(name, dout.get(), want, 1);
  }
}

/**
 * scatterAdd: bitwise equal to the sequential loop, every time. `targets`
 * distinct values spread over an output of `outLength` (many repeats when
 * targets << count; the large case sorts in several radix passes and tiles).
 */
template <class T>
void testScatterAdd(int64_t outLength, int64_t count, int64_t targets) {
  std::vector<int32_t> index(count);
  for (auto& i : index) i = static_cast<int32_t>((rng() % targets) * (outLength / targets));
  auto vals = randomVec<T>(count);
  auto base = randomVec<T>(outLength);
  Dev<T> dv(vals), dtarget(base);
  char name[128];
  std::snprintf(name, sizeof name, "scatterAdd %s %lld entries -> %lld of %lld", typeName<T>(), (long long)count,
                (long long)targets, (long long)outLength);
  if (launched(launchScatterAdd<T>(dv.p, index.data(), count, dtarget.p, outLength), name)) {
    std::vector<T> want = base;
    for (int64_t j = 0; j < count; ++j) want[index[j]] = static_cast<T>(double(want[index[j]]) + double(vals[j]));
    report(sameBits(dtarget.get(), want), std::string(name) + " bitwise equal to the sequential loop");
  }
}

// ---- gemm --------------------------------------------------------------------------------------

/**
 * One gemm check against a double reference: padded leading dimensions, the
 * padding of C must stay untouched. nanC fills C with NaN (beta = 0 must not
 * read it), nanAB puts NaN into A and B (alpha = 0 / k = 0 must not read them).
 */
template <class T>
using GemmLaunch = std::function<LaunchStatus(bool ta, bool tb, int64_t m, int64_t n, int64_t k, T alpha, const T* a,
                                               int64_t lda, const T* b, int64_t ldb, T beta, T* c, int64_t ldc)>;

/** launchGemm with `gi`, as a GemmLaunch. */
template <class T>
GemmLaunch<T> gemmOf(GemmImpl gi) {
  return [gi](bool ta, bool tb, int64_t m, int64_t n, int64_t k, T alpha, const T* a, int64_t lda, const T* b,
              int64_t ldb, T beta, T* c, int64_t ldc) {
    return launchGemm<T>(gi, ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
  };
}

template <class T>
void gemmCase(const char* impl, const GemmLaunch<T>& launch, bool ta, bool tb, int64_t m, int64_t n, int64_t k,
              T alpha, T beta, bool nanC = false, bool nanAB = false) {
  const int64_t lda = (ta ? m : k) + 3, ldb = (tb ? k : n) + 1, ldc = n + 2;
  auto a = randomVec<T>(std::max<int64_t>(ta ? k : m, 1) * lda);
  auto b = randomVec<T>(std::max<int64_t>(tb ? n : k, 1) * ldb);
  auto c = randomVec<T>(m * ldc);
  if (nanAB) a[0] = b[0] = std::numeric_limits<T>::quiet_NaN();
  if (nanC)
    for (int64_t i = 0; i < m; ++i)
      for (int64_t j = 0; j < n; ++j) c[i * ldc + j] = std::numeric_limits<T>::quiet_NaN();
  Dev<T> da(a), db(b), dc(c);
  char name[160];
  std::snprintf(name, sizeof name, "gemm %s %s transA=%d transB=%d m=%lld n=%lld k=%lld alpha=%g beta=%g%s%s",
                typeName<T>(), impl, ta, tb, (long long)m, (long long)n,
                (long long)k, double(alpha), double(beta), nanC ? " NaN C" : "", nanAB ? " NaN A,B" : "");
  if (!launched(launch(ta, tb, m, n, k, alpha, da.p, lda, db.p, ldb, beta, dc.p, ldc), name)) return;
  std::vector<double> want(m * ldc);
  for (int64_t i = 0; i < m; ++i)
    for (int64_t j = 0; j < ldc; ++j) {
      if (j >= n) { want[i * ldc + j] = c[i * ldc + j]; continue; }
      double s = 0;
      if (alpha != T(0))
        for (int64_t p = 0; p < k; ++p) {
          const double av = ta ? a[p * lda + i] : a[i * lda + p];
          const double bv = tb ? b[j * ldb + p] : b[p * ldb + j];
          s += av * bv;
        }
      want[i * ldc + j] = double(alpha) * s + (beta == T(0) ? 0.0 : double(beta) * c[i * ldc + j]);
    }
  compare(name, dc.get(), want, double(std::max<int64_t>(k, 1)));
}

template <class T>
void testGemm() {
  const bool haveCublas = cublasState().loaded;
  for (int impl = 0; impl < 2; ++impl) {
    if (impl == 0 && !haveCublas) continue;
    const GemmImpl gi = impl == 0 ? GemmImpl::kCublas : GemmImpl::kTiled;
    const char* label = impl == 0 ? "cublas" : "tiled";
    const GemmLaunch<T> launch = gemmOf<T>(gi);
    for (int ta = 0; ta < 2; ++ta)
      for (int tb = 0; tb < 2; ++tb) {
        // small: 64×64 tiles, edges in m, n and k (k not a multiple of 8)
        gemmCase<T>(label, launch, ta, tb, 77, 65, 129, T(0.7), T(0.3));
        // 33×9 tiles of 128×128 ≥ 2·SMs (up to 148 SMs): the float kernel's 128×128×8 configuration
        gemmCase<T>(label, launch, ta, tb, 4100, 1030, 19, T(0.7), T(0.3));
        // k < BK, k = BK, one row / column, beta = 0 over a C of NaN
        gemmCase<T>(label, launch, ta, tb, 3, 5, 1, T(1), T(0), true);
        gemmCase<T>(label, launch, ta, tb, 130, 1, 8, T(-1), T(1));
        gemmCase<T>(label, launch, ta, tb, 1, 300, 16, T(1), T(0.5));
        gemmCase<T>(label, launch, ta, tb, 129, 257, 33, T(1), T(0), true);
      }
    // k = 0 and alpha = 0 scale C by beta without reading A or B (which hold NaN)
    gemmCase<T>(label, launch, false, false, 37, 41, 0, T(1), T(0.5), false, true);
    gemmCase<T>(label, launch, false, false, 37, 41, 0, T(1), T(0), true, true);
    gemmCase<T>(label, launch, true, true, 37, 41, 9, T(0), T(2), false, true);
  }
}

/** Times a launcher (ms per call, averaged). */
double timeIt(const std::function<void()>& f, int reps = 20) {
  f();
  cudaDeviceSynchronize();
  cudaEvent_t e0, e1;
  cudaEventCreate(&e0);
  cudaEventCreate(&e1);
  cudaEventRecord(e0);
  for (int r = 0; r < reps; ++r) f();
  cudaEventRecord(e1);
  cudaEventSynchronize(e1);
  float ms = 0;
  cudaEventElapsedTime(&ms, e0, e1);
  cudaEventDestroy(e0);
  cudaEventDestroy(e1);
  return ms / reps;
}

/** GFLOP/s of an n×n×n product through `launch` (timeIt's mean of `reps`), 0 when it fails to launch. */
template <class T>
double gemmGflops(const GemmLaunch<T>& launch, int64_t n, const Dev<T>& a, const Dev<T>& b, Dev<T>& c, int reps) {
  if (!launch(false, false, n, n, n, T(1), a.p, n, b.p, n, T(0), c.p, n).ok()) return 0;
  const double ms = timeIt([&] { launch(false, false, n, n, n, T(1), a.p, n, b.p, n, T(0), c.p, n); }, reps);
  return 2.0 * double(n) * n * n / (ms * 1e-3) / 1e9;
}

template <class T>
void benchGemm() {
  const bool haveCublas = cublasState().loaded;
  for (int64_t n : {1024, 2048, 4096}) {
    auto a = randomVec<T>(n * n), b = randomVec<T>(n * n);
    Dev<T> da(a), db(b), dc(n * n);
    const int reps = n >= 4096 ? 10 : 30;
    const double cublas = haveCublas ? gemmGflops<T>(gemmOf<T>(GemmImpl::kCublas), n, da, db, dc, reps) : 0;
    const double tiled = gemmGflops<T>(gemmOf<T>(GemmImpl::kTiled), n, da, db, dc, reps);
    if (haveCublas) {
      std::printf("BENCH gemm %s %lld^3: tiled %.0f GFLOP/s, cublas %.0f GFLOP/s, tiled/cublas %.1f%%\n",
                  typeName<T>(), (long long)n, tiled, cublas, 100.0 * tiled / cublas);
    } else {
      std::printf("BENCH gemm %s %lld^3: tiled %.0f GFLOP/s (cuBLAS not loaded: %s)\n", typeName<T>(), (long long)n,
                  tiled, cublasState().reason.c_str());
    }
  }
}

/** A tiled variant of gemm.cu as a GemmLaunch. */
GemmLaunch<float> variantOf(int v) {
  return [v](bool ta, bool tb, int64_t m, int64_t n, int64_t k, float alpha, const float* a, int64_t lda,
             const float* b, int64_t ldb, float beta, float* c, int64_t ldc) {
    return launchTiledGemmVariant(v, ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
  };
}

/** Every tile shape of gemm.cu's variant list: correct on edges and transposes. */
void testGemmVariants() {
  for (int v = 0; v < tiledGemmVariantCount(); ++v)
    for (int ta = 0; ta < 2; ++ta)
      for (int tb = 0; tb < 2; ++tb) {
        gemmCase<float>(tiledGemmVariantName(v), variantOf(v), ta, tb, 300, 260, 37, 0.7f, 0.3f);
        gemmCase<float>(tiledGemmVariantName(v), variantOf(v), ta, tb, 129, 257, 17, 1.0f, 0.0f, true);
      }
}

/** The variants' GFLOP/s against cuBLAS, to choose the addon's tiles by measurement. */
void benchGemmVariants() {
  const bool haveCublas = cublasState().loaded;
  for (int64_t n : {2048, 4096}) {
    auto a = randomVec<float>(n * n), b = randomVec<float>(n * n);
    Dev<float> da(a), db(b), dc(n * n);
    const int reps = n >= 4096 ? 10 : 30;
    const double cublas = haveCublas ? gemmGflops<float>(gemmOf<float>(GemmImpl::kCublas), n, da, db, dc, reps) : 0;
    for (int v = 0; v < tiledGemmVariantCount(); ++v) {
      const double g = gemmGflops<float>(variantOf(v), n, da, db, dc, reps);
      std::printf("BENCH gemm-variant f32 %lld^3 %-36s %6.0f GFLOP/s", (long long)n, tiledGemmVariantName(v), g);
      if (haveCublas) std::printf(", %.1f%% of cuBLAS (%.0f)", 100.0 * g / cublas, cublas);
      std::printf("\n");
    }
  }
}


void benchKernels() {
  const int64_t m = 8192, n = 1024;
  Dev<float> x(m * n), r(m * n), g(n), b(n), out(m * n), mean(m), rstd(m), dX(m * n), dg(n), db(n);
  std::vector<float> ones(n, 1.0f);
  g.upload(ones);
  const double bytes = double(m) * n * sizeof(float);
  double ms = timeIt([&] { launchLayerNormForward<float>(m, n, x.p, r.p, g.p, b.p, 1e-5, 1, out.p, mean.p, rstd.p); });
  std::printf("BENCH layerNormForward f32 %lldx%lld +residual relu: %.3f ms (%.0f GB/s)\n", (long long)m, (long long)n,
              ms, 3 * bytes / (ms * 1e-3) / 1e9);
  ms = timeIt([&] {
    launchLayerNormBackward<float>(m, n, x.p, r.p, nullptr, mean.p, rstd.p, g.p, 1, out.p, dX.p, dg.p, db.p);
  });
  std::printf("BENCH layerNormBackward f32 %lldx%lld relu: %.3f ms\n", (long long)m, (long long)n, ms);
  ms = timeIt([&] { launchBiasActivationForward<float>(1, m, n, x.p, b.p, out.p); });
  std::printf("BENCH biasActivationForward f32 %lldx%lld relu: %.3f ms (%.0f GB/s)\n", (long long)m, (long long)n, ms,
              2 * bytes / (ms * 1e-3) / 1e9);
  ms = timeIt([&] { launchReduce<float>(0, 1, m, n, x.p, db.p); });
  std::printf("BENCH reduce f32 column sums %lldx%lld: %.3f ms (%.0f GB/s)\n", (long long)m, (long long)n, ms,
              bytes / (ms * 1e-3) / 1e9);
  // The backward of the 28x28 -> 28x28 C4-equivariant layer: 614,656 weights onto 153,664 orbit coefficients.
  const int64_t entries = 614656, orbits = 153664;
  std::vector<int32_t> index(entries);
  for (int64_t j = 0; j < entries; ++j) index[j] = static_cast<int32_t>(rng() % orbits);
  Dev<float> src(entries), coef(orbits);
  ms = timeIt([&] { launchScatterAdd<float>(src.p, index.data(), entries, coef.p, orbits); });
  std::printf("BENCH scatterAdd f32 %lld entries -> %lld targets (upload, sort, sum): %.3f ms\n", (long long)entries,
              (long long)orbits, ms);
}

// ---- the caching allocator --------------------------------------------------------------------

std::string cudaFailure(const char* call, cudaError_t e) {
  return std::string(call ? call : "?") + " failed: " + cudaGetErrorString(e);
}

/** Switches the allocator's mode; false (after a FAIL) when it cannot. */
bool useMode(AllocatorMode mode, const std::string& name) {
  const char* call = nullptr;
  cudaError_t e = emptyCache(&call);
  if (e == cudaSuccess) e = setAllocatorModeForTesting(mode, &call);
  if (e != cudaSuccess) {
    report(false, name, cudaFailure(call, e));
    return false;
  }
  return true;
}

/** Whether the device has memory pools (kPool can be tested). */
bool poolsSupported() {
  int device = 0, supported = 0;
  return cudaGetDevice(&device) == cudaSuccess &&
         cudaDeviceGetAttribute(&supported, cudaDevAttrMemoryPoolsSupported, device) == cudaSuccess && supported;
}

/**
 * In `mode`: a block filled with a pattern and freed comes back (same size)
 * zero-filled from deviceAllocZeroed; in pool mode it reuses the cached block (the pool does not grow). Then
 * the counters: live count and bytes up and down, peak, reserved.
 */
void testAllocatorMode(AllocatorMode mode) {
  const std::string tag = std::string("allocator ") + allocatorModeName(mode);
  if (!useMode(mode, tag + " select mode")) return;
  const char* call = nullptr;
  const size_t bytes = (size_t(1) << 20) + 24;  // not a multiple of the pool's granularity
  void* first = nullptr;
  cudaError_t e = deviceAlloc(&first, bytes, &call);
  if (e != cudaSuccess) {
    report(false, tag + " deviceAlloc", cudaFailure(call, e));
    return;
  }
  e = cudaMemset(first, 0xAB, bytes);
  const uint64_t reservedBefore = allocatorStats().reservedBytes;
  if (e == cudaSuccess) e = deviceFree(first, bytes);
  void* again = nullptr;
  if (e == cudaSuccess) e = deviceAllocZeroed(&again, bytes, &call);
  if (e != cudaSuccess) {
    report(false, tag + " pattern, free, deviceAllocZeroed", cudaGetErrorString(e));
    cudaGetLastError();
    return;
  }
  std::vector<unsigned char> host(bytes, 0xFF);
  e = cudaMemcpy(host.data(), again, bytes, cudaMemcpyDeviceToHost);
  const bool zeros = e == cudaSuccess && std::all_of(host.begin(), host.end(), [](unsigned char c) { return c == 0; });
  report(zeros, tag + " a reallocated block comes back zero-filled",
         e != cudaSuccess ? cudaFailure("cudaMemcpy", e) : zeros ? "" : "nonzero bytes after deviceAllocZeroed");
  if (mode == AllocatorMode::kPool) {
    // CUDA does not promise the same address back; that no memory was added to the pool is the reuse.
    const uint64_t reservedAfter = allocatorStats().reservedBytes;
    report(reservedAfter == reservedBefore && reservedAfter > 0,
           tag + " reuses the freed block (stream-ordered, no synchronization): reserved bytes unchanged",
           "reserved " + std::to_string(reservedBefore) + " -> " + std::to_string(reservedAfter));
    std::printf("allocator pool: the reallocated block is %s\n", again == first ? "the same address" : "at another address");
  }
  deviceFree(again, bytes);

  // counters
  const AllocatorStats s0 = allocatorStats();
  const size_t sizes[3] = {0, 4096, 3 << 20};  // 0 counts as kMinAllocationBytes
  const uint64_t total = kMinAllocationBytes + 4096 + (3 << 20);
  void* p[3] = {nullptr, nullptr, nullptr};
  bool ok = true;
  for (int i = 0; i < 3; ++i) ok = ok && deviceAlloc(&p[i], sizes[i], &call) == cudaSuccess;
  const AllocatorStats s1 = allocatorStats();
  report(ok && s1.mode == mode && s1.liveAllocations == s0.liveAllocations + 3 &&
             s1.allocatedBytes == s0.allocatedBytes + total && s1.peakAllocatedBytes >= s1.allocatedBytes &&
             s1.reservedBytes >= s1.allocatedBytes,
         tag + " stats after 3 allocations: live +3, bytes +" + std::to_string(total) + ", peak, reserved",
         "live " + std::to_string(s1.liveAllocations) + " bytes " + std::to_string(s1.allocatedBytes) + " peak " +
             std::to_string(s1.peakAllocatedBytes) + " reserved " + std::to_string(s1.reservedBytes));
  deviceFree(p[2], sizes[2]);
  const AllocatorStats s2 = allocatorStats();
  report(s2.liveAllocations == s0.liveAllocations + 2 && s2.allocatedBytes == s0.allocatedBytes + total - (3 << 20) &&
             s2.peakAllocatedBytes == s1.peakAllocatedBytes,
         tag + " stats after a free: live -1, bytes down, peak kept");
  deviceFree(p[0], sizes[0]);
  deviceFree(p[1], sizes[1]);
  const AllocatorStats s3 = allocatorStats();
  report(s3.liveAllocations == s0.liveAllocations && s3.allocatedBytes == s0.allocatedBytes &&
             s3.peakAllocatedBytes == s1.peakAllocatedBytes,
         tag + " stats back to the start after freeing all");
  if (mode == AllocatorMode::kPool) {
    report(s3.reservedBytes >= uint64_t(3) << 20, tag + " freed memory stays reserved (cached)",
           "reserved " + std::to_string(s3.reservedBytes));
    e = emptyCache(&call);
    const AllocatorStats s4 = allocatorStats();
    // Nothing of ours is live; another user of the default pool (a library) may still hold blocks.
    int device = 0;
    cudaMemPool_t pool = nullptr;
    uint64_t used = 0;
    const bool queried = cudaGetDevice(&device) == cudaSuccess && cudaDeviceGetDefaultMemPool(&pool, device) == cudaSuccess &&
                         cudaMemPoolGetAttribute(pool, cudaMemPoolAttrUsedMemCurrent, &used) == cudaSuccess;
    report(e == cudaSuccess && queried && (used == 0 ? s4.reservedBytes == 0 : s4.reservedBytes < s3.reservedBytes),
           tag + " emptyCache releases the cached bytes", e != cudaSuccess ? cudaFailure(call, e) :
           "reserved " + std::to_string(s3.reservedBytes) + " -> " + std::to_string(s4.reservedBytes) + ", pool used " +
           std::to_string(used));
  } else {
    report(emptyCache(&call) == cudaSuccess, tag + " emptyCache is a no-op");
  }
}

__global__ void spinKernel(long long cycles) {
  const long long start = clock64();
  while (clock64() - start < cycles) {
  }
}

/**
 * What upload(), the int32 uploads and scatterAdd's index copy rely on: a
 * cudaMemcpyAsync from pageable memory has read the host buffer when it
 * returns. Queued behind a busy kernel (~30 ms), the host buffer is
 * overwritten right after the call; the device must get the old contents.
 * 4 KB (small copies go inline) and 64 MiB (staged in chunks).
 */
void testPageableUpload() {
  for (const size_t count : {size_t(1000), size_t(16) << 20}) {
    const std::string name = "cudaMemcpyAsync from pageable memory has read it when it returns (" +
                             std::to_string(count * sizeof(float)) + " bytes, stream busy)";
    std::vector<float> host(count);
    for (size_t i = 0; i < count; ++i) host[i] = static_cast<float>(i % 1000003);
    Dev<float> dev(count);
    spinKernel<<<1, 1>>>(50000000LL);
    cudaError_t e = cudaGetLastError();
    if (e == cudaSuccess) e = cudaMemcpyAsync(dev.p, host.data(), count * sizeof(float), cudaMemcpyHostToDevice, 0);
    std::fill(host.begin(), host.end(), -1.0f);
    std::vector<float> back(count, -2.0f);
    if (e == cudaSuccess) e = cudaMemcpy(back.data(), dev.p, count * sizeof(float), cudaMemcpyDeviceToHost);
    size_t bad = count;
    for (size_t i = 0; e == cudaSuccess && i < count && bad == count; ++i) {
      if (back[i] != static_cast<float>(i % 1000003)) bad = i;
    }
    report(e == cudaSuccess && bad == count, name,
           e != cudaSuccess ? cudaFailure("cudaMemcpyAsync/cudaMemcpy", e)
           : bad < count    ? "element " + std::to_string(bad) + " is " + std::to_string(back[bad])
                            : std::string());
    if (e != cudaSuccess) cudaGetLastError();
  }
}

void testAllocator() {
  testPageableUpload();
  if (poolsSupported()) testAllocatorMode(AllocatorMode::kPool);
  else std::printf("allocator: the device has no memory pools; pool mode not tested\n");
  testAllocatorMode(AllocatorMode::kCudaMalloc);
  useMode(AllocatorMode::kNone, "allocator back to the default mode");
}

/**
 * µs per alloc+free pair (host time, synchronized at the end) of `pairs`
 * requests of 4 KiB .. 4 MiB (log-uniform), 16 live at a time like the
 * tensors of a training step; -1 after a FAIL.
 */
double timeAllocator(AllocatorMode mode, int pairs) {
  const std::string tag = std::string("allocator ") + allocatorModeName(mode) + " bench";
  if (!useMode(mode, tag + " select mode")) return -1;
  std::mt19937_64 gen(7);
  std::uniform_real_distribution<double> logSize(std::log(4096.0), std::log(4194304.0));
  std::vector<size_t> sizes(pairs);
  for (auto& b : sizes) b = static_cast<size_t>(std::exp(logSize(gen))) & ~size_t(255);
  constexpr int kLive = 16;
  void* ring[kLive] = {};
  size_t ringBytes[kLive] = {};
  const char* call = nullptr;
  cudaError_t e = cudaSuccess;
  auto run = [&](int count) {
    for (int i = 0; i < count && e == cudaSuccess; ++i) {
      const int slot = i % kLive;
      if (ring[slot]) e = deviceFree(ring[slot], ringBytes[slot]);
      if (e != cudaSuccess) call = "deviceFree";
      ring[slot] = nullptr;
      if (e == cudaSuccess) e = deviceAlloc(&ring[slot], sizes[i], &call);
      ringBytes[slot] = sizes[i];
    }
    for (int slot = 0; slot < kLive; ++slot) {
      const cudaError_t f = ring[slot] ? deviceFree(ring[slot], ringBytes[slot]) : cudaSuccess;
      if (f != cudaSuccess && e == cudaSuccess) {
        e = f;
        call = "deviceFree";
      }
      ring[slot] = nullptr;
    }
    if (e == cudaSuccess && (e = cudaDeviceSynchronize()) != cudaSuccess) call = "cudaDeviceSynchronize";
  };
  run(std::min(pairs, 200));  // warm-up: fills the pool
  const auto t0 = std::chrono::steady_clock::now();
  run(pairs);
  const auto t1 = std::chrono::steady_clock::now();
  if (e != cudaSuccess) {
    report(false, tag, cudaFailure(call, e));
    return -1;
  }
  return std::chrono::duration<double, std::micro>(t1 - t0).count() / pairs;
}

void benchAllocator() {
  const int pairs = 20000;
  const double pool = poolsSupported() ? timeAllocator(AllocatorMode::kPool, pairs) : -1;
  const double plain = timeAllocator(AllocatorMode::kCudaMalloc, pairs);
  useMode(AllocatorMode::kNone, "allocator back to the default mode");
  if (pool >= 0 && plain >= 0) {
    std::printf("BENCH allocator %d alloc+free pairs 4 KiB..4 MiB: pool %.2f us/pair, cudaMalloc %.2f us/pair (%.0fx)\n",
                pairs, pool, plain, plain / pool);
  } else if (plain >= 0) {
    std::printf("BENCH allocator %d alloc+free pairs 4 KiB..4 MiB: cudaMalloc %.2f us/pair (no memory pools)\n", pairs,
                plain);
  }
}

}  // namespace

int main(int argc, char** argv) {
  bool bench = true, tests = true;
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--no-bench")) bench = false;
    else if (!std::strcmp(argv[i], "--bench-only")) tests = false;
    else if (!std::strcmp(argv[i], "--verbose")) verbose = true;
    else {
      std::fprintf(stderr, "usage: %s [--no-bench] [--bench-only] [--verbose]\n", argv[0]);
      return 64;
    }
  }
  int count = 0;
  const cudaError_t e = cudaGetDeviceCount(&count);
  if (e != cudaSuccess || count == 0) {
    std::printf("no CUDA device: %s\n", e != cudaSuccess ? cudaGetErrorString(e) : "cudaGetDeviceCount returned 0");
    return 2;
  }
  cudaDeviceProp prop{};
  cudaGetDeviceProperties(&prop, 0);
  int runtime = 0, driver = 0;
  cudaRuntimeGetVersion(&runtime);
  cudaDriverGetVersion(&driver);
  std::printf("device: %s (sm_%d%d, %d SMs, %.1f GiB), runtime %d, driver %d\n", prop.name, prop.major, prop.minor,
              prop.multiProcessorCount, prop.totalGlobalMem / 1073741824.0, runtime, driver);
  const CublasState& cb = cublasState();
  std::printf("cuBLAS: %s%s%s\n", cb.loaded ? "loaded from " : "not loaded: ", cb.loaded ? cb.path.c_str() : cb.reason.c_str(), "");

  if (tests) {
    testActivations<float>();
    testActivations<double>();
    testLayerNorm<float>();
    testLayerNorm<double>();
    testSoftmax<float>();
    testSoftmax<double>();
    testIm2col<float>();
    testIm2col<double>();
    testElementwise<float>();
    testElementwise<double>();
    testReduce<float>();
    testReduce<double>();
    testGather<float>();
    testGather<double>();
    for (const auto& c : {std::array<int64_t, 3>{1000, 5000, 50}, std::array<int64_t, 3>{153664, 614656, 153664},
                          std::array<int64_t, 3>{100000, 300000, 3}}) {
      testScatterAdd<float>(c[0], c[1], c[2]);
      testScatterAdd<double>(c[0], c[1], c[2]);
    }
    testGemm<float>();
    testGemm<double>();
    testGemmVariants();
    testAllocator();
    std::printf("%d checks passed, %d failed\n", passes, failures);
  }
  if (bench) {
    benchGemm<float>();
    benchGemm<double>();
    benchGemmVariants();
    benchKernels();
    benchAllocator();
  }
  const cudaError_t last = cudaDeviceSynchronize();
  if (last != cudaSuccess) {
    std::printf("FAIL device error at exit: %s\n", cudaGetErrorString(last));
    return 1;
  }
  return failures == 0 ? 0 : 1;
}
