import { createLineBuffer, type LineBuffer } from './lineBuffer';

let shared: { out: LineBuffer; err: LineBuffer } | undefined;

/**
 * The process's buffered stdout/stderr line writers, one pair for every logger in the process (so their
 * lines keep their order and only one 'exit' listener exists). Flushed synchronously on exit, which Node
 * also runs for process.exit() and uncaught exceptions; stdout and stderr pipes and files are synchronous there.
 */
export function processLines(): { out: LineBuffer; err: LineBuffer } {
  if (shared) return shared;
  const out = createLineBuffer((text) => process.stdout.write(text));
  const err = createLineBuffer((text) => process.stderr.write(text));
  shared = { out, err };
  process.on('exit', () => {
    out.flush();
    err.flush();
  });
  return shared;
}
