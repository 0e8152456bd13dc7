// Real-browser test harness for ChatSeal end-to-end tests. See README.md.
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { startServer } from './app/server.js';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Polls `fn` until it returns a truthy value; returns that value or throws after `timeout`. */
export async function waitFor(fn, { timeout = 10_000, interval = 50, message = 'condition' } = {}) {
  const end = Date.now() + timeout;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`waitFor: timed out after ${timeout} ms waiting for ${message}`);
    await sleep(interval);
  }
}

/**
 * Launches Chromium with a fresh profile, optionally with an unpacked extension.
 * Returns {context, extensionId, userDataDir, serviceWorker(), close()}.
 * extensionId is null without extensionDir.
 */
export async function launchBrowser({ extensionDir, name = 'chatseal', headless = true, args = [], timeout = 15_000, ...options } = {}) {
  const userDataDir = await fs.mkdtemp(path.join(os.tmpdir(), `chatseal-e2e-${name.replace(/\W+/g, '_')}-`));
  const allArgs = [
    ...(headless ? ['--headless=new'] : []),
    '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
    '--disable-sync', '--no-first-run', '--no-default-browser-check',
    ...(extensionDir ? [`--disable-extensions-except=${path.resolve(extensionDir)}`, `--load-extension=${path.resolve(extensionDir)}`] : []),
    ...args,
  ];
  let context;
  try {
    context = await chromium.launchPersistentContext(userDataDir, {
      executablePath: CHROMIUM_PATH,
      headless: false, // we pass --headless=new ourselves: extensions need the new headless mode
      ignoreDefaultArgs: extensionDir ? ['--disable-extensions'] : [],
      args: allArgs,
      timeout,
      ...options,
    });
  } catch (e) {
    await fs.rm(userDataDir, { recursive: true, force: true });
    throw e;
  }
  const close = async () => {
    await context.close().catch(() => {});
    await fs.rm(userDataDir, { recursive: true, force: true, maxRetries: 3 });
  };

  let extensionId = null;
  const isOurs = (w) => extensionId && w.url().startsWith(`chrome-extension://${extensionId}/`);
  if (extensionDir) {
    try {
      const sw = context.serviceWorkers().find((w) => w.url().startsWith('chrome-extension://'))
        ?? await context.waitForEvent('serviceworker', { timeout, predicate: (w) => w.url().startsWith('chrome-extension://') });
      extensionId = new URL(sw.url()).host;
    } catch (e) {
      await close();
      throw new Error(`extension service worker did not start within ${timeout} ms (${extensionDir}): ${e.message}`);
    }
  }

  /**
   * The extension's service worker (a Playwright Worker). Measured: after
   * stopServiceWorker() Chromium reuses the same DevTools target when the worker
   * restarts, so the same Worker object keeps working (evaluate() runs in the new
   * instance once something has woken it). Does not wake the worker by itself.
   */
  async function serviceWorker({ timeout: t = timeout } = {}) {
    if (!extensionId) throw new Error('launched without an extension');
    return context.serviceWorkers().find(isOurs)
      ?? context.waitForEvent('serviceworker', { timeout: t, predicate: isOurs });
  }

  return { context, extensionId, userDataDir, serviceWorker, close };
}

/**
 * Stops the extension's MV3 service worker, like Chromium's idle shutdown: its
 * global state is lost and the next event (runtime message, port, alarm...)
 * starts a fresh instance. Uses Target.closeTarget on the worker's DevTools
 * target (browser-level CDP session), then waits until the target is gone, or
 * until a fresh instance answers instead (an open chat page may wake the
 * worker again at once: its messages are resent when they found no listener);
 * an instance is told by its performance.timeOrigin.
 * Returns false if the worker was not running.
 */
export async function stopServiceWorker(context, extensionId, { timeout = 5_000 } = {}) {
  const cdp = await context.browser().newBrowserCDPSession();
  const ours = () => context.serviceWorkers().find((w) => w.url().startsWith(`chrome-extension://${extensionId}/`));
  const origin = (worker) => Promise.race([
    worker.evaluate(() => performance.timeOrigin).catch(() => null),
    new Promise((resolve) => { setTimeout(() => resolve(null), 500); }),
  ]);
  try {
    const workers = async () => (await cdp.send('Target.getTargets')).targetInfos
      .filter((t) => t.type === 'service_worker' && t.url.startsWith(`chrome-extension://${extensionId}/`));
    const running = await workers();
    const before = running.length && ours() ? await origin(ours()) : null;
    for (const t of running) await cdp.send('Target.closeTarget', { targetId: t.targetId });
    await waitFor(async () => {
      if ((await workers()).length === 0) return true;
      const now = ours() ? await origin(ours()) : null;
      return before !== null && now !== null && now !== before;
    }, { timeout, message: 'service worker to stop' });
    return running.length > 0;
  } finally {
    await cdp.detach().catch(() => {});
  }
}

/**
 * All text of the page's DOM as one string, read through the DevTools protocol:
 * text and comment nodes, attribute values, and the live .value of
 * input/textarea/select; across open, closed and user-agent shadow roots and
 * into iframes whose document the page itself can reach (same-origin,
 * about:blank). Cross-origin frames (chrome-extension://, data:, other sites)
 * are skipped: out-of-process ones are never in the tree, in-process ones are
 * filtered by asking the page's main world whether iframe.contentDocument is readable.
 */
export async function domTextViaCDP(page, { attributes = true, values = true } = {}) {
  const cdp = await page.context().newCDPSession(page);
  try {
    const { root } = await cdp.send('DOM.getDocument', { depth: -1, pierce: true });
    const out = [];
    const evalOn = async (backendNodeId, fn) => {
      const { object } = await cdp.send('DOM.resolveNode', { backendNodeId });
      const { result } = await cdp.send('Runtime.callFunctionOn', { objectId: object.objectId, functionDeclaration: fn, returnByValue: true });
      await cdp.send('Runtime.releaseObject', { objectId: object.objectId }).catch(() => {});
      return result.value;
    };
    const walk = async (n) => {
      if (n.nodeType === 3 || n.nodeType === 4 || n.nodeType === 8) out.push(n.nodeValue);
      if (attributes && n.attributes) for (let i = 1; i < n.attributes.length; i += 2) out.push(n.attributes[i]);
      if (values && ['INPUT', 'TEXTAREA', 'SELECT'].includes(n.nodeName)) {
        out.push(await evalOn(n.backendNodeId, 'function () { return String(this.value) }').catch(() => ''));
      }
      for (const c of n.children ?? []) await walk(c);
      for (const c of n.shadowRoots ?? []) await walk(c);
      if (n.templateContent) await walk(n.templateContent);
      if (n.contentDocument) {
        const readable = await evalOn(n.backendNodeId, 'function () { try { return !!this.contentDocument } catch { return false } }').catch(() => false);
        if (readable) await walk(n.contentDocument);
      }
    };
    await walk(root);
    return out.join('\n');
  } finally {
    await cdp.detach().catch(() => {});
  }
}

/** Starts the local chat app (see app/server.js). */
export function startApp(options) {
  return startServer(options);
}

/** Waits for a frame (e.g. an extension iframe) whose URL contains `substring`. */
export function frameByUrl(page, substring, { timeout = 10_000 } = {}) {
  return waitFor(() => page.frames().find((f) => f.url().includes(substring)), { timeout, message: `frame with URL containing ${substring}` });
}

/** URL of a chat page: chatUrl(app, {variant, thread, user, ...query}). */
export function chatUrl(app, { variant = 'textarea', thread = 'main', user = 'alice', ...query } = {}) {
  const q = new URLSearchParams({ user, ...Object.fromEntries(Object.entries(query).map(([k, v]) => [k, String(v)])) });
  return `${app.url}/${variant}/${encodeURIComponent(thread)}?${q}`;
}

/** Opens a chat page in a new tab and waits until its first poll has rendered. */
export async function openChat(context, app, opts) {
  const page = await context.newPage();
  await page.goto(chatUrl(app, opts));
  await page.locator('#messages[data-ready]').waitFor({ state: 'attached' });
  return page;
}

/** The page's composer (every variant: role textbox, name "Message"). */
export const composer = (page) => page.getByRole('textbox', { name: 'Message' });

/** Texts of the messages currently shown, as the user sees them (innerText). */
export const messageTexts = (page) => page.locator('#messages .message .text').allInnerTexts();

/** Waits until a message whose shown text contains `text` is in the list. */
export function waitForMessage(page, text, { timeout = 10_000 } = {}) {
  return page.locator('#messages .message .text', { hasText: text }).first().waitFor({ timeout });
}

/** Hostile pages: forces a spy snapshot + upload now. */
export const flushSpy = (page) => page.evaluate(() => window.__spy.flush());

/**
 * A page function (for `page.evaluate` in an extension page, Playwright or
 * puppeteer): the key secrets stored in the extension origin's IndexedDB
 * (background/store.js), as base64 strings.
 */
export const keySecretsInIndexedDb = () => new Promise((resolve, reject) => {
  const open = indexedDB.open('chatseal-keys');
  open.onerror = () => reject(open.error);
  open.onsuccess = () => {
    const all = open.result.transaction('secrets').objectStore('secrets').getAll();
    all.onsuccess = () => { resolve(all.result); open.result.close(); };
    all.onerror = () => reject(all.error);
  };
});
