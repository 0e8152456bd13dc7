//! Shared test vectors (tests/vectors/messages.json), checked here and by the
//! JS tests against the built WASM (tests/wasm/vectors.test.js).
//!
//! Regenerate after an intentional format change with
//! `CHATSEAL_WRITE_VECTORS=1 cargo test --test vectors`; otherwise the file is
//! compared byte for byte, so a format change cannot slip through.

use chatseal::crypto::{self, Metadata, SealOptions};
use chatseal::keys::{self, NamedKey, SecretKey};
use chatseal::{Error, RandomSource};
use serde_json::{json, Value};

/// Hands out fixed bytes in order: nonce, then message id.
struct Scripted(Vec<u8>);

impl RandomSource for Scripted {
    fn fill(&mut self, dest: &mut [u8]) -> Result<(), Error> {
        let taken: Vec<u8> = self.0.drain(..dest.len()).collect();
        dest.copy_from_slice(&taken);
        Ok(())
    }
}

fn unhex(s: &str) -> Vec<u8> {
    data_encoding::HEXLOWER.decode(s.as_bytes()).unwrap()
}

fn key_from(seed: u8) -> SecretKey {
    let bytes: Vec<u8> = (0..32u8)
        .map(|i| i.wrapping_mul(seed).wrapping_add(seed))
        .collect();
    SecretKey::from_slice(&bytes).unwrap()
}

/// Transformations chat sites apply, named so the JS side can say which one failed.
fn mangle(name: &str, block: &str) -> String {
    match name {
        "collapse-whitespace" => block.split_whitespace().collect::<Vec<_>>().join(" "),
        "crlf" => block.replace('\n', "\r\n"),
        "quoted" => block
            .lines()
            .map(|l| format!("> {l}"))
            .collect::<Vec<_>>()
            .join("\n"),
        "nbsp" => block.replace(' ', "\u{a0}"),
        "zero-width" => block.chars().flat_map(|c| [c, '\u{200b}']).collect(),
        "lowercase" => block.to_lowercase(),
        "wrapped-20" => {
            let flat: String = block.split_whitespace().collect::<Vec<_>>().join(" ");
            flat.chars()
                .collect::<Vec<_>>()
                .chunks(20)
                .map(|c| c.iter().collect::<String>())
                .collect::<Vec<_>>()
                .join("\n")
        }
        _ => unreachable!("unknown transformation {name}"),
    }
}

const TRANSFORMATIONS: &[&str] = &[
    "collapse-whitespace",
    "crlf",
    "quoted",
    "nbsp",
    "zero-width",
    "lowercase",
    "wrapped-20",
];

fn flip_one_body_char(block: &str) -> String {
    // Change a character in the middle of the body to another base32 symbol.
    let mut chars: Vec<char> = block.chars().collect();
    let mid = chars.len() / 2;
    let i = (mid..chars.len())
        .find(|&i| chars[i].is_ascii_alphanumeric())
        .unwrap();
    chars[i] = if chars[i] == 'A' { 'B' } else { 'A' };
    chars.into_iter().collect()
}

fn generate() -> Value {
    let keys: Vec<NamedKey> = vec![
        NamedKey::new(key_from(1), "Alice & Bob — logo").unwrap(),
        NamedKey::new(key_from(7), "Проект").unwrap(),
    ];
    let key_entries: Vec<Value> = keys
        .iter()
        .map(|k| {
            json!({
                "name": k.name,
                "secretHex": keys::hex(k.key.expose_bytes()),
                "keyCode": k.to_key_code(),
                "keyId": k.key.id().to_string(),
                "safetyNumber": k.key.safety_number(),
            })
        })
        .collect();

    let cases = [
        ("short", "Hello Bob!", None, None),
        ("empty", "", None, None),
        (
            "unicode",
            "مرحبا 你好 👋🏽 naïve\nsecond line",
            Some("upwork.com/rooms/42"),
            None,
        ),
        (
            "multipart",
            "A longer message that will not fit in one block. 🎉 ",
            Some("fiverr.com/inbox/bob"),
            Some(200usize),
        ),
    ];
    let mut messages = Vec::new();
    for (n, (name, text, conversation, max_chars)) in cases.iter().enumerate() {
        let text = if *name == "multipart" {
            text.repeat(6)
        } else {
            text.to_string()
        };
        let nonce: Vec<u8> = (0..12u8).map(|i| i + n as u8 * 16).collect();
        let message_id: Vec<u8> = (0..8u8).map(|i| 0xA0 + i + n as u8).collect();
        let mut rng = Scripted([nonce.clone(), message_id.clone()].concat());
        let metadata = Metadata {
            sender_id: [0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, n as u8],
            created_ms: 1_764_000_000_000 + n as u64,
            counter: n as u64 + 1,
        };
        let options = SealOptions {
            metadata: metadata.clone(),
            conversation: *conversation,
            max_chars: *max_chars,
        };
        let key = &keys[n % 2].key;
        let blocks = crypto::encrypt(key, &text, &options, &mut rng).unwrap();
        let mut decrypts = vec![json!({
            "description": "as written",
            "blocks": blocks,
            "conversation": conversation,
            "expect": {"text": text, "conversation": if conversation.is_some() { "match" } else { "unbound" }},
        })];
        for t in TRANSFORMATIONS {
            decrypts.push(json!({
                "description": format!("after transformation {t}"),
                "blocks": blocks.iter().map(|b| mangle(t, b)).collect::<Vec<_>>(),
                "conversation": conversation,
                "expect": {"text": text},
            }));
        }
        decrypts.push(json!({
            "description": "one character of the body changed",
            "blocks": ([vec![flip_one_body_char(&blocks[0])], blocks[1..].to_vec()].concat()),
            "conversation": conversation,
            "expect": {"error": "altered"},
        }));
        if conversation.is_some() {
            decrypts.push(json!({
                "description": "pasted into another conversation",
                "blocks": blocks,
                "conversation": "example.org/other",
                "expect": {"error": "wrong_conversation"},
            }));
            decrypts.push(json!({
                "description": "read without naming a conversation",
                "blocks": blocks,
                "conversation": null,
                "expect": {"text": text, "conversation": "unchecked"},
            }));
        }
        if blocks.len() > 1 {
            decrypts.push(json!({
                "description": "a part missing",
                "blocks": blocks[1..],
                "conversation": conversation,
                "expect": {"error": "missing_part"},
            }));
            decrypts.push(json!({
                "description": "parts in reverse order",
                "blocks": blocks.iter().rev().collect::<Vec<_>>(),
                "conversation": conversation,
                "expect": {"text": text},
            }));
        }
        messages.push(json!({
            "name": name,
            "key": n % 2,
            "text": text,
            "senderIdHex": keys::hex(&metadata.sender_id),
            "createdMs": metadata.created_ms,
            "counter": metadata.counter,
            "conversation": conversation,
            "maxChars": max_chars,
            "nonceHex": keys::hex(&nonce),
            "messageIdHex": keys::hex(&message_id),
            "armor": blocks,
            "decrypt": decrypts,
        }));
    }
    let v2_block = {
        // A well-formed block of a future version 2.
        let body = chatseal_base32(&[2, 1, 0, 0, 0]);
        format!("BEGIN CHATSEAL MESSAGE\n{body}\nEND CHATSEAL MESSAGE")
    };
    let errors = json!([
        {"description": "no block at all", "blocks": ["just chatting"], "expect": {"error": "not_chatseal"}},
        {"description": "body is not base32", "blocks": ["BEGIN CHATSEAL MESSAGE\nUUUUUUUU\nEND CHATSEAL MESSAGE"], "expect": {"error": "not_chatseal"}},
        {"description": "future version", "blocks": [v2_block], "expect": {"error": "unsupported_version"}},
        {"description": "end marker missing", "blocks": ["BEGIN CHATSEAL MESSAGE\n040J0J6807 N3353KX9SP"], "expect": {"error": "altered"}},
    ]);
    let unknown_key = json!({
        "description": "block for a key the reader does not have",
        "blocks": messages[1]["armor"].clone(),
        "keys": [0],
        "expect": {"error": "unknown_key"},
    });
    json!({
        "comment": "ChatSeal v1 test vectors; see docs/FORMAT.md. Generated by tests/vectors.rs.",
        "keys": key_entries,
        "messages": messages,
        "errors": errors,
        "unknownKey": unknown_key,
        "paddedLengths": ([0, 1, 32, 33, 100, 1000, 1025, 65536].iter().map(|&n| json!([n, crypto::padded_len(n)])).collect::<Vec<_>>()),
    })
}

fn chatseal_base32(bytes: &[u8]) -> String {
    let spec = {
        let mut s = data_encoding::Specification::new();
        s.symbols.push_str("0123456789ABCDEFGHJKMNPQRSTVWXYZ");
        s.encoding().unwrap()
    };
    spec.encode(bytes)
}

const PATH: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/vectors/messages.json");

#[test]
fn vectors_file_matches_the_implementation() {
    let generated = serde_json::to_string_pretty(&generate()).unwrap() + "\n";
    if std::env::var_os("CHATSEAL_WRITE_VECTORS").is_some() {
        std::fs::create_dir_all(std::path::Path::new(PATH).parent().unwrap()).unwrap();
        std::fs::write(PATH, &generated).unwrap();
    }
    let stored = std::fs::read_to_string(PATH).expect("tests/vectors/messages.json exists");
    assert!(
        stored == generated,
        "the format changed: encryption no longer reproduces tests/vectors/messages.json"
    );
}

#[test]
fn vectors_decrypt_as_expected() {
    let vectors: Value = serde_json::from_str(&std::fs::read_to_string(PATH).unwrap()).unwrap();
    let keys: Vec<SecretKey> = vectors["keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| {
            let named = NamedKey::from_key_code(k["keyCode"].as_str().unwrap()).unwrap();
            assert_eq!(keys::hex(named.key.expose_bytes()), k["secretHex"]);
            assert_eq!(named.key.id().to_string(), k["keyId"]);
            assert_eq!(named.key.safety_number(), k["safetyNumber"]);
            assert_eq!(named.name, k["name"]);
            SecretKey::from_slice(&unhex(k["secretHex"].as_str().unwrap())).unwrap()
        })
        .collect();
    let mut cases: Vec<Value> = vectors["errors"].as_array().unwrap().clone();
    cases.push(vectors["unknownKey"].clone());
    for message in vectors["messages"].as_array().unwrap() {
        cases.extend(message["decrypt"].as_array().unwrap().iter().cloned());
    }
    assert!(cases.len() > 30);
    for case in cases {
        let blocks: Vec<&str> = case["blocks"]
            .as_array()
            .unwrap()
            .iter()
            .map(|b| b.as_str().unwrap())
            .collect();
        let use_keys: Vec<SecretKey> = match case["keys"].as_array() {
            Some(indices) => indices
                .iter()
                .map(|i| keys[i.as_u64().unwrap() as usize].clone())
                .collect(),
            None => keys.clone(),
        };
        let result = crypto::decrypt_blocks(&blocks, &use_keys, case["conversation"].as_str());
        let what = case["description"].as_str().unwrap();
        match (&case["expect"]["text"], &case["expect"]["error"]) {
            (Value::String(text), _) => {
                let opened = result.unwrap_or_else(|e| panic!("{what}: {e:?}"));
                assert_eq!(opened.text.as_str(), text, "{what}");
                if let Some(c) = case["expect"]["conversation"].as_str() {
                    assert_eq!(opened.conversation.as_str(), c, "{what}");
                }
            }
            (_, Value::String(code)) => {
                let err = result.err().unwrap_or_else(|| panic!("{what}: decrypted"));
                assert_eq!(err.code().as_str(), code, "{what}");
            }
            _ => panic!("{what}: no expectation"),
        }
    }
}

const FILES_DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/vectors/files");

/// File vectors: (name inside, media type, content length); key 0, salt 0..16.
const FILE_CASES: &[(&str, &str, &str, usize)] = &[
    ("empty", "empty.txt", "text/plain", 0),
    ("small", "contract – v2.pdf", "application/pdf", 1000),
    ("two-chunks", "design.png", "image/png", 65536 + 7),
];

fn file_content(len: usize) -> Vec<u8> {
    (0..len).map(|i| (i % 251) as u8).collect()
}

#[test]
fn file_vectors_match_the_implementation() {
    use chatseal::file;
    let key = key_from(1);
    let write = std::env::var_os("CHATSEAL_WRITE_VECTORS").is_some();
    let mut index = Vec::new();
    for (label, name, media_type, len) in FILE_CASES {
        let salt: Vec<u8> = (0..16u8).collect();
        let content = file_content(*len);
        let sealed =
            file::seal_file(&key, name, media_type, &content, &mut Scripted(salt)).unwrap();
        let path = format!("{FILES_DIR}/{label}.chatseal");
        if write {
            std::fs::create_dir_all(FILES_DIR).unwrap();
            std::fs::write(&path, &sealed).unwrap();
        }
        let stored = std::fs::read(&path).expect("file vector exists");
        assert!(stored == sealed, "{label}: the file format changed");
        let (opened, info) = file::open_file(&[key.clone()], &stored).unwrap();
        assert_eq!(opened, content);
        assert_eq!(
            (info.name.as_str(), info.media_type.as_str()),
            (*name, *media_type)
        );
        index.push(json!({
            "file": format!("{label}.chatseal"),
            "key": 0,
            "name": name,
            "type": media_type,
            "contentLength": len,
            "contentRule": "byte i is i mod 251",
        }));
    }
    let index = serde_json::to_string_pretty(&Value::Array(index)).unwrap() + "\n";
    let index_path = format!("{FILES_DIR}/index.json");
    if write {
        std::fs::write(&index_path, &index).unwrap();
    }
    assert_eq!(std::fs::read_to_string(&index_path).unwrap(), index);
}
