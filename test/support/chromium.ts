import { type Browser, chromium } from 'playwright-core';

/** Debian's chromium, which scripts/ensure-test-services.sh installs; Playwright never downloads a browser here. */
const CHROMIUM = '/usr/bin/chromium';

/**
 * Headless Chromium for a browser test. The flags keep it off the network: this machine refuses
 * outside connections, and Chromium would otherwise try several at every start.
 */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
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
