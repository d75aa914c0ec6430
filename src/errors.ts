/** Typed errors, so callers and tests can tell failures apart by class. */

/** Shapes that do not fit together (matmul inner sizes, broadcast, reshape). */
export class ShapeError extends RangeError {
  override name = 'ShapeError';
}

/** Mixed or unsupported dtypes. */
export class DTypeError extends TypeError {
  override name = 'DTypeError';
}

/** A backend that was asked for but is not available here, with the reason. */
export class BackendUnavailableError extends Error {
  override name = 'BackendUnavailableError';
}

/** Host access (`.data`) to a tensor that lives in device memory. */
export class DeviceMemoryError extends Error {
  override name = 'DeviceMemoryError';
}

/**
 * A failed CUDA call (or cuBLAS call) on the cuda backend. `code` is the
 * CUDA error name (e.g. 'cudaErrorIllegalAddress', or 'cublasError'),
 * `status` its number. Errors after a kernel fault are sticky: the device
 * stays unusable for the rest of the process, as with any CUDA program.
 */
export class CudaError extends Error {
  override name = 'CudaError';

  constructor(message: string, readonly code: string, readonly status: number) {
    super(message);
  }
}

/**
 * Device memory ran out (cudaErrorMemoryAllocation), after the caching
 * allocator released its cached blocks and retried. Not sticky: free
 * tensors (or call cuda.emptyCache()) and go on, as with
 * torch.cuda.OutOfMemoryError.
 */
export class CudaOutOfMemoryError extends CudaError {
  override name = 'CudaOutOfMemoryError';
}

/**
 * A linear system whose matrix is singular, or numerically so: pivot `pivot`
 * (1-based) of its LU factorisation with partial pivoting is 0 or negligible,
 * |u_kk| <= n·ε·max_i |a_ik| (ε of the dtype). Thrown by the `solve` kernel
 * of every backend (and so by linalg.solve), with the same message on each.
 */
export class SingularMatrixError extends Error {
  override name = 'SingularMatrixError';

  constructor(readonly kernel: string, readonly n: number, readonly pivot: number) {
    super(`${kernel}: the ${n}×${n} matrix is singular: pivot ${pivot} of its LU factorisation is zero or negligible `
      + '(|u_kk| <= n·eps·max_i |a_ik|)');
  }
}
