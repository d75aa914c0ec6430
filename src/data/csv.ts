/**
 * Numeric CSV tables: a header row of column names, then rows of numbers
 * (comma-separated, optional surrounding spaces, a trailing newline or CRLF
 * line ends allowed, no quoting). Anything else is a DataError whose one-line
 * message names the file, the row (1-based, the header is row 1) and what
 * was expected.
 */
import * as fs from 'node:fs';
import { DataError } from './errors';

export interface NumericTable {
  /** The header's column names, in file order. */
  columns: string[];
  /** rows × columns values, row-major. */
  values: Float64Array;
  rows: number;
}

/**
 * Parses CSV text. `expectColumns` (when given) must equal the header
 * exactly, in order; `file` only names the source in error messages.
 */
export function parseNumericCsv(text: string, file: string, expectColumns?: readonly string[]): NumericTable {
  const lines = text.split(/\r?\n/);
  while (lines.length > 0 && lines[lines.length - 1].trim() === '') lines.pop();
  if (lines.length === 0) throw new DataError(`${file}: the file is empty; expected a header row and numeric rows`);
  const columns = lines[0].split(',').map((c) => c.trim());
  if (expectColumns && columns.join(',') !== expectColumns.join(',')) {
    throw new DataError(`${file}: row 1 (header) is "${columns.join(',')}"; expected the ${expectColumns.length} columns ${expectColumns.join(',')}`);
  }
  const rows = lines.length - 1;
  if (rows === 0) throw new DataError(`${file}: the file has a header but no data rows`);
  const width = columns.length;
  const values = new Float64Array(rows * width);
  for (let r = 0; r < rows; r++) {
    const cells = lines[r + 1].split(',');
    if (cells.length !== width) {
      throw new DataError(`${file}: row ${r + 2} has ${cells.length} cells; expected ${width} (${columns.join(',')})`);
    }
    for (let c = 0; c < width; c++) {
      const cell = cells[c].trim();
      const v = Number(cell);
      if (cell === '' || !Number.isFinite(v)) {
        throw new DataError(`${file}: row ${r + 2}, column ${columns[c]} is "${cells[c]}"; expected a finite number`);
      }
      values[r * width + c] = v;
    }
  }
  return { columns, values, rows };
}

/** Reads and parses a CSV file (see parseNumericCsv); an unreadable file is a one-line DataError. */
export function readNumericCsv(file: string, expectColumns?: readonly string[]): NumericTable {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new DataError(`${file}: cannot read the file (${code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a folder' : (err as Error).message})`);
  }
  return parseNumericCsv(text, file, expectColumns);
}
