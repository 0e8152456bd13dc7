// Encrypted files in real Chromium with the built extension (dist/chrome from
// `scripts/build --dev`): the files page (extension/files/) encrypts a file
// that the native CLI decrypts and the other way round, names and types come
// back, damaged / foreign / truncated files show their errors and offer
// nothing, Cancel stops the work, drag and drop works, and the popup and the
// options page open the page (the popup with the chat's key preselected).
// Run: node --test tests/e2e/files.test.js
// (CHATSEAL_EXT_DIR=DIR tests another unpacked build.)
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import axe from 'axe-core';
import { launchBrowser, openChat, startApp, waitFor } from './harness.js';

const ROOT = new URL('../..', import.meta.url).pathname;
const DIST = process.env.CHATSEAL_EXT_DIR || path.join(ROOT, 'dist/chrome');
const CLI = path.join(ROOT, 'target/release/chatseal');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'chatseal-files-e2e-'));
const file = (name) => path.join(tmp, name);
const cli = (...args) => execFileSync(CLI, args, { stdio: ['ignore', 'pipe', 'pipe'] }).toString().trim();

let browser;
let page; // the files page
let options; // the options page
let keyCode; // imported into the extension
let otherCode; // never imported
let app;

before(async () => {
  for (const need of [path.join(DIST, 'files/files.html'), CLI]) {
    if (!fs.existsSync(need)) throw new Error(`${need} is missing: run scripts/build --dev`);
  }
  keyCode = cli('keygen', '--name', 'Files with Ana');
  otherCode = cli('keygen', '--name', 'Someone else');
  browser = await launchBrowser({ extensionDir: DIST, name: 'files', acceptDownloads: true });
  options = await browser.context.newPage();
  await options.goto(`chrome-extension://${browser.extensionId}/options/options.html`);
  await importKey(keyCode, 'Files with Ana');
  page = await openFiles();
});

after(async () => {
  await browser?.close();
  await app?.close?.();
  fs.rmSync(tmp, { recursive: true, force: true });
});

/** Imports a key code through the options page UI ("Paste a key code", "Import key"). */
async function importKey(code, name) {
  await options.getByRole('textbox', { name: 'Paste a key code', exact: true }).fill(code);
  await options.getByRole('button', { name: 'Import key', exact: true }).click();
  await options.getByRole('radio', { name: new RegExp(`^${name} `) }).waitFor();
}

async function openFiles(query = '') {
  const p = await browser.context.newPage();
  await p.setViewportSize({ width: 900, height: 900 });
  await p.goto(`chrome-extension://${browser.extensionId}/files/files.html${query}`);
  await p.getByRole('heading', { name: 'Encrypt a file' }).waitFor();
  return p;
}

const ui = (p = page) => ({
  encryptInput: p.getByLabel('Choose a file to encrypt', { exact: true }),
  decryptInput: p.getByLabel('Choose a .chatseal file to decrypt', { exact: true }),
  key: p.getByRole('combobox', { name: 'Key', exact: true }),
  progress: p.getByRole('progressbar'),
  cancel: p.getByRole('button', { name: 'Cancel', exact: true }),
  save: p.getByRole('link', { name: /^Save “/ }),
  status: p.getByRole('status'),
  alert: p.getByRole('alert'),
});

/** Waits until the page finished a file: {ok: true, details} or {ok: false, alert}. */
async function outcome(p = page) {
  const u = ui(p);
  await waitFor(async () => await u.save.isVisible() || (await u.alert.textContent()).trim()
    || /Cancelled/.test(await u.status.textContent()), { timeout: 60_000, message: 'a result or an error' });
  if (await u.save.isVisible()) return { ok: true, details: await p.locator('#result-details').textContent(), status: await u.status.textContent() };
  return { ok: false, alert: (await u.alert.textContent()).trim(), status: (await u.status.textContent()).trim() };
}

/** WCAG 2.1 A/AA violations (axe-core) of the page as it is now, in light and dark. */
async function axeViolations(p = page) {
  const out = [];
  for (const colorScheme of ['light', 'dark']) {
    await p.emulateMedia({ colorScheme });
    await p.waitForTimeout(300); // colour transitions
    if (!await p.evaluate(() => typeof window.axe === 'object')) await p.evaluate(axe.source);
    const found = await p.evaluate(async () => (await window.axe.run(document, {
      resultTypes: ['violations'], runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21aa'] },
    })).violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`));
    out.push(...found.map((f) => `${colorScheme} ${f}`));
  }
  await p.emulateMedia({ colorScheme: null });
  return out;
}

/** Clicks Save and stores the download in tmp; returns {name, bytes}. */
async function save(p = page) {
  const [download] = await Promise.all([p.waitForEvent('download'), ui(p).save.click()]);
  const to = file(`download-${crypto.randomUUID()}`);
  await download.saveAs(to);
  return { name: download.suggestedFilename(), path: to, bytes: fs.readFileSync(to) };
}

/** Fails if a download starts within `ms`. */
async function noDownload(p, ms = 300) {
  const started = await p.waitForEvent('download', { timeout: ms }).then(() => true, () => false);
  assert.equal(started, false, 'no download may be offered');
}

test('a file encrypted in the page opens with the CLI (name kept)', async () => {
  const name = 'Contract draft (v2).pdf';
  const content = crypto.randomBytes(1_500_000 + 123);
  fs.writeFileSync(file(name), content);
  await ui().encryptInput.setInputFiles(file(name));
  const result = await outcome();
  assert.ok(result.ok, result.alert);
  assert.match(result.status, /“Contract draft \(v2\)\.pdf” is encrypted with the key “Files with Ana”/);
  const sealed = await save();
  assert.deepEqual(await axeViolations(), [], 'the result state is accessible');
  assert.equal(sealed.name, `${name}.chatseal`);
  assert.ok(!sealed.bytes.includes(content.subarray(0, 64)), 'the output is not the plaintext');
  const out = fs.mkdtempSync(file('cli-out-'));
  cli('decrypt-file', '--key', keyCode, sealed.path, '-o', out);
  assert.deepEqual(fs.readdirSync(out), [name]);
  assert.ok(fs.readFileSync(path.join(out, name)).equals(content), 'the CLI gets the same bytes back');
});

test('a file encrypted by the CLI opens in the page: bytes and name restored', async () => {
  const name = 'photo 1.jpg';
  const content = crypto.randomBytes(3 * 65_536 + 7);
  fs.writeFileSync(file(name), content);
  cli('encrypt-file', '--key', keyCode, file(name), '-o', file('from-cli.chatseal'));
  await ui().decryptInput.setInputFiles(file('from-cli.chatseal'));
  const result = await outcome();
  assert.ok(result.ok, result.alert);
  assert.match(result.status, /“photo 1\.jpg” was opened with the key “Files with Ana”/);
  const opened = await save();
  assert.equal(opened.name, name);
  assert.ok(opened.bytes.equals(content));
});

test('type and name survive a round trip in the page; drag and drop works', async () => {
  const content = crypto.randomBytes(70_000);
  // Drop a typed file (made in the page) on "Encrypt a file".
  const drop = async (zone, bytes, name, type) => {
    const dataTransfer = await page.evaluateHandle(({ data, n, t }) => {
      const dt = new DataTransfer();
      dt.items.add(new File([Uint8Array.from(atob(data), (c) => c.charCodeAt(0))], n, { type: t }));
      return dt;
    }, { data: Buffer.from(bytes).toString('base64'), n: name, t: type });
    await page.dispatchEvent(zone, 'dragover', { dataTransfer });
    await page.dispatchEvent(zone, 'drop', { dataTransfer });
  };
  await drop('#encrypt', content, 'invoice-7.pdf', 'application/pdf');
  assert.ok((await outcome()).ok);
  const sealed = await save();
  assert.equal(sealed.name, 'invoice-7.pdf.chatseal');
  await drop('#decrypt', sealed.bytes, sealed.name, '');
  const result = await outcome();
  assert.ok(result.ok, result.alert);
  assert.match(result.details, /application\/pdf/);
  const opened = await save();
  assert.equal(opened.name, 'invoice-7.pdf');
  assert.ok(opened.bytes.equals(content));
});

/** Decrypts `bytes` in the page and returns the outcome; asserts nothing is offered. */
async function decryptExpectingFailure(bytes, name) {
  fs.writeFileSync(file(name), bytes);
  await ui().decryptInput.setInputFiles(file(name));
  const result = await outcome();
  assert.equal(result.ok, false, `${name} must not open`);
  assert.equal(await ui().save.count(), 0, 'no Save link after a failure');
  assert.equal(await page.locator('#result').isHidden(), true);
  await noDownload(page);
  return result;
}

test('a truncated file says it is incomplete and offers nothing', async () => {
  const content = crypto.randomBytes(200_000);
  fs.writeFileSync(file('long.bin'), content);
  cli('encrypt-file', '--key', keyCode, file('long.bin'), '-o', file('long.bin.chatseal'));
  const sealed = fs.readFileSync(file('long.bin.chatseal'));
  for (const cut of [sealed.length - 1, sealed.length - 65_556, 34 + 65_552, 20]) {
    const { alert } = await decryptExpectingFailure(sealed.subarray(0, cut), `cut-${cut}.chatseal`);
    assert.match(alert, /This file is incomplete: it was cut short/, `cut at ${cut}`);
    assert.match(alert, /Nothing was saved/);
  }
});

test('a file for a key you do not have: None of your keys can open this file', async () => {
  fs.writeFileSync(file('secret.txt'), 'for someone else');
  cli('encrypt-file', '--key', otherCode, file('secret.txt'), '-o', file('other.chatseal'));
  const { alert } = await decryptExpectingFailure(fs.readFileSync(file('other.chatseal')), 'other-key.chatseal');
  assert.match(alert, /None of your keys can open this file/);
  assert.deepEqual(await axeViolations(), [], 'the error state is accessible');
});

test('an altered file and a file that is not ChatSeal are refused in words', async () => {
  fs.writeFileSync(file('a.bin'), crypto.randomBytes(150_000));
  cli('encrypt-file', '--key', keyCode, file('a.bin'), '-o', file('a.bin.chatseal'));
  const flipped = fs.readFileSync(file('a.bin.chatseal'));
  flipped[100_000] ^= 0x20;
  assert.match((await decryptExpectingFailure(flipped, 'flipped.chatseal')).alert, /This file was altered after it was encrypted/);
  const swapped = fs.readFileSync(file('a.bin.chatseal'));
  const first = Buffer.from(swapped.subarray(34, 34 + 65_552));
  swapped.copy(swapped, 34, 34 + 65_552, 34 + 2 * 65_552);
  first.copy(swapped, 34 + 65_552);
  assert.match((await decryptExpectingFailure(swapped, 'swapped.chatseal')).alert, /altered/);
  assert.match((await decryptExpectingFailure(Buffer.from('just some notes\n'.repeat(5000)), 'notes.chatseal')).alert,
    /This is not a ChatSeal file/);
});

test('Cancel stops the work, offers nothing, and the page works again', async () => {
  // 400 MB of zeros (a sparse file: instant to make, still read and encrypted in full).
  fs.closeSync(fs.openSync(file('big.iso'), 'w'));
  fs.truncateSync(file('big.iso'), 400_000_000);
  const u = ui();
  await u.encryptInput.setInputFiles(file('big.iso'));
  await u.progress.waitFor();
  assert.equal(await u.progress.getAttribute('aria-labelledby'), 'work-label');
  await page.getByRole('progressbar', { name: 'Encrypting “big.iso”' }).waitFor();
  await waitFor(async () => Number(await u.progress.getAttribute('aria-valuenow')) >= 1, { message: 'progress' });
  const now = Number(await u.progress.getAttribute('aria-valuenow'));
  assert.ok(now < 100, 'still working when cancelled');
  assert.match(await u.progress.getAttribute('aria-valuetext'), /MB of 400 MB/);
  // The page stays responsive while it works: it paints (animation frames run) and Cancel acts at once.
  const frames = await page.evaluate(() => new Promise((resolve) => {
    let n = 0;
    const start = performance.now();
    const tick = () => (performance.now() - start > 500 ? resolve(n) : (n += 1, requestAnimationFrame(tick)));
    requestAnimationFrame(tick);
  }));
  assert.ok(frames >= 5, `the page painted while working (${frames} frames in 500 ms)`);
  const clicked = Date.now();
  await u.cancel.click();
  await u.status.filter({ hasText: 'Cancelled. Nothing was saved.' }).waitFor();
  const latency = Date.now() - clicked;
  assert.ok(latency < 2000, `Cancel took effect in ${latency} ms`);
  assert.equal(await u.progress.isHidden(), true);
  assert.equal(await u.save.count(), 0);
  await noDownload(page, 500);
  const last = await page.evaluate(() => globalThis.chatsealFiles.lastRun());
  assert.equal(last.code, 'cancelled');
  // The work really stopped: no result appears later, and the next file works.
  await page.waitForTimeout(1500);
  assert.equal(await u.save.count(), 0);
  assert.equal(await u.encryptInput.isEnabled(), true);
  fs.writeFileSync(file('after.txt'), 'after cancel');
  await u.encryptInput.setInputFiles(file('after.txt'));
  assert.ok((await outcome()).ok);
  fs.rmSync(file('big.iso'));
});

test('the options page and the popup open the files page; the chat key is preselected', async () => {
  await options.getByRole('link', { name: 'Encrypt or decrypt a file' }).click();
  await options.getByRole('heading', { name: 'Decrypt a file' }).waitFor();
  assert.match(options.url(), /\/files\/files\.html$/);
  await options.goBack();

  // A chat tab whose conversation uses the key "Files with Ana", while another key is selected.
  app = await startApp();
  const chat = await openChat(browser.context, app, { variant: 'textarea', thread: 'files' });
  const { conversation, tabId } = await waitFor(async () => {
    const tabs = await options.evaluate(() => chrome.tabs.query({}));
    const tab = tabs.find((t) => t.url?.startsWith(app.url));
    if (!tab) return null;
    const status = await options.evaluate((id) => chrome.runtime.sendMessage({ type: 'tab-status', tabId: id }), tab.id);
    return status.ok && status.active && status.conversation ? { conversation: status.conversation, tabId: tab.id } : null;
  }, { message: 'ChatSeal active in the chat tab' });
  const list = await options.evaluate(() => chrome.runtime.sendMessage({ type: 'keys-list' }));
  const ana = list.keys.find((k) => k.name === 'Files with Ana');
  const set = await options.evaluate((m) => chrome.runtime.sendMessage(m), { type: 'conversation-key-set', conversation, keyId: ana.keyId });
  assert.ok(set.ok);
  await importKey(otherCode, 'Someone else'); // now the selected key
  assert.equal(await ui(page).key.inputValue(), ana.keyId, 'the open page keeps its choice');
  await waitFor(async () => (await ui(page).key.locator('option').count()) === 2, { message: 'key list updated live' });

  const popup = await browser.context.newPage();
  await popup.goto(`chrome-extension://${browser.extensionId}/popup/popup.html?tab=${tabId}`);
  const [files] = await Promise.all([
    browser.context.waitForEvent('page', { predicate: (p) => p.url().includes('/files/files.html') }),
    popup.getByRole('button', { name: 'Encrypt or decrypt a file' }).click(),
  ]);
  await files.getByRole('heading', { name: 'Encrypt a file' }).waitFor();
  assert.equal(new URL(files.url()).searchParams.get('conversation'), conversation);
  await waitFor(async () => (await ui(files).key.locator('option:checked').textContent()) === 'Files with Ana', { message: 'conversation key preselected' });
  assert.match(await files.locator('#key-hint').textContent(), /uses the key “Files with Ana”/);

  // Without a conversation the selected key is the default, and a file made with it opens with that key only.
  const plain = await openFiles();
  await waitFor(async () => (await ui(plain).key.locator('option:checked').textContent()) === 'Someone else', { message: 'selected key' });
  fs.writeFileSync(file('note.txt'), 'to someone else');
  await ui(plain).encryptInput.setInputFiles(file('note.txt'));
  assert.ok((await outcome(plain)).ok);
  const sealed = await save(plain);
  const out = fs.mkdtempSync(file('cli-other-'));
  cli('decrypt-file', '--key', otherCode, sealed.path, '-o', out);
  assert.equal(fs.readFileSync(path.join(out, 'note.txt'), 'utf8'), 'to someone else');
  await chat.close();
});
