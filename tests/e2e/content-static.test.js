// Static checks of the content script and frames (no browser): the content
// script's copy of the message names matches lib/messages.js, and every
// chrome.i18n name they use exists in _locales/en/messages.json.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { MSG } from '../../extension/lib/messages.js';

const EXT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../extension');
const read = (f) => fs.readFile(path.join(EXT, f), 'utf8');

test('content.js uses the message names of lib/messages.js', async () => {
  const src = await read('content.js');
  const copy = /const MSG = \{([^}]*)\}/.exec(src)[1];
  const entries = [...copy.matchAll(/(\w+): '([^']+)'/g)];
  assert.ok(entries.length >= 5);
  for (const [, name, value] of entries) assert.equal(value, MSG[name], name);
});

test('every i18n name used by the content script and frames exists', async () => {
  const messages = JSON.parse(await read('_locales/en/messages.json'));
  const files = ['content.js', 'frames/compose.js', 'frames/display.js', 'frames/common.js', 'frames/compose.html', 'frames/display.html'];
  const missing = [];
  for (const f of files) {
    const src = await read(f);
    const names = [
      ...[...src.matchAll(/\bt\('([A-Za-z0-9_]+)'/g)].map((m) => m[1]),
      ...[...src.matchAll(/\bt\(res\.verified \? '(\w+)' : '(\w+)'/g)].flatMap((m) => [m[1], m[2]]),
      ...[...src.matchAll(/data-i18n(?:-label|-placeholder)?="([A-Za-z0-9_]+)"/g)].map((m) => m[1]),
    ];
    for (const name of names) if (!messages[name]) missing.push(`${f}: ${name}`);
  }
  // Names built at run time.
  for (const kind of ['email', 'phone', 'url', 'handle', 'payment']) if (!messages[`warnFound_${kind}`]) missing.push(`warnFound_${kind}`);
  for (const n of ['failNoKey', 'failAltered', 'failOtherConversation', 'failPartMissing', 'failUnsupported', 'failGeneric']) {
    if (!messages[n] || !messages[`${n}Text`]) missing.push(n);
  }
  assert.deepEqual(missing, []);
});

test('the contract texts are the English messages', async () => {
  const m = JSON.parse(await read('_locales/en/messages.json'));
  const expect = {
    encryptMessage: 'Encrypt message', secretMessage: 'Secret message', encryptAndInsert: 'Encrypt and insert',
    insertNextPart: 'Insert next part', sendAnyway: 'Send anyway', editMessage: 'Edit message',
    failNoKey: 'No key for this message', failAltered: 'Message altered', failOtherConversation: 'Sent in another conversation',
    failPartMissing: 'Part missing', failUnsupported: 'Unsupported version',
  };
  for (const [k, v] of Object.entries(expect)) assert.equal(m[k]?.message, v, k);
});
