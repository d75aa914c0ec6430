import test from 'ava';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseNumericCsv, readNumericCsv } from '../../src/data/csv';
import { DataError } from '../../src/data/errors';
import { tempDir } from '../report/tmpdir';

test('parseNumericCsv reads a header and numeric rows (spaces, CRLF, trailing newline, exponents)', (t) => {
  const table = parseNumericCsv('a,b , c\r\n1, 2.5,-3e2\r\n0,0.125,7\r\n\r\n', 'x.csv', ['a', 'b', 'c']);
  t.deepEqual(table.columns, ['a', 'b', 'c']);
  t.is(table.rows, 2);
  t.deepEqual(Array.from(table.values), [1, 2.5, -300, 0, 0.125, 7]);
});

test('malformed CSV text is a one-line DataError naming the file, the row and what was expected', (t) => {
  const cases: [string, RegExp][] = [
    ['', /^x\.csv: the file is empty; expected a header row/],
    ['  \n\n', /^x\.csv: the file is empty/],
    ['a,b\n', /^x\.csv: the file has a header but no data rows/],
    ['a,c\n1,2\n', /^x\.csv: row 1 \(header\) is "a,c"; expected the 2 columns a,b/],
    ['a,b\n1,2\n3\n', /^x\.csv: row 3 has 1 cells; expected 2 \(a,b\)/],
    ['a,b\n1,2,3\n', /^x\.csv: row 2 has 3 cells; expected 2/],
    ['a,b\n1,two\n', /^x\.csv: row 2, column b is "two"; expected a finite number/],
    ['a,b\n1,\n', /^x\.csv: row 2, column b is ""; expected a finite number/],
    ['a,b\n1,NaN\n', /column b is "NaN"/],
    ['a,b\nInfinity,1\n', /column a is "Infinity"/],
  ];
  for (const [text, message] of cases) {
    const err = t.throws(() => parseNumericCsv(text, 'x.csv', ['a', 'b']), { instanceOf: DataError, message }, JSON.stringify(text));
    t.false(err!.message.includes('\n'));
  }
});

test('readNumericCsv: a missing file or a folder is a one-line DataError naming the path', (t) => {
  const dir = tempDir(t);
  t.throws(() => readNumericCsv(path.join(dir, 'none.csv')), { instanceOf: DataError, message: /none\.csv: cannot read the file \(no such file\)/ });
  t.throws(() => readNumericCsv(dir), { instanceOf: DataError, message: /cannot read the file \(it is a folder\)/ });
  fs.writeFileSync(path.join(dir, 'ok.csv'), 'p\n4\n');
  t.deepEqual(Array.from(readNumericCsv(path.join(dir, 'ok.csv')).values), [4]);
});
