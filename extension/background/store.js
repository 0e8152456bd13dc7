// The persistent key store.
// chrome.storage.local:
//   keys: [{keyId, name, safetyNumber, createdMs, verified}] (no secrets)
//   selectedKeyId, conversationKeys: {conversation|host: keyId}, senderId, counter
//   settings: {warnKinds: {kind: bool}, enabledSites: [origin]}
// IndexedDB of the extension's origin, database `chatseal-keys`, store
// `secrets`: keyId -> the key's 32 bytes in base64. Content scripts can read
// storage.local wherever the browser cannot restrict it (Firefox has no
// storage.local.setAccessLevel); the extension origin's IndexedDB is out of
// their reach in every browser, since they use the page's origin.
// Callers see whole records ({..., secret}); this module splits them.
// The decoded secrets are cached in memory only as a copy of storage: the
// worker can be stopped at any time and rebuilds the cache on the next read.

export const WARN_KINDS = ['email', 'phone', 'url', 'handle', 'payment'];
const DEFAULT_SETTINGS = { warnKinds: Object.fromEntries(WARN_KINDS.map((k) => [k, true])), enabledSites: [] };

let tail = Promise.resolve();
/** Runs fn after every earlier serial() call finished: read-modify-write without lost updates. */
export function serial(fn) {
  const run = tail.then(fn, fn);
  tail = run.catch(() => {});
  return run;
}

let cache = null; // {keys, secrets: Map<keyId, Uint8Array>}
chrome.storage.local.onChanged.addListener((changes) => {
  if (changes.keys) cache = null;
});

export function toBase64(bytes) {
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s);
}

export function fromBase64(text) {
  const s = atob(text);
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

const DB_NAME = 'chatseal-keys';
const SECRETS = 'secrets';
let opened = null;
function openDb() {
  opened ??= new Promise((resolve, reject) => {
    const req = indexedDB.open(DB_NAME, 1);
    req.onupgradeneeded = () => req.result.createObjectStore(SECRETS);
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
  opened.catch(() => { opened = null; });
  return opened;
}

/** Runs `work(store)` in one transaction; resolves with what it returned once the transaction completed. */
async function withSecrets(mode, work) {
  const db = await openDb();
  return new Promise((resolve, reject) => {
    const tx = db.transaction(SECRETS, mode);
    const result = work(tx.objectStore(SECRETS));
    tx.oncomplete = () => resolve(result);
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error);
  });
}

/** keyId -> secret (base64) of every stored key. */
async function readSecrets() {
  const ids = [];
  const values = [];
  await withSecrets('readonly', (store) => {
    store.getAllKeys().onsuccess = (e) => ids.push(...e.target.result);
    store.getAll().onsuccess = (e) => values.push(...e.target.result);
  });
  return new Map(ids.map((id, i) => [id, values[i]]));
}

/** Key records from storage.local with their secrets (from IndexedDB, or still in the record). */
async function readKeys() {
  const { keys: stored = [] } = await chrome.storage.local.get('keys');
  const secrets = await readSecrets();
  // A record whose secret is gone cannot be used: it is not offered.
  return stored.map((k) => ({ ...k, secret: secrets.get(k.keyId) ?? k.secret })).filter((k) => typeof k.secret === 'string');
}

// Earlier builds kept the secrets in storage.local: they are moved once per
// context, before it reads or writes keys (until then, and if moving fails,
// they are read from there).
let moved = null;
function moveSecretsOutOfStorage() {
  moved ??= (async () => {
    const { keys = [] } = await chrome.storage.local.get('keys');
    if (keys.some((k) => k.secret)) await saveKeys(await readKeys());
  })();
  moved.catch(() => { moved = null; });
  return moved;
}

export async function getKeys() {
  await moveSecretsOutOfStorage().catch(() => {});
  if (!cache) {
    const keys = await readKeys();
    cache = { keys, secrets: new Map(keys.map((k) => [k.keyId, fromBase64(k.secret)])) };
  }
  return cache;
}

/** Stores the whole key list (records with their secrets). Call inside serial(). */
export async function saveKeys(keys) {
  if (!keys.every((k) => typeof k.secret === 'string' && k.secret)) throw new Error('a key record has no secret');
  cache = null;
  // Secrets first: a context that sees the new list finds every secret it names.
  await withSecrets('readwrite', (store) => {
    store.clear();
    for (const k of keys) store.put(k.secret, k.keyId);
  });
  await chrome.storage.local.set({ keys: keys.map(({ secret, ...rest }) => rest) });
  cache = null;
}

/** The public part of a key record (what pages and frames may see). */
export const publicKey = ({ keyId, name, safetyNumber, verified, createdMs }) =>
  ({ keyId, name, safetyNumber, verified: !!verified, createdMs });

export async function getState() {
  const { selectedKeyId = null, conversationKeys = {} } =
    await chrome.storage.local.get(['selectedKeyId', 'conversationKeys']);
  return { selectedKeyId, conversationKeys };
}

/** The key to use when nothing more specific is chosen: the selected one, or the only one. */
export function defaultKeyId(keys, selectedKeyId) {
  if (selectedKeyId && keys.some((k) => k.keyId === selectedKeyId)) return selectedKeyId;
  return keys.length === 1 ? keys[0].keyId : null;
}

/** The key remembered for a conversation ("host/path"), else for its site ("host"), else the default. */
export function keyForConversation(keys, state, conversation) {
  const known = (id) => (id && keys.some((k) => k.keyId === id) ? id : null);
  if (conversation) {
    const map = state.conversationKeys;
    const host = conversation.split('/')[0];
    const id = known(map[conversation]) ?? known(map[host]);
    if (id) return id;
  }
  return defaultKeyId(keys, state.selectedKeyId);
}

export async function getSettings() {
  const { settings = {} } = await chrome.storage.local.get('settings');
  return {
    warnKinds: { ...DEFAULT_SETTINGS.warnKinds, ...(settings.warnKinds ?? {}) },
    enabledSites: settings.enabledSites ?? [],
  };
}

export async function saveSettings(settings) {
  await chrome.storage.local.set({ settings });
}

let senderIdOnce = null;
/** This install's sender id, made once (memoised so two first encryptions agree). */
export function senderId(core) {
  senderIdOnce ??= (async () => {
    const { senderId: id } = await chrome.storage.local.get('senderId');
    if (id) return id;
    const fresh = core.newSenderId();
    await chrome.storage.local.set({ senderId: fresh });
    return fresh;
  })();
  senderIdOnce.catch(() => { senderIdOnce = null; });
  return senderIdOnce;
}

/** The next message counter, persisted before it is used so it is never reused. */
export function nextCounter() {
  return serial(async () => {
    const { counter = 0 } = await chrome.storage.local.get('counter');
    await chrome.storage.local.set({ counter: counter + 1 });
    return counter + 1;
  });
}
