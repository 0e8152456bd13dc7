// Loads the built WASM core (scripts/build writes target/wasm-pkg) into Node.
import { readFileSync } from 'node:fs';

const pkg = new URL('../../target/wasm-pkg/', import.meta.url);

export async function loadCore() {
  const core = await import(new URL('chatseal.js', pkg));
  core.initSync({ module: readFileSync(new URL('chatseal_bg.wasm', pkg)) });
  return core;
}

export const cli = new URL('../../target/release/chatseal', import.meta.url).pathname;

export function hex(bytes) {
  return Buffer.from(bytes).toString('hex');
}

export function unhex(text) {
  return new Uint8Array(Buffer.from(text, 'hex'));
}
