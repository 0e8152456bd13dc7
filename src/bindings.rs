//! WebAssembly bindings: conversions between JavaScript values and the core.
//!
//! This module holds no logic. Every function converts its arguments, calls
//! one core function and converts the result; core errors become JavaScript
//! `Error`s carrying the stable `code` (see `docs/WASM-API.md`). Offsets
//! returned to JavaScript are in UTF-16 code units.

use js_sys::{Array, Object, Reflect, Uint8Array};
use serde::Serialize;
use wasm_bindgen::prelude::*;
use zeroize::Zeroizing;

use crate::crypto::{self, KeyCache, MessageKey, Metadata, Opened, SealOptions, SENDER_ID_BYTES};
use crate::error::{Error, ErrorCode};
use crate::format;
use crate::keys::{self, NamedKey, SecretKey};
use crate::OsRandom;

fn js_error(error: Error) -> JsValue {
    let js = js_sys::Error::new(error.message());
    // Setting a property on a fresh Error object cannot fail.
    let _ = Reflect::set(&js, &"code".into(), &error.code().as_str().into());
    js.into()
}

fn invalid(message: &'static str) -> JsValue {
    js_error(Error::new(ErrorCode::InvalidArgument, message))
}

fn to_js<T: Serialize>(value: &T) -> Result<JsValue, JsValue> {
    value
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .map_err(|_| invalid("the result could not be converted"))
}

/// Copies `bytes` to the front of the caller's `out`; returns the count.
fn copy_out(bytes: &[u8], out: &Uint8Array) -> Result<u32, JsValue> {
    let len = u32::try_from(bytes.len()).map_err(|_| invalid("the output buffer is too small"))?;
    if len > out.length() {
        return Err(invalid("the output buffer is too small"));
    }
    out.subarray(0, len).copy_from(bytes);
    Ok(len)
}

fn set(object: &Object, name: &str, value: JsValue) {
    // Setting a property on a plain object cannot fail.
    let _ = Reflect::set(object, &name.into(), &value);
}

/// Converts increasing byte offsets in a text to UTF-16 code units in one pass.
struct Utf16Cursor<'t> {
    text: &'t str,
    byte: usize,
    units: usize,
}

impl<'t> Utf16Cursor<'t> {
    fn new(text: &'t str) -> Self {
        Utf16Cursor {
            text,
            byte: 0,
            units: 0,
        }
    }

    /// UTF-16 offset of byte offset `to` (must not be below the previous one).
    fn advance(&mut self, to: usize) -> usize {
        if let Some(between) = self.text.get(self.byte..to) {
            self.units += between.encode_utf16().count();
            self.byte = to;
        }
        self.units
    }
}

fn key_info(named: &NamedKey) -> Object {
    let info = Object::new();
    set(&info, "name", named.name.as_str().into());
    set(&info, "keyCode", named.to_key_code().into());
    set(&info, "keyId", named.key.id().to_string().into());
    set(&info, "safetyNumber", named.key.safety_number().into());
    set(
        &info,
        "secret",
        Uint8Array::from(named.key.expose_bytes().as_slice()).into(),
    );
    info
}

fn secret_key(bytes: &[u8]) -> Result<SecretKey, JsValue> {
    SecretKey::from_slice(bytes).map_err(js_error)
}

thread_local! {
    /// Keys prepared by earlier calls: JavaScript hands over raw keys at every
    /// call, and preparing one was about a twentieth of a 1 KiB encrypt.
    static MESSAGE_KEYS: core::cell::RefCell<KeyCache> = const { core::cell::RefCell::new(KeyCache::new()) };
}

/// Runs `f` with `secrets` prepared (from the cache when they were used lately).
fn with_message_keys<R>(
    secrets: &[SecretKey],
    f: impl FnOnce(&[Box<MessageKey>]) -> Result<R, JsValue>,
) -> Result<R, JsValue> {
    MESSAGE_KEYS.with(|cache| {
        let mut cache = cache
            .try_borrow_mut()
            .map_err(|_| invalid("the key cache is busy"))?;
        f(cache.prepare(secrets))
    })
}

/// Wipes the keys prepared by earlier calls (e.g. after a key was deleted).
#[wasm_bindgen(js_name = forgetPreparedKeys)]
pub fn forget_prepared_keys() {
    MESSAGE_KEYS.with(|cache| {
        if let Ok(mut cache) = cache.try_borrow_mut() {
            cache.clear();
        }
    });
}

/// Creates a random key named `name`.
#[wasm_bindgen(js_name = generateKey)]
pub fn generate_key(name: &str) -> Result<Object, JsValue> {
    let key = SecretKey::generate(&mut OsRandom).map_err(js_error)?;
    Ok(key_info(&NamedKey::new(key, name).map_err(js_error)?))
}

/// Reads a key code.
#[wasm_bindgen(js_name = readKeyCode)]
pub fn read_key_code(code: &str) -> Result<Object, JsValue> {
    Ok(key_info(&NamedKey::from_key_code(code).map_err(js_error)?))
}

/// Describes raw key bytes under `name` (key code, id, safety number).
#[wasm_bindgen(js_name = describeKey)]
pub fn describe_key(secret: &[u8], name: &str) -> Result<Object, JsValue> {
    Ok(key_info(
        &NamedKey::new(secret_key(secret)?, name).map_err(js_error)?,
    ))
}

/// Throws `weak_passphrase` when the passphrase is obviously weak.
#[wasm_bindgen(js_name = checkPassphrase)]
pub fn check_passphrase(passphrase: &str) -> Result<(), JsValue> {
    keys::check_passphrase(passphrase).map_err(js_error)
}

/// Derives a key from a passphrase (Argon2id; slow on purpose).
#[wasm_bindgen(js_name = passphraseKey)]
pub fn passphrase_key(passphrase: &str, name: &str) -> Result<Object, JsValue> {
    let key = keys::passphrase_key(passphrase).map_err(js_error)?;
    Ok(key_info(&NamedKey::new(key, name).map_err(js_error)?))
}

/// Encrypts backup contents under a passphrase (Argon2id with a random salt).
#[wasm_bindgen(js_name = sealBackup)]
pub fn seal_backup(contents: &str, passphrase: &str) -> Result<String, JsValue> {
    keys::seal_backup(contents, passphrase, &mut OsRandom).map_err(js_error)
}

/// Opens a backup made by `sealBackup`; `altered` for a wrong passphrase.
#[wasm_bindgen(js_name = openBackup)]
pub fn open_backup(text: &str, passphrase: &str) -> Result<String, JsValue> {
    keys::open_backup(text, passphrase)
        .map(|contents| contents.as_str().to_owned())
        .map_err(js_error)
}

/// The QR code of a key code, as an SVG document.
#[wasm_bindgen(js_name = keyCodeQrSvg)]
pub fn key_code_qr_svg(code: &str) -> Result<String, JsValue> {
    keys::key_code_qr_svg(code).map_err(js_error)
}

/// A new random sender id (16 hex digits), made once per installation.
#[wasm_bindgen(js_name = newSenderId)]
pub fn new_sender_id() -> Result<String, JsValue> {
    let mut id = [0u8; SENDER_ID_BYTES];
    crate::RandomSource::fill(&mut OsRandom, &mut id).map_err(js_error)?;
    Ok(keys::hex(&id))
}

struct EncryptOptions {
    sender_id: String,
    counter: f64,
    created_ms: f64,
    conversation: Option<String>,
    max_chars: Option<f64>,
}

const ENCRYPT_OPTIONS: &str =
    "encrypt options must be {senderId, counter, createdMs, conversation?, maxChars?}";

/// `object[name]`, with `undefined` and `null` read as absent.
fn field(object: &JsValue, name: &str) -> Option<JsValue> {
    let value = Reflect::get(object, &name.into()).ok()?;
    (!value.is_undefined() && !value.is_null()).then_some(value)
}

/// Read by hand rather than with serde: its deserializer (and the float
/// formatting of its error messages) added about 12 kB (gzip) to the WASM.
fn encrypt_options(options: &JsValue) -> Result<EncryptOptions, JsValue> {
    let shape = || invalid(ENCRYPT_OPTIONS);
    if !options.is_object() {
        return Err(shape());
    }
    let string = |name| field(options, name).map(|v| v.as_string().ok_or_else(shape));
    let number = |name| field(options, name).map(|v| v.as_f64().ok_or_else(shape));
    Ok(EncryptOptions {
        sender_id: string("senderId").ok_or_else(shape)??,
        counter: number("counter").ok_or_else(shape)??,
        created_ms: number("createdMs").ok_or_else(shape)??,
        conversation: string("conversation").transpose()?,
        max_chars: number("maxChars").transpose()?,
    })
}

fn parse_sender_id(hex: &str) -> Result<[u8; SENDER_ID_BYTES], JsValue> {
    let bytes = data_encoding::HEXLOWER_PERMISSIVE
        .decode(hex.as_bytes())
        .map_err(|_| invalid("senderId must be 16 hexadecimal digits"))?;
    bytes
        .try_into()
        .map_err(|_| invalid("senderId must be 16 hexadecimal digits"))
}

fn whole_number(value: f64, what: &'static str) -> Result<u64, JsValue> {
    if value.is_finite() && value >= 0.0 && value.fract() == 0.0 && value <= 9_007_199_254_740_991.0
    {
        Ok(value as u64)
    } else {
        Err(invalid(what))
    }
}

/// Encrypts `text` with the key `secret`; returns the armored blocks (several
/// when `maxChars` splits the message into parts).
///
/// `options`: `{senderId, counter, createdMs, conversation?, maxChars?}`.
#[wasm_bindgen]
pub fn encrypt(secret: &[u8], text: &str, options: JsValue) -> Result<Array, JsValue> {
    let options = encrypt_options(&options)?;
    let max_chars = match options.max_chars {
        Some(n) => Some(whole_number(n, "maxChars must be a whole number")? as usize),
        None => None,
    };
    let seal = SealOptions {
        metadata: Metadata {
            sender_id: parse_sender_id(&options.sender_id)?,
            created_ms: whole_number(options.created_ms, "createdMs must be a whole number")?,
            counter: whole_number(options.counter, "counter must be a whole number")?,
        },
        conversation: options.conversation.as_deref(),
        max_chars,
    };
    let blocks = with_message_keys(&[secret_key(secret)?], |keys| {
        crypto::encrypt(&keys[0], text, &seal, &mut OsRandom).map_err(js_error)
    })?;
    Ok(blocks.into_iter().map(JsValue::from).collect())
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct OpenedJs<'a> {
    text: &'a str,
    key_id: String,
    sender_id: String,
    created_ms: f64,
    counter: f64,
    conversation: &'static str,
}

fn opened_js(opened: &Opened) -> Result<JsValue, JsValue> {
    to_js(&OpenedJs {
        text: &opened.text,
        key_id: opened.key_id.to_string(),
        sender_id: keys::hex(&opened.metadata.sender_id),
        created_ms: opened.metadata.created_ms as f64,
        counter: opened.metadata.counter as f64,
        conversation: opened.conversation.as_str(),
    })
}

fn secret_keys(keys: &Array) -> Result<Vec<SecretKey>, JsValue> {
    keys.iter()
        .map(|value| {
            let bytes = value
                .dyn_into::<Uint8Array>()
                .map_err(|_| invalid("keys must be an array of Uint8Array"))?;
            secret_key(&Zeroizing::new(bytes.to_vec()))
        })
        .collect()
}

/// Decrypts one message from its blocks (all parts, any order) with whichever
/// of `keys` (an array of `Uint8Array`) it names. Returns
/// `{text, keyId, senderId, createdMs, counter, conversation}` where
/// `conversation` is `"match"`, `"unbound"` or `"unchecked"`.
#[wasm_bindgen]
pub fn decrypt(
    blocks: Vec<String>,
    keys: Array,
    conversation: Option<String>,
) -> Result<JsValue, JsValue> {
    let keys = secret_keys(&keys)?;
    let blocks: Vec<&str> = blocks.iter().map(String::as_str).collect();
    let opened = with_message_keys(&keys, |keys| {
        crypto::decrypt_blocks(&blocks, keys, conversation.as_deref()).map_err(js_error)
    })?;
    opened_js(&opened)
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct FoundBlockJs {
    start: usize,
    end: usize,
    part_index: Option<u8>,
    part_count: Option<u8>,
    message_id: Option<String>,
    key_id: Option<String>,
    error: Option<&'static str>,
}

/// Finds the ChatSeal blocks in `text`: `[{start, end, partIndex, partCount,
/// messageId, keyId, error}]` with UTF-16 offsets. `keyId` is known for single
/// blocks and first parts; `error` is a code when the block cannot be read.
#[wasm_bindgen(js_name = findBlocks)]
pub fn find_blocks(text: &str) -> Result<JsValue, JsValue> {
    let mut cursor = Utf16Cursor::new(text);
    let found: Vec<FoundBlockJs> = format::find_blocks(text)
        .into_iter()
        .map(|block| {
            let (part_index, part_count, message_id, key_id, error) = match &block.part {
                Ok(part) => (
                    Some(part.index),
                    Some(part.count),
                    part.message_id.map(|id| keys::hex(&id)),
                    (part.index == 1)
                        .then(|| crypto::envelope_key_id(&part.fragment))
                        .flatten()
                        .map(|id| id.to_string()),
                    None,
                ),
                Err(e) => (None, None, None, None, Some(e.code().as_str())),
            };
            FoundBlockJs {
                start: cursor.advance(block.start),
                end: cursor.advance(block.end),
                part_index,
                part_count,
                message_id,
                key_id,
                error,
            }
        })
        .collect();
    to_js(&found)
}

#[cfg(feature = "contacts")]
#[derive(Serialize)]
struct FindingJs<'a> {
    kind: &'static str,
    start: usize,
    end: usize,
    text: &'a str,
    reason: &'static str,
}

/// Contact details in `text` under the policy of the site `host`, leaving out
/// the kinds named in `disabledKinds` (e.g. `["url"]`):
/// `[{kind, start, end, text, reason}]` with UTF-16 offsets.
#[cfg(feature = "contacts")]
#[wasm_bindgen(js_name = scanContacts)]
pub fn scan_contacts(
    text: &str,
    host: &str,
    disabled_kinds: Option<Vec<String>>,
) -> Result<JsValue, JsValue> {
    use crate::contacts::{self, Kind, Policy};
    let disabled = disabled_kinds
        .unwrap_or_default()
        .iter()
        .map(|name| Kind::from_name(name).ok_or_else(|| invalid("unknown contact kind")))
        .collect::<Result<Vec<Kind>, JsValue>>()?;
    let findings = contacts::scan(text, &Policy::for_site(host).with_disabled(&disabled));
    let spans = contacts::utf16_spans(text, &findings);
    let out: Vec<FindingJs<'_>> = findings
        .iter()
        .zip(spans)
        .map(|(f, (start, end))| FindingJs {
            kind: f.kind.as_str(),
            start,
            end,
            text: &f.text,
            reason: f.reason,
        })
        .collect();
    to_js(&out)
}

/// Streaming file encryption: `new FileEncryptor(secret, name, type)`, then
/// `header()`, `push(chunk)` for each piece of the file, `finish()`; the
/// `Uint8Array`s returned, in order, are the `.chatseal` file.
#[wasm_bindgen]
pub struct FileEncryptor {
    sealer: Option<crate::file::FileSealer>,
}

#[wasm_bindgen]
impl FileEncryptor {
    /// Starts a file sealed with `secret` carrying `name` and media `type`.
    #[wasm_bindgen(constructor)]
    pub fn new(secret: &[u8], name: &str, media_type: &str) -> Result<FileEncryptor, JsValue> {
        let sealer =
            crate::file::FileSealer::new(&secret_key(secret)?, name, media_type, &mut OsRandom)
                .map_err(js_error)?;
        Ok(FileEncryptor {
            sealer: Some(sealer),
        })
    }

    /// The file header, written first.
    pub fn header(&self) -> Result<Uint8Array, JsValue> {
        let sealer = self
            .sealer
            .as_ref()
            .ok_or_else(|| invalid("the file is already finished"))?;
        Ok(Uint8Array::from(sealer.header()))
    }

    /// Encrypts the next piece of the file; returns the completed chunks.
    pub fn push(&mut self, data: &[u8]) -> Result<Uint8Array, JsValue> {
        let sealer = self
            .sealer
            .as_mut()
            .ok_or_else(|| invalid("the file is already finished"))?;
        Ok(Uint8Array::from(
            sealer.push(data).map_err(js_error)?.as_slice(),
        ))
    }

    /// Like `push`, but writes the completed chunks into `out` (a buffer the
    /// caller reuses, so no new `Uint8Array` per call) and returns how many
    /// bytes it wrote. `out` needs room for `data.length + 65,552 × (⌊data.length
    /// / 65,536⌋ + 2)` bytes; when it is too small this throws and the
    /// encryptor is finished (discard everything).
    #[wasm_bindgen(js_name = pushInto)]
    pub fn push_into(&mut self, data: &[u8], out: &Uint8Array) -> Result<u32, JsValue> {
        let sealer = self
            .sealer
            .as_mut()
            .ok_or_else(|| invalid("the file is already finished"))?;
        let sealed = sealer.push(data).map_err(js_error)?;
        copy_out(&sealed, out).inspect_err(|_| self.sealer = None)
    }

    /// Seals the last chunk and returns it.
    pub fn finish(&mut self) -> Result<Uint8Array, JsValue> {
        let sealer = self
            .sealer
            .take()
            .ok_or_else(|| invalid("the file is already finished"))?;
        Ok(Uint8Array::from(
            sealer.finish().map_err(js_error)?.as_slice(),
        ))
    }
}

/// Streaming file decryption: `new FileDecryptor(keys)`, `push(chunk)` for
/// each piece of the `.chatseal` file (returns plaintext), then `finish()`
/// → `{data, name, type}`. When any call throws, discard everything.
#[wasm_bindgen]
pub struct FileDecryptor {
    opener: Option<crate::file::FileOpener>,
}

#[wasm_bindgen]
impl FileDecryptor {
    /// A decryptor trying each of `keys` (an array of `Uint8Array(32)`).
    #[wasm_bindgen(constructor)]
    pub fn new(keys: Array) -> Result<FileDecryptor, JsValue> {
        Ok(FileDecryptor {
            opener: Some(crate::file::FileOpener::new(secret_keys(&keys)?)),
        })
    }

    /// Decrypts the next piece; returns the plaintext authenticated so far.
    pub fn push(&mut self, data: &[u8]) -> Result<Uint8Array, JsValue> {
        let opener = self
            .opener
            .as_mut()
            .ok_or_else(|| invalid("the file is already finished"))?;
        Ok(Uint8Array::from(
            opener.push(data).map_err(js_error)?.as_slice(),
        ))
    }

    /// Like `push`, but writes the plaintext into `out` (a buffer the caller
    /// reuses) and returns how many bytes it wrote. `out` needs room for
    /// `data.length + 65,557` bytes; when it is too small this throws and the
    /// decryptor is finished (discard everything).
    #[wasm_bindgen(js_name = pushInto)]
    pub fn push_into(&mut self, data: &[u8], out: &Uint8Array) -> Result<u32, JsValue> {
        let opener = self
            .opener
            .as_mut()
            .ok_or_else(|| invalid("the file is already finished"))?;
        let plain = opener.push(data).map_err(js_error)?;
        copy_out(&plain, out).inspect_err(|_| self.opener = None)
    }

    /// Checks the end of the file: `{data, name, type}`, `data` the last plaintext.
    pub fn finish(&mut self) -> Result<Object, JsValue> {
        let opener = self
            .opener
            .take()
            .ok_or_else(|| invalid("the file is already finished"))?;
        let (data, info) = opener.finish().map_err(js_error)?;
        let result = Object::new();
        set(&result, "data", Uint8Array::from(data.as_slice()).into());
        set(&result, "name", info.name.into());
        set(&result, "type", info.media_type.into());
        Ok(result)
    }
}
