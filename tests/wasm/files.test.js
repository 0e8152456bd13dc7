// Encrypted files through the WASM streaming API: the shared file vectors,
// interop with the CLI both ways, and rejection of damaged files.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync, existsSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync, spawnSync } from 'node:child_process';
import { loadCore, cli, unhex } from './load.js';

const core = await loadCore();
const vectors = JSON.parse(readFileSync(new URL('../vectors/messages.json', import.meta.url), 'utf8'));
const fileDir = new URL('../vectors/files/', import.meta.url);
const fileIndex = JSON.parse(readFileSync(new URL('index.json', fileDir), 'utf8'));
const secret = unhex(vectors.keys[0].secretHex);

function content(len) {
  return Uint8Array.from({ length: len }, (_, i) => i % 251);
}

function concat(parts) {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) { out.set(p, at); at += p.length; }
  return out;
}

function encryptStreaming(key, bytes, name, type, slice = 100_000) {
  const enc = new core.FileEncryptor(key, name, type);
  const parts = [enc.header()];
  for (let i = 0; i < bytes.length; i += slice) parts.push(enc.push(bytes.subarray(i, i + slice)));
  parts.push(enc.finish());
  return concat(parts);
}

function decryptStreaming(keys, sealed, slice = 77_777) {
  const dec = new core.FileDecryptor(keys);
  const parts = [];
  for (let i = 0; i < sealed.length; i += slice) parts.push(dec.push(sealed.subarray(i, i + slice)));
  const last = dec.finish();
  parts.push(last.data);
  return { data: concat(parts), name: last.name, type: last.type };
}

test('file vectors decrypt in WASM', () => {
  for (const v of fileIndex) {
    const sealed = new Uint8Array(readFileSync(new URL(v.file, fileDir)));
    const opened = decryptStreaming([secret], sealed);
    assert.equal(opened.name, v.name);
    assert.equal(opened.type, v.type);
    assert.deepEqual(opened.data, content(v.contentLength), v.file);
  }
});

test('damaged files are rejected with a code and no result', () => {
  const sealed = new Uint8Array(readFileSync(new URL('two-chunks.chatseal', fileDir)));
  const cases = [
    ['truncated', sealed.subarray(0, sealed.length - 100), 'altered'],
    ['last chunk dropped', sealed.subarray(0, 34 + 65552), 'altered'],
    ['bit flip', (() => { const c = sealed.slice(); c[40_000] ^= 1; return c; })(), 'altered'],
    ['not a file', new TextEncoder().encode('hello world, this is not a ChatSeal file at all'), 'not_chatseal'],
  ];
  for (const [what, bytes, code] of cases) {
    assert.throws(() => decryptStreaming([secret], bytes), (e) => e.code === code, what);
  }
  assert.throws(() => decryptStreaming([unhex(vectors.keys[1].secretHex)], sealed), (e) => e.code === 'unknown_key');
});

test('WASM encrypts a file, the CLI decrypts it (name restored)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'chatseal-files-'));
  try {
    const key = core.generateKey('files');
    const bytes = content(300_000);
    writeFileSync(join(dir, 'in.chatseal'), encryptStreaming(key.secret, bytes, 'Invoice 7.pdf', 'application/pdf'));
    execFileSync(cli, ['decrypt-file', '--key', key.keyCode, join(dir, 'in.chatseal'), '-o', dir], { stdio: 'pipe' });
    assert.deepEqual(new Uint8Array(readFileSync(join(dir, 'Invoice 7.pdf'))), bytes);
    // Existing output is not overwritten without --force; a failure leaves nothing behind.
    const again = spawnSync(cli, ['decrypt-file', '--key', key.keyCode, join(dir, 'in.chatseal'), '-o', join(dir, 'Invoice 7.pdf')]);
    assert.equal(again.status, 1);
    const broken = readFileSync(join(dir, 'in.chatseal')).subarray(0, 70_000);
    writeFileSync(join(dir, 'broken.chatseal'), broken);
    const failed = spawnSync(cli, ['decrypt-file', '--key', key.keyCode, join(dir, 'broken.chatseal'), '-o', join(dir, 'out.bin')]);
    assert.equal(failed.status, 1);
    assert.match(failed.stderr.toString(), /cut short/);
    assert.ok(!existsSync(join(dir, 'out.bin')));
    assert.ok(!readdirSync(dir).some((f) => f.includes('partial')));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the CLI encrypts a file, WASM decrypts it', () => {
  const dir = mkdtempSync(join(tmpdir(), 'chatseal-files-'));
  try {
    const code = execFileSync(cli, ['keygen', '--name', 'files back']).toString().trim();
    const bytes = content(150_001);
    writeFileSync(join(dir, 'photo.jpg'), bytes);
    execFileSync(cli, ['encrypt-file', '--key', code, join(dir, 'photo.jpg'), '-o', dir]);
    const sealed = new Uint8Array(readFileSync(join(dir, 'photo.jpg.chatseal')));
    const opened = decryptStreaming([core.readKeyCode(code).secret], sealed);
    assert.equal(opened.name, 'photo.jpg');
    assert.deepEqual(opened.data, bytes);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
