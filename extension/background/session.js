// Per-browser-session state in chrome.storage.session (kept in memory by the
// browser, readable only by extension pages and this worker, survives the
// worker being stopped):
//   tok:<token>   {tabId, frameId, documentId, purpose, data, used, frame, createdMs}
//   parts:<token> {blocks, next}  remaining parts of a multipart message
//   tab:<tabId>   {active, origin, conversation, documentId, decrypted, failed}
//   seen:<tabId>  [{message, fromMe, createdMs, keyName, preview}] messages decrypted in
//                 the tab, for the popup only (never sent to a content script)
//   cnt:<tabId>:<message>  'decrypted'|'failed': what a message shown in the tab
//                 counted as, so a message shown again counts once
import { serial } from './store.js';

// A frame must redeem its token soon after the content script asked for it.
const UNUSED_TOKEN_TTL_MS = 2 * 60 * 1000;

export function newToken() {
  const bytes = crypto.getRandomValues(new Uint8Array(18));
  return btoa(String.fromCharCode(...bytes)).replace(/\+/g, '-').replace(/\//g, '_');
}

export const isToken = (t) => typeof t === 'string' && /^[A-Za-z0-9_-]{24}$/.test(t);

// storage.session behind a copy in memory: once a key was read it is served
// from memory, and writes are gathered and stored together every
// WRITE_BEHIND_MS. A long thread decrypts hundreds of messages a second, each
// updating its token, its tab's counts and the popup's list; one storage write
// each would queue thousands of them, and every later storage call (a compose
// token) would wait behind the queue. storage.session stays the record a
// restarted worker reads; a write is at most WRITE_BEHIND_MS behind.
const WRITE_BEHIND_MS = 100;
const memory = new Map(); // key -> value, undefined when known to be absent
let dirty = new Map(); // key -> value to store, undefined to remove
let flushTimer = 0;

async function read(key) {
  if (!memory.has(key)) {
    const value = (await chrome.storage.session.get(key))[key];
    if (!memory.has(key)) memory.set(key, value); // unless written meanwhile
  }
  return memory.get(key);
}

function write(key, value) {
  memory.set(key, value);
  dirty.set(key, value);
  // A failed write leaves the copy in memory, which stays what this worker answers from.
  flushTimer ||= setTimeout(() => flush().catch(() => {}), WRITE_BEHIND_MS);
}

async function flush() {
  clearTimeout(flushTimer);
  flushTimer = 0;
  const batch = dirty;
  dirty = new Map();
  const set = {};
  const gone = [];
  for (const [key, value] of batch) {
    if (value === undefined) gone.push(key);
    else set[key] = value;
  }
  await Promise.all([
    Object.keys(set).length ? chrome.storage.session.set(set) : null,
    gone.length ? chrome.storage.session.remove(gone) : null,
  ]);
}

export async function getToken(token) {
  if (!isToken(token)) return null;
  const record = await read(`tok:${token}`);
  if (!record) return null;
  if (!record.used && Date.now() - record.createdMs > UNUSED_TOKEN_TTL_MS) return null;
  return record;
}

export async function putToken(token, record) {
  write(`tok:${token}`, record);
}

export async function getParts(token) {
  return (await read(`parts:${token}`)) ?? null;
}

export async function putParts(token, parts) {
  write(`parts:${token}`, parts);
}

const NEW_TAB = { active: false, origin: null, conversation: null, decrypted: 0, failed: 0 };

export async function getTab(tabId) {
  return { ...((await read(`tab:${tabId}`)) ?? NEW_TAB) };
}

/** Applies change(record) to the tab's record and stores it; returns a copy. */
export async function updateTab(tabId, change) {
  const key = `tab:${tabId}`;
  await read(key);
  // From here on synchronous: concurrent updates cannot lose each other's changes.
  const record = { ...(memory.get(key) ?? NEW_TAB) };
  change(record);
  write(key, record);
  return { ...record };
}

/**
 * Records `outcome` for a message shown in a tab; returns what was recorded
 * before (or undefined). One small key per message, so a write-behind batch
 * holds only what changed, however long the thread.
 */
export async function countedOutcome(tabId, message, outcome) {
  const key = `cnt:${tabId}:${message}`;
  const previous = await read(key);
  if (previous !== outcome) write(key, outcome);
  return previous;
}

/**
 * Forgets a tab's tokens (and, without keepDocument, its counts): the tab was
 * closed, or its top frame shows a new document (keepDocument: that
 * document's id, whose tokens stay). Not tabs.onUpdated: it reports
 * "loading" for pushState and hash changes too, which keep the frames alive.
 */
export function forgetTab(tabId, keepDocument = null) {
  return serial(async () => {
    await flush();
    const stale = keepDocument ? [] : [`tab:${tabId}`, `seen:${tabId}`];
    const isStale = (key, value) => key.startsWith('tok:') && value?.tabId === tabId
      && (!keepDocument || value.documentId !== keepDocument);
    const all = await chrome.storage.session.get(null);
    for (const [key, value] of [...Object.entries(all), ...memory]) {
      if (isStale(key, value)) stale.push(key, `parts:${key.slice(4)}`);
      else if (!keepDocument && key.startsWith(`cnt:${tabId}:`)) stale.push(key);
    }
    for (const key of stale) write(key, undefined);
    await flush();
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

/** Lists a decrypted message (`message`: its identity; shown again, it moves to the end). */
export async function recordDecrypted(tabId, message, entry) {
  const key = `seen:${tabId}`;
  await read(key);
  const list = (memory.get(key) ?? []).filter((e) => e.message !== message);
  list.push({ message, ...entry });
  write(key, list.slice(-SEEN_LIMIT));
}

export async function getDecrypted(tabId) {
  const list = (await read(`seen:${tabId}`)) ?? [];
  return list.map(({ message, ...entry }) => entry);
}

/** Forgets what was decrypted in a tab (a new document there starts afresh). */
export function forgetDecrypted(tabId) {
  return serial(async () => {
    write(`seen:${tabId}`, undefined);
    await flush();
    const all = await chrome.storage.session.get(null);
    for (const key of new Set([...Object.keys(all), ...memory.keys()])) {
      if (key.startsWith(`cnt:${tabId}:`)) write(key, undefined);
    }
  });
}

/**
 * The toolbar badge shows how many messages ChatSeal decrypted in this tab: a
 * signal outside the page, which a page cannot draw (a fake in-page
 * "decrypted" bubble would not move it).
 */
export function setBadge(tabId, tab) {
  // At most every WRITE_BEHIND_MS per tab, with the latest numbers.
  const waiting = badges.has(tabId);
  badges.set(tabId, tab);
  if (waiting) return;
  setTimeout(() => {
    const latest = badges.get(tabId);
    badges.delete(tabId);
    const text = latest.decrypted ? String(Math.min(latest.decrypted, 999)) : '';
    chrome.action.setBadgeText({ tabId, text }).catch(() => {});
    chrome.action.setBadgeBackgroundColor({ tabId, color: latest.failed ? '#b3261e' : '#1b6e3a' }).catch(() => {});
  }, WRITE_BEHIND_MS);
}
const badges = new Map(); // tabId -> the numbers to show next
