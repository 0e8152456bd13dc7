//! Word classes (cue words) as data: `lexicon.txt`, parsed once at first use
//! into a sorted table looked up by binary search.

macro_rules! flags {
    ($($name:ident = $bit:expr, $label:literal;)*) => {
        $(pub(crate) const $name: u64 = 1 << $bit;)*
        fn class_flag(label: &str) -> Option<u64> {
            match label { $($label => Some($name),)* _ => None }
        }
    };
}

flags! {
    AT = 0, "at";
    DOT = 1, "dot";
    SLASH = 2, "slash";
    PLUS = 3, "plus";
    PHONE = 4, "phone";
    NUMBER = 5, "number";
    NUMABBR = 6, "numabbr";
    VETO = 7, "veto";
    MONEY = 8, "money";
    UNIT = 9, "unit";
    EMAIL = 10, "email";
    VERB = 11, "verb";
    FILLER = 12, "filler";
    PREP = 13, "prep";
    STOP = 14, "stop";
    APP = 15, "app";
    APPWEAK = 16, "appweak";
    APPNUM = 17, "appnum";
    DISCORD = 18, "discord";
    SKYPE = 19, "skype";
    WECHAT = 20, "wechat";
    SIGNAL = 21, "signal";
    PAY = 22, "pay";
    MAILAPP = 23, "mailapp";
    CRYPTO = 24, "crypto";
    CARD = 25, "card";
    BANK = 26, "bank";
    ACCOUNT = 27, "account";
    PIX = 28, "pix";
    UPI = 29, "upi";
    URL = 30, "url";
    CODE = 31, "code";
    REFCUE = 32, "refcue";
    IDWORD = 33, "idword";
    WALLET = 34, "wallet";
    POSS = 35, "poss";
    FILE = 36, "file";
    PAIRHEAD = 63, "-pairhead-";
}

/// What the lexicon knows about one word.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub(crate) struct Entry {
    /// Union of class flags.
    pub flags: u64,
    /// Number kind: [`NK_UNIT`], [`NK_TWO`], [`NK_TENS`], [`NK_HUNDRED`],
    /// [`NK_MULT`], or 0.
    pub nk: u8,
    /// The number's value (the digit, 10..99, 20..90, 100, or the
    /// multiplier 2 / 3).
    pub num: u8,
}

/// A digit word: "five", "cinco", "пять".
pub(crate) const NK_UNIT: u8 = 1;
/// A two-digit word that stands alone: "fifteen", "veintidós".
pub(crate) const NK_TWO: u8 = 2;
/// A tens word that may take a unit: "forty" (two), "сорок".
pub(crate) const NK_TENS: u8 = 3;
/// "hundred", "cien", "сто", "سو".
pub(crate) const NK_HUNDRED: u8 = 4;
/// "double", "triple".
pub(crate) const NK_MULT: u8 = 5;

impl Entry {
    /// Whether the word is a number word.
    pub fn is_num(&self) -> bool {
        self.nk != 0
    }
}

const DATA: &str = include_str!("lexicon.txt");

pub(crate) struct Lexicon {
    words: Vec<(Box<str>, Entry)>,
    /// The words as chars, parallel to `words` (compared without decoding).
    keys: Vec<Box<[char]>>,
    /// Bloom filter over (length, first two chars): most words of a
    /// message are rejected here without hashing them whole.
    filter: Vec<u64>,
    /// Open-addressing hash index into `words` (u32::MAX = empty slot).
    index: Vec<u32>,
    /// Two-word names ("google pay", "cash app"): (first, second, entry).
    pairs: Vec<(Box<str>, Box<str>, Entry)>,
    /// Entries of words written in CJK scripts (matched as substrings).
    cjk: Vec<(Box<str>, Entry)>,
}

pub(crate) fn parse() -> Lexicon {
    let mut words: Vec<(Box<str>, Entry)> = Vec::new();
    let mut pairs = Vec::new();
    for line in DATA.lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let Some((class, rest)) = line.split_once(": ") else {
            continue;
        };
        let mut e = Entry::default();
        match class.as_bytes() {
            [b'd', d @ b'0'..=b'9'] => {
                e.nk = NK_UNIT;
                e.num = d - b'0';
            }
            [b'x', m @ b'2'..=b'3'] => {
                e.nk = NK_MULT;
                e.num = m - b'0';
            }
            [b'n', a @ b'1'..=b'9', b @ b'0'..=b'9'] => {
                let v = (a - b'0') * 10 + (b - b'0');
                e.nk = if v >= 20 && v % 10 == 0 {
                    NK_TENS
                } else {
                    NK_TWO
                };
                e.num = v;
            }
            [b'n', b'1', b'0', b'0'] => {
                e.nk = NK_HUNDRED;
                e.num = 100;
            }
            _ => match class_flag(class) {
                Some(f) => e.flags = f,
                None => continue,
            },
        }
        for w in rest.split_whitespace() {
            match w.split_once('+') {
                Some((a, b)) => {
                    pairs.push((a.into(), b.into(), e));
                    words.push((
                        a.into(),
                        Entry {
                            flags: PAIRHEAD,
                            nk: 0,
                            num: 0,
                        },
                    ));
                }
                None => words.push((w.into(), e)),
            }
        }
    }
    super::sort_by(&mut words, |a, b| a.0.cmp(&b.0));
    let mut merged: Vec<(Box<str>, Entry)> = Vec::with_capacity(words.len());
    for (w, e) in words {
        match merged.last_mut() {
            Some((lw, le)) if *lw == w => {
                le.flags |= e.flags;
                if e.nk != 0 {
                    le.nk = e.nk;
                    le.num = e.num;
                }
            }
            _ => merged.push((w, e)),
        }
    }
    let cjk = merged
        .iter()
        .filter(|(w, _)| w.chars().any(super::normalize::is_cjk))
        .cloned()
        .collect();
    let size = (merged.len() * 2).next_power_of_two().max(16);
    let mut index = vec![u32::MAX; size];
    for (i, (w, _)) in merged.iter().enumerate() {
        let mut h = (fnv(w.chars()) as usize) & (size - 1);
        while index[h] != u32::MAX {
            h = (h + 1) & (size - 1);
        }
        index[h] = i as u32;
    }
    let mut filter = vec![0u64; FILTER_WORDS];
    for (w, _) in &merged {
        let cs: Vec<char> = w.chars().collect();
        let b = filter_bit(&cs);
        filter[b / 64] |= 1 << (b % 64);
    }
    let keys = merged.iter().map(|(w, _)| w.chars().collect()).collect();
    Lexicon {
        words: merged,
        keys,
        filter,
        index,
        pairs,
        cjk,
    }
}

fn lexicon() -> &'static Lexicon {
    &super::statics().lex
}

fn fnv(chars: impl Iterator<Item = char>) -> u64 {
    let mut h: u64 = 0xcbf29ce484222325;
    for c in chars {
        h ^= u64::from(u32::from(c));
        h = h.wrapping_mul(0x100000001b3);
    }
    h
}

const FILTER_WORDS: usize = 512;

#[inline]
fn filter_bit(w: &[char]) -> usize {
    let a = w.first().map_or(0, |&c| u32::from(c));
    let b = w.get(1).map_or(0, |&c| u32::from(c));
    let h = (a.wrapping_mul(31).wrapping_add(b)).wrapping_mul(0x9E37_79B1)
        ^ (w.len() as u32).wrapping_mul(0x85EB_CA6B);
    (h >> 7) as usize % (FILTER_WORDS * 64)
}

fn exact(w: &[char]) -> Option<Entry> {
    let lex = lexicon();
    let b = filter_bit(w);
    if lex.filter[b / 64] & (1 << (b % 64)) == 0 {
        return None;
    }
    let mask = lex.index.len() - 1;
    let mut h = (fnv(w.iter().copied()) as usize) & mask;
    loop {
        let i = *lex.index.get(h)?;
        if i == u32::MAX {
            return None;
        }
        if **lex.keys.get(i as usize)? == *w {
            return Some(lex.words.get(i as usize)?.1);
        }
        h = (h + 1) & mask;
    }
}

fn exact_str(w: &str) -> Option<Entry> {
    let chars: Vec<char> = w.chars().collect();
    exact(&chars)
}

/// Looks up one lower-case word given as chars (see [`lookup`]).
pub(crate) fn lookup_chars(w: &[char]) -> Entry {
    if let Some(e) = exact(w) {
        return e;
    }
    let arabic = w
        .first()
        .is_some_and(|c| matches!(*c as u32, 0x600..=0x6FF));
    let compound = w.len() >= 9 && w.iter().any(|&c| c == 'u' || c == 'v');
    if !arabic && !compound {
        return Entry::default();
    }
    let s: String = w.iter().collect();
    fallback(&s)
}

/// Looks up one lower-case word. Arabic words are also tried without
/// their attached prefixes (ال، و، ب، ل، ف), German number compounds
/// ("zweiundvierzig") and Spanish "veinti-" compounds are computed.
pub(crate) fn lookup(w: &str) -> Entry {
    let chars: Vec<char> = w.chars().collect();
    lookup_chars(&chars)
}

fn fallback(w: &str) -> Entry {
    if w.starts_with([
        '\u{627}', '\u{648}', '\u{628}', '\u{644}', '\u{641}', '\u{643}',
    ]) {
        for p in [
            "\u{648}\u{627}\u{644}",
            "\u{628}\u{627}\u{644}",
            "\u{644}\u{644}",
            "\u{627}\u{644}",
            "\u{648}",
            "\u{628}",
            "\u{644}",
            "\u{641}",
        ] {
            if let Some(rest) = w.strip_prefix(p) {
                if rest.chars().count() >= 2 {
                    if let Some(e) = exact_str(rest) {
                        return e;
                    }
                }
            }
        }
    }
    if w.len() < 9 {
        return Entry::default();
    }
    for (sep, tens_first) in [("und", false), ("veinti", true)] {
        if let Some((a, b)) = w.split_once(sep) {
            let (unit, tens) = if tens_first {
                (
                    exact_str(b),
                    Some(Entry {
                        nk: NK_TENS,
                        num: 20,
                        flags: 0,
                    }),
                )
            } else {
                (exact_str(a), exact_str(b))
            };
            if let (Some(u), Some(t)) = (unit, tens) {
                if u.nk == NK_UNIT && u.num > 0 && t.nk == NK_TENS && (!tens_first || a.is_empty())
                {
                    return Entry {
                        flags: 0,
                        nk: NK_TWO,
                        num: t.num + u.num,
                    };
                }
            }
        }
    }
    Entry::default()
}

/// Looks up a run of CJK text: the union of the entries of every lexicon
/// word it contains (CJK is written without spaces). Digits are not merged.
pub(crate) fn lookup_cjk(w: &str) -> Entry {
    let mut e = Entry::default();
    let cjk = &lexicon().cjk;
    // words are sorted, so the candidates starting with a char are a range
    for (i, c) in w.char_indices() {
        let mut buf = [0u8; 4];
        let first: &str = c.encode_utf8(&mut buf);
        let lo = cjk.partition_point(|(k, _)| &**k < first);
        let rest = &w[i..];
        for (k, ke) in cjk[lo..].iter().take_while(|(k, _)| k.starts_with(first)) {
            if rest.starts_with(&**k) {
                e.flags |= ke.flags;
            }
        }
    }
    e
}

/// The entry of the two-word name `a b`, if it is one.
pub(crate) fn pair(a: &str, b: &str) -> Option<Entry> {
    lexicon()
        .pairs
        .iter()
        .find(|(x, y, _)| **x == *a && **y == *b)
        .map(|p| p.2)
}

/// Whether `w` has lexicon class `flag`.
pub(crate) fn is(w: &str, flag: u64) -> bool {
    lookup(w).flags & flag != 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_classes() {
        assert!(lookup("arroba").flags & AT != 0);
        assert!(lookup("точка").flags & DOT != 0);
        assert_eq!((lookup("cinco").nk, lookup("cinco").num), (NK_UNIT, 5));
        assert_eq!((lookup("double").nk, lookup("double").num), (NK_MULT, 2));
        assert_eq!((lookup("forty").nk, lookup("forty").num), (NK_TENS, 40));
        assert_eq!(
            (lookup("zweiundvierzig").nk, lookup("zweiundvierzig").num),
            (NK_TWO, 42)
        );
        assert_eq!(
            (lookup("veintidós").nk, lookup("veintidós").num),
            (NK_TWO, 22)
        );
        assert!(lookup("الواتساب").flags & PHONE != 0);
        assert!(lookup("whatsapp").flags & PHONE != 0);
        assert!(lookup("order").flags & VETO != 0);
        assert!(lookup("the").flags & STOP != 0);
        assert_eq!(lookup("zzzz"), Entry::default());
        assert!(lookup_cjk("我的微信是").flags & APP != 0);
    }
}
