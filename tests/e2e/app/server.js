// Local chat app for ChatSeal end-to-end tests. See ../README.md.
import http from 'node:http';
import fs from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const DIR = path.dirname(fileURLToPath(import.meta.url));
const SRC = path.join(DIR, 'src');
const BUILD = path.join(DIR, 'build');
export const VARIANTS = ['textarea', 'react', 'contenteditable', 'lexical', 'prosemirror'];
const ENTRIES = [...VARIANTS, 'hostile'];

let building = null;
/** Bundles src/*.js into build/ with esbuild. Idempotent; skips when up to date. */
export function buildApp() {
  building ??= (async () => {
    const inputs = [...(await fs.readdir(SRC)).map((f) => path.join(SRC, f)),
      path.join(DIR, '../../../node_modules/.package-lock.json')];
    const stats = await Promise.all(inputs.map((f) => fs.stat(f).catch(() => null)));
    const stamp = JSON.stringify([esbuild.version, ...stats.map((s, i) => s && [inputs[i], s.size, s.mtimeMs])]);
    const stampFile = path.join(BUILD, 'stamp.json');
    if ((await fs.readFile(stampFile, 'utf8').catch(() => '')) === stamp) return;
    const result = await esbuild.build({
      entryPoints: ENTRIES.map((e) => path.join(SRC, `${e}.js`)),
      outdir: BUILD, bundle: true, format: 'iife', target: 'chrome120', write: false, logLevel: 'warning',
      define: { 'process.env.NODE_ENV': '"production"' }, minify: true, sourcemap: 'linked',
    });
    await fs.mkdir(BUILD, { recursive: true });
    // Write via rename so parallel test processes never see half-written files.
    for (const f of [...result.outputFiles, { path: stampFile, text: stamp }]) {
      const tmp = `${f.path}.${process.pid}.tmp`;
      await fs.writeFile(tmp, f.text);
      await fs.rename(tmp, f.path);
    }
  })().finally(() => { building = null; });
  return building;
}

const esc = (s) => String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const STRICT_CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; frame-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'";

function chatPage(variant, thread, q) {
  const user = q.get('user') || 'alice';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<title>${esc(thread)} — ${esc(variant)} — ${esc(user)}</title>
<link rel="stylesheet" href="/static/app.css">
${q.get('hostile') === '1' ? '<script src="/build/hostile.js"></script>' : ''}
<script defer src="/build/${variant}.js"></script>
</head><body data-variant="${esc(variant)}" data-user="${esc(user)}">
<header><strong>Thread ${esc(thread)}</strong> — signed in as <span id="me">${esc(user)}</span> (${esc(variant)})</header>
<ul id="messages" aria-label="Messages"></ul>
<div id="composer-area"></div>
<div id="error" role="alert"></div>
</body></html>`;
}

function indexPage() {
  const opts = 'rerender=1 | rerender=always | linkify=1 | br=1 | maxlength=N | hostile=1 | csp=1 | poll=MS';
  const rows = VARIANTS.map((v) => `<li>${v}: <a href="/${v}/demo?user=alice">alice</a> · <a href="/${v}/demo?user=bob">bob</a></li>`);
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>ChatSeal test chat</title>
<link rel="stylesheet" href="/static/app.css"></head><body>
<h1>ChatSeal test chat</h1><p>URL: <code>/{variant}/{thread}?user=NAME</code>; options: <code>${opts}</code></p>
<ul>${rows.join('\n')}</ul></body></html>`;
}

/**
 * Starts the app on 127.0.0.1. Returns {url, port, log, messages, close(), logText(), find(needle), spy()}.
 * `log` holds every request received: {seq, time, method, url, body}.
 */
export async function startServer({ port = 0, host = '127.0.0.1', build = true } = {}) {
  if (build) await buildApp();
  const log = [];
  const messages = []; // {id, thread, user, text, time}

  const json = (res, status, obj, headers = {}) => {
    res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store', ...headers });
    res.end(JSON.stringify(obj));
  };
  const parse = (body) => { try { return JSON.parse(body); } catch { return null; } };

  const server = http.createServer(async (req, res) => {
    const chunks = [];
    for await (const c of req) chunks.push(c);
    const body = Buffer.concat(chunks).toString('utf8');
    log.push({ seq: log.length + 1, time: Date.now(), method: req.method, url: req.url, body });
    const u = new URL(req.url, 'http://x');
    const parts = u.pathname.split('/').filter(Boolean).map(decodeURIComponent);
    try {
      if (u.pathname === '/api/messages' && req.method === 'GET') {
        const after = Number(u.searchParams.get('after')) || 0;
        const thread = u.searchParams.get('thread');
        return json(res, 200, { messages: messages.filter((m) => (!thread || m.thread === thread) && m.id > after) });
      }
      if (u.pathname === '/api/messages' && req.method === 'POST') {
        const m = parse(body);
        if (!m || typeof m.thread !== 'string' || typeof m.user !== 'string' || typeof m.text !== 'string') {
          return json(res, 400, { error: 'need {thread, user, text}' });
        }
        if (m.maxLength && m.text.length > m.maxLength) {
          return json(res, 413, { error: `message too long (${m.text.length} > ${m.maxLength})` });
        }
        const msg = { id: messages.length + 1, thread: m.thread, user: m.user, text: m.text, time: Date.now() };
        messages.push(msg);
        return json(res, 201, msg);
      }
      if (u.pathname === '/api/spy' && req.method === 'POST') return json(res, 204, {});
      if (u.pathname === '/api/spy') return json(res, 200, spy());
      if (u.pathname === '/api/log') return json(res, 200, log);
      if (parts[0] === 'build' || parts[0] === 'static') {
        const file = path.join(DIR, parts[0], path.basename(parts[1] || ''));
        const type = file.endsWith('.css') ? 'text/css' : 'text/javascript';
        const data = await fs.readFile(file).catch(() => null);
        if (!data) return json(res, 404, { error: 'not found' });
        res.writeHead(200, { 'content-type': `${type}; charset=utf-8`, 'cache-control': 'no-store' });
        return res.end(data);
      }
      if (u.pathname === '/') {
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
        return res.end(indexPage());
      }
      if (parts.length === 2 && VARIANTS.includes(parts[0]) && req.method === 'GET') {
        const headers = { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' };
        if (u.searchParams.get('csp') === '1') headers['content-security-policy'] = STRICT_CSP;
        res.writeHead(200, headers);
        return res.end(chatPage(parts[0], parts[1], u.searchParams));
      }
      json(res, 404, { error: 'not found' });
    } catch (e) {
      json(res, 500, { error: String(e) });
    }
  });

  /** Parsed spy batches: [{user, kind, data}] from POST /api/spy. */
  function spy() {
    return log.filter((e) => e.url.startsWith('/api/spy') && e.method === 'POST').map((e) => parse(e.body) ?? { raw: e.body });
  }
  /** Everything the server ever received (URLs + raw bodies) as one string. */
  const logText = () => log.map((e) => `${e.method} ${e.url}\n${e.body}`).join('\n');
  /**
   * Where `needle` occurs in received requests: raw text and, for JSON bodies, every
   * decoded string (so escaped newlines/quotes still match). Returns [{seq, url, path}].
   */
  function find(needle) {
    const hits = [];
    const walk = (v, p, e) => {
      if (typeof v === 'string') { if (v.includes(needle)) hits.push({ seq: e.seq, url: e.url, path: p }); }
      else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) walk(x, `${p}.${k}`, e);
    };
    for (const e of log) {
      const parsed = parse(e.body);
      if (parsed !== null) walk(parsed, 'body', e);
      else if (e.body.includes(needle)) hits.push({ seq: e.seq, url: e.url, path: 'body' });
      let url = e.url;
      try { url = decodeURIComponent(url); } catch { /* keep raw */ }
      if (url.includes(needle)) hits.push({ seq: e.seq, url: e.url, path: 'url' });
    }
    return hits;
  }

  await new Promise((resolve, reject) => server.once('error', reject).listen(port, host, resolve));
  const url = `http://${host}:${server.address().port}`;
  return {
    url, port: server.address().port, log, messages, spy, logText, find,
    close: () => new Promise((resolve) => { server.close(() => resolve()); server.closeAllConnections(); }),
  };
}

// `node tests/e2e/app/server.js [port]` runs the app for manual testing.
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const app = await startServer({ port: Number(process.argv[2]) || 8411 });
  console.log(`ChatSeal test chat at ${app.url}/`);
}
