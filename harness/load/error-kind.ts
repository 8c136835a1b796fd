/**
 * Every failed request is put in one class, so that summaries can say what went wrong:
 *   refused   the connection was refused (nothing listening, backlog overflow with RST)
 *   reset     the connection was reset or closed before the response ended
 *   timeout   connect, headers or body took longer than the scenario allows
 *   http-5xx  the server answered with a 5xx status (balancer 503, worker timeout 502, ...)
 *   http-4xx  the server answered with a 4xx status
 *   aborted   the harness stopped the request (interrupt, run time limit)
 *   other     anything else, with its message kept
 */
export type ErrorKind =
  | 'refused'
  | 'reset'
  | 'timeout'
  | 'http-5xx'
  | 'http-4xx'
  | 'aborted'
  | 'other';

export const ERROR_KINDS: readonly ErrorKind[] = [
  'refused',
  'reset',
  'timeout',
  'http-5xx',
  'http-4xx',
  'aborted',
  'other',
];

const BY_CODE: Record<string, ErrorKind> = {
  ECONNREFUSED: 'refused',
  ECONNRESET: 'reset',
  EPIPE: 'reset',
  UND_ERR_SOCKET: 'reset',
  UND_ERR_CLOSED: 'reset',
  ETIMEDOUT: 'timeout',
  UND_ERR_CONNECT_TIMEOUT: 'timeout',
  UND_ERR_HEADERS_TIMEOUT: 'timeout',
  UND_ERR_BODY_TIMEOUT: 'timeout',
  UND_ERR_ABORTED: 'aborted',
  UND_ERR_DESTROYED: 'aborted',
  ABORT_ERR: 'aborted',
};

/** Classifies a client-side error by its code, looking through `cause` chains. */
export function classifyError(error: unknown): ErrorKind {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && current !== null && typeof current === 'object'; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && code in BY_CODE) return BY_CODE[code] as ErrorKind;
    current = (current as { cause?: unknown }).cause;
  }
  return 'other';
}

/** The class of a response status, or null when it is a success. */
export function classifyStatus(status: number): ErrorKind | null {
  if (status >= 500) return 'http-5xx';
  if (status >= 400) return 'http-4xx';
  return null;
}
