/** Long enough for any real ARN, id or name; short enough that hostile input cannot flood a log. */
const MAX_QUOTED = 200;

/**
 * A value from outside (an event field, a config value) as it may appear in an error or a log line:
 * quoted, and cut to a few hundred characters with its full length stated. Never give it a secret.
 */
export function quoted(value: string): string {
  return cut(value, (kept) => `'${kept}'`);
}

/** `quoted` for log keys: the same cut, without quotes. */
export function clipped(value: string): string {
  return cut(value, (kept) => kept);
}

/** Any config value as JSON, cut the same way; a string's stated length is its own, not its JSON's. */
export function quotedJson(value: unknown): string {
  return typeof value === 'string' ? cut(value, JSON.stringify) : clipped(JSON.stringify(value));
}

function cut(text: string, quote: (kept: string) => string): string {
  if (text.length <= MAX_QUOTED) return quote(text);
  return `${quote(`${text.slice(0, MAX_QUOTED)}…`)} (${text.length} characters)`;
}
