import { CONTENT_SECURITY_POLICY, SCRIPT, STYLE } from './assets';
import { axis, BAR_KINDS, laneChart } from './chart';
import { html, Markup } from './markup';
import type { BarKind, Lane, Timeline } from './model';
import { dayHeading, wallTime } from './range';

/** Up to this many groups the lanes start open; past it they start folded, and the filter opens what it finds. */
const OPEN_LANES = 50;

export interface PageSources {
  /** What the page was drawn from, e.g. the config file and, with `--live`, the grant table. */
  readonly from: string;
}

/** The whole timeline as one self-contained HTML document: inline CSS, SVG and script, nothing fetched. */
export function timelinePage(timeline: Timeline, { from }: PageSources): string {
  const last = timeline.days.at(-1)?.fromMs ?? timeline.fromMs;
  const count = `${timeline.lanes.length} of ${timeline.lanes.length} groups shown`;
  const open = timeline.lanes.length <= OPEN_LANES;
  const page = html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${CONTENT_SECURITY_POLICY}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Access timeline</title>
<style>${new Markup(STYLE)}</style>
</head>
<body>
<svg width="0" height="0" aria-hidden="true"><defs><pattern id="suspended-hatch" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="6" height="6" fill="#fee2e2"/><line x1="0" y1="0" x2="0" y2="6" stroke="#b91c1c" stroke-width="2.5"/></pattern></defs></svg>
<header>
<h1>Who can get into which cache, when</h1>
<p class="scope">${dayHeading(timeline.fromMs, timeline.zone)} to ${dayHeading(last, timeline.zone)}, times in ${timeline.zone}. Now: ${wallTime(timeline.nowMs, timeline.zone)}. From ${from}.</p>
<div class="controls"><input id="filter" type="search" placeholder="Filter by group or user" aria-label="Filter by group or user" autocomplete="off"><button id="open-all" type="button" hidden>Open all</button><button id="fold-all" type="button" hidden>Fold all</button><span id="shown">${count}</span></div>
${legend(timeline)}
</header>
<main class="chart">
<div class="axis-row">${axis(timeline)}</div>
${timeline.lanes.map((lane) => laneMarkup(timeline, lane, open))}
</main>
<script>${new Markup(SCRIPT)}</script>
</body>
</html>
`;
  return page.text;
}

function laneMarkup(timeline: Timeline, lane: Lane, open: boolean): Markup {
  const search = [lane.group.arn, ...lane.rows.map((row) => row.user)].join(' ').toLowerCase();
  const users = `${lane.rows.length} ${lane.rows.length === 1 ? 'user' : 'users'}`;
  const live =
    lane.live === undefined
      ? ''
      : 'problem' in lane.live
        ? html`<span class="live-problem">could not read the group: ${lane.live.problem}</span>`
        : html`<span class="count">live: ${lane.live.status}</span>`;
  const body =
    lane.rows.length === 0
      ? html`<p class="empty">No user is named for this group, and nobody has requested access.</p>`
      : laneChart(timeline, lane);
  return html`<details class="lane" data-search="${search}"${open ? html` open` : ''}><summary><span class="group">${lane.group.id}</span><span class="noun">${lane.noun}</span><span class="count">${users}</span>${live}<span class="arn">${lane.group.arn}</span></summary>${body}</details>
`;
}

/** A swatch per kind of bar the page holds (windows always), the now line, and the live markers when read. */
function legend(timeline: Timeline): Markup {
  const present = new Set<BarKind>(['window']);
  for (const lane of timeline.lanes)
    for (const row of lane.rows) for (const bar of row.bars) present.add(bar.kind);
  const kinds = (Object.keys(BAR_KINDS) as BarKind[]).filter((kind) => present.has(kind));
  const swatch = (inner: Markup) => html`<svg width="28" height="14" aria-hidden="true">${inner}</svg>`;
  const items = kinds.map(
    (kind) =>
      html`<li>${swatch(html`<rect class="bar ${kind}" x="1" y="2" width="26" height="10" rx="2"/>`)}${BAR_KINDS[kind]}</li>`,
  );
  const expiring = kinds.some((kind) => kind === 'requested' || kind === 'ephemeral' || kind === 'pending');
  const expiry = expiring
    ? html`<li>${swatch(html`<path class="expiry" d="M14 3 l4 -3 h-8 z M14 3 V13"/>`)}expiry</li>`
    : '';
  const read = timeline.lanes.some((lane) => lane.live && 'status' in lane.live);
  const live = read
    ? [
        html`<li>${swatch(html`<circle class="member" cx="14" cy="7" r="4"/>`)}a member of the live group now</li>`,
        html`<li>${swatch(html`<circle class="member absent" cx="14" cy="7" r="4"/>`)}not a member now</li>`,
      ]
    : [];
  return html`<ul class="legend">${items}${expiry}<li>${swatch(html`<line class="now" x1="14" x2="14" y1="0" y2="14"/>`)}now</li>${live}<li>hover a bar for its grants and times</li></ul>`;
}
