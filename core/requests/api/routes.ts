import { quoted } from '#core/runtime/quoted';
import { pathIds } from '../events-in';
import { type ApiRefusal, refusal } from './answers';
import type { UrlRequest } from './url-event';

/** What a call asks for, with the request id or user its path names, checked. */
export type Route =
  | { readonly name: 'request' | 'list' }
  | { readonly name: 'approve' | 'deny' | 'revoke'; readonly requestId: string }
  | { readonly name: 'suspend' | 'reinstate'; readonly user: string };

const ROUTES =
  'POST /requests, GET /requests?status=pending|open, POST /requests/{id}/approve|deny|revoke, POST /users/{user}/suspend|reinstate';

const ON_REQUEST = /^\/requests\/([^/]+)\/(approve|deny|revoke)\/?$/;
const ON_USER = /^\/users\/([^/]+)\/(suspend|reinstate)\/?$/;

/** The route the call's method and path name, or why there is none (404) or its id is no id (400). */
export function routeOf({ method, path }: UrlRequest): Route | ApiRefusal {
  if (/^\/requests\/?$/.test(path)) {
    if (method === 'POST') return { name: 'request' };
    if (method === 'GET') return { name: 'list' };
  }
  const onRequest = method === 'POST' ? ON_REQUEST.exec(path) : null;
  if (onRequest) {
    const id = idFrom(onRequest[1], pathIds.requestId, 'a request id');
    if (typeof id !== 'string') return id;
    return { name: onRequest[2] as 'approve' | 'deny' | 'revoke', requestId: id };
  }
  const onUser = method === 'POST' ? ON_USER.exec(path) : null;
  if (onUser) {
    const user = idFrom(onUser[1], pathIds.user, 'a user id');
    if (typeof user !== 'string') return user;
    return { name: onUser[2] as 'suspend' | 'reinstate', user };
  }
  return refusal(404, `no route ${quoted(`${method} ${path}`)}; the routes are ${ROUTES}`);
}

function idFrom(
  raw: string | undefined,
  schema: (typeof pathIds)[keyof typeof pathIds],
  what: string,
): string | ApiRefusal {
  let id: string;
  try {
    id = decodeURIComponent(raw ?? '');
  } catch {
    return refusal(
      400,
      `path segment ${quoted(raw ?? '')} is not ${what}: it is not percent-encoded correctly`,
    );
  }
  const parsed = schema.safeParse(id);
  if (parsed.success) return parsed.data;
  return refusal(400, `path segment ${quoted(id)} is not ${what}: ${parsed.error.issues[0]?.message}`);
}
