import test from 'ava';
import { UsageError, formatFlags, parseFlags, type FlagSpec } from '../../src/cli/flags';

const SPECS: FlagSpec[] = [
  { name: 'hidden', type: 'int', default: 256, description: 'hidden width', min: 1 },
  { name: 'lr', alias: 'l', type: 'number', default: 0.01, description: 'learning rate', max: 10 },
  { name: 'layernorm', type: 'boolean', default: true, description: 'use LayerNorm' },
  { name: 'impl', alias: 'i', type: 'string', default: 'manual', choices: ['manual', 'autograd'], description: 'implementation' },
];

test('flags parse with defaults, aliases, = syntax and --no- negation', (t) => {
  t.deepEqual(parseFlags(SPECS, []), { hidden: 256, lr: 0.01, layernorm: true, impl: 'manual' });
  t.deepEqual(parseFlags(SPECS, ['--hidden', '128', '-l', '1e-3', '--no-layernorm', '-i', 'autograd']),
    { hidden: 128, lr: 0.001, layernorm: false, impl: 'autograd' });
  t.deepEqual(parseFlags(SPECS, ['--hidden=64', '--layernorm=false']).hidden, 64);
});

test('bad flags are UsageErrors with one-line messages', (t) => {
  const bad: [string[], RegExp][] = [
    [['--hiden', '3'], /unknown flag --hiden/],
    [['--hidden', 'abc'], /--hidden expects an integer, not "abc"/],
    [['--hidden', '2.5'], /expects an integer/],
    [['--hidden', '0'], /--hidden must be at least 1/],
    [['--hidden'], /--hidden needs a value/],
    [['--lr', '11'], /--lr must be at most 10, not 11/],
    [['--impl', 'magic'], /--impl must be one of manual, autograd/],
    [['stray'], /unexpected argument "stray"/],
  ];
  for (const [argv, message] of bad) {
    const err = t.throws(() => parseFlags(SPECS, argv), { instanceOf: UsageError, message });
    t.false(err!.message.includes('\n'));
  }
});

test('help lists every flag with its default', (t) => {
  const help = formatFlags(SPECS);
  for (const s of SPECS) {
    t.true(help.includes(`--${s.name}`));
    t.true(help.includes(`(default: ${String(s.default)})`));
  }
  t.true(help.includes('-l, --lr <number>'));
});
