// Accessibility of ChatSeal's own UI, in real Chromium with the built extension
// (dist/chrome from `scripts/build --dev` or `node scripts/package.mjs --dev`):
// axe-core (WCAG 2 A/AA, 2.1 AA) on the options page, popup, compose frame,
// display frames, the contact warning dialog and the files page; keyboard-only
// use; dark mode; prefers-reduced-motion.
// Run: node --test tests/e2e/a11y.test.js
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import axe from 'axe-core';
import { composer, openChat, startApp, waitFor } from './harness.js';
import {
  DIST, composeFrame, composerText, conversationOf, createKey, displayFrames, launchUser, nodeCore,
  openCompose, optionsPage, postMessage, pressClosingFrame, waitForDisplayed,
} from './ext.js';

const TAGS = ['wcag2a', 'wcag2aa', 'wcag21aa'];
const HAS_DETECTOR = fs.readFileSync(path.join(DIST, 'wasm/chatseal.js'), 'utf8').includes('scanContacts');
const HAS_FILES = fs.existsSync(path.join(DIST, 'files/files.html'));
const CONTACT = 'write to me at bob.smith@gmail.com please';

let app;
let user;
let keyCode;
let n = 0;
const thread = (name) => `a11y-${name}-${++n}`;

before(async () => {
  app = await startApp();
  user = await launchUser('a11y');
  keyCode = await createKey(user, 'Accessible key');
});

after(async () => {
  await user?.browser.close();
  await app?.close();
});

/**
 * Runs axe-core in `target` (a Page or Frame). axe is injected with evaluate()
 * (DevTools evaluation is not subject to the extension pages' CSP, which
 * forbids inline scripts). `context` is a JS expression for axe's context
 * (default: the document). Frames are checked one by one, so iframes: false.
 */
async function axeRun(target, { context = 'document', rules } = {}) {
  const loaded = await target.evaluate(() => typeof window.axe === 'object').catch(() => false);
  if (!loaded) await target.evaluate(axe.source);
  return target.evaluate(async ({ ctx, tags, rules: only }) => {
    // eslint-disable-next-line no-new-func
    const context = new Function(`return (${ctx})`)();
    if (!context) throw new Error(`axe context not found: ${ctx}`);
    const options = { iframes: false, resultTypes: ['violations'], runOnly: only ? { type: 'rule', values: only } : { type: 'tag', values: tags } };
    const r = await window.axe.run(context, options);
    return r.violations.map((v) => ({
      id: v.id, impact: v.impact, help: v.help,
      nodes: v.nodes.map((x) => ({ target: x.target.join(' >>> '), html: x.html.slice(0, 160), why: x.failureSummary })),
    }));
  }, { ctx: context, tags: TAGS, rules });
}

/** Fails with a readable list of violations. */
async function assertNoViolations(target, label, opts) {
  const v = await axeRun(target, opts);
  const text = v.map((x) => `- [${x.impact}] ${x.id}: ${x.help}\n${x.nodes.map((nd) => `    at ${nd.target}\n      ${nd.html}\n      ${String(nd.why).replace(/\n/g, '\n      ')}`).join('\n')}`).join('\n');
  assert.equal(v.length, 0, `${label}: ${v.length} axe violation(s)\n${text}`);
}

async function openOptions({ dark = false, reduced = false } = {}) {
  const page = await user.context.newPage();
  await page.emulateMedia({ colorScheme: dark ? 'dark' : 'light', reducedMotion: reduced ? 'reduce' : 'no-preference' });
  await page.goto(user.optionsUrl);
  await page.locator('#no-keys:not([hidden]), #key-list:not([hidden])').first().waitFor();
  return page;
}

async function openPopup({ dark = false, reduced = false, tab } = {}) {
  const page = await user.context.newPage();
  await page.setViewportSize({ width: 420, height: 600 });
  await page.emulateMedia({ colorScheme: dark ? 'dark' : 'light', reducedMotion: reduced ? 'reduce' : 'no-preference' });
  await page.goto(`chrome-extension://${user.extensionId}/popup/popup.html?tab=${tab ?? 4242}`);
  await page.waitForLoadState('load');
  await page.waitForTimeout(300); // lets popup.js render its state
  return page;
}

/** A chat page with a decrypted message and a failure ("No key for this message"). */
async function chatWithDisplays({ dark = false } = {}) {
  const core = await nodeCore();
  const secretKey = core.readKeyCode(keyCode).secret;
  const t = thread('display');
  const conv = conversationOf(app, 'textarea', t);
  const seal = (k, text) => core.encrypt(k, text, { senderId: core.newSenderId(), counter: 1, createdMs: Date.now(), conversation: conv })[0];
  await postMessage(app, { thread: t, user: 'alice', text: seal(secretKey, 'readable by everyone') });
  await postMessage(app, { thread: t, user: 'alice', text: seal(core.generateKey('other').secret, 'for someone else') });
  const page = await user.context.newPage();
  await page.emulateMedia({ colorScheme: dark ? 'dark' : 'light' });
  await page.goto(`${app.url}/textarea/${encodeURIComponent(t)}?user=bob`);
  await page.locator('#messages[data-ready]').waitFor({ state: 'attached' });
  await waitForDisplayed(page, { text: 'readable by everyone' });
  await waitForDisplayed(page, { failure: 'No key for this message' });
  return page;
}

describe('axe-core: zero WCAG 2.1 A/AA violations', () => {
  test('options page (light and dark): keys listed, an error shown, the delete confirmation open', async () => {
    for (const dark of [false, true]) {
      const mode = dark ? 'dark' : 'light';
      const page = await openOptions({ dark });
      await assertNoViolations(page, `options (${mode})`);
      await page.getByRole('textbox', { name: 'Paste a key code', exact: true }).fill('not a key code');
      await page.getByRole('button', { name: 'Import key', exact: true }).click();
      await page.getByRole('alert').filter({ hasText: /\S/ }).waitFor();
      await assertNoViolations(page, `options with an error (${mode})`);
      await page.locator('#delete-key').click();
      await page.locator('#confirm-delete[open]').waitFor();
      await assertNoViolations(page, `options, delete confirmation (${mode})`);
      await page.keyboard.press('Escape');
      await page.locator('#confirm-delete[open]').waitFor({ state: 'detached' });
      await page.close();
    }
  });

  test('popup (light and dark), on a chat tab with decrypted messages and on another tab', async () => {
    const chat = await chatWithDisplays();
    const sw = await user.browser.serviceWorker();
    const tabId = await sw.evaluate(async (url) => (await chrome.tabs.query({})).find((x) => x.url === url)?.id, chat.url());
    for (const tab of [tabId, 4242]) {
      for (const dark of [false, true]) {
        const page = await openPopup({ dark, tab });
        await assertNoViolations(page, `popup tab=${tab} (${dark ? 'dark' : 'light'})`);
        await page.close();
      }
    }
    await chat.close();
  });

  test('compose frame (empty and with text, light and dark)', async () => {
    for (const dark of [false, true]) {
      const page = await openChat(user.context, app, { thread: thread('compose') });
      await page.emulateMedia({ colorScheme: dark ? 'dark' : 'light' });
      const frame = await openCompose(page);
      await assertNoViolations(frame, `compose frame, empty (${dark ? 'dark' : 'light'})`);
      await frame.getByRole('textbox', { name: 'Secret message' }).fill(HAS_DETECTOR ? `hello, ${CONTACT}` : 'hello');
      await page.waitForTimeout(400); // live contact warning, if any
      await assertNoViolations(frame, `compose frame, with text (${dark ? 'dark' : 'light'})`);
      await page.close();
    }
  });

  test('compose frame states: multipart "Insert next part", and "could not insert" with the copy button (light and dark)', async () => {
    for (const dark of [false, true]) {
      const mode = dark ? 'dark' : 'light';
      const multi = await user.context.newPage();
      await multi.emulateMedia({ colorScheme: mode });
      await multi.goto(`${app.url}/textarea/${encodeURIComponent(thread('multi'))}?user=alice&maxlength=300`);
      await multi.locator('#messages[data-ready]').waitFor({ state: 'attached' });
      const frame = await openCompose(multi);
      await frame.getByRole('textbox', { name: 'Secret message' }).fill(`Long secret ${'lorem ipsum dolor sit amet '.repeat(30)}the end`);
      await frame.getByRole('button', { name: 'Encrypt and insert' }).click();
      await frame.getByRole('button', { name: 'Insert next part' }).waitFor();
      await assertNoViolations(frame, `compose frame, multipart (${mode})`);
      await multi.close();

      const page = await openChat(user.context, app, { thread: thread('noinsert') });
      await page.emulateMedia({ colorScheme: mode });
      const f2 = await openCompose(page);
      await f2.getByRole('textbox', { name: 'Secret message' }).fill('nowhere to go');
      await page.evaluate(() => document.getElementById('composer').remove());
      await f2.getByRole('button', { name: 'Encrypt and insert' }).click();
      await f2.getByRole('button', { name: 'Copy encrypted message' }).waitFor();
      await assertNoViolations(f2, `compose frame, could not insert (${mode})`);
      await page.close();
    }
  });

  test('display frames: a decrypted message and a failure state (light and dark)', async () => {
    for (const dark of [false, true]) {
      const page = await chatWithDisplays({ dark });
      const frames = displayFrames(page);
      assert.ok(frames.length >= 2);
      for (const f of frames) {
        const what = await f.evaluate(() => (document.getElementById('failure')?.hidden === false ? document.getElementById('failTitle').textContent : 'decrypted'));
        await assertNoViolations(f, `display frame: ${what} (${dark ? 'dark' : 'light'})`);
      }
      await page.close();
    }
  });

  test('contact warning dialog', { skip: HAS_DETECTOR ? false : 'the core has no contact detector yet' }, async () => {
    const page = await openChat(user.context, app, { thread: thread('warn') });
    await composer(page).click();
    await page.keyboard.type(CONTACT);
    await page.keyboard.press('Enter');
    await page.getByRole('alertdialog').waitFor();
    // Only ChatSeal's dialog (its shadow host), not the test app around it.
    await assertNoViolations(page, 'contact warning dialog', { context: "[...document.querySelectorAll('[data-chatseal]')].find((h) => h.shadowRoot?.querySelector('[role=alertdialog]'))" });
    await page.close();
  });

  test('files page', { skip: HAS_FILES ? false : 'no files page' }, async () => {
    for (const dark of [false, true]) {
      const page = await user.context.newPage();
      await page.emulateMedia({ colorScheme: dark ? 'dark' : 'light' });
      await page.goto(`chrome-extension://${user.extensionId}/files/files.html`);
      await page.waitForLoadState('load');
      await page.waitForTimeout(300);
      await assertNoViolations(page, `files page (${dark ? 'dark' : 'light'})`);
      await page.close();
    }
  });
});

/**
 * Presses Tab (in `page`, focus starting at `start`) and checks that every
 * enabled, visible control of `target` (the page or a frame of it) gets the
 * focus; a radio group counts once (Tab stops on one radio of it).
 */
async function assertTabReachesAll(page, target, label, start) {
  {
    const controls = await target.evaluate(() => {
      const sel = 'a[href], button, input, select, textarea, summary, [tabindex]:not([tabindex="-1"]), [contenteditable=""], [contenteditable=true]';
      const out = new Set();
      for (const el of document.querySelectorAll(sel)) {
        if (el.disabled || el.closest('[hidden], [inert]') || el.getAttribute('tabindex') === '-1') continue;
        if (el.type === 'hidden' || !el.getClientRects().length || getComputedStyle(el).visibility === 'hidden') continue;
        const d = el.closest('details');
        if (d && !d.open && el.tagName !== 'SUMMARY') continue;
        out.add(el.type === 'radio' && el.name ? `radio:${el.name}` : (el.id ? `#${el.id}` : el.outerHTML.slice(0, 80)));
      }
      return [...out];
    });
    assert.ok(controls.length >= 2, `${label}: controls found: ${controls}`);
    await start();
    const reached = new Set();
    for (let i = 0; i < controls.length * 2 + 10; i++) {
      await page.keyboard.press('Tab');
      const k = await target.evaluate(() => {
        const el = document.activeElement;
        if (!el || el === document.body) return null;
        return el.type === 'radio' && el.name ? `radio:${el.name}` : (el.id ? `#${el.id}` : el.outerHTML.slice(0, 80));
      });
      if (k) reached.add(k);
    }
    const missing = controls.filter((c) => !reached.has(c));
    assert.deepEqual(missing, [], `${label}: not reachable with Tab: ${missing.join(', ')}`);
  }
}

describe('keyboard alone', () => {
  test('Tab reaches every control of the options page, the popup and the files page', async () => {
    const page = await openOptions();
    await assertTabReachesAll(page, page, 'options', () => page.locator('body').click({ position: { x: 1, y: 1 } }));
    await page.close();
    const popup = await openPopup();
    await assertTabReachesAll(popup, popup, 'popup', () => popup.locator('body').click({ position: { x: 1, y: 1 } }));
    await popup.close();
    if (HAS_FILES) {
      const files = await user.context.newPage();
      await files.goto(`chrome-extension://${user.extensionId}/files/files.html`);
      await files.waitForLoadState('load');
      await files.waitForTimeout(300);
      await assertTabReachesAll(files, files, 'files', () => files.locator('body').click({ position: { x: 1, y: 1 } }));
      await files.close();
    }
  });

  test('options: the delete confirmation takes the focus, Escape cancels and returns it', async () => {
    const page = await openOptions();
    const keys = await page.getByRole('radio').count();
    await page.locator('#delete-key').focus();
    await page.keyboard.press('Enter');
    await page.locator('#confirm-delete[open]').waitFor();
    assert.equal(await page.evaluate(() => document.activeElement?.closest('dialog')?.id), 'confirm-delete');
    await page.keyboard.press('Escape');
    await page.locator('#confirm-delete[open]').waitFor({ state: 'detached' });
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'delete-key');
    assert.equal(await page.getByRole('radio').count(), keys);
    await page.close();
  });

  test('Tab reaches every control of the compose frame', async () => {
    const page = await openChat(user.context, app, { thread: thread('tabcompose') });
    const frame = await openCompose(page);
    await frame.getByRole('textbox', { name: 'Secret message' }).fill('hello');
    await assertTabReachesAll(page, frame, 'compose frame', () => frame.getByRole('textbox', { name: 'Secret message' }).focus());
    await page.close();
  });

  test('Ctrl+Shift+E opens the compose frame with focus in "Secret message"; Escape returns to the composer', async () => {
    const page = await openChat(user.context, app, { thread: thread('kbd') });
    await composer(page).focus();
    await page.keyboard.press('Control+Shift+E');
    const frame = await waitFor(() => composeFrame(page), { message: 'compose frame' });
    const box = frame.getByRole('textbox', { name: 'Secret message' });
    await box.waitFor();
    await waitFor(() => box.evaluate((el) => document.activeElement === el && document.hasFocus()), { message: 'focus in "Secret message"' });
    await pressClosingFrame(page, 'Escape', () => !composeFrame(page));
    assert.equal(await composer(page).evaluate((el) => document.activeElement === el), true);
    assert.equal(await composerText(page), '');
    await page.close();
  });

  test('contact warning: focus on a button; Escape and "Edit message" return focus to the composer', { skip: HAS_DETECTOR ? false : 'the core has no contact detector yet' }, async () => {
    const page = await openChat(user.context, app, { thread: thread('warnkbd') });
    await composer(page).focus();
    await page.keyboard.type(CONTACT);
    const dialog = page.getByRole('alertdialog');
    const focusedButton = () => page.evaluate(() => {
      let el = document.activeElement;
      while (el?.shadowRoot?.activeElement) el = el.shadowRoot.activeElement;
      return el?.tagName === 'BUTTON' ? el.textContent : null;
    });
    for (const how of ['Escape', 'Edit message']) {
      await page.keyboard.press('Enter');
      await dialog.waitFor();
      const first = await waitFor(focusedButton, { message: 'focus on a dialog button' });
      assert.ok(['Edit message', 'Send anyway'].includes(first), first);
      if (how === 'Escape') {
        await page.keyboard.press('Escape');
      } else {
        // Tab stays inside the dialog; move to "Edit message" and press Enter.
        for (let i = 0; i < 3 && (await focusedButton()) !== 'Edit message'; i++) await page.keyboard.press('Tab');
        assert.equal(await focusedButton(), 'Edit message');
        await page.keyboard.press('Enter');
      }
      await dialog.waitFor({ state: 'detached' });
      assert.equal(await composer(page).evaluate((el) => document.activeElement === el), true, `focus after ${how}`);
      assert.equal(await composerText(page), CONTACT);
    }
    assert.deepEqual(app.messages.filter((m) => m.thread.startsWith('a11y-warnkbd')), []);
    await page.close();
  });
});

describe('prefers-reduced-motion: reduce', () => {
  /** Elements of the document whose computed animation or transition lasts longer than 10 ms, and running animations. */
  const motion = (target) => target.evaluate(() => {
    const long = (v) => v.split(',').some((s) => parseFloat(s) * (s.trim().endsWith('ms') ? 1 : 1000) > 10);
    const out = [];
    const walk = (root) => {
      for (const el of root.querySelectorAll('*')) {
        const cs = getComputedStyle(el);
        if ((cs.animationName !== 'none' && long(cs.animationDuration)) || (cs.transitionProperty !== 'none' && long(cs.transitionDuration))) {
          out.push(`${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''}${el.className && typeof el.className === 'string' ? `.${el.className.split(' ').join('.')}` : ''}: animation ${cs.animationName} ${cs.animationDuration}, transition ${cs.transitionDuration}`);
        }
        if (el.shadowRoot) walk(el.shadowRoot);
      }
    };
    walk(document);
    const running = document.getAnimations().map((a) => a.animationName ?? a.transitionProperty ?? 'animation');
    return { long: out, running };
  });

  test('no animations or transitions in options, popup, files, compose and display frames', async () => {
    const targets = [];
    const options = await openOptions({ reduced: true });
    targets.push(['options', options]);
    const popup = await openPopup({ reduced: true });
    targets.push(['popup', popup]);
    if (HAS_FILES) {
      const files = await user.context.newPage();
      await files.emulateMedia({ reducedMotion: 'reduce' });
      await files.goto(`chrome-extension://${user.extensionId}/files/files.html`);
      await files.waitForLoadState('load');
      targets.push(['files', files]);
    }
    const chat = await openChat(user.context, app, { thread: thread('motion') });
    await chat.emulateMedia({ reducedMotion: 'reduce' });
    const frame = await openCompose(chat);
    targets.push(['compose frame', frame]);
    const shown = await chatWithDisplays();
    await shown.emulateMedia({ reducedMotion: 'reduce' });
    for (const f of displayFrames(shown)) targets.push(['display frame', f]);
    const bad = [];
    for (const [label, t] of targets) {
      const m = await motion(t);
      for (const x of m.long) bad.push(`${label}: ${x}`);
      for (const x of m.running) bad.push(`${label}: running ${x}`);
    }
    assert.deepEqual(bad, []);
    if (HAS_FILES) { // the check is not vacuous: without "reduce", the files page's drop zones have a transition
      const moving = await user.context.newPage();
      await moving.emulateMedia({ reducedMotion: 'no-preference' });
      await moving.goto(`chrome-extension://${user.extensionId}/files/files.html`);
      await moving.waitForLoadState('load');
      assert.ok((await motion(moving)).long.length > 0, 'motion check sees the transition without reduce');
      await moving.close();
    }
    for (const p of [options, popup, chat, shown, ...targets.filter(([l]) => l === 'files').map(([, p]) => p)]) await p.close();
  });
});
