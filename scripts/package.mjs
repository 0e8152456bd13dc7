// Assembles dist/chrome and dist/firefox from extension/ and the built WASM.
// The manifest template is extension/manifest.json (Chrome form); the version
// comes from Cargo.toml, the single place it is written.
// A release build (without --dev) also writes the store packages
// dist/chatseal-{chrome,firefox}-VERSION.zip, byte-for-byte reproducible:
// entries sorted, fixed timestamps, fixed compression.
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { zipSync } from 'fflate';

const root = new URL('..', import.meta.url).pathname;
const dev = process.argv.includes('--dev');
const outArg = process.argv.indexOf('--out');
const dist = outArg > 0 ? process.argv[outArg + 1] : join(root, 'dist');
const wasm = process.env.CHATSEAL_WASM_DIR ?? join(root, 'target/wasm-pkg');
// 1980-01-01T00:00:00 local time is the earliest a zip can record; any fixed value will do.
const ZIP_TIME = new Date(1980, 0, 1, 12, 0, 0);
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
      gecko: {
        id: 'chatseal@chatseal.app',
        // 140 (an ESR): the first version that reads data_collection_permissions.
        strict_min_version: '140.0',
        // Mozilla's built-in data consent: ChatSeal collects and sends nothing.
        data_collection_permissions: { required: ['none'] },
      },
      // Firefox for Android reads data_collection_permissions from 142 on.
      gecko_android: { strict_min_version: '142.0' },
    };
    delete manifest.minimum_chrome_version; // meaningless to Firefox
    // Firefox has no dynamic web-accessible URLs (docs/FIREFOX.md).
    for (const entry of manifest.web_accessible_resources ?? []) delete entry.use_dynamic_url;
  }
  return manifest;
}

// Store packages come only from release builds; never leave stale ones beside a dev build.
for (const name of existsSync(dist) ? readdirSync(dist) : []) {
  if (/^chatseal-(chrome|firefox)-.*\.zip$/.test(name)) rmSync(join(dist, name));
}

for (const browser of ['chrome', 'firefox']) {
  const out = join(dist, browser);
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  cpSync(join(root, 'extension'), out, {
    recursive: true,
    filter: (src) => !src.endsWith('manifest.json') || src !== join(root, 'extension/manifest.json'),
  });
  mkdirSync(join(out, 'wasm'), { recursive: true });
  for (const file of ['chatseal.js', 'chatseal_bg.wasm']) {
    if (!existsSync(join(wasm, file))) throw new Error(`missing ${file}: run scripts/build`);
    cpSync(join(wasm, file), join(out, 'wasm', file));
  }
  writeFileSync(join(out, 'manifest.json'), JSON.stringify(manifestFor(browser), null, 2) + '\n');
  if (!dev) writeZip(out, join(dist, `chatseal-${browser}-${version}.zip`));
}

function listFiles(dir) {
  return readdirSync(dir).sort().flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? listFiles(path) : [path];
  });
}

function writeZip(dir, zipPath) {
  const entries = {};
  for (const path of listFiles(dir)) {
    entries[relative(dir, path)] = [readFileSync(path), { mtime: ZIP_TIME, level: 9 }];
  }
  writeFileSync(zipPath, zipSync(entries));
}
console.error(`[package] ChatSeal ${version}${dev ? ' (dev: 127.0.0.1 and localhost enabled)' : ''}`);
