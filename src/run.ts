#!/usr/bin/env node
/** Entry point: `node dist/run.js <command> [flags]`. */
import { main } from './cli/main';
import { commands } from './commands';

main(commands, process.argv.slice(2)).then(
  (code) => { process.exitCode = code; },
  (err: unknown) => {
    console.error(err instanceof Error ? (err.stack ?? err.message) : String(err));
    process.exitCode = 1;
  },
);
