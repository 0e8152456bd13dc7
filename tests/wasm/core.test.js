// The WASM build against the shared vectors, the CLI (both directions) and
// hostile input. Run by scripts/test after scripts/build.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { execFileSync, spawnSync } from 'node:child_process';
import { loadCore, cli, hex, unhex } from './load.js';

const core = await loadCore();
const vectors = JSON.parse(readFileSync(new URL('../vectors/messages.json', import.meta.url), 'utf8'));
const secrets = vectors.keys.map((k) => unhex(k.secretHex));

function expectCode(fn, code, what) {
  assert.throws(fn, (err) => {
    assert.ok(err instanceof Error, `${what}: an Error`);
    assert.equal(err.code, code, `${what}: code`);
    return true;
  }, what);
}

test('key codes in the vectors read the same in WASM', () => {
  for (const k of vectors.keys) {
    const info = core.readKeyCode(k.keyCode);
    assert.equal(info.name, k.name);
    assert.equal(info.keyId, k.keyId);
    assert.equal(info.safetyNumber, k.safetyNumber);
    assert.equal(hex(info.secret), k.secretHex);
    // Re-encoding gives the same code.
    assert.equal(core.describeKey(info.secret, k.name).keyCode, k.keyCode);
  }
});

test('every decrypt vector gives the expected text or error code', () => {
  let checked = 0;
  const cases = [...vectors.errors, vectors.unknownKey, ...vectors.messages.flatMap((m) => m.decrypt)];
  for (const c of cases) {
    const keys = (c.keys ?? secrets.map((_, i) => i)).map((i) => secrets[i]);
    const run = () => core.decrypt(c.blocks, keys, c.conversation ?? undefined);
    if (c.expect.error) {
      expectCode(run, c.expect.error, c.description);
    } else {
      const opened = run();
      assert.equal(opened.text, c.expect.text, c.description);
      if (c.expect.conversation) assert.equal(opened.conversation, c.expect.conversation, c.description);
    }
    checked++;
  }
  assert.ok(checked > 30);
});

test('metadata of a vector message is returned', () => {
  const m = vectors.messages[0];
  const opened = core.decrypt(m.armor, secrets, m.conversation ?? undefined);
  assert.equal(opened.senderId, m.senderIdHex);
  assert.equal(opened.createdMs, m.createdMs);
  assert.equal(opened.counter, m.counter);
  assert.equal(opened.keyId, vectors.keys[m.key].keyId);
});

test('WASM round trip with multipart and UTF-16 offsets from findBlocks', () => {
  const key = core.generateKey('round trip');
  const senderId = core.newSenderId();
  assert.match(senderId, /^[0-9a-f]{16}$/);
  const text = 'Grüße 👋 ' + 'x'.repeat(900);
  const blocks = core.encrypt(key.secret, text, { senderId, counter: 3, createdMs: Date.now(), conversation: 't/1', maxChars: 300 });
  assert.ok(blocks.length > 1);
  assert.ok(blocks.every((b) => b.length <= 300));
  const page = '😀 hello\n' + blocks.join('\n> ');
  const found = core.findBlocks(page);
  assert.equal(found.length, blocks.length);
  assert.equal(page.slice(found[0].start, found[0].end), blocks[0]);
  assert.equal(found[0].keyId, key.keyId);
  assert.equal(new Set(found.map((f) => f.messageId)).size, 1);
  assert.deepEqual(found.map((f) => f.partIndex), blocks.map((_, i) => i + 1));
  const opened = core.decrypt(found.map((f) => page.slice(f.start, f.end)), [key.secret], 't/1');
  assert.equal(opened.text, text);
  assert.equal(opened.senderId, senderId);
  assert.equal(opened.counter, 3);
});

test('CLI encrypts, WASM decrypts', () => {
  const code = execFileSync(cli, ['keygen', '--name', 'interop']).toString().trim();
  const key = core.readKeyCode(code);
  const text = 'from the CLI: مرحبا 🌍\nline two';
  const armored = execFileSync(cli, ['encrypt', '--key', code, '--conversation', 'site/1', '--max-chars', '250'], { input: text }).toString();
  const found = core.findBlocks(armored);
  assert.ok(found.length > 1);
  const opened = core.decrypt(found.map((f) => armored.slice(f.start, f.end)), [key.secret], 'site/1');
  assert.equal(opened.text, text);
});

test('WASM encrypts, CLI decrypts (also after the site mangled it)', () => {
  const key = core.generateKey('interop back');
  const text = 'from WASM: 你好 🎉';
  const [block] = core.encrypt(key.secret, text, { senderId: core.newSenderId(), counter: 1, createdMs: 1, conversation: 'site/2' });
  const mangled = 'Bob wrote:\n' + block.replace(/ /g, '\u00a0').split('\n').map((l) => '> ' + l).join('\r\n') + '\nok';
  const out = execFileSync(cli, ['decrypt', '--key', key.keyCode, '--conversation', 'site/2'], { input: mangled }).toString();
  assert.equal(out, `Bob wrote:\n> ${text}\nok`);
  const json = spawnSync(cli, ['decrypt', '--key', key.keyCode, '--conversation', 'other', '--json'], { input: block });
  assert.equal(json.status, 1);
  const line = JSON.parse(json.stdout.toString());
  assert.equal(line.ok, false);
  assert.equal(line.error.code, 'wrong_conversation');
});

test('errors cross as Error objects with a stable code', () => {
  expectCode(() => core.readKeyCode('hello'), 'bad_key_code', 'not a key code');
  const code = core.generateKey('x').keyCode;
  expectCode(() => core.readKeyCode(code.slice(0, -3)), 'key_code_checksum', 'truncated key code');
  expectCode(() => core.checkPassphrase('password1234'), 'weak_passphrase', 'weak passphrase');
  expectCode(() => core.decrypt(['nothing here'], [], undefined), 'not_chatseal', 'no block');
  expectCode(() => core.encrypt(new Uint8Array(5), 'x', { senderId: '00', counter: 0, createdMs: 0 }), 'invalid_argument', 'short key');
  expectCode(() => core.encrypt(secrets[0], 'x', { senderId: 'zz', counter: 0, createdMs: 0 }), 'invalid_argument', 'bad sender id');
  expectCode(() => core.encrypt(secrets[0], 'x', {}), 'invalid_argument', 'missing options');
  const good = { senderId: '0011223344556677', counter: 0, createdMs: 0 };
  for (const [options, what] of [
    [null, 'options null'], ['x', 'options a string'], [undefined, 'no options'],
    [{ ...good, senderId: undefined }, 'no senderId'], [{ ...good, counter: '1' }, 'counter a string'],
    [{ ...good, createdMs: null }, 'createdMs null'], [{ ...good, conversation: 7 }, 'conversation a number'],
    [{ ...good, maxChars: '500' }, 'maxChars a string'],
  ]) expectCode(() => core.encrypt(secrets[0], 'x', options), 'invalid_argument', what);
  // Optional fields may be absent, undefined or null.
  assert.equal(core.encrypt(secrets[0], 'x', { ...good, conversation: null, maxChars: undefined }).length, 1);
  expectCode(() => core.encrypt(secrets[0], 'x', { senderId: '0011223344556677', counter: -1, createdMs: 0 }), 'invalid_argument', 'negative counter');
  expectCode(() => core.encrypt(secrets[0], 'x', { senderId: '0011223344556677', counter: 0, createdMs: 0, maxChars: 10 }), 'invalid_argument', 'tiny maxChars');
  expectCode(() => core.decrypt(vectors.messages[0].armor, ['not bytes'], undefined), 'invalid_argument', 'keys not bytes');
  const err = (() => { try { core.readKeyCode('CHATSEAL-KEY-' + 'Z'.repeat(80)); } catch (e) { return e; } })();
  assert.ok(!/Z{10}/.test(err.message), 'error text does not echo the input');
});

test('random junk never traps the module', () => {
  let seed = 1;
  const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const alphabet = 'BEGIN CHATSEAL MESSAGE END 0123456789ABCDEFGHJKMNPQRSTVWXYZ \n>…—😀';
  for (let i = 0; i < 300; i++) {
    let junk = 'BEGIN CHATSEAL MESSAGE ';
    const len = Math.floor(rand() * 400);
    for (let j = 0; j < len; j++) junk += alphabet[Math.floor(rand() * alphabet.length)];
    if (rand() < 0.7) junk += ' END CHATSEAL MESSAGE';
    core.findBlocks(junk);
    try { core.decrypt([junk], secrets, undefined); } catch (e) { assert.equal(typeof e.code, 'string'); }
    try { core.readKeyCode(junk); } catch (e) { assert.equal(typeof e.code, 'string'); }
  }
  // Still usable afterwards (a trap would have poisoned the instance).
  assert.equal(core.decrypt(vectors.messages[0].armor, secrets, undefined).text, vectors.messages[0].text);
});

test('backups round-trip and refuse a wrong passphrase', () => {
  const sealed = core.sealBackup('{"keys":[1,2]}', 'maple river quietly sings');
  assert.equal(core.openBackup(sealed, 'maple river quietly sings'), '{"keys":[1,2]}');
  expectCode(() => core.openBackup(sealed, 'maple river quietly sang'), 'altered', 'wrong passphrase');
});

test('passphrase keys match between WASM and CLI', () => {
  const phrase = 'violet tractor honest lagoon';
  const wasm = core.passphraseKey(phrase, 'shared');
  const code = execFileSync(cli, ['passphrase-key', '--name', 'shared'], { input: phrase + '\n' }).toString().trim();
  assert.equal(core.readKeyCode(code).keyId, wasm.keyId);
  assert.equal(core.readKeyCode(code).safetyNumber, wasm.safetyNumber);
});
