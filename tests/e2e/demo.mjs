// scripts/demo: the test chat app plus two ChatSeal-enabled Chromium profiles.
import { startServer } from './app/server.js';
import { launchBrowser, chatUrl } from './harness.js';

const extensionDir = new URL('../../dist/chrome', import.meta.url).pathname;
const app = await startServer({ port: Number(process.env.PORT ?? 0) });
console.log(`ChatSeal demo chat app: ${app.url}/ (variants: textarea, react, contenteditable, lexical, prosemirror)`);

const browsers = [];
if (process.env.DISPLAY || process.env.WAYLAND_DISPLAY) {
  for (const user of ['alice', 'bob']) {
    const browser = await launchBrowser({ extensionDir, name: `demo-${user}`, headless: false });
    browsers.push(browser);
    const options = await browser.context.newPage();
    await options.goto(`chrome-extension://${browser.extensionId}/options/options.html`);
    const chat = await browser.context.newPage();
    await chat.goto(chatUrl(app, { variant: 'textarea', thread: 'demo', user }));
    console.log(`${user}: Chromium window open (options page and chat tab)`);
  }
  console.log('Create a key in Alice\'s options page, paste its key code into Bob\'s, then chat.');
} else {
  console.log('No display: load dist/chrome in your own Chromium (chrome://extensions → Load unpacked)');
  console.log(`and open ${chatUrl(app, { variant: 'textarea', thread: 'demo', user: 'alice' })}`);
  console.log(`and ${chatUrl(app, { variant: 'textarea', thread: 'demo', user: 'bob' })} in a second profile.`);
}
console.log('Press Ctrl+C to stop.');

async function stop() {
  await Promise.all(browsers.map((b) => b.close()));
  await app.close();
  process.exit(0);
}
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
