import http from 'node:http';

/** Sockets per origin for the app's outbound HTTP through Node's default agent. */
export const MAX_SOCKETS_PER_ORIGIN = 64;

/**
 * Gives the process a keep-alive default agent with a bounded socket count per origin.
 *
 * Why: the app runs in the host's own process, and its durable client talks to the host over loopback HTTP through
 * Node's default agent, which opens a socket per concurrent request without limit. An ingest batch signals ~100
 * entities at once, four partitions at a time; with several hundred loopback connections opening together, some
 * requests stalled for 1-6 s on the client side (measured: the host answered each in < 150 ms), holding their
 * partition back and pushing p99 send-to-visible latency from ~1.5 s to 5-7 s at 10,000 events/s. A cap of 64 removed
 * the stalls. Under the real Functions host the app has its own process, so this is the local host's concern.
 */
export function boundLoopbackSockets(): void {
  const current = http.globalAgent as http.Agent & { maxSockets: number };
  if (current.maxSockets === MAX_SOCKETS_PER_ORIGIN) return;
  http.globalAgent = new http.Agent({
    keepAlive: true,
    maxSockets: MAX_SOCKETS_PER_ORIGIN,
    maxFreeSockets: MAX_SOCKETS_PER_ORIGIN,
  });
}
