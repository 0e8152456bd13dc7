// The messages ChatSeal's contexts exchange. One place for every type name,
// so a typo is a reference error, not a silent drop.
//
// Who talks to whom (see docs/EXTENSION.md):
//   content script  -> background : FRAME_TOKEN, INSPECT_BLOCKS, SCAN_CONTACTS, TAB_STATUS
//   content script  -> background : also COMPOSE_NEXT_PART (the site's send emptied the composer)
//   frames (compose/display) -> background : FRAME_HELLO, COMPOSE_INSERT, COMPOSE_NEXT_PART,
//                                            DISPLAY_OPEN, SCAN_CONTACTS, KEYS_LIST,
//                                            CONVERSATION_KEY_SET, FRAME_CLOSE
//   background -> content script (tabs.sendMessage, frameId) : INSERT_BLOCKS, FRAME_CLOSE, OPEN_COMPOSE
//   background -> compose frame (runtime.sendMessage; frames filter by token) : COMPOSE_PROGRESS
//   options/popup -> background : KEYS_*, BACKUP_*, SETTINGS_*, SITE_ENABLE, SITE_DISABLE, TAB_STATUS
//
// Every request is {type, ...fields}; every reply is {ok: true, ...} or
// {ok: false, code, message} where code is a core error code or a shell one
// ("bad_request", "forbidden", "no_key", "insert_failed", "name_required",
// "bad_backup", "backup_passphrase", "permission_missing", "internal").
// Plaintext only ever travels frame <-> background, never through the content script.

export const MSG = Object.freeze({
  // content script asks for a one-time token before placing a frame.
  // {purpose: 'compose'|'display', conversation, composer?: {maxChars}, blocks?: string[]}
  // -> {ok, token}
  FRAME_TOKEN: 'frame-token',
  // a frame presents its token (from its URL hash); the background checks it was
  // issued to this tab and frame's parent and not used before.
  // Also checks the frame page matches the purpose (compose.html / display.html);
  // afterwards the token only works for this frame.
  // -> {ok, purpose, conversation, maxChars?, keyId? (compose: key for this conversation),
  //     blockCount? (display)}; never the blocks themselves
  FRAME_HELLO: 'frame-hello',
  // compose frame: encrypt {token, text, keyId?} and have the content script insert
  // part 1 into the site's composer. keyId defaults to the conversation's key.
  // -> {ok, part: 1, parts, inserted, block, keyId} (block: the armored text of the
  // part, so the frame can offer copy-to-clipboard when inserted is false)
  COMPOSE_INSERT: 'compose-insert',
  // compose frame, or the content script that asked for the token (when the site's
  // send emptied the composer): insert the next part of a multipart message.
  // {token} -> {ok, part, parts, inserted, block} | {ok:false, code:'bad_request'} when none is left
  COMPOSE_NEXT_PART: 'compose-next-part',
  // background -> compose frames (broadcast; a frame ignores other tokens):
  // {token, part, parts, inserted} after each part was handed to the content script.
  COMPOSE_PROGRESS: 'compose-progress',
  // display frame: decrypt the blocks registered with its token (may be asked again,
  // e.g. after a key was imported). {token}. A display frame sends no FRAME_HELLO:
  // the first DISPLAY_OPEN redeems its token with the same checks (one round trip).
  // -> {ok, text, keyId, keyName, verified, fromMe, createdMs, conversation: 'match'|'unbound'|'unchecked'}
  //  | {ok:false, code: unknown_key|altered|wrong_conversation|missing_part|unsupported_version|not_chatseal, keyId?}
  DISPLAY_OPEN: 'display-open',
  // content script: parse blocks without decrypting (grouping of parts).
  // {blocks: string[]} -> {ok, blocks: [{partIndex, partCount, messageId, keyId, hasKey, error}]}
  INSPECT_BLOCKS: 'inspect-blocks',
  // {text, host} -> {ok, findings: [{kind, start, end, text, reason}], available}
  // (UTF-16 offsets; kinds switched off in options and ChatSeal blocks are left out;
  // available is false until the core has its detector)
  SCAN_CONTACTS: 'scan-contacts',
  // background -> content script: put these armored blocks into the composer.
  // {token, blocks: string[], part, parts} -> {ok, inserted: boolean}
  INSERT_BLOCKS: 'insert-blocks',
  // compose/display frame -> background -> content script: remove the frame with this token. {token}
  FRAME_CLOSE: 'frame-close',
  // background -> content script (top frame of the active tab): the "open-compose"
  // keyboard command fired; open the compose frame for the focused composer. {}
  OPEN_COMPOSE: 'open-compose',
  // key management (options page, popup, compose frame's key picker)
  // {token?} (frames) | {conversation?} (pages) -> {ok, keys: [{keyId, name, safetyNumber,
  // verified, createdMs}], selectedKeyId, defaultKeyId, conversationKeyId?, conversationKeys? (pages only)}
  KEYS_LIST: 'keys-list',
  KEYS_CREATE: 'keys-create', // {name} -> {ok, key} (becomes the selected key)
  KEYS_IMPORT: 'keys-import', // {keyCode} -> {ok, key, existed} (the name travels in the code; existed: nothing changed)
  KEYS_PASSPHRASE: 'keys-passphrase', // {passphrase, name} -> {ok, key, existed} | weak_passphrase
  KEYS_EXPORT_CODE: 'keys-export-code', // {keyId} -> {ok, keyCode, qrSvg, safetyNumber} (extension pages only)
  KEYS_RENAME: 'keys-rename', // {keyId, name}
  KEYS_DELETE: 'keys-delete', // {keyId}
  KEYS_SELECT: 'keys-select', // {keyId}
  KEYS_VERIFY: 'keys-verify', // {keyId, verified}
  // pages: {conversation, keyId|null}; frames: {token, keyId} (the token's conversation).
  // A conversation is host+path, or just a host for a whole site.
  CONVERSATION_KEY_SET: 'conversation-key-set',
  BACKUP_EXPORT: 'backup-export', // {passphrase} -> {ok, backup: string (file text), count}
  BACKUP_IMPORT: 'backup-import', // {backup, passphrase} -> {ok, added, kept} | bad_backup | backup_passphrase
  SETTINGS_GET: 'settings-get', // -> {ok, settings: {warnKinds: {email, phone, url, handle, payment}, enabledSites}}
  SETTINGS_SET: 'settings-set', // {settings: {warnKinds: {...}}}
  // The page calls chrome.permissions.request (needs the user's click) first; the
  // background then registers the content script for that origin and, given tabId,
  // injects it into that tab now. {origin, tabId?} -> {ok, origin}
  SITE_ENABLE: 'site-enable',
  SITE_DISABLE: 'site-disable', // {origin} -> {ok}
  // content script: {conversation} (records the tab as active). pages: {tabId}.
  // -> {ok, active, origin, conversation, decrypted, failed, conversationKey: {keyId, name}|null}
  TAB_STATUS: 'tab-status',
});

/**
 * Sends `msg` to the background and resolves to its reply, never rejects:
 * {ok: false, code: 'unavailable'} when it could not be delivered. A message
 * sent while the browser is stopping or starting the service worker can find
 * no listener ("Receiving end does not exist"): it was never handled, so it is
 * sent again, up to twice. Other failures are not retried, since the
 * background may have acted on them. content.js (a classic script) has a copy.
 */
export async function ask(msg) {
  for (let attempt = 0; ; attempt++) {
    try {
      return (await chrome.runtime.sendMessage(msg)) ?? { ok: false, code: 'no_answer' };
    } catch (e) {
      if (attempt >= 2 || !/Receiving end does not exist/i.test(String(e?.message))) return { ok: false, code: 'unavailable' };
      await new Promise((r) => setTimeout(r, 100 * (attempt + 1)));
    }
  }
}
