// Who sent a message. runtime.onMessage only hears this extension's own
// contexts, but they are not equally trusted: a content script runs inside the
// page's renderer, and the frame pages are web-accessible (any page can load
// them, which is why they need a token). Key material only goes to our own
// extension pages (options, popup).

const EXT_ORIGIN = new URL(chrome.runtime.getURL('/')).origin;
const EXTENSION_SCHEMES = new Set(['chrome-extension:', 'moz-extension:']);

/** 'page' (options/popup), 'frame' (frames/*.html inside a tab), 'content', or null. */
export function senderKind(sender) {
  if (!sender || sender.id !== chrome.runtime.id || typeof sender.url !== 'string') return null;
  let url;
  try {
    url = new URL(sender.url);
  } catch {
    return null;
  }
  if (EXTENSION_SCHEMES.has(url.protocol)) {
    // Frames may be loaded through the dynamic web-accessible URL (another origin).
    if (url.pathname.startsWith('/frames/')) return sender.tab && Number.isInteger(sender.frameId) ? 'frame' : null;
    if (url.origin === EXT_ORIGIN && /^\/(options|popup)\//.test(url.pathname)) return 'page';
    return null;
  }
  if (url.protocol === 'http:' || url.protocol === 'https:') {
    return sender.tab && Number.isInteger(sender.frameId) ? 'content' : null;
  }
  return null;
}

/** The frame page a frame sender is showing ('compose' for /frames/compose.html). */
export function framePage(sender) {
  const m = /^\/frames\/([a-z]+)\.html$/.exec(new URL(sender.url).pathname);
  return m ? m[1] : null;
}

/** The web origin of a content-script sender. */
export const senderOrigin = (sender) => sender.origin ?? new URL(sender.url).origin;

export class Refusal extends Error {
  constructor(code, message) {
    super(message);
    this.code = code;
  }
}

export const bad = (message) => new Refusal('bad_request', message);

export function str(value, name, { max = 4096, empty = false } = {}) {
  if (typeof value !== 'string' || value.length > max || (!empty && value.length === 0)) {
    throw bad(`${name} must be a ${empty ? '' : 'non-empty '}string of at most ${max} characters`);
  }
  return value;
}

export function optStr(value, name, opts) {
  return value === undefined || value === null ? null : str(value, name, opts);
}

export function strArray(value, name, { maxItems = 5000, max = 65536 } = {}) {
  if (!Array.isArray(value) || value.length === 0 || value.length > maxItems) {
    throw bad(`${name} must be a non-empty array of at most ${maxItems} strings`);
  }
  return value.map((v, i) => str(v, `${name}[${i}]`, { max }));
}

export function int(value, name, { min = 0, max = Number.MAX_SAFE_INTEGER } = {}) {
  if (!Number.isInteger(value) || value < min || value > max) throw bad(`${name} must be a whole number`);
  return value;
}

export const keyIdOf = (value, name = 'keyId') => {
  if (typeof value !== 'string' || !/^[0-9a-f]{16}$/.test(value)) throw bad(`${name} must be a key id`);
  return value;
};
