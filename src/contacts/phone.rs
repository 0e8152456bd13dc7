//! Phone numbers: international numbers validated against the calling-code
//! table, national numbers by their shape (NANP, trunk-0, grouped mobiles),
//! bare digit runs only after a cue, spelled-out and split digits.

use super::digits::{Run, Sep};
use super::lexicon as lx;
use super::normalize::{is_cjk, Text, View};
use super::tables;
use super::{Cand, Kind};

/// What the words around a number say.
#[derive(Default, Debug, Clone, Copy)]
pub(crate) struct Ctx {
    /// A phone cue (call, WhatsApp, my number, ...) is near.
    pub cue: bool,
    /// An id word (order, invoice, ISBN, ...) is the nearest cue.
    pub veto: bool,
    /// The number is an amount or a quantity.
    pub money: bool,
}

/// Whether token `i` starts a clause: nothing before it but punctuation.
fn clause_start(t: &Text, i: usize) -> bool {
    let s = t.toks[i].s as usize;
    let mut k = s;
    while k > 0 && t.v.c[k - 1] == ' ' {
        k -= 1;
    }
    k == 0
        || matches!(
            t.v.c[k - 1],
            '.' | '!' | '?' | '\n' | ':' | ',' | '(' | '-' | ';' | '|' | '"'
        )
}

const VETOISH: u64 = lx::VETO | lx::BANK | lx::ACCOUNT | lx::CARD | lx::CRYPTO | lx::PIX;

/// Reads the words before (up to 8) and after (up to 4) original span
/// `os..oe`: the nearest telling word decides.
pub(crate) fn context(t: &Text, os: usize, oe: usize) -> Ctx {
    let mut ctx = Ctx::default();
    let k = t.tok_from(os);
    let lo = k.saturating_sub(8);
    let mut i = k;
    while i > lo {
        i -= 1;
        let dist = k - i;
        let tok = t.toks[i];
        let f = tok.ent.flags;
        if f & VETOISH != 0 && dist <= 4 {
            ctx.veto = true;
            break;
        }
        if f & lx::NUMBER != 0 && f & lx::PHONE == 0 {
            // "phone number", "my number", "number:", but not "order number",
            // "PO number", "número de pedido"
            let before = &t.toks[i.saturating_sub(2)..i];
            let between = &t.toks[i + 1..k];
            if before
                .iter()
                .chain(between.iter())
                .any(|x| x.has(VETOISH | lx::IDWORD))
            {
                ctx.veto = true;
                break;
            }
            let phoneish = before
                .iter()
                .chain(between.iter())
                .any(|x| x.has(lx::PHONE | lx::PAY | lx::WALLET));
            let other = between
                .iter()
                .any(|x| x.ent.flags & (lx::FILLER | lx::STOP | lx::POSS) == 0 && !x.numeric);
            let owner =
                f & lx::POSS != 0 || before.iter().any(|x| x.has(lx::POSS)) || clause_start(t, i);
            if phoneish || (owner && !other) {
                ctx.cue = true;
            }
            break;
        }
        if f & (lx::PHONE | lx::PAY | lx::WALLET) != 0 {
            ctx.cue = true;
            break;
        }
        if f & lx::NUMABBR != 0 && i > 0 && t.toks[i - 1].has(lx::PHONE | lx::PAY | lx::POSS) {
            ctx.cue = true;
            break;
        }
        if f & VETOISH != 0 && dist <= 4 || f & lx::IDWORD != 0 && dist <= 2 {
            ctx.veto = true;
            break;
        }
        if f & lx::MONEY != 0 && dist <= 2 {
            ctx.money = true;
            break;
        }
    }
    // after the number
    let j = t.tok_from(oe);
    if let Some(first) = t.toks.get(j) {
        let gap_ok = (first.os as usize).saturating_sub(oe) <= 2;
        if gap_ok && first.ent.flags & (lx::UNIT | lx::MONEY) != 0 {
            ctx.money = true;
        }
    }
    if !ctx.cue && !ctx.veto {
        let hi = (j + 4).min(t.toks.len());
        if t.toks[j..hi].iter().any(|x| x.has(lx::PHONE)) {
            ctx.cue = true;
        }
    }
    ctx
}

/// Characters around the run that make it something else.
fn bad_boundary(v: &View, r: &Run) -> bool {
    let p = v.before(r.start);
    let pp = if r.start >= 2 {
        v.at(r.start - 2)
    } else {
        '\0'
    };
    if p.is_alphabetic() && !is_cjk(p)
        || p == '_'
        || matches!(
            p,
            '#' | '$'
                | '€'
                | '£'
                | '₹'
                | '¥'
                | '₽'
                | '₦'
                | '₱'
                | '₩'
                | '/'
                | '='
                | '?'
                | '&'
                | '\\'
                | '%'
                | '@'
                | '№'
        )
    {
        return true;
    }
    if matches!(p, '.' | ',' | ':') && pp.is_ascii_digit() {
        return true;
    }
    if p == '-' && (pp.is_alphabetic() || pp.is_ascii_digit()) {
        return true;
    }
    let nx = v.at(r.end);
    let nn = v.at(r.end + 1);
    if !r.ext && (nx.is_alphabetic() && !is_cjk(nx) || nx == '_') {
        return true;
    }
    if matches!(nx, '%' | '$' | '€' | '£' | '₹' | '¥' | '₽' | '@' | '°') {
        return true;
    }
    if matches!(nx, '.' | ',' | ':' | '/' | '-') && nn.is_ascii_digit() {
        return true;
    }
    if nx == '/' && nn.is_alphabetic() {
        return true;
    }
    false
}

/// Shapes of digit runs that are dates, ranges, IPs, versions, decimals.
pub(crate) fn excluded_shape(r: &Run) -> bool {
    let g = &r.groups;
    let d = r.len();
    let datey = r.seps_all(&[Sep::Dash, Sep::Slash, Sep::Dot])
        || r.seps_all(&[Sep::Space]) && g.len() == 3 && (g[0] == 4 || g[2] == 4) && d == 8;
    if datey && g.len() == 3 {
        let s: &[u8] = g;
        if matches!(s, [4, 1..=2, 1..=2] | [1..=2, 1..=2, 4] | [1..=2, 1..=2, 2]) {
            return true;
        }
    }
    // year ranges "2019-2024", "1990 2000 2010"
    if g.iter().all(|&x| x == 4)
        && g.len() >= 2
        && r.digits
            .chunks(4)
            .all(|c| c.starts_with(b"19") || c.starts_with(b"20"))
    {
        return true;
    }
    // IP addresses and dotted versions
    if r.seps_all(&[Sep::Dot]) && g.len() >= 3 && g.iter().all(|&x| x <= 3) {
        return true;
    }
    // decimals: one dot or comma before a last group of 1-2 digits
    if g.len() == 2 && matches!(r.seps.first(), Some(Sep::Dot)) && g[1] <= 2 {
        return true;
    }
    // ranges "75001-75020", "1200-1500"
    if g.len() == 2
        && g[0] == g[1]
        && matches!(r.seps.first(), Some(Sep::Dash | Sep::Slash))
        && r.digits.get(..2) == r.digits.get(g[0] as usize..g[0] as usize + 2)
    {
        return true;
    }
    // ZIP+4, SSN-like, time ranges
    if r.seps_all(&[Sep::Dash]) && (g.as_slice() == [5, 4] || g.as_slice() == [3, 2, 4]) {
        return true;
    }
    if r.seps.contains(&Sep::Dot) && g.iter().all(|&x| x <= 2) && d <= 8 {
        return true;
    }
    // card-like 4-4-4-4
    if g.len() >= 4 && g.iter().all(|&x| x == 4) {
        return true;
    }
    // "1/2/3" fractions, slashes between short groups
    if r.seps.contains(&Sep::Slash)
        && g.iter().any(|&x| x <= 2)
        && !r.plus
        && !(r.digits.first() == Some(&b'0') && d >= 10)
    {
        return true;
    }
    false
}

/// Monotone or repeated digits ("123456789", "0000000"): counting, not calling.
fn trivial(d: &[u8]) -> bool {
    if d.len() < 2 {
        return true;
    }
    let up = d
        .windows(2)
        .all(|w| w[1] == w[0] + 1 || (w[0] == b'9' && w[1] == b'0'));
    let down = d.windows(2).all(|w| w[0] == w[1] + 1);
    let same = d.iter().all(|&c| c == d[0]);
    up || down || same
}

/// Phone shapes that need no cue.
fn strong_shape(r: &Run) -> bool {
    let g: &[u8] = r.groups.as_slice();
    let d = r.digits.as_slice();
    let n = d.len();
    let first = d.first().copied().unwrap_or(b'0');
    // a slash only after a trunk-0 area code: "030 / 1234 5678"
    let slash_ok = first == b'0' && n >= 10 && r.seps.iter().skip(1).all(|s| *s != Sep::Slash);
    if g.len() < 2 || r.seps.contains(&Sep::Slash) && !slash_ok {
        return false;
    }
    // split digits: "9 8 7 6 5 4 3 2 1 0", "0 3 3 3 - 5 1 9 - 8 8 4 0"
    if g.iter().filter(|&&x| x == 1).count() >= 6 {
        return (9..=13).contains(&n) && !trivial(d);
    }
    if r.seps.contains(&Sep::Mixed) && !r.paren && !slash_ok {
        return false;
    }
    if g.contains(&1) && !(g.len() == 4 && g[0] == 1) {
        return false;
    }
    // round numbers: 700 000 000
    if d.iter().filter(|&&c| c == b'0').count() * 10 > n * 6 {
        return false;
    }
    // 1234 5678 9012: an id, not a phone (unless a trunk 0 starts it)
    if g.len() >= 3 && g.iter().all(|&x| x == 4) && first != b'0' {
        return false;
    }
    // NANP: (555) 123-4567, 555-123-4567, 1 555 123 4567
    if n == 10 && g == [3, 3, 4] && first != b'0' && first != b'1' {
        return true;
    }
    if n == 11 && g == [1, 3, 3, 4] && first == b'1' {
        return true;
    }
    // trunk prefix: 07700 900123, 030 1234567, 06 12 34 56 78, 0813-2748-1195
    if first == b'0' && d.get(1).is_some_and(|&x| x != b'0') && (10..=12).contains(&n) && g[0] <= 5
    {
        return true;
    }
    if first == b'0' && n == 9 && g[0] <= 4 && g.len() <= 3 {
        return true;
    }
    // mobiles: 98765 43210 (IN), 612 34 56 78 (ES), 138 1234 5678 (CN), 11 91234-5678 (BR)
    if n == 10
        && g == [5, 5]
        && (b'6'..=b'9').contains(&first)
        && r.seps_all(&[Sep::Space, Sep::Dash])
    {
        return true;
    }
    if n == 9
        && matches!(g, [3, 2, 2, 2] | [3, 3, 3] | [2, 3, 2, 2])
        && (b'6'..=b'9').contains(&first)
    {
        return true;
    }
    if n == 11 && matches!(g, [3, 4, 4]) && first == b'1' {
        return true;
    }
    if n == 11 && matches!(g, [2, 5, 4] | [2, 4, 5]) && first != b'0' {
        return true;
    }
    if (10..=11).contains(&n)
        && g.len() >= 3
        && g.iter().all(|&x| (2..=4).contains(&x))
        && first != b'0'
        && !trivial(d)
    {
        return true;
    }
    false
}

/// Validates an international number; returns whether it is plausible.
fn intl_valid(r: &Run) -> bool {
    let d: &[u8] = if r.intl00 {
        r.digits.get(2..).unwrap_or(&[])
    } else {
        r.digits.as_slice()
    };
    let Some((cc, lo, hi)) = tables::calling_code(d) else {
        return false;
    };
    let nsn = d.len().saturating_sub(cc);
    if (lo..=hi).contains(&nsn) {
        return true;
    }
    // "+44 07700 900123": trunk 0 written after the country code
    d.get(cc) == Some(&b'0') && (lo..=hi).contains(&(nsn - 1))
}

/// Finds phone numbers among the digit runs.
pub(crate) fn scan(t: &Text, v: &View, runs: &[Run], out: &mut Vec<Cand>) {
    for r in runs {
        let n = r.len();
        if n < 7 || r.too_long || n > 17 {
            continue;
        }
        if bad_boundary(v, r) {
            continue;
        }
        let (os, oe) = v.span(r.start, r.end);
        let ctx = context(t, os, oe);
        if ctx.veto || ctx.money {
            continue;
        }
        let cand = |reason| Cand::new(Kind::Phone, os, oe, 3, reason);
        if r.plus || r.intl00 {
            if intl_valid(r) && !trivial(&r.digits) {
                out.push(cand("phone number with a country code"));
            } else if ctx.cue && (8..=15).contains(&n) {
                out.push(cand("phone number after a contact cue"));
            }
            continue;
        }
        if n > 13 || excluded_shape(r) {
            continue;
        }
        if ctx.cue {
            if !r.digits.iter().all(|&c| c == r.digits[0]) {
                out.push(cand(if r.spelled {
                    "spelled-out phone number"
                } else {
                    "phone number after a contact cue"
                }));
            }
            continue;
        }
        if r.spelled && n >= 8 {
            out.push(cand("spelled-out phone number"));
            continue;
        }
        if strong_shape(r) {
            out.push(cand(if r.groups.iter().filter(|&&x| x == 1).count() >= 6 {
                "phone number with its digits split by spaces"
            } else {
                "phone number"
            }));
        }
    }
}
