//! Arbitrary chat text through the block finder and the decryptor, and the
//! fuzz input itself through encrypt → site mangling → embedding → decrypt.
//!
//! Properties checked:
//! - `format::find_blocks` never panics; its spans are in order, non-empty,
//!   non-overlapping, inside the text and on character boundaries; decoded
//!   parts have a sane index/count;
//! - `crypto::decrypt_text` never panics and accounts for every block once;
//! - the input (as text) encrypts with a fixed key, every block respects the
//!   per-block limit, and decrypts back exactly — from the clean blocks in
//!   any order, after a chat site's mangling, and embedded in the input text
//!   (when that text holds no block of its own);
//! - a cut-off copy of the blocks never opens to any other text.
#![no_main]

use chatseal::crypto::{self, ConversationCheck, Metadata, SealOptions, MAX_TEXT_BYTES};
use chatseal::format::{self, FoundBlock, MIN_MAX_CHARS};
use chatseal::keys::SecretKey;
use chatseal::{Error, ErrorCode, RandomSource};
use libfuzzer_sys::fuzz_target;

/// The keys of tests/vectors/messages.json (byte i = i·seed + seed for seeds
/// 1 and 7), so seeds made from its blocks open and the fuzzer mutates
/// around authentic messages.
fn keys() -> [SecretKey; 2] {
    let key = |seed: u8| {
        let mut bytes = [0u8; 32];
        for (i, b) in bytes.iter_mut().enumerate() {
            *b = (i as u8).wrapping_mul(seed).wrapping_add(seed);
        }
        SecretKey::from_bytes(bytes)
    };
    [key(1), key(7)]
}

/// Deterministic "randomness" (SplitMix64) so every input replays exactly.
struct SplitMix(u64);

impl RandomSource for SplitMix {
    fn fill(&mut self, dest: &mut [u8]) -> Result<(), Error> {
        for chunk in dest.chunks_mut(8) {
            self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = self.0;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            z ^= z >> 31;
            chunk.copy_from_slice(&z.to_le_bytes()[..chunk.len()]);
        }
        Ok(())
    }
}

fn check_found(text: &str, found: &[FoundBlock]) {
    let mut prev_end = 0;
    for block in found {
        assert!(block.start >= prev_end, "blocks out of order or overlapping: {found:?}");
        assert!(block.start < block.end, "empty block span: {block:?}");
        assert!(block.end <= text.len(), "block span past the text: {block:?}");
        assert!(
            text.is_char_boundary(block.start) && text.is_char_boundary(block.end),
            "block span not on character boundaries: {block:?}"
        );
        if let Ok(part) = &block.part {
            assert!(part.index >= 1 && part.index <= part.count, "bad part index: {part:?}");
            assert_eq!(part.count == 1, part.message_id.is_none(), "bad part framing: {part:?}");
        }
        prev_end = block.end;
    }
}

/// Decrypts `text`, checks the spans, and returns the blocks and messages.
fn decrypt_checked(
    text: &str,
    keys: &[SecretKey],
    conversation: Option<&str>,
) -> (Vec<FoundBlock>, Vec<crypto::FoundMessage>) {
    let found = format::find_blocks(text);
    check_found(text, &found);
    let messages = crypto::decrypt_text(text, keys, conversation);
    let mut spans: Vec<(usize, usize)> = messages.iter().flat_map(|m| m.spans.clone()).collect();
    assert!(messages.iter().all(|m| !m.spans.is_empty()), "a message without a block");
    spans.sort_unstable();
    let mut block_spans: Vec<(usize, usize)> = found.iter().map(|b| (b.start, b.end)).collect();
    block_spans.sort_unstable();
    assert_eq!(spans, block_spans, "decrypt_text did not account for every block once");
    (found, messages)
}

/// What chat sites do to text (the transformations of tests/vectors.rs).
fn mangle(choice: u8, width: usize, block: &str) -> String {
    match choice % 8 {
        0 => block.to_owned(),
        1 => block.split_whitespace().collect::<Vec<_>>().join(" "),
        2 => block.replace('\n', "\r\n"),
        3 => block
            .lines()
            .map(|l| format!("> {l}"))
            .collect::<Vec<_>>()
            .join("\n"),
        4 => block.replace(' ', "\u{a0}"),
        5 => block.chars().flat_map(|c| [c, '\u{200b}']).collect(),
        6 => block.to_lowercase(),
        _ => {
            let flat = block.split_whitespace().collect::<Vec<_>>().join(" ");
            flat.chars()
                .collect::<Vec<_>>()
                .chunks(width)
                .map(|c| c.iter().collect::<String>())
                .collect::<Vec<_>>()
                .join("\n")
        }
    }
}

fn floor_boundary(text: &str, mut i: usize) -> usize {
    i = i.min(text.len());
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let text: &str = &text;
    let keys = keys();
    let ctl = |i: usize| data.get(i).copied().unwrap_or(0);

    let conversation = (ctl(0) & 4 != 0).then_some("www.upwork.com/ab/messages/rooms/room_fuzz");

    // 1. The input as chat text: find and decrypt whatever it holds.
    let (found_in_text, _) = decrypt_checked(text, &keys, conversation);

    // 2. The input as a message: seal it, mangle it, find it again.
    let plain = &text[..floor_boundary(text, MAX_TEXT_BYTES)];
    let max_chars = match ctl(0) % 4 {
        0 => None,
        _ => Some(MIN_MAX_CHARS + usize::from(ctl(1)) * 4),
    };
    let metadata = Metadata {
        sender_id: [ctl(2); 8],
        created_ms: 1_764_000_000_000 + u64::from(ctl(3)),
        counter: u64::from(ctl(3)),
    };
    let options = SealOptions {
        metadata: metadata.clone(),
        conversation,
        max_chars,
    };
    let key = &keys[usize::from((ctl(0) >> 3) & 1)];
    let seed = data.iter().fold(0xC5A1_u64, |h, &b| h.rotate_left(5) ^ u64::from(b));
    let blocks = match crypto::encrypt(key, plain, &options, &mut SplitMix(seed)) {
        Ok(blocks) => blocks,
        Err(e) => {
            // Only a message needing more than 255 parts may be refused.
            assert_eq!(e.code(), ErrorCode::TooLarge, "encrypt failed: {e:?}");
            assert!(max_chars.is_some(), "single-block encrypt refused: {e:?}");
            return;
        }
    };
    assert!(!blocks.is_empty());
    if let Some(limit) = max_chars {
        for b in &blocks {
            assert!(b.chars().count() <= limit, "block longer than {limit} chars");
        }
    }
    let expect_check = if conversation.is_some() {
        ConversationCheck::Match
    } else {
        ConversationCheck::Unbound
    };
    let check_opened = |opened: &crypto::Opened| {
        assert_eq!(opened.text.as_str(), plain, "decrypted text differs");
        assert_eq!(opened.metadata, metadata);
        assert_eq!(opened.key_id, key.id());
        assert_eq!(opened.conversation, expect_check);
    };

    let refs: Vec<&str> = blocks.iter().map(String::as_str).collect();
    check_opened(&crypto::decrypt_blocks(&refs, &keys, conversation).expect("clean blocks open"));
    let reversed: Vec<&str> = refs.iter().rev().copied().collect();
    check_opened(&crypto::decrypt_blocks(&reversed, &keys, conversation).expect("reversed blocks open"));

    // Mangled the way a chat site would, and embedded in the input text.
    let width = 10 + usize::from(ctl(5)) % 40;
    let joined = blocks
        .iter()
        .map(|b| mangle(ctl(4), width, b))
        .collect::<Vec<_>>()
        .join("\n\n");
    let at = floor_boundary(text, usize::from(ctl(6)) * text.len() / 256);
    let composed = format!("{}\n{joined}\n{}", &text[..at], &text[at..]);
    let (_, messages) = decrypt_checked(&composed, &keys, conversation);
    if found_in_text.is_empty() {
        assert_eq!(messages.len(), 1, "the embedded message was not found as one message");
        let message = &messages[0];
        assert_eq!(message.spans.len(), blocks.len());
        assert!(message
            .spans
            .iter()
            .all(|&(s, e)| s > at && e <= at + 1 + joined.len()));
        match &message.result {
            Ok(opened) => check_opened(opened),
            Err(e) => panic!("mangling {} broke the message: {e:?}", ctl(4) % 8),
        }
    } else {
        // Foreign blocks around it may cut it off or claim its parts; but a
        // message made only of its blocks can open to nothing but its text.
        for m in &messages {
            let ours = m.spans.iter().all(|&(s, e)| s > at && e <= at + 1 + joined.len());
            if let (true, Ok(opened)) = (ours, &m.result) {
                check_opened(opened);
            }
        }
    }

    // Cut off anywhere: nothing but the original text may ever open.
    let cut = floor_boundary(&joined, usize::from(ctl(7)) * joined.len() / 256);
    for m in decrypt_checked(&joined[..cut], &keys, conversation).1 {
        if let Ok(opened) = &m.result {
            check_opened(opened);
        }
    }
});
