/**
 * Everything an experiment measured, in one place: scalars and objects
 * (summary numbers, the configuration) and per-epoch series (curves). Written
 * as `metrics.json` (all of it) plus one CSV per series, atomically.
 */

import * as path from 'path';
import { toCsvText, toJsonText, writeFileAtomic } from './files';

export type MetricsPoint = Record<string, number>;

/** Series names become file names (`<series>.csv`). */
const SERIES_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;

export class MetricsLog {
  private readonly values = new Map<string, unknown>();
  private readonly seriesPoints = new Map<string, MetricsPoint[]>();

  /**
   * Records a value under `key` (replacing an earlier one): a number, string,
   * boolean, array or plain object. `series` is reserved for the curves.
   */
  set(key: string, value: unknown): this {
    if (key === 'series') throw new RangeError('metrics key "series" is reserved for the curves added with push()');
    this.values.set(key, value);
    return this;
  }

  get(key: string): unknown {
    return this.values.get(key);
  }

  /** Appends one point (e.g. `{ epoch: 3, trainLoss: 0.2, testAccuracy: 0.95 }`) to a series. */
  push(series: string, point: MetricsPoint): this {
    if (!SERIES_NAME.test(series)) {
      throw new RangeError(`series name must be letters, digits, "-", "_" or "." (it names a CSV file), not "${series}"`);
    }
    let points = this.seriesPoints.get(series);
    if (!points) this.seriesPoints.set(series, (points = []));
    points.push({ ...point });
    return this;
  }

  /** The points of a series so far (empty when none). */
  series(name: string): readonly MetricsPoint[] {
    return this.seriesPoints.get(name) ?? [];
  }

  /** Column names of a series: the union of its points' keys, in first-seen order. */
  columns(name: string): string[] {
    const seen = new Set<string>();
    for (const point of this.series(name)) for (const key of Object.keys(point)) seen.add(key);
    return [...seen];
  }

  /** `{ ...values, series: { name: points[] } }` (the shape of metrics.json). */
  toJSON(): Record<string, unknown> {
    const out: Record<string, unknown> = Object.fromEntries(this.values);
    if (this.seriesPoints.size > 0) out.series = Object.fromEntries(this.seriesPoints);
    return out;
  }

  /**
   * Writes `metrics.json` and `<series>.csv` for each series into `dir`
   * (missing values in a row are empty fields). Returns the files' paths.
   */
  write(dir: string): string[] {
    const files: string[] = [];
    const json = path.join(dir, 'metrics.json');
    writeFileAtomic(json, toJsonText(this.toJSON()));
    files.push(json);
    for (const name of this.seriesPoints.keys()) {
      const header = this.columns(name);
      const rows = this.series(name).map((point) => header.map((key) => (key in point ? point[key] : '')));
      const csv = path.join(dir, `${name}.csv`);
      writeFileAtomic(csv, toCsvText(header, rows));
      files.push(csv);
    }
    return files;
  }
}
