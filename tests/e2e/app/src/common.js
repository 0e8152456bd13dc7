// Shared chat logic for every composer variant: config from the URL, the message
// list (append / rerender / linkify / <br> modes), polling, and sending.

const params = new URLSearchParams(location.search);
const [, variant = '', thread = 'demo'] = location.pathname.split('/').map(decodeURIComponent);

export const config = {
  variant,
  thread,
  user: params.get('user') || 'alice',
  rerender: params.get('rerender'), // null | '1' (on each update) | 'always' (on every poll)
  linkify: params.get('linkify') === '1',
  br: params.get('br') === '1', // line breaks as <br> instead of white-space: pre-wrap
  maxLength: Number(params.get('maxlength')) || 0,
  pollMs: Number(params.get('poll')) || 300,
};

export const $ = (sel) => document.querySelector(sel);
const listEl = $('#messages');
const errorEl = $('#error');
const messages = [];
let lastId = 0;

/** Sets the attributes every composer shares (found by role textbox, name "Message"). */
export function composerAttrs(el, { contentEditable = false } = {}) {
  el.id = 'composer';
  el.setAttribute('aria-label', 'Message');
  if (contentEditable) {
    el.setAttribute('role', 'textbox');
    el.setAttribute('aria-multiline', 'true');
    if (config.maxLength) el.dataset.maxLength = String(config.maxLength);
  } else if (config.maxLength) {
    el.maxLength = config.maxLength;
  }
  return el;
}

const URL_RE = /^(?:https?:\/\/|www\.)\S+$/;

function renderText(el, text) {
  if (!config.linkify && !config.br) {
    el.textContent = text;
    return;
  }
  text.split('\n').forEach((line, i) => {
    if (i > 0) el.append(config.br ? document.createElement('br') : '\n');
    if (!config.linkify) return el.append(line);
    // Tokens: URL-looking words become links; other runs are cut into <=24-char
    // separate text nodes so a block finder has to join text across nodes.
    for (const tok of line.split(/(\s+)/)) {
      if (URL_RE.test(tok)) {
        const a = document.createElement('a');
        a.href = tok.startsWith('www.') ? `http://${tok}` : tok;
        a.rel = 'noopener';
        a.target = '_blank';
        a.textContent = tok;
        el.append(a);
      } else {
        for (let j = 0; j < tok.length; j += 24) el.append(tok.slice(j, j + 24));
      }
    }
  });
}

function renderMessage(m) {
  const li = document.createElement('li');
  li.className = m.user === config.user ? 'message mine' : 'message';
  li.dataset.id = String(m.id);
  li.dataset.author = m.user;
  const author = document.createElement('span');
  author.className = 'author';
  author.textContent = m.user;
  const text = document.createElement('div');
  text.className = 'text';
  renderText(text, m.text);
  li.append(author, text);
  return li;
}

function update(fresh) {
  messages.push(...fresh);
  if (config.rerender === 'always' || (config.rerender && fresh.length)) {
    listEl.replaceChildren(...messages.map(renderMessage));
  } else {
    for (const m of fresh) listEl.append(renderMessage(m));
  }
  if (fresh.length) listEl.lastElementChild?.scrollIntoView({ block: 'end' });
}

let polling = null;
export function poll() {
  polling ??= (async () => {
    try {
      const q = new URLSearchParams({ thread: config.thread, after: String(lastId) });
      const res = await fetch(`/api/messages?${q}`);
      const { messages: fresh } = await res.json();
      if (fresh.length) lastId = fresh[fresh.length - 1].id;
      update(fresh);
      listEl.dataset.ready = 'true';
    } catch (e) {
      console.warn('poll failed', e);
    } finally {
      polling = null;
    }
  })();
  return polling;
}

let sendCount = 0;
/**
 * POSTs a message; when stored, calls clear() (the composer's own API) and resolves true.
 * body[data-sends] counts finished attempts (sent, empty or rejected) for tests.
 */
export async function send(text, clear) {
  try {
    const ok = await post(text);
    if (ok) clear();
    return ok;
  } finally {
    document.body.dataset.sends = String(++sendCount);
  }
}

async function post(text) {
  if (!text.trim()) return false;
  const res = await fetch('/api/messages', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ thread: config.thread, user: config.user, text, maxLength: config.maxLength || undefined }),
  });
  if (!res.ok) {
    errorEl.textContent = `Not sent: ${(await res.json()).error}`;
    return false;
  }
  errorEl.textContent = '';
  await poll();
  return true;
}

/** For non-React variants: a Send button + Enter-to-send wiring. */
export function mountSendButton({ getText, clear }) {
  const button = document.createElement('button');
  button.type = 'button';
  button.id = 'send';
  button.textContent = 'Send';
  const doSend = () => send(getText(), clear);
  button.addEventListener('click', doSend);
  $('#composer-area').append(button);
  return doSend;
}

/** Enter sends, Shift+Enter falls through (newline), IME composition is left alone. */
export function isSendKey(e) {
  return e.key === 'Enter' && !e.shiftKey && !e.isComposing && e.keyCode !== 229;
}

export function startPolling() {
  poll();
  setInterval(poll, config.pollMs);
}
