//! Contact-details detector: finds emails, phone numbers, links, messenger
//! handles and payment details in a chat message, including obfuscated forms
//! (`john at gmail dot com`, `five five five ...`, `t . me / x`), so the
//! extension can warn before a message that breaks a marketplace's rules
//! (or pulls someone off-platform) is sent.
//!
//! ```
//! use chatseal::contacts::{scan, Kind, Policy};
//! let found = scan("write me: john dot doe at gmail dot com", &Policy::for_site("www.upwork.com"));
//! assert_eq!(found.len(), 1);
//! assert_eq!(found[0].kind, Kind::Email);
//! assert_eq!(found[0].text, "john dot doe at gmail dot com");
//! ```
//!
//! # Offsets
//! [`Finding::start`] and [`Finding::end`] count **Unicode scalar values**
//! (Rust `char`s; end exclusive), the CLI's convention. JavaScript strings
//! count UTF-16 code units: convert with [`utf16_span`] (one finding) or
//! [`utf16_spans`] (all findings in one pass).
//!
//! # How
//! The message is normalised once (full-width and native-script digits
//! folded, invisible characters dropped, lower-cased; see `normalize`), then
//! read by one scanner per kind, each validating what it finds: top-level
//! domains, country calling codes and national lengths, Luhn, mod-97,
//! Base58Check/Bech32/EIP-55, and cue words from a data table (`lexicon.txt`)
//! for context ("call me", "order #", "WhatsApp"). Overlapping candidates are
//! resolved by priority and length, then the [`Policy`] drops the platform's
//! own and allowed domains and kinds the user turned off. Everything is
//! linear in the length of the message.

mod checksum;
mod digits;
mod email;
mod handle;
mod lexicon;
mod normalize;
mod payment;
mod phone;
mod policy;
mod tables;
mod url;

use std::cmp::Ordering;
use std::collections::BTreeMap;
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

pub use policy::Policy;

/// The kind of a contact detail.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum Kind {
    /// An email address, plain or obfuscated.
    Email,
    /// A phone number, including spelled-out and split digits.
    Phone,
    /// A link or a bare domain outside the platform.
    Url,
    /// A messenger or social-media id.
    Handle,
    /// A payment detail: IBAN, card, payment link or id, crypto address, bank details.
    Payment,
}

impl Kind {
    /// Every kind.
    pub const ALL: [Kind; 5] = [
        Kind::Email,
        Kind::Phone,
        Kind::Url,
        Kind::Handle,
        Kind::Payment,
    ];

    /// The lower-case name: `email`, `phone`, `url`, `handle`, `payment`.
    pub fn as_str(&self) -> &'static str {
        match self {
            Kind::Email => "email",
            Kind::Phone => "phone",
            Kind::Url => "url",
            Kind::Handle => "handle",
            Kind::Payment => "payment",
        }
    }

    /// The kind named `name` (as [`Kind::as_str`] writes it, any case).
    pub fn from_name(name: &str) -> Option<Kind> {
        Kind::ALL
            .into_iter()
            .find(|k| k.as_str().eq_ignore_ascii_case(name.trim()))
    }
}

impl std::fmt::Display for Kind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for Kind {
    type Err = String;
    fn from_str(s: &str) -> Result<Kind, String> {
        Kind::from_name(s)
            .ok_or_else(|| format!("unknown kind {s:?} (email, phone, url, handle, payment)"))
    }
}

/// One contact detail found in a message.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// What it is.
    pub kind: Kind,
    /// Start, in Unicode scalar values from the start of the message.
    pub start: usize,
    /// End (exclusive), in Unicode scalar values.
    pub end: usize,
    /// The text of the message at `start..end`.
    pub text: String,
    /// A short English explanation, e.g. "email address written with 'at' and 'dot' words".
    pub reason: &'static str,
}

impl Finding {
    /// The second kind this finding also is, when one detail genuinely is
    /// two: an email or phone number of a payment account (PayPal, Zelle,
    /// PIX, UPI made of a phone number) is a payment and an email / phone; a
    /// payment link (paypal.me) is a payment and a link; a messenger link
    /// carrying a phone number (wa.me/15551234567) is a link and a phone.
    pub fn secondary_kind(&self) -> Option<Kind> {
        match self.reason {
            REASON_PAY_EMAIL => Some(Kind::Email),
            REASON_PAY_PHONE | REASON_LINK_PHONE | REASON_UPI_PHONE => Some(Kind::Phone),
            REASON_PAY_LINK => Some(Kind::Url),
            _ => None,
        }
    }
}

pub(crate) const REASON_PAY_EMAIL: &str = "email address of a payment account";
pub(crate) const REASON_PAY_PHONE: &str = "phone number of a payment account";
pub(crate) const REASON_LINK_PHONE: &str = "messenger link carrying a phone number";
pub(crate) const REASON_UPI_PHONE: &str = "UPI payment id made of a phone number";
pub(crate) const REASON_PAY_LINK: &str = "payment link";

/// A candidate span from one scanner. Blockers (`keep == false`) are spans
/// that are *not* findings but must hide what overlaps them: an allowed
/// link hides the digits in its path, a placeholder email hides its domain.
#[derive(Clone, Debug)]
pub(crate) struct Cand {
    pub kind: Kind,
    pub s: usize,
    pub e: usize,
    pub prio: u8,
    pub keep: bool,
    pub reason: &'static str,
}

impl Cand {
    pub(crate) fn new(kind: Kind, s: usize, e: usize, prio: u8, reason: &'static str) -> Cand {
        Cand {
            kind,
            s,
            e,
            prio,
            keep: true,
            reason,
        }
    }
    pub(crate) fn blocker(kind: Kind, s: usize, e: usize, prio: u8) -> Cand {
        Cand {
            kind,
            s,
            e,
            prio,
            keep: false,
            reason: "",
        }
    }
}

/// Finds the contact details in `text` that warn under `policy`.
///
/// Findings are sorted by `start` and never overlap. Offsets are Unicode
/// scalar values (see the module docs). Never panics; linear time.
pub fn scan(text: &str, policy: &Policy) -> Vec<Finding> {
    if text.is_empty() {
        return Vec::new();
    }
    let t = normalize::Text::new(text);
    // which scanners can find anything: one pass over the chars and the
    // union of the words' classes
    let (mut at, mut hash, mut dot, mut digit, mut sigil, mut cjk) =
        (false, false, false, false, false, false);
    let v = &t.v;
    for &c in &v.c {
        if c.is_ascii() {
            match c {
                '@' => at = true,
                '#' => hash = true,
                '.' => dot = true,
                '0'..='9' => digit = true,
                '$' | ':' | '_' => sigil = true,
                _ => {}
            }
        } else if ('\u{3007}'..='\u{9FFF}').contains(&c) {
            cjk = true;
        }
    }
    // a dot that can be part of a domain: "a.b" or spaced " . "
    if dot {
        dot =
            v.c.windows(3)
                .any(|w| w[1] == '.' && (w[2].is_alphanumeric() || w[0] == ' ' && w[2] == ' '));
    }
    let words = t.toks.iter().fold(0u64, |a, x| a | x.ent.flags);
    let numbers = digit || cjk || t.toks.iter().any(|x| x.ent.is_num());
    let mut cands: Vec<Cand> = Vec::new();
    if at
        || hash
        || dot
        || words & (lexicon::AT | lexicon::DOT | lexicon::SLASH | lexicon::MAILAPP) != 0
    {
        let owned = t.mail_view();
        let mv = owned.as_ref().unwrap_or(&t.v);
        if at || hash || words & (lexicon::AT | lexicon::MAILAPP) != 0 {
            email::scan(&t, mv, policy, &mut cands);
        }
        url::scan(&t, mv, policy, &mut cands);
    }
    if numbers || words & lexicon::BANK != 0 {
        let owned = if numbers { t.phone_view() } else { None };
        let empty = normalize::View::default();
        let pv = match (&owned, numbers) {
            (Some(v), _) => v,
            (None, true) => &t.v,
            (None, false) => &empty,
        };
        let runs = if numbers {
            digits::runs(pv)
        } else {
            Vec::new()
        };
        phone::scan(&t, pv, &runs, &mut cands);
        payment::scan(&t, pv, &runs, &mut cands);
    }
    if at
        || hash
        || sigil
        || words & (lexicon::APP | lexicon::APPWEAK | lexicon::PAY | lexicon::MAILAPP) != 0
        || words & lexicon::PAIRHEAD != 0
    {
        handle::scan(&t, &mut cands);
    }
    let chosen = resolve(cands);
    let mut out = Vec::with_capacity(chosen.len());
    for mut c in chosen {
        if !c.keep || c.e <= c.s || c.e > t.n {
            continue;
        }
        // an email or phone number given for a payment app is a payment detail
        if matches!(c.kind, Kind::Email | Kind::Phone)
            && t.cue_near(
                c.s,
                c.e,
                if c.kind == Kind::Phone { 10 } else { 4 },
                0,
                lexicon::PAY | lexicon::PIX | lexicon::UPI | lexicon::WALLET,
            )
        {
            c.reason = if c.kind == Kind::Email {
                REASON_PAY_EMAIL
            } else {
                REASON_PAY_PHONE
            };
            c.kind = Kind::Payment;
        }
        if !policy.warns(c.kind) {
            continue;
        }
        out.push(Finding {
            kind: c.kind,
            start: c.s,
            end: c.e,
            text: String::new(),
            reason: c.reason,
        });
    }
    fill_text(text, &mut out);
    out
}

/// Keeps the best non-overlapping candidates: higher priority first, then
/// longer spans, then earlier. Returns them sorted by start.
fn resolve(mut cands: Vec<Cand>) -> Vec<Cand> {
    cands.retain(|c| c.e > c.s);
    sort_by(&mut cands, |a, b| {
        let la = a.e - a.s;
        let lb = b.e - b.s;
        // a clearly longer span wins over a slightly higher priority (an
        // email containing a handle-like part, a link containing a number)
        let score = |p: u8, l: usize| (p as usize) + l.min(200) * 2;
        score(b.prio, lb)
            .cmp(&score(a.prio, la))
            .then(b.prio.cmp(&a.prio))
            .then(a.s.cmp(&b.s))
            .then(a.e.cmp(&b.e))
            .then(a.kind.cmp(&b.kind))
    });
    let mut taken: BTreeMap<usize, (usize, usize)> = BTreeMap::new(); // start -> (end, index)
    for (idx, c) in cands.iter().enumerate() {
        let overlaps_prev = taken
            .range(..c.e)
            .next_back()
            .is_some_and(|(_, (e, _))| *e > c.s);
        if overlaps_prev {
            continue;
        }
        taken.insert(c.s, (c.e, idx));
    }
    let mut out: Vec<Cand> = taken
        .into_values()
        .map(|(_, idx)| cands[idx].clone())
        .collect();
    sort_by(&mut out, |a, b| a.s.cmp(&b.s));
    out
}

/// The detector's tables, parsed from their embedded text once, together
/// (one lazy cell keeps the WASM small).
pub(crate) struct Statics {
    pub lex: lexicon::Lexicon,
    pub lists: tables::Lists,
    pub policy: policy::Data,
}

pub(crate) fn statics() -> &'static Statics {
    static S: OnceLock<Statics> = OnceLock::new();
    S.get_or_init(|| Statics {
        lex: lexicon::parse(),
        lists: tables::build_lists(),
        policy: policy::parse(),
    })
}

/// Heapsort: the standard library's sorts are large in WASM, and every
/// call site would instantiate one; this is small, in place and O(n log n).
pub(crate) fn sort_by<T>(v: &mut [T], mut cmp: impl FnMut(&T, &T) -> Ordering) {
    fn sift<T>(v: &mut [T], mut root: usize, end: usize, cmp: &mut impl FnMut(&T, &T) -> Ordering) {
        loop {
            let mut child = 2 * root + 1;
            if child >= end {
                return;
            }
            if child + 1 < end && cmp(&v[child], &v[child + 1]) == Ordering::Less {
                child += 1;
            }
            if cmp(&v[root], &v[child]) != Ordering::Less {
                return;
            }
            v.swap(root, child);
            root = child;
        }
    }
    let n = v.len();
    for i in (0..n / 2).rev() {
        sift(v, i, n, &mut cmp);
    }
    for end in (1..n).rev() {
        v.swap(0, end);
        sift(v, 0, end, &mut cmp);
    }
}

/// Fills `Finding::text` for findings sorted by start, in one pass.
fn fill_text(text: &str, findings: &mut [Finding]) {
    if findings.is_empty() {
        return;
    }
    let mut bytes: Vec<(usize, usize)> = Vec::with_capacity(findings.len());
    let mut it = text
        .char_indices()
        .map(|(b, _)| b)
        .chain(std::iter::once(text.len()))
        .enumerate();
    let mut cur = it.next();
    let mut pos_of = |target: usize| -> usize {
        while let Some((ci, b)) = cur {
            if ci == target {
                return b;
            }
            cur = it.next();
        }
        text.len()
    };
    // starts and ends interleave (sorted, non-overlapping), so one pass works
    for f in findings.iter() {
        let s = pos_of(f.start);
        let e = pos_of(f.end);
        bytes.push((s, e));
    }
    for (f, (s, e)) in findings.iter_mut().zip(bytes) {
        f.text = text.get(s..e).unwrap_or("").to_string();
    }
}

/// Converts a finding's offsets (Unicode scalar values) to UTF-16 code
/// units, as JavaScript string indices: `(start, end)`, end exclusive.
/// O(length of the text); use [`utf16_spans`] for many findings.
pub fn utf16_span(text: &str, finding: &Finding) -> (usize, usize) {
    let mut s16 = 0;
    let mut u16_pos = 0;
    for (i, ch) in text.chars().enumerate() {
        if i == finding.start {
            s16 = u16_pos;
        }
        if i == finding.end {
            return (s16, u16_pos);
        }
        u16_pos += ch.len_utf16();
    }
    if finding.start >= text.chars().count() {
        s16 = u16_pos;
    }
    (s16, u16_pos)
}

/// Converts the offsets of findings sorted by start (as [`scan`] returns
/// them) to UTF-16 code units in one pass.
pub fn utf16_spans(text: &str, findings: &[Finding]) -> Vec<(usize, usize)> {
    let mut map: Vec<usize> = Vec::new();
    let need = findings.iter().map(|f| f.end).max().unwrap_or(0);
    let mut u = 0;
    for (i, ch) in text.chars().enumerate() {
        if i > need {
            break;
        }
        map.push(u);
        u += ch.len_utf16();
    }
    map.push(u);
    let at = |i: usize| map.get(i).copied().unwrap_or(u);
    findings.iter().map(|f| (at(f.start), at(f.end))).collect()
}

#[cfg(test)]
mod tests;
