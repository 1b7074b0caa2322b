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

/** How the host's invocation-complete line starts (local-host/app/invokeRegistered.ts). */
const invocationEnd = "Executed '";

/** One line per message, `[ISO time] message`, like `func start`; warnings and errors on stderr. */
export function createConsoleLogger(options: ConsoleLoggerOptions): HostLogger {
  const lines = options.out && options.err ? undefined : processLines();
  const out = options.out ?? ((line: string) => lines?.out.write(line));
  // The end of an invocation writes what it logged before its result goes anywhere (an HTTP response, the
  // next hop): callers and tests read an invocation's log lines once they have its answer. Still one write
  // per invocation instead of one per line.
  const endOfInvocation = (message: string): void => {
    if (lines && !options.out && message.startsWith(invocationEnd)) lines.out.flush();
  };
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
    info: (message) => {
      out(format(message));
      endOfInvocation(message);
    },
    warn: (message) => err(format(message, 'warning: ')),
    error: (message) => err(format(message, 'error: ')),
  };
}
