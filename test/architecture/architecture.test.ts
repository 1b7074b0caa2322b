import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

import { TABLE_NAMES } from '../../src/storage/tableNames';
import { repoRoot } from '../support/repoRoot';

/**
 * One definition per cross-function concept: the stream key format, the stream entity's name and operation names, and
 * the table names each live in one file, and the documented path of one event stays a list of distinct, existing files.
 * The checks read the source as text (as the infra tests do), so a second definition anywhere in src/ fails here.
 */

const src = join(repoRoot, 'src');
function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return name.endsWith('.ts') && !name.endsWith('.test.ts') ? [path] : [];
  });
}
const files = sourceFiles(src).map((path) => ({ path: relative(repoRoot, path), text: readFileSync(path, 'utf8') }));
/** The code of a file without its comments, so that prose may name things. */
const code = (text: string) => text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
const filesMatching = (pattern: RegExp) => files.filter((f) => pattern.test(code(f.text))).map((f) => f.path);

const STREAM_KEY = 'src/core/streams/streamKey.ts';
const CONTRACT = 'src/functions/stream/streamContract.ts';
const POLICY = 'src/core/state/streamPolicy.ts';
const ENTITY = 'src/functions/stream/streamEntity.ts';

describe('one definition of the stream key format', () => {
  it('encodes (pipeline, stream) in streamKey.ts only; the entity id is built in the contract only', () => {
    expect(filesMatching(/function encodeStreamKey\b|function decodeStreamKey\b/)).toEqual([STREAM_KEY]);
    // Paging tokens are base64url too, but carry no stream key.
    expect(filesMatching(/'base64url'/).filter((p) => p !== 'src/storage/continuationToken.ts')).toEqual([STREAM_KEY]);
    expect(filesMatching(/new df\.EntityId\(/)).toEqual([CONTRACT]);
  });

  it('never joins a pipeline and a stream into a storage or entity key by hand', () => {
    // Process-local map keys of ingest's caches are not keys of any store or entity, and are not matched here.
    const joined =
      /(?:partitionKey|PartitionKey|entityKey|EntityId|windows\.(?:upsert|query|deleteStream))\([^)]*`\$\{[^}]*pipeline[^}]*\}[|/]/;
    expect(filesMatching(joined)).toEqual([]);
  });
});

describe('one definition of the stream entity and its operations', () => {
  it('names the entity once, in the contract', () => {
    expect(filesMatching(/\bSTREAM_ENTITY\s*=/)).toEqual([CONTRACT]);
    expect(filesMatching(/df\.app\.entity\(\s*['"`]/)).toEqual([]);
  });

  it('defines each operation name once, as a `kind` of the union, and signals only through the contract', () => {
    const operations = /\|\s*\{\s*kind:\s*'(merge|commit|flush|get|reset|delete)'/g;
    const definitions = files.flatMap((f) =>
      [...code(f.text).matchAll(operations)].map((m) => [m[1] as string, f.path] as const),
    );
    const byName = new Map<string, string[]>();
    for (const [name, path] of definitions) byName.set(name, [...(byName.get(name) ?? []), path]);
    expect(Object.fromEntries(byName)).toEqual({
      merge: [POLICY],
      commit: [POLICY],
      flush: [POLICY],
      get: [CONTRACT],
      reset: [CONTRACT],
      delete: [CONTRACT],
    });
    // An operation becomes a durable operation name in one place (signalStream), and is read back in the entity.
    expect(filesMatching(/\.signalEntity\(/)).toEqual([CONTRACT]);
    expect(filesMatching(/\.operationName\b/)).toEqual([ENTITY]);
  });

  it('keeps the contract free of side effects: importing it registers nothing', () => {
    const contract = code(files.find((f) => f.path === CONTRACT)?.text ?? '');
    expect(contract).not.toMatch(/\bapp\.(entity|http|timer|eventHub|activity|orchestration)\(/);
    expect(contract).not.toMatch(/from '\.\/streamEntity'/);
  });
});

describe('one definition of the table names', () => {
  it('writes each table name as a literal in tableNames.ts only', () => {
    const names = Object.values(TABLE_NAMES);
    expect(names.length).toBeGreaterThan(5);
    const storage = files.filter((f) => f.path.startsWith('src/storage/') && f.path !== 'src/storage/tableNames.ts');
    const literal = new RegExp(`['"\`](?:${names.join('|')})['"\`]`);
    expect(storage.filter((f) => literal.test(code(f.text))).map((f) => f.path)).toEqual([]);
    // Anywhere in src/: no table client is made from a literal name.
    expect(filesMatching(/tableClientFor\(\s*['"`]|TableClient\([^)]*,\s*['"`]/)).toEqual([]);
  });
});

describe('the documented path of one event (docs/explanation/architecture.md)', () => {
  const doc = readFileSync(join(repoRoot, 'docs', 'explanation', 'architecture.md'), 'utf8');
  const section = /## The path of one event\n([\s\S]*?)\n## /.exec(doc)?.[1] ?? '';
  const steps = [...section.matchAll(/^\d+\. `([^`]+)`/gm)].map((m) => m[1] as string);

  it('lists about ten source files, each once, each existing', () => {
    expect(steps.length).toBeGreaterThanOrEqual(8);
    expect(steps.length).toBeLessThanOrEqual(14);
    expect(steps.filter((s, i) => steps.indexOf(s) !== i)).toEqual([]);
    expect(steps.filter((s) => !files.some((f) => f.path === s))).toEqual([]);
  });

  it('goes from the trigger to the closed-window row, through the contract, the entity and the policy', () => {
    expect(steps[0]).toBe('src/functions/ingest/ingest.ts');
    expect(steps.at(-1)).toBe('src/storage/table/TableWindowStore.ts');
    const order = [CONTRACT, ENTITY, POLICY].map((p) => steps.indexOf(p));
    expect(order.every((i, k) => i >= 0 && (k === 0 || i > (order[k - 1] as number)))).toBe(true);
  });
});

describe('an entry file per feature folder (src/functions/<feature>/index.ts)', () => {
  /** A module registers a function when its code calls the v4 model's `app.*`, durable-functions' `df.app.*` or shared/entityBatch.ts' `registerBatchedEntity`. */
  const registers =
    /\b(?:(?:df\.)?app\.(?:http|timer|eventHub|generic|storageQueue|activity|orchestration|entity)|registerBatchedEntity)\(/;
  const folders = ['analysis', 'api', 'ingest', 'retention', 'stream', 'replay'];

  it.each(folders)('%s/index.ts imports, in file-name order, exactly the modules of the folder that register', (f) => {
    const dir = `src/functions/${f}/`;
    const registering = files
      .filter((x) => x.path.startsWith(dir) && !x.path.slice(dir.length).includes('/') && registers.test(code(x.text)))
      .map((x) => x.path.slice(dir.length).replace(/\.ts$/, ''))
      .sort();
    const index = files.find((x) => x.path === `${dir}index.ts`);
    if (index === undefined) throw new Error(`expected ${dir}index.ts, found none`);
    const imported = [...code(index.text).matchAll(/^import '\.\/([^']+)';$/gm)].map((m) => m[1]);
    expect(imported).toEqual(registering);
  });

  it('registers nothing itself, so loading it and its modules (package.json "main" globs both) registers each once', () => {
    const entries = files.filter((x) => /^src\/functions\/[^/]+\/index\.ts$/.test(x.path));
    expect(entries.map((x) => x.path).sort()).toEqual(folders.map((f) => `src/functions/${f}/index.ts`).sort());
    expect(entries.filter((x) => registers.test(code(x.text))).map((x) => x.path)).toEqual([]);
  });
});
