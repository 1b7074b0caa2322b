import type { HostLogger } from '../extension';

export interface ConsoleLoggerOptions {
  /** Print debug messages (host internals). */
  verbose: boolean;
  /** Where lines go; stdout/stderr by default. */
  out?: (line: string) => void;
  err?: (line: string) => void;
  now?: () => Date;
}

/** One line per message, `[ISO time] message`, like `func start`; warnings and errors on stderr. */
export function createConsoleLogger(options: ConsoleLoggerOptions): HostLogger {
  const out = options.out ?? ((line: string) => process.stdout.write(`${line}\n`));
  const err = options.err ?? ((line: string) => process.stderr.write(`${line}\n`));
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
