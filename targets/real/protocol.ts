import type { BalancerPolicy, InstanceConfig } from '../protocol.js';

/**
 * The real servers the harness can launch (Debian's packages), each beside the emulated kind it
 * stands for:
 *
 *   werkzeug          Flask's development server, threaded=False       ~ flask-dev
 *   gunicorn-sync     gunicorn --worker-class sync                     ~ sync
 *   gunicorn-gthread  gunicorn --worker-class gthread                  ~ gthread
 *   gunicorn-uvicorn  gunicorn --worker-class uvicorn.workers.UvicornWorker
 *   uvicorn           uvicorn --workers N
 *
 *   harness ──fork──► launcher (server.ts) ──spawn──► setpriv ─exec─► python: the server
 *           ──fork──► launcher (haproxy.ts) ──spawn──► setpriv ─exec─► haproxy ──TCP──► replicas
 */
export { ENDPOINTS, type Endpoint, REAL_KINDS, type RealKind } from '../../harness/vocabulary.js';

import { type Endpoint, REAL_KINDS, type RealKind } from '../../harness/vocabulary.js';

export function isRealKind(kind: string): kind is RealKind {
  return (REAL_KINDS as readonly string[]).includes(kind);
}

/** Whether the kind serves the ASGI app (FastAPI) rather than the WSGI one (Flask). */
export function isAsgiKind(kind: RealKind): boolean {
  return kind === 'uvicorn' || kind === 'gunicorn-uvicorn';
}

/** Start-up configuration of one real server instance (a replica), as JSON in argv[2]. */
export interface RealServerConfig extends InstanceConfig {
  kind: RealKind;
  endpoint: Endpoint;
  /** The Python interpreter with the server packages (Debian's /usr/bin/python3). */
  python: string;
}

/** Start-up configuration of haproxy in front of the replicas. */
export interface HaproxyConfig {
  host: string;
  port: number;
  backlog: number;
  policy: BalancerPolicy;
  backends: Array<{ host: string; port: number }>;
  /** Real milliseconds haproxy lets a connection be idle on either side before it closes it. */
  idleTimeoutMs: number;
  /**
   * Client connections haproxy holds at once (`maxconn`); beyond it haproxy stops accepting.
   * Each takes two descriptors, which the process's file limit must allow.
   */
  maxConnections: number;
  haproxy: string;
}
