//! AES-256-GCM and nothing else, behind the same kind of binding as the core:
//! bytes in, bytes out, a fresh cipher per call (as `encrypt`/`decrypt` of the
//! core make one per message). Benchmark use only; the fixed nonce would be
//! fatal anywhere else.
#![forbid(unsafe_code)]

use aes_gcm::aead::{Aead, KeyInit};
use aes_gcm::{Aes256Gcm, Nonce};
use wasm_bindgen::prelude::*;

const BENCH_ONLY_NONCE: [u8; 12] = [0; 12];

fn cipher(key: &[u8]) -> Result<Aes256Gcm, JsError> {
    Aes256Gcm::new_from_slice(key).map_err(|_| JsError::new("the key must be 32 bytes"))
}

/// Ciphertext ‖ tag of `data`.
#[wasm_bindgen]
pub fn seal(key: &[u8], data: &[u8]) -> Result<Vec<u8>, JsError> {
    cipher(key)?
        .encrypt(&Nonce::from(BENCH_ONLY_NONCE), data)
        .map_err(|_| JsError::new("encryption failed"))
}

/// The plaintext of what [`seal`] returned.
#[wasm_bindgen]
pub fn open(key: &[u8], sealed: &[u8]) -> Result<Vec<u8>, JsError> {
    cipher(key)?
        .decrypt(&Nonce::from(BENCH_ONLY_NONCE), sealed)
        .map_err(|_| JsError::new("authentication failed"))
}
