// Patches the JavaScript glue wasm-bindgen generated (scripts/build-wasm).
//
// wasm-bindgen copies every string into WASM memory character by character in
// JavaScript while it is ASCII, and only then falls back to
// TextEncoder.encodeInto. In V8 (Node 20, Chromium) that loop costs about
// 5 ns a character, 11 µs for one 2 KB ChatSeal block, where encodeInto takes
// 0.35 µs. The patch drops the loop, so every string goes through encodeInto.
// The wasm-bindgen version is pinned (Cargo.toml), so the generated text is
// known; if it changes, this fails the build instead of silently doing nothing.
//
//   node scripts/patch-glue.mjs OUT_DIR/chatseal.js
import { readFileSync, writeFileSync } from 'node:fs';

const file = process.argv[2];
const ASCII_LOOP = `
    for (; offset < len; offset++) {
        const code = arg.charCodeAt(offset);
        if (code > 0x7F) break;
        mem[ptr + offset] = code;
    }
`;
const source = readFileSync(file, 'utf8');
const count = source.split(ASCII_LOOP).length - 1;
if (count !== 1) {
  console.error(`patch-glue: expected wasm-bindgen's ASCII copy loop once in ${file}, found it ${count} times`);
  process.exit(1);
}
writeFileSync(file, source.replace(ASCII_LOOP, '\n    // (ASCII copy loop removed by scripts/patch-glue.mjs: encodeInto is faster)\n'));
