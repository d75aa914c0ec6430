/** Typed errors for data sets. */

/**
 * A data set that is missing, malformed or unusable. The message is one line
 * that says what was wrong and what provides the fix: the npm package, the
 * Debian package, or the `--data DIR` flag.
 */
export class DataError extends Error {
  override name = 'DataError';
}
