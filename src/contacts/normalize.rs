//! Normalisation: turns the message into views the scanners can read.
//!
//! Every view is a sequence of `char`s where each char remembers the span of
//! original characters (Unicode scalar values) it came from, so a match in a
//! view maps back to exact offsets in the message.
//!
//! - [`Text::new`] builds the base view: full-width forms folded to ASCII,
//!   native-script digits to ASCII digits, dash, dot and space look-alikes
//!   unified, invisible characters dropped, everything lower-cased (the
//!   case-preserving `raw` copy is kept for checks that need case). It also
//!   splits the base view into word tokens and looks each up in the lexicon.
//! - [`Text::mail_view`] rewrites obfuscations for the email and link scanners:
//!   `at`/`[at]`/`arroba`/`собака` to `@`, `dot`/`(dot)`/`punto` to `.`,
//!   `slash` to `/`, spaces around `@` `.` `/` removed and s p a c e d
//!   letters joined.
//! - [`Text::phone_view`] rewrites spelled-out digits (`five five`,
//!   `double five`, `cinco`, `пять`, CJK numerals) to ASCII digits.

use super::lexicon::{self, Entry};

/// The char came from a word such as `at`, `dot`, `arroba`.
pub(crate) const F_WORD: u8 = 1;
/// The char came from a bracketed marker such as `[at]` or `(dot)`.
pub(crate) const F_BRACKET: u8 = 2;
/// A literal `@`, `.` or `/` that had spaces around it.
pub(crate) const F_SPACED: u8 = 4;
/// The char was part of a run of s p a c e d letters.
pub(crate) const F_COLLAPSED: u8 = 8;
/// A digit that was spelled out in words.
pub(crate) const F_SPELLED: u8 = 16;
/// The marker came from a word that is also an everyday word ("at", "point").
pub(crate) const F_WEAK: u8 = 32;

/// A sequence of chars with their origin spans in the message.
#[derive(Default)]
pub(crate) struct View {
    /// The chars.
    pub c: Vec<char>,
    /// Original start (scalar index) of each char.
    pub s: Vec<u32>,
    /// Original end (exclusive) of each char.
    pub e: Vec<u32>,
    /// `F_*` flags of each char.
    pub f: Vec<u8>,
}

impl View {
    fn with_capacity(n: usize) -> View {
        View {
            c: Vec::with_capacity(n),
            s: Vec::with_capacity(n),
            e: Vec::with_capacity(n),
            f: Vec::with_capacity(n),
        }
    }

    fn push(&mut self, c: char, s: u32, e: u32, f: u8) {
        self.c.push(c);
        self.s.push(s);
        self.e.push(e);
        self.f.push(f);
    }

    /// Appends chars `a..b` of `src` unchanged.
    fn copy_from(&mut self, src: &View, a: usize, b: usize) {
        if a < b && b <= src.len() {
            self.c.extend_from_slice(&src.c[a..b]);
            self.s.extend_from_slice(&src.s[a..b]);
            self.e.extend_from_slice(&src.e[a..b]);
            self.f.extend_from_slice(&src.f[a..b]);
        }
    }

    fn pop(&mut self) {
        self.c.pop();
        self.s.pop();
        self.e.pop();
        self.f.pop();
    }

    /// Removes trailing spaces; returns whether any were removed.
    fn pop_spaces(&mut self) -> bool {
        let mut any = false;
        while self.c.last() == Some(&' ') {
            self.pop();
            any = true;
        }
        any
    }

    pub fn len(&self) -> usize {
        self.c.len()
    }

    /// The char at `i`, or NUL past either end.
    #[inline]
    pub fn at(&self, i: usize) -> char {
        self.c.get(i).copied().unwrap_or('\0')
    }

    /// The char before `i`, or NUL at the start.
    #[inline]
    pub fn before(&self, i: usize) -> char {
        if i == 0 {
            '\0'
        } else {
            self.at(i - 1)
        }
    }

    /// Original span of view chars `a..b` (`a < b`).
    pub fn span(&self, a: usize, b: usize) -> (usize, usize) {
        let s = self.s.get(a).copied().unwrap_or(0) as usize;
        let e = if b == 0 {
            s
        } else {
            self.e.get(b - 1).copied().unwrap_or(0) as usize
        };
        (s, e.max(s))
    }

    /// Union of the flags of chars `a..b`.
    pub fn flags(&self, a: usize, b: usize) -> u8 {
        self.f
            .get(a..b)
            .map_or(0, |f| f.iter().fold(0, |x, y| x | y))
    }

    /// Whether chars `a..` start with `lit` (ASCII, already lower-case).
    pub fn starts_with(&self, a: usize, lit: &str) -> bool {
        lit.chars().enumerate().all(|(k, ch)| self.at(a + k) == ch)
    }

    /// Chars `a..b` as a `String`.
    pub fn string(&self, a: usize, b: usize) -> String {
        self.c
            .get(a..b)
            .map_or_else(String::new, |s| s.iter().collect())
    }
}

/// A word token of the base view.
#[derive(Clone, Copy)]
pub(crate) struct Tok {
    /// Start in the base view.
    pub s: u32,
    /// End (exclusive) in the base view.
    pub e: u32,
    /// Start in the message.
    pub os: u32,
    /// End (exclusive) in the message.
    pub oe: u32,
    /// Lexicon classes of the word.
    pub ent: Entry,
    /// Whether the word is all ASCII digits.
    pub numeric: bool,
}

impl Tok {
    pub fn len(&self) -> usize {
        (self.e - self.s) as usize
    }
    pub fn has(&self, flag: u64) -> bool {
        self.ent.flags & flag != 0
    }
}

/// The message, normalised and tokenised.
pub(crate) struct Text<'a> {
    /// The message.
    src: &'a str,
    /// Number of chars in the message.
    pub n: usize,
    /// Base view (lower-cased).
    pub v: View,
    /// Case-preserving chars of the base view, built on first use.
    raw: std::cell::OnceCell<Vec<char>>,
    /// Word tokens of the base view.
    pub toks: Vec<Tok>,
}

/// Zero digits of the decimal digit blocks folded to ASCII.
const DIGIT_ZEROS: &[u32] = &[
    0x0660, 0x06F0, 0x07C0, 0x0966, 0x09E6, 0x0A66, 0x0AE6, 0x0B66, 0x0BE6, 0x0C66, 0x0CE6, 0x0D66,
    0x0DE6, 0x0E50, 0x0ED0, 0x0F20, 0x1040, 0x1090, 0x17E0, 0x1810, 0x1946, 0x19D0, 0x1A80, 0x1A90,
    0x1B50, 0x1BB0, 0x1C40, 0x1C50, 0xA620, 0xA8D0, 0xA900, 0xA9D0, 0xA9F0, 0xAA50, 0xABF0, 0xFF10,
    0x104A0, 0x11066, 0x1D7CE, 0x1D7D8, 0x1D7E2, 0x1D7EC, 0x1D7F6, 0x1FBF0,
];

fn ascii(b: u32) -> Option<char> {
    char::from_u32(b)
}

/// Folds one char of the message: `None` drops it.
#[inline(always)]
pub(crate) fn fold(c: char) -> Option<char> {
    if c.is_ascii() {
        return Some(match c {
            '\t' | '\x0B' | '\x0C' => ' ',
            '\r' => '\n',
            _ => c,
        });
    }
    fold_wide(c)
}

fn fold_wide(c: char) -> Option<char> {
    let u = c as u32;
    // fast paths for the letters of common scripts
    match u {
        0xC0..=0x24F
        | 0x370..=0x3FF
        | 0x400..=0x482
        | 0x48A..=0x52F
        | 0x621..=0x64A
        | 0x671..=0x6D3
        | 0x904..=0x939
        | 0x93D
        | 0x950
        | 0x958..=0x961
        | 0x972..=0x97F
        | 0x4E00..=0x9FFF
        | 0xAC00..=0xD7AF => return Some(c),
        _ => {}
    }
    let out = match u {
        0xFF01..=0xFF5E => ascii(u - 0xFEE0)?,
        0x00A0 | 0x1680 | 0x2000..=0x200A | 0x202F | 0x205F | 0x3000 => ' ',
        0x2028 | 0x2029 | 0x0085 => '\n',
        0x00AD
        | 0x034F
        | 0x061C
        | 0x115F
        | 0x1160
        | 0x17B4
        | 0x17B5
        | 0x180E
        | 0x200B..=0x200F
        | 0x202A..=0x202E
        | 0x2060..=0x206F
        | 0xFE00..=0xFE0F
        | 0xFEFF => return None,
        0x2010..=0x2015 | 0x2212 | 0xFE58 | 0xFE63 | 0x2E3A | 0x2E3B => '-',
        0x3002 | 0xFF61 | 0x2024 | 0xFE52 | 0x2219 | 0x22C5 | 0x00B7 | 0x0701 | 0x06D4 => '.',
        0xFE6B => '@',
        0x060C | 0x3001 | 0xFF64 => ',',
        0x02BC => '\'',
        0xFE5F => '#',
        0x2018 | 0x2019 | 0x201B | 0x2032 | 0x00B4 => '\'',
        0x201C | 0x201D | 0x201F | 0x2033 | 0x00AB | 0x00BB => '"',
        0x2044 | 0x2215 => '/',
        0xFE59 | 0xFF5F => '(',
        0xFE5A | 0xFF60 => ')',
        0x2460..=0x2468 => ascii(u - 0x2460 + '1' as u32)?,
        0x24EA | 0x24FF => '0',
        0x24B6..=0x24CF => ascii(u - 0x24B6 + 'A' as u32)?,
        0x24D0..=0x24E9 => ascii(u - 0x24D0 + 'a' as u32)?,
        // Mathematical alphanumeric letters (bold, italic, script, ...): 13
        // alphabets of 52 letters, upper then lower case.
        0x1D400..=0x1D6A3 => {
            let k = (u - 0x1D400) % 52;
            if k < 26 {
                ascii('A' as u32 + k)?
            } else {
                ascii('a' as u32 + k - 26)?
            }
        }
        // Fancy "squared"/"negative" letters: 🄰..🅉, 🅐..🅩, 🅰..🆉.
        0x1F130..=0x1F149 => ascii(u - 0x1F130 + 'A' as u32)?,
        0x1F150..=0x1F169 => ascii(u - 0x1F150 + 'A' as u32)?,
        0x1F170..=0x1F189 => ascii(u - 0x1F170 + 'A' as u32)?,
        _ => {
            let k = DIGIT_ZEROS.partition_point(|&z| z <= u);
            match k.checked_sub(1).map(|k| DIGIT_ZEROS[k]) {
                Some(z) if u <= z + 9 => ascii('0' as u32 + (u - z))?,
                _ => c,
            }
        }
    };
    Some(out)
}

/// Lower-cases one char, keeping one char for one char.
#[inline]
pub(crate) fn lower(c: char) -> char {
    if c.is_ascii() {
        return c.to_ascii_lowercase();
    }
    let u = c as u32;
    match u {
        0x410..=0x42F => return char::from_u32(u + 0x20).unwrap_or(c),
        0x400..=0x40F => return char::from_u32(u + 0x50).unwrap_or(c),
        0x430..=0x45F | 0x590..=0x109F | 0x1100..=0x139F | 0x3000..=0xA63F | 0xAC00..=0xFB4F => {
            return c
        }
        _ => {}
    }
    if !c.is_uppercase() {
        return c;
    }
    let mut it = c.to_lowercase();
    match (it.next(), it.next()) {
        (Some(l), None) => l,
        _ => c,
    }
}

/// Combining marks of the scripts our users write in (approximate).
fn is_mark(c: char) -> bool {
    matches!(c as u32,
        0x0300..=0x036F | 0x0483..=0x0489 | 0x0591..=0x05C7 | 0x0610..=0x061A | 0x064B..=0x065F | 0x0670
        | 0x06D6..=0x06ED | 0x0900..=0x0903 | 0x093A..=0x094F | 0x0951..=0x0957 | 0x0962 | 0x0963
        | 0x0981..=0x0983 | 0x09BC..=0x09D7 | 0x0A01..=0x0A03 | 0x0A3C..=0x0A51 | 0x0A81..=0x0A83
        | 0x0ABC..=0x0ACD | 0x0B01..=0x0B03 | 0x0BBE..=0x0BCD | 0x0C00..=0x0C04 | 0x0C3E..=0x0C56
        | 0x0D00..=0x0D03 | 0x0D3E..=0x0D4D | 0x0E31 | 0x0E34..=0x0E3A | 0x0E47..=0x0E4E
        | 0x1AB0..=0x1AFF | 0x1DC0..=0x1DFF | 0x20D0..=0x20FF | 0x302A..=0x302F | 0x3099 | 0x309A
        | 0xFE20..=0xFE2F)
}

/// Whether `c` is part of a word.
#[inline]
pub(crate) fn is_word(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_alphanumeric();
    }
    match c as u32 {
        0xC0..=0xD6
        | 0xD8..=0xF6
        | 0xF8..=0x24F
        | 0x400..=0x52F
        | 0x620..=0x64A
        | 0x66E..=0x6D3
        | 0x900..=0x963
        | 0x966..=0x97F
        | 0x4E00..=0x9FFF
        | 0xAC00..=0xD7AF => true,
        _ => c.is_alphanumeric() || is_mark(c),
    }
}

/// Han ideographs, kana and hangul: scripts written without spaces (hangul
/// is spaced, but mixes with Latin ids without spaces).
#[inline]
pub(crate) fn is_cjk(c: char) -> bool {
    matches!(c as u32, 0x3040..=0x30FF | 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0xAC00..=0xD7AF | 0x3007 | 0x20000..=0x2FA1F)
}

fn is_cyrillic(c: char) -> bool {
    matches!(c as u32, 0x0400..=0x04FF)
}

/// CJK numerals, mapped to their digit.
fn cjk_digit(c: char) -> Option<u8> {
    if (c as u32) < 0x3007 {
        return None;
    }
    Some(match c {
        '〇' | '零' => 0,
        '一' | '壹' => 1,
        '二' | '贰' | '貳' | '两' => 2,
        '三' | '叁' | '參' => 3,
        '四' | '肆' => 4,
        '五' | '伍' => 5,
        '六' | '陆' | '陸' => 6,
        '七' | '柒' => 7,
        '八' | '捌' => 8,
        '九' | '玖' => 9,
        _ => return None,
    })
}

impl<'a> Text<'a> {
    /// Normalises and tokenises `text`.
    pub fn new(text: &'a str) -> Text<'a> {
        let cap = text.len().min(1 << 24);
        let mut c: Vec<char> = Vec::with_capacity(cap);
        let mut n: u32 = 0;
        let mut dropped = false;
        for ch in text.chars() {
            match fold(ch) {
                Some(f) => c.push(lower(f)),
                None => dropped = true,
            }
            n = n.saturating_add(1);
        }
        let v = if dropped {
            // rebuild with the origin of each kept char
            let mut v = View::with_capacity(c.len());
            let mut k = 0;
            for (i, ch) in text.chars().enumerate() {
                if fold(ch).is_some() {
                    v.push(c[k], i as u32, i as u32 + 1, 0);
                    k += 1;
                }
            }
            v
        } else {
            let len = c.len() as u32;
            View {
                s: (0..len).collect(),
                e: (1..len + 1).collect(),
                f: vec![0; c.len()],
                c,
            }
        };
        let toks = tokenize(&v);
        Text {
            src: text,
            n: n as usize,
            v,
            raw: std::cell::OnceCell::new(),
            toks,
        }
    }

    /// Case-preserving chars of the base view (same indices).
    pub fn raw(&self) -> &[char] {
        self.raw
            .get_or_init(|| self.src.chars().filter_map(fold).collect())
    }

    /// Index of the first token that ends after original position `p`.
    pub fn tok_after(&self, p: usize) -> usize {
        self.toks.partition_point(|t| (t.oe as usize) <= p)
    }

    /// Index of the first token that starts at or after original position `p`.
    pub fn tok_from(&self, p: usize) -> usize {
        self.toks.partition_point(|t| (t.os as usize) < p)
    }

    /// Index of the token starting exactly at base-view index `i`.
    pub fn tok_starting_at(&self, i: usize) -> Option<usize> {
        let k = self.toks.partition_point(|t| (t.s as usize) < i);
        match self.toks.get(k) {
            Some(t) if t.s as usize == i => Some(k),
            _ => None,
        }
    }

    /// Whether any of the `before` tokens preceding original position `p`
    /// (or the `after` tokens following position `q`) has `flag`.
    pub fn cue_near(&self, p: usize, q: usize, before: usize, after: usize, flag: u64) -> bool {
        let k = self.tok_from(p);
        let lo = k.saturating_sub(before);
        if self.toks[lo..k].iter().any(|t| t.has(flag)) {
            return true;
        }
        let j = self.tok_after(q.saturating_sub(1).max(p));
        let j = if self.toks.get(j).is_some_and(|t| (t.os as usize) < q) {
            j + 1
        } else {
            j
        };
        let hi = (j + after).min(self.toks.len());
        j < hi && self.toks[j..hi].iter().any(|t| t.has(flag))
    }

    /// Whether the mail view would differ from the base view: marker words,
    /// bracketed markers, spaced `@ . / #`, runs of single letters.
    fn needs_mail_view(&self) -> bool {
        let v = &self.v;
        let mut at_word = false;
        for t in &self.toks {
            if t.has(lexicon::DOT | lexicon::SLASH) {
                return true;
            }
            at_word |= t.has(lexicon::AT);
        }
        // "at" is an everyday word: rewrite only when an address may follow
        // (a mail provider, a dotted name, a bracket)
        if at_word
            && (self.toks.iter().any(|t| t.has(lexicon::MAILAPP))
                || v.c.iter().enumerate().any(|(i, &c)| {
                    c == '.' && v.at(i + 1).is_alphanumeric() && v.before(i).is_alphanumeric()
                }))
        {
            return true;
        }
        if self.toks.windows(3).any(|w| {
            w[0].len() == 1
                && w[1].len() == 1
                && w[2].len() == 1
                && w[1].s == w[0].e + 1
                && w[2].s == w[1].e + 1
        }) {
            return true;
        }
        v.c.iter().enumerate().any(|(i, &c)| match c {
            '@' => v.before(i) == ' ' || v.at(i + 1) == ' ',
            '.' | '/' | '#' => v.before(i) == ' ' && v.at(i + 1) == ' ',
            '[' | '(' | '{' | '<' => matches!(v.at(skip_spaces(v, i + 1, 2)), '@' | '.') || at_word,
            _ => false,
        })
    }

    /// The view for the email and link scanners (see the module docs), or
    /// `None` when it would equal the base view.
    pub fn mail_view(&self) -> Option<View> {
        if !self.needs_mail_view() {
            return None;
        }
        Some(self.build_mail_view())
    }

    fn build_mail_view(&self) -> View {
        let v = &self.v;
        let n = v.len();
        let mut out = View::with_capacity(n);
        let mut i = 0;
        let mut pend = 0; // start of the chars not yet copied
        let mut ti = 0; // next token to consider
        let mut no_collapse_until = 0; // end of a run already found too short
        while i < n {
            while ti < self.toks.len() && (self.toks[ti].s as usize) < i {
                ti += 1;
            }
            let c = v.c[i];
            if let Some(t) = self.toks.get(ti).filter(|t| t.s as usize == i).copied() {
                let single = t.len() == 1 && i >= no_collapse_until;
                let marker = t.ent.flags & (lexicon::AT | lexicon::DOT | lexicon::SLASH) != 0;
                if single || marker {
                    out.copy_from(v, pend, i);
                    pend = i;
                    if single {
                        match self.collapse(&mut out, i) {
                            Ok(end) => {
                                i = end;
                                pend = end;
                                continue;
                            }
                            Err(end) => no_collapse_until = end,
                        }
                    }
                    if marker {
                        if let Some(end) = self.marker_word(&mut out, ti) {
                            i = end;
                            pend = end;
                            continue;
                        }
                    }
                }
                i = t.e as usize;
                continue;
            }
            if matches!(c, '[' | '(' | '{' | '<') {
                out.copy_from(v, pend, i);
                pend = i;
                if let Some(end) = self.bracket_marker(&mut out, i) {
                    i = end;
                    pend = end;
                    continue;
                }
            } else if matches!(c, '@' | '.' | '/' | '#') {
                let prev_space = v.before(i) == ' ';
                let next_space = v.at(i + 1) == ' ';
                let join = match c {
                    '@' => prev_space || next_space,
                    _ => prev_space && next_space,
                };
                if join {
                    out.copy_from(v, pend, i);
                    pend = i;
                    let before_ok = out_last_nonspace(&out).is_some_and(|p| p.is_alphanumeric());
                    let after = skip_spaces(v, i + 1, 2);
                    let after_ok = v.at(after).is_alphanumeric();
                    if before_ok && after_ok && spaces_before(&out) <= 2 && after - (i + 1) <= 2 {
                        out.pop_spaces();
                        out.push(c, v.s[i], v.e[i], F_SPACED);
                        i = after;
                        pend = after;
                        continue;
                    }
                }
            }
            i += 1;
        }
        out.copy_from(v, pend, n);
        out
    }

    /// Joins a run of single letters separated by single spaces starting at
    /// `i`: `j o h n` -> `john`. Returns the end of the run.
    fn collapse(&self, out: &mut View, i: usize) -> Result<usize, usize> {
        let v = &self.v;
        if v.before(i) != ' ' && i > 0 && !matches!(v.before(i), '\n' | '(' | '"' | ':' | '\'') {
            return Err(i + 1);
        }
        let single = |k: usize| {
            let c = v.at(k);
            (c.is_alphanumeric() || matches!(c, '@' | '.' | '_' | '-' | '+'))
                && !is_word(v.before(k))
                && !is_word(v.at(k + 1))
                && !matches!(v.at(k + 1), '@' | '.' | '_' | '-' | '+')
        };
        let mut k = i;
        let mut count = 0;
        let mut alnum = 0;
        let mut end = i;
        while k < v.len() {
            if !single(k) {
                break;
            }
            count += 1;
            if v.c[k].is_alphanumeric() {
                alnum += 1;
            }
            end = k + 1;
            if v.at(k + 1) == ' ' && v.at(k + 2) != ' ' {
                k += 2;
            } else {
                break;
            }
        }
        let after_marker = matches!(out_last_nonspace(out), Some('@' | '.'));
        let need = if after_marker { 2 } else { 4 };
        if count < need || alnum < 2 {
            return Err(end.max(i + 1));
        }
        if after_marker {
            out.pop_spaces();
        }
        for k in i..end {
            if v.c[k] != ' ' {
                out.push(v.c[k], v.s[k], v.e[k], F_COLLAPSED);
            }
        }
        Ok(end)
    }

    /// Rewrites the marker word at token `ti` (`at`, `dot`, `slash`, ...).
    fn marker_word(&self, out: &mut View, ti: usize) -> Option<usize> {
        let v = &self.v;
        let t = self.toks[ti];
        let mut end = t.e as usize;
        let sym = if t.has(lexicon::AT) {
            // "at the rate (of)", "at sign", "एट द रेट", "ایٹ دی ریٹ"
            let mut k = ti;
            let the = |j: usize| {
                ["the", "di", "dee", "द", "दी", "دی", "ذا"]
                    .iter()
                    .any(|w| self.word_is(j, w))
            };
            let rate = |j: usize| {
                ["rate", "ret", "रेट", "ریٹ", "ريت"]
                    .iter()
                    .any(|w| self.word_is(j, w))
            };
            if the(ti + 1) && rate(ti + 2) {
                k = ti + 2;
                if self.word_is(ti + 3, "of") {
                    k = ti + 3;
                }
            } else if rate(ti + 1) || self.word_is(ti + 1, "sign") || self.word_is(ti + 1, "symbol")
            {
                k = ti + 1;
            }
            if k != ti {
                end = self.toks[k].e as usize;
            }
            '@'
        } else if t.has(lexicon::DOT) {
            '.'
        } else {
            '/'
        };
        let multi = end != t.e as usize;
        let weak = !multi
            && [
                "at", "et", "point", "punkt", "punto", "ponto", "titik", "pont", "punt", "nokta",
            ]
            .iter()
            .any(|w| self.word_is(ti, w));
        // Neighbours must be word-ish: previous non-space output char and
        // the next non-space char of the base view.
        let prev = out_last_nonspace(out)?;
        if !(prev.is_alphanumeric() || prev == '_' || prev == '-') {
            return None;
        }
        if spaces_before(out) > 2 {
            return None;
        }
        let after = skip_spaces(v, end, 2);
        if !v.at(after).is_alphanumeric() {
            return None;
        }
        out.pop_spaces();
        out.push(
            sym,
            t.os,
            self.toks_end_orig(end),
            F_WORD | if weak { F_WEAK } else { 0 },
        );
        // words in other scripts after a marker: "जीमेल", "هوتميل", "точка ру"
        if let Some(tj) = self.tok_starting_at(after) {
            let w = self.toks[tj];
            if let Some(tr) = translit(&v.c[w.s as usize..w.e as usize]) {
                for ch in tr.chars() {
                    out.push(ch, w.os, w.oe, F_WORD);
                }
                return Some(w.e as usize);
            }
        }
        Some(after)
    }

    fn toks_end_orig(&self, end: usize) -> u32 {
        if end == 0 {
            0
        } else {
            self.v.e.get(end - 1).copied().unwrap_or(0)
        }
    }

    /// Whether token `t` is exactly the word `w`.
    pub fn tok_is(&self, t: &Tok, w: &str) -> bool {
        self.v
            .c
            .get(t.s as usize..t.e as usize)
            .is_some_and(|cs| cs.iter().copied().eq(w.chars()))
    }

    /// Whether token `k` is exactly the word `w`.
    pub fn word_is(&self, k: usize, w: &str) -> bool {
        match self.toks.get(k) {
            Some(t) => self
                .v
                .c
                .get(t.s as usize..t.e as usize)
                .is_some_and(|cs| cs.iter().copied().eq(w.chars())),
            None => false,
        }
    }

    /// `[at]`, `(dot)`, `{@}`, `< at >`, `[.]` at `i`.
    fn bracket_marker(&self, out: &mut View, i: usize) -> Option<usize> {
        let v = &self.v;
        let close = match v.c[i] {
            '[' => ']',
            '(' => ')',
            '{' => '}',
            _ => '>',
        };
        let j = skip_spaces(v, i + 1, 2);
        let (sym, after_word) = match v.at(j) {
            '@' => ('@', j + 1),
            '.' => ('.', j + 1),
            _ => {
                let k = self.tok_starting_at(j)?;
                let t = self.toks[k];
                let mut end = t.e as usize;
                let sym = if t.has(lexicon::AT) {
                    if self.word_is(k + 1, "the") && self.word_is(k + 2, "rate") {
                        end = self.toks[k + 2].e as usize;
                    }
                    '@'
                } else if t.has(lexicon::DOT) {
                    '.'
                } else {
                    return None;
                };
                (sym, end)
            }
        };
        let c = skip_spaces(v, after_word, 2);
        if v.at(c) != close {
            return None;
        }
        let prev = out_last_nonspace(out)?;
        if !prev.is_alphanumeric() && prev != '_' {
            return None;
        }
        let after = skip_spaces(v, c + 1, 2);
        if !v.at(after).is_alphanumeric() {
            return None;
        }
        out.pop_spaces();
        out.push(sym, v.s[i], v.e[c], F_BRACKET);
        Some(after)
    }

    /// The view for the phone scanner (see the module docs), or `None`
    /// when it would equal the base view.
    pub fn phone_view(&self) -> Option<View> {
        let v = &self.v;
        let n = v.len();
        let plan = self.spelled_plan();
        let cjk = self.cjk_numerals();
        if plan.iter().all(Option::is_none) && !cjk.contains(&true) {
            return None;
        }
        let mut out = View::with_capacity(n);
        let mut pend = 0;
        // the planned number words and the CJK numerals, in order
        let mut ti = 0;
        let mut ci = cjk.iter().position(|&b| b).unwrap_or(n);
        loop {
            while ti < plan.len() && plan[ti].is_none() {
                ti += 1;
            }
            let tpos = self.toks.get(ti).map_or(n, |t| t.s as usize);
            if ti >= plan.len() && ci >= n {
                break;
            }
            if tpos <= ci && ti < plan.len() {
                if let Some((digits, last)) = plan[ti].as_ref() {
                    let t = self.toks[ti];
                    let lt = self.toks[*last];
                    out.copy_from(v, pend, t.s as usize);
                    for d in digits {
                        out.push(*d as char, t.os, lt.oe, F_SPELLED);
                    }
                    pend = lt.e as usize;
                    ti = *last + 1;
                    while ci < pend {
                        ci += 1;
                    }
                    continue;
                }
                ti += 1;
            } else {
                out.copy_from(v, pend, ci);
                let c = v.c[ci];
                let d = cjk_digit(c).map_or(c, |d| (b'0' + d) as char);
                out.push(d, v.s[ci], v.e[ci], F_SPELLED);
                pend = ci + 1;
                ci += 1;
                while ci < n && !cjk[ci] {
                    ci += 1;
                }
            }
        }
        out.copy_from(v, pend, n);
        Some(out)
    }

    /// Base-view indices of CJK numerals that spell a number: a run of 5 or
    /// more, or runs joined by single commas, spaces or dashes totalling 7
    /// or more ("一三八，二九零四，七一五六").
    fn cjk_numerals(&self) -> Vec<bool> {
        let v = &self.v;
        if !v.c.iter().any(|c| cjk_digit(*c).is_some()) {
            return Vec::new();
        }
        let n = v.len();
        let mut mark = vec![false; n];
        let mut i = 0;
        while i < n {
            if cjk_digit(v.c[i]).is_none() {
                i += 1;
                continue;
            }
            let s = i;
            let mut total = 0;
            let mut longest = 0;
            let mut run = 0;
            let mut end = i;
            while i < n {
                if cjk_digit(v.c[i]).is_some() {
                    total += 1;
                    run += 1;
                    longest = longest.max(run);
                    i += 1;
                    end = i;
                } else if matches!(v.c[i], ',' | ' ' | '-') && cjk_digit(v.at(i + 1)).is_some() {
                    run = 0;
                    i += 1;
                } else {
                    break;
                }
            }
            if longest >= 5 || total >= 7 {
                for m in mark.iter_mut().take(end).skip(s) {
                    *m = true;
                }
            }
        }
        mark
    }

    /// The token after `j` when only spaces or hyphens separate them,
    /// skipping one connector word ("y", "e", "et", "and", "и").
    fn next_num_tok(&self, j: usize, connectors: bool) -> Option<usize> {
        let a = self.toks.get(j)?;
        let b = self.toks.get(j + 1)?;
        let gap = self.v.c.get(a.e as usize..b.s as usize)?;
        if gap.len() > 3 || !gap.iter().all(|c| matches!(c, ' ' | '-')) {
            return None;
        }
        if connectors
            && !b.ent.is_num()
            && ["y", "e", "et", "and", "и", "і", "i"]
                .iter()
                .any(|w| self.word_is(j + 1, w))
        {
            let c = self.toks.get(j + 2)?;
            let gap2 = self.v.c.get(b.e as usize..c.s as usize)?;
            if gap2.len() <= 3
                && gap2.iter().all(|c| matches!(c, ' ' | '-'))
                && c.ent.nk == lexicon::NK_UNIT
            {
                return Some(j + 2);
            }
            return None;
        }
        Some(j + 1)
    }

    /// Parses one spelled number starting at token `k`: "five", "double
    /// five", "forty two", "nine hundred", "soixante-dix", "quatre-vingt-deux".
    /// Returns its digits and the last token used.
    fn number_group(&self, k: usize) -> Option<(Vec<u8>, usize)> {
        use lexicon::{NK_HUNDRED, NK_MULT, NK_TENS, NK_TWO, NK_UNIT};
        let e = self.toks.get(k)?.ent;
        let ent = |j: usize| self.toks.get(j).map(|t| t.ent);
        let two = |v: u32| vec![b'0' + (v / 10 % 10) as u8, b'0' + (v % 10) as u8];
        // tens (+ unit, or + 10..19 for French 60/80)
        let tens = |j: usize, base: u32| -> (u32, usize) {
            if let Some(nj) = self.next_num_tok(j, true) {
                if let Some(ne) = ent(nj) {
                    if ne.nk == NK_UNIT && ne.num > 0 {
                        return (base + ne.num as u32, nj);
                    }
                    if ne.nk == NK_TWO && ne.num < 20 && (base == 60 || base == 80) {
                        return (base + ne.num as u32, nj);
                    }
                }
            }
            (base, j)
        };
        match e.nk {
            NK_MULT => {
                let nj = self.next_num_tok(k, false)?;
                let nt = self.toks[nj];
                let d = if nt.ent.nk == NK_UNIT {
                    nt.ent.num
                } else if nt.numeric && nt.len() == 1 {
                    self.v.c.get(nt.s as usize).and_then(|c| c.to_digit(10))? as u8
                } else {
                    return None;
                };
                Some((vec![b'0' + d; e.num as usize], nj))
            }
            NK_UNIT => {
                if let Some(nj) = self.next_num_tok(k, false) {
                    let ne = ent(nj)?;
                    if ne.nk == NK_HUNDRED && e.num > 0 {
                        let mut val = e.num as u32 * 100;
                        let mut last = nj;
                        if let Some(rj) = self.next_num_tok(nj, true) {
                            let re = ent(rj)?;
                            match re.nk {
                                NK_TENS => {
                                    let (v2, l2) = tens(rj, re.num as u32);
                                    val += v2;
                                    last = l2;
                                }
                                NK_TWO => {
                                    val += re.num as u32;
                                    last = rj;
                                }
                                _ => {}
                            }
                        }
                        let d = vec![
                            b'0' + (val / 100) as u8,
                            b'0' + (val / 10 % 10) as u8,
                            b'0' + (val % 10) as u8,
                        ];
                        return Some((d, last));
                    }
                    // "quatre-vingt(s)": 4 x 20
                    if e.num == 4 && ne.nk == NK_TENS && ne.num == 20 && self.gap_is_hyphen(k) {
                        let (v2, l2) = tens(nj, 80);
                        return Some((two(v2), l2));
                    }
                }
                Some((vec![b'0' + e.num], k))
            }
            NK_TWO => Some((two(e.num as u32), k)),
            NK_TENS => {
                let (v2, l2) = tens(k, e.num as u32);
                Some((two(v2), l2))
            }
            _ => None,
        }
    }

    fn gap_is_hyphen(&self, k: usize) -> bool {
        match (self.toks.get(k), self.toks.get(k + 1)) {
            (Some(a), Some(b)) => self.v.c.get(a.e as usize..b.s as usize) == Some(&['-'][..]),
            _ => false,
        }
    }

    /// For each token that starts a spelled number inside a run of spelled
    /// digits, its digits and last token. A run is numbers separated only by
    /// spaces, commas, hyphens or dots, with at least three number words, or
    /// two number words and seven digits in all (digits written as digits
    /// count too: "7 0 4 2 double 8").
    #[allow(clippy::type_complexity)]
    fn spelled_plan(&self) -> Vec<Option<(Vec<u8>, usize)>> {
        let n = self.toks.len();
        let mut plan: Vec<Option<(Vec<u8>, usize)>> = Vec::new();
        // at least two number words, or one that spells two digits or more
        let mut words = 0;
        for t in &self.toks {
            if t.ent.is_num() {
                words += if t.ent.nk == lexicon::NK_UNIT { 1 } else { 2 };
            }
        }
        if words < 2 {
            return plan;
        }
        plan.resize(n, None);
        let mut k = 0;
        while k < n {
            let mut groups: Vec<(usize, Vec<u8>, usize, bool)> = Vec::new();
            let mut j = k;
            loop {
                let t = self.toks[j];
                let g = if t.ent.flags & lexicon::PLUS != 0 && groups.is_empty() && t.ent.nk == 0 {
                    Some((vec![b'+'], j, true))
                } else if let Some((d, last)) = self.number_group(j) {
                    Some((d, last, true))
                } else if t.numeric && t.len() <= 5 {
                    Some((Vec::new(), j, false))
                } else {
                    None
                };
                let Some((d, last, word)) = g else { break };
                let digits = if word { d } else { vec![b'0'; t.len()] };
                groups.push((j, digits, last, word));
                if last + 1 < n && self.gap_ok(last, last + 1) {
                    j = last + 1;
                } else {
                    break;
                }
            }
            let words = groups.iter().filter(|g| g.3 && g.1 != [b'+']).count();
            let digits: usize = groups
                .iter()
                .map(|g| g.1.iter().filter(|d| d.is_ascii_digit()).count())
                .sum();
            if words >= 3
                || (words >= 2 && digits >= 7)
                || (words >= 1 && digits >= 8 && groups.iter().any(|g| g.3 && g.1.len() >= 2))
            {
                for (s, d, last, word) in &groups {
                    if *word {
                        plan[*s] = Some((d.clone(), *last));
                    }
                }
            }
            k = groups.last().map_or(k + 1, |g| g.2 + 1).max(k + 1);
        }
        plan
    }

    /// Whether tokens `a` and `b` are separated only by spaces, commas,
    /// hyphens or dots (at most three chars).
    fn gap_ok(&self, a: usize, b: usize) -> bool {
        let (e, s) = (self.toks[a].e as usize, self.toks[b].s as usize);
        s >= e
            && s - e <= 3
            && self.v.c[e..s]
                .iter()
                .all(|c| matches!(c, ' ' | ',' | '-' | '.'))
    }
}

/// Mail providers and top-level domains written in other scripts.
fn translit(w: &[char]) -> Option<&'static str> {
    if w.first().is_none_or(|c| c.is_ascii()) {
        return None;
    }
    let s: String = w.iter().collect();
    Some(match s.as_str() {
        "ру" => "ru",
        "рф" => "xn--p1ai",
        "ком" => "com",
        "орг" => "org",
        "нет" => "net",
        "юа" | "уа" => "ua",
        "кз" => "kz",
        "कॉम" | "कोम" | "काम" => "com",
        "کام" | "کوم" | "كوم" | "كom" | "كام" => "com",
        "نت" => "net",
        "जीमेल" | "जी‍मेल" => "gmail",
        "याहू" => "yahoo",
        "हॉटमेल" | "हॉट‍मेल" => "hotmail",
        "आउटलुक" => "outlook",
        "جيميل" | "جی‌میل" | "جیمیل" | "جي ميل" => "gmail",
        "هوتميل" | "ہاٹ‌میل" | "ہاٹمیل" | "هوت‌ميل" => "hotmail",
        "ياهو" | "یاہو" => "yahoo",
        "اوتلوك" | "آؤٹ‌لک" => "outlook",
        "гмейл" | "джимейл" | "гмэйл" => "gmail",
        "яндекс" => "yandex",
        "мейл" | "мэйл" => "mail",
        "укрнет" => "ukr",
        _ => return None,
    })
}

fn out_last_nonspace(out: &View) -> Option<char> {
    out.c.iter().rev().find(|c| **c != ' ').copied()
}

fn spaces_before(out: &View) -> usize {
    out.c.iter().rev().take_while(|c| **c == ' ').count()
}

/// Skips at most `max` spaces from `i`.
pub(crate) fn skip_spaces(v: &View, i: usize, max: usize) -> usize {
    let mut k = i;
    while k < v.len() && v.c[k] == ' ' && k - i < max {
        k += 1;
    }
    k
}

fn tokenize(v: &View) -> Vec<Tok> {
    let mut toks = Vec::with_capacity(v.len() / 5 + 1);
    let mut key = String::new();
    let n = v.len();
    let mut i = 0;
    while i < n {
        let c = v.c[i];
        if !is_word(c) {
            i += 1;
            continue;
        }
        let cjk = !c.is_ascii() && is_cjk(c);
        let mut numeric = c.is_ascii_digit();
        let mut j = i + 1;
        while j < n {
            let d = v.c[j];
            let ok = if d == '\'' {
                is_cyrillic(v.c[j - 1]) && is_cyrillic(v.at(j + 1))
            } else if d.is_ascii() {
                d.is_ascii_alphanumeric() && !cjk
            } else {
                is_word(d) && is_cjk(d) == cjk
            };
            if !ok {
                break;
            }
            numeric &= d.is_ascii_digit();
            j += 1;
        }
        let ent = if j - i <= 40 && !numeric {
            if cjk {
                key.clear();
                key.extend(&v.c[i..j]);
                lexicon::lookup_cjk(&key)
            } else {
                lexicon::lookup_chars(&v.c[i..j])
            }
        } else {
            Entry::default()
        };
        toks.push(Tok {
            s: i as u32,
            e: j as u32,
            os: v.s[i],
            oe: v.e[j - 1],
            ent,
            numeric,
        });
        i = j;
    }
    // two-word names: "google pay", "cash app", "mercado pago"
    for k in 0..toks.len().saturating_sub(1) {
        if toks[k].ent.flags & lexicon::PAIRHEAD != 0 {
            let a: String = v.c[toks[k].s as usize..toks[k].e as usize].iter().collect();
            let b: String = v.c[toks[k + 1].s as usize..toks[k + 1].e as usize]
                .iter()
                .collect();
            if let Some(e) = lexicon::pair(&a, &b) {
                toks[k].ent.flags |= e.flags;
                toks[k + 1].ent.flags |= e.flags;
            }
        }
    }
    toks
}
