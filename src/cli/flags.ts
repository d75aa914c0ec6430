/**
 * Flag parsing for the subcommands: declared flags with types, defaults and
 * short aliases; anything unknown or malformed is a UsageError (exit code 2
 * with a one-line message).
 */

export class UsageError extends Error {
  override name = 'UsageError';
}

export type FlagType = 'string' | 'int' | 'number' | 'boolean';

export interface FlagSpec {
  name: string;
  type: FlagType;
  description: string;
  default?: string | number | boolean;
  alias?: string;
  /** Allowed values for a string flag. */
  choices?: readonly string[];
  /** Smallest allowed value for int/number flags. */
  min?: number;
  /** Largest allowed value for int/number flags. */
  max?: number;
}

export type FlagValues = Record<string, string | number | boolean | undefined>;

function camel(name: string): string {
  return name.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
}

function convert(spec: FlagSpec, raw: string): string | number {
  if (spec.type === 'string') {
    if (spec.choices && !spec.choices.includes(raw)) {
      throw new UsageError(`--${spec.name} must be one of ${spec.choices.join(', ')}, not "${raw}"`);
    }
    return raw;
  }
  const value = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(value) || (spec.type === 'int' && !Number.isInteger(value))) {
    throw new UsageError(`--${spec.name} expects ${spec.type === 'int' ? 'an integer' : 'a number'}, not "${raw}"`);
  }
  if (spec.min !== undefined && value < spec.min) {
    throw new UsageError(`--${spec.name} must be at least ${spec.min}, not ${raw}`);
  }
  if (spec.max !== undefined && value > spec.max) {
    throw new UsageError(`--${spec.name} must be at most ${spec.max}, not ${raw}`);
  }
  return value;
}

/** Parses argv against the flag specs; values are keyed by camelCase names. */
export function parseFlags(specs: readonly FlagSpec[], argv: readonly string[]): FlagValues {
  const values: FlagValues = {};
  for (const s of specs) values[camel(s.name)] = s.default;
  const byName = new Map<string, FlagSpec>();
  for (const s of specs) {
    byName.set(`--${s.name}`, s);
    if (s.alias) byName.set(`-${s.alias}`, s);
  }
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const eq = arg.startsWith('--') ? arg.indexOf('=') : -1;
    const key = eq > 0 ? arg.slice(0, eq) : arg;
    let spec = byName.get(key);
    if (!spec && key.startsWith('--no-')) {
      const positive = byName.get(`--${key.slice(5)}`);
      if (positive?.type === 'boolean' && eq < 0) {
        values[camel(positive.name)] = false;
        continue;
      }
    }
    if (!spec) {
      const hint = key.startsWith('-') ? `unknown flag ${key}` : `unexpected argument "${arg}"`;
      throw new UsageError(`${hint} (see --help)`);
    }
    if (spec.type === 'boolean') {
      if (eq > 0) {
        const raw = arg.slice(eq + 1);
        if (raw !== 'true' && raw !== 'false') throw new UsageError(`--${spec.name} expects true or false, not "${raw}"`);
        values[camel(spec.name)] = raw === 'true';
      } else {
        values[camel(spec.name)] = true;
      }
      continue;
    }
    const raw = eq > 0 ? arg.slice(eq + 1) : argv[++i];
    if (raw === undefined) throw new UsageError(`${key} needs a value`);
    values[camel(spec.name)] = convert(spec, raw);
  }
  return values;
}

/** The help text listing every flag with its default. */
export function formatFlags(specs: readonly FlagSpec[]): string {
  const rows = specs.map((s) => {
    const names = `${s.alias ? `-${s.alias}, ` : '    '}--${s.name}${s.type === 'boolean' ? '' : ` <${s.choices ? s.choices.join('|') : s.type}>`}`;
    const def = s.default === undefined ? '' : ` (default: ${String(s.default)})`;
    return [names, `${s.description}${def}`];
  });
  const width = Math.max(0, ...rows.map((r) => r[0].length)) + 2;
  return rows.map(([n, d]) => `  ${n.padEnd(width)}${d}`).join('\n');
}
