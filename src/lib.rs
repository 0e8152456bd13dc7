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
fn os_fill(dest: &mut [u8]) -> error::Result<()> {
    getrandom::fill(dest).map_err(|_| {
        Error::new(
            ErrorCode::RandomUnavailable,
            "the system's secure random generator is unavailable",
        )
    })
}

#[cfg(all(feature = "cli", not(target_arch = "wasm32")))]
impl RandomSource for OsRandom {
    fn fill(&mut self, dest: &mut [u8]) -> error::Result<()> {
        os_fill(dest)
    }
}

/// In WebAssembly every draw is a call into JavaScript that costs more than
/// the bytes (about 5 µs in Node), and a message needs 20 bytes: draw
/// [`RANDOM_POOL_BYTES`] at a time, hand each byte out once, and wipe it.
#[cfg(target_arch = "wasm32")]
pub const RANDOM_POOL_BYTES: usize = 8192;

#[cfg(target_arch = "wasm32")]
struct RandomPool {
    bytes: zeroize::Zeroizing<[u8; RANDOM_POOL_BYTES]>,
    /// Bytes at the front already handed out (and wiped).
    used: usize,
}

#[cfg(target_arch = "wasm32")]
thread_local! {
    static RANDOM_POOL: core::cell::RefCell<RandomPool> = core::cell::RefCell::new(RandomPool {
        bytes: zeroize::Zeroizing::new([0; RANDOM_POOL_BYTES]),
        used: RANDOM_POOL_BYTES,
    });
}

#[cfg(target_arch = "wasm32")]
impl RandomSource for OsRandom {
    fn fill(&mut self, dest: &mut [u8]) -> error::Result<()> {
        if dest.len() >= RANDOM_POOL_BYTES {
            return os_fill(dest);
        }
        RANDOM_POOL.with(|pool| {
            let mut pool = pool
                .try_borrow_mut()
                .map_err(|_| Error::new(ErrorCode::RandomUnavailable, "the random pool is busy"))?;
            let mut filled = 0;
            while filled < dest.len() {
                if pool.used == RANDOM_POOL_BYTES {
                    os_fill(&mut pool.bytes[..])?;
                    pool.used = 0;
                }
                let from = pool.used;
                let n = (dest.len() - filled).min(RANDOM_POOL_BYTES - from);
                dest[filled..filled + n].copy_from_slice(&pool.bytes[from..from + n]);
                pool.bytes[from..from + n].fill(0);
                pool.used += n;
                filled += n;
            }
            Ok(())
        })
    }
}
