// The files page: "Encrypt a file" (pick or drop a file -> save NAME.chatseal,
// encrypted with the conversation's key or a chosen one) and "Decrypt a file"
// (pick or drop a .chatseal file -> save the original, name and type
// restored). An extension page, not web-accessible: its own worker
// (worker.js, extension origin) runs the WASM core, and the page reads the key
// store (background/store.js: IndexedDB and chrome.storage.local of the
// extension) directly; keys never travel in a message to the background.
//
// URL: files/files.html[?conversation=HOST/PATH] (the popup passes the chat
// tab's conversation so its key is preselected).
import { localize, t } from '../lib/i18n.js';
import { getKeys, getState, keyForConversation } from '../background/store.js';
import { CryptoWorker, decryptFile, encryptFile, safeName } from './stream.js';

const $ = (id) => document.getElementById(id);
const conversation = (new URLSearchParams(location.search).get('conversation') ?? '').trim().slice(0, 2048) || null;
const lang = chrome.i18n.getUILanguage();

// The crypto worker: started with the page (so the core compiles while the
// user picks a file), replaced after a job that failed or was cancelled.
let worker = null;
function cryptoWorker() {
  if (!worker || worker.dead) worker = new CryptoWorker();
  return worker;
}

// ---- announcements ----------------------------------------------------------

function announce(text) {
  $('alert').textContent = '';
  $('status').textContent = text;
}

function fail(text) {
  $('status').textContent = '';
  $('alert').textContent = text;
}

const FAILURES = {
  unknown_key: 'filesErrUnknownKey',
  altered: 'filesErrAltered',
  truncated: 'filesErrTruncated',
  not_chatseal: 'filesErrNotChatseal',
  unsupported_version: 'filesErrUnsupportedVersion',
  unreadable: 'filesErrUnreadable',
  too_large: 'filesErrTooLarge',
  invalid_argument: 'filesErrInvalid',
  no_key: 'filesErrChooseKey',
};

function failureText(code) {
  return FAILURES[code] ? t(FAILURES[code]) : t('filesErrGeneric', code ?? 'internal');
}

// ---- sizes ------------------------------------------------------------------

// One formatter per unit: making an Intl.NumberFormat takes about a
// millisecond, and the progress text is redrawn after every slice.
const sizeFormats = new Map();

function size(bytes) {
  const [unit, value] = bytes >= 1e9 ? ['gigabyte', bytes / 1e9]
    : bytes >= 1e6 ? ['megabyte', bytes / 1e6]
      : bytes >= 1e3 ? ['kilobyte', bytes / 1e3] : ['byte', bytes];
  if (!sizeFormats.has(unit)) {
    sizeFormats.set(unit, new Intl.NumberFormat(lang, { style: 'unit', unit, maximumFractionDigits: unit === 'byte' ? 0 : 1 }));
  }
  return sizeFormats.get(unit).format(value);
}

// ---- keys -------------------------------------------------------------------

let keys = [];

async function renderKeys() {
  const [{ keys: all }, state] = await Promise.all([getKeys(), getState()]);
  const previous = $('key').value;
  keys = all;
  const suggested = keyForConversation(all, state, conversation);
  const chosen = all.some((k) => k.keyId === previous) ? previous : suggested;
  const options = all.map((k) => new Option(k.name, k.keyId, false, k.keyId === chosen));
  if (!chosen && all.length > 0) options.unshift(new Option(t('filesChooseKey'), '', true, true));
  $('key').replaceChildren(...options);
  $('no-keys').hidden = all.length > 0;
  $('key-field').hidden = all.length === 0;
  const name = all.find((k) => k.keyId === suggested)?.name;
  $('key-hint').textContent = conversation && name ? t('filesConversationKey', [name, conversation]) : '';
  setBusy(busy);
}

// ---- work -------------------------------------------------------------------

let busy = null; // {controller} while a file is being processed
let saveUrl = null;
let lastRun = null; // {ms, ok, code?} of the last file, for the benchmark

function setBusy(state) {
  busy = state;
  $('encrypt-file').disabled = !!busy || keys.length === 0;
  $('decrypt-file').disabled = !!busy;
  $('key').disabled = !!busy;
  for (const zone of document.querySelectorAll('.zone')) zone.classList.toggle('disabled', !!busy);
}

function clearResult() {
  if (saveUrl) URL.revokeObjectURL(saveUrl);
  saveUrl = null;
  $('result').hidden = true;
  $('save').removeAttribute('href');
}

function showProgress(labelKey, name) {
  $('work-label').textContent = t(labelKey, name);
  setProgress(0, 0);
  $('work').hidden = false;
}

// The bar is redrawn at most this often: each redraw costs a style and
// layout pass on the page's thread, which also reads the file and makes the
// Blobs while the worker seals.
const PROGRESS_EVERY_MS = 100;
let progressAt = -Infinity;

function setProgress(done, total) {
  const now = performance.now();
  if (done > 0 && done < total && now - progressAt < PROGRESS_EVERY_MS) return;
  progressAt = now;
  const percent = total > 0 ? Math.floor((done / total) * 100) : 0;
  const bar = $('progress');
  bar.setAttribute('aria-valuenow', String(percent));
  const text = t('filesProgress', [size(done), size(total)]);
  bar.setAttribute('aria-valuetext', text);
  bar.style.setProperty('--done', `${percent}%`);
  $('progress-text').textContent = text;
}

function showResult(blob, fileName, textKey, subs, details) {
  saveUrl = URL.createObjectURL(blob);
  const save = $('save');
  save.href = saveUrl;
  save.download = fileName;
  save.textContent = t('filesSave', fileName);
  $('result-details').textContent = details;
  $('result').hidden = false;
  announce(t(textKey, subs));
  save.focus();
}

/** Runs one encryption or decryption: progress, Cancel, result or failure. */
async function run(picker, labelKey, name, job) {
  if (busy) return;
  clearResult();
  announce('');
  const controller = new AbortController();
  setBusy({ controller });
  showProgress(labelKey, name);
  const started = performance.now();
  try {
    await job(cryptoWorker(), { signal: controller.signal, onProgress: setProgress });
    lastRun = { ms: performance.now() - started, ok: true };
  } catch (e) {
    lastRun = { ms: performance.now() - started, ok: false, code: e?.name === 'AbortError' ? 'cancelled' : e?.code };
    if (e?.name === 'AbortError') announce(t('filesCancelled'));
    else fail(failureText(e?.code));
  } finally {
    const hadFocus = $('work').contains(document.activeElement);
    $('work').hidden = true;
    setBusy(null);
    // Cancel disappears with the progress bar: give focus back to the picker.
    if (hadFocus || document.activeElement === document.body) (saveUrl ? $('save') : picker).focus();
  }
}

async function encrypt(file) {
  if (busy) return;
  const keyId = $('key').value;
  const key = keys.find((k) => k.keyId === keyId);
  if (!key) {
    clearResult();
    fail(t(keys.length ? 'filesErrChooseKey' : 'filesNoKeys'));
    $(keys.length ? 'key' : 'settings').focus();
    return;
  }
  await run($('encrypt-file'), 'filesEncrypting', file.name, async (w, opts) => {
    const secret = (await getKeys()).secrets.get(keyId);
    if (!secret) throw Object.assign(new Error('the key is gone'), { code: 'no_key' });
    const blob = await encryptFile(w, file, secret, { ...opts, name: file.name, type: file.type });
    const name = `${file.name}.chatseal`;
    showResult(blob, name, 'filesEncrypted', [file.name, key.name], size(blob.size));
  });
}

async function decrypt(file) {
  await run($('decrypt-file'), 'filesDecrypting', file.name, async (w, opts) => {
    const { keys: all, secrets } = await getKeys();
    const opened = await decryptFile(w, file, [...secrets.values()], opts);
    const fallback = file.name.replace(/\.chatseal$/i, '') || t('filesDefaultName');
    const name = safeName(opened.name, safeName(fallback, t('filesDefaultName')));
    const keyName = all.find((k) => k.keyId === opened.keyId)?.name ?? '';
    const details = [size(opened.blob.size), opened.type].filter(Boolean).join(' · ');
    showResult(opened.blob, name, 'filesDecrypted', [name, keyName], details);
  });
}

// ---- picking and dropping ---------------------------------------------------

function bindPicker(input, zone, handle) {
  input.addEventListener('change', () => {
    const [file] = input.files;
    input.value = ''; // picking the same file again works
    if (file) handle(file);
  });
  zone.addEventListener('dragover', (e) => {
    if (!e.dataTransfer?.types.includes('Files')) return;
    e.preventDefault();
    e.dataTransfer.dropEffect = busy || input.disabled ? 'none' : 'copy';
    zone.classList.add('over');
  });
  zone.addEventListener('dragleave', (e) => {
    if (!zone.contains(e.relatedTarget)) zone.classList.remove('over');
  });
  zone.addEventListener('drop', (e) => {
    e.preventDefault();
    zone.classList.remove('over');
    const [file] = e.dataTransfer?.files ?? [];
    if (file && !busy && !input.disabled) handle(file);
  });
}

function main() {
  localize();
  bindPicker($('encrypt-file'), $('encrypt'), encrypt);
  bindPicker($('decrypt-file'), $('decrypt'), decrypt);
  // A file dropped anywhere else must not replace this page.
  for (const type of ['dragover', 'drop']) window.addEventListener(type, (e) => e.preventDefault());
  $('cancel').addEventListener('click', () => busy?.controller.abort());
  $('save').addEventListener('click', (e) => { if (!saveUrl) e.preventDefault(); });
  chrome.storage.local.onChanged.addListener((changes) => {
    if (changes.keys || changes.selectedKeyId || changes.conversationKeys) renderKeys();
  });
  addEventListener('pagehide', clearResult);
  renderKeys();
  cryptoWorker(); // compiles the core while the user picks a file
}

// For the benchmark and tests (this page's own global, reachable only through
// DevTools): the memory the crypto worker holds for this page (its WASM
// memory, and the page's buffers it has), and how long the last file took.
globalThis.chatsealFiles = Object.freeze({
  wasmMemoryBytes: () => worker?.bytesHeld() ?? 0,
  lastRun: () => lastRun,
});

main();
