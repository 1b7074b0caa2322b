import { ensureError } from '../../errors';

const outOfProcDataLabel = '\n\n$OutOfProcData$:';

/**
 * The message an orchestrator failed with. The SDK throws "<x>\n\n$OutOfProcData$:<OrchestratorState JSON>"
 * whose `error` holds the user's error message; anything else is reported as is.
 */
export function orchestratorFailure(err: unknown): { message: string; details?: string } {
  const text = ensureError(err).message;
  const details = err instanceof Error ? err.stack : undefined;
  const at = text.indexOf(outOfProcDataLabel);
  if (at >= 0) {
    try {
      const state = JSON.parse(text.slice(at + outOfProcDataLabel.length)) as { error?: unknown };
      if (typeof state.error === 'string') return { message: state.error, ...(details ? { details } : {}) };
    } catch {
      // fall through to the raw text
    }
  }
  return { message: text, ...(details ? { details } : {}) };
}

/** TaskFailed fields for an activity that threw. */
export function activityFailure(err: unknown): Record<string, unknown> {
  const error = ensureError(err);
  return {
    Reason: error.message,
    Details: error.stack ?? '',
    FailureDetails: { ErrorType: error.name || 'Error', ErrorMessage: error.message, StackTrace: error.stack },
  };
}
