// Self-tests of the extension-facing harness helpers, with a tiny fixture extension
// (fixtures/ext-min: service worker + content script mounting an extension iframe
// in a closed shadow root on chat pages opened with ?fixture=1).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { domTextViaCDP, flushSpy, frameByUrl, launchBrowser, openChat, startApp, stopServiceWorker } from './harness.js';

const EXT = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures/ext-min');
let app;
let browser;

before(async () => {
  [app, browser] = await Promise.all([startApp(), launchBrowser({ extensionDir: EXT, name: 'harness-selftest' })]);
});
after(async () => {
  await browser?.close();
  await app?.close();
});

const extFrame = (page) => frameByUrl(page, `chrome-extension://${browser.extensionId}/frame.html`);

test('launchBrowser loads the extension and finds its id and service worker', async () => {
  assert.match(browser.extensionId, /^[a-p]{32}$/);
  const sw = await browser.serviceWorker();
  assert.equal(sw.url(), `chrome-extension://${browser.extensionId}/sw.js`);
});

test('extension frame inside a closed shadow root: reachable by frameByUrl, invisible to domTextViaCDP and to a hostile page', async () => {
  const page = await openChat(browser.context, app, { thread: 'frame', fixture: 1, hostile: 1 });
  const frame = await extFrame(page);
  await frame.locator('#secret').waitFor();
  assert.equal(await frame.locator('#secret').textContent(), 'EXTENSION-FRAME-SECRET');
  await frame.getByRole('textbox', { name: 'Plaintext' }).fill('TYPED-IN-EXTENSION-FRAME');
  const dom = await domTextViaCDP(page);
  assert.ok(dom.includes('Thread frame'));
  assert.ok(dom.includes(`chrome-extension://${browser.extensionId}/frame.html`)); // the iframe's src attribute
  for (const secret of ['EXTENSION-FRAME-SECRET', 'EXTENSION-TEXTAREA-SECRET', 'TYPED-IN-EXTENSION-FRAME']) {
    assert.ok(!dom.includes(secret), `${secret} not in page DOM`);
  }
  await flushSpy(page);
  assert.deepEqual(app.find('EXTENSION-FRAME-SECRET'), []);
  assert.deepEqual(app.find('TYPED-IN-EXTENSION-FRAME'), []);
  // The page's attachShadow hook does not see the content script's call (isolated world).
  const spied = app.spy().flatMap((b) => b.data);
  assert.ok(!spied.some((r) => r.kind === 'attachShadow'));
  assert.ok(spied.some((r) => r.kind === 'mutation' && r.added?.length)); // but the spy does run
  await page.close();
});

test('stopServiceWorker stops the worker; the next message starts a fresh instance', async () => {
  const page = await openChat(browser.context, app, { thread: 'sw', fixture: 1 });
  const frame = await extFrame(page);
  const ping = () => frame.evaluate(() => chrome.runtime.sendMessage('ping'));
  const first = (await ping()).started;
  assert.equal(await stopServiceWorker(browser.context, browser.extensionId), true);
  const second = (await ping()).started;
  assert.notEqual(second, first);
  const sw = await browser.serviceWorker();
  assert.equal(await sw.evaluate(() => started), second); // same Worker object, new instance
  assert.equal(await stopServiceWorker(browser.context, browser.extensionId), true);
  assert.equal(await stopServiceWorker(browser.context, browser.extensionId), false); // already stopped
  assert.notEqual((await ping()).started, second);
  await page.close();
});

test('strict page CSP (csp=1) does not block the extension iframe', async () => {
  const page = await openChat(browser.context, app, { variant: 'react', thread: 'csp', fixture: 1, csp: 1 });
  const frame = await extFrame(page);
  assert.equal(await frame.locator('#secret').textContent(), 'EXTENSION-FRAME-SECRET');
  await page.close();
});
