// Encrypted backups of the key store: the core's backup format (docs/KEYS.md,
// "Encrypted backups": Argon2id with a random salt, AES-256-GCM) around a
// JSON list of keys. Restoring merges and never replaces or removes a key.
import { Refusal } from './senders.js';
import { fromBase64, getKeys, getState, saveKeys, serial, toBase64 } from './store.js';

export async function exportBackup(core, passphrase) {
  const { keys } = await getKeys();
  const state = await getState();
  const json = JSON.stringify({
    chatsealBackup: 1,
    createdMs: Date.now(),
    keys: keys.map(({ name, secret, createdMs, verified }) => ({ name, secret, createdMs, verified: !!verified })),
    selectedKeyId: state.selectedKeyId,
    conversationKeys: state.conversationKeys,
  });
  return { backup: core.sealBackup(json, passphrase), count: keys.length };
}

function openBackup(core, text, passphrase) {
  let json;
  try {
    json = core.openBackup(text, passphrase);
  } catch (e) {
    // A wrong passphrase and an altered file cannot be told apart ("altered").
    if (e.code === 'altered') throw new Refusal('backup_passphrase', 'the passphrase does not open this backup');
    throw new Refusal('bad_backup', 'this is not a ChatSeal backup file');
  }
  let data;
  try {
    data = JSON.parse(json);
  } catch {
    data = null;
  }
  if (data?.chatsealBackup !== 1 || !Array.isArray(data.keys)) throw new Refusal('bad_backup', 'unsupported backup');
  return data;
}

/** Merges a backup into the store: adds missing keys, never replaces or removes one. */
export function importBackup(core, text, passphrase) {
  const data = openBackup(core, text, passphrase);
  return serial(async () => {
    const { keys } = await getKeys();
    const next = [...keys];
    let added = 0;
    let kept = 0;
    for (const entry of data.keys) {
      // Recompute the id and safety number from the secret rather than trusting the file.
      const info = core.describeKey(fromBase64(entry.secret), String(entry.name ?? ''));
      const existing = next.find((k) => k.keyId === info.keyId);
      if (existing) {
        kept++;
        if (entry.verified && !existing.verified) existing.verified = true;
        continue;
      }
      next.push({
        keyId: info.keyId, name: info.name, secret: toBase64(info.secret), safetyNumber: info.safetyNumber,
        createdMs: Number.isFinite(entry.createdMs) ? entry.createdMs : Date.now(), verified: !!entry.verified,
      });
      added++;
    }
    await saveKeys(next);
    const state = await getState();
    const has = (id) => next.some((k) => k.keyId === id);
    const conversationKeys = { ...state.conversationKeys };
    for (const [conversation, keyId] of Object.entries(data.conversationKeys ?? {})) {
      if (!(conversation in conversationKeys) && has(keyId)) conversationKeys[conversation] = keyId;
    }
    const selectedKeyId = state.selectedKeyId && has(state.selectedKeyId)
      ? state.selectedKeyId
      : (has(data.selectedKeyId) ? data.selectedKeyId : (next.length === 1 ? next[0].keyId : null));
    await chrome.storage.local.set({ conversationKeys, selectedKeyId });
    return { added, kept };
  });
}
