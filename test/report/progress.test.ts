import test from 'ava';
import { ProgressBar, formatDuration, formatInfoValue, formatRate, progressAllowedByEnv } from '../../src/report/progress';

/** A stream that records what is written, and a clock the test moves. */
function fakes(isTTY: boolean) {
  const writes: string[] = [];
  const stream = { isTTY, write: (s: string) => { writes.push(s); return true; } };
  let now = 0;
  return { writes, stream, clock: () => now, advance: (ms: number) => { now += ms; } };
}

test('helpers format durations, rates and live values', (t) => {
  t.is(formatDuration(27.4), '0:27');
  t.is(formatDuration(3725), '1:02:05');
  t.is(formatDuration(NaN), '?');
  t.is(formatRate(12.34), '12.3 it/s');
  t.is(formatRate(2), '2.00 it/s');
  t.is(formatRate(0.25), '4.00 s/it');
  t.is(formatInfoValue(0.123456), '0.1235');
  t.is(formatInfoValue(3), '3');
  t.is(formatInfoValue('cpu'), 'cpu');
});

test('non-TTY: plain lines at 0%, every 10% and the end, with ETA and live info', (t) => {
  const f = fakes(false);
  const bar = new ProgressBar({ total: 10, label: 'train', stream: f.stream, width: 10, clock: f.clock });
  for (let i = 1; i <= 10; i++) {
    f.advance(500);
    bar.tick(1, { loss: 1 / i });
  }
  bar.done();
  bar.done();
  t.is(f.writes.length, 11);
  t.is(f.writes[0], 'train [..........] 0% 0/10 ETA ?\n');
  t.is(f.writes[1], 'train [#.........] 10% 1/10 2.00 it/s ETA 0:05 loss 1\n');
  t.is(f.writes[5], 'train [#####.....] 50% 5/10 2.00 it/s ETA 0:03 loss 0.2000\n');
  t.is(f.writes[10], 'train [##########] 100% 10/10 2.00 it/s took 0:05 loss 0.1000\n');
  t.true(f.writes.every((w) => !w.includes('\r') && !w.includes('\x1b')));
});

test('non-TTY: many small ticks still print only milestone lines', (t) => {
  const f = fakes(false);
  const bar = new ProgressBar({ total: 600, label: 'epoch 1', stream: f.stream, clock: f.clock });
  for (let i = 0; i < 600; i++) {
    f.advance(5);
    bar.tick();
  }
  bar.done({ acc: 0.9 });
  t.is(f.writes.length, 11);
  t.deepEqual(f.writes.map((w) => w.split(' ')[3]), ['0%', '10%', '20%', '30%', '40%', '50%', '60%', '70%', '80%', '90%', '100%']);
  t.regex(f.writes[10], /600\/600 200 it\/s took 0:03 acc 0\.9000\n$/);
});

test('the rate is an exponential moving average', (t) => {
  const f = fakes(false);
  const bar = new ProgressBar({ total: 100, label: 'x', stream: f.stream, clock: f.clock });
  for (let i = 0; i < 10; i++) {
    f.advance(1000);
    bar.tick();
  }
  t.regex(bar.render(), /1\.00 it\/s ETA 1:30$/);
  f.advance(100);
  bar.tick(); // 10 it/s for one sample: 0.3 × 10 + 0.7 × 1 = 3.7
  t.regex(bar.render(), /11\/100 3\.70 it\/s ETA 0:24$/);
});

test('TTY: one line redrawn with \\r, at most ten times a second, newline at the end', (t) => {
  const f = fakes(true);
  const bar = new ProgressBar({ total: 50, label: 'train', stream: f.stream, clock: f.clock });
  for (let i = 0; i < 50; i++) {
    f.advance(10);
    bar.tick(1, { loss: 0.5 });
  }
  bar.done();
  const draws = f.writes.slice(0, -1);
  t.is(f.writes[f.writes.length - 1], '\n');
  t.true(draws.length >= 5 && draws.length <= 8, `${draws.length} draws`);
  t.true(draws.every((w) => w.startsWith('\r') && !w.includes('\n')));
  t.regex(draws[draws.length - 1], /^\rtrain \[#+\] 100% 50\/50 .* took 0:01 loss 0\.5000/);
});

test('TTY: a shorter line blanks the rest of the longer one', (t) => {
  const f = fakes(true);
  const bar = new ProgressBar({ total: 2, label: 'p', stream: f.stream, clock: f.clock });
  f.advance(200);
  bar.tick(1, { note: 'a long note here' });
  f.advance(200);
  bar.tick(1, { note: 'short' });
  t.is(f.writes[2].length, f.writes[1].length);
  t.true(f.writes[2].endsWith(' '));
});

test('total 0, quiet mode and GRADNODE_PROGRESS=0', (t) => {
  const f = fakes(false);
  const empty = new ProgressBar({ total: 0, label: 'none', stream: f.stream, clock: f.clock });
  empty.tick();
  empty.done();
  t.is(f.writes[0], 'none [####################] 100% 0/0 ETA 0:00\n');
  t.regex(f.writes[f.writes.length - 1], /^none \[#+\] 100% 1\/0/);

  const quiet = fakes(true);
  const bar = new ProgressBar({ total: 5, label: 'q', stream: quiet.stream, enabled: false, clock: quiet.clock });
  bar.tick(5);
  bar.done();
  t.deepEqual(quiet.writes, []);

  t.false(progressAllowedByEnv({ GRADNODE_PROGRESS: '0' }));
  t.true(progressAllowedByEnv({ GRADNODE_PROGRESS: '1' }));
  t.true(progressAllowedByEnv({}));
  const saved = process.env.GRADNODE_PROGRESS;
  process.env.GRADNODE_PROGRESS = '0';
  try {
    const env = fakes(false);
    new ProgressBar({ total: 3, label: 'e', stream: env.stream }).done();
    t.deepEqual(env.writes, []);
  } finally {
    if (saved === undefined) delete process.env.GRADNODE_PROGRESS;
    else process.env.GRADNODE_PROGRESS = saved;
  }
});
