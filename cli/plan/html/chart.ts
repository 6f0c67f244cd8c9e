import { DateTime } from 'luxon';
import { html, type Markup } from './markup';
import type { Bar, BarKind, Lane, Row, Timeline } from './model';
import { dayHeading, wallTime } from './range';

/** The chart's geometry, in CSS pixels: a label column, then the time axis. */
export const LABEL_WIDTH = 190;
export const PLOT_WIDTH = 1010;
export const ROW_HEIGHT = 24;
const AXIS_HEIGHT = 40;
const WIDTH = LABEL_WIDTH + PLOT_WIDTH;
/** Hours of the day marked on the axis, when a day is wide enough to label them. */
const MARKED_HOURS = [6, 12, 18];
/** Longer user names are cut in the label column; the hover text has them whole. */
const LABEL_CHARACTERS = 24;

/** How each kind of bar is described, on the page and in its legend. */
export const BAR_KINDS: Readonly<Record<BarKind, string>> = {
  window: 'in a window of a config grant',
  requested: 'requested grant, until it expires',
  ephemeral: 'user made for a request, until it expires',
  pending: 'request awaiting a decision',
  suspended: 'suspended: out of every group until reinstated',
  reinstated: 'reinstated: being given back to a group it was taken out of',
};

const xOf = (timeline: Timeline, ms: number) =>
  LABEL_WIDTH + ((ms - timeline.fromMs) / (timeline.toMs - timeline.fromMs)) * PLOT_WIDTH;

/** Day headings and hour ticks in the timeline's zone, drawn once above every lane. */
export function axis(timeline: Timeline): Markup {
  const days = timeline.days.map(({ fromMs, toMs }, index) => {
    const [left, right] = [xOf(timeline, fromMs), xOf(timeline, toMs)];
    const start = DateTime.fromMillis(fromMs, { zone: timeline.zone });
    const ticks =
      right - left < 90
        ? []
        : MARKED_HOURS.map((hour) => {
            const x = xOf(timeline, start.set({ hour }).toMillis());
            return html`<line class="tick" x1="${x}" x2="${x}" y1="${AXIS_HEIGHT - 6}" y2="${AXIS_HEIGHT}"/><text class="hour" x="${x}" y="${AXIS_HEIGHT - 9}">${String(hour).padStart(2, '0')}</text>`;
          });
    return html`<rect class="${dayClass(timeline, fromMs, index)}" x="${left}" y="0" width="${right - left}" height="${AXIS_HEIGHT}"/><text class="day" x="${(left + right) / 2}" y="15">${dayHeading(fromMs, timeline.zone)}</text>${ticks}`;
  });
  return html`<svg class="axis" width="${WIDTH}" height="${AXIS_HEIGHT}" viewBox="0 0 ${WIDTH} ${AXIS_HEIGHT}" aria-hidden="true"><text class="zone" x="8" y="15">${timeline.zone}</text>${days}${nowLine(timeline, AXIS_HEIGHT, 20)}</svg>`;
}

/** One group's rows: a label per user, its bars with their hover text, the days behind them and the now line. */
export function laneChart(timeline: Timeline, lane: Lane): Markup {
  const height = lane.rows.length * ROW_HEIGHT;
  const days = timeline.days.map(({ fromMs, toMs }, index) => {
    const [left, right] = [xOf(timeline, fromMs), xOf(timeline, toMs)];
    return html`<rect class="${dayClass(timeline, fromMs, index)}" x="${left}" y="0" width="${right - left}" height="${height}"/>`;
  });
  const rows = lane.rows.map((row, index) => rowMarkup(timeline, lane, row, index * ROW_HEIGHT));
  return html`<svg class="lane-chart" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" role="img" aria-label="${lane.group.id}">${days}${rows}${nowLine(timeline, height)}</svg>`;
}

/** Weekends are shaded, and alternate weekdays faintly, so a day is easy to follow down the page. */
function dayClass(timeline: Timeline, fromMs: number, index: number): string {
  const weekday = DateTime.fromMillis(fromMs, { zone: timeline.zone }).weekday;
  return weekday >= 6 ? 'day-bg weekend' : index % 2 === 0 ? 'day-bg' : 'day-bg odd';
}

/** The now line, from `top` down: on the axis it starts below the day headings, so they stay readable. */
function nowLine(timeline: Timeline, height: number, top = 0): Markup | string {
  if (timeline.nowMs < timeline.fromMs || timeline.nowMs >= timeline.toMs) return '';
  const x = xOf(timeline, timeline.nowMs);
  return html`<line class="now" x1="${x}" x2="${x}" y1="${top}" y2="${height}"><title>now: ${wallTime(timeline.nowMs, timeline.zone)}</title></line>`;
}

function rowMarkup(timeline: Timeline, lane: Lane, row: Row, y: number): Markup {
  const cut = row.user.length > LABEL_CHARACTERS ? `${row.user.slice(0, LABEL_CHARACTERS - 1)}…` : row.user;
  const state = [
    row.member === undefined ? '' : row.member ? 'a member now' : 'not a member now',
    row.managed ? '' : 'not managed by the stack: never changed',
  ].filter(Boolean);
  const member =
    row.member === undefined
      ? ''
      : html`<circle class="${row.member ? 'member' : 'member absent'}" cx="${LABEL_WIDTH - 10}" cy="${y + ROW_HEIGHT / 2}" r="4"/>`;
  const bars = row.bars.map((bar) => barMarkup(timeline, lane, row, bar, y));
  return html`<g class="row${row.managed ? '' : ' unmanaged'}"><line class="row-line" x1="0" x2="${WIDTH}" y1="${y + ROW_HEIGHT}" y2="${y + ROW_HEIGHT}"/><g><title>${[row.user, ...state].join('\n')}</title><text class="user" x="8" y="${y + 16}">${cut}</text></g>${member}${bars}</g>`;
}

function barMarkup(timeline: Timeline, lane: Lane, row: Row, bar: Bar, y: number): Markup {
  const [left, right] = [xOf(timeline, bar.fromMs), xOf(timeline, bar.toMs)];
  const inset = bar.kind === 'window' ? 4 : bar.kind === 'suspended' ? 1 : 6;
  const title = hoverText(timeline, lane, row, bar);
  const expiry =
    bar.endsMs !== undefined && bar.kind !== 'window' && bar.endsMs <= timeline.toMs
      ? html`<path class="expiry" d="M${right} ${y + 3} l4 -3 h-8 z M${right} ${y + 3} V${y + ROW_HEIGHT - 3}"><title>expires ${wallTime(bar.endsMs, timeline.zone)}</title></path>`
      : '';
  return html`<rect class="bar ${bar.kind}" x="${left}" y="${y + inset}" width="${Math.max(right - left, 1.5)}" height="${ROW_HEIGHT - 2 * inset}" rx="${bar.kind === 'suspended' ? 0 : 3}"><title>${title}</title></rect>${expiry}`;
}

/** What a bar's hover text says: whose, which group, what makes it, its real start and end. */
function hoverText(timeline: Timeline, lane: Lane, row: Row, bar: Bar): string {
  const at = (ms: number) => wallTime(ms, timeline.zone);
  const openEnded = bar.kind === 'reinstated' ? 'until it is a member again' : 'until reinstated';
  const until =
    bar.endsMs === undefined ? openEnded : `${bar.kind === 'window' ? '' : 'expires '}${at(bar.endsMs)}`;
  return [
    `${row.user} in ${lane.group.id}: ${bar.names.join(', ')}`,
    `${BAR_KINDS[bar.kind]}`,
    `${at(bar.beganMs)} → ${until}`,
    ...(bar.note ? [bar.note] : []),
  ].join('\n');
}
