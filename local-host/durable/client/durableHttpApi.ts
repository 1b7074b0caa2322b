import { randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';

import { ensureError, isUserError, requestError } from '../../errors';
import type { RouteHandler } from '../../extension';
import type { DurableRuntime } from '../runtime/durableRuntime';
import { entitySchedulerId } from '../runtime/entityId';
import { EventType } from '../runtime/eventType';
import { type InstanceQuery, type RuntimeStatus, terminalStatuses } from '../types';
import { managementUrls, webhookQuery } from './clientBinding';
import { readBody } from './readBody';
import { statusView } from './statusView';

export const durableRoutePrefix = '/runtime/webhooks/durabletask/';

const statuses: readonly RuntimeStatus[] = [
  'Pending',
  'Running',
  'Completed',
  'Failed',
  'Terminated',
  'ContinuedAsNew',
  'Suspended',
];

function send(res: ServerResponse, status: number, body?: unknown, headers: Record<string, string> = {}): void {
  const text = body === undefined ? '' : JSON.stringify(body);
  res.writeHead(status, { ...(text ? { 'Content-Type': 'application/json' } : {}), ...headers });
  res.end(text);
}

/** Where a signal's body comes from: any HTTP caller (checked to be JSON), or durable-functions' own JSON.stringify. */
export type SignalBody = 'untrusted' | 'sdk-json';

/** An empty body is no input; any other is kept as text, checked to be JSON unless it is `sdk-json` (see acceptSignal). */
function jsonOrNull(text: string, what: string, body: SignalBody = 'untrusted'): string | null {
  if (text.trim() === '') return null;
  if (body === 'sdk-json') return text;
  try {
    JSON.parse(text);
  } catch {
    throw requestError(`Expected ${what} to be JSON but found: ${text.slice(0, 100)}`);
  }
  return text;
}

/**
 * POST entities/{name}/{key}?op=: the signal is persisted before this resolves (202 means persisted). Shared by the
 * HTTP route and the in-process transport (inProcessSignals.ts), so both store signals alike. `body` is checked to be
 * JSON unless `bodyIs` is 'sdk-json': the in-process transport's bodies are durable-functions' own
 * `JSON.stringify(input)`, JSON by construction, and parsing each operation input again only to check it cost as much
 * as the entity's own parse of it (docs/explanation/benchmarks.md).
 */
export async function acceptSignal(
  runtime: DurableRuntime,
  name: string,
  key: string,
  operation: string,
  body: string,
  bodyIs: SignalBody = 'untrusted',
): Promise<void> {
  const input = jsonOrNull(body, 'the operation input', bodyIs);
  // Resolves once the signal's (shared, per-turn) transaction committed.
  await runtime.signalEntityBatched(entitySchedulerId(name, key), operation, input);
}

/** An ISO date-time query parameter; a value that is no date is the caller's mistake, not a 500. */
function dateTimeParam(url: URL, name: string): string | undefined {
  const text = url.searchParams.get(name);
  if (!text) return undefined;
  const time = new Date(text);
  if (Number.isNaN(time.getTime()))
    throw requestError(`Expected ${name} to be a date-time like 2024-05-01T10:00:00Z but found '${text}'`);
  return time.toISOString();
}

function flag(url: URL, name: string, fallback: boolean): boolean {
  const v = url.searchParams.get(name);
  return v === null ? fallback : v.toLowerCase() === 'true';
}

function instanceQuery(url: URL): InstanceQuery {
  const q: InstanceQuery = {};
  const from = dateTimeParam(url, 'createdTimeFrom');
  const to = dateTimeParam(url, 'createdTimeTo');
  const status = url.searchParams.get('runtimeStatus');
  const prefix = url.searchParams.get('instanceIdPrefix');
  if (from) q.createdTimeFrom = from;
  if (to) q.createdTimeTo = to;
  if (prefix) q.instanceIdPrefix = prefix;
  if (status) {
    q.runtimeStatus = status.split(',').map((s) => {
      const match = statuses.find((x) => x.toLowerCase() === s.trim().toLowerCase());
      if (!match) throw requestError(`Expected runtimeStatus values among ${statuses.join(', ')} but found '${s}'`);
      return match;
    });
  }
  return q;
}

/**
 * The Durable extension's HTTP API, as far as durable-functions' DurableClient uses it (paths relative
 * to rpcBaseUrl; management URLs resolve to the same paths with extra query parameters).
 */
export function durableHttpApi(
  runtime: DurableRuntime,
  taskHubName: string,
  origin: () => string,
  systemKey?: string,
): RouteHandler {
  return async (req, res, url) => {
    try {
      const parts = url.pathname.slice(durableRoutePrefix.length).split('/').map(decodeURIComponent);
      const method = (req.method ?? 'GET').toUpperCase();
      const [area, a, b, c] = parts;
      const base = `${origin()}/runtime/webhooks/durabletask`;
      const query = webhookQuery(taskHubName, systemKey);

      if (area === 'orchestrators' && method === 'POST' && a) {
        const fn = runtime.findFunction('orchestrationTrigger', a);
        if (!fn) return send(res, 400, { error: `No orchestrator function named '${a}' is registered` });
        const instanceId = b || randomUUID().replace(/-/g, '');
        const input = jsonOrNull(await readBody(req), 'the orchestration input');
        const existing = runtime.store.getInstance(instanceId);
        if (existing && !terminalStatuses.includes(existing.status)) {
          return send(res, 409, {
            error: `An instance with ID '${instanceId}' already exists and is ${existing.status}`,
          });
        }
        runtime.startOrchestration(fn.name, instanceId, input);
        const links = managementUrls(base, query, instanceId);
        return send(res, 202, links, { Location: links.statusQueryGetUri as string, 'Retry-After': '1' });
      }

      if (area === 'instances') {
        if (!a) {
          const q = instanceQuery(url);
          if (method === 'GET') return listInstances(q);
          if (method === 'DELETE') {
            const found = runtime.store.queryInstances(q).filter((r) => terminalStatuses.includes(r.status));
            if (found.length === 0) return send(res, 404, { instancesDeleted: 0 });
            runtime.commit({ deleteInstances: found.map((r) => r.instanceId) });
            return send(res, 200, { instancesDeleted: found.length });
          }
        }
        const record = a ? runtime.store.getInstance(a) : undefined;
        if (a && !b && method === 'GET') {
          if (!record) return send(res, 404, { error: `No instance with ID '${a}' found.` });
          const view = statusView(record, {
            showInput: flag(url, 'showInput', true),
            showHistory: flag(url, 'showHistory', false),
            showHistoryOutput: flag(url, 'showHistoryOutput', false),
          });
          const done = terminalStatuses.includes(record.status);
          return send(
            res,
            done ? 200 : 202,
            view,
            done ? {} : { Location: managementUrls(base, query, a).statusQueryGetUri as string, 'Retry-After': '1' },
          );
        }
        if (a && !b && method === 'DELETE') {
          if (!record) return send(res, 404, { instancesDeleted: 0 });
          runtime.commit({ deleteInstances: [a] });
          return send(res, 200, { instancesDeleted: 1 });
        }
        if (a && b && method === 'POST') {
          if (!record) return send(res, 404, { error: `No instance with ID '${a}' found.` });
          const terminal = terminalStatuses.includes(record.status);
          if (b === 'raiseEvent' && c) {
            const input = jsonOrNull(await readBody(req), 'the event data');
            if (terminal) return send(res, 410, { error: `Instance '${a}' is ${record.status}` });
            runtime.sendToOrchestration({
              kind: 'orchestration',
              instanceId: a,
              event: { EventType: EventType.EventRaised, Name: c, Input: input },
            });
            return send(res, 202);
          }
          if (b === 'terminate' || b === 'suspend' || b === 'resume') {
            if (terminal) return send(res, 410, { error: `Instance '${a}' is ${record.status}` });
            runtime.sendToOrchestration({
              kind: 'orchestration',
              instanceId: a,
              control: b,
              reason: url.searchParams.get('reason') ?? '',
            });
            return send(res, 202);
          }
          if (b === 'rewind' || b === 'restart') return send(res, 501, `${b} is not supported by the local host`);
        }
      }

      // The SDK does not encode entity keys, so a key with "/" spans the remaining segments.
      const entityKey = parts.slice(2).join('/');
      if (area === 'entities' && a && entityKey) {
        const entityId = entitySchedulerId(a, entityKey);
        if (method === 'POST') {
          await acceptSignal(runtime, a, entityKey, url.searchParams.get('op') ?? '', await readBody(req));
          return send(res, 202);
        }
        if (method === 'GET') {
          const entity = runtime.store.getEntity(entityId);
          if (!entity) return send(res, 404, { error: `Entity '${entityId}' does not exist` });
          res.writeHead(200, { 'Content-Type': 'application/json' });
          return void res.end(entity.state ?? 'null');
        }
      }
      send(res, 404, { error: `No durable API route for ${method} ${url.pathname}` });
    } catch (err) {
      if (isUserError(err)) return send(res, err.status, { error: err.message });
      send(res, 500, { error: ensureError(err).message });
    }

    function listInstances(q: InstanceQuery): void {
      const all = runtime.store.queryInstances(q);
      const top = Number(url.searchParams.get('top') ?? '0');
      const token = req.headers['x-ms-continuation-token'];
      const offset =
        typeof token === 'string' && token ? Number(Buffer.from(token, 'base64').toString('utf8')) || 0 : 0;
      const page = top > 0 ? all.slice(offset, offset + top) : all.slice(offset);
      const headers: Record<string, string> = {};
      if (top > 0 && offset + top < all.length)
        headers['x-ms-continuation-token'] = Buffer.from(String(offset + top)).toString('base64');
      const opts = { showInput: flag(url, 'showInput', false), showHistory: false, showHistoryOutput: false };
      send(
        res,
        200,
        page.map((r) => statusView(r, opts)),
        headers,
      );
    }
  };
}
