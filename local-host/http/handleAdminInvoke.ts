import type { IncomingMessage, ServerResponse } from 'node:http';

import { describeError, requestError } from '../errors';
import type { HostExtension, HostFunction, HostLogger } from '../extension';
import { readBody } from './readBody';
import { sendText } from './sendText';

export interface AdminInvokeDeps {
  functions: readonly HostFunction[];
  owners: ReadonlyMap<string, HostExtension>;
  logger: HostLogger;
  /** Runs a timer-triggered function now (the core owns timers). */
  invokeTimer(fn: HostFunction): Promise<void>;
}

/**
 * `POST /admin/functions/{name}` with `{"input": ...}`, as the Functions host offers for non-HTTP functions:
 * 202 once the invocation is accepted; the run itself continues in the background.
 */
export async function handleAdminInvoke(
  deps: AdminInvokeDeps,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
): Promise<void> {
  const name = decodeURIComponent(url.pathname.replace(/^\/admin\/functions\/?/i, '').replace(/\/+$/, ''));
  if (name === '' || name.includes('/'))
    throw requestError(`Expected POST /admin/functions/{name}, found ${req.method} ${url.pathname}.`, 404);
  if (req.method !== 'POST')
    throw requestError(`Method ${req.method} is not allowed; use POST /admin/functions/${name}.`, 405);
  const fn = deps.functions.find((f) => f.name.toLowerCase() === name.toLowerCase());
  if (!fn) throw requestError(`No function named "${name}" is registered.`, 404);
  const body = await readBody(req);
  let input: unknown;
  if (body.length > 0) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(body.toString('utf8'));
    } catch {
      throw requestError(`Expected a JSON body like {"input": ...}, found: ${body.toString('utf8').slice(0, 100)}`);
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      throw requestError('Expected a JSON object body like {"input": ...}.');
    }
    input = (parsed as { input?: unknown }).input;
  }
  const type = fn.trigger.type.toLowerCase();
  let run: Promise<void>;
  if (type === 'httptrigger') {
    throw requestError(`Function "${fn.name}" is HTTP-triggered; call its route instead of the admin endpoint.`);
  } else if (type === 'timertrigger') {
    run = deps.invokeTimer(fn);
  } else {
    const owner = deps.owners.get(type);
    if (!owner?.invokeByAdmin)
      throw requestError(
        `Function "${fn.name}" (trigger "${fn.trigger.type}") cannot be invoked through the admin endpoint.`,
      );
    run = owner.invokeByAdmin(fn, input);
  }
  // The admin caller only learns that the run was accepted, as with the real host; failures go to the log.
  run.catch((err: unknown) => deps.logger.error(`Admin invocation of "${fn.name}" failed: ${describeError(err)}`));
  sendText(res, 202, '');
}
