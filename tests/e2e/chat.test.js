// ChatSeal end to end, in real Chromium with the built extension (dist/chrome,
// from `scripts/build --dev`): Alice and Bob, two profiles, one shared key.
// Run: node --test tests/e2e/chat.test.js
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { VARIANTS } from './app/server.js';
import {
  composer, domTextViaCDP, flushSpy, openChat, startApp, stopServiceWorker, waitFor,
} from './harness.js';
import {
  DIST, composeFrame, composerText, contentEval, conversationOf, createKey, displayFrames, displayed, encryptAndInsert,
  importKey, launchUser, nodeCore, openCompose, postMessage, pressClosingFrame, waitForDisplayed, within,
} from './ext.js';

const IMAGES = path.resolve(DIST, '../../docs/images');
const T = { timeout: 120_000 }; // a hung browser call fails the test instead of the run
const HAS_DETECTOR = (await fs.readFile(path.join(DIST, 'wasm/chatseal.js'), 'utf8')).includes('scanContacts');

let app;
let alice;
let bob;
let keyCode;
let n = 0;
const thread = (name) => `${name}-${++n}`;
const secret = (what) => `${what} ${Math.random().toString(36).slice(2, 10)} — meet at the café, naïve plan`;
const sentTo = (t) => app.messages.filter((m) => m.thread === t).map((m) => m.text);

before(async () => {
  await fs.mkdir(IMAGES, { recursive: true });
  app = await startApp();
  [alice, bob] = await Promise.all([launchUser('alice'), launchUser('bob')]);
  // Alice makes the key; Bob pastes its key code; both through the options page UI.
  keyCode = await createKey(alice, 'Alice & Bob');
  await importKey(bob, keyCode);
  await bob.options.getByRole('status').filter({ hasText: /import/i }).waitFor();
});

after(async () => {
  await Promise.all([alice?.browser.close(), bob?.browser.close()]);
  await app?.close();
});

/** Clicks the site's Send button and waits until the site finished that attempt. */
async function clickSend(page) {
  const before = Number(await page.evaluate(() => document.body.dataset.sends ?? 0));
  await page.getByRole('button', { name: 'Send', exact: true }).click();
  await page.waitForFunction((k) => Number(document.body.dataset.sends ?? 0) > k, before);
}

/** Writes `text` in the compose frame on `page`, inserts, and sends with Enter or the Send button. */
async function aliceSends(page, text, { via = 'enter' } = {}) {
  await encryptAndInsert(page, text);
  await waitFor(async () => (await composerText(page)).includes('BEGIN CHATSEAL MESSAGE'), { message: 'block in the composer' });
  if (via === 'enter') {
    await composer(page).press('Enter');
  } else {
    await clickSend(page);
  }
}

describe('compose and read on every composer variant', () => {
  for (const [i, variant] of VARIANTS.entries()) {
    test(`${variant}: Alice encrypts and sends, Bob reads the plaintext`, T, async () => {
      const t = thread(variant);
      const text = secret(`Hello from ${variant}`);
      const a = await openChat(alice.context, app, { variant, thread: t, user: 'alice' });
      const b = await openChat(bob.context, app, { variant, thread: t, user: 'bob' });
      await aliceSends(a, text, { via: i % 2 ? 'button' : 'enter' });
      await waitFor(() => sentTo(t).length === 1, { message: 'sent' });
      assert.match(sentTo(t)[0], /^BEGIN CHATSEAL MESSAGE\n[0-9A-Z ]+\nEND CHATSEAL MESSAGE$/);
      // The site's state held the block, not stale or empty text; the site empties its composer.
      await waitFor(async () => (await composerText(a)).trim() === '', { message: 'composer emptied' });
      const shown = await waitForDisplayed(b, { text });
      assert.equal(shown.who, 'Your contact');
      assert.deepEqual(await waitForDisplayed(a, { text }), { text, who: 'You' });
      // The block is replaced where it stood: its ciphertext is no longer visible on the page.
      assert.ok(!(await b.locator('#messages').innerText()).includes('CHATSEAL'));
      assert.deepEqual(app.find(text), [], 'the server never received the plaintext');
      assert.ok(!app.logText().includes(text.split(' ')[3]));
      await Promise.all([a.close(), b.close()]);
    });
  }
});

test('a conversation both ways (docs/images/thread.png)', T, async () => {
  const t = thread('conversation');
  const a = await openChat(alice.context, app, { thread: t, user: 'alice' });
  const b = await openChat(bob.context, app, { thread: t, user: 'bob' });
  await aliceSends(a, 'Hi Bob! The draft contract is ready.\nShall we go through it tomorrow at 10?');
  await waitForDisplayed(b, { text: 'Hi Bob! The draft contract is ready.\nShall we go through it tomorrow at 10?' });
  await aliceSends(b, 'Sounds good. I will bring my notes on the milestones.');
  await waitForDisplayed(a, { text: 'Sounds good. I will bring my notes on the milestones.' });
  await aliceSends(a, 'Great — see you then.');
  await waitForDisplayed(b, { text: 'Great — see you then.' });
  await waitFor(async () => (await displayed(b)).length === 3);
  const who = Object.fromEntries((await displayed(b)).map((d) => [d.text.slice(0, 5), d.who]));
  assert.deepEqual(who, { 'Hi Bo': 'Your contact', 'Sound': 'You', 'Great': 'Your contact' });
  await b.locator('header').click(); // composer unfocused: no "Encrypt message" button in the picture
  await b.getByRole('button', { name: 'Encrypt message' }).waitFor({ state: 'hidden' });
  await b.screenshot({ path: path.join(IMAGES, 'thread.png') });
  await Promise.all([a.close(), b.close()]);
});

test('compose frame: Ctrl+Shift+E, Enter makes newlines, Ctrl+Enter inserts, Escape returns focus', T, async () => {
  const t = thread('keys');
  const page = await openChat(alice.context, app, { thread: t });
  await composer(page).click();
  await page.keyboard.press('Control+Shift+E');
  const frame = await waitFor(() => composeFrame(page), { message: 'compose frame' });
  const box = frame.getByRole('textbox', { name: 'Secret message' });
  await box.waitFor();
  // ChatSeal's frames sit in open shadow roots the page can read: none has a
  // src (the extension's URL, in Firefox a per-install id) and the token went
  // by postMessage, so neither is in the page.
  const frameSrcs = await page.evaluate(() => [...document.querySelectorAll('*')]
    .flatMap((el) => (el.shadowRoot ? [...el.shadowRoot.querySelectorAll('iframe')].map((f) => f.getAttribute('src')) : [])));
  assert.ok(frameSrcs.length > 0, 'the page can see ChatSeal\'s frames');
  assert.deepEqual(frameSrcs.filter((u) => u !== null), [], 'no frame carries a URL');
  await waitFor(() => within(frame.evaluate(() => document.activeElement?.id === 'message'), 2000, false), { message: 'focus in the frame' });
  await page.keyboard.type('first line');
  await page.keyboard.press('Enter');
  await page.keyboard.press('Shift+Enter');
  await page.keyboard.type('third line');
  assert.equal(await box.inputValue(), 'first line\n\nthird line');
  await page.screenshot({ path: path.join(IMAGES, 'compose.png') });
  await pressClosingFrame(page, 'Escape', () => !composeFrame(page));
  assert.equal(await composer(page).evaluate((el) => document.activeElement === el), true);
  assert.equal(await composerText(page), '');

  const again = await openCompose(page);
  await again.getByRole('textbox', { name: 'Secret message' }).fill('sent with ctrl+enter'); // and focused
  await pressClosingFrame(page, 'Control+Enter', () => !composeFrame(page));
  await waitFor(async () => (await composerText(page)).startsWith('BEGIN CHATSEAL MESSAGE'), { message: 'inserted' });
  assert.equal(await composer(page).evaluate((el) => document.activeElement === el), true);
  await page.close();
});

test('compose frame: live contact warning with the findings marked', { ...T, skip: HAS_DETECTOR ? false : 'no contact detector yet' }, async () => {
  const page = await openChat(alice.context, app, { thread: thread('live-warning') });
  const frame = await openCompose(page);
  await frame.getByRole('textbox', { name: 'Secret message' }).fill('call me on +1 415 555 0100 tonight');
  const findings = frame.getByRole('status').filter({ hasText: '+1 415 555 0100' });
  await findings.waitFor();
  assert.equal(await frame.locator('#highlights mark').textContent(), '+1 415 555 0100');
  // Still only a warning: encrypting is the user's choice.
  assert.equal(await frame.getByRole('button', { name: 'Encrypt and insert' }).isEnabled(), true);
  await page.close();
});

test('when the block cannot be inserted, the compose frame offers to copy it', T, async () => {
  const page = await openChat(alice.context, app, { thread: thread('no-insert') });
  await alice.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: app.url });
  const frame = await openCompose(page);
  await frame.getByRole('textbox', { name: 'Secret message' }).fill('nowhere to go');
  await page.evaluate(() => document.getElementById('composer').remove()); // the site re-rendered it away
  await frame.getByRole('button', { name: 'Encrypt and insert' }).click();
  const copy = frame.getByRole('button', { name: 'Copy encrypted message' });
  await copy.waitFor();
  assert.match(await frame.getByRole('alert').innerText(), /could not put/i);
  await copy.click();
  await frame.getByText('Encrypted message copied').waitFor();
  const copied = await page.evaluate(() => navigator.clipboard.readText()).catch(() => null);
  if (copied !== null) assert.match(copied, /^BEGIN CHATSEAL MESSAGE[\s\S]+END CHATSEAL MESSAGE$/);
  assert.ok(!(await domTextViaCDP(page)).includes('nowhere to go'));
  await page.close();
});

describe('hostile page', () => {
  test('the plaintext reaches neither the spy nor the page DOM', T, async () => {
    const t = thread('hostile');
    const text = secret('Hostile check');
    const a = await openChat(alice.context, app, { thread: t, user: 'alice', hostile: 1 });
    const b = await openChat(bob.context, app, { thread: t, user: 'bob', hostile: 1 });
    // Type it key by key, like a person (the page records every key event it can see).
    const frame = await openCompose(a);
    await frame.getByRole('textbox', { name: 'Secret message' }).pressSequentially(text, { delay: 2 });
    await frame.getByRole('button', { name: 'Encrypt and insert' }).click();
    await waitFor(async () => (await composerText(a)).includes('CHATSEAL'), { message: 'inserted' });
    await composer(a).press('Enter');
    await waitForDisplayed(b, { text });
    await waitForDisplayed(a, { text });
    await Promise.all([flushSpy(a), flushSpy(b)]);
    await waitFor(() => app.spy().length >= 2, { message: 'spy reports' });
    const spied = JSON.stringify(app.spy());
    assert.ok(spied.includes('CHATSEAL'), 'the spy works: it saw the ciphertext');
    // It also looked at ChatSeal's frames, and learnt no extension URL from them.
    assert.ok(app.spy().flatMap((u) => u.data).some((r) => r.kind === 'snapshot' && r.iframes.length > 0), 'the spy saw the frames');
    assert.ok(!spied.includes('chrome-extension://'), 'the spy saw an extension URL');
    for (const word of [text, ...text.split(' ').filter((w) => w.length >= 6)]) {
      assert.ok(!spied.includes(word), `spy saw ${word}`);
      assert.ok(!app.logText().includes(word), `server log has ${word}`);
    }
    for (const page of [a, b]) {
      const dom = await domTextViaCDP(page);
      assert.ok(!dom.includes(text) && !dom.includes(text.split(' ')[2]), 'plaintext in the page DOM');
    }
    assert.ok(!(await domTextViaCDP(b)).includes(sentTo(t)[0].split('\n')[1].slice(0, 21)), 'the ciphertext was replaced');
    await Promise.all([a.close(), b.close()]);
  });

  test('a page that frames the compose panel itself gets nothing', T, async () => {
    const page = await openChat(bob.context, app, { thread: thread('forged') });
    const url = await page.evaluate((id) => {
      const f = document.createElement('iframe');
      f.src = `chrome-extension://${id}/frames/compose.html#AAAAAAAAAAAAAAAAAAAAAAAA`;
      document.body.append(f);
      return f.src;
    }, bob.extensionId);
    const frame = await waitFor(() => page.frames().find((f) => f.url().startsWith(url.split('#')[0])), { message: 'forged frame' })
      .catch(() => null);
    if (frame) {
      await frame.getByText('This ChatSeal panel was not opened by ChatSeal').waitFor();
      assert.equal(await frame.getByRole('textbox', { name: 'Secret message' }).count(), 0);
    } // else: Chromium refused to load it at all (use_dynamic_url), which is just as good
    // A display frame the page placed and fed a made-up token shows nothing but the refusal.
    await page.evaluate((id) => {
      const f = document.createElement('iframe');
      f.id = 'forged-display';
      f.src = `chrome-extension://${id}/frames/display.html`;
      f.onload = () => f.contentWindow.postMessage({ token: 'BBBBBBBBBBBBBBBBBBBBBBBB' }, '*');
      document.body.append(f);
    }, bob.extensionId);
    // That iframe element's own frame (ChatSeal's display frames may share its URL).
    const display = await waitFor(async () => {
      const f = await (await page.$('#forged-display'))?.contentFrame();
      return f?.url().includes('/frames/display.html') ? f : null;
    }, { timeout: 5000, message: 'forged display frame' }).catch(() => null);
    if (display) await display.getByText('This ChatSeal panel was not opened by ChatSeal').waitFor();
    await page.close();
  });
});

describe('failure states', () => {
  let core;
  let sharedSecret;
  before(async () => {
    core = await nodeCore();
    sharedSecret = core.readKeyCode(keyCode).secret;
  });
  const seal = (conversation, text, secretKey = sharedSecret, extra = {}) => core.encrypt(secretKey, text, {
    senderId: core.newSenderId(), counter: 1, createdMs: Date.now(), conversation, ...extra,
  });

  test('tampered block, unknown key, other conversation, unsupported version', T, async () => {
    const t = thread('fail');
    const conv = conversationOf(app, 'textarea', t);
    const good = seal(conv, 'the original')[0];
    // One letter of the ciphertext changed (near the end: the start holds version, key id, nonce).
    const lines = good.split('\n');
    let i = lines[1].length - 8;
    while (lines[1][i] === ' ') i--;
    lines[1] = lines[1].slice(0, i) + (lines[1][i] === 'A' ? 'B' : 'A') + lines[1].slice(i + 1);
    const tampered = lines.join('\n');
    const unknown = seal(conv, 'for someone else', core.generateKey('other').secret)[0];
    const elsewhere = seal(conversationOf(app, 'textarea', 'another-thread'), 'copied here')[0];
    const newer = good.replace('\n0', '\n8'); // version byte 1 -> 0b01000...: a future version
    for (const text of [good, tampered, unknown, elsewhere, newer]) await postMessage(app, { thread: t, user: 'alice', text });
    const b = await openChat(bob.context, app, { thread: t, user: 'bob' });
    await waitForDisplayed(b, { text: 'the original' });
    await waitForDisplayed(b, { failure: 'Message altered' });
    await waitForDisplayed(b, { failure: 'No key for this message' });
    await waitForDisplayed(b, { failure: 'Sent in another conversation' });
    await waitForDisplayed(b, { failure: 'Unsupported version' });
    // "No key for this message" offers a way to import one.
    let link = 0;
    for (const f of displayFrames(b)) {
      if ((await f.locator('#failTitle').textContent()) === 'No key for this message') {
        link += await f.getByRole('link', { name: /import a key/i }).count();
      }
    }
    assert.equal(link, 1);
    // Nothing of the failed blocks is shown as if it were a message.
    assert.equal((await displayed(b)).filter((d) => d.text !== undefined).length, 1);
    await b.close();
  });

  test('a block Alice sent, pasted into another conversation', T, async () => {
    const a = await openChat(alice.context, app, { thread: thread('origin') });
    await aliceSends(a, 'only for the origin thread');
    await waitFor(() => app.messages.some((m) => m.text.includes('CHATSEAL') && m.user === 'alice' && m.thread.startsWith('origin')));
    const block = app.messages.filter((m) => m.thread.startsWith('origin')).at(-1).text;
    const t = thread('pasted');
    await postMessage(app, { thread: t, user: 'mallory', text: `look: ${block}` });
    const b = await openChat(bob.context, app, { thread: t, user: 'bob' });
    await waitForDisplayed(b, { failure: 'Sent in another conversation' });
    await Promise.all([a.close(), b.close()]);
  });

  test('multipart with a missing part, then complete', T, async () => {
    const t = thread('parts');
    const conv = conversationOf(app, 'textarea', t);
    const text = `long message ${'0123456789 '.repeat(60)} end`;
    const parts = seal(conv, text, sharedSecret, { maxChars: 300 });
    assert.ok(parts.length >= 3);
    await postMessage(app, { thread: t, user: 'alice', text: parts[0] });
    await postMessage(app, { thread: t, user: 'alice', text: parts[2] });
    const b = await openChat(bob.context, app, { thread: t, user: 'bob' });
    await waitForDisplayed(b, { failure: 'Part missing' });
    for (const p of parts.slice(1).filter((_, k) => k !== 1)) await postMessage(app, { thread: t, user: 'alice', text: p });
    await postMessage(app, { thread: t, user: 'alice', text: parts[1] });
    await waitForDisplayed(b, { text });
    // One frame for the whole message; the other parts' blocks are hidden.
    await waitFor(async () => (await displayed(b)).length === 1, { message: 'a single frame' });
    await b.close();
  });
});

test('multipart under ?maxlength: parts are inserted one after another as the site sends', T, async () => {
  const t = thread('multi');
  const text = `Long secret ${'lorem ipsum dolor sit amet '.repeat(30)}the end`;
  const a = await openChat(alice.context, app, { thread: t, user: 'alice', maxlength: 300 });
  const b = await openChat(bob.context, app, { thread: t, user: 'bob', maxlength: 300 });
  const frame = await encryptAndInsert(a, text);
  const progress = frame.getByRole('status').filter({ hasText: /^Part 1 of \d+$/ });
  await progress.waitFor();
  const parts = Number((await progress.textContent()).match(/of (\d+)/)[1]);
  assert.ok(parts >= 3, `${parts} parts`);
  await frame.getByRole('button', { name: 'Insert next part' }).waitFor();
  for (let k = 1; k <= parts; k++) {
    await waitFor(async () => (await composerText(a)).includes('CHATSEAL'), { message: `part ${k} inserted` });
    if (k > 1) await frame.getByRole('status').filter({ hasText: `Part ${k} of ${parts}` }).waitFor();
    await clickSend(a);
    await waitFor(() => sentTo(t).length === k, { message: `part ${k} sent` });
  }
  assert.ok(sentTo(t).every((m) => m.length <= 300));
  await waitFor(() => !composeFrame(a), { message: 'compose frame closed after the last part' });
  await waitForDisplayed(b, { text });
  assert.equal((await displayed(b)).length, 1);
  assert.deepEqual(app.find('lorem ipsum'), []);
  await Promise.all([a.close(), b.close()]);
});

test('service worker stopped between messages: decrypting still works', T, async () => {
  const t = thread('restart');
  const a = await openChat(alice.context, app, { thread: t, user: 'alice' });
  const b = await openChat(bob.context, app, { thread: t, user: 'bob' });
  await aliceSends(a, 'before the restart');
  await waitForDisplayed(b, { text: 'before the restart' });
  assert.equal(await stopServiceWorker(bob.context, bob.extensionId), true);
  await stopServiceWorker(alice.context, alice.extensionId);
  await aliceSends(a, 'after the restart');
  await waitForDisplayed(b, { text: 'after the restart' });
  const worker = await bob.browser.serviceWorker();
  const timings = await worker.evaluate(() => globalThis.chatseal?.timings).catch(() => null);
  if (timings?.firstDecryptMs != null) console.log(`# cold start: first decrypt ${timings.firstDecryptMs.toFixed(1)} ms (WASM init ${timings.wasmInitMs?.toFixed(1)} ms)`);
  await Promise.all([a.close(), b.close()]);
});

test('re-rendered and linkified threads are decrypted again', T, async () => {
  const t = thread('rerender');
  const a = await openChat(alice.context, app, { thread: t, user: 'alice' });
  await aliceSends(a, 'first of two');
  await aliceSends(a, 'second of two');
  await waitFor(() => sentTo(t).length === 2);
  // rerender=always replaces every message node on each poll: a frame must load again each time
  // (about 150-400 ms here), so that site re-renders once a second in this test.
  for (const query of [{ rerender: 1 }, { linkify: 1 }, { br: 1 }, { rerender: 'always', poll: 1000 }]) {
    const b = await openChat(bob.context, app, { thread: t, user: 'bob', ...query });
    await waitForDisplayed(b, { text: 'first of two' });
    await waitForDisplayed(b, { text: 'second of two' });
    assert.ok(!(await b.locator('#messages').innerText()).includes('CHATSEAL'), JSON.stringify(query));
    await b.close();
  }
  await a.close();
});

describe('contact warning on send', { skip: HAS_DETECTOR ? false : 'the core has no contact detector yet' }, () => {
  const CONTACT = 'write to me at bob.smith@gmail.com please';

  for (const path_ of ['enter', 'button']) {
    test(`${path_}: "Edit message" sends nothing, "Send anyway" sends exactly once`, T, async () => {
      const t = thread(`warn-${path_}`);
      const page = await openChat(alice.context, app, { thread: t });
      await composer(page).click();
      await page.keyboard.type(CONTACT);
      const send = () => (path_ === 'enter' ? page.keyboard.press('Enter') : page.getByRole('button', { name: 'Send', exact: true }).click());
      await send();
      const dialog = page.getByRole('alertdialog');
      await dialog.waitFor();
      assert.match(await dialog.innerText(), /bob\.smith@gmail\.com/);
      if (path_ === 'enter') await page.screenshot({ path: path.join(IMAGES, 'warning.png') });
      await dialog.getByRole('button', { name: 'Edit message' }).click();
      await dialog.waitFor({ state: 'detached' });
      await page.waitForTimeout(300);
      assert.deepEqual(sentTo(t), []);
      assert.equal(await composerText(page), CONTACT);
      assert.equal(await composer(page).evaluate((el) => document.activeElement === el), true);

      await send();
      await dialog.waitFor();
      await dialog.getByRole('button', { name: 'Send anyway' }).click();
      await waitFor(() => sentTo(t).length === 1, { message: 'sent once' });
      await page.waitForTimeout(400);
      assert.deepEqual(sentTo(t), [CONTACT]);
      await page.close();
    });
  }

  test('no findings: Enter sends at once, no dialog', T, async () => {
    const t = thread('warn-clean');
    const page = await openChat(alice.context, app, { variant: 'react', thread: t });
    await composer(page).click();
    await page.keyboard.type('see you tomorrow');
    await page.keyboard.press('Enter');
    await waitFor(() => sentTo(t).length === 1, { timeout: 2000, message: 'sent' });
    assert.equal(await page.getByRole('alertdialog').count(), 0);
    await page.close();
  });
});

test('content script counters are readable by tests only through DevTools', T, async () => {
  const page = await openChat(bob.context, app, { thread: thread('stats') });
  const stats = await contentEval(page, 'globalThis.__chatsealStats');
  assert.equal(typeof stats.initialScanMs, 'number');
  assert.equal(await page.evaluate(() => typeof globalThis.__chatsealStats), 'undefined');
  await page.close();
});
