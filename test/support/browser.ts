import { mkdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import {
  type Browser,
  type BrowserContextOptions,
  chromium,
  type Page,
  type Response,
} from "playwright-core";

/** Debian's chromium package: the pages are tested in it, never in a browser playwright downloads. */
export const CHROMIUM_PATH = "/usr/bin/chromium";

/** Where screenshots go (`test-results/` is not committed). */
export const SCREENSHOT_DIR = fileURLToPath(new URL("../../test-results/screenshots/", import.meta.url));

/** The two sizes every page is looked at: a laptop, and a phone held upright. */
export const VIEWPORTS = {
  desktop: { viewport: { width: 1280, height: 800 } },
  phone: { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true },
} satisfies Record<string, BrowserContextOptions>;

/** Starts headless Chromium; close it in `afterAll`. */
export function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, headless: true });
}

/** A page opened in its own browser context, with what it asked for and complained about. */
export interface OpenedPage {
  page: Page;
  /** The answer to the navigation itself. */
  response: Response;
  /** Every URL the page requested, the page's own included, in order. */
  requests: string[];
  /** Console errors and uncaught exceptions (a Content-Security-Policy violation is one). */
  errors: string[];
  close(): Promise<void>;
}

/** Opens `path` of a running app in a fresh context (desktop size unless `options` say otherwise). */
export async function openPage(
  browser: Browser,
  app: { url: string },
  path: string,
  options: BrowserContextOptions = VIEWPORTS.desktop,
): Promise<OpenedPage> {
  const context = await browser.newContext(options);
  const page = await context.newPage();
  const requests: string[] = [];
  const errors: string[] = [];
  page.on("request", (request) => requests.push(request.url()));
  page.on("console", (message) => {
    if (message.type() === "error") errors.push(message.text());
  });
  page.on("pageerror", (error) => errors.push(error.message));
  const response = await page.goto(`${app.url}${path}`, { waitUntil: "load" });
  if (!response) throw new Error(`no answer for ${path}`);
  return { page, response, requests, errors, close: () => context.close() };
}

/**
 * Saves full-page screenshots of `path` at desktop and phone sizes as
 * `test-results/screenshots/<name>-desktop.png` and `<name>-phone.png`; returns their paths.
 */
export async function saveScreenshots(
  browser: Browser,
  app: { url: string },
  path: string,
  name: string,
  options: BrowserContextOptions = {},
): Promise<string[]> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const saved: string[] = [];
  for (const [size, viewport] of Object.entries(VIEWPORTS)) {
    const opened = await openPage(browser, app, path, { ...viewport, ...options });
    try {
      const file = `${SCREENSHOT_DIR}${name}-${size}.png`;
      await opened.page.screenshot({ path: file, fullPage: true });
      saved.push(file);
    } finally {
      await opened.close();
    }
  }
  return saved;
}
