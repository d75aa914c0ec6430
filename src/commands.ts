/** Every subcommand of dist/run.js, in the order `--help` lists them. */
import type { Command } from './cli/command';
import { doctor } from './cli/doctor';

export const commands: readonly Command[] = [doctor];
