import type { FlagSpec, FlagValues } from './flags';

/** A subcommand of dist/run.js: an experiment or a tool such as doctor. */
export interface Command {
  name: string;
  /** One line for the command list. */
  describe: string;
  flags: readonly FlagSpec[];
  /** Extra help text printed after the flags (e.g. rules the run follows). */
  details?: string;
  run(flags: FlagValues): Promise<void> | void;
}
