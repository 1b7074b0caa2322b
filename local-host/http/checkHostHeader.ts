/**
 * DNS-rebinding protection: a page on evil.example whose name is re-pointed at 127.0.0.1 reaches the host with
 * `Host: evil.example`, so only names that cannot be re-pointed by anyone else are accepted: `localhost`, 127.0.0.0/8,
 * `[::1]` (any port: the host listens on loopback only), plus the names the user allowed (`--allowed-host`,
 * LOCAL_HOST_ALLOWED_HOSTS), each either `name` (any port) or `name:port`.
 */
export type HostVerdict = { ok: true; host: string } | { ok: false; status: 400 | 421; detail: string };

// A reg-name or IPv4 address, or a bracketed IPv6 literal, then an optional port. Anything else (spaces, userinfo,
// paths) is malformed and must never reach `new URL`.
const hostPattern = /^(\[[0-9a-f:.]+\]|[a-z0-9](?:[a-z0-9.-]*[a-z0-9])?\.?)(?::(\d{1,5}))?$/i;

function isLoopbackName(name: string): boolean {
  if (name === 'localhost' || name === '[::1]') return true;
  const octets = /^127\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(name);
  return octets !== null && octets.slice(1).every((o) => Number(o) <= 255);
}

/** Normalises one allowed-host entry ('Name', 'name:8080'); throws on anything that is not host[:port]. */
export function parseAllowedHost(entry: string): string {
  const trimmed = entry.trim().toLowerCase();
  const m = hostPattern.exec(trimmed);
  if (!m || (m[2] !== undefined && Number(m[2]) > 65535))
    throw new Error(
      `expected an allowed host as name or name:port (e.g. devbox or devbox:7071), found ${JSON.stringify(entry)}`,
    );
  return m[1]!.replace(/\.$/, '') + (m[2] === undefined ? '' : `:${Number(m[2])}`);
}

export function checkHostHeader(value: string | undefined, allowedHosts: readonly string[]): HostVerdict {
  // HTTP/1.0 clients may omit Host (Node refuses HTTP/1.1 requests without one); they are local tools, not browsers.
  if (value === undefined || value === '') return { ok: true, host: 'localhost' };
  const m = hostPattern.exec(value);
  const port = m?.[2] === undefined ? undefined : Number(m[2]);
  if (!m || (port !== undefined && port > 65535)) {
    return {
      ok: false,
      status: 400,
      detail: `The Host header must be host[:port]; found ${JSON.stringify(value.slice(0, 200))}.`,
    };
  }
  const name = m[1]!.toLowerCase().replace(/\.$/, '');
  if (
    isLoopbackName(name) ||
    allowedHosts.includes(name) ||
    (port !== undefined && allowedHosts.includes(`${name}:${port}`))
  ) {
    return { ok: true, host: port === undefined ? name : `${name}:${port}` };
  }
  return {
    ok: false,
    status: 421,
    detail:
      `The local host answers only to localhost, 127.0.0.0/8 and [::1] (DNS-rebinding protection); found Host ${JSON.stringify(value)}. ` +
      'Allow another name with --allowed-host <name> or the LOCAL_HOST_ALLOWED_HOSTS setting.',
  };
}
