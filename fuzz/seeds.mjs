// Writes seed corpora for the fuzz targets under fuzz/corpus/<target>/ (git
// ignored) from the shared test data: tests/vectors/messages.json (blocks,
// mangled blocks, key codes) and tests/contacts/corpus.jsonl (chat messages).
// Idempotent: files are named by the SHA-1 of their content, as libFuzzer does.
//   node fuzz/seeds.mjs
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';

const root = new URL('../', import.meta.url);
const read = (path) => readFileSync(new URL(path, root), 'utf8');

const seeds = { find_decrypt: [], key_code: [], contacts: [] };

const vectors = JSON.parse(read('tests/vectors/messages.json'));
const chat = existsSync(new URL('tests/contacts/corpus.jsonl', root))
  ? read('tests/contacts/corpus.jsonl')
      .split('\n')
      .filter((line) => line.trim())
      .map((line) => JSON.parse(line).text)
      .filter((t) => typeof t === 'string')
  : [];

// find_decrypt: every block set of the vectors, alone and inside chat text.
const cases = [
  ...vectors.errors,
  vectors.unknownKey,
  ...vectors.messages.flatMap((m) => m.decrypt),
].filter(Boolean);
const blockSets = [...vectors.messages.map((m) => m.armor), ...cases.map((c) => c.blocks)];
blockSets.forEach((blocks, i) => {
  seeds.find_decrypt.push(blocks.join('\n\n'));
  const before = chat[(i * 7) % Math.max(chat.length, 1)] ?? 'hi';
  const after = chat[(i * 13 + 5) % Math.max(chat.length, 1)] ?? 'thanks';
  seeds.find_decrypt.push(`${before}\n> ${blocks.join('\n> ')}\n${after}`);
});
for (const m of vectors.messages) seeds.find_decrypt.push(m.text);
seeds.find_decrypt.push(...chat.slice(0, 50));

// key_code: the codes as written and retyped; the round-trip half reads
// byte 0 as a control byte, bytes 1..33 as the key and the rest as the name.
for (const k of vectors.keys) {
  seeds.key_code.push(k.keyCode, k.keyCode.toLowerCase(), k.keyCode.replaceAll('-', ' '));
  seeds.key_code.push(
    Buffer.concat([Buffer.from([0]), Buffer.from(k.secretHex, 'hex'), Buffer.from(k.name, 'utf8')]),
  );
}

// contacts: the labelled chat messages.
seeds.contacts.push(...chat);

let written = 0;
for (const [target, list] of Object.entries(seeds)) {
  const dir = new URL(`fuzz/corpus/${target}/`, root);
  mkdirSync(dir, { recursive: true });
  for (const seed of list) {
    const bytes = Buffer.isBuffer(seed) ? seed : Buffer.from(seed, 'utf8');
    const name = createHash('sha1').update(bytes).digest('hex');
    const file = new URL(name, dir);
    if (!existsSync(file)) {
      writeFileSync(file, bytes);
      written += 1;
    }
  }
}
console.log(
  `[fuzz] seeds: ${Object.entries(seeds).map(([t, l]) => `${t} ${l.length}`).join(', ')} (${written} new)`,
);
