// Combines the benchmark parts scripts/bench wrote under target/bench/
// (native.txt, wasm.json, size.json, extension.json)
// into one table with the performance targets beside the numbers, and
// writes target/bench/results.json.
//   node tests/bench/report.mjs [DIR]      (default target/bench)
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import os from 'node:os';

const root = new URL('../../', import.meta.url);
const dir = process.argv[2] ?? new URL('target/bench', root).pathname;

const readJson = (name) => {
  const file = `${dir}/${name}`;
  return existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : null;
};
const readNative = () => {
  const file = `${dir}/native.txt`;
  if (!existsSync(file)) return null;
  const line = readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.startsWith('CHATSEAL_BENCH_JSON '))
    .pop();
  return line ? JSON.parse(line.slice('CHATSEAL_BENCH_JSON '.length)) : null;
};

const native = readNative();
const wasm = readJson('wasm.json');
const size = readJson('size.json');
// The extension in real Chromium (tests/bench/extension-bench.mjs and
// files-bench.mjs, merged by scripts/bench into extension.json):
//   {"results": {"<id>": {"label": "...", "value": <number>, "unit": "ms",
//                          "target": "<= 300" | null, "pass": true|false|null}}}
// Its rows are printed and copied into results.json as they are.
const extension = readJson('extension.json');

const KB = 1000; // sizes in kB (10^3 bytes), the stricter reading of "KB"

const fmtNs = (ns) => {
  if (ns == null) return '-';
  if (ns < 1e3) return `${ns.toFixed(0)} ns`;
  if (ns < 1e6) return `${(ns / 1e3).toFixed(2)} µs`;
  return `${(ns / 1e6).toFixed(2)} ms`;
};
const fmtKb = (b) => (b == null ? '-' : `${(b / KB).toFixed(1)} kB`);

const n = (id) => native?.results?.[id];
const w = (id) => wasm?.results?.[id];

// Each row: what, native, WASM, WASM/native, target, pass.
const rows = [];
const check = (value, op, limit) => (value == null ? null : op === '<=' ? value <= limit : value >= limit);
function timeRow(id, label, targetUs) {
  const nat = n(id);
  const wa = w(id);
  const value = wa?.median_ns;
  rows.push({
    id,
    what: label,
    native: fmtNs(nat?.median_ns),
    wasm: fmtNs(value),
    ratio: wa && nat ? `${(wa.median_ns / nat.median_ns).toFixed(2)}x` : '-',
    cpu_native: fmtNs(nat?.cpu_ns),
    cpu_wasm: fmtNs(wa?.cpu_ns),
    cpu_ratio: cpuRatio(nat, wa),
    target: targetUs == null ? '' : `WASM median <= ${targetUs >= 1000 ? `${targetUs / 1000} ms` : `${targetUs} µs`}`,
    pass: targetUs == null ? null : check(value == null ? null : value / 1e3, '<=', targetUs),
    value_ns: value ?? null,
    native_ns: nat?.median_ns ?? null,
  });
}
const cpuRatio = (nat, wa) => (nat?.cpu_ns && wa?.cpu_ns ? `${(wa.cpu_ns / nat.cpu_ns).toFixed(2)}x` : '-');
// MB/s from CPU time per operation (what an idle machine would approach).
const rate = (r) => (r?.cpu_ns && r?.bytes ? `${(r.bytes / 1e6 / (r.cpu_ns / 1e9)).toFixed(1)} MB/s` : '-');
function rateRow(id, label, side, limit) {
  const nat = n(id);
  const wa = w(id);
  const value = side === 'native' ? nat?.mb_s : wa?.mb_s;
  rows.push({
    id: `${id}_throughput`,
    what: label,
    native: nat?.mb_s != null ? `${nat.mb_s.toFixed(1)} MB/s` : '-',
    wasm: wa?.mb_s != null ? `${wa.mb_s.toFixed(1)} MB/s` : '-',
    ratio: wa && nat ? `${(wa.median_ns / nat.median_ns).toFixed(2)}x` : '-',
    cpu_native: rate(nat),
    cpu_wasm: rate(wa),
    cpu_ratio: cpuRatio(nat, wa),
    target: limit == null ? '' : `${side === 'native' ? 'native' : 'WASM'} >= ${limit} MB/s`,
    pass: limit == null ? null : check(value, '>=', limit),
    value_mb_s: value ?? null,
  });
}

timeRow('encrypt_1k', 'encrypt+armor 1 KiB', 30);
timeRow('decrypt_1k', 'parse+decrypt 1 KiB', 30);
timeRow('find_blocks_1k', '  of which finding its block', null);
// AES-256-GCM alone over the same 1 KiB (tests/bench/baseline), timed
// interleaved with the rows above: the floor this machine sets today.
timeRow('aes_gcm_seal_1k', 'AES-256-GCM alone, seal 1 KiB', null);
timeRow('aes_gcm_open_1k', 'AES-256-GCM alone, open 1 KiB', null);
rateRow('find_blocks_1mb', 'find blocks, ~1 MB with 50 blocks', 'wasm', 50);
timeRow('contacts_2000', 'contacts scan, 2,000 chars', 500);
rateRow('contacts_2000', 'contacts scan, 2,000 chars (rate)', 'native', null);
// The ~1 MB input is dense with contact details (13 in every 2,000 characters):
// a worst case. Issue 3's >= 20 MB/s is for mixed chat, measured below.
rateRow('contacts_1mb', 'contacts scan, ~1 MB contact-dense text in one call', 'native', null);
{
  // scripts/bench: `cargo test --release --lib perf_mixed -- --ignored` (10,000
  // messages, 1 in 10 with a contact detail, each scanned on its own).
  const file = `${dir}/contacts-mixed.txt`;
  const line = existsSync(file) ? readFileSync(file, 'utf8').split('\n').find((l) => l.startsWith('mixed chat:')) : null;
  const mbs = line ? Number(/([\d.]+) MB\/s/.exec(line)?.[1]) : null;
  rows.push({
    id: 'contacts_mixed_throughput',
    what: 'contacts scan, mixed chat (1 message in 10 with a detail)',
    native: mbs != null ? `${mbs.toFixed(1)} MB/s` : '-',
    wasm: '-', ratio: '-', cpu_native: '-', cpu_wasm: '-', cpu_ratio: '-',
    target: 'native >= 20 MB/s',
    pass: check(mbs, '>=', 20),
    value_mb_s: mbs,
  });
}

const core = size?.variants?.core;
const withContacts = size?.variants?.contacts;
const delta = core && withContacts ? withContacts.wasm_gzip - core.wasm_gzip : null;
const sizeRows = [
  {
    id: 'wasm_gzip_core',
    what: 'WASM gzip -9, core without contacts',
    value: fmtKb(core?.wasm_gzip),
    target: '<= 120 kB',
    pass: check(core?.wasm_gzip, '<=', 120 * KB),
  },
  {
    id: 'wasm_gzip_contacts',
    what: 'WASM gzip -9, core with contacts',
    value: fmtKb(withContacts?.wasm_gzip),
    target: '',
    pass: null,
  },
  {
    id: 'wasm_gzip_contacts_delta',
    what: 'contacts adds (gzip -9)',
    value: delta == null ? '-' : `${delta >= 0 ? '+' : ''}${fmtKb(delta)}`,
    target: '<= 80 kB',
    pass: check(delta, '<=', 80 * KB),
  },
];

const mark = (p) => (p == null ? '' : p ? 'PASS' : 'MISS');
const line = (cols, widths) => cols.map((c, i) => (i === 0 ? String(c).padEnd(widths[i]) : String(c).padStart(widths[i]))).join('  ');

console.log('\nChatSeal benchmarks');
const tw = [34, 10, 10, 8, 24, 4, 10, 10, 8];
console.log(line(['speed', 'nat.median', 'WASM med.', 'WASM/nat', 'target (on the median)', '', 'nat. CPU', 'WASM CPU', 'WASM/nat'], tw));
for (const r of rows) {
  console.log(line([r.what, r.native, r.wasm, r.ratio, r.target, mark(r.pass), r.cpu_native, r.cpu_wasm, r.cpu_ratio], tw));
}
for (const [id, what] of [['encrypt_1k', 'encrypt'], ['decrypt_1k', 'decrypt']]) {
  const r = w(id);
  if (r?.vs_baseline != null) console.log(`${what} 1 KiB takes ${r.vs_baseline.toFixed(2)}x the time of AES-256-GCM alone (interleaved medians)`);
}
const load = (wasm?.loadavg ?? os.loadavg()).map((l) => l.toFixed(1)).join(' ');
console.log(
  `(load average ${load} on ${os.cpus().length} CPUs during the WASM run. Targets are judged on the median\n` +
    ' wall time; on a busy machine the CPU time per operation (CPU columns) is closer to what a quiet\n' +
    " one measures. WASM CPU time includes Node's GC threads.)",
);
console.log('');
const sw = [36, 11, 33, 4];
console.log(line(['size', 'value', 'target', ''], sw));
for (const r of sizeRows) console.log(line([r.what, r.value, r.target, mark(r.pass)], sw));
if (core) {
  console.log(
    `  raw: core ${fmtKb(core.wasm_bytes)}, with contacts ${fmtKb(withContacts?.wasm_bytes)}; ` +
      `JS glue gzip ${fmtKb(withContacts?.js_gzip)}`,
  );
}
for (const note of [...(size?.notes ?? []), ...(wasm?.notes ?? [])]) console.log(`note: ${note}`);
if (extension?.results) {
  console.log('');
  console.log(line(['extension (Chromium)', 'value', 'target', ''], sw));
  for (const [, r] of Object.entries(extension.results)) {
    console.log(line([r.label, `${r.value} ${r.unit ?? ''}`.trim(), r.target ?? '', mark(r.pass)], sw));
  }
} else {
  console.log('\nextension (Chromium): not measured (scripts/bench writes target/bench/extension.json)');
}

const version = (cmd, args) => {
  try {
    return execFileSync(cmd, args, { encoding: 'utf8' }).trim();
  } catch {
    return null;
  }
};
const results = {
  schema: 1,
  date: new Date().toISOString(),
  machine: {
    cpus: os.cpus().length,
    cpu: os.cpus()[0]?.model ?? null,
    loadavg: os.loadavg(),
    node: process.version,
    rustc: version('rustc', ['-V']),
  },
  targets: [...rows, ...sizeRows].filter((r) => r.target).map(({ id, what, target, pass }) => ({ id, what, target, pass })),
  speed: rows,
  size: { ...size, contacts_delta_gzip: delta, rows: sizeRows },
  native,
  wasm,
  extension,
};
writeFileSync(`${dir}/results.json`, `${JSON.stringify(results, null, 2)}\n`);
console.log(`\nwrote ${dir}/results.json`);
