export interface SendSummary {
  sent: number;
  failed: number;
  durationMs: number;
}

/** One line for humans; --json prints the object instead. */
export function formatSummary(s: SendSummary): string {
  const seconds = s.durationMs / 1000;
  const rate = seconds > 0 ? s.sent / seconds : 0;
  return `Sent ${s.sent} events in ${seconds.toFixed(2)} s (${rate.toFixed(0)} events/s), ${s.failed} failed.`;
}
