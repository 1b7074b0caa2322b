import type { HostLogger } from '../extension';
import type { CoreLogLevel } from './coreTypes';

/** Maps a worker log level onto the host logger (trace/debug only show with --verbose). */
export function toHostLogLevel(level: CoreLogLevel): keyof HostLogger | undefined {
  switch (level) {
    case 'trace':
    case 'debug':
      return 'debug';
    case 'information':
      return 'info';
    case 'warning':
      return 'warn';
    case 'error':
    case 'critical':
      return 'error';
    default:
      return undefined;
  }
}
