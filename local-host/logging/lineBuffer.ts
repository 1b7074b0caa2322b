export interface LineBuffer {
  /** Queues one line (without its newline); written at the end of this event-loop turn. */
  write(line: string): void;
  /** Writes everything queued now, synchronously. */
  flush(): void;
}

/**
 * Lines gathered per event-loop turn and written with one call: a write to a pipe is a synchronous
 * syscall per call, and the host logs two lines per invocation. A process killed with SIGKILL can lose
 * the current turn's lines; every exit Node runs handlers for is covered by the caller flushing on 'exit'.
 */
export function createLineBuffer(sink: (text: string) => void): LineBuffer {
  let lines: string[] = [];
  let scheduled: NodeJS.Immediate | undefined;
  const flush = (): void => {
    if (scheduled) clearImmediate(scheduled);
    scheduled = undefined;
    if (lines.length === 0) return;
    const text = `${lines.join('\n')}\n`;
    lines = [];
    sink(text);
  };
  return {
    write(line) {
      lines.push(line);
      // unref: a pending flush never keeps the process alive; the 'exit' flush writes what is left.
      scheduled ??= setImmediate(flush).unref();
    },
    flush,
  };
}
