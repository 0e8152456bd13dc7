// Self-tests of the chat app and harness, in plain Chromium (no extension).
// Run: node --test tests/e2e/
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { VARIANTS } from './app/server.js';
import {
  chatUrl, composer, domTextViaCDP, flushSpy, launchBrowser, messageTexts, openChat, startApp, waitFor, waitForMessage,
} from './harness.js';

let app;
let browser;
let threadNo = 0;
const thread = (name) => `${name}-${++threadNo}`;
const sentTo = (t) => app.messages.filter((m) => m.thread === t).map((m) => m.text);

before(async () => {
  [app, browser] = await Promise.all([startApp(), launchBrowser({ name: 'app-selftest' })]);
});
after(async () => {
  await browser?.close();
  await app?.close();
});

/** Clicks Send and waits until the page has finished that send attempt. */
async function clickSend(page) {
  const before = Number(await page.evaluate(() => document.body.dataset.sends ?? 0));
  await page.getByRole('button', { name: 'Send' }).click();
  await page.waitForFunction((n) => Number(document.body.dataset.sends ?? 0) > n, before);
}
const shownText = (page) => composer(page).evaluate((el) => (typeof el.value === 'string' ? el.value : el.innerText));

describe('every variant', () => {
  for (const variant of VARIANTS) {
    test(`${variant}: typed "hello" + Send reaches bob and the server; composer is emptied`, async () => {
      const t = thread(variant);
      const alice = await openChat(browser.context, app, { variant, thread: t, user: 'alice' });
      const bob = await openChat(browser.context, app, { variant, thread: t, user: 'bob' });
      await composer(alice).click();
      await alice.keyboard.type('hello');
      await clickSend(alice);
      await waitForMessage(bob, 'hello');
      assert.deepEqual(await messageTexts(bob), ['hello']);
      assert.deepEqual(sentTo(t), ['hello']);
      assert.ok(app.find('hello').some((h) => h.url === '/api/messages' && h.path === 'body.text'));
      assert.equal((await shownText(alice)).trim(), '');
      await bob.locator('.message .author', { hasText: 'alice' }).waitFor();
      await Promise.all([alice.close(), bob.close()]);
    });

    test(`${variant}: Enter sends, Shift+Enter makes a newline`, async () => {
      const t = thread(variant);
      const page = await openChat(browser.context, app, { variant, thread: t });
      await composer(page).click();
      await page.keyboard.type('line one');
      await page.keyboard.press('Shift+Enter');
      await page.keyboard.type('line two');
      await page.keyboard.press('Enter');
      await waitFor(() => sentTo(t).length === 1);
      assert.deepEqual(sentTo(t), ['line one\nline two']);
      await waitForMessage(page, 'line two');
      assert.deepEqual(await messageTexts(page), ['line one\nline two']);
      await page.close();
    });
  }
});

test('react: a raw .value assignment without React noticing sends the stale state', async () => {
  const t = thread('react-trap');
  const page = await openChat(browser.context, app, { variant: 'react', thread: t });
  await composer(page).click();
  await page.keyboard.type('typed by user');
  await composer(page).evaluate((el) => { el.value = 'BEGIN CHATSEAL MESSAGE'; });
  assert.equal(await shownText(page), 'BEGIN CHATSEAL MESSAGE'); // the DOM shows the new text...
  await clickSend(page);
  assert.deepEqual(sentTo(t), ['typed by user']); // ...but the old React state is sent
  await page.close();
});

// How text can be put into each composer programmatically (what a content script
// can do). Each attempt: click the composer, insert, click Send, see what was sent.
const METHODS = {
  'keyboard (trusted typing)': { run: (page, text) => page.keyboard.type(text), singleLineOnly: true },
  'clipboard + Ctrl+V (user paste)': {
    run: async (page, text) => {
      await page.evaluate((s) => navigator.clipboard.writeText(s), text);
      await page.keyboard.press('Control+V');
    },
  },
  'execCommand insertText': { page: (el, text) => document.execCommand('insertText', false, text) },
  'paste ClipboardEvent': {
    page: (el, text) => {
      const dt = new DataTransfer();
      dt.setData('text/plain', text);
      el.dispatchEvent(new ClipboardEvent('paste', { clipboardData: dt, bubbles: true, cancelable: true, composed: true }));
    },
  },
  'beforeinput insertText': {
    page: (el, text) => el.dispatchEvent(new InputEvent('beforeinput', { inputType: 'insertText', data: text, bubbles: true, cancelable: true, composed: true })),
  },
  'beforeinput insertFromPaste': {
    page: (el, text) => {
      const dt = new DataTransfer();
      dt.setData('text/plain', text);
      el.dispatchEvent(new InputEvent('beforeinput', { inputType: 'insertFromPaste', dataTransfer: dt, bubbles: true, cancelable: true, composed: true }));
    },
  },
  'value= (no event)': { page: (el, text) => { el.value = text; }, fields: true },
  'value= + input event': {
    page: (el, text) => { el.value = text; el.dispatchEvent(new Event('input', { bubbles: true })); }, fields: true,
  },
  'native value setter + input event': {
    page: (el, text) => {
      Object.getOwnPropertyDescriptor(Object.getPrototypeOf(el), 'value').set.call(el, text);
      el.dispatchEvent(new Event('input', { bubbles: true }));
    },
    fields: true,
  },
  'textContent= + input event': {
    page: (el, text) => { el.textContent = text; el.dispatchEvent(new Event('input', { bubbles: true })); }, editables: true,
  },
};
const SAMPLES = { one: 'hello world', multi: 'BEGIN X\n0123A BCDEF\nEND X' };
const IS_FIELD = { textarea: true, react: true };

// Measured with Chromium 156, React 19.3, Lexical 0.52, ProseMirror view 1.44.
// ok = exactly the inserted text is sent; ignored = nothing inserted;
// stale = the DOM shows it but the framework sends its old state; other = what was sent.
const EXPECTED = {
  // filled in below from measurement
};

test('insertion methods accepted by each composer (measured matrix)', async (t) => {
  await browser.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: app.url });
  const page = await browser.context.newPage();
  const results = {};
  for (const variant of VARIANTS) {
    for (const [name, m] of Object.entries(METHODS)) {
      if ((m.fields && !IS_FIELD[variant]) || (m.editables && IS_FIELD[variant])) continue;
      const cells = [];
      for (const [sampleName, sample] of Object.entries(SAMPLES)) {
        if (m.singleLineOnly && sampleName === 'multi') { cells.push('n/a'); continue; }
        const th = thread(`matrix-${variant}`);
        await page.goto(chatUrl(app, { variant, thread: th }));
        await page.locator('#messages[data-ready]').waitFor({ state: 'attached' });
        await composer(page).click();
        if (m.run) await m.run(page, sample);
        else await composer(page).evaluate(m.page, sample);
        await page.waitForTimeout(30); // let editors reconcile (Lexical/React update asynchronously)
        const shown = await shownText(page);
        await clickSend(page);
        const [sent] = sentTo(th);
        cells.push(sent === sample ? 'ok'
          : sent === undefined ? (shown.trim() ? 'stale' : 'ignored')
            : `sent ${JSON.stringify(sent)}`);
      }
      results[`${variant} | ${name}`] = cells.join(' / ');
    }
  }
  await page.close();
  const table = Object.entries(results).map(([k, v]) => `| ${k} | ${v} |`).join('\n');
  t.diagnostic(`variant | method | single-line / multi-line\n${table}`);
  if (Object.keys(EXPECTED).length) assert.deepEqual(results, EXPECTED);
});
