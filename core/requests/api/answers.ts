/** What a function URL hands back to its caller: Lambda turns it into the HTTP response. */
export interface UrlAnswer {
  readonly statusCode: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

/**
 * A refusal: why nothing changed, with the status that says which kind of why: 400 malformed, 403 not
 * allowed, 404 unknown, 409 already decided or ended.
 */
export interface ApiRefusal {
  readonly status: 400 | 403 | 404 | 409;
  readonly message: string;
}

export const refusal = (status: ApiRefusal['status'], message: string): ApiRefusal => ({ status, message });

export function answer(statusCode: number, body: Readonly<Record<string, unknown>>): UrlAnswer {
  return { statusCode, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) };
}
