//! Encrypted files: a streaming AEAD (the STREAM construction of Hoang,
//! Reyhanitabar, Rogaway and Vizár, as used by age) over fixed-size chunks, so
//! files of any size are sealed and opened with bounded memory.
//!
//! `docs/FORMAT.md` §13 is the normative description.

use aes_gcm::aead::{AeadInOut, KeyInit};
use aes_gcm::{Aes256Gcm, Nonce, Tag};
use hkdf::Hkdf;
use sha2::Sha256;
use zeroize::Zeroizing;

use crate::crypto::{NONCE_BYTES, TAG_BYTES};
use crate::error::{Error, ErrorCode, Result};
use crate::keys::{KeyId, SecretKey, KEY_ID_BYTES};
use crate::RandomSource;

/// Bytes that start every ChatSeal file.
pub const MAGIC: &[u8; 9] = b"CHATSEALF";
/// File format version.
pub const FILE_VERSION: u8 = 1;
/// Bytes of the per-file random salt.
pub const SALT_BYTES: usize = 16;
/// Bytes of the file header: magic, version, key id, salt.
pub const HEADER_BYTES: usize = MAGIC.len() + 1 + KEY_ID_BYTES + SALT_BYTES;
/// Plaintext bytes of every chunk but the last.
pub const CHUNK_BYTES: usize = 64 * 1024;
/// Plaintext bytes of the last chunk: up to a chunk of data, zero padding to
/// a full chunk, and a 4-byte count of the data bytes.
pub const FINAL_CHUNK_BYTES: usize = CHUNK_BYTES + 4;
/// Most bytes of a file name carried inside.
pub const MAX_NAME_BYTES: usize = 1024;
/// Most bytes of a media type carried inside.
pub const MAX_TYPE_BYTES: usize = 255;
/// Most chunks a file may have (2^32: 256 TiB; the nonce has room for more).
pub const MAX_CHUNKS: u64 = 1 << 32;

const FILE_KEY_INFO: &[u8] = b"ChatSeal v1 file key";

fn header_bytes(key_id: &KeyId, salt: &[u8; SALT_BYTES]) -> [u8; HEADER_BYTES] {
    let mut header = [0u8; HEADER_BYTES];
    header[..MAGIC.len()].copy_from_slice(MAGIC);
    header[MAGIC.len()] = FILE_VERSION;
    header[MAGIC.len() + 1..MAGIC.len() + 1 + KEY_ID_BYTES].copy_from_slice(&key_id.0);
    header[MAGIC.len() + 1 + KEY_ID_BYTES..].copy_from_slice(salt);
    header
}

fn file_cipher(key: &SecretKey, salt: &[u8; SALT_BYTES]) -> Result<Aes256Gcm> {
    let mut file_key = Zeroizing::new([0u8; 32]);
    Hkdf::<Sha256>::new(Some(salt), key.expose_bytes())
        .expand(FILE_KEY_INFO, file_key.as_mut())
        .map_err(|_| Error::new(ErrorCode::InvalidArgument, "file key derivation failed"))?;
    Ok(Aes256Gcm::new((&*file_key).into()))
}

/// STREAM nonce: 88-bit big-endian chunk counter, then 1 for the last chunk.
fn chunk_nonce(counter: u64, last: bool) -> Nonce<aes_gcm::aead::consts::U12> {
    let mut nonce = [0u8; NONCE_BYTES];
    nonce[3..11].copy_from_slice(&counter.to_be_bytes());
    nonce[11] = u8::from(last);
    Nonce::from(nonce)
}

/// Seals a file chunk by chunk. Feed it with [`FileSealer::push`], end with
/// [`FileSealer::finish`]; concatenate everything they return after
/// [`FileSealer::header`].
pub struct FileSealer {
    cipher: Aes256Gcm,
    header: [u8; HEADER_BYTES],
    buffer: Zeroizing<Vec<u8>>,
    counter: u64,
}

impl FileSealer {
    /// Starts a file sealed with `key`, carrying the original `name` and media
    /// type `media_type` inside.
    pub fn new(
        key: &SecretKey,
        name: &str,
        media_type: &str,
        rng: &mut impl RandomSource,
    ) -> Result<FileSealer> {
        if name.len() > MAX_NAME_BYTES || media_type.len() > MAX_TYPE_BYTES {
            return Err(Error::new(
                ErrorCode::InvalidArgument,
                "the file name or type is too long",
            ));
        }
        let mut salt = [0u8; SALT_BYTES];
        rng.fill(&mut salt)?;
        let mut buffer = Zeroizing::new(Vec::with_capacity(FINAL_CHUNK_BYTES + TAG_BYTES));
        // name and type lengths are bounded above, so they fit.
        buffer.extend_from_slice(&(name.len() as u16).to_be_bytes());
        buffer.extend_from_slice(name.as_bytes());
        buffer.push(media_type.len() as u8);
        buffer.extend_from_slice(media_type.as_bytes());
        Ok(FileSealer {
            cipher: file_cipher(key, &salt)?,
            header: header_bytes(&key.id(), &salt),
            buffer,
            counter: 0,
        })
    }

    /// The header, to be written first.
    pub fn header(&self) -> &[u8] {
        &self.header
    }

    /// Adds plaintext; returns the ciphertext of every chunk completed.
    pub fn push(&mut self, mut data: &[u8]) -> Result<Vec<u8>> {
        let chunks = (self.buffer.len() + data.len()) / CHUNK_BYTES;
        let mut out = Vec::with_capacity(chunks * (CHUNK_BYTES + TAG_BYTES));
        // A chunk is sealed only once more data follows it, because the
        // last chunk is sealed differently.
        while !data.is_empty() {
            let room = CHUNK_BYTES + 1 - self.buffer.len().min(CHUNK_BYTES + 1);
            let take = room.min(data.len());
            self.buffer.extend_from_slice(&data[..take]);
            data = &data[take..];
            if self.buffer.len() > CHUNK_BYTES {
                let rest = self.buffer.split_off(CHUNK_BYTES);
                self.seal_chunk(false, &mut out)?;
                self.buffer.extend_from_slice(&rest);
            }
        }
        Ok(out)
    }

    /// Seals the last chunk and returns it.
    pub fn finish(mut self) -> Result<Vec<u8>> {
        let data_len = self.buffer.len();
        self.buffer.resize(CHUNK_BYTES, 0);
        // data_len ≤ CHUNK_BYTES, fits in u32.
        self.buffer
            .extend_from_slice(&(data_len as u32).to_be_bytes());
        let mut out = Vec::new();
        self.seal_chunk(true, &mut out)?;
        Ok(out)
    }

    fn seal_chunk(&mut self, last: bool, out: &mut Vec<u8>) -> Result<()> {
        if self.counter >= MAX_CHUNKS {
            return Err(Error::new(ErrorCode::TooLarge, "the file is too large"));
        }
        let tag: Tag = self
            .cipher
            .encrypt_inout_detached(
                &chunk_nonce(self.counter, last),
                &self.header,
                self.buffer.as_mut_slice().into(),
            )
            .map_err(|_| Error::new(ErrorCode::TooLarge, "the chunk could not be encrypted"))?;
        out.extend_from_slice(&self.buffer);
        out.extend_from_slice(&tag);
        self.buffer.clear();
        self.counter += 1;
        Ok(())
    }
}

/// What a file carried inside besides its content.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileInfo {
    /// The original file name.
    pub name: String,
    /// The original media type (may be empty).
    pub media_type: String,
}

/// Opens a file chunk by chunk. Plaintext is released only chunk by chunk
/// after each chunk authenticated; [`FileOpener::finish`] reports truncation,
/// so a caller must discard everything when it fails. After a failed push,
/// every later push and `finish` fail too (`altered`).
pub struct FileOpener {
    keys: Vec<SecretKey>,
    state: OpenerState,
    buffer: Vec<u8>,
    counter: u64,
    info: Option<FileInfo>,
}

enum OpenerState {
    Header,
    Chunks {
        cipher: Box<Aes256Gcm>,
        header: [u8; HEADER_BYTES],
    },
    /// A push failed: the buffer may hold a chunk opened in place, so
    /// nothing more is read.
    Failed,
}

const SEALED_CHUNK: usize = CHUNK_BYTES + TAG_BYTES;
const SEALED_FINAL: usize = FINAL_CHUNK_BYTES + TAG_BYTES;

impl FileOpener {
    /// A reader that will open the file with whichever of `keys` it names.
    pub fn new(keys: Vec<SecretKey>) -> FileOpener {
        FileOpener {
            keys,
            state: OpenerState::Header,
            buffer: Vec::new(),
            counter: 0,
            info: None,
        }
    }

    /// Name and type, known once the first chunk has been opened.
    pub fn info(&self) -> Option<&FileInfo> {
        self.info.as_ref()
    }

    /// Adds ciphertext; returns the plaintext of every chunk that could be
    /// authenticated so far.
    pub fn push(&mut self, mut data: &[u8]) -> Result<Vec<u8>> {
        if let OpenerState::Failed = self.state {
            return Err(altered());
        }
        let mut out = Vec::with_capacity(self.buffer.len() + data.len());
        while !data.is_empty() {
            // Buffer at most one sealed final chunk plus one byte: enough to
            // know whether the chunk at the front is the last.
            let room = (SEALED_FINAL + 1).saturating_sub(self.buffer.len());
            let take = room.min(data.len());
            self.buffer.extend_from_slice(&data[..take]);
            data = &data[take..];
            if let Err(e) = self.drain(&mut out) {
                self.state = OpenerState::Failed;
                self.buffer.clear();
                return Err(e);
            }
        }
        Ok(out)
    }

    fn drain(&mut self, out: &mut Vec<u8>) -> Result<()> {
        if let OpenerState::Header = self.state {
            if self.buffer.len() < HEADER_BYTES {
                return Ok(());
            }
            self.state = self.read_header()?;
            self.buffer.drain(..HEADER_BYTES);
        }
        // More than a final chunk's worth buffered: the front chunk is not last.
        while self.buffer.len() > SEALED_FINAL {
            self.open_chunk(false, SEALED_CHUNK, out)?;
        }
        Ok(())
    }

    fn read_header(&self) -> Result<OpenerState> {
        let header: [u8; HEADER_BYTES] = self.buffer[..HEADER_BYTES]
            .try_into()
            .map_err(|_| not_a_file())?;
        if &header[..MAGIC.len()] != MAGIC {
            return Err(not_a_file());
        }
        if header[MAGIC.len()] != FILE_VERSION {
            return Err(Error::new(
                ErrorCode::UnsupportedVersion,
                "the file was made by a ChatSeal version this build does not read",
            ));
        }
        let mut key_id = [0u8; KEY_ID_BYTES];
        key_id.copy_from_slice(&header[MAGIC.len() + 1..MAGIC.len() + 1 + KEY_ID_BYTES]);
        let key = self
            .keys
            .iter()
            .find(|k| k.id().0 == key_id)
            .ok_or(Error::new(
                ErrorCode::UnknownKey,
                "none of your keys can open this file",
            ))?;
        let mut salt = [0u8; SALT_BYTES];
        salt.copy_from_slice(&header[HEADER_BYTES - SALT_BYTES..]);
        Ok(OpenerState::Chunks {
            cipher: Box::new(file_cipher(key, &salt)?),
            header,
        })
    }

    fn open_chunk(&mut self, last: bool, sealed_len: usize, out: &mut Vec<u8>) -> Result<()> {
        let OpenerState::Chunks { cipher, header } = &self.state else {
            return Err(not_a_file());
        };
        if self.counter >= MAX_CHUNKS {
            return Err(Error::new(ErrorCode::TooLarge, "the file is too large"));
        }
        // Opened in place at the front of the buffer, then dropped from it.
        let sealed = self.buffer.get_mut(..sealed_len).ok_or_else(altered)?;
        let (chunk, tag) = sealed.split_at_mut(sealed_len - TAG_BYTES);
        let tag = Tag::try_from(&*tag).map_err(|_| altered())?;
        cipher
            .decrypt_inout_detached(
                &chunk_nonce(self.counter, last),
                header,
                (&mut *chunk).into(),
                &tag,
            )
            .map_err(|_| altered())?;
        self.counter += 1;
        let mut content: &[u8] = chunk;
        if last {
            let (padded, count) = chunk.split_at(CHUNK_BYTES);
            let count = u32::from_be_bytes(count.try_into().map_err(|_| altered())?) as usize;
            if count > CHUNK_BYTES || padded[count..].iter().any(|&b| b != 0) {
                return Err(altered());
            }
            content = &padded[..count];
        }
        if self.info.is_none() {
            let (info, rest) = read_info(content)?;
            self.info = Some(info);
            content = rest;
        }
        out.extend_from_slice(content);
        self.buffer.drain(..sealed_len);
        Ok(())
    }

    /// Opens the last chunk. Fails as `altered` when the file was truncated
    /// (the last chunk is missing or incomplete) or had data appended.
    pub fn finish(mut self) -> Result<(Vec<u8>, FileInfo)> {
        if let OpenerState::Failed = self.state {
            return Err(altered());
        }
        if let OpenerState::Header = self.state {
            return Err(if self.buffer.len() < HEADER_BYTES {
                truncated()
            } else {
                not_a_file()
            });
        }
        if self.buffer.len() != SEALED_FINAL {
            return Err(truncated());
        }
        let mut out = Vec::new();
        self.open_chunk(true, SEALED_FINAL, &mut out)?;
        let info = self.info.take().ok_or_else(altered)?;
        Ok((out, info))
    }
}

fn read_info(content: &[u8]) -> Result<(FileInfo, &[u8])> {
    let malformed = || Error::new(ErrorCode::Altered, "the file's name or type is malformed");
    let name_len = usize::from(u16::from_be_bytes(
        content
            .get(..2)
            .ok_or_else(malformed)?
            .try_into()
            .map_err(|_| malformed())?,
    ));
    let name = content.get(2..2 + name_len).ok_or_else(malformed)?;
    let type_len = usize::from(*content.get(2 + name_len).ok_or_else(malformed)?);
    let type_start = 3 + name_len;
    let media_type = content
        .get(type_start..type_start + type_len)
        .ok_or_else(malformed)?;
    let info = FileInfo {
        name: String::from_utf8(name.to_vec()).map_err(|_| malformed())?,
        media_type: String::from_utf8(media_type.to_vec()).map_err(|_| malformed())?,
    };
    Ok((info, &content[type_start + type_len..]))
}

fn not_a_file() -> Error {
    Error::new(ErrorCode::NotChatSeal, "this is not a ChatSeal file")
}

fn altered() -> Error {
    Error::new(
        ErrorCode::Altered,
        "the file was altered: it does not match what was encrypted",
    )
}

fn truncated() -> Error {
    Error::new(
        ErrorCode::Altered,
        "the file is incomplete: it was cut short",
    )
}

/// Seals a whole file held in memory (tests, small files).
pub fn seal_file(
    key: &SecretKey,
    name: &str,
    media_type: &str,
    content: &[u8],
    rng: &mut impl RandomSource,
) -> Result<Vec<u8>> {
    let mut sealer = FileSealer::new(key, name, media_type, rng)?;
    let mut out = sealer.header().to_vec();
    out.extend(sealer.push(content)?);
    out.extend(sealer.finish()?);
    Ok(out)
}

/// Opens a whole file held in memory.
pub fn open_file(keys: &[SecretKey], sealed: &[u8]) -> Result<(Vec<u8>, FileInfo)> {
    let mut opener = FileOpener::new(keys.to_vec());
    let mut content = opener.push(sealed)?;
    let (tail, info) = opener.finish()?;
    content.extend(tail);
    Ok((content, info))
}
