//! Armor and framing: how the bytes of a sealed message become chat-safe text
//! blocks and how those blocks are found again in text a site has mangled.
//!
//! The normative description is `docs/FORMAT.md`; this module implements it.
//! Nothing here is secret: it handles ciphertext only.

use std::sync::OnceLock;

use data_encoding::{Encoding, Specification};

use crate::error::{Error, ErrorCode, Result};

/// The only format version this build writes and reads.
pub const VERSION: u8 = 1;

/// Text that opens a block. Matched ignoring case and every character that is
/// not an ASCII letter or digit.
pub const BEGIN_MARKER: &str = "BEGIN CHATSEAL MESSAGE";
/// Text that closes a block, matched like [`BEGIN_MARKER`].
pub const END_MARKER: &str = "END CHATSEAL MESSAGE";

/// Characters per space-separated group in the armored body.
pub const GROUP_CHARS: usize = 10;

/// Most armor characters (letters and digits only) a block body may have.
/// Longer bodies are rejected as [`ErrorCode::TooLarge`] without decoding.
pub const MAX_BODY_CHARS: usize = 160_000;

/// Most parts one message may be split into.
pub const MAX_PARTS: usize = 255;

/// Bytes of a part header: version, part count, part index, message id.
const MULTIPART_HEADER_BYTES: usize = 1 + 1 + 1 + MESSAGE_ID_BYTES;
/// Bytes of a single-part header: version and part count (1).
const SINGLE_HEADER_BYTES: usize = 2;

/// Length of the random id that ties the parts of one message together.
pub const MESSAGE_ID_BYTES: usize = 8;

/// Smallest per-block character limit [`armor_parts`] accepts: the markers and
/// headers alone take about 70 characters.
pub const MIN_MAX_CHARS: usize = 120;

const CROCKFORD_SYMBOLS: &str = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/// Crockford's base32 alphabet (no I, L, O, U), most significant bit first,
/// no padding, case folded by the caller, `O`→`0` and `I`/`L`→`1` on input.
pub(crate) fn base32() -> &'static Encoding {
    static ENCODING: OnceLock<Encoding> = OnceLock::new();
    ENCODING.get_or_init(|| {
        let mut spec = Specification::new();
        spec.symbols.push_str(CROCKFORD_SYMBOLS);
        spec.translate.from.push_str("OIL");
        spec.translate.to.push_str("011");
        // The specification is a constant; it is valid, so this cannot fail.
        match spec.encoding() {
            Ok(encoding) => encoding,
            Err(_) => unreachable!("constant base32 specification is valid"),
        }
    })
}

/// One block's decoded content: which part of which message it is, and its
/// share of the sealed envelope.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Part {
    /// 1-based index of this part.
    pub index: u8,
    /// Number of parts of the message (1 for a single-block message).
    pub count: u8,
    /// Random id shared by all parts of one message; `None` for single blocks.
    pub message_id: Option<[u8; MESSAGE_ID_BYTES]>,
    /// This part's bytes of the envelope.
    pub fragment: Vec<u8>,
}

/// A block found in a text: where it stands and what it decoded to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FoundBlock {
    /// Byte offset of the first character of the begin marker.
    pub start: usize,
    /// Byte offset just past the last character of the end marker (or of the
    /// text, when the end marker is missing).
    pub end: usize,
    /// The decoded part, or why it could not be decoded.
    pub part: Result<Part>,
}

/// Splits a sealed envelope into armored blocks of at most `max_chars`
/// characters each (`None`: one block, whatever its length).
pub fn armor_parts(
    envelope: &[u8],
    max_chars: Option<usize>,
    message_id: [u8; MESSAGE_ID_BYTES],
) -> Result<Vec<String>> {
    let single = armor_one(&frame_single(envelope));
    let limit = match max_chars {
        None => return check_body_limit(single).map(|b| vec![b]),
        Some(limit) if limit < MIN_MAX_CHARS => {
            return Err(Error::new(
                ErrorCode::InvalidArgument,
                "the per-block character limit is too small for a ChatSeal block",
            ))
        }
        Some(limit) => limit,
    };
    if single.chars().count() <= limit {
        return check_body_limit(single).map(|b| vec![b]);
    }
    let per_part = fragment_capacity(limit);
    let count = envelope.len().div_ceil(per_part);
    if count > MAX_PARTS {
        return Err(Error::new(
            ErrorCode::TooLarge,
            "the message needs more parts than a ChatSeal message may have",
        ));
    }
    envelope
        .chunks(per_part)
        .enumerate()
        .map(|(i, fragment)| {
            // count ≤ MAX_PARTS = 255, so both fit in a byte.
            let header = [VERSION, count as u8, (i + 1) as u8];
            let mut bytes = Vec::with_capacity(MULTIPART_HEADER_BYTES + fragment.len());
            bytes.extend_from_slice(&header);
            bytes.extend_from_slice(&message_id);
            bytes.extend_from_slice(fragment);
            check_body_limit(armor_one(&bytes))
        })
        .collect()
}

fn frame_single(envelope: &[u8]) -> Vec<u8> {
    let mut bytes = Vec::with_capacity(SINGLE_HEADER_BYTES + envelope.len());
    bytes.extend_from_slice(&[VERSION, 1]);
    bytes.extend_from_slice(envelope);
    bytes
}

fn check_body_limit(block: String) -> Result<String> {
    if block.len() > MAX_BODY_CHARS + MAX_BODY_CHARS / GROUP_CHARS + 64 {
        return Err(Error::new(
            ErrorCode::TooLarge,
            "the message is larger than a ChatSeal block may be",
        ));
    }
    Ok(block)
}

/// Total characters of an armored block whose framed bytes are `n` long.
fn armored_len(n: usize) -> usize {
    let body = base32().encode_len(n);
    let spaces = body.div_ceil(GROUP_CHARS).saturating_sub(1);
    BEGIN_MARKER.len() + 1 + body + spaces + 1 + END_MARKER.len()
}

/// Largest fragment whose multipart block fits in `limit` characters.
fn fragment_capacity(limit: usize) -> usize {
    // armored_len grows monotonically; walk down from an upper bound.
    let mut n = (limit * 5 / 8)
        .saturating_sub(MULTIPART_HEADER_BYTES)
        .max(1);
    while n > 1 && armored_len(MULTIPART_HEADER_BYTES + n) > limit {
        n -= 1;
    }
    n
}

/// Armors framed bytes: begin marker, newline, body in groups, newline, end marker.
fn armor_one(bytes: &[u8]) -> String {
    let body = base32().encode(bytes);
    let mut out = String::with_capacity(armored_len(bytes.len()));
    out.push_str(BEGIN_MARKER);
    out.push('\n');
    for (i, group) in body.as_bytes().chunks(GROUP_CHARS).enumerate() {
        if i > 0 {
            out.push(' ');
        }
        // base32 output is ASCII, so every chunk is valid UTF-8.
        out.extend(group.iter().map(|&b| char::from(b)));
    }
    out.push('\n');
    out.push_str(END_MARKER);
    out
}

/// Decodes the letters and digits of one block body (markers already removed,
/// everything but ASCII letters and digits already dropped).
pub fn decode_body(body: &[u8]) -> Result<Part> {
    if body.len() > MAX_BODY_CHARS {
        return Err(Error::new(
            ErrorCode::TooLarge,
            "the block is larger than a ChatSeal block may be",
        ));
    }
    let upper: Vec<u8> = body.iter().map(u8::to_ascii_uppercase).collect();
    let bytes = base32().decode(&upper).map_err(|_| {
        Error::new(
            ErrorCode::NotChatSeal,
            "the block's text is not valid ChatSeal armor",
        )
    })?;
    parse_frame(bytes)
}

fn parse_frame(mut bytes: Vec<u8>) -> Result<Part> {
    let (version, count) = match bytes.as_slice() {
        [version, count, ..] => (*version, *count),
        _ => {
            return Err(Error::new(
                ErrorCode::NotChatSeal,
                "the block is too short to be a ChatSeal block",
            ))
        }
    };
    if version != VERSION {
        return Err(Error::new(
            ErrorCode::UnsupportedVersion,
            "the block was made by a ChatSeal format version this build does not read",
        ));
    }
    match count {
        0 => Err(Error::new(
            ErrorCode::NotChatSeal,
            "the block's part count is zero",
        )),
        1 => {
            bytes.drain(..SINGLE_HEADER_BYTES);
            Ok(Part {
                index: 1,
                count: 1,
                message_id: None,
                fragment: bytes,
            })
        }
        _ => {
            if bytes.len() <= MULTIPART_HEADER_BYTES {
                return Err(Error::new(
                    ErrorCode::NotChatSeal,
                    "the block is too short to be a ChatSeal part",
                ));
            }
            let index = bytes[2];
            if index == 0 || index > count {
                return Err(Error::new(
                    ErrorCode::NotChatSeal,
                    "the block's part index is out of range",
                ));
            }
            let mut message_id = [0u8; MESSAGE_ID_BYTES];
            message_id.copy_from_slice(&bytes[3..MULTIPART_HEADER_BYTES]);
            bytes.drain(..MULTIPART_HEADER_BYTES);
            Ok(Part {
                index,
                count,
                message_id: Some(message_id),
                fragment: bytes,
            })
        }
    }
}

/// Puts the parts of one message back together into its envelope.
///
/// `parts` may come in any order. Every part must be present exactly once and
/// all must carry the same message id and count; otherwise the result is
/// [`ErrorCode::MissingPart`].
pub fn reassemble(parts: &[Part]) -> Result<Vec<u8>> {
    let missing = || {
        Error::new(
            ErrorCode::MissingPart,
            "a part of this multipart message is missing or belongs to another message",
        )
    };
    let first = parts.first().ok_or_else(missing)?;
    let count = usize::from(first.count);
    if parts.len() != count
        || parts
            .iter()
            .any(|p| p.count != first.count || p.message_id != first.message_id)
    {
        return Err(missing());
    }
    let mut ordered: Vec<Option<&Part>> = vec![None; count];
    for part in parts {
        let slot = ordered
            .get_mut(usize::from(part.index).wrapping_sub(1))
            .ok_or_else(missing)?;
        if slot.replace(part).is_some() {
            return Err(missing());
        }
    }
    let mut envelope = Vec::new();
    for part in ordered {
        envelope.extend_from_slice(&part.ok_or_else(missing)?.fragment);
    }
    Ok(envelope)
}

/// Finds every ChatSeal block in `text`, in order.
///
/// Tolerates what chat sites do to text: any characters other than ASCII
/// letters and digits (whitespace of every kind, zero-width characters, `>`
/// quote marks, punctuation, typographic substitutions) are ignored, and case
/// is folded. A block without an end marker is reported as
/// [`ErrorCode::Altered`] (cut off); a body over [`MAX_BODY_CHARS`] as
/// [`ErrorCode::TooLarge`], found without decoding it.
pub fn find_blocks(text: &str) -> Vec<FoundBlock> {
    Finder::new(text).collect()
}

/// Iterator behind [`find_blocks`].
struct Finder<'t> {
    text: &'t [u8],
    pos: usize,
    begin: FoldedMatcher,
}

impl<'t> Finder<'t> {
    fn new(text: &'t str) -> Self {
        Finder {
            text: text.as_bytes(),
            pos: 0,
            begin: FoldedMatcher::new(BEGIN_MARKER),
        }
    }
}

impl Iterator for Finder<'_> {
    type Item = FoundBlock;

    fn next(&mut self) -> Option<FoundBlock> {
        let start = loop {
            let c = *self.text.get(self.pos)?;
            let at = self.pos;
            self.pos += 1;
            if c.is_ascii_alphanumeric() && self.begin.feed(c.to_ascii_uppercase(), at) {
                break self.begin.start;
            }
        };
        let mut end_matcher = FoldedMatcher::new(END_MARKER);
        let mut begin_matcher = FoldedMatcher::new(BEGIN_MARKER);
        let mut body: Vec<u8> = Vec::new();
        let end_len = end_matcher.len();
        while let Some(&c) = self.text.get(self.pos) {
            let at = self.pos;
            self.pos += 1;
            if !c.is_ascii_alphanumeric() {
                continue;
            }
            let folded = c.to_ascii_uppercase();
            if begin_matcher.feed(folded, at) {
                // A new block starts before this one ended: this one was cut off.
                self.pos = begin_matcher.start;
                return Some(cut_off(
                    start,
                    last_char_end(self.text, begin_matcher.start),
                ));
            }
            body.push(folded);
            if end_matcher.feed(folded, at) {
                body.truncate(body.len() - end_len);
                return Some(FoundBlock {
                    start,
                    end: self.pos,
                    part: decode_body(&body),
                });
            }
            if body.len() > MAX_BODY_CHARS + end_len {
                // Skip to the end marker (if any) without keeping the body.
                let end = skip_to_end(self.text, &mut self.pos);
                return Some(FoundBlock {
                    start,
                    end,
                    part: Err(Error::new(
                        ErrorCode::TooLarge,
                        "the block is larger than a ChatSeal block may be",
                    )),
                });
            }
        }
        Some(cut_off(start, self.text.len()))
    }
}

fn cut_off(start: usize, end: usize) -> FoundBlock {
    FoundBlock {
        start,
        end,
        part: Err(Error::new(
            ErrorCode::Altered,
            "the block is cut off: its end marker is missing",
        )),
    }
}

/// End of the text before `at`, trimmed of trailing non-alphanumerics so the
/// span of a cut-off block does not swallow the separator before the next one.
fn last_char_end(text: &[u8], at: usize) -> usize {
    let mut end = at;
    while end > 0 && !text[end - 1].is_ascii_alphanumeric() {
        end -= 1;
    }
    end
}

fn skip_to_end(text: &[u8], pos: &mut usize) -> usize {
    let mut end_matcher = FoldedMatcher::new(END_MARKER);
    while let Some(&c) = text.get(*pos) {
        *pos += 1;
        if c.is_ascii_alphanumeric() && end_matcher.feed(c.to_ascii_uppercase(), *pos - 1) {
            return *pos;
        }
    }
    text.len()
}

/// A marker folded to its letters and digits, matched with the KMP failure
/// function so no occurrence is missed after a partial match.
struct FoldedMatcher {
    pattern: Vec<u8>,
    failure: Vec<usize>,
    matched: usize,
    /// Byte offsets of the characters of the current partial match.
    starts: Vec<usize>,
    /// Byte offset where the last complete match started.
    start: usize,
}

impl FoldedMatcher {
    fn new(marker: &str) -> Self {
        let pattern: Vec<u8> = marker
            .bytes()
            .filter(u8::is_ascii_alphanumeric)
            .map(|b| b.to_ascii_uppercase())
            .collect();
        let mut failure = vec![0usize; pattern.len()];
        let mut k = 0;
        for i in 1..pattern.len() {
            while k > 0 && pattern[i] != pattern[k] {
                k = failure[k - 1];
            }
            if pattern[i] == pattern[k] {
                k += 1;
            }
            failure[i] = k;
        }
        let len = pattern.len();
        FoldedMatcher {
            pattern,
            failure,
            matched: 0,
            starts: vec![0; len],
            start: 0,
        }
    }

    fn len(&self) -> usize {
        self.pattern.len()
    }

    fn feed(&mut self, c: u8, at: usize) -> bool {
        while self.matched > 0 && self.pattern[self.matched] != c {
            let keep = self.failure[self.matched - 1];
            // Keep the offsets of the suffix that is still a prefix.
            self.starts
                .copy_within(self.matched - keep..self.matched, 0);
            self.matched = keep;
        }
        if self.pattern[self.matched] == c {
            self.starts[self.matched] = at;
            self.matched += 1;
            if self.matched == self.pattern.len() {
                self.start = self.starts[0];
                let keep = self.failure[self.matched - 1];
                self.starts
                    .copy_within(self.matched - keep..self.matched, 0);
                self.matched = keep;
                return true;
            }
        }
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn envelope(n: usize) -> Vec<u8> {
        (0..n).map(|i| (i * 7 + 3) as u8).collect()
    }

    #[test]
    fn single_block_round_trip() {
        let env = envelope(100);
        let blocks = armor_parts(&env, None, [0; 8]).unwrap();
        assert_eq!(blocks.len(), 1);
        let found = find_blocks(&blocks[0]);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].start, 0);
        assert_eq!(found[0].end, blocks[0].len());
        let part = found[0].part.clone().unwrap();
        assert_eq!(reassemble(&[part]).unwrap(), env);
    }

    #[test]
    fn multipart_respects_limit_and_reassembles_in_any_order() {
        let env = envelope(3000);
        let blocks = armor_parts(&env, Some(500), [9; 8]).unwrap();
        assert!(blocks.len() > 1);
        assert!(blocks.iter().all(|b| b.chars().count() <= 500));
        let text = blocks
            .iter()
            .rev()
            .cloned()
            .collect::<Vec<_>>()
            .join("\n\n");
        let parts: Vec<Part> = find_blocks(&text)
            .into_iter()
            .map(|f| f.part.unwrap())
            .collect();
        assert_eq!(reassemble(&parts).unwrap(), env);
        assert_eq!(
            reassemble(&parts[1..]).unwrap_err().code(),
            ErrorCode::MissingPart
        );
    }

    #[test]
    fn too_small_limit_is_refused() {
        let err = armor_parts(&envelope(10), Some(50), [0; 8]).unwrap_err();
        assert_eq!(err.code(), ErrorCode::InvalidArgument);
    }

    #[test]
    fn missing_end_marker_is_cut_off() {
        let text = "hi BEGIN CHATSEAL MESSAGE 0123456789 and then nothing";
        let found = find_blocks(text);
        assert_eq!(found.len(), 1);
        assert_eq!(
            found[0].part.clone().unwrap_err().code(),
            ErrorCode::Altered
        );
    }

    #[test]
    fn second_begin_cuts_off_first_block() {
        let block = armor_parts(&envelope(40), None, [0; 8]).unwrap().remove(0);
        let text = format!("BEGIN CHATSEAL MESSAGE ABCDE\n{block}");
        let found = find_blocks(&text);
        assert_eq!(found.len(), 2);
        assert_eq!(
            found[0].part.clone().unwrap_err().code(),
            ErrorCode::Altered
        );
        assert!(found[1].part.is_ok());
        assert_eq!(&text[found[1].start..found[1].end], block);
    }

    #[test]
    fn huge_junk_is_rejected_without_decoding() {
        let junk = format!("BEGIN CHATSEAL MESSAGE {}", "A".repeat(10_000_000));
        let found = find_blocks(&junk);
        assert_eq!(found.len(), 1);
        assert_eq!(
            found[0].part.clone().unwrap_err().code(),
            ErrorCode::TooLarge
        );
    }

    #[test]
    fn marker_with_partial_repeat_is_found() {
        // "END END CHATSEAL": a partial match must not hide the real one.
        let block = armor_parts(&envelope(20), None, [0; 8]).unwrap().remove(0);
        let mangled = block.replace("END CHATSEAL", "EN END CHATSEAL");
        let found = find_blocks(&mangled);
        assert_eq!(found.len(), 1);
        // The stray "EN" became body characters, so the body no longer decodes.
        assert!(found[0].part.is_err());
        let text = format!(
            "BEGIN BEGIN CHATSEAL MESSAGE{}",
            &block[BEGIN_MARKER.len()..]
        );
        let found = find_blocks(&text);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].start, 6);
        assert!(found[0].part.is_ok());
    }
}
