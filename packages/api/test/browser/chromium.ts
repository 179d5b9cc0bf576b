import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type BrowserContext, chromium, type Page } from 'playwright-core';

/** Debian's Chromium; `scripts/test.sh` installs it with apt when browser tests run and it is missing. */
export const CHROMIUM_PATH = '/usr/bin/chromium';

const repositoryRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');

/** Where browser tests write their screenshots (gitignored). */
export const SCREENSHOT_DIR = path.join(repositoryRoot, 'test-output', 'screenshots');

export interface LaunchOptions {
  /** Extra environment for the browser process (e.g. `DBUS_SESSION_BUS_ADDRESS`). */
  env?: Record<string, string>;
  /** Extra command-line switches. */
  args?: string[];
}

/** A running Chromium with one fresh profile; `close()` ends it and deletes the profile. */
export interface LaunchedChromium {
  context: BrowserContext;
  /** The context's first page, opened at about:blank. */
  page: Page;
  close(): Promise<void>;
}

/**
 * Launches Debian's headless Chromium through playwright-core with a fresh user-data-dir, so each
 * test starts with no service workers, permissions or storage from an earlier run. Playwright's own
 * browser download is not used: the machine's Chromium (same major version as playwright-core's)
 * is driven over CDP.
 *
 * Switches, and why: `--headless` (no display on test machines), `--no-sandbox` (tests run as
 * root, where Chromium's sandbox refuses to start), `--disable-gpu` (no GPU; software rendering),
 * `--disable-background-networking` and `--disable-component-update` (no calls to Google's
 * services, which are unreachable offline and would only add noise and delay),
 * `--disable-dev-shm-usage` (containers have a small /dev/shm), `--no-first-run` and
 * `--no-default-browser-check` (no first-run UI).
 *
 * Usage:
 * ```ts
 * const browser = await launchChromium();
 * try {
 *   await browser.page.goto(url);
 *   await screenshot(browser.page, 'dashboard-campaigns');
 * } finally {
 *   await browser.close();
 * }
 * ```
 */
export async function launchChromium(options: LaunchOptions = {}): Promise<LaunchedChromium> {
  const userDataDir = await mkdtemp(path.join(tmpdir(), 'hoot-chromium-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-dev-shm-usage',
      '--no-first-run',
      '--no-default-browser-check',
      ...(options.args ?? []),
    ],
    env: { ...process.env, ...options.env } as Record<string, string>,
    viewport: { width: 1280, height: 800 },
  });
  const page = context.pages()[0] ?? (await context.newPage());
  return {
    context,
    page,
    async close() {
      await context.close().catch(() => {});
      await rm(userDataDir, { recursive: true, force: true });
    },
  };
}

/**
 * Writes a full-page PNG of `page` to `test-output/screenshots/<name>.png` at the repository root
 * and returns its path, so a person can look at what the test saw.
 */
export async function screenshot(page: Page, name: string): Promise<string> {
  await mkdir(SCREENSHOT_DIR, { recursive: true });
  const file = path.join(SCREENSHOT_DIR, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}
