// The extension in German (long strings) and Russian: the UI really is
// translated, nothing overflows, and the README's screenshots in a second
// language come from here (docs/images/*-de.png, *-ru.png).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { launchBrowser, openChat, startApp, waitFor, composer } from './harness.js';
import { DIST } from './ext.js';

const images = new URL('../../docs/images/', import.meta.url).pathname;
const messages = (locale) => JSON.parse(readFileSync(new URL(`../../extension/_locales/${locale}/messages.json`, import.meta.url), 'utf8'));

let app;
before(async () => { app = await startApp(); });
after(async () => { await app?.close(); });

/** Elements wider than their box (text cut off or pushing the layout sideways). */
function overflowing() {
  const out = [];
  if (document.documentElement.scrollWidth > document.documentElement.clientWidth + 1) out.push('page scrolls sideways');
  for (const el of document.querySelectorAll('button, label, h1, h2, h3, p, a, legend, dt, dd')) {
    if (el.offsetParent !== null && el.scrollWidth > el.clientWidth + 1 && getComputedStyle(el).overflow !== 'visible') {
      out.push(`${el.tagName.toLowerCase()}#${el.id}: ${el.textContent.trim().slice(0, 40)}`);
    }
  }
  return out;
}

for (const locale of ['de', 'ru']) {
  test(`the UI in ${locale}: translated, no overflow, screenshots`, { timeout: 120_000 }, async () => {
    const strings = messages(locale);
    const browser = await launchBrowser({
      extensionDir: DIST, name: `lang-${locale}`, args: [`--lang=${locale}`],
      env: { ...process.env, LANGUAGE: locale, LANG: `${locale}_${locale.toUpperCase()}.UTF-8` },
      viewport: { width: 900, height: 760 },
    });
    try {
      const options = await browser.context.newPage();
      await options.goto(`chrome-extension://${browser.extensionId}/options/options.html`);
      assert.equal(await options.evaluate(() => chrome.i18n.getUILanguage().slice(0, 2)), locale);
      await options.getByRole('textbox', { name: strings.keyNameLabel.message, exact: true }).fill('Projekt Logo');
      await options.getByRole('button', { name: strings.newKeyButton.message, exact: true }).click();
      await waitFor(async () => (await options.locator('#key-code').inputValue()).length > 20, { message: 'key code' });
      assert.deepEqual(await options.evaluate(overflowing), []);
      await options.screenshot({ path: `${images}options-${locale}.png`, fullPage: true });

      const chat = await openChat(browser.context, app, { thread: `lang-${locale}`, user: 'alice' });
      await composer(chat).click();
      await chat.keyboard.press('Control+Shift+E');
      const frame = await waitFor(() => chat.frames().find((f) => f.url().includes('/frames/compose.html')), { message: 'compose frame' });
      const secret = frame.getByRole('textbox', { name: strings.secretMessage.message, exact: true });
      await secret.fill(locale === 'de' ? 'Hallo! Die Entwürfe kommen morgen.' : 'Привет! Макеты будут завтра.');
      await frame.getByRole('button', { name: strings.encryptAndInsert.message, exact: true }).waitFor();
      assert.deepEqual(await frame.evaluate(overflowing), []);
      await chat.screenshot({ path: `${images}compose-${locale}.png` });
    } finally {
      await browser.close();
    }
  });
}
