/**
 * Per-column standardisation, fitted on one split and applied to others:
 * (x - mean) / std with the population std (divide by n, as scikit-learn's
 * StandardScaler). A constant column has std 0 and keeps scale 1, so it maps
 * to 0 instead of NaN.
 */
import { DataError } from './errors';

export class Standardizer {
  private constructor(readonly mean: Float64Array, readonly scale: Float64Array) {}

  /** Column means and population standard deviations of `rows` rows of `x` (row-major). */
  static fit(x: ArrayLike<number>, rows: number, cols: number): Standardizer {
    if (!Number.isSafeInteger(rows) || rows <= 0 || !Number.isSafeInteger(cols) || cols <= 0) {
      throw new RangeError(`Standardizer.fit: expected positive integer rows and cols but received ${rows} and ${cols}`);
    }
    if (x.length !== rows * cols) throw new RangeError(`Standardizer.fit: ${x.length} values are not ${rows} rows of ${cols}`);
    const mean = new Float64Array(cols);
    const scale = new Float64Array(cols);
    for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) mean[c] += x[r * cols + c];
    for (let c = 0; c < cols; c++) mean[c] /= rows;
    for (let r = 0; r < rows; r++) {
      for (let c = 0; c < cols; c++) {
        const v = x[r * cols + c];
        if (!Number.isFinite(v)) throw new DataError(`Standardizer.fit: row ${r}, column ${c} is ${v}; expected finite values`);
        scale[c] += (v - mean[c]) ** 2;
      }
    }
    for (let c = 0; c < cols; c++) {
      const std = Math.sqrt(scale[c] / rows);
      scale[c] = std > 0 ? std : 1;
    }
    return new Standardizer(mean, scale);
  }

  get cols(): number { return this.mean.length; }

  /** (x - mean) / scale, column by column, into a new array. */
  transform(x: ArrayLike<number>): Float64Array {
    const cols = this.checkWidth(x, 'transform');
    const out = new Float64Array(x.length);
    for (let i = 0; i < x.length; i++) out[i] = (x[i] - this.mean[i % cols]) / this.scale[i % cols];
    return out;
  }

  /** x · scale + mean: back to the original units. */
  inverseTransform(x: ArrayLike<number>): Float64Array {
    const cols = this.checkWidth(x, 'inverseTransform');
    const out = new Float64Array(x.length);
    for (let i = 0; i < x.length; i++) out[i] = x[i] * this.scale[i % cols] + this.mean[i % cols];
    return out;
  }

  private checkWidth(x: ArrayLike<number>, what: string): number {
    const cols = this.cols;
    if (x.length % cols !== 0) throw new RangeError(`Standardizer.${what}: ${x.length} values are not whole rows of ${cols} columns`);
    return cols;
  }
}
