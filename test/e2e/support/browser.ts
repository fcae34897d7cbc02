/**
 * Debian Chromium driven by playwright-core (browser downloads are impossible here, and a real
 * browser is what users run). Collects console errors and page errors so tests can fail on them.
 */
import { existsSync } from 'node:fs';
import { chromium, type Browser, type ConsoleMessage, type Page } from 'playwright-core';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

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
  const ours = /\/sam\/(extension|mode)\//;
  return problems.filter((p) => ours.test(p.url) || ours.test(p.text) || p.text.includes('[SAM]'));
}
