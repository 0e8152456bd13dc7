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
    let body_len = base32().encode_len(bytes.len());
    let groups = body_len.div_ceil(GROUP_CHARS);
    let spaces = groups.saturating_sub(1);
    let mut out = Vec::with_capacity(armored_len(bytes.len()));
    out.extend_from_slice(BEGIN_MARKER.as_bytes());
    out.push(b'\n');
    // Encode once, behind the room the spaces will take, then move each group
    // forward to its place: no intermediate string, no copy per group.
    let body_at = out.len();
    out.resize(body_at + spaces + body_len, b' ');
    base32().encode_mut(bytes, &mut out[body_at + spaces..]);
    // Through a fixed-size array: a copy of constant length compiles to a
    // few loads and stores, where `copy_within` calls into the engine.
    for group in 0..body_len / GROUP_CHARS {
        let from = body_at + spaces + group * GROUP_CHARS;
        let to = body_at + group * (GROUP_CHARS + 1);
        let mut chars = [0u8; GROUP_CHARS];
        chars.copy_from_slice(&out[from..from + GROUP_CHARS]);
        out[to..to + GROUP_CHARS].copy_from_slice(&chars);
        if group + 1 < groups {
            out[to + GROUP_CHARS] = b' ';
        }
    }
    let tail = body_len % GROUP_CHARS;
    if tail > 0 {
        let to = body_at + (groups - 1) * (GROUP_CHARS + 1);
        out.copy_within(
            body_at + spaces + body_len - tail..body_at + spaces + body_len,
            to,
        );
    }
    out.push(b'\n');
    out.extend_from_slice(END_MARKER.as_bytes());
    // Markers, base32 symbols and separators are all ASCII, so this is never
    // the empty default (every test vector would fail).
    String::from_utf8(out).unwrap_or_default()
}

/// Decodes the letters and digits of one block body: markers removed,
/// everything but ASCII letters and digits dropped, folded to upper case.
fn decode_folded_body(body: &[u8]) -> Result<Part> {
    if body.len() > MAX_BODY_CHARS {
        return Err(Error::new(
            ErrorCode::TooLarge,
            "the block is larger than a ChatSeal block may be",
        ));
    }
    let bytes = base32().decode(body).map_err(|_| {
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

/// The markers folded to upper-case letters and digits, as the finder sees them.
const BEGIN_FOLDED: &[u8] = b"BEGINCHATSEALMESSAGE";
const END_FOLDED: &[u8] = b"ENDCHATSEALMESSAGE";
/// The last letter of both markers: the finder only looks back for a marker
/// when it meets this letter, which keeps the scan to one compare per byte.
const MARKER_LAST: u8 = b'E';
/// The letter before [`MARKER_LAST`] in both markers.
const MARKER_BEFORE_LAST: u8 = b'G';
const _: () = assert!(
    BEGIN_FOLDED[BEGIN_FOLDED.len() - 1] == MARKER_LAST
        && END_FOLDED[END_FOLDED.len() - 1] == MARKER_LAST
        && BEGIN_FOLDED[BEGIN_FOLDED.len() - 2] == MARKER_BEFORE_LAST
        && END_FOLDED[END_FOLDED.len() - 2] == MARKER_BEFORE_LAST
);
/// The body character at which a block without an end marker is too large.
const TOO_LARGE_AT: usize = MAX_BODY_CHARS + END_FOLDED.len() + 1;
/// Bytes of text folded per step while reading a body (a power of two).
const FOLD_STEP: usize = 1024;

/// Each byte folded: upper-case letter or digit, 0 for everything else.
const FOLD: [u8; 256] = {
    let mut table = [0u8; 256];
    let mut i = 0;
    while i < 256 {
        let c = i as u8;
        if c.is_ascii_alphanumeric() {
            table[i] = c.to_ascii_uppercase();
        }
        i += 1;
    }
    table
};

/// Iterator behind [`find_blocks`].
struct Finder<'t> {
    text: &'t [u8],
    pos: usize,
}

impl<'t> Finder<'t> {
    fn new(text: &'t str) -> Self {
        Finder {
            text: text.as_bytes(),
            pos: 0,
        }
    }
}

impl Iterator for Finder<'_> {
    type Item = FoundBlock;

    fn next(&mut self) -> Option<FoundBlock> {
        let text = self.text;
        let floor = self.pos;
        let start = loop {
            let e = self.pos
                + text
                    .get(self.pos..)?
                    .iter()
                    .position(|&c| c | 0x20 == b'e')?;
            self.pos = e + 1;
            if let Some(start) = marker_before(text, floor, self.pos, BEGIN_FOLDED) {
                break start;
            }
        };
        Some(self.body(start))
    }
}

impl Finder<'_> {
    /// Reads the body of the block whose begin marker starts at `start`, up to
    /// and including its end marker. The body is folded a step at a time
    /// without a branch per byte; markers are then looked for only at the
    /// `E`s the step produced, as suffixes of the folded body.
    fn body(&mut self, start: usize) -> FoundBlock {
        let text = self.text;
        let body_start = self.pos;
        // Room for the body of a message of about 1 KiB, the common case,
        // without growing; longer bodies grow as they are read.
        let mut body: Vec<u8> = Vec::with_capacity(2 * FOLD_STEP + 8);
        while self.pos < text.len() {
            let step_start = self.pos;
            let step = &text[step_start..text.len().min(step_start + FOLD_STEP)];
            let before = body.len();
            let mut folded = [0u8; FOLD_STEP + 8];
            let len = fold_step(step, &mut folded);
            body.extend_from_slice(&folded[..len]);
            self.pos = step_start + step.len();
            // Byte offset just past the body character at `index`, counted
            // from the nearer end of the step: an end marker mostly stands
            // near the end of the text (a block read on its own).
            let in_step = body.len() - before;
            let byte_after = |index: usize| {
                let n = index + 1 - before;
                if n <= in_step / 2 {
                    step_start + nth_alphanumeric_end(step, n)
                } else {
                    step_start + nth_alphanumeric_back(step, step.len(), in_step + 1 - n) + 1
                }
            };

            let mut from = before;
            while let Some(index) = next_marker_end(&body, from) {
                if index >= TOO_LARGE_AT {
                    break;
                }
                let so_far = &body[..=index];
                if so_far.ends_with(BEGIN_FOLDED) {
                    // A new block starts before this one ended: this one was cut off.
                    let next = nth_alphanumeric_back(text, byte_after(index), BEGIN_FOLDED.len());
                    self.pos = next;
                    return cut_off(start, last_char_end(text, next));
                }
                if so_far.ends_with(END_FOLDED) {
                    self.pos = byte_after(index);
                    body.truncate(index + 1 - END_FOLDED.len());
                    return FoundBlock {
                        start,
                        end: self.pos,
                        part: decode_folded_body(&body),
                    };
                }
                from = index + 1;
            }
            if body.len() >= TOO_LARGE_AT {
                // Skip to the end marker (if any) without keeping the body.
                self.pos = byte_after(TOO_LARGE_AT - 1);
                let end = skip_to_end(text, body_start, &mut self.pos);
                return FoundBlock {
                    start,
                    end,
                    part: Err(Error::new(
                        ErrorCode::TooLarge,
                        "the block is larger than a ChatSeal block may be",
                    )),
                };
            }
        }
        cut_off(start, text.len())
    }
}

/// Folds `step` (at most [`FOLD_STEP`] bytes) into `folded`: its letters and
/// digits in upper case, everything else left out. Returns how many.
///
/// Eight bytes at a time: a word of upper-case letters and digits is copied
/// whole, and one with a single byte to leave out (the space between two
/// groups of the armor) is closed up with shifts. Other words go byte by
/// byte through [`FOLD`].
fn fold_step(step: &[u8], folded: &mut [u8; FOLD_STEP + 8]) -> usize {
    let mut len = 0;
    let mut words = step.chunks_exact(8);
    for chunk in &mut words {
        let mut bytes = [0u8; 8];
        bytes.copy_from_slice(chunk);
        let word = u64::from_le_bytes(bytes);
        let dropped = !folded_already(word) & HIGH_BITS;
        // len + 8 <= bytes read so far + 8 <= FOLD_STEP: every write fits.
        if dropped == 0 {
            folded[len..len + 8].copy_from_slice(&bytes);
            len += 8;
            continue;
        }
        let at = (dropped.trailing_zeros() - 7) as usize; // bit offset of that byte
        if dropped & (dropped - 1) == 0 && FOLD[usize::from(bytes[at / 8])] == 0 {
            let low = word & ((1u64 << at) - 1);
            let high = word.checked_shr(at as u32 + 8).unwrap_or(0) << at;
            folded[len..len + 8].copy_from_slice(&(low | high).to_le_bytes());
            len += 7;
            continue;
        }
        len = fold_bytes(&bytes, folded, len);
    }
    fold_bytes(words.remainder(), folded, len)
}

/// Folds `bytes` one by one into `folded` from `len` on; returns the new length.
fn fold_bytes(bytes: &[u8], folded: &mut [u8], mut len: usize) -> usize {
    for &c in bytes {
        let f = FOLD[usize::from(c)];
        folded[len] = f;
        len += usize::from(f != 0);
    }
    len
}

const HIGH_BITS: u64 = 0x8080_8080_8080_8080;
const LOW_BITS: u64 = !HIGH_BITS;

/// `byte` in every byte of a word.
const fn every_byte(byte: u8) -> u64 {
    byte as u64 * 0x0101_0101_0101_0101
}

/// The high bit of each byte of `word` that is an ASCII digit or upper-case
/// letter (what [`FOLD`] leaves as it is). The sums stay within each byte:
/// the high bits are cleared first, and non-ASCII bytes are masked out after.
fn folded_already(word: u64) -> u64 {
    let x = word & LOW_BITS;
    let at_least = |lo: u8| x + every_byte(0x80 - lo);
    let above = |hi: u8| x + every_byte(0x7f - hi);
    let digit = at_least(b'0') & !above(b'9');
    let upper = at_least(b'A') & !above(b'Z');
    (digit | upper) & !word & HIGH_BITS
}

/// The first index `i >= from` where `body[i - 1..=i]` is "GE", the last two
/// letters of both markers: a marker can only end there. Eight bytes at a
/// time (in base32 an `E` is one letter in 32, so a byte-by-byte search for
/// it stops and mispredicts every few dozen bytes).
fn next_marker_end(body: &[u8], from: usize) -> Option<usize> {
    let mut at = from.max(1);
    while at + 8 <= body.len() {
        let word = |start: usize| {
            let mut bytes = [0u8; 8];
            bytes.copy_from_slice(&body[start..start + 8]);
            u64::from_le_bytes(bytes)
        };
        let hits =
            bytes_equal(word(at), MARKER_LAST) & bytes_equal(word(at - 1), MARKER_BEFORE_LAST);
        if hits != 0 {
            return Some(at + hits.trailing_zeros() as usize / 8);
        }
        at += 8;
    }
    (at..body.len()).find(|&i| body[i] == MARKER_LAST && body[i - 1] == MARKER_BEFORE_LAST)
}

/// The high bit of each byte of `word` set where that byte equals `byte`,
/// every other bit clear (exact: no carry crosses a byte).
fn bytes_equal(word: u64, byte: u8) -> u64 {
    let x = word ^ every_byte(byte);
    !(((x & LOW_BITS) + LOW_BITS) | x) & HIGH_BITS
}

/// Byte offset just past the `n`-th letter or digit of `bytes` (which has at least `n`).
fn nth_alphanumeric_end(bytes: &[u8], n: usize) -> usize {
    let mut seen = 0;
    for (i, c) in bytes.iter().enumerate() {
        if c.is_ascii_alphanumeric() {
            seen += 1;
            if seen == n {
                return i + 1;
            }
        }
    }
    bytes.len()
}

/// If the letters and digits of `text[floor..end]` end with `marker` (folded),
/// the byte offset where the marker starts. Only called at a byte that folds
/// to [`MARKER_LAST`]; each non-matching look-back stops at its first
/// mismatch, so a scan stays linear.
fn marker_before(text: &[u8], floor: usize, end: usize, marker: &[u8]) -> Option<usize> {
    let mut at = end;
    for &want in marker.iter().rev() {
        loop {
            if at <= floor {
                return None;
            }
            at -= 1;
            if text[at].is_ascii_alphanumeric() {
                break;
            }
        }
        if text[at].to_ascii_uppercase() != want {
            return None;
        }
    }
    Some(at)
}

/// Byte offset of the `n`-th letter or digit before `end` (which has at least `n`).
fn nth_alphanumeric_back(text: &[u8], end: usize, n: usize) -> usize {
    let mut at = end;
    let mut seen = 0;
    while seen < n && at > 0 {
        at -= 1;
        if text[at].is_ascii_alphanumeric() {
            seen += 1;
        }
    }
    at
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

/// Moves `pos` just past the first end marker that ends after it (its letters
/// may begin before `pos`, not before `floor`); returns that offset.
fn skip_to_end(text: &[u8], floor: usize, pos: &mut usize) -> usize {
    while let Some(i) = text[*pos..].iter().position(|&c| c | 0x20 == b'e') {
        *pos += i + 1;
        if marker_before(text, floor, *pos, END_FOLDED).is_some() {
            return *pos;
        }
    }
    *pos = text.len();
    text.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn envelope(n: usize) -> Vec<u8> {
        (0..n).map(|i| (i * 7 + 3) as u8).collect()
    }

    #[test]
    fn steps_fold_like_byte_by_byte() {
        let naive = |step: &[u8]| -> Vec<u8> {
            step.iter()
                .map(|&c| FOLD[usize::from(c)])
                .filter(|&f| f != 0)
                .collect()
        };
        // Armor-like text with the damage chat sites do, and every byte value.
        let alphabet: Vec<u8> = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ0123456789ABCDEFGHJKMNPQRSTVWXYZ \n\r-abzZ09:@[`{\x7f\x80\xc2\xa0\xe2\x80\x8b\xff"
            .to_vec();
        let mut state = 0x9e37_79b9_7f4a_7c15u64;
        let mut next = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        for len in (0..64).chain([FOLD_STEP - 1, FOLD_STEP]) {
            for round in 0..200 {
                let step: Vec<u8> = (0..len)
                    .map(|i| match round % 3 {
                        // Canonical groups of ten with one separator.
                        0 if i % 11 != 10 => {
                            b"0123456789ABCDEFGHJKMNPQRSTVWXYZ"[(next() % 32) as usize]
                        }
                        0 => b' ',
                        1 => alphabet[(next() % alphabet.len() as u64) as usize],
                        _ => (next() % 256) as u8,
                    })
                    .collect();
                let mut folded = [0u8; FOLD_STEP + 8];
                let n = fold_step(&step, &mut folded);
                assert_eq!(folded[..n], naive(&step)[..], "{step:?}");
            }
        }
    }

    #[test]
    fn marker_ends_are_found_like_a_byte_by_byte_search() {
        let naive = |body: &[u8], from: usize| {
            (from.max(1)..body.len()).find(|&i| body[i] == b'E' && body[i - 1] == b'G')
        };
        let mut state = 0x2545_f491_4f6c_dd1du64;
        for len in 0..80 {
            for _ in 0..50 {
                let body: Vec<u8> = (0..len)
                    .map(|_| {
                        state ^= state << 13;
                        state ^= state >> 7;
                        state ^= state << 17;
                        [b'G', b'E', b'X', 0xC5][(state % 4) as usize]
                    })
                    .collect();
                for from in 0..=len {
                    assert_eq!(
                        next_marker_end(&body, from),
                        naive(&body, from),
                        "{body:?} from {from}"
                    );
                }
            }
        }
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
    fn body_limit_is_exact_and_the_next_block_is_still_found() {
        let block = armor_parts(&envelope(40), None, [0; 8]).unwrap().remove(0);
        for (chars, too_large) in [
            (MAX_BODY_CHARS, false),
            (MAX_BODY_CHARS + 1, true),
            (MAX_BODY_CHARS + 2, true),
        ] {
            // "0" decodes; a body of only zeros is a frame of version 0.
            let text = format!(
                "BEGIN CHATSEAL MESSAGE\n{}\nEND CHATSEAL MESSAGE {block}",
                "0 ".repeat(chars)
            );
            let found = find_blocks(&text);
            assert_eq!(found.len(), 2, "{chars}");
            let code = found[0].part.clone().unwrap_err().code();
            assert_eq!(code == ErrorCode::TooLarge, too_large, "{chars}: {code:?}");
            assert_eq!(found[0].end, text.len() - block.len() - 1, "{chars}");
            assert_eq!(&text[found[1].start..found[1].end], block);
            assert!(found[1].part.is_ok());
        }
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

    /// A naive finder written from the spec: fold the text, then look for the
    /// markers by plain comparison.
    fn reference_find(text: &str) -> Vec<(usize, usize, Result<Part>)> {
        let folded: Vec<(u8, usize)> = text
            .bytes()
            .enumerate()
            .filter(|(_, b)| b.is_ascii_alphanumeric())
            .map(|(i, b)| (b.to_ascii_uppercase(), i))
            .collect();
        let letters: Vec<u8> = folded.iter().map(|&(b, _)| b).collect();
        let at = |k: usize, marker: &[u8]| letters[k..].starts_with(marker);
        let mut out = Vec::new();
        let mut k = 0;
        while let Some(b) = (k..letters.len()).find(|&b| at(b, BEGIN_FOLDED)) {
            let start = folded[b].1;
            let body = b + BEGIN_FOLDED.len();
            // The first marker to end after the body starts decides.
            let hit = (body..letters.len()).find_map(|e| {
                let ends = |m: &[u8]| e + 1 >= body + m.len() && letters[..=e].ends_with(m);
                if ends(BEGIN_FOLDED) {
                    Some((true, e + 1 - BEGIN_FOLDED.len(), e))
                } else if ends(END_FOLDED) {
                    Some((false, e + 1 - END_FOLDED.len(), e))
                } else {
                    None
                }
            });
            match hit {
                Some((true, next, _)) => {
                    out.push((
                        start,
                        folded[next - 1].1 + 1,
                        Err(Error::new(ErrorCode::Altered, "")),
                    ));
                    k = next;
                }
                Some((false, end_at, e)) => {
                    out.push((
                        start,
                        folded[e].1 + 1,
                        decode_folded_body(&letters[body..end_at]),
                    ));
                    k = e + 1;
                }
                None => {
                    out.push((start, text.len(), Err(Error::new(ErrorCode::Altered, ""))));
                    break;
                }
            }
        }
        out
    }

    fn same(found: &FoundBlock, expected: &(usize, usize, Result<Part>)) -> bool {
        found.start == expected.0
            && found.end == expected.1
            && match (&found.part, &expected.2) {
                (Ok(a), Ok(b)) => a == b,
                (Err(a), Err(b)) => a.code() == b.code(),
                _ => false,
            }
    }

    proptest::proptest! {
        #[test]
        fn finder_agrees_with_a_naive_reading(pieces in proptest::collection::vec(0usize..17, 0..14)) {
            let block = armor_parts(&envelope(30), None, [0; 8]).unwrap().remove(0);
            // Long enough for markers to straddle the finder's fold steps.
            let filler = "\u{200b}".repeat(150);
            let vocabulary = [
                "BEGIN CHATSEAL MESSAGE", "END CHATSEAL MESSAGE", "BEGIN", "END", "chatseal",
                "MESSAGE", "e", " ", "\n", "é", "\u{200b}", "> ", block.as_str(), "ABCDEFGH12",
                "beGin chat-seal\u{a0}message", "ENDEND", &filler,
            ];
            let text: String = pieces.iter().map(|&i| vocabulary[i]).collect();
            let found = find_blocks(&text);
            let expected = reference_find(&text);
            proptest::prop_assert_eq!(found.len(), expected.len(), "{:?}", text);
            for (f, e) in found.iter().zip(&expected) {
                proptest::prop_assert!(same(f, e), "{:?}: {:?} vs {:?}", text, (f.start, f.end), (e.0, e.1));
            }
        }
    }
}
