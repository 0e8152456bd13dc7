// The display frame: asks the background to decrypt the blocks the content
// script registered with our token and shows the result, or in words why not.
// Text goes in through textContent only; never as HTML.
import { MSG } from '../lib/messages.js';
import {
  ask, localize, refuse, reportHeight, t, tokenFromHash,
} from './common.js';

const $ = (id) => document.getElementById(id);
// Failure code -> [title message, explanation message]. Titles are part of the contract.
const FAILURES = {
  unknown_key: ['failNoKey', 'failNoKeyText'],
  no_key: ['failNoKey', 'failNoKeyText'],
  altered: ['failAltered', 'failAlteredText'],
  not_chatseal: ['failAltered', 'failAlteredText'],
  too_large: ['failAltered', 'failAlteredText'],
  wrong_conversation: ['failOtherConversation', 'failOtherConversationText'],
  replayed: ['failOtherConversation', 'failReplayedText'],
  missing_part: ['failPartMissing', 'failPartMissingText'],
  unsupported_version: ['failUnsupported', 'failUnsupportedText'],
};
let token = null;
let lastCode = null;
let seq = 0; // answers for an earlier token are dropped

localize();
reportHeight();
// The content script hands tokens over by postMessage (this frame is reused for
// block after block); a token in the URL hash works too.
addEventListener('message', (e) => {
  if (e.source !== window.parent || !e.data || typeof e.data !== 'object') return;
  if (typeof e.data.token === 'string') use(e.data.token);
  else if (e.data.reset) reset();
});
// Framed by a page on its own, nobody will ever send a token: say so.
let everUsed = false;
setTimeout(() => { if (!everUsed) refuse(); }, 5000);
const fromHash = tokenFromHash();
if (fromHash) use(fromHash);

/** Forgets the shown message (the frame is being parked for reuse). */
function reset() {
  seq++;
  token = null;
  lastCode = null;
  $('text').textContent = '';
  $('message').hidden = true;
  $('failure').hidden = true;
  $('loading').hidden = false;
  document.getElementById('refused')?.setAttribute('hidden', '');
}

async function use(newToken) {
  everUsed = true;
  reset();
  if (window.top === window) return refuse();
  token = newToken;
  await open();
}

async function open() {
  const mine = seq;
  // The first DISPLAY_OPEN redeems the token (no separate FRAME_HELLO).
  const res = await ask({ type: MSG.DISPLAY_OPEN, token });
  if (mine !== seq) return;
  if (res?.code === 'forbidden') {
    token = null;
    return refuse();
  }
  $('loading').hidden = true;
  if (res?.ok && typeof res.text === 'string') return show(res);
  fail(res?.code);
}

let format = null; // made once per frame: building a DateTimeFormat is slow
const dateFormat = () => (format ??= new Intl.DateTimeFormat(document.documentElement.lang, { dateStyle: 'medium', timeStyle: 'short' }));

function show(res) {
  lastCode = null;
  $('failure').hidden = true;
  $('who').textContent = t(res.fromMe ? 'fromYou' : 'fromContact');
  const when = new Date(res.createdMs);
  const time = $('time');
  const valid = Number.isFinite(when.getTime());
  time.dateTime = valid ? when.toISOString() : '';
  time.textContent = valid ? dateFormat().format(when) : '';
  $('keyName').textContent = t(res.verified ? 'keyNamedVerified' : 'keyNamed', [res.keyName ?? '']);
  $('text').textContent = res.text;
  const note = $('note');
  note.hidden = res.conversation !== 'unbound';
  note.textContent = note.hidden ? '' : t('notBound');
  $('message').hidden = false;
  // For DevTools and scripts/bench (this frame is cross-origin to the page): when text was shown.
  performance.mark('chatseal-shown');
}

function fail(code) {
  lastCode = code ?? 'unavailable';
  const [title, text] = FAILURES[lastCode] ?? ['failGeneric', 'failGenericText'];
  $('message').hidden = true;
  $('text').textContent = '';
  $('failTitle').textContent = t(title);
  $('failText').textContent = t(text);
  $('failAction').hidden = title !== 'failNoKey';
  $('failure').hidden = false;
}

$('openOptions').addEventListener('click', (e) => {
  e.preventDefault();
  chrome.runtime.openOptionsPage();
});

// A key was imported (options page): try again without reloading the thread.
chrome.storage.local.onChanged.addListener((changes) => {
  if (token && changes.keys && (lastCode === 'unknown_key' || lastCode === 'no_key')) open();
});
