import test from 'ava';
import { formatNumber, formatSummary, formatTable } from '../../src/report/summary';

test('formatNumber: integers whole, others 4 significant digits without trailing zeros', (t) => {
  t.is(formatNumber(30), '30');
  t.is(formatNumber(0.012345678), '0.01235');
  t.is(formatNumber(0.5), '0.5');
  t.is(formatNumber(1234.5678), '1235');
  t.is(formatNumber(1.5e-9), '1.5e-9');
  t.is(formatNumber(NaN), 'NaN');
  t.is(formatNumber(Math.PI, 6), '3.14159');
});

test('formatSummary: a box with the title on top and aligned values', (t) => {
  const text = formatSummary('dense-res', [['test accuracy', '97.85%'], ['train loss', 0.012345678], ['epochs', 30], ['backend', 'cpu']]);
  const lines = text.split('\n');
  t.is(lines.length, 6);
  t.true(lines[0].startsWith('┌─ dense-res ─'));
  t.true(lines[0].endsWith('┐'));
  t.true(lines[5].startsWith('└') && lines[5].endsWith('┘'));
  t.true(lines.every((l) => l.length === lines[0].length));
  t.is(lines[1], '│ test accuracy   97.85%  │');
  t.is(lines[2], '│ train loss      0.01235 │');
  const valueColumns = lines.slice(1, 5).map((l) => l.search(/ \S+ *│$/));
  t.true(valueColumns.every((c) => c === valueColumns[0]));
  t.true(text.includes('│ epochs          30 '));
  const long = formatSummary('a very long title for a tiny box', [['k', 'v']]).split('\n');
  t.true(long.every((l) => l.length === long[0].length));
});

test('formatTable: header rule, numeric columns right-aligned, text left-aligned', (t) => {
  const text = formatTable(['hidden', 'lr', 'impl', 'test acc'], [[128, 0.01, 'manual', 0.9712], [256, 0.001, 'autograd', 0.95]]);
  t.deepEqual(text.split('\n'), [
    'hidden     lr  impl      test acc',
    '──────  ─────  ────────  ────────',
    '   128   0.01  manual      0.9712',
    '   256  0.001  autograd      0.95',
  ]);
  t.is(formatTable(['a', 'b'], [['x']]), 'a  b\n─  ─\nx');
});
