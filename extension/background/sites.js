// Sites the user enabled beyond the manifest's defaults. The page (options or
// popup) asks for the optional host permission, which needs the user's click;
// the background then registers the content script for that origin. The file
// list is read from the manifest so both stay in step.
import { getSettings, saveSettings, serial } from './store.js';
import { Refusal, bad } from './senders.js';

const ID_PREFIX = 'site:';

/** "https://example.com" from anything URL-like; refuses non-web origins. */
export function normalizeOrigin(value) {
  let url;
  try {
    url = new URL(value);
  } catch {
    throw bad('origin must be a URL such as https://example.com');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw bad('only http and https sites can be enabled');
  return url.origin;
}

const pattern = (origin) => `${new URL(origin).protocol}//${new URL(origin).hostname}/*`;

// Firefox: runtime.getManifest() lists content-script files as absolute
// moz-extension:// URLs, which scripting.registerContentScripts() and
// executeScript() refuse ("must be a relative URL"); both browsers accept
// paths relative to the extension root.
const EXT_ROOT = chrome.runtime.getURL('/');
const relative = (files) => files?.map((f) => (f.startsWith(EXT_ROOT) ? f.slice(EXT_ROOT.length) : f));
const contentFiles = () => {
  const [main] = chrome.runtime.getManifest().content_scripts;
  return { js: relative(main.js), css: relative(main.css), runAt: main.run_at };
};

function scriptFor(origin) {
  const main = contentFiles();
  return {
    id: ID_PREFIX + origin,
    matches: [pattern(origin)],
    js: main.js,
    ...(main.css ? { css: main.css } : {}),
    runAt: main.runAt ?? 'document_start',
    persistAcrossSessions: true,
  };
}

export function enableSite(origin, tabId) {
  return serial(async () => {
    if (!(await chrome.permissions.contains({ origins: [pattern(origin)] }))) {
      throw new Refusal('permission_missing', 'the site permission was not granted');
    }
    const settings = await getSettings();
    // One entry per host: the script matches the host on every port, and
    // enableGranted() (below) may have enabled it a moment ago without the port.
    origin = settings.enabledSites.find((o) => pattern(o) === pattern(origin)) ?? origin;
    const registered = await chrome.scripting.getRegisteredContentScripts({ ids: [ID_PREFIX + origin] });
    if (registered.length === 0) await chrome.scripting.registerContentScripts([scriptFor(origin)]);
    if (!settings.enabledSites.includes(origin)) {
      settings.enabledSites = [...settings.enabledSites, origin].sort();
      await saveSettings(settings);
    }
    // Start it in the tab the user is looking at without a reload. content.js
    // is expected to ignore a second injection.
    if (Number.isInteger(tabId)) {
      const files = contentFiles().js;
      await chrome.scripting.executeScript({ target: { tabId }, files }).catch(() => {});
    }
    return origin;
  });
}

/**
 * Enables the sites whose permission was just granted (permissions.onAdded).
 * Needed in Firefox: it closes the toolbar popup when it shows the permission
 * prompt, so the popup's own SITE_ENABLE after "Allow" may never be sent.
 * Only concrete http(s) hosts that the manifest does not already cover.
 */
export async function enableGranted(origins = []) {
  const builtIn = new Set(chrome.runtime.getManifest().host_permissions.map((p) => new URL(p.replace(/\*/g, 'x')).host));
  for (const granted of origins) {
    const m = /^(https?):\/\/([^/*]+)\/\*$/.exec(granted);
    if (m && !builtIn.has(m[2])) await enableSite(`${m[1]}://${m[2]}`).catch(() => {});
  }
}

export function disableSite(origin) {
  return serial(async () => {
    await chrome.scripting.unregisterContentScripts({ ids: [ID_PREFIX + origin] }).catch(() => {});
    const settings = await getSettings();
    settings.enabledSites = settings.enabledSites.filter((o) => o !== origin);
    await saveSettings(settings);
    await chrome.permissions.remove({ origins: [pattern(origin)] }).catch(() => {});
  });
}

/**
 * Makes the registered scripts match settings and granted permissions (after an
 * update the file list may have changed; the user may have revoked a site in
 * the browser's own settings).
 */
export function reconcileSites() {
  return serial(async () => {
    const settings = await getSettings();
    const kept = [];
    for (const origin of settings.enabledSites) {
      if (await chrome.permissions.contains({ origins: [pattern(origin)] })) kept.push(origin);
    }
    const ours = (await chrome.scripting.getRegisteredContentScripts())
      .filter((s) => s.id.startsWith(ID_PREFIX)).map((s) => s.id);
    if (ours.length) await chrome.scripting.unregisterContentScripts({ ids: ours });
    if (kept.length) await chrome.scripting.registerContentScripts(kept.map(scriptFor));
    if (kept.length !== settings.enabledSites.length) await saveSettings({ ...settings, enabledSites: kept });
  });
}
