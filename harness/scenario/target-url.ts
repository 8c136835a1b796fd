import { isIP } from 'node:net';

/**
 * Targets given by URL: a server the user already runs, which the harness measures without
 * starting anything. Load goes to loopback addresses only, unless the user names the host with
 * `--allow-remote <host>`. Pure: nothing is resolved; `localhost` counts as loopback by name.
 */

export interface UrlProblem {
  message: string;
  fix: string;
}

/** Whether a URL can be a target at all: http only (the load generator speaks plain HTTP). */
export function checkTargetUrl(url: string): UrlProblem | null {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return {
      message: `${JSON.stringify(url)} is not a URL`,
      fix: 'give a full URL such as "http://127.0.0.1:8000/work"',
    };
  }
  if (parsed.protocol !== 'http:')
    return {
      message: `${parsed.protocol.replace(':', '')} URLs are not supported`,
      fix: 'use an http:// URL; put a TLS-terminating proxy in front of an https-only server',
    };
  if (parsed.username !== '' || parsed.password !== '')
    return {
      message: 'the URL carries credentials',
      fix: 'remove the user and password from the URL',
    };
  if (parsed.hash !== '')
    return { message: 'the URL has a #fragment', fix: 'remove the part from "#"' };
  return null;
}

/** The host as written in the URL, without IPv6 brackets, lower case. */
export function hostOf(url: string): string {
  return new URL(url).hostname.replace(/^\[|\]$/g, '').toLowerCase();
}

/** 127.0.0.0/8, ::1, ::ffff:127.x.y.z, and the name localhost. */
export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (h === 'localhost' || h.endsWith('.localhost')) return true;
  if (isIP(h) === 4) return h.startsWith('127.');
  if (isIP(h) === 6) {
    if (h === '::1' || h === '0:0:0:0:0:0:0:1') return true;
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(h);
    return mapped !== null && (mapped[1] ?? '').startsWith('127.');
  }
  return false;
}

/** The hosts of `urls` that are neither loopback nor named in `allowed`, each once. */
export function remoteHostsNotAllowed(
  urls: readonly string[],
  allowed: readonly string[],
): string[] {
  const allow = new Set(allowed.map((h) => h.replace(/^\[|\]$/g, '').toLowerCase()));
  const out: string[] = [];
  for (const url of urls) {
    const host = hostOf(url);
    if (!isLoopbackHost(host) && !allow.has(host) && !out.includes(host)) out.push(host);
  }
  return out;
}
