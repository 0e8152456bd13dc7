// Per-browser-session state in chrome.storage.session (kept in memory by the
// browser, readable only by extension pages and this worker, survives the
// worker being stopped):
//   tok:<token>   {tabId, frameId, documentId, purpose, data, used, frame, createdMs, outcome}
//   parts:<token> {blocks, next}  remaining parts of a multipart message
//   tab:<tabId>   {active, origin, conversation, documentId, decrypted, failed}
//   seen:<tabId>  [{token, fromMe, createdMs, keyName, preview}] messages decrypted in
//                 the tab, for the popup only (never sent to a content script)
import { serial } from './store.js';

// A frame must redeem its token soon after the content script asked for it.
const UNUSED_TOKEN_TTL_MS = 2 * 60 * 1000;

export function newToken() {
  const bytes = crypto.getRandomValues(new Uint8Array(18));
  return btoa(String.fromCharCode(...bytes)).replace(/\+/g, '-').replace(/\//g, '_');
}

export const isToken = (t) => typeof t === 'string' && /^[A-Za-z0-9_-]{24}$/.test(t);

export async function getToken(token) {
  if (!isToken(token)) return null;
  const record = (await chrome.storage.session.get(`tok:${token}`))[`tok:${token}`];
  if (!record) return null;
  if (!record.used && Date.now() - record.createdMs > UNUSED_TOKEN_TTL_MS) return null;
  return record;
}

export const putToken = (token, record) => chrome.storage.session.set({ [`tok:${token}`]: record });

export async function getParts(token) {
  return (await chrome.storage.session.get(`parts:${token}`))[`parts:${token}`] ?? null;
}

export const putParts = (token, parts) => chrome.storage.session.set({ [`parts:${token}`]: parts });

export async function getTab(tabId) {
  const record = (await chrome.storage.session.get(`tab:${tabId}`))[`tab:${tabId}`];
  return record ?? { active: false, origin: null, conversation: null, decrypted: 0, failed: 0 };
}

/** Applies change(record) to the tab's record and stores it (serialised). */
export function updateTab(tabId, change) {
  return serial(async () => {
    const record = await getTab(tabId);
    change(record);
    await chrome.storage.session.set({ [`tab:${tabId}`]: record });
    return record;
  });
}

/**
 * Forgets a tab's tokens (and, without keepDocument, its counts): the tab was
 * closed, or its top frame shows a new document (keepDocument: that
 * document's id, whose tokens stay). Not tabs.onUpdated: it reports
 * "loading" for pushState and hash changes too, which keep the frames alive.
 */
export function forgetTab(tabId, keepDocument = null) {
  return serial(async () => {
    const all = await chrome.storage.session.get(null);
    const stale = keepDocument ? [] : [`tab:${tabId}`, `seen:${tabId}`];
    for (const [key, value] of Object.entries(all)) {
      if (key.startsWith('tok:') && value.tabId === tabId && (!keepDocument || value.documentId !== keepDocument)) {
        stale.push(key, `parts:${key.slice(4)}`);
      }
    }
    if (stale.length) await chrome.storage.session.remove(stale);
  });
}

// The popup lists what ChatSeal decrypted, so a user can tell a real message
// from a bubble the page drew itself: sender, time and the first words.
const SEEN_LIMIT = 100;
const PREVIEW_CHARS = 60;

export function preview(text) {
  const words = text.trim().split(/\s+/).slice(0, 8).join(' ');
  return words.length > PREVIEW_CHARS ? `${words.slice(0, PREVIEW_CHARS - 1)}…` : words;
}

export function recordDecrypted(tabId, token, entry) {
  return serial(async () => {
    const key = `seen:${tabId}`;
    const list = ((await chrome.storage.session.get(key))[key] ?? []).filter((e) => e.token !== token);
    list.push({ token, ...entry });
    await chrome.storage.session.set({ [key]: list.slice(-SEEN_LIMIT) });
  });
}

export async function getDecrypted(tabId) {
  const list = (await chrome.storage.session.get(`seen:${tabId}`))[`seen:${tabId}`] ?? [];
  return list.map(({ token, ...entry }) => entry);
}

export const forgetDecrypted = (tabId) => chrome.storage.session.remove(`seen:${tabId}`);

/**
 * The toolbar badge shows how many messages ChatSeal decrypted in this tab: a
 * signal outside the page, which a page cannot draw (a fake in-page
 * "decrypted" bubble would not move it).
 */
export function setBadge(tabId, tab) {
  const text = tab.decrypted ? String(Math.min(tab.decrypted, 999)) : '';
  chrome.action.setBadgeText({ tabId, text }).catch(() => {});
  chrome.action.setBadgeBackgroundColor({ tabId, color: tab.failed ? '#b3261e' : '#1b6e3a' }).catch(() => {});
}
