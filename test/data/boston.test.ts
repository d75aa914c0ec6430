import test from 'ava';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { BOSTON_FEATURES, bostonCsvPath, loadBoston } from '../../src/data/boston';
import { DataError } from '../../src/data/errors';
import { tempDir } from '../report/tmpdir';

test('loadBoston reads the npm package: 506 rows, 13 features + medv, known first and last rows', (t) => {
  const ds = loadBoston();
  t.is(ds.n, 506);
  t.is(ds.d, 13);
  t.is(ds.features.length, 506 * 13);
  t.deepEqual([...ds.featureNames], [...BOSTON_FEATURES]);
  t.is(ds.targetName, 'medv');
  t.true(ds.source.endsWith(path.join('data', 'data.csv')));
  // Row 1 of the classic data: crim 0.00632, zn 18, ..., lstat 4.98, medv 24.
  t.deepEqual(Array.from(ds.features.subarray(0, 13)), [0.00632, 18, 2.31, 0, 0.538, 6.575, 65.2, 4.09, 1, 296, 15.3, 396.9, 4.98]);
  t.is(ds.target[0], 24);
  t.is(ds.target[505], 11.9);
  const mean = ds.target.reduce((s, v) => s + v, 0) / ds.n;
  t.true(Math.abs(mean - 22.532806) < 1e-6, `mean medv ${mean}`);
  t.is(Math.max(...ds.target), 50);
});

test('loadBoston({ file }) reads another CSV with the same columns, and names the file and row when it is malformed', (t) => {
  const dir = tempDir(t);
  const header = [...BOSTON_FEATURES, 'medv'].join(',');
  const row = (v: number) => Array.from({ length: 14 }, (_, i) => v + i).join(',');
  const good = path.join(dir, 'small.csv');
  fs.writeFileSync(good, `${header}\n${row(1)}\n${row(2)}\n`);
  const ds = loadBoston({ file: good });
  t.is(ds.n, 2);
  t.deepEqual(Array.from(ds.target), [14, 15]);
  t.deepEqual(Array.from(ds.features.subarray(13)), Array.from({ length: 13 }, (_, i) => 2 + i));
  const bad: [string, RegExp][] = [
    ['', /empty\.csv: the file is empty/],
    [`${header}\n${row(1)}\n1,2,3\n`, /short\.csv: row 3 has 3 cells; expected 14/],
    [`${header}\n${row(1).replace(/^1,/, 'x,')}\n`, /cell\.csv: row 2, column crim is "x"; expected a finite number/],
    [`${header.replace('medv', 'price')}\n${row(1)}\n`, /header\.csv: row 1 \(header\) is .*expected the 14 columns crim,zn/],
  ];
  const names = ['empty.csv', 'short.csv', 'cell.csv', 'header.csv'];
  bad.forEach(([text, message], i) => {
    const file = path.join(dir, names[i]);
    fs.writeFileSync(file, text);
    const err = t.throws(() => loadBoston({ file }), { instanceOf: DataError, message });
    t.true(err!.message.startsWith(file), err!.message);
  });
  t.throws(() => loadBoston({ file: path.join(dir, 'absent.csv') }), { instanceOf: DataError, message: /absent\.csv: cannot read the file/ });
  t.true(fs.existsSync(bostonCsvPath()));
});
