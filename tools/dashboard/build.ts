#!/usr/bin/env node
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';

import { build } from 'esbuild';

/** Runs as dist/tools/dashboard/build.js (`npm run build`, after tsc); writes dist/dashboard. */
const repoRoot = resolve(__dirname, '..', '..', '..');
const outDir = join(repoRoot, 'dist', 'dashboard');

/** The page: the hashed bundle names, no inline script (the Content-Security-Policy allows this origin's files only). */
export function indexHtml(js: string, css: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<title>Streamfold</title>
<link rel="stylesheet" href="/api/dashboard/assets/${css}">
<script type="module" src="/api/dashboard/assets/${js}"></script>
</head>
<body><div id="app"><p class="boot">Loading the Streamfold dashboard…</p></div></body>
</html>
`;
}

export async function buildDashboard(): Promise<{ js: string; css: string }> {
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(join(outDir, 'assets'), { recursive: true });
  const result = await build({
    entryPoints: [join(repoRoot, 'src', 'dashboard', 'main.ts')],
    bundle: true,
    minify: true,
    format: 'esm',
    target: ['es2020'],
    outdir: join(outDir, 'assets'),
    entryNames: '[name]-[hash]',
    metafile: true,
    logLevel: 'warning',
    legalComments: 'none',
  });
  const outputs = Object.keys(result.metafile.outputs).map((f) => basename(f));
  const js = outputs.find((f) => f.endsWith('.js'));
  const css = outputs.find((f) => f.endsWith('.css'));
  if (js === undefined || css === undefined)
    throw new Error(`dashboard build: expected a .js and a .css bundle, found ${outputs.join(', ')}`);
  writeFileSync(join(outDir, 'index.html'), indexHtml(js, css));
  return { js, css };
}

if (require.main === module) {
  buildDashboard().catch((err: unknown) => {
    process.stderr.write(`dashboard build failed: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  });
}
