import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { HOST_NODE_FLAGS } from './hostNodeFlags';

const repo = join(__dirname, '..');

describe('HOST_NODE_FLAGS', () => {
  it('sets a young generation larger than V8’s default, in a form node accepts', () => {
    expect(HOST_NODE_FLAGS).toEqual([expect.stringMatching(/^--max-semi-space-size=(\d+)$/)]);
    expect(Number(/=(\d+)$/.exec(HOST_NODE_FLAGS[0] as string)?.[1])).toBeGreaterThan(16);
  });

  it('are the flags `npm run local` runs node with', () => {
    const scripts = (
      JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')) as { scripts: Record<string, string> }
    ).scripts;
    expect(scripts['local']).toBe(`npm run build && node ${HOST_NODE_FLAGS.join(' ')} dist/tools/local/cli.js`);
  });

  it('are the node worker’s arguments on Azure (languageWorkers__node__arguments in the function app’s settings)', () => {
    const bicep = readFileSync(join(repo, 'infra', 'modules', 'functionApp.bicep'), 'utf8');
    const set = [...bicep.matchAll(/^\s*languageWorkers__node__arguments:\s*'([^']*)'\s*$/gm)].map((m) => m[1]);
    expect(set).toEqual([HOST_NODE_FLAGS.join(' ')]);
    expect(bicep).toMatch(/var appSettings = union\([^)]*\bworkerSettings\b[^)]*\)/);
  });
});
