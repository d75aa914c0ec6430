{
  # The CPU addon: node-addon-api (C++ exceptions on) over OpenBLAS/LAPACK.
  # Built at install time on the machine that runs it, hence -march=native.
  # No OpenMP runtime: OpenBLAS's own threads run the GEMMs and LAPACK; the
  # elementwise loops are single-threaded (-fopenmp-simd only enables
  # `#pragma omp simd` reductions, it links nothing); the fused convolution
  # (conv.cc) splits a batch's images between std::threads.
  "targets": [
    {
      "target_name": "gradnode_cpu",
      "sources": [
        "native/cpu/addon.cc",
        "native/cpu/activations.cc",
        "native/cpu/conv.cc",
        "native/cpu/elementwise.cc",
        "native/cpu/gather.cc",
        "native/cpu/gemm.cc",
        "native/cpu/im2col.cc",
        "native/cpu/info.cc",
        "native/cpu/layernorm.cc",
        "native/cpu/linalg.cc",
        "native/cpu/optim.cc",
        "native/cpu/pooling.cc",
        "native/cpu/reduce.cc",
        "native/cpu/softmax_xent.cc",
        "native/cpu/svm.cc"
      ],
      "include_dirs": [
        "<!(node -p \"require('node-addon-api').include_dir\")",
        "native"
      ],
      "defines": [
        "NAPI_VERSION=8",
        "NAPI_CPP_EXCEPTIONS",
        "NODE_ADDON_API_DISABLE_DEPRECATED"
      ],
      "cflags!": [ "-fno-exceptions" ],
      "cflags_cc!": [ "-fno-exceptions", "-std=gnu++17", "-std=gnu++20" ],
      "cflags_cc": [
        "-std=c++17",
        "-fexceptions",
        "-O3",
        "-march=native",
        "-ffp-contract=fast",
        "-fno-math-errno",
        "-fopenmp-simd",
        "-Wall",
        "-Wextra"
      ],
      "libraries": [ "-lopenblas" ]
    }
  ]
}
