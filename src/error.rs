//! Errors of the core, each with a stable machine-readable code.
//!
//! The code strings are part of the public contract (CLI `--json`, the WASM
//! bindings' `Error.code`, the extension's failure states). Messages never
//! contain plaintext or key material.

use core::fmt;

/// A stable identifier for each kind of failure.
///
/// New codes may be added in later versions; the existing strings never change.
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ErrorCode {
    /// The text holds no ChatSeal block, or the block's body is not valid armor.
    NotChatSeal,
    /// The block was made by a format version this build does not read.
    UnsupportedVersion,
    /// None of the keys given has the block's key id.
    UnknownKey,
    /// Authentication failed: the block was changed, truncated or forged.
    Altered,
    /// The block is bound to another conversation than the one it was found in.
    WrongConversation,
    /// A part of a multipart message is missing, duplicated or belongs elsewhere.
    MissingPart,
    /// An input exceeds one of the format's hard limits.
    TooLarge,
    /// A key code could not be read (wrong prefix, characters or length).
    BadKeyCode,
    /// A key code's checksum does not match: mistyped or truncated.
    KeyCodeChecksum,
    /// The passphrase is too weak to derive a key from.
    WeakPassphrase,
    /// An argument is out of its documented range.
    InvalidArgument,
    /// The system's secure random generator failed.
    RandomUnavailable,
}

impl ErrorCode {
    /// The stable string form of the code.
    pub const fn as_str(self) -> &'static str {
        match self {
            ErrorCode::NotChatSeal => "not_chatseal",
            ErrorCode::UnsupportedVersion => "unsupported_version",
            ErrorCode::UnknownKey => "unknown_key",
            ErrorCode::Altered => "altered",
            ErrorCode::WrongConversation => "wrong_conversation",
            ErrorCode::MissingPart => "missing_part",
            ErrorCode::TooLarge => "too_large",
            ErrorCode::BadKeyCode => "bad_key_code",
            ErrorCode::KeyCodeChecksum => "key_code_checksum",
            ErrorCode::WeakPassphrase => "weak_passphrase",
            ErrorCode::InvalidArgument => "invalid_argument",
            ErrorCode::RandomUnavailable => "random_unavailable",
        }
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An error of the core: a stable [`ErrorCode`] and a plain-words explanation.
///
/// The explanation is a fixed English sentence chosen by the core; it never
/// quotes the input, so it cannot leak plaintext or keys.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Error {
    code: ErrorCode,
    message: &'static str,
}

impl Error {
    pub(crate) const fn new(code: ErrorCode, message: &'static str) -> Self {
        Error { code, message }
    }

    /// The stable code of this error.
    pub fn code(&self) -> ErrorCode {
        self.code
    }

    /// A plain-words explanation (English, no user data).
    pub fn message(&self) -> &'static str {
        self.message
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.message)
    }
}

impl std::error::Error for Error {}

/// Shorthand used across the core.
pub type Result<T> = core::result::Result<T, Error>;
