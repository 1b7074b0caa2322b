/** JSON text of an SDK action input: the SDK already JSON-encodes string inputs (Utils.processInput) but not others. */
export function actionInputText(input: unknown): string {
  if (typeof input === 'string') return input;
  return input === undefined ? 'null' : JSON.stringify(input);
}

/** JSON text of a value that was never pre-encoded (sub-orchestration and entity inputs). */
export function jsonText(value: unknown): string {
  return value === undefined ? 'null' : JSON.stringify(value);
}

/** Parses JSON text, giving undefined for null/empty. */
export function parseJsonText(text: string | null | undefined): unknown {
  if (text === null || text === undefined || text === '') return undefined;
  return JSON.parse(text);
}
