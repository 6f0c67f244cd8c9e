import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { timeline } from '../../../../cli/plan/html/model';
import { timelinePage } from '../../../../cli/plan/html/page';
import { governedGroups, loadMembership } from '../../../../cli/plan/inputs';
import { launchChromium } from '../../../support/chromium';
import { colourCounts, decodePng } from '../../../support/png';
import {
  EXAMPLE_RECORDS,
  groupsOf,
  HOSTILE,
  hostileTimeline,
  manyGroupGrants,
} from '../../../support/timeline-fixtures';

/** Monday 7 December 2026, mid-morning in Berlin: the moment the README's screenshot shows. */
const NOW = Date.parse('2026-12-07T10:30:00+01:00');
/** Short: a full-page screenshot grows to the page's height, so the README's picture has no blank tail. */
const VIEWPORT = { width: 1240, height: 400 };
/** `WRITE_TIMELINE_SCREENSHOT=1 npx vitest run test/cli/plan/html/browser.test.ts` refreshes the README's picture. */
const README_SCREENSHOT = new URL('../../../../docs/images/access-timeline.png', import.meta.url);
/** The colour of a window bar (`.bar.window`), which a drawn page cannot lack. */
const WINDOW_BLUE = [0x3b, 0x82, 0xf6];

/** A browser on two busy cores: each step is quick alone but may wait its turn; the load bound below is the check. */
const BROWSER_TEST_MS = 60_000;

let browser: Browser;
let folder: string;

beforeAll(async () => {
  browser = await launchChromium();
  folder = mkdtempSync(join(tmpdir(), 'timeline-'));
}, BROWSER_TEST_MS);

afterAll(async () => {
  await browser?.close();
  rmSync(folder, { recursive: true, force: true });
});

interface Opened {
  readonly page: Page;
  readonly url: string;
  /** From navigation start to the end of the load event, by the page's own clock. */
  readonly loadMs: number;
  /** Every URL the page asked for, its own file first. */
  readonly requests: readonly string[];
  /** Console errors and warnings (a refused policy among them), script errors and dialogs. */
  readonly problems: readonly string[];
}

/** Writes the page to a file and opens it the way an operator would, from disk. */
async function openPage(html: string, name: string): Promise<Opened> {
  const file = join(folder, name);
  writeFileSync(file, html);
  const page = await browser.newPage({ viewport: VIEWPORT });
  const requests: string[] = [];
  const problems: string[] = [];
  page.on('request', (request) => requests.push(request.url()));
  page.on('console', (message) => {
    if (message.type() === 'error' || message.type() === 'warning') problems.push(message.text());
  });
  page.on('pageerror', (error) => problems.push(error.message));
  page.on('dialog', (dialog) => {
    problems.push(`dialog: ${dialog.message()}`);
    void dialog.dismiss();
  });
  const url = pathToFileURL(file).href;
  await page.goto(url, { waitUntil: 'load' });
  // The page's own clock, from navigation start to the end of its load event.
  const loadMs = Number(await page.evaluate('performance.getEntriesByType("navigation")[0].loadEventEnd'));
  return { page, url, loadMs, requests, problems };
}

function pixelsOf(png: Buffer) {
  const pixels = decodePng(png);
  let blue = 0;
  for (let at = 0; at < pixels.rgba.length; at += 4) {
    if (WINDOW_BLUE.every((value, channel) => pixels.rgba[at + channel] === value)) blue += 1;
  }
  return { ...pixels, ...colourCounts(pixels), blue };
}

describe('the access timeline in Chromium', { timeout: BROWSER_TEST_MS }, () => {
  it('draws the example config: every group and user, a non-blank picture, nothing fetched', async () => {
    // Arrange: the config in cdk.json, with what its grant table might hold.
    const membership = loadMembership(undefined);
    if (!membership) throw new Error('cdk.json has no membership section');
    const groups = governedGroups(membership);
    const model = timeline({
      grants: membership.grants,
      groups,
      nowMs: NOW,
      days: 7,
      zone: 'Europe/Berlin',
      records: EXAMPLE_RECORDS,
    });
    const html = timelinePage(model, { from: 'cdk.json and example grant-table records' });

    // Act
    const { page, url, requests, problems } = await openPage(html, 'example.html');
    const png = await page.screenshot({ fullPage: true });
    if (process.env.WRITE_TIMELINE_SCREENSHOT) {
      mkdirSync(new URL('.', README_SCREENSHOT), { recursive: true });
      writeFileSync(README_SCREENSHOT, png);
    }

    // Assert: the DOM holds what the config and records say...
    expect(await page.locator('.lane .group').allTextContents()).toEqual(['prod-ug', 'prod-acl', 'jit-ug']);
    const usersOf = (group: string) =>
      page
        .locator('.lane', { has: page.locator('.group', { hasText: group }) })
        .locator('text.user')
        .allTextContents();
    expect(await usersOf('prod-ug')).toEqual(['alice', 'batch-loader', 'dave']);
    expect(await usersOf('prod-acl')).toEqual(['bob']);
    expect(await usersOf('jit-ug')).toEqual(['ephemeral for INC-4731', 'jit-dbg-7']);
    expect(await page.locator('rect.bar.suspended').count()).toBeGreaterThan(0);
    expect(await page.locator('main rect.bar.pending').count()).toBe(2);
    expect(await page.locator('main line.now').count()).toBe(4);
    // ...the picture has it drawn, in colour...
    const pixels = pixelsOf(png);
    expect(pixels.width).toBe(VIEWPORT.width);
    expect(pixels.colours).toBeGreaterThan(100);
    expect(pixels.nonWhite / (pixels.width * pixels.height)).toBeGreaterThan(0.1);
    expect(pixels.blue).toBeGreaterThan(2000);
    // ...and the page asked for nothing but itself, with nothing refused.
    expect(requests).toEqual([url]);
    expect(problems).toEqual([]);
  });

  it('shows hostile names as text: no element, script or dialog comes from them', async () => {
    const { page, problems } = await openPage(
      timelinePage(hostileTimeline(NOW), { from: HOSTILE.reason }),
      'hostile.html',
    );

    expect(await page.locator('img, iframe, svg[onload]').count()).toBe(0);
    expect(await page.locator('script').count()).toBe(1);
    expect(await page.locator('.lane .group').textContent()).toBe(HOSTILE.group);
    expect(await page.locator('.scope').textContent()).toContain(HOSTILE.reason);
    expect(await page.locator('rect.bar.window title').first().textContent()).toContain(HOSTILE.grant);
    expect(problems).toEqual([]);
  });

  it('opens 300 groups within a few seconds, and the filter box hides the lanes that do not match', async () => {
    // Arrange
    const grants = manyGroupGrants(300);
    const html = timelinePage(
      timeline({ grants, groups: groupsOf(grants), nowMs: NOW, days: 7, zone: 'Europe/Berlin' }),
      { from: 'a 300-group config' },
    );
    const lanes = (page: Page) => page.locator('details.lane:visible');

    // Act
    const { page, loadMs, problems } = await openPage(html, 'many.html');
    const pixels = pixelsOf(await page.screenshot({ clip: { x: 0, y: 0, ...VIEWPORT } }));

    // Assert: loaded, drawn, every lane there.
    expect(loadMs).toBeLessThan(5_000);
    expect(pixels.colours).toBeGreaterThan(20);
    expect(pixels.nonWhite / (pixels.width * pixels.height)).toBeGreaterThan(0.1);
    expect(await lanes(page).count()).toBe(300);
    // By group: one lane left, opened.
    await page.locator('#filter').fill('team-123');
    expect(await lanes(page).locator('.group').allTextContents()).toEqual(['team-123']);
    expect(await page.locator('#shown').textContent()).toBe('1 of 300 groups shown');
    expect(await lanes(page).locator('text.user').first().isVisible()).toBe(true);
    // By user, in any case.
    await page.locator('#filter').fill('TEAM-042-OPS');
    expect(await lanes(page).locator('.group').allTextContents()).toEqual(['team-042']);
    // Cleared: every lane back, folded as they started, and one button opens them all.
    await page.locator('#filter').fill('');
    expect(await lanes(page).count()).toBe(300);
    expect(await page.locator('details.lane[open]').count()).toBe(2);
    await page.getByRole('button', { name: 'Open all' }).click();
    expect(await page.locator('details.lane[open]').count()).toBe(300);
    expect(problems).toEqual([]);
  });
});
