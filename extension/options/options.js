// The options page: key management, conversation keys, backup, contact-warning
// switches and enabled sites. Every action is a message to the background; this
// page never touches key storage itself.
import { MSG, ask } from '../lib/messages.js';
import { localize, t } from '../lib/i18n.js';

const $ = (id) => document.getElementById(id);
const WARN_KINDS = ['email', 'phone', 'url', 'handle', 'payment'];
let view = { keys: [], selectedKeyId: null, defaultKeyId: null, conversationKeys: {}, settings: null };

const send = (type, fields = {}) => ask({ type, ...fields });

function announce(text) {
  $('alert').textContent = '';
  $('status').textContent = text;
}

function fail(code) {
  $('status').textContent = '';
  const text = chrome.i18n.getMessage(`err_${code}`) || t('err_generic', code);
  $('alert').textContent = text;
}

/** Runs an action with the form's button disabled; returns the reply or null after an error alert. */
async function act(button, work) {
  if (button) button.disabled = true;
  try {
    const reply = await work();
    if (!reply.ok) {
      fail(reply.code);
      return null;
    }
    return reply;
  } finally {
    if (button) button.disabled = false;
  }
}

const submitter = (form) => form.querySelector('button[type=submit], button:not([type])');
const keyName = (keyId) => view.keys.find((k) => k.keyId === keyId)?.name ?? '';

// ---- keys -------------------------------------------------------------------

async function refresh() {
  const [list, settings] = await Promise.all([send(MSG.KEYS_LIST), send(MSG.SETTINGS_GET)]);
  if (list.ok) view = { ...view, ...list };
  if (settings.ok) view.settings = settings.settings;
  // Fetch the selected key's code first, then render everything at once (no half-filled state).
  const shownId = view.selectedKeyId ?? view.defaultKeyId;
  const code = shownId ? await send(MSG.KEYS_EXPORT_CODE, { keyId: shownId }) : null;
  if (code && !code.ok) fail(code.code);
  renderKeys();
  renderSelected(code?.ok ? code : null);
  renderConversations();
  renderSwitches();
  renderSites();
}

function renderKeys() {
  const shown = view.selectedKeyId ?? view.defaultKeyId;
  $('no-keys').hidden = view.keys.length > 0;
  $('key-list').hidden = view.keys.length === 0;
  const items = view.keys.map((key) => {
    const li = document.createElement('li');
    const label = document.createElement('label');
    const radio = Object.assign(document.createElement('input'), { type: 'radio', name: 'key', value: key.keyId });
    radio.checked = key.keyId === shown;
    radio.addEventListener('change', () => selectKey(key.keyId));
    const name = Object.assign(document.createElement('span'), { textContent: key.name, className: 'name' });
    const tag = Object.assign(document.createElement('span'), {
      textContent: t(key.verified ? 'keyVerifiedTag' : 'keyUnverifiedTag'),
      className: key.verified ? 'tag verified' : 'tag',
    });
    label.append(radio, ' ', name, ' ', tag);
    li.append(label);
    return li;
  });
  $('key-items').replaceChildren(...items);
}

function renderSelected(code) {
  const key = view.keys.find((k) => k.keyId === (view.selectedKeyId ?? view.defaultKeyId));
  $('selected').hidden = !key || !code;
  if (!key || !code) {
    $('key-code').value = '';
    return;
  }
  $('selected-heading').textContent = t('selectedKeyHeading', key.name);
  $('verified').checked = key.verified;
  if (document.activeElement !== $('rename')) $('rename').value = key.name;
  $('key-code').value = code.keyCode;
  $('safety').textContent = code.safetyNumber;
  $('qr').src = `data:image/svg+xml;charset=utf-8,${encodeURIComponent(code.qrSvg)}`;
}

async function selectKey(keyId) {
  if (await act(null, () => send(MSG.KEYS_SELECT, { keyId }))) {
    announce(t('keySelected', keyName(keyId)));
    await refresh();
  }
}

$('create-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const name = $('new-name').value.trim();
  if (!name) return fail('name_required');
  const reply = await act(submitter(event.target), () => send(MSG.KEYS_CREATE, { name }));
  if (!reply) return;
  $('new-name').value = '';
  await refresh();
  announce(t('keyCreated', reply.key.name));
});

$('import-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const keyCode = $('paste-code').value.trim();
  if (!keyCode) return fail('key_code_required');
  const reply = await act(submitter(event.target), () => send(MSG.KEYS_IMPORT, { keyCode }));
  if (!reply) return; // the pasted text stays so it can be corrected
  $('paste-code').value = '';
  await refresh();
  announce(t(reply.existed ? 'keyExists' : 'keyImported', reply.key.name));
});

$('passphrase-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const name = $('pp-name').value.trim();
  const passphrase = $('pp').value;
  if (!name) return fail('name_required');
  if (!passphrase) return fail('passphrase_required');
  announce(t('passphraseDeriving'));
  const reply = await act(submitter(event.target), () => send(MSG.KEYS_PASSPHRASE, { name, passphrase }));
  if (!reply) return;
  $('pp').value = '';
  $('pp-name').value = '';
  await refresh();
  announce(t(reply.existed ? 'keyExists' : 'passphraseKeyCreated', reply.key.name));
});

$('copy-code').addEventListener('click', async () => {
  const code = $('key-code').value;
  try {
    await navigator.clipboard.writeText(code);
  } catch {
    $('key-code').select();
    document.execCommand('copy');
  }
  announce(t('codeCopied'));
});

$('verified').addEventListener('change', async (event) => {
  const keyId = view.selectedKeyId ?? view.defaultKeyId;
  const verified = event.target.checked;
  const reply = await act(null, () => send(MSG.KEYS_VERIFY, { keyId, verified }));
  if (!reply) return refresh();
  await refresh();
  announce(t(verified ? 'keyVerified' : 'keyUnverified', reply.key.name));
});

$('rename-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const keyId = view.selectedKeyId ?? view.defaultKeyId;
  const name = $('rename').value.trim();
  if (!name) return fail('name_required');
  const reply = await act(submitter(event.target), () => send(MSG.KEYS_RENAME, { keyId, name }));
  if (!reply) return;
  await refresh();
  announce(t('keyRenamed', reply.key.name));
});

$('delete-key').addEventListener('click', () => {
  const keyId = view.selectedKeyId ?? view.defaultKeyId;
  const dialog = $('confirm-delete');
  $('confirm-title').textContent = t('deleteConfirmTitle', keyName(keyId));
  dialog.returnValue = '';
  dialog.addEventListener('close', async () => {
    if (dialog.returnValue !== 'delete') return $('delete-key').focus();
    const name = keyName(keyId);
    if (!(await act(null, () => send(MSG.KEYS_DELETE, { keyId })))) return;
    await refresh();
    announce(t('keyDeleted', name));
  }, { once: true });
  dialog.showModal();
});

// ---- conversations ------------------------------------------------------------

function keyOptions(select, selected) {
  select.replaceChildren(...view.keys.map((k) => {
    const option = new Option(k.name, k.keyId);
    option.selected = k.keyId === selected;
    return option;
  }));
}

function renderConversations() {
  const entries = Object.entries(view.conversationKeys ?? {}).sort(([a], [b]) => a.localeCompare(b));
  $('no-conversations').hidden = entries.length > 0;
  $('conversations').replaceChildren(...entries.map(([place, keyId]) => {
    const li = document.createElement('li');
    const select = document.createElement('select');
    select.setAttribute('aria-label', t('conversationKeyFor', place));
    keyOptions(select, keyId);
    select.addEventListener('change', () => assign(place, select.value));
    const forget = Object.assign(document.createElement('button'), { type: 'button', textContent: t('forgetButton') });
    forget.setAttribute('aria-label', t('forgetLabel', place));
    forget.addEventListener('click', () => assign(place, null));
    li.append(Object.assign(document.createElement('span'), { className: 'place', textContent: place }), select, forget);
    return li;
  }));
  keyOptions($('conversation-key'), view.selectedKeyId ?? view.defaultKeyId);
}

/** "https://www.upwork.com/ab/messages/rooms/1?x" -> "www.upwork.com/ab/messages/rooms/1" (the content script's id); "upwork.com/" -> "upwork.com". */
function conversationId(text) {
  const value = text.trim();
  try {
    const url = new URL(value.includes('://') ? value : `https://${value}`);
    return url.pathname === '/' ? url.host : url.host + url.pathname; // a bare host means the whole site
  } catch {
    return value;
  }
}

async function assign(place, keyId) {
  if (!(await act(null, () => send(MSG.CONVERSATION_KEY_SET, { conversation: place, keyId })))) return;
  await refresh();
  announce(keyId ? t('conversationAssigned', [place, keyName(keyId)]) : t('conversationForgotten', place));
}

$('assign-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const place = conversationId($('conversation').value);
  const keyId = $('conversation-key').value;
  if (!place || !keyId) return;
  $('conversation').value = '';
  await assign(place, keyId);
});

// ---- backup -------------------------------------------------------------------

$('export-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const passphrase = $('backup-passphrase').value;
  if (!passphrase) return fail('passphrase_required');
  announce(t('backupDeriving'));
  const reply = await act(submitter(event.target), () => send(MSG.BACKUP_EXPORT, { passphrase }));
  if (!reply) return;
  $('backup-passphrase').value = '';
  const file = `chatseal-backup-${new Date().toISOString().slice(0, 10)}.txt`;
  const url = URL.createObjectURL(new Blob([reply.backup], { type: 'text/plain' }));
  const link = Object.assign(document.createElement('a'), { href: url, download: file });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
  announce(t('backupExported', [reply.count, file]));
});

$('restore-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const [file] = $('backup-file').files;
  const passphrase = $('restore-passphrase').value;
  if (!file) return fail('file_required');
  if (!passphrase) return fail('passphrase_required');
  announce(t('backupRestoring'));
  const backup = await file.text();
  const reply = await act(submitter(event.target), () => send(MSG.BACKUP_IMPORT, { backup, passphrase }));
  if (!reply) return;
  $('restore-passphrase').value = '';
  $('backup-file').value = '';
  await refresh();
  announce(t('backupRestored', [reply.added, reply.kept]));
});

// ---- contact warnings -----------------------------------------------------------

function renderSwitches() {
  const kinds = view.settings?.warnKinds ?? {};
  $('warn-kinds').replaceChildren(...WARN_KINDS.map((kind) => {
    const li = document.createElement('li');
    const input = Object.assign(document.createElement('input'), { type: 'checkbox', checked: kinds[kind] !== false });
    input.setAttribute('role', 'switch');
    input.addEventListener('change', async () => {
      const reply = await act(null, () => send(MSG.SETTINGS_SET, { settings: { warnKinds: { [kind]: input.checked } } }));
      if (reply) announce(t('settingsSaved'));
      else input.checked = !input.checked;
    });
    const label = document.createElement('label');
    label.append(input, ' ', t(`warnKind_${kind}`));
    li.append(label);
    return li;
  }));
}

// ---- sites ------------------------------------------------------------------------

function renderSites() {
  const sites = view.settings?.enabledSites ?? [];
  $('no-sites').hidden = sites.length > 0;
  $('sites').replaceChildren(...sites.map((origin) => {
    const li = document.createElement('li');
    const remove = Object.assign(document.createElement('button'), { type: 'button', textContent: t('siteRemove') });
    remove.setAttribute('aria-label', t('siteRemoveLabel', origin));
    remove.addEventListener('click', async () => {
      if (!(await act(remove, () => send(MSG.SITE_DISABLE, { origin })))) return;
      await refresh();
      announce(t('siteDisabled', origin));
    });
    li.append(Object.assign(document.createElement('span'), { textContent: origin }), ' ', remove);
    return li;
  }));
}

function siteOrigin(text) {
  const value = text.trim();
  try {
    const url = new URL(value.includes('://') ? value : `https://${value}`);
    const web = /^https?:$/.test(url.protocol);
    return web && (url.hostname.includes('.') || url.hostname === 'localhost') ? url : null;
  } catch {
    return null;
  }
}

$('site-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const url = siteOrigin($('site').value);
  if (!url) return fail('bad_site');
  // The permission prompt needs this click: request it before anything else awaits.
  const granted = await chrome.permissions.request({ origins: [`${url.protocol}//${url.hostname}/*`] }).catch(() => false);
  if (!granted) return fail('permission_missing');
  const reply = await act(submitter(event.target), () => send(MSG.SITE_ENABLE, { origin: url.origin }));
  if (!reply) return;
  $('site').value = '';
  await refresh();
  announce(t('siteEnabled', reply.origin));
});

// ---- start --------------------------------------------------------------------------

localize();
refresh().then(() => {
  // "No key for this message" links here with #import.
  if (location.hash === '#import') $('paste-code').focus();
});
chrome.storage.local.onChanged.addListener((changes) => {
  if (changes.keys || changes.selectedKeyId || changes.conversationKeys || changes.settings) refresh();
});
