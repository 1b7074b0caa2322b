#!/usr/bin/env node
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/** `npm run docs:reference`: writes the generated reference pages. Runs as dist/tools/docs/cli.js. */
const repoRoot = resolve(__dirname, '..', '..', '..');

async function main(): Promise<void> {
  // The route modules register their functions on import; outside a Functions host the library says so, once per route.
  const warn = console.warn;
  console.warn = (...args: unknown[]) => {
    if (!/Skipping call to register function|Failed to detect the Azure Functions runtime/.test(String(args[0])))
      warn(...args);
  };
  const { referenceDocs } = await import('./referenceDocs');
  console.warn = warn;
  for (const [path, text] of Object.entries(referenceDocs())) {
    mkdirSync(dirname(join(repoRoot, path)), { recursive: true });
    writeFileSync(join(repoRoot, path), text);
    process.stdout.write(`wrote ${path}\n`);
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`docs:reference: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exitCode = 1;
});
