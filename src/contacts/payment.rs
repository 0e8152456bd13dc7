//! Payment details: IBANs (mod-97), card numbers (Luhn, known test cards
//! excluded), crypto addresses (Base58Check, Bech32/Bech32m, EIP-55; Solana,
//! Monero and TON keys only after a crypto word), bank wording with a number
//! (account, routing, sort code, SWIFT/BIC, IFSC), PIX keys (CPF, CNPJ,
//! random key). UPI ids, PayPal.me links, Venmo/Cash App tags are found by
//! the email, link and handle scanners.

use super::checksum;
use super::digits::{Run, Sep};
use super::lexicon as lx;
use super::normalize::{Text, View};
use super::phone;
use super::tables;
use super::{Cand, Kind};

/// Finds payment details.
pub(crate) fn scan(t: &Text, pv: &View, runs: &[Run], out: &mut Vec<Cand>) {
    if !runs.is_empty() {
        iban(t, out);
        cards(t, pv, runs, out);
    }
    if t.toks.iter().any(|x| x.len() >= 24) {
        crypto(t, out);
    }
    bank_and_pix(t, pv, runs, out);
}

fn iban(t: &Text, out: &mut Vec<Cand>) {
    // a token that starts with two letters and two digits
    let v = &t.v.c;
    if !t.toks.iter().any(|x| {
        x.len() >= 4
            && v[x.s as usize].is_ascii_alphabetic()
            && v[x.s as usize + 1].is_ascii_alphabetic()
            && v[x.s as usize + 2].is_ascii_digit()
            && v[x.s as usize + 3].is_ascii_digit()
    }) {
        return;
    }
    let raw = t.raw();
    let n = raw.len();
    let mut next_free = 0;
    for tok in &t.toks {
        let i = tok.s as usize;
        if i < next_free || i + 4 > n {
            continue;
        }
        // country code then two check digits (cheap test before the table)
        let (a, b) = (raw[i], raw[i + 1]);
        if !(a.is_ascii_alphabetic()
            && b.is_ascii_alphabetic()
            && raw[i + 2].is_ascii_digit()
            && raw[i + 3].is_ascii_digit())
        {
            continue;
        }
        let cc = [a.to_ascii_uppercase() as u8, b.to_ascii_uppercase() as u8];
        let Some(len) = tables::iban_length(cc) else {
            continue;
        };
        // groups separated by single spaces or dashes
        let mut chars: Vec<u8> = Vec::with_capacity(len);
        let mut k = i;
        while k < n && chars.len() < len {
            let c = raw[k];
            if c.is_ascii_alphanumeric() {
                chars.push(c.to_ascii_uppercase() as u8);
                k += 1;
            } else if (c == ' ' || c == '-')
                && chars.len() >= 2
                && raw.get(k + 1).is_some_and(|x| x.is_ascii_alphanumeric())
            {
                k += 1;
            } else {
                break;
            }
        }
        let boundary = !raw.get(k).is_some_and(|c| c.is_ascii_alphanumeric());
        if chars.len() == len && boundary && checksum::iban_mod97(&chars) {
            let (os, oe) = t.v.span(i, k);
            out.push(Cand::new(Kind::Payment, os, oe, 7, "IBAN (checksum valid)"));
            next_free = k;
        }
    }
}

/// Plausible card issuer prefixes.
fn iin_ok(d: &[u8]) -> bool {
    matches!(d.first(), Some(b'2'..=b'6'))
}

fn cards(t: &Text, pv: &View, runs: &[Run], out: &mut Vec<Cand>) {
    for r in runs {
        let n = r.len();
        if !(13..=19).contains(&n) || r.plus || r.spelled || r.too_long {
            continue;
        }
        let g: &[u8] = r.groups.as_slice();
        let grouped = g.len() > 1;
        let shape_ok = g.len() == 1
            || (g[..g.len() - 1].iter().all(|&x| x == 4) && (1..=4).contains(&g[g.len() - 1]))
            || matches!(g, [4, 6, 5] | [4, 6, 4]);
        if !shape_ok || grouped && !(r.seps_all(&[Sep::Space]) || r.seps_all(&[Sep::Dash])) {
            continue;
        }
        let d = r.digits.as_slice();
        if !checksum::luhn(d)
            || !iin_ok(d)
            || d.iter().all(|&c| c == d[0])
            || tables::is_test_card(r.digit_str())
        {
            continue;
        }
        let p = pv.before(r.start);
        if p.is_alphanumeric()
            || matches!(p, '#' | '/' | '=' | '-' | '_')
            || pv.at(r.end).is_alphanumeric()
        {
            continue;
        }
        let (os, oe) = pv.span(r.start, r.end);
        let cue = t.cue_near(os, oe, 6, 2, lx::CARD | lx::PAY);
        let veto = t.cue_near(os, oe, 4, 0, lx::VETO);
        if !cue && (!grouped || veto) {
            continue;
        }
        out.push(Cand::new(
            Kind::Payment,
            os,
            oe,
            7,
            "card number (Luhn-valid)",
        ));
    }
}

fn is_b58(c: char) -> bool {
    c.is_ascii_alphanumeric() && !matches!(c, '0' | 'O' | 'I' | 'l')
}

fn crypto(t: &Text, out: &mut Vec<Cand>) {
    let raw = t.raw();
    let n = raw.len();
    let mut i = 0;
    while i < n {
        let c = raw[i];
        let tokch = |c: char| c.is_ascii_alphanumeric() || c == '_' || c == '-';
        if !tokch(c) || (i > 0 && tokch(raw[i - 1])) {
            i += 1;
            continue;
        }
        let mut e = i;
        while e < n && tokch(raw[e]) && e - i <= 120 {
            e += 1;
        }
        if e < n && tokch(raw[e]) {
            // too long: skip the whole run
            while e < n && tokch(raw[e]) {
                e += 1;
            }
            i = e;
            continue;
        }
        let len = e - i;
        if (25..=110).contains(&len) {
            let s: String = raw[i..e].iter().collect();
            let (os, oe) = t.v.span(i, e);
            if let Some(reason) = crypto_kind(t, &s, os, oe) {
                out.push(Cand::new(Kind::Payment, os, oe, 7, reason));
            }
        }
        i = e.max(i + 1);
    }
}

fn crypto_kind(t: &Text, s: &str, os: usize, oe: usize) -> Option<&'static str> {
    let cue = || t.cue_near(os, oe, 8, 2, lx::CRYPTO | lx::PAY);
    let b = s.as_bytes();
    if let Some(hex) = s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")) {
        if hex.len() == 40 && hex.bytes().all(|c| c.is_ascii_hexdigit()) {
            let upper = hex.bytes().any(|c| c.is_ascii_uppercase());
            let lower = hex.bytes().any(|c| c.is_ascii_lowercase());
            if upper && lower {
                if checksum::eip55(hex) && (cue() || !t.cue_near(os, oe, 6, 0, lx::CODE)) {
                    return Some("Ethereum-style address (EIP-55 checksum valid)");
                }
            } else if cue() {
                return Some("Ethereum-style wallet address");
            }
        }
        return None;
    }
    if s.contains(['_', '-']) {
        // TON user-friendly address: 48 base64url chars
        if s.len() == 48 && (s.starts_with("EQ") || s.starts_with("UQ")) && cue() {
            return Some("TON wallet address");
        }
        return None;
    }
    let lower = s.to_ascii_lowercase();
    let single_case = s == lower || s == s.to_ascii_uppercase();
    if single_case
        && ["bc1", "ltc1", "addr1", "bnb1", "cosmos1", "tb1"]
            .iter()
            .any(|p| lower.starts_with(p))
    {
        if checksum::bech32(&lower).is_some() {
            return Some("crypto wallet address (Bech32 checksum valid)");
        }
        return None;
    }
    if !s.chars().all(is_b58) {
        return None;
    }
    if (25..=35).contains(&s.len())
        && matches!(
            b[0],
            b'1' | b'3' | b'L' | b'M' | b'D' | b'T' | b'X' | b'9' | b'A' | b'r'
        )
    {
        if let Some(p) = checksum::base58check(b, b[0] == b'r') {
            if p.len() == 21 {
                return Some("crypto wallet address (Base58Check checksum valid)");
            }
        }
    }
    if (32..=44).contains(&s.len()) && cue() && checksum::base58_len(b) == Some(32) {
        return Some("Solana-style wallet address");
    }
    if (s.len() == 95 || s.len() == 106) && matches!(b[0], b'4' | b'8') && cue() {
        return Some("Monero wallet address");
    }
    None
}

/// Whether a run looks like a phone number (for the second kind of a
/// payment detail given as a phone number).
fn phone_shaped(r: &Run) -> bool {
    let n = r.len();
    (r.plus && (8..=15).contains(&n)) || (9..=13).contains(&n)
}

fn bank_and_pix(t: &Text, pv: &View, runs: &[Run], out: &mut Vec<Cand>) {
    let toks = &t.toks;
    if !toks.iter().any(|x| {
        x.has(lx::BANK | lx::ACCOUNT | lx::PIX | lx::PAY | lx::WALLET)
            || x.len() == 4 && t.tok_is(x, "sort")
            || x.len() == 1 && t.tok_is(x, "a") && t.v.at(x.e as usize) == '/'
    }) {
        return;
    }
    let spans: Vec<(usize, usize)> = runs.iter().map(|r| pv.span(r.start, r.end)).collect();
    for k in 0..toks.len() {
        let f = toks[k].ent.flags;
        // "easypaisa account 0345...", "conta 12345-6": an account after a
        // payment or bank word, or followed by "number"
        let account_num = f & lx::ACCOUNT != 0
            && ((k.saturating_sub(3)..k).any(|q| toks[q].has(lx::PAY | lx::WALLET | lx::BANK))
                || toks
                    .get(k + 1)
                    .is_some_and(|x| x.has(lx::NUMBER | lx::NUMABBR)));
        let bank = f & lx::BANK != 0
            || (account_num
                && (toks
                    .get(k + 1)
                    .is_some_and(|x| x.has(lx::NUMBER | lx::NUMABBR))
                    || k > 0 && toks[k - 1].has(lx::BANK)))
            || (t.word_is(k, "sort") && t.word_is(k + 1, "code"))
            || (t.word_is(k, "a") && t.word_is(k + 1, "c") && t.v.at(toks[k].e as usize) == '/');
        let pix = f & lx::PIX != 0;
        let wallet = f & (lx::PAY | lx::WALLET) != 0 && !pix;
        if !bank && !pix && !wallet && !account_num {
            continue;
        }
        let from = toks[k].oe as usize;
        let limit_tok = k + if bank || pix { 9 } else { 4 };
        // a digit run after the cue
        let first = spans.partition_point(|sp| sp.0 < from);
        for (r, &(os, oe)) in runs[first..].iter().zip(&spans[first..]) {
            if t.tok_from(os) > limit_tok {
                break;
            }
            let n = r.len();
            if r.too_long {
                break;
            }
            if pix && (8..=14).contains(&n) {
                let d = r.digits.as_slice();
                let reason = if n == 11 && checksum::cpf(d) && !r.plus && d[0] != b'0' && !(r.paren)
                {
                    "PIX key (CPF)"
                } else if n == 14 && checksum::cnpj(d) {
                    "PIX key (CNPJ)"
                } else if phone_shaped(r) || r.paren {
                    super::REASON_PAY_PHONE
                } else {
                    "PIX key"
                };
                out.push(Cand::new(Kind::Payment, os, oe, 5, reason));
                break;
            }
            if bank && n >= 6 && !(phone::excluded_shape(r) && n != 6 && n < 12) {
                let ctx = phone::context(t, oe, oe);
                if ctx.money {
                    continue;
                }
                let routing = n == 9
                    && checksum::aba(r.digits.as_slice())
                    && (t.word_is(k, "routing") || t.word_is(k, "aba"));
                out.push(Cand::new(
                    Kind::Payment,
                    os,
                    oe,
                    5,
                    if routing {
                        "US routing number (checksum valid)"
                    } else {
                        "bank account details"
                    },
                ));
                break;
            }
            // "GoPay/OVO/DANA ke 0896-4410-2237", "ЮMoney кошелёк 4100118472931556",
            // "easypaisa account 03452278419"
            if (wallet || account_num) && (8..=20).contains(&n) && !phone::excluded_shape(r) {
                let ctx = phone::context(t, oe, oe);
                if ctx.money {
                    continue;
                }
                let via_app =
                    wallet || (k.saturating_sub(3)..k).any(|q| toks[q].has(lx::PAY | lx::WALLET));
                let id_word = (k + 1..t.tok_from(os)).any(|q| t.word_is(q, "id"));
                let reason = if !via_app {
                    "bank account details"
                } else if phone_shaped(r) && n <= 13 && !id_word {
                    super::REASON_PAY_PHONE
                } else {
                    "payment account number"
                };
                out.push(Cand::new(Kind::Payment, os, oe, 5, reason));
                break;
            }
        }
        if !bank && !pix {
            continue;
        }
        // an alphanumeric code after the cue: SWIFT/BIC, IFSC, PIX random key
        let mut j = k + 1;
        while j < toks.len() && j <= limit_tok {
            let tk = toks[j];
            let (s, e) = (tk.s as usize, tk.e as usize);
            let raw: String = t.raw()[s..e].iter().collect();
            let letters = raw.bytes().filter(|b| b.is_ascii_alphabetic()).count();
            let upper = raw
                .bytes()
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit());
            if bank
                && upper
                && letters >= 4
                && (8..=11).contains(&raw.len())
                && raw.bytes().take(4).all(|b| b.is_ascii_uppercase())
                && !lx::is(&raw.to_ascii_lowercase(), lx::STOP | lx::BANK)
            {
                out.push(Cand::new(
                    Kind::Payment,
                    tk.os as usize,
                    tk.oe as usize,
                    5,
                    "bank code (SWIFT/BIC or IFSC)",
                ));
                break;
            }
            if pix && is_uuid_at(t.raw(), s) {
                let (os, oe) = t.v.span(s, s + 36);
                out.push(Cand::new(Kind::Payment, os, oe, 5, "PIX random key"));
                break;
            }
            j += 1;
        }
    }
}

fn is_uuid_at(raw: &[char], s: usize) -> bool {
    let Some(w) = raw.get(s..s + 36) else {
        return false;
    };
    w.iter().enumerate().all(|(i, c)| {
        if matches!(i, 8 | 13 | 18 | 23) {
            *c == '-'
        } else {
            c.is_ascii_hexdigit()
        }
    }) && !raw.get(s + 36).is_some_and(|c| c.is_ascii_alphanumeric())
}
