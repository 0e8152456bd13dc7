// Benchmarks the WASM core in Node through its JavaScript API, the same
// operations on the same inputs as the native bench (benches/core.rs), and
// prints the WASM/native ratio of each. Not run by the tests: scripts/bench
// runs it after scripts/build and `cargo bench --bench core`.
//
//   node tests/bench/wasm-bench.mjs [--native FILE] [--json OUT] [FILTER]
//
// --native FILE  output of the native bench (default target/bench/native.txt);
//                its `CHATSEAL_BENCH_JSON` line gives the native numbers.
// --baseline DIR bare aes-gcm built by `scripts/build-wasm --baseline DIR`
//                (default target/bench/baseline): encrypt and decrypt are
//                timed interleaved with it, sealing the same 1 KiB text, and
//                their ratio to it is printed. Skipped when DIR has no build.
// --json OUT     also write this run's numbers (and ratios) to OUT.
// FILTER         only ids containing this text.
//
// Operations: encrypt 1 KiB (encrypt+armor), decrypt 1 KiB (parse+decrypt;
// find_blocks_1k: findBlocks on that block alone, the parsing share),
// findBlocks over ~1 MB of chat text with 50 blocks, scanContacts of a
// 2,000-character message and of ~1 MB (skipped while the build has no
// `scanContacts`). Each is warmed up, timed in batches of >= 2 ms, and the
// median per-operation time is reported. MB/s is 10^6 UTF-8 bytes per second.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { loadCore } from '../wasm/load.js';

const root = new URL('../../', import.meta.url);

const args = process.argv.slice(2);
const opt = (name, fallback) => {
  const i = args.indexOf(name);
  if (i < 0) return fallback;
  const value = args[i + 1];
  args.splice(i, 2);
  return value;
};
const nativeFile = opt('--native', new URL('target/bench/native.txt', root).pathname);
const baselineDir = opt('--baseline', new URL('target/bench/baseline/', root).pathname);
const jsonOut = opt('--json', null);
const filter = args.find((a) => !a.startsWith('-')) ?? '';
const wanted = (id) => id.includes(filter);

// ------------------------------------------------------------------ inputs
// Keep in step with the input functions of benches/core.rs.

const phrases = readFileSync(new URL('phrases.txt', import.meta.url), 'utf8')
  .split('\n')
  .map((l) => l.trimEnd())
  .filter((l) => l && !l.startsWith('#'));

class XorShift {
  constructor(seed) {
    this.s = seed >>> 0;
  }
  next() {
    let x = this.s;
    x = (x ^ (x << 13)) >>> 0;
    x = (x ^ (x >>> 17)) >>> 0;
    x = (x ^ (x << 5)) >>> 0;
    this.s = x;
    return x;
  }
  phrase() {
    return phrases[this.next() % phrases.length];
  }
}

const utf8Len = (s) => Buffer.byteLength(s, 'utf8');

function textBytes(seed, bytes) {
  const rng = new XorShift(seed);
  const parts = [];
  let len = 0;
  while (len < bytes) {
    if (parts.length) len += 1;
    const p = rng.phrase();
    parts.push(p);
    len += utf8Len(p);
  }
  const buf = Buffer.from(parts.join('\n'), 'utf8');
  let cut = Math.min(bytes, buf.length);
  while (cut < buf.length && cut > 0 && (buf[cut] & 0xc0) === 0x80) cut -= 1;
  return buf.subarray(0, cut).toString('utf8');
}

function textChars(seed, chars) {
  const rng = new XorShift(seed);
  const parts = [];
  let count = 0;
  while (count < chars) {
    if (parts.length) count += 1;
    const p = rng.phrase();
    parts.push(p);
    count += Array.from(p).length;
  }
  return Array.from(parts.join('\n')).slice(0, chars).join('');
}

const CHAT_BYTES = 1_000_000;
const CHAT_BLOCKS = 50;

function chatWithBlocks(encrypt) {
  const rng = new XorShift(4);
  const parts = [];
  let len = 0;
  let blocks = 0;
  const spacing = CHAT_BYTES / CHAT_BLOCKS;
  while (len < CHAT_BYTES) {
    let piece;
    if (blocks < CHAT_BLOCKS && len >= blocks * spacing + spacing / 2) {
      piece = encrypt(textBytes(100 + blocks, 256 + ((blocks * 97) % 1536)));
      blocks += 1;
    } else {
      piece = rng.phrase();
    }
    parts.push(piece, '\n');
    len += utf8Len(piece) + 1;
  }
  return parts.join('');
}

function fnv1a(text) {
  let h = 0x811c9dc5;
  for (const b of Buffer.from(text, 'utf8')) {
    h ^= b;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(16).padStart(8, '0');
}

// ------------------------------------------------------------------ timing

const WARMUP_MS = 300;
const BATCH_MS = 5;
const SAMPLES = 41;
const BUDGET_MS = 4000;

function measure(id, label, bytes, op) {
  return measureTogether([{ id, label, bytes, op }])[0];
}

// Times several operations with their samples interleaved, so that a change
// in the machine's speed during the run (common on this shared VM) moves
// them alike and their ratio holds.
function measureTogether(specs) {
  const runs = specs.map((spec) => {
    // Warm up; the fastest single call sizes the batches.
    let calls = 0;
    let fastest = Infinity;
    const start = performance.now();
    while (performance.now() - start < WARMUP_MS || calls < 2) {
      const t = performance.now();
      spec.op();
      fastest = Math.min(fastest, performance.now() - t);
      calls += 1;
    }
    return { spec, batch: Math.max(1, Math.ceil(BATCH_MS / Math.max(fastest, 1e-6))), times: [], cpuUs: 0 };
  });
  const begun = performance.now();
  const budget = BUDGET_MS * runs.length;
  while (runs[0].times.length < SAMPLES && (runs[0].times.length < 5 || performance.now() - begun < budget)) {
    for (const run of runs) {
      const cpuStart = process.cpuUsage();
      const t = performance.now();
      for (let i = 0; i < run.batch; i += 1) run.spec.op();
      run.times.push(((performance.now() - t) * 1e6) / run.batch);
      const cpu = process.cpuUsage(cpuStart);
      run.cpuUs += cpu.user + cpu.system;
    }
  }
  return runs.map(({ spec, batch, times, cpuUs }) => {
    const iters = batch * times.length;
    times.sort((a, b) => a - b);
    return {
      id: spec.id,
      label: spec.label,
      median_ns: times[Math.floor(times.length / 2)],
      min_ns: times[0],
      // CPU time of the process (all threads, so GC helpers too) per operation.
      cpu_ns: (cpuUs * 1e3) / iters,
      samples: times.length,
      iters,
      bytes: spec.bytes,
    };
  });
}

const mbPerS = (bytes, ns) => bytes / 1e6 / (ns / 1e9);

function human(ns) {
  if (ns == null) return '-';
  if (ns < 1e3) return `${ns.toFixed(0)} ns`;
  if (ns < 1e6) return `${(ns / 1e3).toFixed(2)} µs`;
  if (ns < 1e9) return `${(ns / 1e6).toFixed(2)} ms`;
  return `${(ns / 1e9).toFixed(2)} s`;
}

function readNative(file) {
  if (!file || !existsSync(file)) return null;
  const line = readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.startsWith('CHATSEAL_BENCH_JSON '))
    .pop();
  return line ? JSON.parse(line.slice('CHATSEAL_BENCH_JSON '.length)) : null;
}

async function loadBaseline(dir) {
  const glue = `${dir.replace(/\/?$/, '/')}aes_gcm_baseline.js`;
  if (!existsSync(glue)) return null;
  const baselineModule = await import(glue);
  baselineModule.initSync({ module: readFileSync(glue.replace(/\.js$/, '_bg.wasm')) });
  return baselineModule;
}

// ------------------------------------------------------------------ run

const core = await loadCore();
const baseline = await loadBaseline(baselineDir);
if (!baseline) notes.push(`no baseline build in ${baselineDir}: ratios to bare AES-256-GCM not computed`);
const secret = new Uint8Array(32).map((_, i) => i + 1);
const options = { senderId: '5e5e5e5e5e5e5e5e', counter: 1, createdMs: 1764000000000 };
const results = [];
const notes = [];

const message = textBytes(1, 1024);
const messageBytes = new TextEncoder().encode(message);
// Each result timed with a baseline op gets its ratio to it.
function withBaseline(spec, baselineSpec) {
  if (!baseline) return measure(spec.id, spec.label, spec.bytes, spec.op);
  const [r, b] = measureTogether([spec, baselineSpec]);
  r.baseline_median_ns = b.median_ns;
  r.vs_baseline = r.median_ns / b.median_ns;
  results.push(r, b);
  return null;
}
if (wanted('encrypt_1k')) {
  const r = withBaseline(
    { id: 'encrypt_1k', label: 'encrypt 1 KiB', bytes: messageBytes.length, op: () => core.encrypt(secret, message, options) },
    { id: 'aes_gcm_seal_1k', label: '  AES-256-GCM alone (baseline)', bytes: messageBytes.length, op: () => baseline.seal(secret, messageBytes) },
  );
  if (r) results.push(r);
  results.find((x) => x.id === 'encrypt_1k').input_fnv1a = fnv1a(message);
}
if (wanted('decrypt_1k')) {
  const blocks = core.encrypt(secret, message, options);
  if (blocks.length !== 1) throw new Error('expected one block');
  if (core.decrypt(blocks, [secret], undefined).text !== message) throw new Error('round trip failed');
  const keys = [secret];
  const sealed = baseline?.seal(secret, messageBytes);
  const r = withBaseline(
    { id: 'decrypt_1k', label: 'decrypt 1 KiB', bytes: messageBytes.length, op: () => core.decrypt(blocks, keys, undefined) },
    { id: 'aes_gcm_open_1k', label: '  AES-256-GCM alone (baseline)', bytes: messageBytes.length, op: () => baseline.open(secret, sealed) },
  );
  if (r) results.push(r);
  results.find((x) => x.id === 'decrypt_1k').input_fnv1a = fnv1a(message);
  // The parsing share of decrypt_1k: findBlocks on its block.
  results.push(measure('find_blocks_1k', '  of which findBlocks (its block)', utf8Len(blocks[0]), () => core.findBlocks(blocks[0])));
}
if (wanted('find_blocks_1mb')) {
  const chat = chatWithBlocks((m) => core.encrypt(secret, m, options)[0]);
  const found = core.findBlocks(chat);
  if (found.length !== CHAT_BLOCKS || found.some((b) => b.error)) {
    throw new Error(`findBlocks found ${found.length} blocks, expected ${CHAT_BLOCKS} readable ones`);
  }
  results.push(measure('find_blocks_1mb', 'findBlocks ~1 MB, 50 blocks', utf8Len(chat), () => core.findBlocks(chat)));
}
// scanContacts(text, host) is bound by the lead; measure it once it exists.
if (typeof core.scanContacts === 'function') {
  const host = 'www.upwork.com';
  if (wanted('contacts_2000')) {
    const text = textChars(2, 2000);
    const found = core.scanContacts(text, host);
    const r = measure('contacts_2000', `scanContacts 2,000 chars (${found?.length ?? '?'} found)`, utf8Len(text), () =>
      core.scanContacts(text, host),
    );
    r.input_fnv1a = fnv1a(text);
    results.push(r);
  }
  if (wanted('contacts_1mb')) {
    const text = textBytes(3, CHAT_BYTES);
    const r = measure('contacts_1mb', 'scanContacts ~1 MB, one call', utf8Len(text), () => core.scanContacts(text, host));
    r.input_fnv1a = fnv1a(text);
    results.push(r);
  }
} else if (wanted('contacts')) {
  notes.push('scanContacts is not in this WASM build yet: contacts not measured');
}

// ------------------------------------------------------------------ report

const native = readNative(nativeFile);
if (!native) notes.push(`no native numbers (${nativeFile}): ratios not computed`);
for (const r of results) {
  if (r.bytes >= 100_000 || r.id.startsWith('contacts')) r.mb_s = mbPerS(r.bytes, r.median_ns);
  const n = native?.results?.[r.id];
  if (n) {
    r.native_median_ns = n.median_ns;
    r.ratio = r.median_ns / n.median_ns;
    if (n.input_fnv1a && r.input_fnv1a && n.input_fnv1a !== r.input_fnv1a) {
      notes.push(`${r.id}: input differs from the native bench's (${r.input_fnv1a} vs ${n.input_fnv1a})`);
    } else if (n.bytes && n.bytes !== r.bytes) {
      notes.push(`${r.id}: input size differs from the native bench's (${r.bytes} vs ${n.bytes} bytes)`);
    }
  }
}

const pad = (s, n) => String(s).padStart(n);
console.log(`\n${'WASM in Node ' + process.version}`.padEnd(40), pad('median', 11), pad('fastest', 11), pad('CPU/op', 11), pad('MB/s', 8), pad('native', 11), pad('WASM/native', 12), pad('/baseline', 10));
for (const r of results) {
  console.log(
    r.label.padEnd(40),
    pad(human(r.median_ns), 11),
    pad(human(r.min_ns), 11),
    pad(human(r.cpu_ns), 11),
    pad(r.mb_s != null ? r.mb_s.toFixed(1) : '-', 8),
    pad(human(r.native_median_ns), 11),
    pad(r.ratio != null ? `${r.ratio.toFixed(2)}x` : '-', 12),
    pad(r.vs_baseline != null ? `${r.vs_baseline.toFixed(2)}x` : '-', 10),
  );
}
for (const n of notes) console.log(`note: ${n}`);

const out = {
  schema: 1,
  kind: 'wasm',
  node: process.version,
  loadavg: os.loadavg(),
  scan_contacts_bound: typeof core.scanContacts === 'function',
  results: Object.fromEntries(results.map(({ id, ...rest }) => [id, rest])),
  notes,
};
if (jsonOut) {
  mkdirSync(dirname(jsonOut), { recursive: true });
  writeFileSync(jsonOut, `${JSON.stringify(out, null, 2)}\n`);
}
console.log(`CHATSEAL_BENCH_JSON ${JSON.stringify(out)}`);
