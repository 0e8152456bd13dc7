// The compose frame: the plaintext is typed here and sent straight to the
// background, which encrypts it and has the content script insert only the
// armored block into the site's composer.
import { MSG } from '../lib/messages.js';
import {
  ask, hello, localize, refuse, reportHeight, t, tokenFromHash,
} from './common.js';

const $ = (id) => document.getElementById(id);
const message = $('message');
const keySelect = $('key');
const encryptButton = $('encrypt');
const nextButton = $('next');
let token = null;
let lastBlock = ''; // armored text of the latest part, for copy-to-clipboard
let busy = false;
// The conversation id starts with the site's host; the detector applies that site's policy.
let siteHost = '';

localize();
reportHeight();
// The content script hands the token over by postMessage after the frame
// loaded (a token in the URL hash works too). A token the background refuses
// shows the refusal, but a valid one may still follow (the page can post to
// this frame too); framed by a page on its own, nobody will ever send one.
let started = false;
addEventListener('message', (e) => {
  if (e.source === window.parent && typeof e.data?.token === 'string') start(e.data.token);
});
setTimeout(() => { if (!started) refuse(); }, 5000);
const fromHash = tokenFromHash();
if (fromHash) start(fromHash);

async function start(offered) {
  if (started) return;
  const info = await hello(offered, 'compose');
  if (started) return;
  if (!info) return refuse();
  started = true;
  document.getElementById('refused')?.setAttribute('hidden', '');
  token = offered;
  siteHost = String(info.conversation ?? '').split('/')[0];
  $('panel').hidden = false;
  await loadKeys(info.keyId);
  message.focus();
}

async function loadKeys(preferred) {
  const res = await ask({ type: MSG.KEYS_LIST, token });
  const keys = res?.ok ? res.keys : [];
  keySelect.replaceChildren(...keys.map((k) => new Option(k.verified ? `${k.name} ✓` : k.name, k.keyId)));
  const choice = [preferred, res?.conversationKeyId, res?.defaultKeyId, res?.selectedKeyId]
    .find((id) => id && keys.some((k) => k.keyId === id));
  if (choice) keySelect.value = choice;
  const none = keys.length === 0;
  keySelect.disabled = none;
  $('nokey').hidden = !none;
  $('nokey').textContent = none ? t('composeNoKey') : '';
  updateButton();
}

function updateButton() {
  encryptButton.disabled = busy || !message.value.trim() || keySelect.disabled;
}

keySelect.addEventListener('change', () => {
  ask({ type: MSG.CONVERSATION_KEY_SET, token, keyId: keySelect.value });
});

$('manage').addEventListener('click', (e) => {
  e.preventDefault();
  chrome.runtime.openOptionsPage();
});

// Options page closed after importing a key: offer it without reopening the panel.
chrome.storage.local.onChanged.addListener((changes) => {
  if (token && changes.keys) loadKeys(keySelect.value);
});

// ---- live contact warning (findings highlighted in a mirror behind the textarea)
let scanSeq = 0;
let scanTimer = 0;
message.addEventListener('input', () => {
  updateButton();
  renderHighlights([]);
  clearTimeout(scanTimer);
  scanTimer = setTimeout(scanNow, 120);
});
message.addEventListener('scroll', () => { $('highlights').parentElement.scrollTop = message.scrollTop; });

async function scanNow() {
  const seq = ++scanSeq;
  const text = message.value;
  const res = text.trim() ? await ask({ type: MSG.SCAN_CONTACTS, text, host: siteHost }) : null;
  if (seq !== scanSeq) return; // typed again meanwhile
  const findings = res?.ok && Array.isArray(res.findings) ? res.findings : [];
  renderHighlights(findings, text);
  const box = $('findings');
  box.hidden = findings.length === 0;
  if (!findings.length) return box.replaceChildren();
  const list = document.createElement('ul');
  for (const f of findings) {
    const li = document.createElement('li');
    const found = document.createElement('span');
    found.className = 'found';
    found.textContent = f.text;
    li.append(`${t(`warnFound_${f.kind}`)}: `, found);
    list.append(li);
  }
  box.replaceChildren(t('composeFindings'), list);
}

function renderHighlights(findings, text = message.value) {
  const out = [];
  let at = 0;
  for (const f of [...findings].sort((a, b) => a.start - b.start)) {
    if (f.start < at || f.end > text.length) continue;
    out.push(text.slice(at, f.start));
    const mark = document.createElement('mark');
    mark.textContent = text.slice(f.start, f.end);
    out.push(mark);
    at = f.end;
  }
  out.push(text.slice(at), '\n'); // trailing newline keeps the mirror as tall as the textarea
  $('highlights').replaceChildren(...out);
}

// ---- encrypt and insert
message.addEventListener('keydown', (e) => {
  // Enter and Shift+Enter are newlines; Ctrl+Enter / ⌘+Enter encrypts and inserts.
  if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
    e.preventDefault();
    encrypt();
  }
});
encryptButton.addEventListener('click', encrypt);
nextButton.addEventListener('click', async () => {
  nextButton.disabled = true;
  const res = await ask({ type: MSG.COMPOSE_NEXT_PART, token });
  if (res?.ok) showProgress(res); else nextButton.disabled = false;
});

async function encrypt() {
  if (busy || encryptButton.disabled) return;
  busy = true;
  updateButton();
  hideFailure();
  const res = await ask({ type: MSG.COMPOSE_INSERT, token, text: message.value, keyId: keySelect.value || undefined });
  busy = false;
  if (!res?.ok) {
    showFailure(t(errorMessage(res?.code)), false);
    return updateButton();
  }
  // Encrypted: the plaintext is no longer needed anywhere.
  message.value = '';
  renderHighlights([]);
  $('findings').hidden = true;
  updateButton();
  showProgress(res);
}

function showProgress({ part, parts, inserted, block }) {
  if (block) lastBlock = block;
  if (inserted === false) showFailure(t('insertFailed'), true);
  else hideFailure();
  if (!(parts > 1)) return;
  $('progress').textContent = t('partOf', [String(part), String(parts)]);
  nextButton.hidden = false;
  nextButton.disabled = part >= parts;
}

chrome.runtime.onMessage.addListener((msg) => {
  if (msg?.type === MSG.COMPOSE_PROGRESS && token && msg.token === token) showProgress(msg);
});

function errorMessage(code) {
  return {
    no_key: 'composeNoKey', unknown_key: 'composeNoKey', too_large: 'composeTooLarge',
    invalid_argument: 'composeTooLarge', forbidden: 'frameRefused',
  }[code] ?? 'composeFailed';
}

function showFailure(text, offerCopy) {
  $('failure').hidden = false;
  $('failureText').textContent = text;
  $('copy').hidden = !(offerCopy && lastBlock);
}
function hideFailure() {
  $('failure').hidden = true;
}

$('copy').addEventListener('click', async () => {
  try {
    await navigator.clipboard.writeText(lastBlock);
  } catch {
    // Clipboard API refused (permission policy): copy through a selection instead.
    const area = document.createElement('textarea');
    area.value = lastBlock;
    document.body.append(area);
    area.select();
    document.execCommand('copy');
    area.remove();
  }
  $('failureText').textContent = t('copiedEncrypted');
});

// ---- closing: Escape or ×; the content script removes us and refocuses the composer
const close = () => ask({ type: MSG.FRAME_CLOSE, token });
$('close').addEventListener('click', close);
addEventListener('keydown', (e) => {
  if (e.key === 'Escape') { e.preventDefault(); close(); }
});
