// ChatSeal's background service worker: owns the WASM core (background/core.js)
// and the key store (background/store.js) and answers the typed messages of
// lib/messages.js (background/router.js). It keeps nothing it cannot rebuild:
// the browser stops it when idle; tokens and counts live in storage.session.
import { MSG } from './lib/messages.js';
import { timings } from './background/core.js';
import { handle } from './background/router.js';
import { forgetTab } from './background/session.js';
import { enableGranted, reconcileSites } from './background/sites.js';

// Listeners are registered synchronously at the top level so that the event
// that woke the worker is delivered to them.
chrome.runtime.onMessage.addListener((msg, sender, sendResponse) => {
  handle(msg, sender).then(sendResponse);
  return true; // the answer is asynchronous
});

chrome.commands.onCommand.addListener((command, tab) => {
  if (command !== 'open-compose' || !tab?.id) return;
  chrome.tabs.sendMessage(tab.id, { type: MSG.OPEN_COMPOSE }, { frameId: 0 }).catch(() => {});
});

chrome.tabs.onRemoved.addListener((tabId) => {
  forgetTab(tabId).catch(() => {});
});

chrome.runtime.onInstalled.addListener(() => {
  reconcileSites().catch(() => {});
});

chrome.permissions.onRemoved.addListener(() => {
  reconcileSites().catch(() => {});
});

// Firefox closes the toolbar popup while it shows the permission prompt, so the
// popup's "Enable on this site" may not live to send SITE_ENABLE: enable the
// granted site from here too (enableSite is idempotent).
chrome.permissions.onAdded.addListener(({ origins }) => {
  enableGranted(origins).catch(() => {});
});

// Content scripts run in the page's renderer process: keep both storage areas
// for trusted contexts (this worker and extension pages) only. storage.local
// supports this in recent Chromium; where it does not (Firefox), content
// scripts could read it, which is why key secrets are kept in IndexedDB
// instead (background/store.js) and content.js never uses chrome.storage.
for (const area of [chrome.storage.session, chrome.storage.local]) {
  try {
    area.setAccessLevel?.({ accessLevel: 'TRUSTED_CONTEXTS' })?.catch?.(() => {});
  } catch {
    // not supported for this area in this browser
  }
}

// For DevTools and the end-to-end tests (reachable only from this worker's own
// global scope, i.e. through DevTools, never from a page or a content script):
// the message entry point and the cold-start timings.
globalThis.chatseal = { handle, timings };
