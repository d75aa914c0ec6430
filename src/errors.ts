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
