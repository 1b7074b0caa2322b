import type { HostLogger } from '../extension';
import { processLines } from './processLines';

export interface ConsoleLoggerOptions {
  /** Print debug messages (host internals). */
  verbose: boolean;
  /** Where lines go; buffered stdout/stderr (one write per event-loop turn) by default. */
  out?: (line: string) => void;
  err?: (line: string) => void;
  now?: () => Date;
}

/** One line per message, `[ISO time] message`, like `func start`; warnings and errors on stderr. */
export function createConsoleLogger(options: ConsoleLoggerOptions): HostLogger {
  const lines = options.out && options.err ? undefined : processLines();
  const out = options.out ?? ((line: string) => lines?.out.write(line));
  const err =
    options.err ??
    ((line: string) => {
      // A problem may come right before a crash: write it (and what preceded it on stdout) now.
      lines?.out.flush();
      lines?.err.write(line);
      lines?.err.flush();
    });
  const now = options.now ?? (() => new Date());
  const format = (message: string, tag = ''): string => `[${now().toISOString()}] ${tag}${message}`;
  return {
    debug: (message) => {
      if (options.verbose) out(format(message, 'debug: '));
    },
    info: (message) => out(format(message)),
    warn: (message) => err(format(message, 'warning: ')),
    error: (message) => err(format(message, 'error: ')),
  };
}
