//! Property tests of the message format: round trips, chat-site
//! transformations, and tampering.

use chatseal::crypto::{self, Metadata, SealOptions};
use chatseal::format::{self, Part};
use chatseal::keys::SecretKey;
use chatseal::{Error, ErrorCode, RandomSource};
use proptest::prelude::*;

/// Deterministic generator for tests only (SplitMix64).
struct TestRng(u64);

impl RandomSource for TestRng {
    fn fill(&mut self, dest: &mut [u8]) -> Result<(), Error> {
        for byte in dest {
            self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = self.0;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            *byte = (z ^ (z >> 31)) as u8;
        }
        Ok(())
    }
}

fn key() -> SecretKey {
    SecretKey::from_bytes([42; 32])
}

fn options(conversation: Option<&str>, max_chars: Option<usize>) -> SealOptions<'_> {
    SealOptions {
        metadata: Metadata {
            sender_id: [1, 2, 3, 4, 5, 6, 7, 8],
            created_ms: 1_700_000_000_000,
            counter: 9,
        },
        conversation,
        max_chars,
    }
}

fn encrypt(text: &str, seed: u64, max_chars: Option<usize>) -> Vec<String> {
    crypto::encrypt(
        &key(),
        text,
        &options(Some("site/thread"), max_chars),
        &mut TestRng(seed),
    )
    .unwrap()
}

fn decrypt(blocks: &[String]) -> Result<String, ErrorCode> {
    let refs: Vec<&str> = blocks.iter().map(String::as_str).collect();
    crypto::decrypt_blocks(&refs, &[key()], Some("site/thread"))
        .map(|opened| opened.text.to_string())
        .map_err(|e| e.code())
}

/// What chat sites do to text (see docs/FORMAT.md, "Transformations").
#[derive(Clone, Copy, Debug)]
enum Transformation {
    CollapseWhitespace,
    Crlf,
    Quote,
    NoBreakSpaces,
    ZeroWidth,
    Ellipsis,
    EmDash,
    CurlyQuotes,
    WrapLines(usize),
    LowerCase,
    Linkify,
    SurroundingChatter,
}

fn apply(t: Transformation, text: &str) -> String {
    use Transformation::*;
    match t {
        CollapseWhitespace => text.split_whitespace().collect::<Vec<_>>().join(" "),
        Crlf => text.replace('\n', "\r\n"),
        Quote => text
            .lines()
            .map(|l| format!("> {l}"))
            .collect::<Vec<_>>()
            .join("\n"),
        NoBreakSpaces => text.replace(' ', "\u{a0}"),
        ZeroWidth => text
            .chars()
            .enumerate()
            .flat_map(|(i, c)| {
                if i % 7 == 3 {
                    vec![c, '\u{200b}']
                } else {
                    vec![c]
                }
            })
            .collect(),
        Ellipsis => text.replace("...", "…").replace("  ", "... "),
        EmDash => text.replace(' ', " -- ").replace("--", "—"),
        CurlyQuotes => format!("“{text}” ‘ok’"),
        WrapLines(width) => text
            .chars()
            .collect::<Vec<_>>()
            .chunks(width.max(1))
            .map(|c| c.iter().collect::<String>())
            .collect::<Vec<_>>()
            .join("\n"),
        LowerCase => text.to_lowercase(),
        // A linkifier changes markup, not text; what reaches the text is an
        // URL-ish label around the block, which must not disturb it.
        Linkify => format!("see https://example.org/x?y=1 {text} (www.example.org)"),
        SurroundingChatter => format!("Hi!\n\n{text}\n\nThanks, talk soon."),
    }
}

fn transformation() -> impl Strategy<Value = Transformation> {
    use Transformation::*;
    prop_oneof![
        Just(CollapseWhitespace),
        Just(Crlf),
        Just(Quote),
        Just(NoBreakSpaces),
        Just(ZeroWidth),
        Just(Ellipsis),
        Just(EmDash),
        Just(CurlyQuotes),
        (1usize..80).prop_map(WrapLines),
        Just(LowerCase),
        Just(Linkify),
        Just(SurroundingChatter),
    ]
}

/// Text that exercises every script and size class the issue names.
fn message_text() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(String::new()),
        any::<String>(),
        "[a-zA-Z0-9 .,!?\n]{0,300}",
        "[\u{0590}-\u{06FF} ]{0,100}",
        "[\u{4E00}-\u{9FFF}]{0,200}",
        "[\u{1F300}-\u{1FAFF}\u{200D}\u{FE0F}]{0,60}",
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn round_trip(text in message_text(), seed in any::<u64>()) {
        prop_assert_eq!(decrypt(&encrypt(&text, seed, None)), Ok(text));
    }

    #[test]
    fn multipart_round_trip(text in message_text(), seed in any::<u64>(), limit in 120usize..600) {
        let blocks = encrypt(&text, seed, Some(limit));
        prop_assert!(blocks.iter().all(|b| b.chars().count() <= limit));
        prop_assert_eq!(decrypt(&blocks), Ok(text));
    }

    #[test]
    fn survives_chat_site_transformations(
        text in message_text(),
        seed in any::<u64>(),
        chain in proptest::collection::vec(transformation(), 1..5),
    ) {
        let blocks: Vec<String> = encrypt(&text, seed, None)
            .into_iter()
            .map(|b| chain.iter().fold(b, |acc, &t| apply(t, &acc)))
            .collect();
        prop_assert_eq!(decrypt(&blocks), Ok(text));
    }

    #[test]
    fn split_across_text_nodes_and_found_in_a_page(
        text in message_text(),
        seed in any::<u64>(),
        cuts in proptest::collection::vec(any::<prop::sample::Index>(), 0..8),
    ) {
        // The page splits the block into nodes; the content script joins their
        // text with nothing or a newline between them.
        let block = encrypt(&text, seed, None).remove(0);
        let chars: Vec<char> = block.chars().collect();
        let mut points: Vec<usize> = cuts.iter().map(|i| i.index(chars.len())).collect();
        points.sort_unstable();
        let mut joined = String::from("earlier message\n");
        let mut last = 0;
        for (n, p) in points.iter().enumerate() {
            joined.extend(&chars[last..*p]);
            joined.push_str(if n % 2 == 0 { "" } else { "\n" });
            last = *p;
        }
        joined.extend(&chars[last..]);
        joined.push_str("\nlater message");
        let found = crypto::decrypt_text(&joined, &[key()], Some("site/thread"));
        prop_assert_eq!(found.len(), 1);
        let opened = found.into_iter().next().unwrap().result.map_err(|e| e.code());
        prop_assert_eq!(opened.map(|o| o.text.to_string()), Ok(text));
    }

    #[test]
    fn finder_never_panics(text in any::<String>()) {
        let _ = format::find_blocks(&text);
        let _ = crypto::decrypt_text(&text, &[key()], None);
    }
}

fn envelope_of(block: &str) -> Vec<u8> {
    let part: Part = format::find_blocks(block).remove(0).part.unwrap();
    format::reassemble(&[part]).unwrap()
}

#[test]
fn every_byte_change_of_the_envelope_is_rejected() {
    let block = encrypt("pay 500 to the usual account", 7, None).remove(0);
    let envelope = envelope_of(&block);
    for i in 0..envelope.len() {
        for flip in [0x01u8, 0x80, 0xFF] {
            let mut changed = envelope.clone();
            changed[i] ^= flip;
            let err = crypto::open(&changed, &[key()], Some("site/thread")).unwrap_err();
            let expected = if i < 8 {
                ErrorCode::UnknownKey
            } else {
                ErrorCode::Altered
            };
            assert_eq!(err.code(), expected, "byte {i} ^ {flip:#x}");
        }
    }
}

#[test]
fn every_armor_character_change_is_rejected() {
    let block = encrypt("meet me at the usual place", 3, None).remove(0);
    let body_start = format::BEGIN_MARKER.len();
    let body_end = block.len() - format::END_MARKER.len();
    let mut checked = 0;
    for (i, c) in block.char_indices() {
        if i < body_start || i >= body_end || !c.is_ascii_alphanumeric() {
            continue;
        }
        for replacement in ['0', 'Z', 'M'] {
            if replacement == c {
                continue;
            }
            let mut changed = block.clone();
            changed.replace_range(i..i + 1, &replacement.to_string());
            let result = decrypt(&[changed]);
            assert!(result.is_err(), "change at {i} decrypted: {result:?}");
            checked += 1;
        }
    }
    assert!(checked > 200);
}

#[test]
fn every_truncation_is_rejected() {
    let block = encrypt("the final invoice is attached", 5, None).remove(0);
    let envelope = envelope_of(&block);
    for len in 0..envelope.len() {
        let err = crypto::open(&envelope[..len], &[key()], None).unwrap_err();
        assert!(
            matches!(err.code(), ErrorCode::Altered | ErrorCode::UnknownKey),
            "len {len}"
        );
    }
    // Cut inside the armor text, keeping the end marker.
    let body_end = block.len() - format::END_MARKER.len();
    for cut in [1, 2, 5, 11, 40] {
        let truncated = format!("{}\n{}", &block[..body_end - 1 - cut], format::END_MARKER);
        assert!(decrypt(&[truncated]).is_err(), "cut {cut}");
    }
}

#[test]
fn reordered_and_foreign_parts_are_rejected() {
    let text = "x".repeat(2000);
    let blocks = encrypt(&text, 11, Some(300));
    assert!(blocks.len() >= 3);
    // Swapping two parts' fragments (keeping their headers) breaks authentication.
    let mut parts: Vec<Part> = blocks
        .iter()
        .map(|b| format::find_blocks(b).remove(0).part.unwrap())
        .collect();
    // (Parts 2 and 3: part 1 starts with the key id, so moving it changes the key.)
    let (a, b) = (parts[1].fragment.clone(), parts[2].fragment.clone());
    parts[1].fragment = b;
    parts[2].fragment = a;
    let envelope = format::reassemble(&parts).unwrap();
    assert_eq!(
        crypto::open(&envelope, &[key()], Some("site/thread"))
            .unwrap_err()
            .code(),
        ErrorCode::Altered
    );
    // A part of another message with the same shape is foreign: missing part.
    let other = encrypt(&text, 12, Some(300));
    let mixed = vec![blocks[0].clone(), other[1].clone(), blocks[2..].join("\n")];
    let mixed: Vec<String> = mixed.into_iter().flat_map(|b| split_blocks(&b)).collect();
    assert_eq!(decrypt(&mixed), Err(ErrorCode::MissingPart));
    // A part given twice.
    let mut doubled = blocks.clone();
    doubled[1] = blocks[0].clone();
    assert_eq!(decrypt(&doubled), Err(ErrorCode::MissingPart));
}

fn split_blocks(text: &str) -> Vec<String> {
    format::find_blocks(text)
        .into_iter()
        .map(|f| text[f.start..f.end].to_string())
        .collect()
}

#[test]
fn limits_are_enforced() {
    let too_long = "a".repeat(crypto::MAX_TEXT_BYTES + 1);
    let err =
        crypto::encrypt(&key(), &too_long, &options(None, None), &mut TestRng(1)).unwrap_err();
    assert_eq!(err.code(), ErrorCode::TooLarge);
    let max = "a".repeat(crypto::MAX_TEXT_BYTES);
    let blocks = crypto::encrypt(&key(), &max, &options(None, None), &mut TestRng(1)).unwrap();
    assert_eq!(decrypt_unbound(&blocks), Ok(max));
}

fn decrypt_unbound(blocks: &[String]) -> Result<String, ErrorCode> {
    let refs: Vec<&str> = blocks.iter().map(String::as_str).collect();
    crypto::decrypt_blocks(&refs, &[key()], None)
        .map(|opened| opened.text.to_string())
        .map_err(|e| e.code())
}

#[test]
fn junk_of_ten_megabytes_is_rejected_as_too_large() {
    let junk = format!("{}\n{}", format::BEGIN_MARKER, "Q".repeat(10 * 1024 * 1024));
    // Rejected by the body limit, before any decoding (speed: scripts/bench).
    assert_eq!(decrypt(&[junk]), Err(ErrorCode::TooLarge));
}

#[test]
fn wrong_conversation_and_unknown_key() {
    let blocks = encrypt("hello", 1, None);
    let refs: Vec<&str> = blocks.iter().map(String::as_str).collect();
    assert_eq!(
        crypto::decrypt_blocks(&refs, &[key()], Some("other/thread"))
            .unwrap_err()
            .code(),
        ErrorCode::WrongConversation
    );
    assert_eq!(
        crypto::decrypt_blocks(&refs, &[SecretKey::from_bytes([1; 32])], None)
            .unwrap_err()
            .code(),
        ErrorCode::UnknownKey
    );
}
