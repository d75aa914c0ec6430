import test from 'ava';
import { DataError } from '../../src/data/errors';
import { Standardizer } from '../../src/data/standardize';

test('Standardizer: population mean/std per column, transform and inverse, constant columns map to 0', (t) => {
  // Columns: [1, 2, 3, 4] (mean 2.5, population std sqrt(1.25)), constant 7, [0, 0, 0, 8] (mean 2, std sqrt(12)).
  const x = [1, 7, 0, 2, 7, 0, 3, 7, 0, 4, 7, 8];
  const s = Standardizer.fit(x, 4, 3);
  t.deepEqual(Array.from(s.mean), [2.5, 7, 2]);
  t.deepEqual(Array.from(s.scale), [Math.sqrt(1.25), 1, Math.sqrt(12)]);
  const z = s.transform(x);
  for (let c = 0; c < 3; c++) {
    let mean = 0, sq = 0;
    for (let r = 0; r < 4; r++) mean += z[r * 3 + c] / 4;
    for (let r = 0; r < 4; r++) sq += (z[r * 3 + c] - mean) ** 2 / 4;
    t.true(Math.abs(mean) < 1e-15);
    t.true(Math.abs(sq - (c === 1 ? 0 : 1)) < 1e-14, `column ${c} variance ${sq}`);
  }
  const back = s.inverseTransform(z);
  back.forEach((v, i) => t.true(Math.abs(v - x[i]) < 1e-14));
  // Statistics come from the fitted split only: another split uses them as they are.
  t.deepEqual(Array.from(s.transform([2.5, 8, 2])), [0, 1, 0]);
});

test('Standardizer: bad shapes are RangeErrors and non-finite values a DataError naming the cell', (t) => {
  t.throws(() => Standardizer.fit([1, 2, 3], 2, 2), { instanceOf: RangeError, message: /3 values are not 2 rows of 2/ });
  t.throws(() => Standardizer.fit([], 0, 2), { instanceOf: RangeError });
  t.throws(() => Standardizer.fit([1, NaN], 1, 2), { instanceOf: DataError, message: /row 0, column 1 is NaN/ });
  const s = Standardizer.fit([1, 2, 3, 4], 2, 2);
  t.throws(() => s.transform([1, 2, 3]), { instanceOf: RangeError, message: /not whole rows of 2 columns/ });
});
