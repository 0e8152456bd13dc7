// Every user-visible string goes through chrome.i18n (_locales/*/messages.json).
// Markup names its strings with data-i18n* attributes; localize() fills them.

/** The message `key` with its $1..$9 substitutions; the key itself when missing (visible in tests). */
export function t(key, substitutions) {
  const list = substitutions === undefined ? undefined : [].concat(substitutions).map(String);
  return chrome.i18n.getMessage(key, list) || key;
}

const ATTRIBUTES = [
  ['i18n', (el, text) => { el.textContent = text; }],
  ['i18nLabel', (el, text) => el.setAttribute('aria-label', text)],
  ['i18nPlaceholder', (el, text) => el.setAttribute('placeholder', text)],
  ['i18nTitle', (el, text) => el.setAttribute('title', text)],
  ['i18nAlt', (el, text) => el.setAttribute('alt', text)],
];

/** Fills every data-i18n, data-i18n-label, -placeholder, -title and -alt under root. */
export function localize(root = document) {
  for (const [name, apply] of ATTRIBUTES) {
    const attr = `data-${name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
    for (const el of root.querySelectorAll(`[${attr}]`)) apply(el, t(el.dataset[name]));
  }
  document.documentElement.lang = chrome.i18n.getUILanguage();
}
