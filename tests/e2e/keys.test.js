// Key management through the options page UI, in real Chromium with the built
// extension (dist/chrome from `scripts/build --dev`), plus the background's
// message protocol across a service-worker restart.
// Run: node --test tests/e2e/keys.test.js
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { keySecretsInIndexedDb, launchBrowser, openChat, startApp, stopServiceWorker, waitFor } from './harness.js';
import { waitForDisplayed } from './ext.js';

const ROOT = new URL('../..', import.meta.url).pathname;
const DIST = path.join(ROOT, 'dist/chrome');
const SCREENSHOT = path.join(ROOT, 'docs/images/options.png');
const STRONG = 'orbit lantern cactus velvet';
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'chatseal-keys-'));

/** The built extension. */
function extensionDir() {
  if (!fs.existsSync(path.join(DIST, 'manifest.json'))) throw new Error('dist/chrome is missing: run scripts/build --dev');
  return DIST;
}

const profiles = [];
async function profile(name) {
  const browser = await launchBrowser({ extensionDir: extensionDir(), name, acceptDownloads: true });
  profiles.push(browser);
  return browser;
}

/** Opens the options page and waits until it has rendered the key list. */
async function openOptions(browser) {
  const page = await browser.context.newPage();
  await page.setViewportSize({ width: 1000, height: 900 });
  await page.goto(`chrome-extension://${browser.extensionId}/options/options.html`);
  await page.locator('#no-keys:not([hidden]), #key-list:not([hidden])').first().waitFor();
  return page;
}

const ui = (page) => ({
  keyName: page.getByRole('textbox', { name: 'Key name', exact: true }),
  newKey: page.getByRole('button', { name: 'New key', exact: true }),
  keyCode: page.getByRole('textbox', { name: 'Key code', exact: true }),
  paste: page.getByRole('textbox', { name: 'Paste a key code', exact: true }),
  importKey: page.getByRole('button', { name: 'Import key', exact: true }),
  status: page.getByRole('status'),
  alert: page.getByRole('alert'),
  keys: page.getByRole('radio'),
  safety: page.locator('#safety'),
});

/** Clicks `button`, then waits for the status or alert region to show text matching `expected`. */
async function act(page, button, expected, region = 'status') {
  const target = ui(page)[region];
  await button.click();
  await target.filter({ hasText: expected }).waitFor({ timeout: 15_000 });
  return target.textContent();
}

async function createKey(page, name) {
  const u = ui(page);
  await u.keyName.fill(name);
  await act(page, u.newKey, `Key “${name}” created`);
  return { code: await u.keyCode.inputValue(), safety: await u.safety.textContent() };
}

async function importCode(page, code, expected) {
  const u = ui(page);
  await u.paste.fill(code);
  return act(page, u.importKey, expected);
}

/** Makes `name` the selected key (a radio in the key list) and waits until its details are shown. */
async function selectKey(page, name) {
  await page.getByRole('radio', { name: new RegExp(`^${name.replace(/[()]/g, '\\$&')} `) }).check();
  await page.getByRole('heading', { name: `Selected key: ${name}`, exact: true }).waitFor();
}

const radioNames = async (page) => (await page.locator('#key-items .name').allTextContents());

/** Sends a message from an extension page (a real sender, classified by the background). */
const fromPage = (page, message) => page.evaluate((m) => chrome.runtime.sendMessage(m), message);

/**
 * Runs the frame protocol inside the service worker through its message entry
 * point, with senders shaped like Chromium's (a content script in tab 4242 and
 * a frame in it). Returns the replies.
 */
function protocol(sw, steps) {
  return sw.evaluate(async (stepsIn) => {
    const id = chrome.runtime.id;
    const base = chrome.runtime.getURL('');
    const content = (tab = 4242) => ({ id, url: 'http://127.0.0.1:9/chat/main', origin: 'http://127.0.0.1:9', tab: { id: tab }, frameId: 0 });
    const frame = (page, tab = 4242, frameId = 7) => ({ id, url: `${base}frames/${page}.html`, tab: { id: tab }, frameId });
    const senders = { content, frame };
    const out = [];
    for (const { msg, from, args = [] } of stepsIn) {
      const resolved = JSON.parse(JSON.stringify(msg).replace(/"\$token(\d+)"/g, (_, i) => JSON.stringify(out[i].token)));
      const t0 = performance.now();
      const reply = await globalThis.chatseal.handle(resolved, senders[from](...args));
      out.push({ ...reply, elapsedMs: performance.now() - t0 });
    }
    return out;
  }, steps);
}

const CONV = '127.0.0.1:9/chat/main';
const encryptSteps = (text, { conversation = CONV, maxChars } = {}) => [
  { from: 'content', msg: { type: 'frame-token', purpose: 'compose', conversation, ...(maxChars ? { composer: { maxChars } } : {}) } },
  { from: 'frame', args: ['compose'], msg: { type: 'frame-hello', token: '$token0' } },
  { from: 'frame', args: ['compose'], msg: { type: 'compose-insert', token: '$token0', text } },
];
const decryptSteps = (blocks, { conversation = CONV, frameId = 9 } = {}) => [
  { from: 'content', msg: { type: 'frame-token', purpose: 'display', conversation, blocks } },
  { from: 'frame', args: ['display', 4242, frameId], msg: { type: 'frame-hello', token: '$token0' } },
  { from: 'frame', args: ['display', 4242, frameId], msg: { type: 'display-open', token: '$token0' } },
];

let alice;
let bob;
let alicePage;
let bobPage;
let shared; // {code, safety} of Alice's first key

before(async () => {
  [alice, bob] = await Promise.all([profile('keys-alice'), profile('keys-bob')]);
  [alicePage, bobPage] = await Promise.all([openOptions(alice), openOptions(bob)]);
});

after(async () => {
  await Promise.all(profiles.map((p) => p.close()));
  fs.rmSync(tmp, { recursive: true, force: true });
});

describe('options page', () => {
  test('a new key shows its key code, QR code and safety number; another profile imports it', async () => {
    assert.equal(await ui(alicePage).keyCode.isVisible(), false, 'no key yet, no key code');
    shared = await createKey(alicePage, 'Acme project');
    assert.match(shared.code, /^CHATSEAL-KEY(-[0-9A-Z]{1,5})+$/);
    assert.match(shared.safety, /^\d{5}( \d{5}){5}$/);
    assert.equal(await ui(alicePage).keyCode.getAttribute('readonly'), '');
    assert.match(await alicePage.getByRole('img', { name: 'QR code of the key code' }).getAttribute('src'), /^data:image\/svg\+xml/);
    assert.equal(await alicePage.getByRole('radio', { name: /Acme project/ }).isChecked(), true, 'the new key is selected');

    await importCode(bobPage, shared.code, 'Key “Acme project” imported');
    const u = ui(bobPage);
    assert.equal(await u.safety.textContent(), shared.safety, 'both profiles show the same safety number');
    assert.equal(await u.keyCode.inputValue(), shared.code);
    assert.deepEqual(await radioNames(bobPage), ['Acme project']);
    assert.equal(await u.paste.inputValue(), '', 'the paste box is cleared after a successful import');
  });

  test('bad and mistyped key codes show an alert and change nothing', async () => {
    const u = ui(bobPage);
    const before = { names: await radioNames(bobPage), code: await u.keyCode.inputValue() };
    const body = shared.code.slice('CHATSEAL-KEY-'.length);
    const at = body.slice(20).search(/[0-9A-Z]/) + 20;
    const flip = (s, i) => s.slice(0, i) + (s[i] === 'A' ? 'B' : 'A') + s.slice(i + 1);
    const cases = [
      ['hello, here is my key', /not a ChatSeal key code/],
      [`CHATSEAL-KEY-${flip(body, at)}`, /mistyped/], // one character wrong
      [shared.code.slice(0, -6), /incomplete or mistyped/], // cut short
      [`CHATSEAL-KEY-${body.replace(/-/g, ' ').toLowerCase()}`, /already in your list/], // case and spacing do not matter
    ];
    for (const [code, expected] of cases) {
      const region = /already/.test(expected.source) ? 'status' : 'alert';
      await u.paste.fill(code);
      await act(bobPage, u.importKey, expected, region);
      if (region === 'alert') {
        assert.equal(await u.status.textContent(), '', 'an error clears the previous success message');
        assert.equal(await u.paste.inputValue(), code, 'the mistyped code stays for correction');
      }
      assert.deepEqual(await radioNames(bobPage), before.names);
      assert.equal(await u.keyCode.inputValue(), before.code);
    }
  });

  test('importing a key that exists says so and keeps its name', async () => {
    const u = ui(alicePage);
    await alicePage.getByRole('textbox', { name: 'New name for this key' }).fill('Acme (Alice)');
    await act(alicePage, alicePage.getByRole('button', { name: 'Rename', exact: true }), 'renamed');
    const text = await importCode(alicePage, shared.code, 'already in your list');
    assert.match(text, /“Acme \(Alice\)”/);
    assert.deepEqual(await radioNames(alicePage), ['Acme (Alice)']);
    assert.equal(await u.safety.textContent(), shared.safety);
  });

  test('passphrase keys: a weak passphrase is refused, the same strong one gives both profiles the same key', async () => {
    const create = async (page, passphrase, expected, region) => {
      await page.getByRole('textbox', { name: 'Name for the passphrase key' }).fill('Shared words');
      await page.getByLabel('Shared passphrase', { exact: true }).fill(passphrase);
      return act(page, page.getByRole('button', { name: 'Create passphrase key' }), expected, region);
    };
    await create(alicePage, 'password1234', /too weak/, 'alert');
    await create(alicePage, 'abcdefghijklmnopqrstu', /too weak/, 'alert');
    assert.deepEqual(await radioNames(alicePage), ['Acme (Alice)'], 'nothing was added');
    await create(alicePage, STRONG, /made from the passphrase/);
    await create(bobPage, `  ${STRONG.replace(/ /g, '   ')} `, /made from the passphrase/); // spacing is normalised
    assert.equal(await ui(alicePage).safety.textContent(), await ui(bobPage).safety.textContent());
    assert.deepEqual(await radioNames(bobPage), ['Acme project', 'Shared words']);
  });

  test('rename and delete (with confirmation)', async () => {
    const page = bobPage;
    await selectKey(page, 'Shared words');
    await page.getByRole('textbox', { name: 'New name for this key' }).fill('Words');
    await act(page, page.getByRole('button', { name: 'Rename', exact: true }), 'Key renamed to “Words”');
    assert.deepEqual(await radioNames(page), ['Acme project', 'Words']);

    await page.getByRole('button', { name: 'Delete key' }).click();
    const dialog = page.getByRole('dialog', { name: 'Delete the key “Words”?' });
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'hidden' });
    assert.deepEqual(await radioNames(page), ['Acme project', 'Words'], 'cancel keeps the key');

    await page.getByRole('button', { name: 'Delete key' }).click();
    await act(page, dialog.getByRole('button', { name: 'Delete', exact: true }), 'Key “Words” deleted');
    assert.deepEqual(await radioNames(page), ['Acme project']);
    // With one key left it is the default again and its code is shown.
    assert.equal(await ui(page).keyCode.inputValue(), shared.code);
    await page.getByRole('checkbox', { name: 'Mark as verified' }).check();
    await ui(page).status.filter({ hasText: 'marked as verified' }).waitFor();
    assert.equal(await page.getByRole('radio', { name: /Acme project verified/ }).count(), 1);
  });

  test('key secrets are kept in the extension origin\'s IndexedDB, never in storage.local; an old store is moved', async () => {
    const { nodeCore } = await import('./ext.js');
    const core = await nodeCore();
    const secretB64 = Buffer.from(core.readKeyCode(shared.code).secret).toString('base64');
    const storedText = async (page) => JSON.stringify(await page.evaluate(() => chrome.storage.local.get(null)));
    const secretsInDb = (page) => page.evaluate(keySecretsInIndexedDb);
    // Content scripts can read storage.local where the browser cannot restrict it (Firefox).
    const stored = JSON.parse(await storedText(bobPage));
    assert.ok(stored.keys.length > 0 && stored.keys.every((k) => !('secret' in k)), 'no secret field in storage.local');
    assert.ok(!(await storedText(bobPage)).includes(secretB64), 'the secret is nowhere in storage.local');
    assert.ok((await secretsInDb(bobPage)).includes(secretB64), 'the secret is in IndexedDB');

    // A store written by an earlier build, secret in storage.local, is moved when the worker starts again.
    const old = core.generateKey('From an old build');
    const oldB64 = Buffer.from(old.secret).toString('base64');
    await bobPage.evaluate(async (record) => {
      const { keys } = await chrome.storage.local.get('keys');
      await chrome.storage.local.set({ keys: [...keys, record] });
    }, { keyId: old.keyId, name: 'From an old build', secret: oldB64, safetyNumber: old.safetyNumber, createdMs: Date.now(), verified: false });
    assert.equal(await stopServiceWorker(bob.context, bob.extensionId), true);
    const listed = await fromPage(bobPage, { type: 'keys-list' });
    assert.ok(listed.ok && listed.keys.some((k) => k.keyId === old.keyId), 'the old key is still there');
    assert.ok(!(await storedText(bobPage)).includes(oldB64), 'its secret left storage.local');
    assert.ok((await secretsInDb(bobPage)).includes(oldB64), 'and is in IndexedDB');
    // Deleting it removes its secret too.
    const deleted = await fromPage(bobPage, { type: 'keys-delete', keyId: old.keyId });
    assert.ok(deleted.ok, JSON.stringify(deleted));
    assert.ok(!(await secretsInDb(bobPage)).includes(oldB64), 'a deleted key leaves no secret behind');
    await waitFor(async () => (await radioNames(bobPage)).length === 1, { message: 'options list refreshed' });
  });

  test('encrypted backup: export, then restore into a fresh profile merges and never loses keys', async () => {
    const u = ui(alicePage);
    // Weak backup passphrases are refused.
    await alicePage.getByLabel('Backup passphrase', { exact: true }).fill('short');
    await act(alicePage, alicePage.getByRole('button', { name: 'Export backup' }), /too weak/, 'alert');
    await alicePage.getByLabel('Backup passphrase', { exact: true }).fill('maple quartz violin harbor');
    const [download] = await Promise.all([
      alicePage.waitForEvent('download'),
      alicePage.getByRole('button', { name: 'Export backup' }).click(),
    ]);
    await u.status.filter({ hasText: 'Backup of 2 key(s) saved' }).waitFor();
    const file = path.join(tmp, download.suggestedFilename());
    await download.saveAs(file);
    const text = fs.readFileSync(file, 'utf8');
    assert.match(download.suggestedFilename(), /^chatseal-backup-\d{4}-\d{2}-\d{2}\.txt$/);
    assert.match(text, /BEGIN CHATSEAL BACKUP/);
    assert.ok(!text.includes(shared.code.slice(13, 40)) && !text.includes('Acme'), 'the backup file holds no readable key or name');

    const carol = await profile('keys-carol');
    const page = await openOptions(carol);
    await createKey(page, 'Carol own');
    const restore = async (passphrase, expected, region) => {
      await page.getByLabel('Backup file', { exact: true }).setInputFiles(file);
      await page.getByLabel('Passphrase of the backup', { exact: true }).fill(passphrase);
      return act(page, page.getByRole('button', { name: 'Restore backup' }), expected, region);
    };
    await restore('maple quartz violin harbour', /does not open the backup/, 'alert');
    assert.deepEqual(await radioNames(page), ['Carol own'], 'a wrong passphrase changes nothing');
    await page.getByLabel('Backup file', { exact: true }).setInputFiles({ name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('hello') });
    await page.getByLabel('Passphrase of the backup', { exact: true }).fill('maple quartz violin harbor');
    await act(page, page.getByRole('button', { name: 'Restore backup' }), /not a ChatSeal backup/, 'alert');

    await restore('maple quartz violin harbor', 'Backup restored: 2 key(s) added, 0 already present');
    assert.deepEqual((await radioNames(page)).sort(), ['Acme (Alice)', 'Carol own', 'Shared words']);
    assert.equal(await page.getByRole('radio', { name: /Carol own/ }).isChecked(), true, 'the selected key stays');
    await restore('maple quartz violin harbor', 'Backup restored: 0 key(s) added, 2 already present');
    assert.equal((await radioNames(page)).length, 3);

    // The restored key is the same key: same safety number as in Alice's profile.
    await selectKey(page, 'Acme (Alice)');
    await waitFor(async () => (await ui(page).safety.textContent()) === shared.safety, { message: 'restored safety number' });
  });

  test('a key assigned to a site is used for its conversations; a conversation key overrides it', async () => {
    const page = alicePage;
    const assign = async (place, keyName) => {
      await page.getByRole('textbox', { name: 'Site or conversation', exact: true }).fill(place);
      await page.getByRole('combobox', { name: 'Key for it', exact: true }).selectOption({ label: keyName });
      await act(page, page.getByRole('button', { name: 'Assign key' }), 'now uses the key');
    };
    await assign('https://www.upwork.com/', 'Shared words'); // a whole site
    await assign('www.upwork.com/ab/messages/rooms/42', 'Acme (Alice)'); // one conversation
    const list = await fromPage(page, { type: 'keys-list' });
    const id = (name) => list.keys.find((k) => k.name === name).keyId;
    assert.deepEqual(list.conversationKeys, {
      'www.upwork.com': id('Shared words'), 'www.upwork.com/ab/messages/rooms/42': id('Acme (Alice)'),
    });
    const sw = await alice.serviceWorker();
    const keyFor = async (conversation) => (await protocol(sw, encryptSteps('x', { conversation }).slice(0, 2)))[1].keyId;
    assert.equal(await keyFor('www.upwork.com/ab/messages/rooms/7'), id('Shared words'));
    assert.equal(await keyFor('www.upwork.com/ab/messages/rooms/42'), id('Acme (Alice)'));
    // The conversation's own key can be changed in the list, and forgotten.
    await page.getByRole('combobox', { name: 'Key for www.upwork.com/ab/messages/rooms/42' }).selectOption({ label: 'Shared words' });
    await ui(page).status.filter({ hasText: '“www.upwork.com/ab/messages/rooms/42” now uses the key “Shared words”' }).waitFor();
    await act(page, page.getByRole('button', { name: 'Forget the key of www.upwork.com', exact: true }), 'uses the default key again');
    await act(page, page.getByRole('button', { name: 'Forget the key of www.upwork.com/ab/messages/rooms/42' }), 'uses the default key again');
    assert.deepEqual((await fromPage(page, { type: 'keys-list' })).conversationKeys, {});
  });

  test('a site is enabled only with its permission granted', async () => {
    const reply = await fromPage(alicePage, { type: 'site-enable', origin: 'https://chat.example.com' });
    assert.equal(reply.code, 'permission_missing');
    assert.equal((await fromPage(alicePage, { type: 'site-enable', origin: 'file:///etc/passwd' })).code, 'bad_request');
    assert.deepEqual((await fromPage(alicePage, { type: 'settings-get' })).settings.enabledSites, []);
  });

  test('screenshot of the options page', async () => {
    const page = alicePage;
    await selectKey(page, 'Acme (Alice)');
    await page.getByRole('checkbox', { name: 'Mark as verified' }).check();
    await ui(page).status.filter({ hasText: 'marked as verified' }).waitFor();
    fs.mkdirSync(path.dirname(SCREENSHOT), { recursive: true });
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: SCREENSHOT, fullPage: false });
    assert.ok(fs.statSync(SCREENSHOT).size > 10_000);
  });
});

describe('background protocol', () => {
  test('senders are checked: pages cannot ask for frame tokens, frames need a token from their own tab', async () => {
    const page = await fromPage(alicePage, { type: 'frame-token', purpose: 'compose', conversation: CONV });
    assert.equal(page.code, 'forbidden');
    assert.equal((await fromPage(alicePage, { type: 'no-such-type' })).code, 'bad_request');

    const sw = await alice.serviceWorker();
    const [token, , replay, wrongTab, wrongPage, keyCode] = await protocol(sw, [
      { from: 'content', msg: { type: 'frame-token', purpose: 'compose', conversation: CONV } },
      { from: 'frame', args: ['compose'], msg: { type: 'frame-hello', token: '$token0' } },
      { from: 'frame', args: ['compose', 4242, 8], msg: { type: 'frame-hello', token: '$token0' } }, // used twice
      { from: 'frame', args: ['compose', 777, 7], msg: { type: 'compose-insert', token: '$token0', text: 'x' } },
      { from: 'frame', args: ['display'], msg: { type: 'frame-hello', token: 'AAAAAAAAAAAAAAAAAAAAAAAA' } },
      { from: 'content', msg: { type: 'keys-export-code', keyId: '0000000000000000' } },
    ]);
    assert.equal(token.ok, true);
    assert.equal(replay.code, 'forbidden');
    assert.equal(wrongTab.code, 'forbidden');
    assert.equal(wrongPage.code, 'forbidden');
    assert.equal(keyCode.code, 'forbidden', 'content scripts never get key material');
    const [bad] = await protocol(sw, [{ from: 'content', msg: { type: 'frame-token', purpose: 'compose', conversation: 42 } }]);
    assert.equal(bad.code, 'bad_request');
  });

  test('encrypt in one profile, decrypt in the other; failures are reported by code', async () => {
    const [aliceSw, bobSw] = await Promise.all([alice.serviceWorker(), bob.serviceWorker()]);
    // Bob's default key is the shared one (his only key after the delete above).
    const [, hello, sent] = await protocol(bobSw, encryptSteps('hello Alice, the budget is 4k'));
    assert.equal(hello.purpose, 'compose');
    assert.equal(sent.ok, true);
    assert.equal(sent.inserted, false, 'no content script in this fake tab: the frame gets the block to copy');
    assert.match(sent.block, /^BEGIN CHATSEAL MESSAGE/);

    const [, , opened] = await protocol(aliceSw, decryptSteps([sent.block]));
    assert.equal(opened.ok, true);
    assert.equal(opened.text, 'hello Alice, the budget is 4k');
    assert.equal(opened.keyName, 'Acme (Alice)');
    assert.equal(opened.fromMe, false);
    assert.equal(opened.conversation, 'match');
    // The key used in a conversation is remembered, on both sides.
    assert.equal((await fromPage(alicePage, { type: 'keys-list' })).conversationKeys[CONV], opened.keyId);
    assert.equal((await fromPage(bobPage, { type: 'keys-list' })).conversationKeys[CONV], opened.keyId);

    const middle = sent.block.lastIndexOf('\nEND') - 3; // in the ciphertext, not the key id
    const tampered = sent.block.slice(0, middle) + (sent.block[middle] === 'A' ? 'B' : 'A') + sent.block.slice(middle + 1);
    const [altered] = (await protocol(aliceSw, decryptSteps([tampered], { frameId: 10 }))).slice(2);
    assert.equal(altered.code, 'altered');
    const [moved] = (await protocol(aliceSw, decryptSteps([sent.block], { conversation: '127.0.0.1:9/chat/other', frameId: 11 }))).slice(2);
    assert.equal(moved.code, 'wrong_conversation');

    // Multipart: a message split under the composer's limit needs all its parts.
    const [, , long] = await protocol(bobSw, encryptSteps('long message '.repeat(120), { maxChars: 400 }));
    assert.ok(long.parts > 1, `split into ${long.parts} parts`);
    assert.equal(long.part, 1);
    const [partial] = (await protocol(aliceSw, decryptSteps([long.block], { frameId: 12 }))).slice(2);
    assert.equal(partial.code, 'missing_part');

    const [unknownKey] = (await protocol(aliceSw, decryptSteps([await carolBlock()], { frameId: 13 }))).slice(2);
    assert.equal(unknownKey.code, 'unknown_key');
    assert.match(unknownKey.keyId, /^[0-9a-f]{16}$/);

    const status = await fromPage(alicePage, { type: 'tab-status', tabId: 4242 });
    assert.equal(status.decrypted, 1);
    assert.equal(status.failed, 4);
  });

  test('contact scan: per-kind switches apply and ChatSeal blocks never count', async () => {
    const sw = await alice.serviceWorker();
    const [, , sent] = await protocol(sw, encryptSteps('x'));
    const text = `write to bob.smith@gmail.com\n${sent.block}`;
    const scan = async () => (await protocol(sw, [{ from: 'content', msg: { type: 'scan-contacts', text, host: 'www.upwork.com' } }]))[0];
    const on = await scan();
    assert.equal(on.ok, true);
    assert.equal(on.available, true);
    assert.deepEqual(on.findings.map((f) => [f.kind, f.text]), [['email', 'bob.smith@gmail.com']]);
    assert.equal((await fromPage(alicePage, { type: 'settings-set', settings: { warnKinds: { email: false } } })).ok, true);
    assert.deepEqual((await scan()).findings, []);
    await fromPage(alicePage, { type: 'settings-set', settings: { warnKinds: { email: true } } });
    assert.equal((await fromPage(alicePage, { type: 'settings-set', settings: { warnKinds: { fax: false } } })).code, 'bad_request');
  });

  test('service worker stopped and restarted: keys are still listed and decryption works (cold start measured)', async () => {
    const sw = await bob.serviceWorker();
    const [, , sent] = await protocol(sw, encryptSteps('after a restart'));
    assert.equal(await stopServiceWorker(bob.context, bob.extensionId), true);

    // Waking the worker through the popup (a real extension page, no WASM needed).
    const popup = await bob.context.newPage();
    const t0 = Date.now();
    await popup.goto(`chrome-extension://${bob.extensionId}/popup/popup.html?tab=4242`);
    await popup.getByText('ChatSeal is', { exact: false }).first().waitFor();
    const wakeMs = Date.now() - t0;
    const before = await sw.evaluate(() => ({ ...globalThis.chatseal.timings }));
    assert.equal(before.wasmReadyAtMs, null, 'the restarted worker has not loaded the WASM yet');

    const [, , opened] = await protocol(sw, decryptSteps([sent.block], { frameId: 20 }));
    assert.equal(opened.text, 'after a restart');
    assert.equal(opened.fromMe, true);
    const timings = await sw.evaluate(() => ({ ...globalThis.chatseal.timings }));
    console.log(`# cold start: worker woken via popup in ${wakeMs} ms (module evaluated at ${before.moduleEvaluatedMs.toFixed(0)} ms); `
      + `first DISPLAY_OPEN ${timings.firstDecryptMs.toFixed(1)} ms incl. WASM init ${timings.wasmInitMs.toFixed(1)} ms`);
    // (Its speed is a benchmark figure: scripts/bench, cold_first_decrypt.)
    assert.ok(timings.wasmReadyAtMs !== null, 'the decrypt loaded the WASM in the restarted worker');

    // The options page of the restarted worker still lists the keys.
    await stopServiceWorker(bob.context, bob.extensionId);
    const page = await openOptions(bob);
    assert.deepEqual(await radioNames(page), ['Acme project']);
    assert.equal(await ui(page).keyCode.inputValue(), shared.code);
    // Settings survive too.
    await page.getByRole('switch', { name: 'Phone numbers' }).uncheck();
    await ui(page).status.filter({ hasText: 'Saved' }).waitFor();
    await stopServiceWorker(bob.context, bob.extensionId);
    const settings = await fromPage(page, { type: 'settings-get' });
    assert.equal(settings.settings.warnKinds.phone, false);
    assert.equal(settings.settings.warnKinds.email, true);
  });
});

describe('popup', () => {
  let app;
  before(async () => { app = await startApp(); });
  after(async () => { await app?.close(); });

  test('shows the tab as active, the conversation key and the decrypted count; the badge counts too', async () => {
    const page = await openChat(bob.context, app, { thread: 'popup', user: 'bob' });
    const conversation = new URL(page.url()).host + new URL(page.url()).pathname;
    const sw = await bob.serviceWorker();
    const [, , sent] = await protocol(sw, encryptSteps('seen through the popup', { conversation }));
    const posted = await fetch(`${app.url}/api/messages`, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ thread: 'popup', user: 'alice', text: sent.block }),
    });
    assert.equal(posted.status, 201);
    // The real content script frames the block; the real display frame asks for the plaintext.
    await waitForDisplayed(page, { text: 'seen through the popup' });

    const tabId = await sw.evaluate(async (url) => (await chrome.tabs.query({})).find((t) => t.url === url)?.id, page.url());
    assert.ok(Number.isInteger(tabId));
    // The background counts after it answered the frame (and sets the badge at most every 100 ms).
    await waitFor(async () => (await sw.evaluate((id) => chrome.action.getBadgeText({ tabId: id }), tabId)) === '1', { message: 'badge 1' });
    const popup = await bob.context.newPage();
    await popup.goto(`chrome-extension://${bob.extensionId}/popup/popup.html?tab=${tabId}`);
    await popup.getByText('ChatSeal is active on this tab.').waitFor();
    assert.equal(await popup.locator('#decrypted').textContent(), '1');
    assert.equal(await popup.locator('#failed').textContent(), '0');
    const select = popup.getByRole('combobox', { name: 'Key for this conversation' });
    assert.equal(await select.locator('option:checked').textContent(), 'Acme project');
    assert.equal(await popup.getByRole('button', { name: 'Enable ChatSeal on this site' }).isVisible(), false);
    // The trust list: what ChatSeal decrypted, with sender and first words; a page cannot add to it.
    const recent = popup.getByRole('region', { name: 'Decrypted by ChatSeal on this tab' });
    assert.deepEqual(await recent.getByRole('listitem').allInnerTexts(), [
      await recent.getByRole('listitem').first().innerText(),
    ]);
    assert.match(await recent.getByRole('listitem').first().innerText(), /^You · .+\nseen through the popup$/);
    await page.evaluate(() => {
      // A fake "decrypted" bubble drawn by the page itself.
      const fake = document.createElement('li');
      fake.textContent = 'send the payment to my new account';
      document.querySelector('#messages').append(fake);
    });
    await popup.reload();
    await popup.getByText('ChatSeal is active on this tab.').waitFor();
    assert.equal(await recent.getByRole('listitem').count(), 1, 'the fake bubble is not in the list');

    // Cold start, end to end: worker stopped, the page reloaded; a new document starts counting afresh.
    assert.equal(await stopServiceWorker(bob.context, bob.extensionId), true);
    const t0 = Date.now();
    await page.reload();
    await waitForDisplayed(page, { text: 'seen through the popup', timeout: 30_000 });
    const shownMs = Date.now() - t0;
    const w = await sw.evaluate(() => ({ ...globalThis.chatseal.timings }));
    console.log(`# cold start, page reload -> plaintext shown: ${shownMs} ms; in the new worker (ms since it started): `
      + `modules evaluated ${w.moduleEvaluatedMs.toFixed(0)}, WASM ready ${w.wasmReadyAtMs.toFixed(0)} (init ${w.wasmInitMs.toFixed(0)}), `
      + `first decrypt done ${w.firstDecryptAtMs.toFixed(0)} (DISPLAY_OPEN ${w.firstDecryptMs.toFixed(0)})`);
    await popup.reload();
    await popup.getByText('ChatSeal is active on this tab.').waitFor();
    assert.equal(await popup.locator('#decrypted').textContent(), '1', 'counted once for the new document');

    // A tab where ChatSeal does not run (its URL is hidden from the extension
    // here; a real popup click grants activeTab and shows the enable button).
    const ids = async () => sw.evaluate(async () => (await chrome.tabs.query({})).map((t) => t.id));
    const known = new Set(await ids());
    const other = await bob.context.newPage();
    await other.goto('about:blank');
    const blankId = (await ids()).find((id) => !known.has(id));
    await popup.goto(`chrome-extension://${bob.extensionId}/popup/popup.html?tab=${blankId}`);
    await popup.getByText('ChatSeal is not active on this tab.').waitFor();
    assert.equal(await popup.locator('#details').isVisible(), false);
    await Promise.all([page.close(), other.close(), popup.close()]);
  });
});

/** A block encrypted with a key that neither Alice nor Bob has (made in Carol's profile). */
async function carolBlock() {
  const carol = profiles[2];
  const page = await openOptions(carol); // wakes the worker, which may have gone idle
  const sw = await carol.serviceWorker();
  await selectKey(page, 'Carol own');
  const [, , sent] = await protocol(sw, encryptSteps('only for Carol'));
  await page.close();
  return sent.block;
}
