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
async function clickSend(page, button = page.locator('#send')) {
  const before = Number(await page.evaluate(() => document.body.dataset.sends ?? 0));
  await button.click();
  await page.waitForFunction((n) => Number(document.body.dataset.sends ?? 0) > n, before);
}
const shownText = (page) => page.locator('#composer').evaluate((el) => (typeof el.value === 'string' ? el.value : el.innerText));

describe('every variant', () => {
  for (const variant of VARIANTS) {
    test(`${variant}: typed "hello" + Send reaches bob and the server; composer is emptied`, async () => {
      const t = thread(variant);
      const alice = await openChat(browser.context, app, { variant, thread: t, user: 'alice' });
      const bob = await openChat(browser.context, app, { variant, thread: t, user: 'bob' });
      await alice.bringToFront(); // background tabs get no rAF: Playwright's clicks there take ~2 s
      await composer(alice).click();
      await alice.keyboard.type('hello');
      await clickSend(alice, alice.getByRole('button', { name: 'Send' }));
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
// The page is reused (one per variant) and reloaded whenever the composer is left dirty.
const METHODS = {
  'keyboard (trusted typing)': { run: (page, text) => page.keyboard.type(text), singleLineOnly: true },
  'clipboard + Ctrl+V (user paste)': {
    run: async (page, text) => {
      await page.evaluate((s) => navigator.clipboard.writeText(s), text);
      await page.keyboard.press('Control+V');
    },
  },
  'execCommand insertText': { page: (el, text) => document.execCommand('insertText', false, text) },
  'execCommand insertText per line + insertLineBreak': {
    page: (el, text) => text.split('\n').forEach((line, i) => {
      if (i) document.execCommand('insertLineBreak');
      document.execCommand('insertText', false, line);
    }),
  },
  'paste ClipboardEvent': {
    page: (el, text) => {
      const dt = new DataTransfer();
      dt.setData('text/plain', text);
      el.dispatchEvent(new ClipboardEvent('paste', { clipboardData: dt, bubbles: true, cancelable: true, composed: true }));
    },
  },
  // The universal recipe: editors that handle paste call preventDefault; else use execCommand.
  'paste ClipboardEvent, if not handled execCommand insertText': {
    page: (el, text) => {
      const dt = new DataTransfer();
      dt.setData('text/plain', text);
      const ev = new ClipboardEvent('paste', { clipboardData: dt, bubbles: true, cancelable: true, composed: true });
      if (el.dispatchEvent(ev)) document.execCommand('insertText', false, text);
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
/**
 * What a content script should do before inserting: focus the composer and put the
 * caret at the end of its last text block. Without it ProseMirror sometimes keeps a
 * selection *between* blocks after a click below the text (the paste then lands in a
 * new paragraph: leading "\n"), and Lexical ignores paste/beforeinput when unfocused.
 */
function placeCaretAtEnd(el) {
  el.focus();
  if (typeof el.value === 'string') return el.setSelectionRange(el.value.length, el.value.length);
  let block = el;
  while (block.lastElementChild && block.lastElementChild.tagName !== 'BR') block = block.lastElementChild;
  const range = document.createRange();
  range.selectNodeContents(block);
  if (block.lastChild?.nodeName === 'BR') range.setEndBefore(block.lastChild); // before a trailing <br>
  range.collapse(false);
  getSelection().removeAllRanges();
  getSelection().addRange(range);
}
const SAMPLES = { one: 'hello world', multi: 'BEGIN X\n0123A BCDEF\nEND X' };
const IS_FIELD = { textarea: true, react: true };

// Measured with Chromium 156, React 19.3, Lexical 0.52, ProseMirror view 1.44.
// ok = exactly the inserted text is sent; ignored = nothing inserted;
// stale = the DOM shows it but the framework sends its old state; other = what was sent.
const EXPECTED = {
  "textarea | keyboard (trusted typing)": "ok / n/a",
  "textarea | clipboard + Ctrl+V (user paste)": "ok / ok",
  "textarea | execCommand insertText": "ok / ok",
  "textarea | execCommand insertText per line + insertLineBreak": "ok / ok",
  "textarea | paste ClipboardEvent": "ignored / ignored",
  "textarea | paste ClipboardEvent, if not handled execCommand insertText": "ok / ok",
  "textarea | beforeinput insertText": "ignored / ignored",
  "textarea | beforeinput insertFromPaste": "ignored / ignored",
  "textarea | value= (no event)": "ok / ok",
  "textarea | value= + input event": "ok / ok",
  "textarea | native value setter + input event": "ok / ok",
  "react | keyboard (trusted typing)": "ok / n/a",
  "react | clipboard + Ctrl+V (user paste)": "ok / ok",
  "react | execCommand insertText": "ok / ok",
  "react | execCommand insertText per line + insertLineBreak": "ok / ok",
  "react | paste ClipboardEvent": "ignored / ignored",
  "react | paste ClipboardEvent, if not handled execCommand insertText": "ok / ok",
  "react | beforeinput insertText": "ignored / ignored",
  "react | beforeinput insertFromPaste": "ignored / ignored",
  "react | value= (no event)": "stale / stale",
  "react | value= + input event": "stale / stale",
  "react | native value setter + input event": "ok / ok",
  "contenteditable | keyboard (trusted typing)": "ok / n/a",
  "contenteditable | clipboard + Ctrl+V (user paste)": "ok / ok",
  "contenteditable | execCommand insertText": "ok / ok",
  "contenteditable | execCommand insertText per line + insertLineBreak": "ok / ok",
  "contenteditable | paste ClipboardEvent": "ignored / ignored",
  "contenteditable | paste ClipboardEvent, if not handled execCommand insertText": "ok / ok",
  "contenteditable | beforeinput insertText": "ignored / ignored",
  "contenteditable | beforeinput insertFromPaste": "ignored / ignored",
  "contenteditable | textContent= + input event": "ok / ok",
  "lexical | keyboard (trusted typing)": "ok / n/a",
  "lexical | clipboard + Ctrl+V (user paste)": "ok / ok",
  "lexical | execCommand insertText": "ok / sent \"BEGIN X0123A BCDEFEND X\"",
  "lexical | execCommand insertText per line + insertLineBreak": "ok / sent \"BEGIN X0123A BCDEFEND X\"",
  "lexical | paste ClipboardEvent": "ok / ok",
  "lexical | paste ClipboardEvent, if not handled execCommand insertText": "ok / ok",
  "lexical | beforeinput insertText": "ok / ok",
  "lexical | beforeinput insertFromPaste": "ignored / ignored",
  "lexical | textContent= + input event": "ignored / ignored",
  "prosemirror | keyboard (trusted typing)": "ok / n/a",
  "prosemirror | clipboard + Ctrl+V (user paste)": "ok / ok",
  "prosemirror | execCommand insertText": "ok / ok",
  "prosemirror | execCommand insertText per line + insertLineBreak": "ok / sent \"BEGIN X 0123A BCDEF END X\"",
  "prosemirror | paste ClipboardEvent": "ok / ok",
  "prosemirror | paste ClipboardEvent, if not handled execCommand insertText": "ok / ok",
  "prosemirror | beforeinput insertText": "ignored / ignored",
  "prosemirror | beforeinput insertFromPaste": "ignored / ignored",
  "prosemirror | textContent= + input event": "ok / sent \"BEGIN X 0123A BCDEF END X\"",
};

test('insertion methods accepted by each composer (measured matrix)', async (t) => {
  await browser.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: app.url });
  const page = await browser.context.newPage();
  const results = {};
  for (const variant of VARIANTS) {
    const th = thread(`matrix-${variant}`);
    await page.goto(chatUrl(app, { variant, thread: th }));
    for (const [name, m] of Object.entries(METHODS)) {
      if ((m.fields && !IS_FIELD[variant]) || (m.editables && IS_FIELD[variant])) continue;
      await page.locator('#messages[data-ready]').waitFor({ state: 'attached' });
      const cells = [];
      for (const [sampleName, sample] of Object.entries(SAMPLES)) {
        if (m.singleLineOnly && sampleName === 'multi') { cells.push('n/a'); continue; }
        const count = sentTo(th).length;
        if (m.run) {
          await page.locator('#composer').click();
          // Where a click lands in an editor's padding decides where its caret goes
          // (ProseMirror then pastes into a new paragraph): put it inside the text.
          await page.locator('#composer').evaluate(placeCaretAtEnd);
          await m.run(page, sample);
        } else { // what a content script can do: no trusted click, focus + caret in code
          await page.locator('#composer').evaluate(placeCaretAtEnd);
          await page.locator('#composer').evaluate(m.page, sample);
        }
        const shown = await shownText(page);
        await clickSend(page);
        const sent = sentTo(th)[count];
        cells.push(sent === sample ? 'ok'
          : sent === undefined ? (shown.trim() ? 'stale' : 'ignored')
            : `sent ${JSON.stringify(sent)}`);
        if ((await shownText(page)).trim()) await page.reload(); // composer left dirty: start clean
      }
      results[`${variant} | ${name}`] = cells.join(' / ');
    }
  }
  await page.close();
  const table = Object.entries(results).map(([k, v]) => `| ${k} | ${v} |`).join('\n');
  t.diagnostic(`variant | method | single-line / multi-line\n${table}`);
  if (Object.keys(EXPECTED).length) assert.deepEqual(results, EXPECTED);
});

test('programmatic submit: synthetic Enter keydown and button.click() both send (no isTrusted checks)', async () => {
  const results = {};
  for (const variant of VARIANTS) {
    const th = thread(`submit-${variant}`);
    const page = await openChat(browser.context, app, { variant, thread: th });
    for (const [name, submit] of Object.entries({
      enter: (el) => el.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', code: 'Enter', keyCode: 13, bubbles: true, cancelable: true })),
      click: () => document.querySelector('#send').click(),
    })) {
      await composer(page).click();
      await composer(page).evaluate((el, text) => {
        const dt = new DataTransfer();
        dt.setData('text/plain', text);
        if (el.dispatchEvent(new ClipboardEvent('paste', { clipboardData: dt, bubbles: true, cancelable: true }))) document.execCommand('insertText', false, text);
      }, `via ${name}`);
      const sends = await page.evaluate(() => Number(document.body.dataset.sends ?? 0));
      await composer(page).evaluate(submit);
      await page.waitForFunction((n) => Number(document.body.dataset.sends ?? 0) > n, sends, { timeout: 2000 }).catch(() => {});
      results[`${variant} ${name}`] = sentTo(th).includes(`via ${name}`);
    }
    await page.close();
  }
  assert.ok(Object.values(results).every(Boolean), JSON.stringify(results));
});

test('list modes: append keeps nodes, rerender=1 replaces them, linkify/br split text across nodes', async () => {
  const post = (th, text) => fetch(`${app.url}/api/messages`, { method: 'POST', body: JSON.stringify({ thread: th, user: 'bob', text }) });
  const firstNodeSurvives = async (opts) => {
    const th = thread('modes');
    await post(th, 'first');
    const page = await openChat(browser.context, app, { thread: th, ...opts });
    const first = await page.locator('.message').first().elementHandle();
    await post(th, 'second');
    await waitForMessage(page, 'second');
    const alive = await first.evaluate((n) => n.isConnected);
    await page.close();
    return alive;
  };
  assert.equal(await firstNodeSurvives({}), true);
  assert.equal(await firstNodeSurvives({ rerender: 1 }), false);

  const th = thread('linkify');
  const text = 'see https://example.com/a?b=1 and\nBEGIN X\n0123A BCDEF 0123A BCDEF 0123A BCDEF 0123A BCDEF\nEND X';
  await post(th, text);
  for (const opts of [{ linkify: 1 }, { br: 1 }, { linkify: 1, br: 1 }]) {
    const page = await openChat(browser.context, app, { thread: th, ...opts });
    const info = await page.locator('.message .text').first().evaluate((el) => ({
      innerText: el.innerText, nodes: el.childNodes.length, links: [...el.querySelectorAll('a')].map((a) => a.textContent), brs: el.querySelectorAll('br').length,
    }));
    assert.equal(info.innerText, text, JSON.stringify(opts));
    assert.ok(info.nodes > 6, `text split over ${info.nodes} nodes`);
    assert.deepEqual(info.links, opts.linkify ? ['https://example.com/a?b=1'] : []);
    assert.equal(info.brs, opts.br ? 3 : 0);
    await page.close();
  }
});

test('maxlength: composer carries the limit and the server rejects longer messages', async () => {
  const th = thread('maxlength');
  const ta = await openChat(browser.context, app, { variant: 'textarea', thread: th, maxlength: 10 });
  assert.equal(await composer(ta).getAttribute('maxlength'), '10');
  await ta.close();
  const page = await openChat(browser.context, app, { variant: 'contenteditable', thread: th, maxlength: 10 });
  assert.equal(await composer(page).getAttribute('data-max-length'), '10');
  await composer(page).click();
  await page.keyboard.type('this is longer than ten');
  await clickSend(page);
  await page.getByRole('alert').filter({ hasText: 'too long' }).waitFor();
  assert.equal((await shownText(page)).trim(), 'this is longer than ten'); // not cleared
  await composer(page).evaluate((el) => { el.textContent = 'short'; });
  await clickSend(page);
  assert.deepEqual(sentTo(th), ['short']);
  const res = await fetch(`${app.url}/api/messages`, { method: 'POST', body: JSON.stringify({ thread: th, user: 'x', text: '12345678901', maxLength: 10 }) });
  assert.equal(res.status, 413);
  await page.close();
});

test('hostile mode records typed keys, input values, mutations, snapshots and postMessages', async () => {
  const th = thread('hostile');
  const page = await openChat(browser.context, app, { variant: 'contenteditable', thread: th, hostile: 1 });
  await composer(page).click();
  await page.keyboard.type('hunter2');
  await page.evaluate(() => window.postMessage({ probe: 'pm-probe-42' }, '*'));
  await page.waitForTimeout(50);
  await flushSpy(page);
  const records = app.spy().filter((b) => b.user === 'alice').flatMap((b) => b.data);
  const kinds = new Set(records.map((r) => r.kind));
  for (const k of ['keydown', 'keyup', 'beforeinput', 'input', 'mutation', 'snapshot', 'focusin', 'postMessage']) assert.ok(kinds.has(k), `spy recorded ${k}`);
  assert.equal(records.filter((r) => r.kind === 'keydown').map((r) => r.key).join(''), 'hunter2');
  assert.ok(records.some((r) => r.kind === 'input' && r.targetText === 'hunter2'));
  assert.ok(records.some((r) => r.kind === 'snapshot' && r.innerText.includes('hunter2')));
  assert.ok(records.some((r) => r.kind === 'snapshot' && r.resources.some((u) => u.includes('/api/'))), 'the spy lists loaded resources');
  assert.ok(records.some((r) => r.kind === 'postMessage' && r.data.includes('pm-probe-42')));
  assert.ok(app.find('hunter2').some((h) => h.url === '/api/spy'));

  // Shadow roots: an open one added later is observed; a closed one only via the attachShadow hook.
  await page.evaluate(() => {
    const a = document.body.appendChild(document.createElement('div')).attachShadow({ mode: 'open' });
    const b = document.body.appendChild(document.createElement('div')).attachShadow({ mode: 'closed' });
    setTimeout(() => {
      a.append('open-shadow-text');
      b.append('closed-shadow-text');
      a.append(Object.assign(document.createElement('iframe'), { src: 'about:blank#shadow-iframe-src' }));
    }, 20);
  });
  await page.waitForTimeout(100);
  await flushSpy(page);
  assert.ok(app.find('open-shadow-text').length > 0);
  assert.ok(app.find('closed-shadow-text').length > 0);
  assert.ok(app.find('shadow-iframe-src').length > 0, 'the spy reads the src of frames in shadow roots');
  await page.close();
});

test('domTextViaCDP: sees closed shadow roots, input values and same-origin frames, not cross-origin frames', async () => {
  const page = await openChat(browser.context, app, { variant: 'textarea', thread: thread('cdp') });
  await composer(page).fill('typed-value-text');
  await page.evaluate(async () => {
    const host = document.body.appendChild(document.createElement('div'));
    host.attachShadow({ mode: 'closed' }).innerHTML = '<p>closed-shadow-text</p><span title="attr-in-shadow"></span>';
    const blank = document.body.appendChild(document.createElement('iframe'));
    blank.contentDocument.body.textContent = 'blank-frame-text';
    const data = document.createElement('iframe');
    data.src = 'data:text/html,data%2Dframe-text'; // percent-encoded so the src attribute does not match
    await new Promise((r) => { data.onload = r; document.body.append(data); });
  });
  const text = await domTextViaCDP(page);
  for (const s of ['closed-shadow-text', 'attr-in-shadow', 'typed-value-text', 'blank-frame-text', 'Thread']) assert.ok(text.includes(s), s);
  assert.ok(!text.includes('data-frame-text'), 'opaque-origin frame skipped');
  await page.close();
});

test('csp=1 serves a strict CSP and the app still works; index lists the variants', async () => {
  const th = thread('csp');
  const page = await browser.context.newPage();
  const errors = [];
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  const res = await page.goto(chatUrl(app, { variant: 'lexical', thread: th, csp: 1 }));
  assert.match(res.headers()['content-security-policy'], /script-src 'self'/);
  await composer(page).click();
  await page.keyboard.type('under csp');
  await page.keyboard.press('Enter');
  await waitFor(() => sentTo(th).length);
  assert.deepEqual(sentTo(th), ['under csp']);
  assert.deepEqual(errors, []);
  await page.goto(app.url);
  for (const v of VARIANTS) assert.ok(await page.getByRole('link', { name: 'alice' }).count() === VARIANTS.length && (await page.content()).includes(`/${v}/demo`));
  await page.close();
});
