/**
 * The start every viewer test shares: the demo server on a free port, Debian Chromium, and a page
 * showing a sample study in the SAM mode with all its images, its console errors recorded.
 */
import type { Browser, BrowserContextOptions, Page } from 'playwright-core';
import { startServer, type RunningServer } from '../../../viewer/server';
import { launchChromium, recordProblems, type PageProblem } from './browser';
import { waitForDisplayedStack } from './viewer';

export interface ViewerSession {
  server: RunningServer;
  browser: Browser;
  page: Page;
  problems: PageProblem[];
}

export async function openStudyInSamMode(
  study: { StudyInstanceUID: string },
  imageCount: number,
  contextOptions: BrowserContextOptions = {},
): Promise<ViewerSession> {
  const server = await startServer({ port: 0 });
  const browser = await launchChromium();
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 }, ...contextOptions });
  const page = await context.newPage();
  const problems = recordProblems(page);
  await page.goto(`${server.url}sam?StudyInstanceUIDs=${study.StudyInstanceUID}`);
  await waitForDisplayedStack(page, imageCount);
  return { server, browser, page, problems };
}
