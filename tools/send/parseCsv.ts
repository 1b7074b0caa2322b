/**
 * RFC 4180 CSV (quoted fields, doubled quotes, CRLF or LF) with a header row -> records. Cells that are
 * numbers become numbers; empty cells are left out.
 */
export function parseCsv(text: string): Record<string, string | number>[] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  let i = 0;
  const endField = (): void => {
    row.push(field);
    field = '';
  };
  while (i < text.length) {
    const ch = text[i] as string;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"';
        i += 2;
        continue;
      }
      if (ch === '"') quoted = false;
      else field += ch;
      i++;
      continue;
    }
    if (ch === '"' && field === '') quoted = true;
    else if (ch === ',') endField();
    else if (ch === '\n' || ch === '\r') {
      endField();
      if (row.some((f) => f !== '')) rows.push(row);
      row = [];
      if (ch === '\r' && text[i + 1] === '\n') i++;
    } else field += ch;
    i++;
  }
  if (quoted) throw new Error('CSV ends inside a quoted field (a " is not closed).');
  endField();
  if (row.some((f) => f !== '')) rows.push(row);
  const [header, ...body] = rows;
  if (!header) return [];
  return body.map((cells, r) => {
    if (cells.length > header.length)
      throw new Error(`CSV row ${r + 2} has ${cells.length} fields but the header has ${header.length}.`);
    const record: Record<string, string | number> = {};
    header.forEach((name, c) => {
      const cell = cells[c];
      if (cell === undefined || cell === '') return;
      const n = Number(cell);
      record[name] = cell.trim() !== '' && Number.isFinite(n) ? n : cell;
    });
    return record;
  });
}
