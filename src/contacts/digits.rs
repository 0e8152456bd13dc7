//! Digit runs: a number written with separators (`+44 (0)20 7946-0958`,
//! `5 5 5 1 2 3`, `4539 5787 6362 1486`), parsed once and shared by the phone
//! and card detectors.

use super::normalize::{View, F_SPELLED};

/// Most digits a run keeps; longer runs are skipped whole.
pub(crate) const MAX_DIGITS: usize = 24;

/// A small inline vector: runs are parsed for every number in a message, so
/// they must not allocate.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Inline<T: Copy + Default, const N: usize> {
    len: usize,
    a: [T; N],
}

impl<T: Copy + Default, const N: usize> Default for Inline<T, N> {
    fn default() -> Self {
        Inline {
            len: 0,
            a: [T::default(); N],
        }
    }
}

impl<T: Copy + Default, const N: usize> Inline<T, N> {
    /// Appends `x`; returns false (and drops it) when full.
    pub fn push(&mut self, x: T) -> bool {
        if self.len < N {
            self.a[self.len] = x;
            self.len += 1;
            true
        } else {
            false
        }
    }
    pub fn pop(&mut self) -> Option<T> {
        if self.len == 0 {
            return None;
        }
        self.len -= 1;
        Some(self.a[self.len])
    }
    pub fn as_slice(&self) -> &[T] {
        &self.a[..self.len]
    }
}

impl<T: Copy + Default, const N: usize> std::ops::Deref for Inline<T, N> {
    type Target = [T];
    fn deref(&self) -> &[T] {
        &self.a[..self.len]
    }
}

/// One run of digit groups.
#[derive(Debug, Clone, Default)]
pub(crate) struct Run {
    /// Start in the view (the '+' or '(' or first digit).
    pub start: usize,
    /// End in the view (after the last digit or extension).
    pub end: usize,
    /// The digits (ASCII), without a "(0)" trunk prefix after a country code.
    pub digits: Inline<u8, MAX_DIGITS>,
    /// Length of each group of digits.
    pub groups: Inline<u8, MAX_DIGITS>,
    /// Separators between groups, classified (see [`Sep`]).
    pub seps: Inline<Sep, MAX_DIGITS>,
    /// Starts with '+' (or "00").
    pub plus: bool,
    /// Written as "00" + country code.
    pub intl00: bool,
    /// Any digit came from a spelled-out word.
    pub spelled: bool,
    /// Has parentheses.
    pub paren: bool,
    /// Has a "(0)" trunk prefix.
    pub trunk_paren: bool,
    /// Has an extension ("ext. 12").
    pub ext: bool,
    /// More than [`MAX_DIGITS`] digits.
    pub too_long: bool,
}

/// A separator between two groups.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) enum Sep {
    #[default]
    Space,
    Dash,
    Dot,
    Slash,
    Paren,
    Comma,
    Mixed,
}

impl Run {
    pub fn len(&self) -> usize {
        self.digits.len()
    }

    /// Whether every separator is one of `ok`.
    pub fn seps_all(&self, ok: &[Sep]) -> bool {
        self.seps.iter().all(|s| ok.contains(s))
    }

    pub fn digit_str(&self) -> &str {
        std::str::from_utf8(self.digits.as_slice()).unwrap_or("")
    }
}

fn is_sep(c: char) -> bool {
    matches!(c, ' ' | '-' | '.' | '/' | '(' | ')' | '\u{a0}')
}

/// Parses every digit run of `v`. Linear: each char is looked at a bounded
/// number of times.
pub(crate) fn runs(v: &View) -> Vec<Run> {
    let mut out = Vec::new();
    let n = v.len();
    let mut i = 0;
    while i < n {
        let c = v.c[i];
        let starts = c.is_ascii_digit()
            || (c == '+'
                && (v.at(i + 1).is_ascii_digit()
                    || (v.at(i + 1) == ' ' && v.at(i + 2).is_ascii_digit())
                    || (v.at(i + 1) == '(' && v.at(i + 2).is_ascii_digit())))
            || (c == '(' && v.at(i + 1).is_ascii_digit() && !v.before(i).is_ascii_digit())
            || (c == '(' && v.at(i + 1) == '+' && v.at(i + 2).is_ascii_digit());
        if !starts {
            i += 1;
            continue;
        }
        let run = parse(v, i);
        let next = run.end.max(i + 1);
        // every detector needs at least six digits
        if run.digits.len() >= 6 {
            out.push(run);
        }
        i = next;
    }
    out
}

fn parse(v: &View, start: usize) -> Run {
    let n = v.len();
    let mut r = Run {
        start,
        ..Run::default()
    };
    let mut k = start;
    if v.at(k) == '(' && v.at(k + 1) == '+' {
        r.paren = true;
        k += 1;
    }
    if v.at(k) == '+' {
        r.plus = true;
        k += 1;
        if v.at(k) == ' ' {
            k += 1;
        }
    }
    let mut last_digit_end = k;
    let mut pending_sep: Option<Sep> = None;
    let mut open_paren = false;
    loop {
        // optional '(' right before a group
        if v.at(k) == '(' && v.at(k + 1).is_ascii_digit() {
            open_paren = true;
            r.paren = true;
            k += 1;
        }
        if !v.at(k).is_ascii_digit() {
            break;
        }
        let g0 = k;
        while k < n && v.c[k].is_ascii_digit() {
            if v.f[k] & F_SPELLED != 0 {
                r.spelled = true;
            }
            if !r.digits.push(v.c[k] as u8) {
                r.too_long = true;
            }
            k += 1;
        }
        let glen = (k - g0).min(255) as u8;
        // "(0)" after a country code: a trunk prefix, not part of the number.
        if open_paren
            && v.at(k) == ')'
            && glen == 1
            && v.at(g0) == '0'
            && r.plus
            && r.groups.len() == 1
        {
            r.digits.pop();
            r.trunk_paren = true;
        } else {
            if let Some(s) = pending_sep.take() {
                r.seps.push(s);
            }
            if !r.groups.push(glen) {
                r.too_long = true;
            }
        }
        last_digit_end = k;
        // separators: up to 3 chars, then a digit (or '(' digit)
        let mut j = k;
        let mut kinds: Option<Sep> = None;
        let mut count = 0;
        while j < n
            && count < 3
            && (is_sep(v.c[j]) || (v.c[j] == ',' && spelled_neighbour(v, k, j)))
        {
            let s = match v.c[j] {
                ' ' | '\u{a0}' => Sep::Space,
                '-' => Sep::Dash,
                '.' => Sep::Dot,
                '/' => Sep::Slash,
                ',' => Sep::Comma,
                _ => Sep::Paren,
            };
            if v.c[j] == ')' {
                open_paren = false;
            }
            kinds = Some(match kinds {
                None => s,
                Some(p) if p == s => s,
                // "(555) 123": paren and space count as a paren separator
                Some(Sep::Paren) | Some(Sep::Space) if matches!(s, Sep::Paren | Sep::Space) => {
                    Sep::Paren
                }
                _ => Sep::Mixed,
            });
            j += 1;
            count += 1;
        }
        if count == 0 {
            break;
        }
        let next_digit =
            v.at(j).is_ascii_digit() || (v.at(j) == '(' && v.at(j + 1).is_ascii_digit());
        // a double space ends the run, except between split digits
        // ("0 7 7 0 0  9 0 0") and spelled-out numbers
        let split = glen == 1 && !v.at(j + 1).is_ascii_digit();
        if !next_digit || v.c[k..j].windows(2).any(|w| w == [' ', ' ']) && !r.spelled && !split {
            break;
        }
        if v.at(j) == '(' {
            kinds = Some(Sep::Paren);
        }
        pending_sep = kinds;
        k = j;
    }
    r.end = last_digit_end;
    // closing paren right after the last group is part of the run: "(0)" etc.
    // extension: " ext. 123", " x123", "#123" (only after a real number)
    if r.digits.len() >= 7 {
        let mut j = r.end;
        while v.at(j) == ' ' || v.at(j) == ',' {
            j += 1;
            if j - r.end > 2 {
                break;
            }
        }
        for lit in [
            "extension",
            "ext.",
            "ext",
            "x",
            "доб.",
            "доб",
            "durchwahl",
            "anexo",
            "ramal",
            "poste",
            "loc.",
            "loc",
            "转",
            "分机",
            "تحويلة",
            "内線",
            "wew",
        ] {
            if v.starts_with(j, lit) {
                let mut q = j + lit.chars().count();
                while v.at(q) == ' ' || v.at(q) == ':' {
                    q += 1;
                }
                let d0 = q;
                while v.at(q).is_ascii_digit() && q - d0 < 7 {
                    q += 1;
                }
                if q > d0 && q - d0 <= 6 && !v.at(q).is_ascii_alphanumeric() {
                    r.ext = true;
                    r.end = q;
                }
                break;
            }
        }
    }
    // "00" international prefix
    if !r.plus
        && r.digits.len() >= 10
        && r.digits.starts_with(b"00")
        && r.digits.get(2).is_some_and(|d| *d != b'0')
    {
        r.intl00 = true;
    }
    r
}

/// A comma between spelled-out digits ("five five five, one two three").
fn spelled_neighbour(v: &View, k: usize, j: usize) -> bool {
    k > 0 && v.f.get(k - 1).is_some_and(|f| f & F_SPELLED != 0) && {
        let mut q = j + 1;
        while v.at(q) == ' ' {
            q += 1;
        }
        v.f.get(q).is_some_and(|f| f & F_SPELLED != 0)
    }
}
