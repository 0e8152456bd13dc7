// ChatSeal content script (classic script, runs in the page's isolated world).
//
// It sees the site's DOM but never keys, WASM or plaintext: it finds composers
// and ChatSeal blocks, places extension-origin frames (compose / display) and
// warns before the site's own composer sends contact details. Everything it
// puts into the page (buttons, placeholders, the warning dialog) is either in
// the page DOM or an OPEN shadow root, and holds nothing secret.
//
// Sections: messaging · composers · compose button and frame · insertion ·
// finding blocks · display frames · contact warning · start-up.
(() => {
  'use strict';
  // The script can be injected twice (manifest + scripting API after SITE_ENABLE).
  if (globalThis.__chatsealContent) return;
  globalThis.__chatsealContent = true;

  // ---------------------------------------------------------------- messaging
  // Mirrors extension/lib/messages.js (a classic script cannot import it;
  // tests/e2e/content-static.test.js checks the two agree).
  const MSG = {
    FRAME_TOKEN: 'frame-token',
    INSPECT_BLOCKS: 'inspect-blocks',
    SCAN_CONTACTS: 'scan-contacts',
    TAB_STATUS: 'tab-status',
    COMPOSE_NEXT_PART: 'compose-next-part',
    INSERT_BLOCKS: 'insert-blocks',
    FRAME_CLOSE: 'frame-close',
    OPEN_COMPOSE: 'open-compose',
  };

  const texts = new Map();
  // getMessage is a synchronous call into the extension system: cache the answers.
  const t = (name) => {
    if (!texts.has(name)) texts.set(name, chrome.i18n.getMessage(name) || name.replace(/^\w+_/, ''));
    return texts.get(name);
  };

  /**
   * Sends a request to the background; never rejects (a dead extension context
   * answers {ok:false}). A copy of lib/messages.js ask(), since this is a
   * classic script: resends only what never reached a listener.
   */
  async function ask(msg) {
    for (let attempt = 0; ; attempt++) {
      try {
        return (await chrome.runtime.sendMessage(msg)) ?? { ok: false, code: 'no_answer' };
      } catch (e) {
        if (attempt >= 2 || !/Receiving end does not exist/i.test(String(e?.message))) return { ok: false, code: 'unavailable' };
        await new Promise((r) => setTimeout(r, 100 * (attempt + 1)));
      }
    }
  }

  let convHref = '';
  let conv = '';
  const conversationId = () => {
    if (location.href !== convHref) { convHref = location.href; conv = location.host + location.pathname; }
    return conv;
  };
  const EXT_ORIGIN = new URL(chrome.runtime.getURL('')).origin;
  const COMPOSE_URL = chrome.runtime.getURL('frames/compose.html');
  const DISPLAY_URL = chrome.runtime.getURL('frames/display.html');
  // Marks every element ChatSeal adds, so scans and the send hooks skip them.
  const OWN = 'data-chatseal';
  const isOwn = (n) => n instanceof Element && n.hasAttribute(OWN);

  // ---------------------------------------------------------------- composers
  const FIELD_TYPES = new Set(['text', 'search']);
  const isField = (el) => el instanceof HTMLTextAreaElement || el instanceof HTMLInputElement;

  /** The composer (textarea, text input or contenteditable editing host) `node` is in, or null. */
  function composerOf(node) {
    let el = node instanceof Element ? node : node?.parentElement;
    if (!el || isOwn(el)) return null;
    if (el instanceof HTMLTextAreaElement || (el instanceof HTMLInputElement && FIELD_TYPES.has(el.type))) {
      return el.readOnly || el.disabled ? null : el;
    }
    if (!el.isContentEditable) return null;
    while (el.parentElement?.isContentEditable) el = el.parentElement;
    // No minimum height: one-line chat boxes are composers too.
    return el;
  }

  const composerText = (el) => (isField(el) ? el.value : el.innerText);

  /** The focused element, looking into open shadow roots (closed ones are the page's). */
  function deepActive() {
    let a = document.activeElement;
    while (a?.shadowRoot?.activeElement) a = a.shadowRoot.activeElement;
    return a;
  }

  let lastComposer = null; // the composer that had focus most recently

  // A length limit per site, when one is known from the site's policy (none measured yet).
  const SITE_MAX_CHARS = {};
  // Without a site or composer limit a block may be this long; longer messages
  // become several parts. Small on purpose: many chat boxes cut long messages.
  const DEFAULT_MAX_CHARS = 2000;
  const MIN_MAX_CHARS = 200;

  function maxCharsFor(el) {
    const site = SITE_MAX_CHARS[location.host];
    if (site) return Math.max(MIN_MAX_CHARS, site);
    const own = isField(el) ? el.maxLength : Number(el.dataset.maxLength); // data-max-length on editors
    // The smallest limit the background accepts: a block with a few words is longer.
    return Math.max(MIN_MAX_CHARS, own > 0 ? own : DEFAULT_MAX_CHARS);
  }

  /** Shadow-root host for ChatSeal's in-page UI (open root, so assistive tech and tests reach it). */
  function uiHost(css) {
    const host = document.createElement('div');
    host.setAttribute(OWN, '');
    const root = host.attachShadow({ mode: 'open' });
    const style = document.createElement('style');
    style.textContent = css;
    root.append(style);
    return { host, root };
  }

  /** Fixed-position placement next to `el`: above it if there is room, else below. */
  function placeNear(box, el, width, height) {
    const r = el.getBoundingClientRect();
    const w = Math.min(Math.max(width, r.width), innerWidth - 16);
    const left = Math.max(8, Math.min(r.right - w, innerWidth - w - 8));
    const above = r.top - height - 6;
    const top = above >= 8 ? above : Math.min(r.bottom + 6, innerHeight - height - 8);
    setStyle(box, { left: `${left}px`, top: `${Math.max(8, top)}px`, width: `${w}px` });
  }

  /** Sets only the properties that changed (this runs every frame while a composer has focus). */
  function setStyle(el, props) {
    for (const [k, v] of Object.entries(props)) if (el.style[k] !== v) el.style[k] = v;
  }

  // The composer can move without any scroll or resize event (messages arrive
  // above it, the page reflows): follow it every frame while our controls show.
  let following = 0;
  function follow() {
    if (following) return;
    const step = () => {
      if (!compose && (!button || button.el.hidden)) { following = 0; return; }
      positionButton();
      positionCompose();
      following = requestAnimationFrame(step);
    };
    following = requestAnimationFrame(step);
  }

  // ------------------------------------------------- compose button and frame
  const BUTTON_CSS = `
    :host { all: initial; }
    button { position: fixed; z-index: 2147483646; font: 600 12px/1 system-ui, sans-serif;
      padding: 5px 9px; border-radius: 12px; border: 1px solid #1d5a3a; background: #fff; color: #1d5a3a;
      cursor: pointer; box-shadow: 0 1px 3px rgba(0,0,0,.2); }
    button:hover, button:focus-visible { background: #1d5a3a; color: #fff; outline: 2px solid #1d5a3a; outline-offset: 1px; }
    button[hidden] { display: none; }`;
  const FRAME_CSS = `
    :host { all: initial; }
    .box { position: fixed; z-index: 2147483647; border-radius: 8px; box-shadow: 0 4px 18px rgba(0,0,0,.25); background: #fff; }
    iframe { display: block; width: 100%; height: 100%; border: 0; border-radius: 8px; }`;

  let button = null; // {host, el, composer}

  function showButton(composer) {
    if (!button) {
      const { host, root } = uiHost(BUTTON_CSS);
      const el = document.createElement('button');
      el.type = 'button';
      el.textContent = t('encryptMessage');
      el.title = t('encryptMessageHint');
      // Keep the focus (and caret) in the composer when the button is pressed.
      el.addEventListener('mousedown', (e) => e.preventDefault());
      el.addEventListener('click', () => button?.composer && openCompose(button.composer));
      root.append(el);
      document.documentElement.append(host);
      button = { host, el, composer: null };
    }
    button.composer = composer;
    button.el.hidden = compose?.composer === composer;
    positionButton();
    follow();
  }

  function positionButton() {
    if (!button?.composer) return;
    const r = button.composer.getBoundingClientRect();
    const b = button.el;
    const h = b.offsetHeight || 24;
    const w = b.offsetWidth || 120;
    // At the composer's top-right edge, just outside it; inside when there is no room above.
    const top = r.top - h - 2 >= 0 ? r.top - h - 2 : r.top + 2;
    setStyle(b, { top: `${top}px`, left: `${Math.max(0, r.right - w)}px` });
  }

  function hideButtonSoon() {
    setTimeout(() => {
      const active = deepActive();
      if (!button || active === button.el || composerOf(active) === button.composer) return;
      if (button.el.getRootNode().activeElement === button.el) return;
      button.el.hidden = true;
    }, 150);
  }

  let compose = null; // {token, composer, host, box, frame, part, parts, block, watch}
  let opening = null;

  async function openCompose(composer) {
    if (compose?.composer === composer) return compose.frame.focus();
    if (opening) return opening;
    opening = (async () => {
      closeCompose({ refocus: false });
      const res = await ask({
        type: MSG.FRAME_TOKEN, purpose: 'compose', conversation: conversationId(),
        composer: { maxChars: maxCharsFor(composer) },
      });
      if (!res?.ok) return;
      const { host, root } = uiHost(FRAME_CSS);
      const box = document.createElement('div');
      box.className = 'box';
      const frame = document.createElement('iframe');
      frame.title = t('composeFrameTitle');
      frame.allow = 'clipboard-write';
      box.append(frame);
      root.append(box);
      document.documentElement.append(host);
      compose = { token: res.token, composer, host, box, frame, height: 240, part: 0, parts: 0, block: '', watch: 0 };
      // The token goes by postMessage once the frame's page listens, as for
      // display frames: in the URL it would stand in the DOM, readable by the page.
      let handed = false;
      const ready = () => {
        if (handed) return;
        handed = true;
        frame.contentWindow?.postMessage({ token: res.token }, EXT_ORIGIN);
        frame.focus();
      };
      loadFrame({ iframe: frame, ready, resize: (h) => { if (compose?.frame === frame) { compose.height = h; positionCompose(); } } }, COMPOSE_URL);
      positionCompose();
      follow();
      if (button) button.el.hidden = true;
    })().finally(() => { opening = null; });
    return opening;
  }

  function positionCompose() {
    if (!compose) return;
    setStyle(compose.box, { height: `${compose.height}px` });
    placeNear(compose.box, compose.composer, 380, compose.height);
  }

  function closeCompose({ refocus = true } = {}) {
    if (!compose) return;
    const { composer, host, watch } = compose;
    clearInterval(watch);
    host.remove();
    compose = null;
    if (refocus && composer.isConnected) {
      composer.focus(); // no focusin when insertion already focused it: show the button here
      showButton(composer);
    }
  }

  /** Multipart: once the site's send empties the composer, ask for the next part. */
  function watchForSend(session) {
    clearInterval(session.watch);
    const sig = alnum(session.block);
    session.watch = setInterval(async () => {
      if (compose !== session) return clearInterval(session.watch);
      const el = session.composer;
      const text = el.isConnected ? composerText(el) : '';
      if (text.trim() && alnum(text).includes(sig)) return; // not sent yet
      if (text.trim()) return; // the user is typing something else: leave it alone
      clearInterval(session.watch);
      if (session.part >= session.parts) return closeCompose({ refocus: true });
      await ask({ type: MSG.COMPOSE_NEXT_PART, token: session.token });
    }, 150);
  }

  async function onInsertBlocks(msg) {
    const session = compose && (!msg.token || msg.token === compose.token) ? compose : null;
    let el = session?.composer ?? lastComposer;
    if (!el?.isConnected) el = reacquireComposer(el);
    if (!el || !Array.isArray(msg.blocks)) return { ok: true, inserted: false };
    const text = msg.blocks.join('\n');
    const inserted = await insertIntoComposer(el, text);
    if (session) {
      session.composer = el;
      if (inserted) {
        Object.assign(session, { part: msg.part ?? 1, parts: msg.parts ?? 1, block: text });
        if (session.parts > 1) watchForSend(session);
        // A single block is done: the frame goes away and Enter/Send is one key away.
        else setTimeout(() => compose === session && closeCompose({ refocus: true }), 0);
      }
    }
    return { ok: true, inserted };
  }

  /** The site re-rendered its composer: take the focused one, else the only visible one. */
  function reacquireComposer(old) {
    const active = composerOf(deepActive());
    if (active) return active;
    const all = [...document.querySelectorAll('textarea, input, [contenteditable=""], [contenteditable="true"]')]
      .map(composerOf).filter((c) => c && c.getClientRects().length);
    return all.length === 1 ? all[0] : old?.isConnected ? old : null;
  }

  // ---------------------------------------------------------------- insertion
  const alnum = (s) => s.replace(/[^A-Za-z0-9]+/g, '').toUpperCase();
  const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

  /** True once the composer holds the text (ChatSeal's finder ignores everything but letters and digits). */
  async function holds(el, text, ms = 120) {
    const sig = alnum(text);
    for (let waited = 0; ; waited += 10) {
      if (alnum(composerText(el)).includes(sig)) return true;
      if (waited >= ms) return false;
      await sleep(10);
    }
  }

  function caretToEnd(el) {
    const sel = el.ownerDocument.getSelection();
    const range = document.createRange();
    range.selectNodeContents(el);
    range.collapse(false);
    sel.removeAllRanges();
    sel.addRange(range);
  }

  /**
   * Puts armored text into the site's composer the way the site's own code
   * notices it (see tests/e2e/app.test.js, the measured matrix):
   *  - textarea / input: the prototype's native value setter + an input event
   *    (React tracks values through the setter; a plain assignment is undone);
   *  - contenteditable editors: a cancelable beforeinput insertText first
   *    (Lexical, Slate take it and cancel it), else execCommand('insertText')
   *    (plain contenteditable, ProseMirror), else a synthetic paste.
   * Then checks the composer really holds the ciphertext.
   */
  async function insertIntoComposer(el, text) {
    el.focus();
    if (isField(el)) {
      const single = el instanceof HTMLInputElement;
      const piece = single ? text.replace(/\s*\n\s*/g, ' ') : text;
      const before = el.value.replace(/\s+$/, '');
      const value = before ? `${before}${single ? ' ' : '\n'}${piece}` : piece;
      const proto = single ? HTMLInputElement.prototype : HTMLTextAreaElement.prototype;
      Object.getOwnPropertyDescriptor(proto, 'value').set.call(el, value);
      el.dispatchEvent(new Event('input', { bubbles: true }));
      el.dispatchEvent(new Event('change', { bubbles: true }));
      el.setSelectionRange?.(value.length, value.length);
      return holds(el, piece);
    }
    caretToEnd(el);
    const piece = el.innerText.trim() ? `\n${text}` : text;
    const beforeinput = new InputEvent('beforeinput', {
      inputType: 'insertText', data: piece, bubbles: true, cancelable: true, composed: true,
    });
    const taken = !el.dispatchEvent(beforeinput);
    if (taken && await holds(el, text)) return true;
    if (!taken) {
      document.execCommand('insertText', false, piece);
      if (await holds(el, text)) return true;
    }
    const data = new DataTransfer();
    data.setData('text/plain', piece);
    el.dispatchEvent(new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true, composed: true }));
    return holds(el, text, 200);
  }

  // ---------------------------------------------------------- finding blocks
  // Markers are matched like the core does: ignoring case and every character
  // that is not an ASCII letter or digit (line breaks, zero-width characters,
  // quoting, NBSP, words cut into separate nodes by linkifiers).
  const SEP = '[^A-Za-z0-9]*';
  const markerSource = (words) => words.replace(/\s/g, '').split('').join(SEP);
  const BEGIN_RE = new RegExp(markerSource('BEGIN CHATSEAL MESSAGE'), 'gi');
  const END_RE = new RegExp(markerSource('END CHATSEAL MESSAGE'), 'gi');
  const HAS_BEGIN = new RegExp(markerSource('BEGIN CHATSEAL MESSAGE'), 'i');
  // Prose that merely names the markers has too few letters between them.
  const MIN_BODY_ALNUM = 20;
  // Inline elements do not end a run of text: a block may be cut across them.
  const INLINE = new Set(['a', 'span', 'b', 'strong', 'i', 'em', 'u', 's', 'code', 'mark', 'small', 'font',
    'sub', 'sup', 'abbr', 'time', 'label', 'bdi', 'bdo', 'q', 'cite', 'del', 'ins', 'kbd', 'samp', 'var', 'wbr', 'br', 'tt']);
  const SKIP = new Set(['script', 'style', 'noscript', 'textarea', 'template', 'title', 'option', 'select', 'iframe']);

  /** Each complete block in `text`, in order: {start, end, sig} (sig: its letters and digits, upper case). */
  function findBlocks(text) {
    const begins = [...text.matchAll(BEGIN_RE)].map((m) => m.index);
    const out = [];
    for (let i = 0; i < begins.length; i++) {
      const start = begins[i];
      const limit = begins[i + 1] ?? text.length;
      END_RE.lastIndex = start;
      const end = END_RE.exec(text);
      if (!end || end.index >= limit) continue; // cut off: leave it visible
      const stop = end.index + end[0].length;
      const sig = alnum(text.slice(start, stop));
      if (sig.length - MARKERS_ALNUM < MIN_BODY_ALNUM) continue;
      out.push({ start, end: stop, sig });
    }
    return out;
  }
  const MARKERS_ALNUM = 'BEGINCHATSEALMESSAGEENDCHATSEALMESSAGE'.length;

  function containerOf(node) {
    let c = node.nodeType === 1 ? node : node.parentNode;
    while (c?.nodeType === 1 && INLINE.has(c.localName) && c.parentNode) c = c.parentNode;
    return c;
  }

  // Attribute checks only: isContentEditable would force a style recalc after each of our edits.
  const EDITABLE = '[contenteditable]:not([contenteditable="false"])';
  const NOT_MESSAGES = `[${OWN}], ${EDITABLE}, script, style, textarea, noscript, template`;

  // Work is queued and done in slices of a few milliseconds (drain()), newest
  // first: chat threads show their newest messages at the bottom, so the blocks
  // most likely on screen go first, and a 2,000-block thread never costs one
  // long task. `pending`: nodes to scan; `jobs`: blocks found, to replace.
  const pending = [];
  const jobs = [];
  const SLICE_MS = 8;
  const SPLIT_CHARS = 20000; // a bigger subtree with block-level children is scanned child by child
  const SPLIT_CHILDREN = 16; // ...and so is any element with more block-level children than this
  let draining = 0;

  /** Scans `root` now, or queues its children when it is a big list of messages. */
  function scan(root, editables) {
    if (root?.nodeType === 3) return walk(root, root.parentNode, editables ?? []);
    if (root?.nodeType !== 1 || !root.isConnected || SKIP.has(root.localName) || isOwn(root)) return;
    if (!editables) {
      if (root.closest(NOT_MESSAGES)) return; // a composer (an inserted block waits there to be sent)
      editables = [...root.querySelectorAll(EDITABLE)];
    }
    // A list of messages: queue its rows (each is checked on its own, newest first).
    if (root.childElementCount > SPLIT_CHILDREN && blockChildren(root) > SPLIT_CHILDREN) {
      for (const c of root.childNodes) if (c.nodeType === 1 || (c.nodeType === 3 && c.data.trim())) pending.push({ node: c, editables });
      return;
    }
    const text = root.textContent;
    // Most changes carry no block: one native read (small subtrees go straight to the walk).
    if (text.length > 4096 ? !HAS_BEGIN.test(text) : text.length < 60) return;
    if (text.length > SPLIT_CHARS && blockChildren(root) > 1) {
      for (const c of root.childNodes) if (c.nodeType === 1 || (c.nodeType === 3 && c.data.trim())) pending.push({ node: c, editables });
      return;
    }
    walk(root, root, editables);
  }

  const blockChildren = (el) => {
    let n = 0;
    for (let c = el.firstElementChild; c; c = c.nextElementSibling) if (!INLINE.has(c.localName)) n++;
    return n;
  };

  /** Reads the text under `root` in runs (one per container) and queues each block found. */
  function walk(root, top, editables) {
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    const single = root.nodeType === 3; // a text node straight inside a big list
    let run = null; // consecutive text of one container: {container, nodes, starts, text}
    const runs = [];
    for (let n = single ? root : walker.nextNode(); n; n = single ? null : walker.nextNode()) {
      const container = single ? top : containerOf(n);
      if (run?.container !== container) runs.push(run = { container, nodes: [], starts: [], text: '' });
      run.starts.push(run.text.length);
      run.nodes.push(n);
      run.text += n.data;
    }
    for (const r of runs) {
      if (r.text.length < 60 || SKIP.has(r.container.localName)) continue;
      const found = findBlocks(r.text);
      if (!found.length || (editables.length && editables.some((e) => e.contains(r.container)))) continue;
      for (const block of found) jobs.push({ run: r, ...block });
    }
  }

  function drain() {
    const t0 = performance.now();
    const rescan = new Set();
    let replaced = 0;
    while (performance.now() - t0 < SLICE_MS) {
      if (jobs.length) {
        const job = jobs.pop();
        if (intact(job)) { replaceBlock(job.run, job.start, job.end, job.sig); replaced++; }
        else rescan.add(job.run.container); // the site changed it meanwhile
      } else if (pending.length) {
        const { node, editables } = pending.pop();
        if (node.isConnected) scan(node, editables);
      } else {
        break;
      }
    }
    mo.takeRecords(); // our own edits: nothing to rescan
    stats.drainMs += performance.now() - t0;
    stats.maxSliceBlocks = Math.max(stats.maxSliceBlocks, replaced);
    for (const c of rescan) pending.push({ node: c });
    clearTimeout(draining);
    // While frames for blocks on screen are being set up (loading, or given a
    // token less than QUIET_MS ago and decrypting), scan the rest slowly: on a
    // small machine the page's scan and the frames share the CPU.
    const busy = attaching || performance.now() < quietUntil;
    if (jobs.length || pending.length) draining = setTimeout(drain, busy ? 50 : 0);
  }

  /** The job's text nodes still hold what the scan read (a slice may run after the site changed them). */
  function intact({ run, start, end }) {
    const [a] = locate(run, start, false);
    const [b, bOff] = locate(run, end, true);
    for (let i = a; i <= b; i++) {
      const n = run.nodes[i];
      if (!n.isConnected || run.text.substr(run.starts[i], n.data.length) !== n.data) return false;
    }
    return run.nodes[b].data.length >= bOff;
  }

  /** The roots to scan for a set of changed nodes: no root inside another; many new siblings -> their parent. */
  function scanRoots(nodes) {
    const count = new Map();
    for (const n of nodes) if (n?.parentNode) count.set(n.parentNode, (count.get(n.parentNode) ?? 0) + 1);
    const roots = new Set();
    for (const n of nodes) {
      if (!n) continue;
      // A thread loading appends hundreds of rows: one walk over their parent is far cheaper.
      roots.add(count.get(n.parentNode) > 8 && n.parentNode.nodeType === 1 ? n.parentNode : n);
    }
    for (const r of roots) {
      let covered = false;
      for (let a = r.parentNode; a && !covered; a = a.parentNode) covered = roots.has(a);
      if (!covered) scan(r);
    }
  }

  /** Node index and offset of text position `pos` in a run (`end`: position is an end bound). */
  function locate(run, pos, end) {
    let i = run.starts.length - 1;
    while (i > 0 && (end ? run.starts[i] >= pos : run.starts[i] > pos)) i--;
    return [i, pos - run.starts[i]];
  }

  /**
   * Blanks the block's text in the site's own text nodes (they stay where the
   * site's framework expects them) and puts a placeholder after the first one.
   */
  function replaceBlock(run, start, end, sig) {
    const text = run.text.slice(start, end);
    const [a, aOff] = locate(run, start, false);
    const [b, bOff] = locate(run, end, true);
    const first = run.nodes[a];
    const blanked = [first];
    if (a === b) {
      const rest = first.data.slice(bOff);
      if (rest.trim()) first.splitText(bOff); // text after the block keeps its place
      first.data = first.data.slice(0, aOff) + (rest.trim() ? '' : rest);
    } else {
      first.data = first.data.slice(0, aOff);
      for (let i = a + 1; i < b; i++) { run.nodes[i].data = ''; blanked.push(run.nodes[i]); }
      run.nodes[b].data = run.nodes[b].data.slice(bOff);
      blanked.push(run.nodes[b]);
    }
    // Put the placeholder at the container's level (not inside a link).
    let anchor = first;
    while (anchor.parentNode && anchor.parentNode !== run.container) anchor = anchor.parentNode;
    const state = newPlaceholder(text, sig);
    run.container.insertBefore(state.el, anchor.nextSibling);
    for (const n of blanked) blankedBy.set(n, state);
  }

  // ----------------------------------------------------------- display frames
  const cssString = (text) => text.replace(/[\\"\n]/g, (c) => (c === '\n' ? ' ' : `\\${c}`));
  // One stylesheet for all placeholders: a style attribute per element costs a CSS parse each.
  const PAGE_CSS = `[${OWN}="block"] { display: block; position: relative; width: 100%; max-width: 40rem; height: 64px;
    margin: 2px 0; border-radius: 6px; background: rgba(29,90,58,.07); white-space: normal; }
    [${OWN}="block"][hidden] { display: none; }
    [${OWN}="block"]:not([data-framed])::before { content: "${cssString(t('encryptedPlaceholder'))}";
      display: block; padding: .45rem .6rem; font: 12px/1.3 system-ui, sans-serif; color: #3d5a48; }`;
  const IFRAME_CSS = 'display:block;width:100%;border:0;height:100%;background:transparent;color-scheme:normal;';
  let pageStyle = null;
  function ensurePageStyle() {
    if (pageStyle?.isConnected) return;
    pageStyle = document.createElement('style');
    pageStyle.setAttribute(OWN, 'style');
    pageStyle.textContent = PAGE_CSS;
    (document.head ?? document.documentElement).append(pageStyle);
  }

  const states = new Set(); // every placeholder on the page
  const stateOf = new WeakMap(); // placeholder element -> state
  const blankedBy = new WeakMap(); // site text node -> the state whose block it held
  const infoBySig = new Map(); // block signature -> INSPECT_BLOCKS result (survives re-renders)
  const heightBySig = new Map(); // block signature -> last frame height (no jumps on re-render)
  const groups = new Map(); // messageId -> Set of states (multipart)
  // frames: display frames showing a block now; maxFrames: most display frames alive at once (incl. parked).
  const stats = { blocks: 0, frames: 0, maxFrames: 0, framesMade: 0, resizes: 0, initialScanMs: 0, maxMutationMs: 0, drainMs: 0, maxSliceBlocks: 0, scans: [] };
  // Page-clock times (performance.now) of the first frame made, the first block reported on screen
  // and the first token handed to a frame.
  Object.assign(stats, { startedAt: null, firstFrameAt: null, firstVisibleAt: null, firstHandoverAt: null });

  // Frames exist only for placeholders within about a screen of the viewport;
  // scrollMargin extends that into scrolling message lists (Chrome 120+).
  const io = new IntersectionObserver(onIntersect, { rootMargin: '100% 0px', scrollMargin: '100% 0px' });

  // Crockford base32 (the armor's alphabet; O reads as 0, I and L as 1).
  const B32 = Object.fromEntries([...'0123456789ABCDEFGHJKMNPQRSTVWXYZ'].map((c, i) => [c, i]));
  Object.assign(B32, { O: 0, I: 1, L: 1 });

  /**
   * Reads the first two bytes of a block (format version, part count; see
   * docs/FORMAT.md) without the core: a single-part block needs no grouping,
   * so it gets its frame without waiting for INSPECT_BLOCKS. Anything else
   * (parts, other versions, damage) returns null and is inspected.
   */
  function peek(sig) {
    const body = sig.slice(20, 24); // after BEGINCHATSEALMESSAGE
    let bits = 0;
    for (const c of body) {
      if (!(c in B32)) return null;
      bits = bits * 32 + B32[c];
    }
    const version = bits >> 12;
    const count = (bits >> 4) & 0xff;
    return version === 1 && count === 1 ? { partIndex: 1, partCount: 1, messageId: null, peeked: true } : null;
  }

  function newPlaceholder(text, sig) {
    ensurePageStyle();
    if (!states.size) setTimeout(warmUp, 0); // blocks on this page: start loading frames soon
    const el = document.createElement('span');
    el.setAttribute(OWN, 'block');
    const height = heightBySig.get(sig);
    if (height) el.style.height = `${height}px`;
    const state = { el, text, sig, info: infoBySig.get(sig) ?? peek(sig), visible: false, frame: null, gen: 0, hidden: false, group: null, prefetched: null };
    states.add(state);
    stateOf.set(el, state);
    stats.blocks++;
    io.observe(el);
    if (state.info) joinGroup(state);
    else { inspectQueue.add(state); scheduleInspect(); }
    prefetchToken(state);
    return state;
  }

  /** The placeholder left the document (maybe for good): stop tracking it. */
  function forget(state) {
    states.delete(state);
    io.unobserve(state.el);
    dropFrame(state);
    state.el.shadowRoot?.replaceChildren();
    inspectQueue.delete(state);
    if (state.group) {
      state.group.delete(state);
      regroup(state.group);
      state.group = null;
    }
  }

  function removeState(state) {
    forget(state);
    state.el.remove();
  }

  /** A placeholder came back (a list that detaches and re-attaches its rows). */
  let detached = 0; // placeholders the site removed: they may come back (see revive)
  function revive(el) {
    const state = stateOf.get(el);
    if (!state || states.has(state)) return;
    detached--;
    states.add(state);
    io.observe(el);
    if (state.info) joinGroup(state);
    else { inspectQueue.add(state); scheduleInspect(); }
  }

  // INSPECT_BLOCKS in batches, blocks near the viewport first.
  const inspectQueue = new Set();
  let inspecting = false;
  function scheduleInspect() {
    if (!inspecting) { inspecting = true; setTimeout(runInspect, 0); }
  }
  async function runInspect() {
    const batch = [...inspectQueue].sort((x, y) => y.visible - x.visible).slice(0, 300);
    for (const s of batch) inspectQueue.delete(s);
    const bySig = new Map(batch.map((s) => [s.sig, s.text]));
    const sigs = [...bySig.keys()].filter((sig) => !infoBySig.has(sig));
    if (sigs.length) {
      const res = await ask({ type: MSG.INSPECT_BLOCKS, blocks: sigs.map((s) => bySig.get(s)) });
      sigs.forEach((sig, i) => infoBySig.set(sig, res?.ok && res.blocks?.[i] ? res.blocks[i] : { error: res?.code ?? 'unavailable' }));
    }
    for (const s of batch) {
      if (!states.has(s)) continue;
      s.info = infoBySig.get(s.sig);
      joinGroup(s);
      if (s.visible && !s.hidden && !s.frame) ensureFrame(s);
    }
    inspecting = false;
    if (inspectQueue.size) scheduleInspect();
  }

  function joinGroup(state) {
    const { partCount, messageId } = state.info;
    if (!(partCount > 1 && messageId)) return;
    let group = groups.get(messageId);
    if (!group) groups.set(messageId, group = new Set());
    group.add(state);
    state.group = group;
    regroup(group);
  }

  /** One frame per multipart message: on its lowest part present; other parts hidden. */
  function regroup(group) {
    const members = [...group];
    if (!members.length) return;
    members.sort((x, y) => (x.info.partIndex - y.info.partIndex)
      || (x.el.compareDocumentPosition(y.el) & Node.DOCUMENT_POSITION_FOLLOWING ? -1 : 1));
    const host = members[0];
    const changed = group.parts !== partsKey(members);
    group.parts = partsKey(members);
    for (const s of members) {
      const hidden = s !== host;
      if (hidden !== s.hidden) {
        s.hidden = hidden;
        s.el.hidden = hidden;
        if (hidden) dropFrame(s);
      }
    }
    // A part arrived (or left): the open frame must show the new whole.
    if (changed && host.frame) { dropFrame(host); if (host.visible) ensureFrame(host); }
  }
  const partsKey = (members) => [...new Set(members.map((s) => s.sig))].sort().join('|');

  /** Block texts the frame of `state` decrypts: all distinct parts of its message. */
  function blocksFor(state) {
    if (!state.group) return [state.text];
    const byIndex = new Map();
    for (const s of state.group) if (!byIndex.has(s.info.partIndex)) byIndex.set(s.info.partIndex, s.text);
    return [...byIndex.keys()].sort((x, y) => x - y).map((k) => byIndex.get(k));
  }

  function onIntersect(entries) {
    // Blocks leaving first: their frames are parked and taken by the blocks
    // arriving, those on screen before those in the margin around it.
    for (const entry of entries) {
      const state = stateOf.get(entry.target);
      if (state) state.top = entry.boundingClientRect.top;
    }
    const order = (entry) => (entry.isIntersecting ? 1 + distance(stateOf.get(entry.target) ?? { top: Infinity }) : 0);
    entries.sort((a, b) => order(a) - order(b));
    for (const entry of entries) {
      const state = stateOf.get(entry.target);
      if (!state) continue;
      state.visible = entry.isIntersecting;
      if (state.visible && state.info && !state.hidden) {
        stats.firstVisibleAt ??= performance.now();
        ensureFrame(state);
      } else if (!state.visible) dropFrame(state);
    }
  }

  // Display frames are pooled: a frame that scrolls away is parked (moved,
  // not reloaded: Element.moveBefore keeps its document) and given the next
  // block's token by postMessage. Loading a frame costs the page 10-60 ms and
  // the extension process far more; reusing one costs a message. Tokens never
  // appear in the page (no URL hash), so the page cannot replay them.
  const MAX_FRAMES = 40; // display frames in existence, in use or parked
  const WARM = 4; // parked frames kept loaded while the page has blocks
  const MAX_PARKED = 16; // more than a screenful scrolled away at once: the rest are removed
  const canMove = typeof Element.prototype.moveBefore === 'function';
  const parked = []; // loaded, idle frames
  const waiting = new Set(); // states that want a frame while MAX_FRAMES are in use
  let displayFrames = 0;
  let parking = null;

  function parkingLot() {
    if (!parking?.host.isConnected) {
      parking = uiHost(':host { display: none !important; }');
      document.documentElement.append(parking.host);
    }
    return parking.root;
  }

  function newFrame(parent) {
    const iframe = document.createElement('iframe');
    iframe.title = t('displayFrameTitle');
    iframe.setAttribute('style', IFRAME_CSS);
    iframe.referrerPolicy = 'no-referrer';
    const entry = { iframe, state: null };
    entry.loaded = new Promise((resolve) => { entry.ready = resolve; });
    entry.resize = (h) => {
      const s = entry.state;
      if (!s) return;
      stats.resizes++;
      s.el.style.height = `${h}px`;
      heightBySig.set(s.sig, h);
    };
    parent.append(iframe);
    loadFrame(entry, DISPLAY_URL);
    stats.firstFrameAt ??= performance.now();
    displayFrames++;
    stats.framesMade++;
    stats.maxFrames = Math.max(stats.maxFrames, displayFrames);
    return entry;
  }

  function destroyFrame(entry) {
    entry.state = null;
    entry.iframe.remove();
    displayFrames--;
  }

  /** Keeps a few loaded frames parked so the next blocks show at once (also after a site re-render). */
  function warmUp() {
    if (waiting.size) return scheduleGrow();
    if (!canMove || parked.length >= WARM || displayFrames >= MAX_FRAMES) return;
    parked.push(newFrame(parkingLot()));
    setTimeout(warmUp, 0); // one frame per task: each insertion costs the page several ms
  }

  function ensureFrame(state) {
    if (state.frame) return;
    let entry = parked.pop();
    if (entry && !entry.iframe.isConnected) { destroyFrame(entry); entry = null; } // the site removed our parking
    if (entry) return attach(entry, state);
    waiting.add(state);
    scheduleGrow();
  }

  // New frames are made one per task, for the waiting block nearest the screen first.
  let growing = 0;
  function scheduleGrow() {
    growing ||= setTimeout(grow, 0);
  }
  function grow() {
    growing = 0;
    for (const s of waiting) if (!s.visible || s.hidden || !states.has(s)) waiting.delete(s);
    if (!waiting.size || (displayFrames >= MAX_FRAMES && !parked.length)) return; // wait for a frame to come free
    // Just after the first tokens went out, loading more frames would slow the
    // first ones down (all of them share one main thread in the extension's
    // process): new frames wait a moment, parked ones do not.
    const hold = stats.firstHandoverAt === null ? 0 : stats.firstHandoverAt + FIRST_SHOW_MS - performance.now();
    if (!parked.length && hold > 0) {
      growing = setTimeout(grow, hold);
      return;
    }
    const next = [...waiting].reduce((a, b) => (distance(b) < distance(a) ? b : a));
    waiting.delete(next);
    let entry = parked.pop() ?? null;
    if (entry && !entry.iframe.isConnected) { destroyFrame(entry); entry = null; }
    attach(entry, next);
    if (waiting.size) scheduleGrow();
  }

  /** How far a placeholder is from the screen (0: on it), from its last reported position. */
  const distance = (s) => (s.top >= 0 && s.top < innerHeight ? 0 : Math.abs(s.top - innerHeight / 2));

  /** Puts a frame (parked, or new when `entry` is null) into the placeholder and hands it the block's token. */
  async function attach(entry, state) {
    waiting.delete(state);
    const gen = ++state.gen;
    // A token is good for one frame, and unused for two minutes (background TTL).
    const prefetched = state.prefetched && performance.now() - state.prefetched.at < PREFETCH_FRESH_MS;
    const tokenAsked = prefetched ? state.prefetched.token : askDisplayToken(state);
    state.prefetched = null;
    const root = state.el.shadowRoot ?? state.el.attachShadow({ mode: 'open' });
    if (entry) root.moveBefore(entry.iframe, null);
    else entry = newFrame(root);
    entry.state = state;
    state.frame = entry;
    state.el.setAttribute('data-framed', '');
    stats.frames = displayFrames - parked.length;
    attaching++;
    const [res] = await Promise.all([tokenAsked, entry.loaded]).finally(() => { attaching--; });
    if (gen !== state.gen || entry.state !== state) return; // dropped meanwhile
    if (res?.ok) {
      entry.iframe.contentWindow?.postMessage({ token: res.token }, EXT_ORIGIN);
      stats.firstHandoverAt ??= performance.now();
      quietUntil = performance.now() + QUIET_MS;
    }
    warmUp();
  }
  const askDisplayToken = (state) => ask({ type: MSG.FRAME_TOKEN, purpose: 'display', blocks: blocksFor(state), conversation: conversationId() });

  /**
   * Asks tokens for the first blocks found on a page that just loaded (the
   * newest: the scan goes newest first), as they are found and before the
   * page's first layout tells which are on screen: in a chat those are the
   * ones at the bottom, and their frames then start at once.
   */
  let prefetchLeft = 0;
  function prefetchToken(state) {
    if (prefetchLeft <= 0 || state.group || !state.info?.peeked) return;
    prefetchLeft--;
    state.prefetched = { token: askDisplayToken(state), at: performance.now() };
  }
  const PREFETCH_COUNT = 12;
  const PREFETCH_FRESH_MS = 60_000;
  const FIRST_SHOW_MS = 150;

  let attaching = 0; // frames waiting for their page to load or their token
  const QUIET_MS = 300;
  let quietUntil = 0;

  function dropFrame(state) {
    state.gen++;
    waiting.delete(state);
    const entry = state.frame;
    state.frame = null;
    if (!entry) return;
    state.el.removeAttribute('data-framed');
    entry.state = null;
    // A frame the site removed with its message is gone; a live one is parked, emptied.
    if (canMove && entry.iframe.isConnected && parked.length < MAX_PARKED) {
      parkingLot().moveBefore(entry.iframe, null);
      entry.iframe.contentWindow?.postMessage({ reset: true }, EXT_ORIGIN);
      parked.push(entry);
    } else {
      destroyFrame(entry);
    }
    stats.frames = displayFrames - parked.length;
    if (waiting.size) scheduleGrow();
  }

  /**
   * Loads extension page `url` into `entry.iframe` (connected) so that the
   * page learns neither its URL nor its origin: in Firefox both carry a
   * per-install id, the same on every site. So `src` stays empty (the frame
   * is navigated with `location.replace`), and the frame talks to us over a
   * MessageChannel of its own, never by `window.postMessage`, whose events
   * the page sees with their origin. On each load we offer a new port; the
   * offer is dropped while the frame holds anything but our page (first
   * about:blank). The frame sends only {height}, at once when it gets a port:
   * that first message also says it listens (`entry.ready`).
   */
  function loadFrame(entry, url) {
    const { iframe } = entry;
    iframe.addEventListener('load', () => {
      const channel = new MessageChannel();
      channel.port1.onmessage = (e) => {
        const h = e.data?.height;
        if (typeof h !== 'number' || !(h >= 0)) return;
        entry.ready?.();
        if (h > 0) entry.resize(Math.min(Math.ceil(h), 4000));
      };
      iframe.contentWindow?.postMessage({ port: true }, EXT_ORIGIN, [channel.port2]);
    });
    iframe.contentWindow?.location.replace(url);
  }

  // ---------------------------------------------------------- contact warning
  const SEND_NAME = /\b(send|submit|post|reply|envoyer|enviar|senden|invia|verzend|wy[sś]lij)/i;
  const scans = new WeakMap(); // composer -> {text, findings} of the last finished scan
  const scanning = new WeakMap(); // composer -> in-flight promise
  let bypass = false; // set while ChatSeal re-dispatches a send the user confirmed
  let dialog = null;

  /** The composer's own words: ChatSeal's blocks never count as contact details. */
  function plainPart(text) {
    const found = findBlocks(text);
    for (let i = found.length - 1; i >= 0; i--) text = text.slice(0, found[i].start) + text.slice(found[i].end);
    return text;
  }

  function scanComposer(el) {
    const text = plainPart(composerText(el));
    const cached = scans.get(el);
    if (cached?.text === text) return Promise.resolve(cached.findings);
    if (!text.trim()) { scans.set(el, { text, findings: [] }); return Promise.resolve([]); }
    const inflight = scanning.get(el);
    if (inflight?.text === text) return inflight.promise;
    const promise = ask({ type: MSG.SCAN_CONTACTS, text, host: location.host }).then((res) => {
      // No detector or no answer: never block the user's sending.
      const findings = res?.ok && Array.isArray(res.findings) ? res.findings : [];
      scans.set(el, { text, findings });
      return findings;
    });
    scanning.set(el, { text, promise });
    return promise;
  }

  /** Synchronous answer when the last scan matches the current text, else null. */
  function knownFindings(el) {
    const text = plainPart(composerText(el));
    if (!text.trim()) return [];
    const cached = scans.get(el);
    return cached?.text === text ? cached.findings : null;
  }

  /**
   * Stops a send the user started in the site's composer when its text has
   * contact details; `replay` performs that send again once confirmed.
   * Returns true when the event was stopped.
   */
  function guardSend(e, composer, replay) {
    if (bypass || dialog) return false;
    const known = knownFindings(composer);
    if (known && !known.length) return false; // clean and already scanned: no delay at all
    e.preventDefault();
    e.stopImmediatePropagation();
    if (known) showWarning(composer, known, replay);
    else {
      // Typed faster than the scan: wait for it (a few ms), then send or warn.
      scanComposer(composer).then((findings) => (findings.length ? showWarning(composer, findings, replay) : replay()));
    }
    return true;
  }

  /** Sends the same key again to the same target, as the site would have received it. */
  function replayKey(composer, e, target) {
    const init = {
      key: e.key, code: e.code, keyCode: e.keyCode, which: e.which, ctrlKey: e.ctrlKey, metaKey: e.metaKey,
      altKey: e.altKey, shiftKey: e.shiftKey, bubbles: true, cancelable: true, composed: true,
    };
    return () => {
      composer.focus();
      const to = target?.isConnected ? target : composer;
      bypass = true;
      try {
        const handled = !to.dispatchEvent(new KeyboardEvent('keydown', init));
        // Like a real key: no keypress after a cancelled keydown.
        if (!handled) to.dispatchEvent(new KeyboardEvent('keypress', { ...init, charCode: 13 }));
        to.dispatchEvent(new KeyboardEvent('keyup', init));
        // Synthetic keys have no default action: submit the form ourselves if nobody handled Enter.
        if (!handled && composer instanceof HTMLInputElement) composer.form?.requestSubmit();
      } finally {
        bypass = false;
      }
    };
  }

  function onKeydown(e) {
    if (bypass) return;
    const target = e.composedPath()[0];
    // Ctrl+Shift+E: open the compose frame for the focused composer.
    if (e.ctrlKey && e.shiftKey && !e.altKey && (e.code === 'KeyE' || e.key?.toLowerCase() === 'e')) {
      const composer = composerOf(target);
      if (composer) { e.preventDefault(); e.stopImmediatePropagation(); openCompose(composer); }
      return;
    }
    if (e.key !== 'Enter' || e.shiftKey || e.isComposing || e.keyCode === 229) return;
    const composer = composerOf(target);
    if (composer) guardSend(e, composer, replayKey(composer, e, target));
  }

  function onClick(e) {
    if (bypass || !e.isTrusted) return;
    const path = e.composedPath();
    if (path.some(isOwn)) return;
    const btn = path.find((n) => n instanceof Element
      && (n.localName === 'button' || n.getAttribute('role') === 'button' || (n.localName === 'input' && /^(submit|button)$/.test(n.type))));
    if (!btn) return;
    const composer = composerForButton(btn);
    if (!composer) return;
    guardSend(e, composer, () => {
      bypass = true;
      try { btn.click(); } finally { bypass = false; }
    });
  }

  /** The composer a send button belongs to: the last one focused, close to it in the DOM. */
  function composerForButton(btn) {
    const c = lastComposer;
    if (!c?.isConnected) return null;
    const name = `${btn.getAttribute('aria-label') ?? ''} ${btn.title ?? ''} ${btn.textContent ?? ''} ${btn.value ?? ''} ${btn.dataset?.testid ?? ''}`;
    const submits = btn.type === 'submit' && btn.form && btn.form === c.form;
    if (!submits && !SEND_NAME.test(name)) return null;
    let a = c;
    for (let i = 0; i < 6 && a; i++, a = a.parentElement) if (a.contains(btn)) return c;
    return submits ? c : null;
  }

  const DIALOG_CSS = `
    :host { all: initial; }
    .backdrop { position: fixed; inset: 0; z-index: 2147483647; background: rgba(0,0,0,.35);
      display: flex; align-items: center; justify-content: center; font: 14px/1.45 system-ui, sans-serif; }
    [role=alertdialog] { background: #fff; color: #1b1b1b; max-width: 28rem; width: calc(100% - 2rem);
      border-radius: 10px; padding: 1rem 1.2rem; box-shadow: 0 8px 30px rgba(0,0,0,.3); }
    h2 { font-size: 1.05rem; margin: 0 0 .4rem; }
    p { margin: 0 0 .5rem; }
    ul { margin: 0 0 .8rem; padding-left: 1.2rem; max-height: 12rem; overflow: auto; }
    .kind { font-weight: 600; }
    .found { font-family: ui-monospace, monospace; background: #fff3c4; padding: 0 .2em; border-radius: 3px; overflow-wrap: anywhere; }
    .buttons { display: flex; gap: .5rem; justify-content: flex-end; flex-wrap: wrap; }
    button { font: inherit; padding: .4rem .9rem; border-radius: 6px; border: 1px solid #555; background: #fff; color: #1b1b1b; cursor: pointer; }
    button.primary { background: #1d5a3a; border-color: #1d5a3a; color: #fff; }
    button:focus-visible { outline: 3px solid #2a7fff; outline-offset: 2px; }`;

  function showWarning(composer, findings, replay) {
    if (dialog) return;
    const { host, root } = uiHost(DIALOG_CSS);
    const backdrop = document.createElement('div');
    backdrop.className = 'backdrop';
    const box = document.createElement('div');
    box.setAttribute('role', 'alertdialog');
    box.setAttribute('aria-modal', 'true');
    box.setAttribute('aria-labelledby', 'cs-title');
    box.setAttribute('aria-describedby', 'cs-desc');
    const title = document.createElement('h2');
    title.id = 'cs-title';
    title.textContent = t('warnTitle');
    const desc = document.createElement('p');
    desc.id = 'cs-desc';
    desc.textContent = t('warnIntro');
    const list = document.createElement('ul');
    for (const f of findings) {
      const li = document.createElement('li');
      const kind = document.createElement('span');
      kind.className = 'kind';
      kind.textContent = `${t(`warnFound_${f.kind}`)}: `;
      const found = document.createElement('span');
      found.className = 'found';
      found.textContent = f.text;
      li.append(kind, found);
      list.append(li);
    }
    const edit = document.createElement('button');
    edit.type = 'button';
    edit.className = 'primary';
    edit.textContent = t('editMessage');
    const send = document.createElement('button');
    send.type = 'button';
    send.textContent = t('sendAnyway');
    const buttons = document.createElement('div');
    buttons.className = 'buttons';
    buttons.append(send, edit);
    box.append(title, desc, list, buttons);
    backdrop.append(box);
    root.append(backdrop);
    document.documentElement.append(host);

    let done = false;
    const finish = (sendIt) => {
      if (done) return; // exactly once, however fast the clicks come
      done = true;
      host.remove();
      dialog = null;
      composer.focus();
      if (sendIt) replay();
    };
    edit.addEventListener('click', () => finish(false));
    send.addEventListener('click', () => finish(true));
    box.addEventListener('keydown', (e) => {
      e.stopPropagation();
      if (e.key === 'Escape') { e.preventDefault(); finish(false); }
      if (e.key === 'Tab') { // keep the focus inside the dialog
        e.preventDefault();
        (root.activeElement === edit ? send : edit).focus();
      }
    });
    dialog = { host, composer };
    edit.focus();
  }

  // ------------------------------------------------------------------ start-up
  chrome.runtime.onMessage.addListener((msg, sender, reply) => {
    if (sender.id !== chrome.runtime.id || !msg) return false;
    if (msg.type === MSG.INSERT_BLOCKS) {
      onInsertBlocks(msg).then(reply, () => reply({ ok: true, inserted: false }));
      return true;
    }
    if (msg.type === MSG.FRAME_CLOSE) {
      if (compose && (!msg.token || msg.token === compose.token)) closeCompose({ refocus: true });
      reply({ ok: true });
    } else if (msg.type === MSG.OPEN_COMPOSE) {
      const composer = composerOf(deepActive()) ?? (lastComposer?.isConnected ? lastComposer : null);
      if (composer) openCompose(composer);
      reply({ ok: !!composer });
    }
    return false;
  });

  addEventListener('focusin', (e) => {
    const composer = composerOf(e.composedPath()[0]);
    if (!composer) return;
    lastComposer = composer;
    showButton(composer);
    scanComposer(composer);
  }, true);
  addEventListener('focusout', (e) => {
    if (composerOf(e.composedPath()[0])) hideButtonSoon();
  }, true);
  // Scan what the user types, so Enter usually finds the answer ready.
  addEventListener('input', (e) => {
    const composer = composerOf(e.composedPath()[0]);
    if (composer) scanComposer(composer);
  }, true);
  addEventListener('keydown', onKeydown, true);
  addEventListener('click', onClick, true);

  // New and changed content: rescan the changed containers; forget placeholders the site removed.
  let lastHref = location.href;
  const mo = new MutationObserver((records) => {
    const t0 = performance.now();
    const blocksBefore = stats.blocks;
    const roots = new Set();
    let removed = false;
    for (const r of records) {
      if (r.type === 'characterData') {
        const old = blankedBy.get(r.target);
        if (old && r.target.data.trim()) removeState(old); // the site put the text back
        roots.add(containerOf(r.target));
      } else {
        if (r.removedNodes.length) removed = true;
        for (const n of r.addedNodes) {
          if (n.nodeType === 1 && detached) { // rows the site took out and puts back
            if (isOwn(n)) { revive(n); continue; }
            for (const el of n.querySelectorAll(`[${OWN}="block"]`)) revive(el);
          }
          if (isOwn(n)) continue;
          roots.add(n.nodeType === 1 && !INLINE.has(n.localName) ? n : containerOf(n));
        }
      }
    }
    if (removed) for (const s of states) if (!s.el.isConnected) { forget(s); detached++; }
    scanRoots(roots);
    drain();
    const ms = performance.now() - t0;
    stats.maxMutationMs = Math.max(stats.maxMutationMs, ms);
    if (stats.blocks > blocksBefore && stats.scans.push({ ms, blocks: stats.blocks - blocksBefore }) > 50) stats.scans.shift();
    if (location.href !== lastHref) { lastHref = location.href; ask({ type: MSG.TAB_STATUS, conversation: conversationId() }); }
  });

  function start() {
    const t0 = performance.now();
    stats.startedAt = t0;
    prefetchLeft = PREFETCH_COUNT;
    scan(document.body);
    drain();
    stats.initialScanMs = performance.now() - t0;
    mo.observe(document.body, { subtree: true, childList: true, characterData: true });
    ask({ type: MSG.TAB_STATUS, conversation: conversationId() });
  }
  // Timings and counts (no content) for the tests and the benchmark, which read
  // them in this isolated world through DevTools; the page cannot see them.
  globalThis.__chatsealStats = stats;

  // This script runs on chat pages only, from document_start: load the first
  // display frames while the page itself still loads, so the first message
  // does not wait for one (a frame takes a few hundred ms on a busy machine).
  if (document.documentElement) warmUp();
  if (document.readyState !== 'loading') start();
  else addEventListener('DOMContentLoaded', start, { once: true });
})();
