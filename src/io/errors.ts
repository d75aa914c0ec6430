/** Typed errors for checkpoint files. */

/**
 * A checkpoint that cannot be read, written or applied: a corrupt or
 * truncated safetensors file, an unsupported dtype, or names and shapes that
 * do not match the model. The message is one line and names the file and,
 * where there is one, the tensor.
 */
export class CheckpointError extends Error {
  override name = 'CheckpointError';
}
