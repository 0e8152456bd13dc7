// Every user-visible string of the extension goes through chrome.i18n, and
// every shipped language has every message, translated.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = new URL('../../extension/', import.meta.url).pathname;
const LOCALES = ['en', 'es', 'pt_BR', 'fr', 'de', 'ru', 'hi', 'uk', 'zh_CN'];
// Messages that are the same in every language (names, symbols).
const SAME_EVERYWHERE = /^(ChatSeal|\$[A-Z_0-9]+\$|[\d\s.:·/–—-]*|https?:\S+)$/;

const load = (locale) => JSON.parse(readFileSync(join(root, '_locales', locale, 'messages.json'), 'utf8'));
const en = load('en');

function files(dir, extensions) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (name === '_locales' || name === 'wasm') return [];
    if (statSync(path).isDirectory()) return files(path, extensions);
    return extensions.some((e) => name.endsWith(e)) ? [path] : [];
  });
}

const placeholders = (message) => [...message.matchAll(/\$(\d|[A-Z_0-9]+\$)/g)].map((m) => m[0]).sort();

test('every locale exists and has exactly the English keys, with the same placeholders', () => {
  assert.deepEqual(readdirSync(join(root, '_locales')).sort(), [...LOCALES].sort());
  for (const locale of LOCALES) {
    const messages = load(locale);
    const missing = Object.keys(en).filter((k) => !(k in messages));
    const extra = Object.keys(messages).filter((k) => !(k in en));
    assert.deepEqual(missing, [], `${locale}: missing keys`);
    assert.deepEqual(extra, [], `${locale}: keys English does not have`);
    for (const [key, { message, placeholders: named }] of Object.entries(messages)) {
      assert.ok(typeof message === 'string' && message.trim(), `${locale}.${key}: empty`);
      assert.deepEqual(placeholders(message), placeholders(en[key].message), `${locale}.${key}: placeholders`);
      assert.deepEqual(Object.keys(named ?? {}).sort(), Object.keys(en[key].placeholders ?? {}).sort(), `${locale}.${key}: named placeholders`);
    }
  }
});

test('translations are not left in English', () => {
  for (const locale of LOCALES.filter((l) => l !== 'en')) {
    const messages = load(locale);
    const untranslated = Object.entries(en)
      .filter(([key, { message }]) => messages[key]?.message === message && !SAME_EVERYWHERE.test(message))
      .map(([key]) => key);
    assert.deepEqual(untranslated, [], `${locale}: identical to English`);
  }
});

test('every message key the UI uses exists', () => {
  const used = new Set();
  for (const file of files(root, ['.js', '.html', '.json'])) {
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/data-i18n(?:-[a-z]+)?="([A-Za-z0-9_]+)"/g)) used.add(m[1]);
    for (const m of text.matchAll(/__MSG_([A-Za-z0-9_]+)__/g)) used.add(m[1]);
    for (const m of text.matchAll(/\b(?:t|getMessage|msg)\(\s*'([A-Za-z0-9_]+)'/g)) used.add(m[1]);
  }
  const unknown = [...used].filter((k) => !(k in en) && !k.startsWith('@@'));
  assert.deepEqual(unknown, [], 'keys used but not defined in _locales/en');
  assert.ok(used.size > 50, 'the scan found the UI strings');
});

test('no user-visible string bypasses i18n', () => {
  const problems = [];
  for (const file of files(root, ['.html'])) {
    const html = readFileSync(file, 'utf8').replace(/<!--[\s\S]*?-->/g, '').replace(/<(script|style)[\s\S]*?<\/\1>/g, '');
    // Text between tags with letters in it.
    for (const m of html.matchAll(/>([^<>]*\p{L}[^<>]*)</gu)) {
      if (!SAME_EVERYWHERE.test(m[1].trim())) problems.push(`${relative(root, file)}: text "${m[1].trim()}"`);
    }
    for (const m of html.matchAll(/\s(aria-label|title|placeholder|alt)="([^"]*\p{L}[^"]*)"/gu)) {
      problems.push(`${relative(root, file)}: ${m[1]}="${m[2]}"`);
    }
  }
  const literal = "(['\"`])((?:(?!\\1).)*\\p{Lu}\\p{Ll}+(?:(?!\\1).)*)\\1";
  const sinks = new RegExp(String.raw`(?:\.(?:textContent|innerText|title|placeholder|ariaLabel)\s*=|setAttribute\(\s*'(?:aria-label|title|placeholder|alt)'\s*,|\b(?:alert|confirm|prompt)\()\s*` + literal, 'gu');
  for (const file of files(root, ['.js'])) {
    const code = readFileSync(file, 'utf8');
    for (const m of code.matchAll(sinks)) problems.push(`${relative(root, file)}: ${m[0]}`);
  }
  assert.deepEqual(problems, []);
});
