//! ChatSeal core: the message format, its cryptography, keys and the
//! contact-details detector.
//!
//! Everything here is pure: no I/O, no clock, no global randomness. Callers
//! inject randomness through [`RandomSource`] and the time as a number, so the
//! same code runs natively (CLI, tests, fuzzing) and in WebAssembly.
//!
//! Rooms:
//! - [`format`]: armor and framing (how bytes become chat-safe text and back);
//! - [`crypto`]: sealing and opening messages (AES-256-GCM, payload, padding);
//! - [`keys`]: keys, key codes, passphrase keys, fingerprints, QR codes;
//! - [`file`]: encrypted files (streaming, chunked AEAD);
//! - [`contacts`]: the contact-details detector;
//! - `bindings` (wasm32 only): conversions to and from JavaScript, no logic.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod crypto;
pub mod error;
pub mod file;
pub mod format;
pub mod keys;

#[cfg(feature = "contacts")]
pub mod contacts;

#[cfg(target_arch = "wasm32")]
mod bindings;

pub use error::{Error, ErrorCode};

/// A source of cryptographically secure random bytes.
///
/// The core never reaches for the operating system itself: the CLI and the
/// WASM bindings pass the OS generator, tests pass a seeded one.
pub trait RandomSource {
    /// Fills `dest` entirely with random bytes, or fails with
    /// [`ErrorCode::RandomUnavailable`].
    fn fill(&mut self, dest: &mut [u8]) -> error::Result<()>;
}

/// The operating system's (or browser's) secure random generator.
#[cfg(any(target_arch = "wasm32", feature = "cli"))]
#[derive(Debug, Default)]
pub struct OsRandom;

#[cfg(any(target_arch = "wasm32", feature = "cli"))]
impl RandomSource for OsRandom {
    fn fill(&mut self, dest: &mut [u8]) -> error::Result<()> {
        getrandom::fill(dest).map_err(|_| {
            Error::new(
                ErrorCode::RandomUnavailable,
                "the system's secure random generator is unavailable",
            )
        })
    }
}
