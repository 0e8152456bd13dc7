// Shared by the compose and display frames (extension-origin pages placed in
// chat sites by the content script).
import { MSG, ask } from '../lib/messages.js';

// Unknown names (a contact kind added later) show their last part, never an empty label.
export const t = (name, subs) => chrome.i18n.getMessage(name, subs) || name.replace(/^\w+_/, '');

/** Fills every [data-i18n] element's text and [data-i18n-label] aria-label from _locales. */
export function localize(root = document) {
  document.documentElement.lang = chrome.i18n.getUILanguage();
  document.documentElement.dir = t('@@bidi_dir') || 'ltr';
  for (const el of root.querySelectorAll('[data-i18n]')) el.textContent = t(el.dataset.i18n);
  for (const el of root.querySelectorAll('[data-i18n-label]')) el.setAttribute('aria-label', t(el.dataset.i18nLabel));
  for (const el of root.querySelectorAll('[data-i18n-placeholder]')) el.placeholder = t(el.dataset.i18nPlaceholder);
}

export { ask };

/**
 * Takes a one-time token from the URL hash (how the content script opens the
 * compose frame) and removes it from the URL at once, so it stays out of
 * history and referrers. '' when there is none.
 */
export function tokenFromHash() {
  const token = location.hash.slice(1);
  if (location.hash) history.replaceState(null, '', location.pathname);
  return token;
}

/**
 * Presents a token to the background (FRAME_HELLO). Resolves to what the
 * content script registered for it, or null when ChatSeal did not place this
 * frame for that purpose (a page framing us itself has no valid token).
 */
export async function hello(token, purpose) {
  if (!token || window.top === window) return null;
  const info = await ask({ type: MSG.FRAME_HELLO, token });
  return info?.ok && info.purpose === purpose ? info : null;
}

/**
 * Tells the content script our height: the only thing a frame ever sends it.
 * It goes over the MessageChannel port the content script offers on each load
 * (the latest offer wins), never by `window.parent.postMessage`, whose events
 * the page would see along with our origin. The first report on a new port
 * goes out at once: it tells the content script we listen.
 */
export function reportHeight(el = document.documentElement) {
  let port = null;
  let last = -1;
  const post = (always) => {
    const height = Math.ceil(el.getBoundingClientRect().height);
    if (port && (always || height !== last)) {
      last = height;
      port.postMessage({ height });
    }
  };
  addEventListener('message', (e) => {
    if (e.source !== window.parent || e.data?.port !== true || !e.ports[0]) return;
    port = e.ports[0];
    post(true);
  });
  new ResizeObserver(() => post(false)).observe(el);
}

/** What a page that framed us on its own sees: one sentence, nothing else works. */
export function refuse() {
  for (const el of document.body.children) el.hidden = true;
  let p = document.getElementById('refused');
  if (!p) {
    p = document.createElement('p');
    p.id = 'refused';
    p.className = 'refused';
    p.setAttribute('role', 'alert');
    document.body.append(p);
  }
  p.textContent = t('frameRefused');
  p.hidden = false;
}
