const ENTITIES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Text made safe for HTML and SVG, in element content and in quoted attributes alike. */
export function escapeMarkup(text: string): string {
  return text.replace(/[&<>"']/g, (character) => ENTITIES[character] ?? character);
}

/** Markup built by `html`: the only thing `html` inserts without escaping it. */
export class Markup {
  constructor(readonly text: string) {}

  toString(): string {
    return this.text;
  }
}

type Interpolated = Markup | string | number | readonly Markup[];

/**
 * A template for HTML and SVG in which every string is escaped: a group, user, grant or reason
 * can only ever be text. Numbers are written as they are, rounded to a tenth for coordinates.
 */
export function html(strings: TemplateStringsArray, ...values: readonly Interpolated[]): Markup {
  let text = strings[0] ?? '';
  values.forEach((value, index) => {
    text += written(value) + (strings[index + 1] ?? '');
  });
  return new Markup(text);
}

function written(value: Interpolated): string {
  if (value instanceof Markup) return value.text;
  if (typeof value === 'number') return String(Math.round(value * 10) / 10);
  if (typeof value === 'string') return escapeMarkup(value);
  return value.map((part) => part.text).join('');
}
