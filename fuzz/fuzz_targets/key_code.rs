//! Key codes: reading arbitrary text, and the round trip of valid keys.
//!
//! Properties checked:
//! - `NamedKey::from_key_code` never panics on any text; whatever it accepts
//!   has a legal name and re-encodes to a code that reads back the same;
//! - for key bytes and a name taken from the input, a key the core accepts
//!   (`NamedKey::new`) survives `to_key_code` → `from_key_code`, also after
//!   the changes people make when copying a code (case, dashes to spaces,
//!   line breaks, `0`→`O`, `1`→`I`/`L`).
#![no_main]

use chatseal::keys::{NamedKey, SecretKey, KEY_BYTES, MAX_NAME_BYTES};
use libfuzzer_sys::fuzz_target;

fn check_accepted(named: &NamedKey) {
    assert!(named.name.len() <= MAX_NAME_BYTES, "name too long: {named:?}");
    assert!(!named.name.chars().any(char::is_control), "control character in name");
    let again = NamedKey::from_key_code(&named.to_key_code()).expect("re-encoded code reads");
    assert_eq!(&again, named);
}

/// A copy of `code` as a person might retype or paste it.
fn retyped(code: &str, how: u8) -> String {
    let mut out = match how % 4 {
        0 => code.to_lowercase(),
        1 => code.replace('-', " "),
        2 => code.replace('-', "\n"),
        _ => code.to_owned(),
    };
    if how & 4 != 0 {
        // Crockford base32 reads O as 0 and I/L as 1; the prefix has none
        // of 0/1, so only the body changes.
        out = out.replace('0', "O");
    }
    if how & 8 != 0 {
        out = out.replace('1', if how & 16 != 0 { "l" } else { "I" });
    }
    out
}

fuzz_target!(|data: &[u8]| {
    // 1. Arbitrary text as a key code.
    if let Ok(text) = std::str::from_utf8(data) {
        if let Ok(named) = NamedKey::from_key_code(text) {
            check_accepted(&named);
        }
    }

    // 2. Round trip: the first 32 bytes are the key, the rest the name.
    if data.len() < KEY_BYTES + 1 {
        return;
    }
    let mut bytes = [0u8; KEY_BYTES];
    bytes.copy_from_slice(&data[1..=KEY_BYTES]);
    let name = String::from_utf8_lossy(&data[KEY_BYTES + 1..]);
    let Ok(named) = NamedKey::new(SecretKey::from_bytes(bytes), &name) else {
        return;
    };
    assert_eq!(named.name, name.trim(), "NamedKey::new changed more than surrounding space");
    let code = named.to_key_code();
    assert!(code.starts_with("CHATSEAL-KEY-"), "{code}");
    assert!(code.is_ascii());
    assert_eq!(NamedKey::from_key_code(&code).expect("own code reads"), named);
    let copy = retyped(&code, data[0]);
    assert_eq!(
        NamedKey::from_key_code(&copy).expect("retyped code reads"),
        named,
        "retyped as {copy:?}"
    );
    // The id and safety number depend on the key only.
    assert_eq!(named.key.id(), SecretKey::from_bytes(bytes).id());
    assert_eq!(named.key.safety_number().len(), 35);
});
