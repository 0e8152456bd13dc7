// Assembles dist/chrome and dist/firefox from extension/ and the built WASM.
// The manifest template is extension/manifest.json (Chrome form); the version
// comes from Cargo.toml, the single place it is written.
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const dev = process.argv.includes('--dev');
const version = /^version\s*=\s*"([^"]+)"/m.exec(readFileSync(join(root, 'Cargo.toml'), 'utf8'))[1];
const DEV_ORIGINS = ['http://127.0.0.1/*', 'http://localhost/*'];

function manifestFor(browser) {
  const manifest = JSON.parse(readFileSync(join(root, 'extension/manifest.json'), 'utf8'));
  manifest.version = version;
  if (dev) {
    manifest.host_permissions = [...(manifest.host_permissions ?? []), ...DEV_ORIGINS];
    for (const script of manifest.content_scripts ?? []) script.matches.push(...DEV_ORIGINS);
  }
  if (browser === 'firefox') {
    // Firefox runs MV3 backgrounds as event pages, not service workers.
    manifest.background = { scripts: [manifest.background.service_worker], type: 'module' };
    manifest.browser_specific_settings = {
      gecko: { id: 'chatseal@chatseal.app', strict_min_version: '128.0' },
    };
    for (const entry of manifest.web_accessible_resources ?? []) delete entry.use_dynamic_url;
  }
  return manifest;
}

for (const browser of ['chrome', 'firefox']) {
  const out = join(root, 'dist', browser);
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  cpSync(join(root, 'extension'), out, {
    recursive: true,
    filter: (src) => !src.endsWith('manifest.json') || src !== join(root, 'extension/manifest.json'),
  });
  const wasm = join(root, 'target/wasm-pkg');
  mkdirSync(join(out, 'wasm'), { recursive: true });
  for (const file of ['chatseal.js', 'chatseal_bg.wasm']) {
    if (!existsSync(join(wasm, file))) throw new Error(`missing ${file}: run scripts/build`);
    cpSync(join(wasm, file), join(out, 'wasm', file));
  }
  writeFileSync(join(out, 'manifest.json'), JSON.stringify(manifestFor(browser), null, 2) + '\n');
}
console.error(`[package] ChatSeal ${version}${dev ? ' (dev: 127.0.0.1 and localhost enabled)' : ''}`);
