import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import { referenceDocs } from '../../tools/docs/referenceDocs';
import { repoRoot } from '../support/repoRoot';

/** The generated reference pages are regenerated in memory and compared with the committed ones. */
const pages = Object.entries(referenceDocs());

describe('generated reference docs', () => {
  it('generates the four pages', () => {
    expect(pages.map(([path]) => path).sort()).toEqual([
      'docs/reference/cli.md',
      'docs/reference/http-api.md',
      'docs/reference/pipeline.md',
      'docs/reference/settings.md',
    ]);
  });

  it.each(pages)('%s is up to date (else run `npm run docs:reference`)', (path, text) => {
    const file = join(repoRoot, path);
    const committed = existsSync(file) ? readFileSync(file, 'utf8') : '(missing)';
    // Compared as a verdict first, so a stale page fails with the instruction rather than only a long diff.
    expect(committed === text ? 'up to date' : `${path} is stale: run npm run docs:reference`).toBe('up to date');
  });

  it('links the HTTP reference to the served OpenAPI document and names no machine path', () => {
    const http = pages.find(([path]) => path.endsWith('http-api.md'))?.[1] ?? '';
    expect(http).toContain('`GET /api/openapi.json`');
    for (const [path, text] of pages)
      expect(`${path}: ${/(?:^|[\s(`])\/(?:home|tmp|work|Users|var)\//m.test(text)}`).toBe(`${path}: false`);
  });
});
