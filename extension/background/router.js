// Every message type, who may send it, and whether it needs the WASM core.
// handle() never throws: any failure becomes {ok:false, code, message}.
import { MSG } from '../lib/messages.js';
import { exportBackup, importBackup } from './backup.js';
import { loadCore } from './core.js';
import {
  composeInsert, composeNextPart, displayOpen, frameClose, frameHello, frameToken, tokenFor,
} from './frames.js';
import * as keys from './keys.js';
import { Refusal, bad, int, optStr, senderKind, senderOrigin, str, strArray } from './senders.js';
import { forgetDecrypted, forgetTab, getDecrypted, getTab, setBadge, updateTab } from './session.js';
import { disableSite, enableSite, normalizeOrigin } from './sites.js';
import { WARN_KINDS, getKeys, getSettings, getState, keyForConversation, saveSettings, serial } from './store.js';

const PAGE = ['page'];

async function conversationKey(conversation) {
  if (!conversation) return null;
  const { keys: all } = await getKeys();
  const id = keyForConversation(all, await getState(), conversation);
  const key = all.find((k) => k.keyId === id);
  return key ? { keyId: key.keyId, name: key.name } : null;
}

async function tabStatus(msg, sender, kind) {
  let tab;
  if (kind === 'content') {
    const conversation = optStr(msg.conversation, 'conversation', { max: 2048 });
    const documentId = sender.frameId === 0 ? sender.documentId ?? null : null;
    let newDocument = false;
    tab = await updateTab(sender.tab.id, (t) => {
      // A new page in this tab (not a pushState/hash change): its counts start at zero.
      newDocument = !!documentId && t.documentId !== documentId;
      if (newDocument) Object.assign(t, { documentId, decrypted: 0, failed: 0 });
      t.active = true;
      t.origin = senderOrigin(sender);
      if (conversation) t.conversation = conversation;
    });
    if (newDocument) {
      setBadge(sender.tab.id, tab);
      forgetDecrypted(sender.tab.id).catch(() => {});
      forgetTab(sender.tab.id, documentId).catch(() => {});
    }
    return { ...tab, conversationKey: await conversationKey(tab.conversation) };
  }
  // Extension pages (the popup) also get what was decrypted in the tab.
  const tabId = int(msg.tabId, 'tabId');
  tab = await getTab(tabId);
  return { ...tab, conversationKey: await conversationKey(tab.conversation), messages: await getDecrypted(tabId) };
}

function inspectBlocks(core, msg, secrets) {
  const blocks = strArray(msg.blocks, 'blocks', { maxItems: 5000, max: 200_000 }).map((text) => {
    const [found] = core.findBlocks(text);
    if (!found) return { error: 'not_chatseal' };
    const { partIndex, partCount, messageId, keyId, error } = found;
    return { partIndex, partCount, messageId, keyId, hasKey: keyId ? secrets.has(keyId) : null, error };
  });
  return { blocks };
}

async function scanContacts(core, msg) {
  const text = str(msg.text, 'text', { max: 100_000, empty: true });
  const host = str(msg.host ?? '', 'host', { max: 255, empty: true });
  if (typeof core.scanContacts !== 'function') return { findings: [], available: false };
  const { warnKinds } = await getSettings();
  const disabled = WARN_KINDS.filter((kind) => warnKinds[kind] === false);
  // ChatSeal's own blocks are random letters and digits: never a contact detail.
  const blocks = core.findBlocks(text);
  const inBlock = (f) => blocks.some((b) => f.start < b.end && f.end > b.start);
  const findings = core.scanContacts(text, host, disabled).filter((f) => !disabled.includes(f.kind) && !inBlock(f));
  return { findings, available: true };
}

function setSettings(msg) {
  const warnKinds = msg.settings?.warnKinds;
  if (!warnKinds || typeof warnKinds !== 'object') throw bad('settings.warnKinds is required');
  return serial(async () => {
    const settings = await getSettings();
    for (const [kind, on] of Object.entries(warnKinds)) {
      if (!WARN_KINDS.includes(kind) || typeof on !== 'boolean') throw bad(`unknown switch ${kind}`);
      settings.warnKinds[kind] = on;
    }
    await saveSettings(settings);
    return { settings };
  });
}

async function setConversationKeyFrom(msg, sender, kind) {
  const keyId = msg.keyId === null ? null : msg.keyId;
  const conversation = kind === 'frame'
    ? (await tokenFor(msg, sender, 'frame', 'compose')).data.conversation
    : str(msg.conversation, 'conversation', { max: 2048 }).trim();
  if (!conversation) throw bad('conversation must not be empty');
  return keys.setConversationKey(conversation, keyId);
}

// type -> [allowed sender kinds, needs core, handler(ctx)]
const ROUTES = {
  [MSG.FRAME_TOKEN]: [['content'], false, (c) => frameToken(c.msg, c.sender)],
  [MSG.FRAME_HELLO]: [['frame'], false, (c) => frameHello(c.msg, c.sender)],
  [MSG.COMPOSE_INSERT]: [['frame'], true, (c) => composeInsert(c.core, c.msg, c.sender)],
  [MSG.COMPOSE_NEXT_PART]: [['frame', 'content'], false, (c) => composeNextPart(c.msg, c.sender, c.kind)],
  [MSG.DISPLAY_OPEN]: [['frame'], true, (c) => displayOpen(c.core, c.msg, c.sender, c.arrivedAt)],
  [MSG.FRAME_CLOSE]: [['frame'], false, (c) => frameClose(c.msg, c.sender)],
  [MSG.INSPECT_BLOCKS]: [['content', 'frame'], true, async (c) => inspectBlocks(c.core, c.msg, (await getKeys()).secrets)],
  [MSG.SCAN_CONTACTS]: [['content', 'frame'], true, (c) => scanContacts(c.core, c.msg)],
  [MSG.KEYS_LIST]: [['page', 'frame'], false, async (c) => keys.listKeys(c.msg, c.kind,
    c.kind === 'frame' && c.msg.token ? (await tokenFor(c.msg, c.sender, 'frame')).data.conversation : undefined)],
  [MSG.KEYS_CREATE]: [PAGE, true, (c) => keys.createKey(c.core, c.msg)],
  [MSG.KEYS_IMPORT]: [PAGE, true, (c) => keys.importKey(c.core, c.msg)],
  [MSG.KEYS_PASSPHRASE]: [PAGE, true, (c) => keys.passphraseKey(c.core, c.msg)],
  [MSG.KEYS_EXPORT_CODE]: [PAGE, true, (c) => keys.exportKeyCode(c.core, c.msg)],
  [MSG.KEYS_RENAME]: [PAGE, false, (c) => keys.renameKey(c.msg)],
  [MSG.KEYS_DELETE]: [PAGE, false, (c) => keys.deleteKey(c.msg)],
  [MSG.KEYS_SELECT]: [PAGE, false, (c) => keys.selectKey(c.msg)],
  [MSG.KEYS_VERIFY]: [PAGE, false, (c) => keys.verifyKey(c.msg)],
  [MSG.CONVERSATION_KEY_SET]: [['page', 'frame'], false, (c) => setConversationKeyFrom(c.msg, c.sender, c.kind)],
  [MSG.BACKUP_EXPORT]: [PAGE, true, (c) => exportBackup(c.core, str(c.msg.passphrase, 'passphrase', { max: 1024 }))],
  [MSG.BACKUP_IMPORT]: [PAGE, true, (c) => importBackup(c.core, str(c.msg.backup, 'backup', { max: 4_000_000 }),
    str(c.msg.passphrase, 'passphrase', { max: 1024 }))],
  [MSG.SETTINGS_GET]: [['page', 'frame'], false, async () => ({ settings: await getSettings() })],
  [MSG.SETTINGS_SET]: [PAGE, false, (c) => setSettings(c.msg)],
  [MSG.SITE_ENABLE]: [PAGE, false, async (c) => ({
    origin: await enableSite(normalizeOrigin(c.msg.origin), c.msg.tabId === undefined ? undefined : int(c.msg.tabId, 'tabId')),
  })],
  [MSG.SITE_DISABLE]: [PAGE, false, async (c) => (await disableSite(normalizeOrigin(c.msg.origin)), {})],
  [MSG.TAB_STATUS]: [['page', 'content'], false, (c) => tabStatus(c.msg, c.sender, c.kind)],
};

/** Answers one message; never throws. Nothing here logs message contents. */
export async function handle(msg, sender) {
  const arrivedAt = performance.now();
  try {
    if (!msg || typeof msg !== 'object' || typeof msg.type !== 'string') throw bad('a message needs a type');
    const route = ROUTES[msg.type];
    if (!route) throw bad('unknown message type');
    const [from, needsCore, run] = route;
    const kind = senderKind(sender);
    if (!kind || !from.includes(kind)) throw new Refusal('forbidden', 'this sender may not send this message');
    // A content script on a chat page will soon ask for a decrypt: compile the
    // WASM and read the keys now, in parallel, so the first frame does not wait.
    if (kind === 'content' && !needsCore) {
      loadCore().catch(() => {});
      getKeys().catch(() => {});
    }
    const core = needsCore ? await loadCore() : null;
    return { ok: true, ...(await run({ msg, sender, kind, core, arrivedAt })) };
  } catch (e) {
    if (e instanceof Refusal || typeof e?.code === 'string') {
      // Core errors carry a stable code and a message without secrets (core contract).
      return { ok: false, code: e.code, message: String(e.message) };
    }
    if (e instanceof WebAssembly.RuntimeError) {
      // A trap leaves the WASM instance unusable, and wasm-bindgen cannot
      // instantiate it again in this worker: reload the extension to get a
      // fresh one. The core is fuzzed so this should never happen.
      setTimeout(() => chrome.runtime.reload(), 100);
    }
    return { ok: false, code: 'internal', message: 'ChatSeal could not do this' };
  }
}
