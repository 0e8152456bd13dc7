// The persistent key store in chrome.storage.local.
//   keys: [{keyId, name, secret (base64), safetyNumber, createdMs, verified}]
//   selectedKeyId, conversationKeys: {conversation|host: keyId}, senderId, counter
//   settings: {warnKinds: {kind: bool}, enabledSites: [origin]}
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

export async function getKeys() {
  if (!cache) {
    const { keys = [] } = await chrome.storage.local.get('keys');
    cache = { keys, secrets: new Map(keys.map((k) => [k.keyId, fromBase64(k.secret)])) };
  }
  return cache;
}

export async function saveKeys(keys) {
  cache = null;
  await chrome.storage.local.set({ keys });
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
