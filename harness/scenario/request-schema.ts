import { z } from 'zod';
import type { RequestSpec } from './types.js';

/**
 * The scenario's `request` (issue 15): what each request to a real app looks like, for
 * topologies that run the user's own app (`app`) or load a server given by `url` (`--url`).
 * The emulated servers and the bundled apps keep their own `/work?ms=...` requests, which carry
 * each request's service time. schema.ts spreads REQUEST_FIELDS into the scenario; validate.ts
 * takes requestOf's result. scenarios/README.md ("`request`") documents every field.
 */

export const HTTP_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const;

/** Statuses: a whole number from 100 to 599, or a class such as "2xx". */
const status = z.union([
  z.number().int().min(100).max(599),
  z.string().regex(/^[1-5]xx$/, 'a class such as "2xx"'),
]);

const requestPath = z
  .string()
  .max(8000)
  .regex(/^\/[^\s#]*$/, 'a path starting with "/", with its query if any, such as "/items?page=2"');

export const requestSchema = z
  .strictObject({
    method: z.enum(HTTP_METHODS).default('GET'),
    path: requestPath.optional(),
    paths: z
      .array(
        z.strictObject({ path: requestPath, weight: z.number().gt(0).max(1_000_000).default(1) }),
      )
      .min(1)
      .max(1000)
      .optional(),
    headers: z
      .record(z.string().regex(/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/), z.string().max(8000))
      .default({}),
    body: z.string().max(1_000_000).optional(),
    json: z.unknown().optional(),
    success: z.array(status).min(1).max(100).optional(),
  })
  .superRefine((r, ctx) => {
    const issue = (path: string, message: string, fix: string): void =>
      ctx.addIssue({ code: 'custom', path: [path], message, params: { fix } });
    if (r.path !== undefined && r.paths !== undefined)
      issue(
        'paths',
        '"path" and "paths" both say where requests go',
        'keep one: "path" for one, "paths" for several with weights',
      );
    if (r.body !== undefined && r.json !== undefined)
      issue(
        'json',
        '"body" and "json" both give the body',
        'keep one: "json" sends it as application/json',
      );
    if (
      (r.body !== undefined || r.json !== undefined) &&
      (r.method === 'GET' || r.method === 'HEAD')
    )
      issue(
        'method',
        `a ${r.method} request has no body`,
        'use "POST", "PUT" or "PATCH", or remove the body',
      );
    for (const name of Object.keys(r.headers)) {
      const lower = name.toLowerCase();
      if (['host', 'content-length', 'transfer-encoding', 'connection'].includes(lower))
        issue('headers', `${name} is set by the load generator`, `remove "${name}"`);
    }
  });

export const REQUEST_FIELDS = { request: requestSchema.optional() };

/** `[low, high]` status ranges, inclusive, from "2xx" and single statuses. */
function ranges(success: ReadonlyArray<number | string>): Array<[number, number]> {
  return success.map((s) => {
    if (typeof s === 'number') return [s, s];
    const hundred = Number(s[0]) * 100;
    return [hundred, hundred + 99];
  });
}

/** The scenario's request as the load generator takes it. */
export function requestOf(parsed: z.output<typeof requestSchema>): RequestSpec {
  const headers = { ...parsed.headers };
  let body: string | null = parsed.body ?? null;
  if (parsed.json !== undefined) {
    body = JSON.stringify(parsed.json);
    if (!Object.keys(headers).some((h) => h.toLowerCase() === 'content-type'))
      headers['content-type'] = 'application/json';
  }
  const spec: RequestSpec = {
    method: parsed.method,
    headers,
    body,
    success: parsed.success === undefined ? null : ranges(parsed.success),
  };
  if (parsed.path !== undefined) spec.paths = [{ path: parsed.path, weight: 1 }];
  if (parsed.paths !== undefined)
    spec.paths = parsed.paths.map((p) => ({ path: p.path, weight: p.weight }));
  return spec;
}

export const REQUEST_FIELD_HELP: Record<string, string> = {
  request:
    'what each request to your own app or a URL looks like, such as { "method": "POST", "path": "/orders", "json": { "item": 1 } }',
  'request.method': `one of ${HTTP_METHODS.map((m) => `"${m}"`).join(', ')} (default "GET")`,
  'request.path': 'the path and query every request asks for, such as "/items?page=2"',
  'request.paths':
    'several paths with weights, such as [{ "path": "/", "weight": 3 }, { "path": "/slow", "weight": 1 }]; each request draws one (seeded by model.seed)',
  'request.paths[].path': 'a path starting with "/"',
  'request.paths[].weight':
    'a number above 0: how often this path is drawn against the others (default 1)',
  'request.headers':
    'an object of header names and values, such as { "authorization": "Bearer t" }',
  'request.body': 'the body as text (with "method" "POST", "PUT" or "PATCH")',
  'request.json': 'the body as JSON, sent with content-type application/json',
  'request.success':
    'the statuses that count as success, such as [200, 201, "3xx"] (default: every status below 400)',
};
