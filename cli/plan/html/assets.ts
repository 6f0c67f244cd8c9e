import { createHash } from 'node:crypto';

/** The page's one stylesheet: system fonts only, so nothing is fetched. */
export const STYLE = `
:root { color-scheme: light; font-family: system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; }
body { margin: 0; background: #fff; color: #1f2937; font-size: 14px; }
header { padding: 16px 20px 8px; }
h1 { font-size: 20px; margin: 0 0 4px; }
.scope { margin: 0 0 10px; color: #4b5563; }
.controls { display: flex; gap: 12px; align-items: center; margin-bottom: 8px; }
#filter { font: inherit; padding: 5px 8px; width: 320px; border: 1px solid #9ca3af; border-radius: 4px; }
#shown { color: #4b5563; }
.controls button { font: inherit; padding: 4px 10px; border: 1px solid #9ca3af; border-radius: 4px; background: #f9fafb; cursor: pointer; }
.legend { display: flex; flex-wrap: wrap; gap: 6px 18px; list-style: none; padding: 0; margin: 0; color: #374151; }
.legend li { display: flex; align-items: center; gap: 6px; }
.chart { padding: 0 20px 24px; }
.axis-row { position: sticky; top: 0; z-index: 1; background: #fff; border-bottom: 1px solid #d1d5db; }
.lane { border-bottom: 1px solid #e5e7eb; }
.lane > summary { cursor: pointer; padding: 6px 4px; display: flex; gap: 10px; align-items: baseline; }
.lane > summary:hover { background: #f9fafb; }
.group { font-weight: 600; }
.noun, .count, .arn { color: #6b7280; font-size: 12px; }
.arn { font-family: ui-monospace, "DejaVu Sans Mono", monospace; }
.live-problem { color: #b91c1c; font-size: 12px; }
.empty { margin: 4px 0 10px 12px; color: #6b7280; }
svg text { font-size: 12px; fill: #1f2937; }
svg text.day { font-weight: 600; text-anchor: middle; }
svg text.hour { font-size: 10px; fill: #6b7280; text-anchor: middle; }
svg text.zone { fill: #6b7280; }
.day-bg { fill: #ffffff; stroke: #d1d5db; stroke-width: 0.5; }
.day-bg.odd { fill: #f9fafb; }
.day-bg.weekend { fill: #f1f5f9; }
.tick, .row-line { stroke: #e5e7eb; }
.now { stroke: #e11d48; stroke-width: 2; }
.bar.window { fill: #3b82f6; }
.bar.requested { fill: #f59e0b; stroke: #b45309; }
.bar.ephemeral { fill: #a855f7; stroke: #7e22ce; }
.bar.pending { fill: #ffffff; fill-opacity: 0.5; stroke: #374151; stroke-width: 1.5; stroke-dasharray: 4 3; }
.bar.reinstated { fill: #5eead4; stroke: #0f766e; }
.bar.suspended { fill: url(#suspended-hatch); stroke: #7f1d1d; fill-opacity: 0.9; }
.expiry { fill: #111827; stroke: #111827; stroke-width: 1.5; }
.member { fill: #16a34a; }
.member.absent { fill: #ffffff; stroke: #9ca3af; }
.row.unmanaged text.user { fill: #9ca3af; font-style: italic; }
`;

/**
 * Filters lanes by group or user as the operator types, and opens or folds every shown lane; without
 * script every lane stays shown and the buttons stay hidden.
 */
export const SCRIPT = `
const box = document.getElementById('filter');
const shown = document.getElementById('shown');
const lanes = [...document.querySelectorAll('.lane')];
box.addEventListener('input', () => {
  const query = box.value.trim().toLowerCase();
  let count = 0;
  for (const lane of lanes) {
    const hit = query === '' || lane.dataset.search.includes(query);
    lane.hidden = !hit;
    if (hit) count += 1;
    if (hit && query !== '') lane.open = true;
  }
  shown.textContent = count + ' of ' + lanes.length + ' groups shown';
});
for (const [id, open] of [['open-all', true], ['fold-all', false]]) {
  const button = document.getElementById(id);
  button.hidden = false;
  button.addEventListener('click', () => {
    for (const lane of lanes) if (!lane.hidden) lane.open = open;
  });
}
`;

const sha256 = (text: string) => `'sha256-${createHash('sha256').update(text).digest('base64')}'`;

/**
 * Nothing loads from anywhere, and only this page's own style and script run: even a name that
 * escaped escaping could not add a script, a stylesheet or a fetch.
 */
export const CONTENT_SECURITY_POLICY = `default-src 'none'; style-src ${sha256(STYLE)}; script-src ${sha256(SCRIPT)}; img-src 'none'; form-action 'none'; base-uri 'none'`;
