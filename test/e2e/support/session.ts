/**
 * The start every viewer test shares: the demo server on a free port, Debian Chromium, and a page
 * showing a sample study in the SAM mode with all its images, its console errors recorded.
 */
import type { Browser, BrowserContextOptions, Page } from 'playwright-core';
import { startServer, type RunningServer, type ServerOptions } from '../../../viewer/server';
import { launchChromium, newViewerContext, recordProblems, type PageProblem } from './browser';
import { waitForDisplayedStack } from './viewer';

export interface ViewerSession {
  server: RunningServer;
  browser: Browser;
  page: Page;
  problems: PageProblem[];
}

export interface SessionOptions {
  context?: BrowserContextOptions;
  /** The demo server's options (e.g. another models folder). */
  server?: Omit<ServerOptions, 'port'>;
  /** Scripts that run in the page before the viewer's own (Playwright init scripts), in order. */
  initScripts?: Array<string | (() => void)>;
}

export async function openStudyInSamMode(
  study: { StudyInstanceUID: string },
  imageCount: number,
  options: SessionOptions = {},
): Promise<ViewerSession> {
  const server = await startServer({ ...options.server, port: 0 });
  const browser = await launchChromium();
  const context = await newViewerContext(browser, options.context);
  const page = await context.newPage();
  for (const script of options.initScripts ?? []) await page.addInitScript(script);
  const problems = recordProblems(page);
  await page.goto(`${server.url}sam?StudyInstanceUIDs=${study.StudyInstanceUID}`);
  await waitForDisplayedStack(page, imageCount);
  return { server, browser, page, problems };
}
