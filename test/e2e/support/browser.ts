/**
 * Debian Chromium driven by playwright-core (browser downloads are impossible here, and a real
 * browser is what users run). Collects console errors and page errors so tests can fail on them.
 */
import { existsSync } from 'node:fs';
import {
  chromium,
  type Browser,
  type BrowserContext,
  type BrowserContextOptions,
  type ConsoleMessage,
  type Page,
} from 'playwright-core';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/**
 * How long a wait on a state (a locator, a page function) may take before it fails naming what it
 * waited for. Tests wait on states and events, never on a fixed pause; this bound is far beyond what a
 * loaded 2-core machine needs and below every suite's Jest timeout (180 s or more), so a hang fails
 * with the locator's name rather than Jest's bare timeout.
 */
export const STATE_TIMEOUT_MS = 150_000;

/** A browser context for the viewer: a desktop-sized viewport and the state-wait bound above. */
export async function newViewerContext(browser: Browser, options: BrowserContextOptions = {}): Promise<BrowserContext> {
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 }, ...options });
  context.setDefaultTimeout(STATE_TIMEOUT_MS);
  return context;
}

export async function launchChromium(extraArgs: string[] = []): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(
      `Chromium not found at ${CHROMIUM_PATH}: install Debian's chromium (apt-get install -y chromium) or set CHROMIUM_PATH`,
    );
  }
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-dev-shm-usage',
      // This machine has no internet: background requests to Google's hosts only fail noisily.
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
      '--disable-sync',
      ...extraArgs,
    ],
  });
}

export interface PageProblem {
  kind: 'console' | 'pageerror';
  text: string;
  url: string;
}

/** Records console errors and uncaught exceptions of a page. */
export function recordProblems(page: Page): PageProblem[] {
  const problems: PageProblem[] = [];
  page.on('console', (m: ConsoleMessage) => {
    if (m.type() === 'error') problems.push({ kind: 'console', text: m.text(), url: m.location().url });
  });
  page.on('pageerror', (e: Error) =>
    problems.push({ kind: 'pageerror', text: `${e.message}\n${e.stack ?? ''}`, url: '' }),
  );
  return problems;
}

/** Problems raised by the SAM extension or mode: from their bundles, or logged with the [SAM] prefix. */
export function samProblems(problems: PageProblem[]): PageProblem[] {
  const ours = /\/ohif-sam\/(extension|mode)\//;
  return problems.filter((p) => ours.test(p.url) || ours.test(p.text) || p.text.includes('[SAM]'));
}
