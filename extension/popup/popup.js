// The toolbar popup: is ChatSeal active on this tab, which key this
// conversation uses, how many blocks were decrypted or failed, and enabling
// ChatSeal on the current site. Being outside the page, it is the place to
// check what a page cannot fake.
import { MSG, ask } from '../lib/messages.js';
import { localize, t } from '../lib/i18n.js';

const $ = (id) => document.getElementById(id);
const send = (type, fields = {}) => ask({ type, ...fields });

/** The tab this popup is about: the active tab, or ?tab=ID (tests, which open the popup as a page). */
async function currentTab() {
  const forced = Number(new URLSearchParams(location.search).get('tab'));
  if (Number.isInteger(forced) && forced > 0) return chrome.tabs.get(forced).catch(() => ({ id: forced }));
  const [tab] = await chrome.tabs.query({ active: true, currentWindow: true });
  return tab;
}

async function render(tab) {
  const status = await send(MSG.TAB_STATUS, { tabId: tab.id });
  const url = tab.url ? new URL(tab.url) : null;
  const web = !url || /^https?:$/.test(url.protocol);
  const active = status.ok && status.active;
  $('state').textContent = t(active ? 'popupActive' : web ? 'popupInactive' : 'popupUnsupported');
  $('details').hidden = !active;
  $('enable').hidden = active || !url || !web;
  if (!active) return;
  $('decrypted').textContent = status.decrypted;
  $('failed').textContent = status.failed;
  renderRecent(status.messages ?? []);
  const list = await send(MSG.KEYS_LIST, { conversation: status.conversation ?? undefined });
  const keys = list.ok ? list.keys : [];
  $('no-key').hidden = keys.length > 0;
  $('key').hidden = keys.length === 0;
  $('key').replaceChildren(...keys.map((k) => new Option(k.name, k.keyId, false, k.keyId === list.conversationKeyId)));
  $('key').onchange = async () => {
    const reply = await send(MSG.CONVERSATION_KEY_SET, { conversation: status.conversation, keyId: $('key').value });
    $('alert').textContent = reply.ok ? '' : t('err_generic', reply.code);
  };
  $('key').disabled = !status.conversation;
}

/** What ChatSeal itself decrypted here, newest first: a page cannot add to this list. */
function renderRecent(messages) {
  $('recent').hidden = messages.length === 0;
  $('recent-list').replaceChildren(...messages.slice().reverse().map((m) => {
    const item = document.createElement('li');
    const who = document.createElement('strong');
    who.textContent = t(m.fromMe ? 'popupFromMe' : 'popupFromContact');
    const when = document.createElement('time');
    when.dateTime = new Date(m.createdMs).toISOString();
    when.textContent = new Date(m.createdMs).toLocaleString(chrome.i18n.getUILanguage(), { dateStyle: 'short', timeStyle: 'short' });
    const words = document.createElement('span');
    words.dir = 'auto';
    words.textContent = m.preview;
    item.append(who, ' · ', when, document.createElement('br'), words);
    return item;
  }));
}

/** Opens the files page; from a chat tab, with its conversation so that its key is preselected. */
async function openFiles(tab) {
  const url = new URL(chrome.runtime.getURL('files/files.html'));
  const status = tab ? await send(MSG.TAB_STATUS, { tabId: tab.id }) : null;
  if (status?.ok && status.active && status.conversation) url.searchParams.set('conversation', status.conversation);
  await chrome.tabs.create({ url: url.href });
  window.close();
}

async function main() {
  localize();
  const tab = await currentTab();
  $('options').addEventListener('click', () => chrome.runtime.openOptionsPage());
  $('files').addEventListener('click', () => openFiles(tab));
  if (!tab) return;
  $('enable').addEventListener('click', async () => {
    const url = new URL(tab.url);
    // Must run in this click's user gesture, before any other await.
    const granted = await chrome.permissions.request({ origins: [`${url.protocol}//${url.hostname}/*`] }).catch(() => false);
    if (!granted) {
      $('alert').textContent = t('err_permission_missing');
      return;
    }
    const reply = await send(MSG.SITE_ENABLE, { origin: url.origin, tabId: tab.id });
    if (!reply.ok) {
      $('alert').textContent = t('err_generic', reply.code);
      return;
    }
    $('status').textContent = t('siteEnabled', reply.origin);
    setTimeout(() => render(tab), 500); // the content script reports itself once injected
  });
  await render(tab);
}

main();
