import test from 'ava';
import * as fs from 'fs';
import * as path from 'path';
import { MetricsLog } from '../../src/report/metrics';
import { tempDir } from './tmpdir';

test('MetricsLog writes metrics.json with everything and one CSV per series with the union of columns', (t) => {
  const dir = tempDir(t);
  const log = new MetricsLog();
  log.set('config', { hidden: 256, lr: 0.01 }).set('testAccuracy', 0.9785);
  log.push('epochs', { epoch: 1, trainLoss: 0.5 });
  log.push('epochs', { epoch: 2, trainLoss: 0.25, testAccuracy: 0.9 });
  log.push('epochs', { epoch: 3, testAccuracy: 0.95, trainLoss: NaN });
  log.push('sizes', { size: 250, accuracy: 0.8 });
  t.deepEqual(log.columns('epochs'), ['epoch', 'trainLoss', 'testAccuracy']);
  t.is(log.get('testAccuracy'), 0.9785);
  t.is(log.series('epochs').length, 3);

  const files = log.write(dir);
  t.deepEqual(files.map((f) => path.basename(f)), ['metrics.json', 'epochs.csv', 'sizes.csv']);
  t.deepEqual(fs.readdirSync(dir).sort(), ['epochs.csv', 'metrics.json', 'sizes.csv']);
  t.deepEqual(JSON.parse(fs.readFileSync(path.join(dir, 'metrics.json'), 'utf8')), {
    config: { hidden: 256, lr: 0.01 },
    testAccuracy: 0.9785,
    series: {
      epochs: [
        { epoch: 1, trainLoss: 0.5 },
        { epoch: 2, trainLoss: 0.25, testAccuracy: 0.9 },
        { epoch: 3, testAccuracy: 0.95, trainLoss: 'NaN' },
      ],
      sizes: [{ size: 250, accuracy: 0.8 }],
    },
  });
  t.is(fs.readFileSync(path.join(dir, 'epochs.csv'), 'utf8'),
    'epoch,trainLoss,testAccuracy\n1,0.5,\n2,0.25,0.9\n3,NaN,0.95\n');

  log.set('testAccuracy', 0.99);
  log.write(dir);
  t.is((JSON.parse(fs.readFileSync(path.join(dir, 'metrics.json'), 'utf8')) as { testAccuracy: number }).testAccuracy, 0.99);
  t.deepEqual(fs.readdirSync(dir).sort(), ['epochs.csv', 'metrics.json', 'sizes.csv']);
});

test('points are copied; reserved key and unsafe series names are refused', (t) => {
  const log = new MetricsLog();
  const point = { epoch: 1 };
  log.push('epochs', point);
  point.epoch = 99;
  t.deepEqual(log.series('epochs'), [{ epoch: 1 }]);
  t.deepEqual(log.toJSON(), { series: { epochs: [{ epoch: 1 }] } });
  t.deepEqual(new MetricsLog().set('a', 1).toJSON(), { a: 1 });
  t.throws(() => log.set('series', 1), { instanceOf: RangeError });
  t.throws(() => log.push('../x', { a: 1 }), { instanceOf: RangeError });
  t.throws(() => log.push('a b', { a: 1 }), { instanceOf: RangeError });
});
