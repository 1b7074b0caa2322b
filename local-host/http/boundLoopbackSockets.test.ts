import http from 'node:http';

import { boundLoopbackSockets, MAX_SOCKETS_PER_ORIGIN } from './boundLoopbackSockets';

describe('boundLoopbackSockets', () => {
  const original = http.globalAgent;
  afterEach(() => {
    http.globalAgent = original;
  });

  it('replaces an unbounded default agent with a bounded keep-alive one', () => {
    http.globalAgent = new http.Agent();
    boundLoopbackSockets();
    expect(http.globalAgent.maxSockets).toBe(MAX_SOCKETS_PER_ORIGIN);
    expect((http.globalAgent as http.Agent & { keepAlive: boolean }).keepAlive).toBe(true);
  });

  it('keeps an agent that is already bounded (a second host in the same process)', () => {
    boundLoopbackSockets();
    const first = http.globalAgent;
    boundLoopbackSockets();
    expect(http.globalAgent).toBe(first);
  });
});
