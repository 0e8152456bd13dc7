// Real-browser helpers for ChatSeal in Debian's firefox-esr, driven by
// puppeteer-core over WebDriver BiDi (no geckodriver, no Marionette client).
// Used by tests/e2e/firefox.test.js. See docs/FIREFOX.md ("Tests").
//
// Measured with Firefox ESR 153 and puppeteer-core 24.43:
// - browser.installExtension(dir) (BiDi webExtension.install) installs a
//   temporary add-on from an unpacked directory: no signing, no restart.
// - The moz-extension:// UUID is random per profile; we choose it instead,
//   through the pref extensions.webextensions.uuids ({addonId: uuid}) written
//   into the fresh profile before Firefox starts. Firefox reads it when it
//   installs the add-on, so the options page URL is known without any help
//   from the extension (verified in launchFirefox by loading a page).
// - BiDi refuses to navigate a tab to a moz-extension:// URL unless Firefox
//   was started with --remote-allow-system-access. With it, the navigation
//   happens, but Firefox swaps the tab's browsing context for the extension
//   process and its navigation events fail ("context is null" in
//   NavigationManager), so puppeteer's goto() never resolves and page.url()
//   stays "about:blank". openExtensionPage() therefore starts the navigation
//   without waiting (BiDi wait: "none") and polls location.href itself;
//   evaluate(), locators and keyboard input work normally on that tab.
// - Extension iframes inside web pages (the compose and display frames) are
//   ordinary frames for puppeteer: page.frames() lists them with their
//   moz-extension:// URL and they can be evaluated and clicked.
import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import puppeteer from 'puppeteer-core';

export const FIREFOX_PATH = process.env.FIREFOX_PATH || '/usr/bin/firefox-esr';
export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
// The built add-on (scripts/build --dev); CHATSEAL_DIST_FIREFOX points elsewhere (e.g. a private build).
export const DIST_FIREFOX = process.env.CHATSEAL_DIST_FIREFOX || path.join(ROOT, 'dist/firefox');

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Polls `fn` until it returns a truthy value; returns it, or throws after `timeout` ms. */
export async function waitFor(fn, { timeout = 10_000, interval = 50, message = 'condition' } = {}) {
  const end = Date.now() + timeout;
  let last;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > end) {
      throw new Error(`waitFor: timed out after ${timeout} ms waiting for ${message}${last ? ` (last error: ${last.message})` : ''}`);
    }
    await sleep(interval);
  }
}

// Quiet, offline, fast profile: no updates, telemetry, remote settings or
// first-run pages (the extension must make no requests; neither should Firefox
// in a test). puppeteer adds its own automation prefs on top.
const PREFS = {
  'app.update.disabledForTesting': true,
  'browser.aboutwelcome.enabled': false,
  'browser.shell.checkDefaultBrowser': false,
  'browser.startup.homepage_override.mstone': 'ignore',
  'browser.startup.page': 0,
  'browser.tabs.warnOnClose': false,
  'datareporting.policy.dataSubmissionEnabled': false,
  'extensions.autoDisableScopes': 0,
  'extensions.enabledScopes': 5,
  'extensions.update.enabled': false,
  'extensions.getAddons.cache.enabled': false,
  'messaging-system.rsexperimentloader.enabled': false,
  'services.settings.server': 'http://127.0.0.1:9/', // unreachable on purpose: no remote settings
  'toolkit.telemetry.reportingpolicy.firstRun': false,
  // The compose/display frames are focused and typed into while other tabs exist.
  'dom.disable_beforeunload': true,
  // The contact-warning dialog and frames measure themselves; keep timers real in background tabs.
  'dom.min_background_timeout_value': 4,
};

/** The add-on id from a built manifest (browser_specific_settings.gecko.id). */
async function addonId(extensionDir) {
  const manifest = JSON.parse(await fs.readFile(path.join(extensionDir, 'manifest.json'), 'utf8'));
  const id = manifest.browser_specific_settings?.gecko?.id;
  if (!id) throw new Error(`${extensionDir}/manifest.json has no browser_specific_settings.gecko.id`);
  return id;
}

/**
 * Starts firefox-esr headless with a fresh profile and, with `extensionDir`,
 * installs it as a temporary add-on. Returns
 * {browser, extensionId, uuid, origin, optionsUrl, profileDir, openExtensionPage(rel), newPage(), close()}.
 */
export async function launchFirefox({ extensionDir = DIST_FIREFOX, name = 'chatseal', headless = true, timeout = 60_000, prefs = {} } = {}) {
  const profileDir = await fs.mkdtemp(path.join(os.tmpdir(), `chatseal-ff-${name.replace(/\W+/g, '_')}-`));
  const id = extensionDir ? await addonId(extensionDir) : null;
  const uuid = crypto.randomUUID();
  let browser;
  try {
    browser = await puppeteer.launch({
      browser: 'firefox',
      protocol: 'webDriverBiDi',
      executablePath: FIREFOX_PATH,
      headless,
      userDataDir: profileDir,
      // Lets BiDi open moz-extension:// pages (the options page); see the top of this file.
      args: ['--remote-allow-system-access'],
      extraPrefsFirefox: {
        ...PREFS,
        ...(id ? { 'extensions.webextensions.uuids': JSON.stringify({ [id]: uuid }) } : {}),
        ...prefs,
      },
      defaultViewport: { width: 1000, height: 800 },
      timeout,
      protocolTimeout: timeout,
    });
  } catch (e) {
    await fs.rm(profileDir, { recursive: true, force: true });
    throw e;
  }
  const proc = browser.process();
  const close = async () => {
    // browser.close() waits for Firefox's full shutdown (~10 s on a loaded
    // 2-core machine); the profile is thrown away, so a kill is enough.
    await Promise.race([browser.close().catch(() => {}), sleep(3000)]);
    if (proc && proc.exitCode === null && proc.signalCode === null) {
      proc.kill('SIGKILL');
      await new Promise((r) => (proc.exitCode !== null || proc.signalCode !== null ? r() : proc.once('exit', r)));
    }
    await fs.rm(profileDir, { recursive: true, force: true, maxRetries: 3 });
  };

  const origin = id ? `moz-extension://${uuid}` : null;
  const ff = {
    browser, extensionId: id, uuid, origin, profileDir, close,
    optionsUrl: origin && `${origin}/options/options.html`,
    /** A new tab, brought to the front. */
    async newPage() {
      const page = await browser.newPage();
      await page.bringToFront();
      return page;
    },
    /** A new tab showing extension page `rel` (e.g. "options/options.html"), loaded. */
    async openExtensionPage(rel, { timeout: t = 15_000 } = {}) {
      const url = `${origin}/${rel}`;
      const page = await ff.newPage();
      await navigateNoWait(page, url);
      await waitFor(() => page.evaluate((u) => location.href === u && document.readyState === 'complete', url).catch(() => false),
        { timeout: t, message: `${url} to load` });
      return page;
    },
  };
  if (id) {
    try {
      const installed = await browser.installExtension(path.resolve(extensionDir));
      if (installed !== id) throw new Error(`installed add-on id ${installed}, expected ${id}`);
      // Proves the UUID pref took effect (the options page loads under our origin).
      const page = await ff.openExtensionPage('options/options.html');
      await page.close();
    } catch (e) {
      await close();
      throw e;
    }
  }
  return ff;
}

/**
 * Starts a top-level navigation and returns at once (BiDi wait: "none").
 * Needed for moz-extension:// URLs, whose navigation events never arrive
 * (see the top of this file). Falls back to an unawaited goto() if
 * puppeteer's internals change.
 */
async function navigateNoWait(page, url) {
  const context = page.mainFrame().browsingContext;
  if (typeof context?.navigate === 'function') {
    await context.navigate(url, 'none');
    return;
  }
  page.goto(url, { timeout: 60_000 }).catch(() => {});
}

/** Waits until `page` shows a URL starting with `prefix` and has loaded (page.url() may lag for extension tabs). */
export function waitForLocation(page, prefix, { timeout = 10_000 } = {}) {
  return waitFor(() => page.evaluate((p) => location.href.startsWith(p) && document.readyState === 'complete', prefix).catch(() => false),
    { timeout, message: `a page at ${prefix}` });
}

/** The first frame of `page` whose URL contains `substring` (extension iframes included). */
export function frameByUrl(page, substring, { timeout = 10_000 } = {}) {
  return waitFor(() => page.frames().find((f) => f.url().includes(substring)), { timeout, message: `frame with URL containing ${substring}` });
}

/**
 * The first element of `scope` (a Page or Frame) with ARIA role `role` and
 * accessible name `name`, as Firefox's accessibility engine computes them
 * (BiDi locateNodes, type "accessibility"), searching the document and every
 * open shadow root (Firefox's locator walks `children` only, so each root is
 * searched separately). Returns an ElementHandle or null.
 */
export async function queryRole(scope, role, name) {
  const selector = `::-p-aria(${name === undefined ? '' : ariaQuote(name)}[role="${role}"])`;
  const light = await scope.$(selector);
  if (light) return light;
  const roots = await scope.evaluateHandle(() => {
    const out = [];
    const visit = (root) => {
      for (const el of root.querySelectorAll('*')) {
        if (el.shadowRoot) {
          out.push(el.shadowRoot);
          visit(el.shadowRoot);
        }
      }
    };
    visit(document);
    return out;
  });
  try {
    const count = await roots.evaluate((r) => r.length);
    for (let i = 0; i < count; i++) {
      const root = await roots.evaluateHandle((r, j) => r[j], i);
      const found = await root.$(selector);
      await root.dispose();
      if (found) return found;
    }
  } finally {
    await roots.dispose();
  }
  return null;
}

const ariaQuote = (name) => (/^[\w ]+$/.test(name) ? name : JSON.stringify(name));

/** Waits for queryRole(scope, role, name) to find a visible element; returns it (name undefined: any name). */
export function byRole(scope, role, name, { timeout = 10_000 } = {}) {
  return waitFor(async () => {
    const el = await queryRole(scope, role, name);
    if (el && await el.isVisible()) return el;
    await el?.dispose();
    return null;
  }, { timeout, interval: 100, message: `${role} "${name ?? '*'}"` });
}
