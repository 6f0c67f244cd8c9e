import { existsSync } from 'node:fs';
import { type Browser, chromium } from 'playwright-core';

/** Debian's chromium, which scripts/ensure-test-services.sh installs; Playwright never downloads a browser here. */
const CHROMIUM = '/usr/bin/chromium';

/**
 * Headless Chromium for a browser test. The flags keep it off the network: this machine refuses
 * outside connections, and Chromium would otherwise try several at every start.
 */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `the browser tests need Debian's chromium at ${CHROMIUM}: run bash scripts/ensure-test-services.sh as root, or apt-get install chromium`,
    );
  }
  return await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}
