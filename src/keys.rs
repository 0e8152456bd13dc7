//! Keys: random and passphrase keys, the key code people share out of band,
//! its QR code, the key id and the safety number both sides compare.
//!
//! `docs/KEYS.md` is the normative description.

use core::fmt;

use sha2::{Digest, Sha256};
use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

use crate::error::{Error, ErrorCode, Result};
use crate::format::base32;
use crate::RandomSource;

/// Bytes of a key.
pub const KEY_BYTES: usize = 32;
/// Bytes of a key id.
pub const KEY_ID_BYTES: usize = 8;
/// Most bytes (UTF-8) of a key's name.
pub const MAX_NAME_BYTES: usize = 64;
/// Version byte inside a key code.
pub const KEY_CODE_VERSION: u8 = 1;
/// Letters that start every key code (before grouping dashes).
pub const KEY_CODE_PREFIX: &str = "CHATSEAL-KEY";
/// Bytes of the key code checksum.
const CHECKSUM_BYTES: usize = 4;
/// Characters per dash-separated group of a key code.
const KEY_CODE_GROUP: usize = 5;

/// Argon2id memory cost for passphrase keys, in KiB (64 MiB).
pub const PASSPHRASE_MEMORY_KIB: u32 = 64 * 1024;
/// Argon2id passes for passphrase keys.
pub const PASSPHRASE_ITERATIONS: u32 = 3;
/// Argon2id lanes for passphrase keys.
pub const PASSPHRASE_PARALLELISM: u32 = 1;
/// The fixed salt of passphrase keys: both sides must derive the same key from
/// the passphrase alone, so the salt cannot be random (see `docs/KEYS.md`).
pub const PASSPHRASE_SALT: &[u8] = b"ChatSeal v1 passphrase key";
/// Fewest characters a passphrase may have.
pub const MIN_PASSPHRASE_CHARS: usize = 16;
/// Fewest distinct characters a passphrase may have.
pub const MIN_PASSPHRASE_DISTINCT: usize = 8;

const KEY_ID_CONTEXT: &[u8] = b"ChatSeal v1 key id\0";
const FINGERPRINT_CONTEXT: &[u8] = b"ChatSeal v1 safety number\0";
const CHECKSUM_CONTEXT: &[u8] = b"ChatSeal v1 key code\0";

/// A 256-bit symmetric key. Zeroized on drop; never printed.
#[derive(Clone, Zeroize, ZeroizeOnDrop, PartialEq, Eq)]
pub struct SecretKey([u8; KEY_BYTES]);

impl fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SecretKey(id {})", self.id())
    }
}

/// The public, one-way identifier of a key: the first 8 bytes of
/// SHA-256("ChatSeal v1 key id\0" ‖ key).
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct KeyId(pub [u8; KEY_ID_BYTES]);

impl fmt::Display for KeyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&hex(&self.0))
    }
}

impl fmt::Debug for KeyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "KeyId({self})")
    }
}

/// Lower-case hexadecimal, as key ids and sender ids are shown.
pub fn hex(bytes: &[u8]) -> String {
    data_encoding::HEXLOWER.encode(bytes)
}

fn tagged_hash(context: &[u8], data: &[u8]) -> [u8; 32] {
    let mut hasher = Sha256::new();
    hasher.update(context);
    hasher.update(data);
    hasher.finalize().into()
}

impl SecretKey {
    /// A new random key.
    pub fn generate(rng: &mut impl RandomSource) -> Result<SecretKey> {
        let mut key = SecretKey([0u8; KEY_BYTES]);
        rng.fill(&mut key.0)?;
        Ok(key)
    }

    /// Wraps raw key bytes.
    pub fn from_bytes(bytes: [u8; KEY_BYTES]) -> SecretKey {
        SecretKey(bytes)
    }

    /// Reads raw key bytes from a slice of exactly [`KEY_BYTES`].
    pub fn from_slice(bytes: &[u8]) -> Result<SecretKey> {
        let array: [u8; KEY_BYTES] = bytes.try_into().map_err(|_| {
            Error::new(ErrorCode::InvalidArgument, "a key must be exactly 32 bytes")
        })?;
        Ok(SecretKey(array))
    }

    /// The raw key bytes. Handle with care: callers must not log them.
    pub fn expose_bytes(&self) -> &[u8; KEY_BYTES] {
        &self.0
    }

    /// The key's public id.
    pub fn id(&self) -> KeyId {
        let digest = tagged_hash(KEY_ID_CONTEXT, &self.0);
        let mut id = [0u8; KEY_ID_BYTES];
        id.copy_from_slice(&digest[..KEY_ID_BYTES]);
        KeyId(id)
    }

    /// The safety number: 30 digits in six groups of five, the same for
    /// everyone holding this key, to be compared aloud or side by side.
    pub fn safety_number(&self) -> String {
        let digest = tagged_hash(FINGERPRINT_CONTEXT, &self.0);
        digest
            .chunks_exact(5)
            .take(6)
            .map(|chunk| {
                let value = chunk.iter().fold(0u64, |acc, &b| (acc << 8) | u64::from(b));
                format!("{:05}", value % 100_000)
            })
            .collect::<Vec<_>>()
            .join(" ")
    }
}

/// A key with the name its creator gave it, as carried by a key code.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NamedKey {
    /// The key.
    pub key: SecretKey,
    /// A label for people ("Acme project"); at most [`MAX_NAME_BYTES`] bytes.
    pub name: String,
}

fn check_name(name: &str) -> Result<()> {
    if name.len() > MAX_NAME_BYTES {
        return Err(Error::new(
            ErrorCode::InvalidArgument,
            "a key name may have at most 64 bytes",
        ));
    }
    if name.chars().any(char::is_control) {
        return Err(Error::new(
            ErrorCode::InvalidArgument,
            "a key name may not contain control characters",
        ));
    }
    Ok(())
}

impl NamedKey {
    /// Pairs a key with a name, checking the name's limits.
    pub fn new(key: SecretKey, name: &str) -> Result<NamedKey> {
        let name = name.trim();
        check_name(name)?;
        Ok(NamedKey {
            key,
            name: name.to_owned(),
        })
    }

    /// The key code: `CHATSEAL-KEY-` and dash-separated groups of Crockford
    /// base32 carrying version, key, name and a checksum.
    pub fn to_key_code(&self) -> String {
        let mut bytes = Zeroizing::new(Vec::with_capacity(
            1 + KEY_BYTES + self.name.len() + CHECKSUM_BYTES,
        ));
        bytes.push(KEY_CODE_VERSION);
        bytes.extend_from_slice(self.key.expose_bytes());
        bytes.extend_from_slice(self.name.as_bytes());
        let checksum = tagged_hash(CHECKSUM_CONTEXT, &bytes);
        bytes.extend_from_slice(&checksum[..CHECKSUM_BYTES]);
        let body = Zeroizing::new(base32().encode(&bytes));
        let mut code = String::from(KEY_CODE_PREFIX);
        for group in body.as_bytes().chunks(KEY_CODE_GROUP) {
            code.push('-');
            code.extend(group.iter().map(|&b| char::from(b)));
        }
        code
    }

    /// Reads a key code. Case, spaces, dashes, line breaks and other
    /// punctuation are ignored; `O` reads as `0` and `I`/`L` as `1`.
    pub fn from_key_code(code: &str) -> Result<NamedKey> {
        let folded: Zeroizing<Vec<u8>> = Zeroizing::new(
            code.bytes()
                .filter(u8::is_ascii_alphanumeric)
                .map(|b| b.to_ascii_uppercase())
                .collect(),
        );
        let prefix: Vec<u8> = KEY_CODE_PREFIX
            .bytes()
            .filter(u8::is_ascii_alphanumeric)
            .collect();
        let body = folded.strip_prefix(prefix.as_slice()).ok_or(Error::new(
            ErrorCode::BadKeyCode,
            "this is not a ChatSeal key code (it must start with CHATSEAL-KEY)",
        ))?;
        if body.len() > 2 * (1 + KEY_BYTES + MAX_NAME_BYTES + CHECKSUM_BYTES) {
            return Err(Error::new(
                ErrorCode::BadKeyCode,
                "the key code is too long",
            ));
        }
        let bytes = Zeroizing::new(base32().decode(body).map_err(|e| match e.kind {
            data_encoding::DecodeKind::Length | data_encoding::DecodeKind::Trailing => Error::new(
                ErrorCode::KeyCodeChecksum,
                "the key code is incomplete or mistyped (its checksum does not match)",
            ),
            _ => Error::new(
                ErrorCode::BadKeyCode,
                "the key code contains characters a key code never has",
            ),
        })?);
        let min = 1 + KEY_BYTES + CHECKSUM_BYTES;
        if bytes.len() < min {
            return Err(Error::new(
                ErrorCode::KeyCodeChecksum,
                "the key code is incomplete or mistyped (its checksum does not match)",
            ));
        }
        let (content, checksum) = bytes.split_at(bytes.len() - CHECKSUM_BYTES);
        if tagged_hash(CHECKSUM_CONTEXT, content)[..CHECKSUM_BYTES] != *checksum {
            return Err(Error::new(
                ErrorCode::KeyCodeChecksum,
                "the key code is incomplete or mistyped (its checksum does not match)",
            ));
        }
        if content[0] != KEY_CODE_VERSION {
            return Err(Error::new(
                ErrorCode::UnsupportedVersion,
                "the key code was made by a ChatSeal version this build does not read",
            ));
        }
        let key = SecretKey::from_slice(&content[1..1 + KEY_BYTES])?;
        let name = core::str::from_utf8(&content[1 + KEY_BYTES..]).map_err(|_| {
            Error::new(
                ErrorCode::BadKeyCode,
                "the key code's name is not valid text",
            )
        })?;
        check_name(name)
            .map_err(|_| Error::new(ErrorCode::BadKeyCode, "the key code's name is not allowed"))?;
        Ok(NamedKey {
            key,
            name: name.to_owned(),
        })
    }
}

/// Renders a key code as an SVG QR code (error correction level M).
pub fn key_code_qr_svg(code: &str) -> Result<String> {
    use qrcode::{render::svg, EcLevel, QrCode};
    let qr = QrCode::with_error_correction_level(code.as_bytes(), EcLevel::M).map_err(|_| {
        Error::new(
            ErrorCode::InvalidArgument,
            "the text is too long for a QR code",
        )
    })?;
    Ok(qr
        .render::<svg::Color<'_>>()
        .min_dimensions(200, 200)
        .quiet_zone(true)
        .build())
}

/// Renders a key code as a QR code made of Unicode half blocks, for terminals.
pub fn key_code_qr_text(code: &str) -> Result<String> {
    use qrcode::{render::unicode, EcLevel, QrCode};
    let qr = QrCode::with_error_correction_level(code.as_bytes(), EcLevel::M).map_err(|_| {
        Error::new(
            ErrorCode::InvalidArgument,
            "the text is too long for a QR code",
        )
    })?;
    Ok(qr
        .render::<unicode::Dense1x2>()
        .dark_color(unicode::Dense1x2::Light)
        .light_color(unicode::Dense1x2::Dark)
        .build())
}

/// Refuses passphrases that are obviously weak (see `docs/KEYS.md`).
///
/// This is a floor, not a strength meter: it catches short, repetitive,
/// sequential and well-known passphrases.
pub fn check_passphrase(passphrase: &str) -> Result<()> {
    let normalized = normalize_passphrase(passphrase);
    let chars: Vec<char> = normalized.chars().flat_map(char::to_lowercase).collect();
    let weak = |message| Err(Error::new(ErrorCode::WeakPassphrase, message));
    if chars.len() < MIN_PASSPHRASE_CHARS {
        return weak("the passphrase is too short: use at least 16 characters, e.g. four or more unrelated words");
    }
    let mut distinct = chars.clone();
    distinct.sort_unstable();
    distinct.dedup();
    if distinct.len() < MIN_PASSPHRASE_DISTINCT {
        return weak("the passphrase repeats too few different characters");
    }
    // A short unit repeated ("abcabcabc…", "passwordpassword").
    for unit in 1..=chars.len() / 2 {
        if chars.len() % unit == 0 && chars.chunks(unit).all(|c| c == &chars[..unit]) {
            return weak("the passphrase is one short piece repeated");
        }
    }
    // Runs of consecutive code points ("abcdefgh", "12345678", "87654321").
    let steps: Vec<i64> = chars
        .windows(2)
        .map(|w| i64::from(u32::from(w[1])) - i64::from(u32::from(w[0])))
        .collect();
    let sequential = steps
        .iter()
        .filter(|&&s| s == 1 || s == -1 || s == 0)
        .count();
    if sequential * 10 >= steps.len() * 7 {
        return weak("the passphrase is mostly a sequence of neighbouring characters");
    }
    let compact: String = chars.iter().filter(|c| c.is_alphanumeric()).collect();
    const COMMON: &[&str] = &[
        "password",
        "passphrase",
        "qwerty",
        "letmein",
        "iloveyou",
        "welcome",
        "chatseal",
        "upwork",
        "fiverr",
        "freelancer",
        "secret",
        "123456",
        "admin",
        "monkey",
        "dragon",
        "asdfgh",
        "zxcvbn",
        "abc123",
        "trustno1",
        "correcthorsebatterystaple",
    ];
    let mut rest = compact.clone();
    for word in COMMON {
        rest = rest.replace(word, "");
    }
    rest.retain(|c| !c.is_ascii_digit());
    if rest.chars().count() < 8 {
        return weak("the passphrase is made of well-known words or digits");
    }
    Ok(())
}

/// Trims and collapses runs of whitespace to one space, so that both sides
/// derive the same key from the same words.
pub fn normalize_passphrase(passphrase: &str) -> String {
    passphrase.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Derives a key from a passphrase both sides agreed on (Argon2id, 64 MiB,
/// 3 passes, 1 lane, fixed salt). Refuses weak passphrases.
pub fn passphrase_key(passphrase: &str) -> Result<SecretKey> {
    check_passphrase(passphrase)?;
    argon2id(passphrase, PASSPHRASE_SALT)
}

/// Text that opens an encrypted key backup.
pub const BACKUP_BEGIN: &str = "BEGIN CHATSEAL BACKUP";
/// Text that closes an encrypted key backup.
pub const BACKUP_END: &str = "END CHATSEAL BACKUP";
/// Version byte of the backup format.
pub const BACKUP_VERSION: u8 = 1;
/// Bytes of a backup's random salt.
pub const BACKUP_SALT_BYTES: usize = 16;
/// Most bytes of backup contents.
pub const MAX_BACKUP_BYTES: usize = 1024 * 1024;

fn argon2id(passphrase: &str, salt: &[u8]) -> Result<SecretKey> {
    let normalized = Zeroizing::new(normalize_passphrase(passphrase));
    let params = argon2::Params::new(
        PASSPHRASE_MEMORY_KIB,
        PASSPHRASE_ITERATIONS,
        PASSPHRASE_PARALLELISM,
        Some(KEY_BYTES),
    )
    .map_err(|_| Error::new(ErrorCode::InvalidArgument, "invalid Argon2 parameters"))?;
    let argon = argon2::Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, params);
    let mut key = SecretKey([0u8; KEY_BYTES]);
    argon
        .hash_password_into(normalized.as_bytes(), salt, &mut key.0)
        .map_err(|_| {
            Error::new(
                ErrorCode::InvalidArgument,
                "the passphrase could not be used",
            )
        })?;
    Ok(key)
}

/// Encrypts `contents` (the caller's serialised keys) under a backup
/// passphrase: Argon2id with a random salt, then AES-256-GCM. The result is
/// text between [`BACKUP_BEGIN`] and [`BACKUP_END`], safe to save as a file.
pub fn seal_backup(
    contents: &str,
    passphrase: &str,
    rng: &mut impl RandomSource,
) -> Result<String> {
    use aes_gcm::aead::{Aead, KeyInit, Payload};
    check_passphrase(passphrase)?;
    if contents.len() > MAX_BACKUP_BYTES {
        return Err(Error::new(
            ErrorCode::TooLarge,
            "the backup is larger than 1 MiB",
        ));
    }
    let mut salt = [0u8; BACKUP_SALT_BYTES];
    rng.fill(&mut salt)?;
    let mut nonce = [0u8; 12];
    rng.fill(&mut nonce)?;
    let key = argon2id(passphrase, &salt)?;
    let cipher = aes_gcm::Aes256Gcm::new(key.expose_bytes().into());
    let aad = [BACKUP_VERSION];
    let ciphertext = cipher
        .encrypt(
            &aes_gcm::Nonce::from(nonce),
            Payload {
                msg: contents.as_bytes(),
                aad: &aad,
            },
        )
        .map_err(|_| Error::new(ErrorCode::TooLarge, "the backup could not be encrypted"))?;
    let mut bytes = vec![BACKUP_VERSION];
    bytes.extend_from_slice(&salt);
    bytes.extend_from_slice(&nonce);
    bytes.extend_from_slice(&ciphertext);
    let body = base32().encode(&bytes);
    let lines: Vec<String> = body
        .as_bytes()
        .chunks(64)
        .map(|line| line.iter().map(|&b| char::from(b)).collect())
        .collect();
    Ok(format!(
        "{BACKUP_BEGIN}\n{}\n{BACKUP_END}\n",
        lines.join("\n")
    ))
}

/// Opens a backup made by [`seal_backup`]. A wrong passphrase and an altered
/// file are the same error ([`ErrorCode::Altered`]): neither can be told apart.
pub fn open_backup(text: &str, passphrase: &str) -> Result<Zeroizing<String>> {
    use aes_gcm::aead::{Aead, KeyInit, Payload};
    let not_backup = || Error::new(ErrorCode::NotChatSeal, "this is not a ChatSeal backup file");
    let start = text.find(BACKUP_BEGIN).ok_or_else(not_backup)? + BACKUP_BEGIN.len();
    let end = text[start..].find(BACKUP_END).ok_or_else(not_backup)? + start;
    let body: Vec<u8> = text[start..end]
        .bytes()
        .filter(u8::is_ascii_alphanumeric)
        .map(|b| b.to_ascii_uppercase())
        .collect();
    if body.len() > MAX_BACKUP_BYTES * 2 {
        return Err(Error::new(
            ErrorCode::TooLarge,
            "the backup is larger than 1 MiB",
        ));
    }
    let bytes = base32().decode(&body).map_err(|_| not_backup())?;
    let header = 1 + BACKUP_SALT_BYTES + 12;
    if bytes.len() < header + 16 {
        return Err(not_backup());
    }
    if bytes[0] != BACKUP_VERSION {
        return Err(Error::new(
            ErrorCode::UnsupportedVersion,
            "the backup was made by a ChatSeal version this build does not read",
        ));
    }
    let key = argon2id(passphrase, &bytes[1..1 + BACKUP_SALT_BYTES])?;
    let mut nonce = [0u8; 12];
    nonce.copy_from_slice(&bytes[1 + BACKUP_SALT_BYTES..header]);
    let cipher = aes_gcm::Aes256Gcm::new(key.expose_bytes().into());
    let plain = Zeroizing::new(
        cipher
            .decrypt(
                &aes_gcm::Nonce::from(nonce),
                Payload {
                    msg: &bytes[header..],
                    aad: &[BACKUP_VERSION],
                },
            )
            .map_err(|_| {
                Error::new(
                    ErrorCode::Altered,
                    "wrong passphrase, or the backup file was altered",
                )
            })?,
    );
    let text = core::str::from_utf8(&plain)
        .map_err(|_| Error::new(ErrorCode::Altered, "the backup's contents are malformed"))?;
    Ok(Zeroizing::new(text.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(byte: u8) -> SecretKey {
        SecretKey::from_bytes([byte; KEY_BYTES])
    }

    #[test]
    fn key_code_round_trip_with_name() {
        let named = NamedKey::new(key(7), "Acme — logo project ✓").unwrap();
        let code = named.to_key_code();
        assert!(code.starts_with("CHATSEAL-KEY-"));
        assert_eq!(NamedKey::from_key_code(&code).unwrap(), named);
        // Mangled in transit: lower case, spaces instead of dashes, wrapped.
        let mangled = code
            .to_lowercase()
            .replace('-', " ")
            .replacen(' ', "\n> ", 3);
        assert_eq!(NamedKey::from_key_code(&mangled).unwrap(), named);
    }

    #[test]
    fn key_code_typo_and_truncation_are_caught() {
        let code = NamedKey::new(key(1), "x").unwrap().to_key_code();
        let mut typo: Vec<char> = code.chars().collect();
        let i = typo.len() - 8;
        typo[i] = if typo[i] == 'A' { 'B' } else { 'A' };
        let typo: String = typo.into_iter().collect();
        assert_eq!(
            NamedKey::from_key_code(&typo).unwrap_err().code(),
            ErrorCode::KeyCodeChecksum
        );
        for cut in 1..20 {
            let err = NamedKey::from_key_code(&code[..code.len() - cut]).unwrap_err();
            assert!(matches!(
                err.code(),
                ErrorCode::KeyCodeChecksum | ErrorCode::BadKeyCode
            ));
        }
        assert_eq!(
            NamedKey::from_key_code("hello").unwrap_err().code(),
            ErrorCode::BadKeyCode
        );
    }

    #[test]
    fn debug_never_shows_key_bytes() {
        let k = key(0xAB);
        let shown = format!("{k:?} {:?}", NamedKey::new(k.clone(), "n").unwrap());
        assert!(!shown.to_lowercase().contains("abab"));
        assert!(!shown.contains("171"));
    }

    #[test]
    fn safety_number_shape_and_stability() {
        let n = key(3).safety_number();
        assert_eq!(n.len(), 35);
        assert!(n
            .split(' ')
            .all(|g| g.len() == 5 && g.bytes().all(|b| b.is_ascii_digit())));
        assert_eq!(n, key(3).safety_number());
        assert_ne!(n, key(4).safety_number());
    }

    #[test]
    fn weak_passphrases_are_refused() {
        for weak in [
            "short",
            "aaaaaaaaaaaaaaaaaaaa",
            "abcdefghijklmnopqrstu",
            "passwordpassword",
            "password123456789",
            "12345678901234567890",
            "qwerty qwerty qwerty",
        ] {
            assert_eq!(
                check_passphrase(weak).unwrap_err().code(),
                ErrorCode::WeakPassphrase,
                "{weak}"
            );
        }
        check_passphrase("violet tractor honest lagoon").unwrap();
        check_passphrase("Mi gato come pizza los martes").unwrap();
    }

    struct Counter(u8);
    impl RandomSource for Counter {
        fn fill(&mut self, dest: &mut [u8]) -> Result<()> {
            for b in dest {
                self.0 = self.0.wrapping_add(1);
                *b = self.0;
            }
            Ok(())
        }
    }

    #[test]
    fn backup_round_trip_and_wrong_passphrase() {
        let pass = "orange kettle midnight ferry";
        let sealed = seal_backup("{\"keys\":[]}", pass, &mut Counter(0)).unwrap();
        assert!(sealed.starts_with(BACKUP_BEGIN));
        assert_eq!(
            open_backup(&sealed, pass).unwrap().as_str(),
            "{\"keys\":[]}"
        );
        let err = open_backup(&sealed, "orange kettle midnight ferries").unwrap_err();
        assert_eq!(err.code(), ErrorCode::Altered);
        assert_eq!(
            open_backup("nothing", pass).unwrap_err().code(),
            ErrorCode::NotChatSeal
        );
        assert_eq!(
            seal_backup("{}", "weak", &mut Counter(0))
                .unwrap_err()
                .code(),
            ErrorCode::WeakPassphrase
        );
    }

    #[test]
    fn qr_svg_is_svg() {
        let code = NamedKey::new(key(9), "q").unwrap().to_key_code();
        let svg = key_code_qr_svg(&code).unwrap();
        assert!(svg.contains("<svg"));
    }
}
