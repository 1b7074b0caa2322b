/** NDJSON (one JSON value per line; blank lines skipped) -> values, naming the line of any bad JSON. */
export function parseNdjson(text: string): unknown[] {
  const values: unknown[] = [];
  text.split(/\r?\n/).forEach((line, i) => {
    if (line.trim() === '') return;
    try {
      values.push(JSON.parse(line));
    } catch (err) {
      throw new Error(
        `NDJSON line ${i + 1} is not JSON (${(err as Error).message}): ${JSON.stringify(line.slice(0, 80))}`,
      );
    }
  });
  return values;
}
