/**
 * Text for the end of a run: a boxed two-column summary that fits one screen,
 * and a plain aligned table for sweeps. Callers decide how a value should
 * read (e.g. pass `'97.85%'` for an accuracy); numbers passed as numbers get a
 * neutral format (integers whole, others 4 significant digits).
 */

/** Integers whole; other numbers to `digits` significant digits without trailing zeros. */
export function formatNumber(value: number, digits = 4): string {
  if (!Number.isFinite(value)) return String(value);
  if (Number.isInteger(value) && Math.abs(value) < 1e15) return String(value);
  const text = value.toPrecision(digits);
  const [mantissa, exponent] = text.split('e');
  const trimmed = mantissa.includes('.') ? mantissa.replace(/0+$/, '').replace(/\.$/, '') : mantissa;
  return exponent === undefined ? trimmed : `${trimmed}e${exponent}`;
}

function cellText(value: string | number | undefined): string {
  if (value === undefined) return '';
  return (typeof value === 'number' ? formatNumber(value) : value).replace(/\s*[\r\n]+\s*/g, ' ');
}

/**
 * A box with the title in its top border and one `label  value` row per
 * entry, labels padded to the same width:
 *
 *     ┌─ dense-res ────────────────┐
 *     │ test accuracy   97.85%     │
 *     │ epochs          30         │
 *     └────────────────────────────┘
 */
export function formatSummary(title: string, rows: readonly (readonly [string, string | number])[]): string {
  const labels = rows.map(([label]) => cellText(label));
  const values = rows.map(([, value]) => cellText(value));
  const labelWidth = Math.max(0, ...labels.map((l) => l.length));
  const lines = labels.map((label, i) => `${label.padEnd(labelWidth)}   ${values[i]}`.trimEnd());
  const heading = cellText(title);
  const inner = Math.max(heading.length + 4, ...lines.map((l) => l.length + 2));
  const top = `┌─ ${heading} ${'─'.repeat(Math.max(0, inner - heading.length - 3))}┐`;
  const body = lines.map((line) => `│ ${line.padEnd(inner - 2)} │`);
  const bottom = `└${'─'.repeat(inner)}┘`;
  return [top, ...body, bottom].join('\n');
}

/**
 * Columns separated by two spaces, a rule under the header; a column whose
 * cells are all numbers is right-aligned, any other left-aligned. Missing
 * cells are blank.
 */
export function formatTable(header: readonly string[], rows: readonly (readonly (string | number)[])[]): string {
  const columns = Math.max(header.length, ...rows.map((r) => r.length));
  const text = rows.map((row) => Array.from({ length: columns }, (_, c) => cellText(row[c])));
  const head = Array.from({ length: columns }, (_, c) => cellText(header[c]));
  const numeric = head.map((_, c) => rows.length > 0 && rows.every((row) => typeof row[c] === 'number'));
  const widths = head.map((h, c) => Math.max(h.length, ...text.map((row) => row[c].length)));
  const line = (cells: string[]): string =>
    cells.map((cell, c) => (numeric[c] ? cell.padStart(widths[c]) : cell.padEnd(widths[c]))).join('  ').trimEnd();
  return [line(head), widths.map((w) => '─'.repeat(w)).join('  '), ...text.map(line)].join('\n');
}
