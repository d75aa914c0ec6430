// The Fortran LAPACK routines of libopenblas used by linalg.cc (solve and lstsq
// compute in double for both dtypes, so only d-versions of those), declared by
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
void dgetrf_(const int* m, const int* n, double* a, const int* lda, int* ipiv, int* info);
void dgetrs_(const char* trans, const int* n, const int* nrhs, const double* a, const int* lda, const int* ipiv,
             double* b, const int* ldb, int* info, size_t transLen);
void dgelsd_(const int* m, const int* n, const int* nrhs, double* a, const int* lda, double* b, const int* ldb,
             double* s, const double* rcond, int* rank, double* work, const int* lwork, int* iwork, int* info);
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
inline void getrf(const int* m, const int* n, double* a, const int* lda, int* ipiv, int* info) {
  dgetrf_(m, n, a, lda, ipiv, info);
}
inline void getrs(const char* trans, const int* n, const int* nrhs, const double* a, const int* lda, const int* ipiv,
                  double* b, const int* ldb, int* info) {
  dgetrs_(trans, n, nrhs, a, lda, ipiv, b, ldb, info, 1);
}
inline void gelsd(const int* m, const int* n, const int* nrhs, double* a, const int* lda, double* b, const int* ldb,
                  double* s, const double* rcond, int* rank, double* work, const int* lwork, int* iwork, int* info) {
  dgelsd_(m, n, nrhs, a, lda, b, ldb, s, rcond, rank, work, lwork, iwork, info);
}

}  // namespace gradnode::cpu::lapack
