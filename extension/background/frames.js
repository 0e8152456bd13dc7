// The frame handshake and what frames ask for: encrypting into the site's
// composer and decrypting the blocks a display frame stands for.
//
// 1. content script: FRAME_TOKEN -> a one-time token bound to its tab and frame.
// 2. the frame (loaded with #token): FRAME_HELLO -> the token becomes bound to
//    that frame; a page that framed our frame itself has no valid token.
// 3. COMPOSE_INSERT / COMPOSE_NEXT_PART / DISPLAY_OPEN / FRAME_CLOSE name the token.
// Plaintext arrives from or goes to the frame only; the content script gets
// ciphertext blocks.
import { MSG } from '../lib/messages.js';
import { noteDecrypt } from './core.js';
import { Refusal, bad, framePage, int, keyIdOf, str, strArray } from './senders.js';
import {
  countedOutcome, getParts, getToken, newToken, preview, putParts, putToken, recordDecrypted, setBadge, updateTab,
} from './session.js';
import { rememberConversationKey } from './keys.js';
import { getKeys, getState, keyForConversation, nextCounter, senderId } from './store.js';

const MAX_TEXT = 100_000; // characters of one message
const MAX_PARTS_CHARS = 200_000;

export async function frameToken(msg, sender) {
  const purpose = msg.purpose;
  if (purpose !== 'compose' && purpose !== 'display') throw bad("purpose must be 'compose' or 'display'");
  const data = { conversation: str(msg.conversation, 'conversation', { max: 2048 }) };
  if (purpose === 'compose' && msg.composer?.maxChars !== undefined && msg.composer?.maxChars !== null) {
    data.maxChars = int(msg.composer.maxChars, 'composer.maxChars', { min: 200, max: 1_000_000 });
  }
  if (purpose === 'display') {
    data.blocks = strArray(msg.blocks, 'blocks', { maxItems: 255, max: MAX_PARTS_CHARS });
  }
  const token = newToken();
  await putToken(token, {
    tabId: sender.tab.id, frameId: sender.frameId, documentId: sender.documentId ?? null, purpose, data, used: false, frame: null,
    createdMs: Date.now(),
  });
  return { token };
}

export async function frameHello(msg, sender) {
  const record = await getToken(msg.token);
  // One answer for every refusal, so a guessing page learns nothing.
  const refuse = () => new Refusal('forbidden', 'this panel was not opened by ChatSeal');
  if (!record || record.used || record.tabId !== sender.tab.id || framePage(sender) !== record.purpose) {
    throw refuse();
  }
  record.used = true;
  record.frame = sender.frameId;
  await putToken(msg.token, record);
  const reply = { purpose: record.purpose, conversation: record.data.conversation };
  if (record.purpose === 'compose') {
    if (record.data.maxChars) reply.maxChars = record.data.maxChars;
    const { keys } = await getKeys();
    reply.keyId = keyForConversation(keys, await getState(), record.data.conversation);
  } else {
    reply.blockCount = record.data.blocks.length;
  }
  return reply;
}

/** The token record, if this frame redeemed it (or, for `content`, if its content script asked for it). */
export async function tokenFor(msg, sender, kind, purpose) {
  const record = await getToken(msg.token);
  const ok = record && record.used && record.tabId === sender.tab.id && (!purpose || record.purpose === purpose)
    && (kind === 'frame' ? record.frame === sender.frameId : record.frameId === sender.frameId);
  if (!ok) throw new Refusal('forbidden', 'this panel was not opened by ChatSeal');
  return record;
}

async function insertPart(token, record, parts) {
  const block = parts.blocks[parts.next];
  const part = parts.next + 1;
  let inserted = false;
  try {
    const answer = await chrome.tabs.sendMessage(record.tabId, {
      type: MSG.INSERT_BLOCKS, token, blocks: [block], part, parts: parts.blocks.length,
    }, { frameId: record.frameId });
    inserted = !!answer?.inserted;
  } catch {
    inserted = false; // the content script is gone (page reloaded): the frame offers copying
  }
  if (inserted) await putParts(token, { ...parts, next: part });
  const progress = { token, part, parts: parts.blocks.length, inserted };
  chrome.runtime.sendMessage({ type: MSG.COMPOSE_PROGRESS, ...progress }).catch(() => {});
  return { ...progress, block };
}

export async function composeInsert(core, msg, sender) {
  const record = await tokenFor(msg, sender, 'frame', 'compose');
  const text = str(msg.text, 'text', { max: MAX_TEXT });
  const { keys, secrets } = await getKeys();
  const keyId = msg.keyId === undefined || msg.keyId === null
    ? keyForConversation(keys, await getState(), record.data.conversation)
    : keyIdOf(msg.keyId);
  if (!keyId || !secrets.has(keyId)) throw new Refusal('no_key', 'choose a key first');
  const blocks = core.encrypt(secrets.get(keyId), text, {
    senderId: await senderId(core),
    counter: await nextCounter(),
    createdMs: Date.now(),
    conversation: record.data.conversation,
    ...(record.data.maxChars ? { maxChars: record.data.maxChars } : {}),
  });
  const parts = { blocks, next: 0 };
  await putParts(msg.token, parts);
  await rememberConversationKey(record.data.conversation, keyId, { replace: true });
  return { ...(await insertPart(msg.token, record, parts)), keyId };
}

export async function composeNextPart(msg, sender, kind) {
  const record = await tokenFor(msg, sender, kind, 'compose');
  const parts = await getParts(msg.token);
  if (!parts || parts.next >= parts.blocks.length) throw bad('no part is left to insert');
  return insertPart(msg.token, record, parts);
}

export async function frameClose(msg, sender) {
  const record = await tokenFor(msg, sender, 'frame');
  await chrome.tabs.sendMessage(record.tabId, { type: MSG.FRAME_CLOSE, token: msg.token }, { frameId: record.frameId })
    .catch(() => {});
  return {};
}

const FAILURES = new Set(['unknown_key', 'altered', 'wrong_conversation', 'missing_part', 'unsupported_version', 'not_chatseal']);

/**
 * A display frame's token: a fresh one is redeemed here (the checks of
 * FRAME_HELLO), so a display frame needs one message, not two, before it
 * shows its text; a used one must come from the frame that redeemed it.
 */
async function displayRecord(msg, sender) {
  const record = await getToken(msg.token);
  if (record && !record.used && record.purpose === 'display' && record.tabId === sender.tab.id
      && framePage(sender) === 'display') {
    record.used = true;
    record.frame = sender.frameId;
    putToken(msg.token, record).catch(() => {});
    return record;
  }
  return tokenFor(msg, sender, 'frame', 'display');
}

export async function displayOpen(core, msg, sender, arrivedAt) {
  const record = await displayRecord(msg, sender);
  const { keys, secrets } = await getKeys();
  let reply;
  let opened = null;
  try {
    opened = core.decrypt(record.data.blocks, [...secrets.values()], record.data.conversation);
    const key = keys.find((k) => k.keyId === opened.keyId);
    reply = {
      ok: true, text: opened.text, keyId: opened.keyId, keyName: key?.name ?? '', verified: !!key?.verified,
      fromMe: opened.senderId === (await senderId(core)), createdMs: opened.createdMs, conversation: opened.conversation,
    };
  } catch (e) {
    const code = FAILURES.has(e?.code) ? e.code : 'altered';
    reply = { ok: false, code, message: code };
    if (code === 'unknown_key') {
      const first = core.findBlocks(record.data.blocks.join('\n')).find((b) => b.keyId);
      if (first) reply.keyId = first.keyId;
    }
  }
  noteDecrypt(arrivedAt);
  // The books are kept after the answer: the frame shows the text without waiting for storage.
  keepBooks(record, reply, opened).catch(() => {});
  return reply;
}

async function keepBooks(record, reply, opened) {
  // A message may be shown again and again (its frame recycled as the user
  // scrolls): it is listed and counted once. The end of each block (its tag
  // and end marker) tells messages apart, within one conversation.
  const message = [record.data.conversation, ...record.data.blocks.map((b) => b.slice(-40))].join('|');
  if (reply.ok) {
    // Replies should use the key the contact writes with, unless one was chosen.
    await rememberConversationKey(record.data.conversation, opened.keyId, { replace: false });
    await recordDecrypted(record.tabId, message, {
      fromMe: reply.fromMe, createdMs: reply.createdMs, keyName: reply.keyName, preview: preview(opened.text),
    });
  }
  await countOutcome(record, message, reply.ok ? 'decrypted' : 'failed');
}

/** Counts a message once in its tab's numbers; a retry can turn failed into decrypted. */
async function countOutcome(record, message, outcome) {
  const previous = await countedOutcome(record.tabId, message, outcome);
  if (previous === outcome) return;
  const tab = await updateTab(record.tabId, (t) => {
    if (previous) t[previous] = Math.max(0, t[previous] - 1);
    t[outcome] += 1;
  });
  setBadge(record.tabId, tab);
}
