import { httpRegistrations } from '../support/httpRegistrations';

/**
 * Least privilege, read from the code as text (like the infra tests), so a route added later is checked too: every
 * route that can write (any method but GET/HEAD, except the listed POSTs that store nothing) needs the host's master key (`authLevel: 'admin'`); reads take a
 * function key; only /api/health and /api/openapi.json (the API's description, which holds no secret) are anonymous.
 */
const ANONYMOUS = new Set(['health', 'getOpenApi', 'dashboard']);
/** POSTs that store nothing: a function key, like a read (testPipeline runs a definition on sample events only). */
const READ_ONLY_POSTS = new Set(['testPipeline']);

const all = httpRegistrations();

describe('HTTP routes: least privilege', () => {
  it('finds the routes (the reader still understands the code)', () => {
    expect(all.map((r) => r.name)).toEqual(
      expect.arrayContaining(['putPipeline', 'deletePipeline', 'startAnalysis', 'listStreams', 'health', 'getOpenApi']),
    );
    for (const r of all) expect(r.methods.length).toBeGreaterThan(0);
  });

  it.each(all.map((r) => [r.name, r] as const))('%s declares the auth level its methods need', (_name, r) => {
    const writes = r.methods.some((m) => m !== 'GET' && m !== 'HEAD') && !READ_ONLY_POSTS.has(r.name);
    const expected = writes ? 'admin' : ANONYMOUS.has(r.name) ? 'anonymous' : 'function';
    expect(`${r.file} ${r.name} [${r.methods.join(',')}]: authLevel ${r.authLevel}`).toBe(
      `${r.file} ${r.name} [${r.methods.join(',')}]: authLevel ${expected}`,
    );
  });
});
