//! Sealing and opening messages: the inner payload, its padding, AES-256-GCM,
//! and the high-level calls that go from text to armored blocks and back.
//!
//! `docs/FORMAT.md` is the normative description.

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

use crate::error::{Error, ErrorCode, Result};
use crate::format::{self, FoundBlock, Part, MESSAGE_ID_BYTES, VERSION};
use crate::keys::{KeyId, SecretKey, KEY_ID_BYTES};
use crate::RandomSource;

/// Most bytes (UTF-8) of message text.
pub const MAX_TEXT_BYTES: usize = 64 * 1024;
/// Bytes of the AES-GCM nonce.
pub const NONCE_BYTES: usize = 12;
/// Bytes of the AES-GCM tag.
pub const TAG_BYTES: usize = 16;
/// Bytes of a sender id.
pub const SENDER_ID_BYTES: usize = 8;
/// Bytes of the conversation tag.
pub const CONVERSATION_TAG_BYTES: usize = 16;
/// Smallest padded payload.
pub const MIN_PADDED_BYTES: usize = 32;

const FLAG_CONVERSATION: u8 = 0b0000_0001;
const KNOWN_FLAGS: u8 = FLAG_CONVERSATION;
const AAD_PREFIX: &[u8] = b"CHATSEAL";
const CONVERSATION_CONTEXT: &[u8] = b"ChatSeal v1 conversation\0";
/// flags, sender id, created (ms), counter, text length.
const FIXED_PAYLOAD_BYTES: usize = 1 + SENDER_ID_BYTES + 8 + 8 + 4;
const ENVELOPE_HEADER_BYTES: usize = KEY_ID_BYTES + NONCE_BYTES;

/// Who wrote a message, when, and where it belongs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Metadata {
    /// Random id of the writer's installation.
    pub sender_id: [u8; SENDER_ID_BYTES],
    /// Creation time, milliseconds since the Unix epoch (UTC).
    pub created_ms: u64,
    /// Per-sender message counter.
    pub counter: u64,
}

/// What to seal besides the text.
#[derive(Clone, Debug)]
pub struct SealOptions<'a> {
    /// Writer, time and counter.
    pub metadata: Metadata,
    /// The conversation the message is meant for (e.g. `upwork.com/rooms/123`).
    pub conversation: Option<&'a str>,
    /// Most characters per block; longer messages are split into parts.
    pub max_chars: Option<usize>,
}

/// How a message's conversation binding compared to where it was found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ConversationCheck {
    /// Bound to the conversation the reader named.
    Match,
    /// Not bound to any conversation.
    Unbound,
    /// Bound, but the reader named no conversation to compare with.
    Unchecked,
}

impl ConversationCheck {
    /// Stable string form.
    pub fn as_str(self) -> &'static str {
        match self {
            ConversationCheck::Match => "match",
            ConversationCheck::Unbound => "unbound",
            ConversationCheck::Unchecked => "unchecked",
        }
    }
}

/// A successfully opened message.
#[derive(Clone, PartialEq, Eq)]
pub struct Opened {
    /// The text. Zeroized when dropped.
    pub text: Zeroizing<String>,
    /// Id of the key that opened it.
    pub key_id: KeyId,
    /// Writer, time and counter.
    pub metadata: Metadata,
    /// Conversation binding.
    pub conversation: ConversationCheck,
}

impl core::fmt::Debug for Opened {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Opened")
            .field("text", &"<redacted>")
            .field("key_id", &self.key_id)
            .field("metadata", &self.metadata)
            .field("conversation", &self.conversation)
            .finish()
    }
}

/// A key that seals and opens messages: a [`SecretKey`], which derives its
/// id and cipher at every use, or a [`MessageKey`], which holds them.
pub trait SealingKey {
    /// The key's public id.
    fn key_id(&self) -> KeyId;
    /// Runs `f` with the key's AES-256-GCM cipher.
    fn with_cipher<R>(&self, f: impl FnOnce(&Aes256Gcm) -> R) -> R;
}

impl SealingKey for SecretKey {
    fn key_id(&self) -> KeyId {
        self.id()
    }

    fn with_cipher<R>(&self, f: impl FnOnce(&Aes256Gcm) -> R) -> R {
        f(&Aes256Gcm::new(self.expose_bytes().into()))
    }
}

/// A key with its id and cipher (AES round keys, GHASH key) computed once,
/// for a caller that uses it for many messages. The cipher state is wiped
/// when dropped.
pub struct MessageKey {
    secret: SecretKey,
    id: KeyId,
    cipher: Aes256Gcm,
}

impl MessageKey {
    /// Prepares `secret` for messages.
    pub fn new(secret: &SecretKey) -> MessageKey {
        MessageKey {
            secret: secret.clone(),
            id: secret.id(),
            cipher: Aes256Gcm::new(secret.expose_bytes().into()),
        }
    }
}

impl SealingKey for MessageKey {
    fn key_id(&self) -> KeyId {
        self.id
    }

    fn with_cipher<R>(&self, f: impl FnOnce(&Aes256Gcm) -> R) -> R {
        f(&self.cipher)
    }
}

impl<K: SealingKey> SealingKey for Box<K> {
    fn key_id(&self) -> KeyId {
        (**self).key_id()
    }

    fn with_cipher<R>(&self, f: impl FnOnce(&Aes256Gcm) -> R) -> R {
        (**self).with_cipher(f)
    }
}

/// Most prepared keys a [`KeyCache`] keeps beyond those of its latest call.
pub const KEY_CACHE_KEYS: usize = 8;

/// Prepared keys of the latest calls, for a caller handed the raw keys at
/// every call (the WebAssembly API): preparing a key (id hash, AES key
/// schedule, GHASH key) was about a twentieth of a 1 KiB encrypt in WASM.
#[derive(Default)]
pub struct KeyCache {
    /// Most recently requested first. Boxed: reordering moves pointers, not
    /// key schedules.
    #[allow(clippy::vec_box)]
    keys: Vec<Box<MessageKey>>,
}

impl KeyCache {
    /// An empty cache.
    pub const fn new() -> KeyCache {
        KeyCache { keys: Vec::new() }
    }

    /// `secrets`, prepared, in the same order. Keys not among them are kept
    /// only up to [`KEY_CACHE_KEYS`]; dropped ones are wiped.
    pub fn prepare(&mut self, secrets: &[SecretKey]) -> &[Box<MessageKey>] {
        for (i, secret) in secrets.iter().enumerate() {
            // A key asked for twice in one call is prepared twice; harmless.
            match self.keys[i..].iter().position(|k| k.secret == *secret) {
                Some(at) => self.keys.swap(i, i + at),
                None => {
                    self.keys.push(Box::new(MessageKey::new(secret)));
                    let last = self.keys.len() - 1;
                    self.keys.swap(i, last);
                }
            }
        }
        self.keep(secrets.len() + KEY_CACHE_KEYS);
        &self.keys[..secrets.len()]
    }

    /// Wipes every prepared key.
    pub fn clear(&mut self) {
        self.keep(0);
    }

    /// Drops (and so wipes) all keys but the first `n`. Not inlined: the
    /// wiping code is long, and WASM size counts.
    #[inline(never)]
    fn keep(&mut self, n: usize) {
        self.keys.truncate(n);
    }
}

/// Padmé padding (Nikitin et al., "Reducing Metadata Leakage from Encrypted
/// Files and Communication with PURBs", 2019): at most 12 % overhead, leaks
/// O(log log n) bits of the length. Never below [`MIN_PADDED_BYTES`].
pub fn padded_len(len: usize) -> usize {
    let len = len.max(MIN_PADDED_BYTES) as u64;
    let e = 63 - u64::from(len.leading_zeros()); // floor(log2 len)
    let s = 64 - u64::from(e.leading_zeros()); // floor(log2 e) + 1
    let last_bits = e - s;
    let mask = (1u64 << last_bits) - 1;
    ((len + mask) & !mask) as usize
}

/// The 16-byte tag that binds a message to a conversation id.
pub fn conversation_tag(conversation: &str) -> [u8; CONVERSATION_TAG_BYTES] {
    let digest: [u8; 32] = Sha256::new()
        .chain_update(CONVERSATION_CONTEXT)
        .chain_update(conversation.as_bytes())
        .finalize()
        .into();
    let mut tag = [0u8; CONVERSATION_TAG_BYTES];
    tag.copy_from_slice(&digest[..CONVERSATION_TAG_BYTES]);
    tag
}

fn aad(key_id: &KeyId) -> [u8; 8 + 1 + KEY_ID_BYTES] {
    let mut aad = [0u8; 8 + 1 + KEY_ID_BYTES];
    aad[..8].copy_from_slice(AAD_PREFIX);
    aad[8] = VERSION;
    aad[9..].copy_from_slice(&key_id.0);
    aad
}

fn encode_payload(text: &str, options: &SealOptions<'_>) -> Zeroizing<Vec<u8>> {
    let meta = &options.metadata;
    let tag_len = options.conversation.map_or(0, |_| CONVERSATION_TAG_BYTES);
    let len = FIXED_PAYLOAD_BYTES + tag_len + text.len();
    let mut payload = Zeroizing::new(Vec::with_capacity(padded_len(len)));
    payload.push(if options.conversation.is_some() {
        FLAG_CONVERSATION
    } else {
        0
    });
    payload.extend_from_slice(&meta.sender_id);
    payload.extend_from_slice(&meta.created_ms.to_be_bytes());
    payload.extend_from_slice(&meta.counter.to_be_bytes());
    if let Some(conversation) = options.conversation {
        payload.extend_from_slice(&conversation_tag(conversation));
    }
    // text.len() ≤ MAX_TEXT_BYTES, checked by the caller, fits in u32.
    payload.extend_from_slice(&(text.len() as u32).to_be_bytes());
    payload.extend_from_slice(text.as_bytes());
    payload.resize(padded_len(len), 0);
    payload
}

fn check_text_len(text: &str) -> Result<()> {
    if text.len() > MAX_TEXT_BYTES {
        return Err(Error::new(
            ErrorCode::TooLarge,
            "the message is longer than 64 KiB, the most one ChatSeal message may hold",
        ));
    }
    Ok(())
}

/// Seals `text` into an envelope: key id ‖ nonce ‖ AES-256-GCM ciphertext.
pub fn seal(
    key: &impl SealingKey,
    text: &str,
    options: &SealOptions<'_>,
    rng: &mut impl RandomSource,
) -> Result<Vec<u8>> {
    check_text_len(text)?;
    let mut nonce = [0u8; NONCE_BYTES];
    rng.fill(&mut nonce)?;
    seal_with_nonce(key, text, options, nonce)
}

fn seal_with_nonce(
    key: &impl SealingKey,
    text: &str,
    options: &SealOptions<'_>,
    nonce: [u8; NONCE_BYTES],
) -> Result<Vec<u8>> {
    let key_id = key.key_id();
    let payload = encode_payload(text, options);
    let ciphertext = key
        .with_cipher(|cipher| {
            cipher.encrypt(
                &Nonce::from(nonce),
                Payload {
                    msg: &payload,
                    aad: &aad(&key_id),
                },
            )
        })
        .map_err(|_| Error::new(ErrorCode::TooLarge, "the message could not be encrypted"))?;
    let mut envelope = Vec::with_capacity(ENVELOPE_HEADER_BYTES + ciphertext.len());
    envelope.extend_from_slice(&key_id.0);
    envelope.extend_from_slice(&nonce);
    envelope.extend_from_slice(&ciphertext);
    Ok(envelope)
}

/// The key id an envelope names, if it is long enough to name one.
pub fn envelope_key_id(envelope: &[u8]) -> Option<KeyId> {
    let id: [u8; KEY_ID_BYTES] = envelope.get(..KEY_ID_BYTES)?.try_into().ok()?;
    Some(KeyId(id))
}

/// Opens an envelope with whichever of `keys` its key id names, and checks its
/// conversation binding against `conversation`.
///
/// Never returns partial plaintext: either the whole authenticated text or an
/// error.
pub fn open(
    envelope: &[u8],
    keys: &[impl SealingKey],
    conversation: Option<&str>,
) -> Result<Opened> {
    if envelope.len() < ENVELOPE_HEADER_BYTES + TAG_BYTES + MIN_PADDED_BYTES {
        return Err(Error::new(
            ErrorCode::Altered,
            "the message is too short to be genuine: it was cut or altered",
        ));
    }
    let key_id = envelope_key_id(envelope).ok_or(Error::new(
        ErrorCode::Altered,
        "the message is too short to be genuine: it was cut or altered",
    ))?;
    let key = keys
        .iter()
        .find(|k| k.key_id() == key_id)
        .ok_or(Error::new(
            ErrorCode::UnknownKey,
            "none of your keys can open this message",
        ))?;
    let mut nonce = [0u8; NONCE_BYTES];
    nonce.copy_from_slice(&envelope[KEY_ID_BYTES..ENVELOPE_HEADER_BYTES]);
    let payload = Zeroizing::new(
        key.with_cipher(|cipher| {
            cipher.decrypt(
                &Nonce::from(nonce),
                Payload {
                    msg: &envelope[ENVELOPE_HEADER_BYTES..],
                    aad: &aad(&key_id),
                },
            )
        })
        .map_err(|_| {
            Error::new(
                ErrorCode::Altered,
                "the message was altered: it does not match what its writer sealed",
            )
        })?,
    );
    decode_payload(&payload, key_id, conversation)
}

fn decode_payload(payload: &[u8], key_id: KeyId, conversation: Option<&str>) -> Result<Opened> {
    // The payload is authenticated, so a malformed one was sealed that way by
    // a key holder: report it as not genuine rather than trust any part of it.
    let malformed = || Error::new(ErrorCode::Altered, "the message's content is malformed");
    let mut reader = Reader(payload);
    let flags = reader.byte().ok_or_else(malformed)?;
    if flags & !KNOWN_FLAGS != 0 {
        return Err(Error::new(
            ErrorCode::UnsupportedVersion,
            "the message uses features this build does not know",
        ));
    }
    let sender_id: [u8; SENDER_ID_BYTES] = reader.array().ok_or_else(malformed)?;
    let created_ms = u64::from_be_bytes(reader.array().ok_or_else(malformed)?);
    let counter = u64::from_be_bytes(reader.array().ok_or_else(malformed)?);
    let check = if flags & FLAG_CONVERSATION != 0 {
        let tag: [u8; CONVERSATION_TAG_BYTES] = reader.array().ok_or_else(malformed)?;
        match conversation {
            None => ConversationCheck::Unchecked,
            Some(c) if conversation_tag(c) == tag => ConversationCheck::Match,
            Some(_) => {
                return Err(Error::new(
                    ErrorCode::WrongConversation,
                    "the message was written for another conversation",
                ))
            }
        }
    } else {
        ConversationCheck::Unbound
    };
    let text_len = u32::from_be_bytes(reader.array().ok_or_else(malformed)?) as usize;
    let text = reader.take(text_len).ok_or_else(malformed)?;
    if reader.0.iter().any(|&b| b != 0) {
        return Err(malformed());
    }
    let text = core::str::from_utf8(text).map_err(|_| malformed())?;
    Ok(Opened {
        text: Zeroizing::new(text.to_owned()),
        key_id,
        metadata: Metadata {
            sender_id,
            created_ms,
            counter,
        },
        conversation: check,
    })
}

struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        if n > self.0.len() {
            return None;
        }
        let (head, rest) = self.0.split_at(n);
        self.0 = rest;
        Some(head)
    }

    fn byte(&mut self) -> Option<u8> {
        self.take(1).map(|b| b[0])
    }

    fn array<const N: usize>(&mut self) -> Option<[u8; N]> {
        self.take(N)?.try_into().ok()
    }
}

/// Encrypts `text` and armors it into one or more chat-safe blocks.
pub fn encrypt(
    key: &impl SealingKey,
    text: &str,
    options: &SealOptions<'_>,
    rng: &mut impl RandomSource,
) -> Result<Vec<String>> {
    check_text_len(text)?;
    // One draw for both (the same bytes, in the same order, as a nonce draw
    // followed by a message id draw): each call to the browser's generator
    // costs more than the bytes.
    let mut random = [0u8; NONCE_BYTES + MESSAGE_ID_BYTES];
    rng.fill(&mut random)?;
    let mut nonce = [0u8; NONCE_BYTES];
    let mut message_id = [0u8; MESSAGE_ID_BYTES];
    nonce.copy_from_slice(&random[..NONCE_BYTES]);
    message_id.copy_from_slice(&random[NONCE_BYTES..]);
    let envelope = seal_with_nonce(key, text, options, nonce)?;
    format::armor_parts(&envelope, options.max_chars, message_id)
}

/// Decrypts one message from the blocks that carry it (all its parts, in any
/// order). Extra or foreign blocks are an error, never ignored.
pub fn decrypt_blocks(
    blocks: &[&str],
    keys: &[impl SealingKey],
    conversation: Option<&str>,
) -> Result<Opened> {
    let mut parts = Vec::with_capacity(blocks.len());
    for block in blocks {
        let mut found = format::find_blocks(block).into_iter();
        let first = found.next().ok_or(Error::new(
            ErrorCode::NotChatSeal,
            "the text holds no ChatSeal block",
        ))?;
        if found.next().is_some() {
            return Err(Error::new(
                ErrorCode::InvalidArgument,
                "each entry must hold exactly one ChatSeal block",
            ));
        }
        parts.push(first.part?);
    }
    let envelope = format::reassemble(&parts)?;
    open(&envelope, keys, conversation)
}

/// One message found in a text: where its blocks stand and what they held.
#[derive(Debug)]
pub struct FoundMessage {
    /// Byte spans of the blocks that carry it, in text order.
    pub spans: Vec<(usize, usize)>,
    /// The message, or why it could not be read.
    pub result: Result<Opened>,
}

/// Finds every block in `text`, groups the parts of multipart messages and
/// decrypts each message. Messages are listed in the order of their first block.
pub fn decrypt_text(
    text: &str,
    keys: &[impl SealingKey],
    conversation: Option<&str>,
) -> Vec<FoundMessage> {
    /// The blocks of one message: a single block, a multipart group, or a
    /// block that could not be read.
    struct Group {
        message_id: Option<[u8; MESSAGE_ID_BYTES]>,
        spans: Vec<(usize, usize)>,
        parts: Result<Vec<Part>>,
    }
    let mut groups: Vec<Group> = Vec::new();
    for FoundBlock { start, end, part } in format::find_blocks(text) {
        let joins = |g: &&mut Group| {
            g.message_id.is_some()
                && g.parts.is_ok()
                && part.as_ref().is_ok_and(|p| p.message_id == g.message_id)
        };
        if let Some(group) = groups.iter_mut().find(|g| joins(g)) {
            group.spans.push((start, end));
            if let (Ok(parts), Ok(part)) = (&mut group.parts, part) {
                parts.push(part);
            }
            continue;
        }
        groups.push(Group {
            message_id: part.as_ref().ok().and_then(|p| p.message_id),
            spans: vec![(start, end)],
            parts: part.map(|p| vec![p]),
        });
    }
    groups
        .into_iter()
        .map(|group| FoundMessage {
            spans: group.spans,
            result: group
                .parts
                .and_then(|parts| format::reassemble(&parts))
                .and_then(|envelope| open(&envelope, keys, conversation)),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn padme_buckets() {
        assert_eq!(padded_len(0), 32);
        assert_eq!(padded_len(33), 36);
        assert_eq!(padded_len(100), 104);
        assert_eq!(padded_len(1000), 1024);
        assert_eq!(padded_len(1025), 1088);
        for n in 1..100_000 {
            let p = padded_len(n);
            assert!(p >= n && p >= MIN_PADDED_BYTES);
            assert!(p <= MIN_PADDED_BYTES.max(n + n / 8 + 1), "{n} -> {p}");
        }
    }

    fn key(byte: u8) -> SecretKey {
        SecretKey::from_bytes([byte; 32])
    }

    fn options() -> SealOptions<'static> {
        SealOptions {
            metadata: Metadata {
                sender_id: [1; SENDER_ID_BYTES],
                created_ms: 2,
                counter: 3,
            },
            conversation: None,
            max_chars: None,
        }
    }

    #[test]
    fn a_prepared_key_seals_and_opens_like_its_secret() {
        let secret = key(7);
        let prepared = MessageKey::new(&secret);
        assert_eq!(prepared.key_id(), secret.id());
        let nonce = [9; NONCE_BYTES];
        let by_secret = seal_with_nonce(&secret, "hello", &options(), nonce).unwrap();
        let by_prepared = seal_with_nonce(&prepared, "hello", &options(), nonce).unwrap();
        assert_eq!(by_secret, by_prepared);
        assert_eq!(*open(&by_secret, &[prepared], None).unwrap().text, "hello");
        assert_eq!(*open(&by_prepared, &[secret], None).unwrap().text, "hello");
    }

    #[test]
    fn the_key_cache_returns_the_keys_asked_for_in_order() {
        let mut cache = KeyCache::new();
        let ids = |keys: &[Box<MessageKey>]| keys.iter().map(|k| k.key_id()).collect::<Vec<_>>();
        let asked = [key(1), key(2), key(3)];
        let want: Vec<KeyId> = asked.iter().map(SecretKey::id).collect();
        assert_eq!(ids(cache.prepare(&asked)), want);
        // Again, reordered, and a key on its own: the same keys come back.
        let reordered = [key(3), key(1), key(2)];
        let want_reordered: Vec<KeyId> = reordered.iter().map(SecretKey::id).collect();
        assert_eq!(ids(cache.prepare(&reordered)), want_reordered);
        assert_eq!(ids(cache.prepare(&[key(2)])), vec![key(2).id()]);
        assert_eq!(ids(cache.prepare(&[key(2), key(2)])), vec![key(2).id(); 2]);
        assert!(cache.prepare(&[]).is_empty());
    }

    #[test]
    fn the_key_cache_keeps_a_bounded_number_of_keys() {
        let mut cache = KeyCache::new();
        let many: Vec<SecretKey> = (0..40).map(key).collect();
        assert_eq!(cache.prepare(&many).len(), 40);
        assert_eq!(cache.keys.len(), 40);
        cache.prepare(&[key(100)]);
        assert_eq!(cache.keys.len(), 1 + KEY_CACHE_KEYS);
        cache.clear();
        assert!(cache.keys.is_empty());
    }
}
