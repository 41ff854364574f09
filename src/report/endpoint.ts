/**
 * THE endpoint formatter: host:port, with brackets for IPv6 literals (RFC 3986 §3.2.2). Pure
 * and import-free, so gatherers, rules and renderers all name an address the same way.
 */
export function endpointOf(host: string, port: number): string {
  // Host names never contain ':'; an IPv6 literal always does.
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}
