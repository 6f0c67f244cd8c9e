import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { grantSpecSchema, resolveGrant } from '#core/membership/grant';
import { escapeMarkup, html } from '../../../../cli/plan/html/markup';
import { timeline } from '../../../../cli/plan/html/model';
import { timelinePage } from '../../../../cli/plan/html/page';
import {
  EXAMPLE_RECORDS,
  groupsOf,
  HOSTILE,
  hostileTimeline,
  JIT_UG,
  manyGroupGrants,
  PROD_UG,
} from '../../../support/timeline-fixtures';

const NOW = Date.parse('2026-12-07T10:30:00+01:00');
const office = resolveGrant(
  grantSpecSchema.parse({
    name: 'office',
    groupArn: PROD_UG,
    users: ['alice', 'dave'],
    windows: [{ days: ['MON', 'TUE'], from: '09:00', to: '18:00', timeZone: 'Europe/Berlin' }],
  }),
);

describe('html template', () => {
  it('escapes every string it is given and writes numbers rounded to a tenth', () => {
    expect(html`<a title="${'"&\'<>'}">${'<b>'}${12.345}</a>`.text).toBe(
      '<a title="&quot;&amp;&#39;&lt;&gt;">&lt;b&gt;12.3</a>',
    );
    expect(escapeMarkup('a&b')).toBe('a&amp;b');
  });
});

describe('timelinePage', () => {
  it('writes hostile group, user, grant and reason names as text only', () => {
    const page = timelinePage(hostileTimeline(NOW), { from: HOSTILE.reason });

    for (const name of Object.values(HOSTILE)) expect(page).not.toContain(name);
    expect(page).toContain(escapeMarkup(HOSTILE.user));
    expect(page).toContain(escapeMarkup(HOSTILE.reason));
    expect(page.match(/<script/g)).toHaveLength(1);
    expect(page).not.toMatch(/<(img|iframe)|<svg onload/);
    // A pending request's hover text: its id, who asked and why, as text.
    const pending = page.match(/<rect class="bar pending"[^>]*><title>([^<]*)<\/title>/)?.[1];
    expect(pending?.split('\n')).toEqual([
      escapeMarkup(`${HOSTILE.user} in ${HOSTILE.group}: request ${HOSTILE.grant}`),
      'request awaiting a decision',
      'Mon 7 Dec 10:00 +01:00 → expires Tue 8 Dec 10:00 +01:00',
      escapeMarkup(`asked by ${HOSTILE.group} (unverified: the bus sender's own words): ${HOSTILE.reason}`),
      'asks for PT2H, under rule oncall-prod',
      'approvals 0 of 1',
    ]);
  });

  it('loads nothing from anywhere and lets only its own style and script run', () => {
    const page = timelinePage(
      timeline({ grants: [office], groups: [office.group], nowMs: NOW, days: 7, zone: 'UTC' }),
      { from: 'cdk.json' },
    );

    expect(page).not.toMatch(/\b(src|href)=|@import|url\((?!#)|https?:/);
    const policy = (
      page.match(/http-equiv="Content-Security-Policy" content="([^"]+)"/)?.[1] ?? ''
    ).replaceAll('&#39;', "'");
    const sha = (text: string) => `'sha256-${createHash('sha256').update(text).digest('base64')}'`;
    const style = page.match(/<style>([\s\S]*?)<\/style>/)?.[1] ?? '';
    const script = page.match(/<script>([\s\S]*?)<\/script>/)?.[1] ?? '';
    expect(policy).toContain("default-src 'none'");
    expect(policy).toContain(`style-src ${sha(style)}`);
    expect(policy).toContain(`script-src ${sha(script)}`);
  });

  it('holds a lane per group and a row per user, with hover text naming grants and times in the zone', () => {
    const grants = [office];
    const groups = [...groupsOf(grants), { ...office.group, arn: JIT_UG, id: 'jit-ug' }];
    const model = timeline({
      grants,
      groups,
      nowMs: NOW,
      days: 7,
      zone: 'America/New_York',
      records: EXAMPLE_RECORDS,
    });

    const page = timelinePage(model, { from: 'cdk.json' });

    expect(page.match(/<details class="lane"/g)).toHaveLength(2);
    for (const user of ['alice', 'dave', 'jit-dbg-7', 'ephemeral for INC-4731'])
      expect(page).toContain(`<title>${user}</title><text class="user" x="8"`);
    expect(page).toContain(
      '<title>alice in prod-ug: office\nin a window of a config grant\nMon 7 Dec 03:00 -05:00 → Mon 7 Dec 12:00 -05:00</title>',
    );
    expect(page).toContain('expires Mon 7 Dec 05:10 -05:00\nrequested by oncall@example.com');
    expect(page).toContain('times in America/New_York');
    expect(page).toContain('request awaiting a decision</li>');
    expect(page).toContain(
      'ephemeral for INC-4731 in jit-ug: request INC-4731\nrequest awaiting a decision\nMon 7 Dec 04:15 -05:00 → expires Tue 8 Dec 04:15 -05:00',
    );
  });

  it('shows in the legend only the kinds of bar the page holds, and folds lanes past 50 groups', () => {
    const many = manyGroupGrants(60);
    const few = timelinePage(
      timeline({ grants: [office], groups: [office.group], nowMs: NOW, days: 7, zone: 'UTC' }),
      {
        from: 'cdk.json',
      },
    );
    const folded = timelinePage(
      timeline({ grants: many, groups: groupsOf(many), nowMs: NOW, days: 7, zone: 'UTC' }),
      {
        from: 'cdk.json',
      },
    );

    expect(few).toContain('in a window of a config grant</li>');
    expect(few).not.toContain('requested grant, until it expires</li>');
    expect(few).toMatch(/<details class="lane" data-search="[^"]*" open>/);
    expect(folded).not.toMatch(/<details class="lane" data-search="[^"]*" open>/);
    expect(folded).toContain('60 of 60 groups shown');
  });
});
