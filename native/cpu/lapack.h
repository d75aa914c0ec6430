// The Fortran LAPACK routines of libopenblas used by linalg.cc, declared by
// hand (LAPACKE is not a dependency). Column-major, every argument by
// pointer, 32-bit integers (OpenBLAS's LP64 interface), and the hidden
// string-length arguments gfortran appends for each CHARACTER argument.
#pragma once

#include <cstddef>

extern "C" {
void ssyevd_(const char* jobz, const char* uplo, const int* n, float* a, const int* lda, float* w, float* work,
             const int* lwork, int* iwork, const int* liwork, int* info, size_t jobzLen, size_t uploLen);
void dsyevd_(const char* jobz, const char* uplo, const int* n, double* a, const int* lda, double* w, double* work,
             const int* lwork, int* iwork, const int* liwork, int* info, size_t jobzLen, size_t uploLen);
void sgesdd_(const char* jobz, const int* m, const int* n, float* a, const int* lda, float* s, float* u,
             const int* ldu, float* vt, const int* ldvt, float* work, const int* lwork, int* iwork, int* info,
             size_t jobzLen);
void dgesdd_(const char* jobz, const int* m, const int* n, double* a, const int* lda, double* s, double* u,
             const int* ldu, double* vt, const int* ldvt, double* work, const int* lwork, int* iwork, int* info,
             size_t jobzLen);
}

namespace gradnode::cpu::lapack {

inline void syevd(const char* jobz, const char* uplo, const int* n, float* a, const int* lda, float* w, float* work,
                  const int* lwork, int* iwork, const int* liwork, int* info) {
  ssyevd_(jobz, uplo, n, a, lda, w, work, lwork, iwork, liwork, info, 1, 1);
}
inline void syevd(const char* jobz, const char* uplo, const int* n, double* a, const int* lda, double* w,
                  double* work, const int* lwork, int* iwork, const int* liwork, int* info) {
  dsyevd_(jobz, uplo, n, a, lda, w, work, lwork, iwork, liwork, info, 1, 1);
}
inline void gesdd(const char* jobz, const int* m, const int* n, float* a, const int* lda, float* s, float* u,
                  const int* ldu, float* vt, const int* ldvt, float* work, const int* lwork, int* iwork, int* info) {
  sgesdd_(jobz, m, n, a, lda, s, u, ldu, vt, ldvt, work, lwork, iwork, info, 1);
}
inline void gesdd(const char* jobz, const int* m, const int* n, double* a, const int* lda, double* s, double* u,
                  const int* ldu, double* vt, const int* ldvt, double* work, const int* lwork, int* iwork,
                  int* info) {
  dgesdd_(jobz, m, n, a, lda, s, u, ldu, vt, ldvt, work, lwork, iwork, info, 1);
}

}  // namespace gradnode::cpu::lapack
