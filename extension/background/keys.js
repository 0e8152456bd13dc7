// Key management: create, import, passphrase keys, rename, delete, select,
// verify, key codes, and which key a conversation uses. Secrets never leave
// this worker except as a key code for our own options page.
import { forgetPreparedKeys } from './core.js';
import { Refusal, bad, keyIdOf, optStr, str } from './senders.js';
import {
  defaultKeyId, getKeys, getState, keyForConversation, publicKey, saveKeys, serial, toBase64,
} from './store.js';

const MAX_NAME = 64;

function keyName(value) {
  const name = str(value ?? '', 'name', { max: 256, empty: true }).trim();
  if (!name) throw new Refusal('name_required', 'the key needs a name');
  if (new TextEncoder().encode(name).length > MAX_NAME || /\p{Cc}/u.test(name)) {
    throw new Refusal('invalid_argument', 'a key name may have at most 64 bytes and no control characters');
  }
  return name;
}

function findKey(keys, keyId) {
  const key = keys.find((k) => k.keyId === keyIdOf(keyId));
  if (!key) throw new Refusal('no_key', 'there is no such key');
  return key;
}

/** Adds a key (from core key info) unless its id exists; selects it when added. */
function addKey(info) {
  return serial(async () => {
    const { keys } = await getKeys();
    const existing = keys.find((k) => k.keyId === info.keyId);
    if (existing) return { key: publicKey(existing), existed: true };
    const record = {
      keyId: info.keyId, name: info.name, secret: toBase64(info.secret), safetyNumber: info.safetyNumber,
      createdMs: Date.now(), verified: false,
    };
    await saveKeys([...keys, record]);
    await chrome.storage.local.set({ selectedKeyId: record.keyId });
    return { key: publicKey(record), existed: false };
  });
}

export async function listKeys(msg, kind, tokenConversation) {
  const { keys } = await getKeys();
  const state = await getState();
  const reply = {
    keys: keys.map(publicKey),
    selectedKeyId: state.selectedKeyId,
    defaultKeyId: defaultKeyId(keys, state.selectedKeyId),
  };
  const conversation = tokenConversation ?? optStr(msg.conversation, 'conversation');
  if (conversation) reply.conversationKeyId = keyForConversation(keys, state, conversation);
  if (kind === 'page') reply.conversationKeys = state.conversationKeys;
  return reply;
}

export const createKey = (core, msg) => addKey(core.generateKey(keyName(msg.name)));

export function importKey(core, msg) {
  const info = core.readKeyCode(str(msg.keyCode, 'keyCode', { max: 1024 }));
  return addKey(info);
}

export function passphraseKey(core, msg) {
  const passphrase = str(msg.passphrase, 'passphrase', { max: 1024 });
  const name = keyName(msg.name);
  return addKey(core.passphraseKey(passphrase, name));
}

export async function exportKeyCode(core, msg) {
  const { keys, secrets } = await getKeys();
  const key = findKey(keys, msg.keyId);
  const { keyCode } = core.describeKey(secrets.get(key.keyId), key.name);
  return { keyCode, qrSvg: core.keyCodeQrSvg(keyCode), safetyNumber: key.safetyNumber };
}

/** Changes one key record. */
function editKey(keyId, change) {
  return serial(async () => {
    const { keys } = await getKeys();
    const key = findKey(keys, keyId);
    const next = keys.map((k) => (k === key ? change({ ...k }) : k));
    await saveKeys(next);
    return { key: publicKey(next.find((k) => k.keyId === key.keyId)) };
  });
}

export const renameKey = (msg) => {
  const name = keyName(msg.name);
  return editKey(msg.keyId, (k) => ({ ...k, name }));
};

export const verifyKey = (msg) => {
  if (typeof msg.verified !== 'boolean') throw bad('verified must be true or false');
  return editKey(msg.keyId, (k) => ({ ...k, verified: msg.verified }));
};

export function deleteKey(msg) {
  return serial(async () => {
    const { keys } = await getKeys();
    const key = findKey(keys, msg.keyId);
    const next = keys.filter((k) => k !== key);
    const state = await getState();
    const conversationKeys = Object.fromEntries(
      Object.entries(state.conversationKeys).filter(([, id]) => id !== key.keyId),
    );
    let { selectedKeyId } = state;
    // With one key left it is the obvious default; with several, let the user choose.
    if (selectedKeyId === key.keyId) selectedKeyId = next.length === 1 ? next[0].keyId : null;
    await saveKeys(next);
    await chrome.storage.local.set({ conversationKeys, selectedKeyId });
    forgetPreparedKeys();
    return { deleted: key.keyId, selectedKeyId };
  });
}

export function selectKey(msg) {
  return serial(async () => {
    const { keys } = await getKeys();
    const key = findKey(keys, msg.keyId);
    await chrome.storage.local.set({ selectedKeyId: key.keyId });
    return { selectedKeyId: key.keyId };
  });
}

/** Remembers (or, with keyId null, forgets) the key of a conversation or site. */
export function setConversationKey(conversation, keyId) {
  return serial(async () => {
    const { keys } = await getKeys();
    const state = await getState();
    const conversationKeys = { ...state.conversationKeys };
    if (keyId === null) delete conversationKeys[conversation];
    else conversationKeys[conversation] = findKey(keys, keyId).keyId;
    await chrome.storage.local.set({ conversationKeys });
    return { conversation, keyId };
  });
}

/**
 * Remembers the key used in a conversation: on sending (replace: the key
 * actually used wins) and on reading (only if the conversation has none yet).
 */
// Conversations known to have a key: decrypting message after message of one
// thread then reads no storage (cleared whenever the stored choices change).
const settled = new Set();
chrome.storage.local.onChanged.addListener((changes) => {
  if (changes.conversationKeys) settled.clear();
});

export function rememberConversationKey(conversation, keyId, { replace }) {
  if (!replace && settled.has(conversation)) return Promise.resolve();
  return serial(async () => {
    const { conversationKeys } = await getState();
    const current = conversationKeys[conversation];
    if (current && !replace) settled.add(conversation);
    if (current === keyId || (current && !replace)) return;
    await chrome.storage.local.set({ conversationKeys: { ...conversationKeys, [conversation]: keyId } });
  });
}
