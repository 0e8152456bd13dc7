// ChatSeal-specific helpers for the Firefox tests (tests/e2e/firefox.test.js):
// keys through the options page UI, composing on the test chat app, reading
// what the display frames show. Element lookups go through Firefox's own
// accessibility engine (byRole), so the contract's accessible names are checked.
import { chatUrl } from '../harness.js';
import { byRole, launchFirefox, waitFor } from './browser.js';

/** A Firefox profile with ChatSeal installed: {name, ff, options?}. */
export async function launchUser(name, options = {}) {
  return { name, ff: await launchFirefox({ name, ...options }) };
}

/** The options page of `user` (opened once, kept). */
export async function optionsPage(user) {
  if (user.options && !user.options.isClosed()) return user.options;
  user.options = await user.ff.openExtensionPage('options/options.html');
  await user.options.waitForSelector('#no-keys:not([hidden]), #key-list:not([hidden])');
  return user.options;
}

/** Text of the options page's role=status or role=alert region once it matches `expected`. */
export async function announced(page, expected, { region = 'status', timeout = 15_000 } = {}) {
  return waitFor(async () => {
    const text = await page.$eval(`[role=${region}]`, (el) => el.textContent);
    return expected.test(text) ? text : null;
  }, { timeout, message: `${region} matching ${expected}` });
}

/** Empties the options page's announcement regions (so the next announcement is new). */
const clearRegions = (page) => page.evaluate(() => {
  for (const el of document.querySelectorAll('[role=status], [role=alert]')) el.textContent = '';
});

/** Types into a textbox found by its accessible name, replacing what it held. */
export async function fillByName(scope, name, text) {
  const box = await byRole(scope, 'textbox', name);
  await box.evaluate((el) => {
    el.focus();
    el.select?.();
  });
  await box.type(text);
  return box;
}

/** "Key name" + "New key": creates a key; returns {code, safety}. */
export async function createKey(user, name) {
  const page = await optionsPage(user);
  await clearRegions(page);
  await fillByName(page, 'Key name', name);
  await (await byRole(page, 'button', 'New key')).click();
  await announced(page, /created/i);
  const code = await (await byRole(page, 'textbox', 'Key code')).evaluate((el) => el.value.trim());
  return { code, safety: await page.$eval('#safety', (el) => el.textContent) };
}

/** "Paste a key code" + "Import key"; returns the announcement ({status} or {alert}). */
export async function importKey(user, code) {
  const page = await optionsPage(user);
  await clearRegions(page);
  // Pasting a long code by key events is slow; put it in as one input.
  const box = await byRole(page, 'textbox', 'Paste a key code');
  await box.evaluate((el, value) => {
    el.focus();
    el.value = value;
    el.dispatchEvent(new Event('input', { bubbles: true }));
  }, code);
  await (await byRole(page, 'button', 'Import key')).click();
  return waitFor(async () => {
    const [status, alert] = await page.evaluate(() => [
      document.querySelector('[role=status]').textContent, document.querySelector('[role=alert]').textContent]);
    if (alert) return { alert };
    return status ? { status } : null;
  }, { timeout: 15_000, message: 'import announced' });
}

/** Opens a chat page of the test app in a new tab; waits for its first poll. */
export async function openChat(user, app, opts) {
  const page = await user.ff.newPage();
  await page.goto(chatUrl(app, opts));
  await page.waitForSelector('#messages[data-ready]');
  return page;
}

/** What the site's composer holds (value or innerText). */
export const composerText = (page) => page.$eval('#composer', (el) => (typeof el.value === 'string' ? el.value : el.innerText));

/** Frames of `page` showing extension page frames/<name>.html (puppeteer's frame.url() can lag for them). */
export async function extensionFrames(page, name) {
  const out = [];
  for (const frame of page.frames()) {
    if (frame === page.mainFrame()) continue;
    const path = await frame.evaluate(() => location.protocol === 'moz-extension:' && location.pathname).catch(() => null);
    if (path === `/frames/${name}.html`) out.push(frame);
  }
  return out;
}

/** Focuses the composer and opens the compose frame ("Encrypt message" button, or Ctrl+Shift+E). */
export async function openCompose(page, { via = 'button' } = {}) {
  await page.click('#composer');
  if (via === 'shortcut') {
    await page.keyboard.down('Control');
    await page.keyboard.down('Shift');
    await page.keyboard.press('KeyE');
    await page.keyboard.up('Shift');
    await page.keyboard.up('Control');
  } else {
    await (await byRole(page, 'button', 'Encrypt message')).click();
  }
  const frame = await waitFor(async () => (await extensionFrames(page, 'compose'))[0], { message: 'compose frame' });
  await byRole(frame, 'textbox', 'Secret message');
  return frame;
}

/** Types `text` in the compose frame's "Secret message" and clicks "Encrypt and insert". */
export async function encryptAndInsert(page, text, opts) {
  const frame = await openCompose(page, opts);
  await (await byRole(frame, 'textbox', 'Secret message')).type(text);
  await (await byRole(frame, 'button', 'Encrypt and insert')).click();
  await waitFor(async () => /END\s+CHATSEAL\s+MESSAGE/.test(await composerText(page)), { message: 'block in the composer' });
  return frame;
}

/** Finished send attempts of the chat page (body[data-sends]). */
export const sends = (page) => page.evaluate(() => Number(document.body.dataset.sends ?? 0));

/** What the display frames on `page` show: [{text, who} | {failure}]. */
export async function displayed(page) {
  const out = [];
  for (const frame of await extensionFrames(page, 'display')) {
    const v = await frame.evaluate(() => {
      const msg = document.getElementById('message');
      const fail = document.getElementById('failure');
      if (msg && !msg.hidden) return { text: document.getElementById('text').textContent, who: document.getElementById('who').textContent };
      if (fail && !fail.hidden) return { failure: document.getElementById('failTitle').textContent };
      return null;
    }).catch(() => null);
    if (v) out.push(v);
  }
  return out;
}

/** Waits until a display frame shows `text` (or the failure title `failure`). */
export function waitForDisplayed(page, { text, failure, timeout = 15_000 }) {
  return waitFor(async () => (await displayed(page)).find((d) => (text !== undefined ? d.text === text : d.failure === failure)),
    { timeout, interval: 150, message: `display frame with ${text !== undefined ? `text ${JSON.stringify(text)}` : `failure ${failure}`}` });
}

/** The background page's start time: changes when Firefox suspended and restarted the event page. */
export const backgroundStartedAt = (optionsPage_) => optionsPage_.evaluate(async () => (await chrome.runtime.getBackgroundPage()).performance.timeOrigin);
