//! Messenger and social ids: an id after an app name (`Skype: john.smith`,
//! `my telegram is @johnd`, `QQ 12345678`), `@name` after contact wording
//! (`DM me @johnd`, `@johnd on Instagram`), Skype `live:` ids, WeChat
//! `wxid_` ids, Discord `name#1234` tags, Cash App `$cashtags`. Payment-app
//! ids (`venmo @john-doe`) are payments; `gmail: johndoe99` is an email.
//! A plain `@Name` mention is not a handle.

use super::lexicon::{self as lx, Entry};
use super::normalize::{is_word, Text, View};
use super::tables;
use super::{Cand, Kind};

/// Words that never are an id.
const NOT_ID: u64 = lx::STOP
    | lx::FILLER
    | lx::VERB
    | lx::PHONE
    | lx::EMAIL
    | lx::URL
    | lx::MONEY
    | lx::UNIT
    | lx::VETO
    | lx::PREP
    | lx::CODE
    | lx::CARD
    | lx::BANK
    | lx::ACCOUNT
    | lx::NUMBER;

fn is_id_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-')
}

/// Reads an id from `j` (after an optional '@' or '$'); returns its end.
fn read_id(v: &View, j: usize) -> usize {
    let mut k = j;
    if matches!(v.at(k), '@' | '$') {
        k += 1;
    }
    let s = k;
    while k < v.len()
        && (is_id_char(v.c[k]) || (v.c[k] == '#' && v.at(k + 1).is_ascii_digit()))
        && k - s < 48
    {
        k += 1;
    }
    while k > s && matches!(v.c[k - 1], '.' | '-' | '#') {
        k -= 1;
    }
    k
}

fn english_like(w: &str) -> bool {
    w.bytes().all(|b| b.is_ascii_alphabetic())
        && [
            "ing", "ed", "ly", "tion", "ness", "able", "ible", "ment", "ful", "less", "ous", "ive",
        ]
        .iter()
        .any(|s| w.ends_with(s))
}

fn looks_like_domain(id: &str) -> bool {
    match id.rsplit_once('.') {
        Some((a, tld)) => {
            !a.is_empty()
                && tables::is_tld(tld)
                && !tables::is_file_tld(tld)
                && tld.len() >= 2
                && id.contains('/')
        }
        None => false,
    }
}

/// Whether an id (without '@'/'$') is shaped like a username.
fn shapey(id: &str) -> bool {
    let inner = id.trim_matches(|c| c == '.' || c == '_' || c == '-');
    id.bytes().any(|b| b.is_ascii_digit()) || inner.contains(['_', '.']) || id.starts_with('_')
}

/// The kind and reason of an id after the app name at token `k`.
fn app_kind(t: &Text, k: usize) -> (Kind, &'static str, bool) {
    let f = t.toks[k].ent.flags;
    let weak = f & lx::APPWEAK != 0 && f & (lx::APP | lx::PAY | lx::MAILAPP) == 0;
    let (kind, reason) = if f & lx::PAY != 0 {
        (Kind::Payment, "payment-app account after the app's name")
    } else if f & lx::MAILAPP != 0 {
        (
            Kind::Email,
            "email account name next to a mail provider's name",
        )
    } else if f & lx::SKYPE != 0 {
        (Kind::Handle, "Skype ID")
    } else if f & lx::DISCORD != 0 {
        (Kind::Handle, "Discord username")
    } else if f & lx::WECHAT != 0 {
        (Kind::Handle, "WeChat ID")
    } else {
        (
            Kind::Handle,
            "messenger or social-media ID next to the app's name",
        )
    };
    (kind, reason, weak)
}

/// Scans for an id after the app name (or contact wording) at token `k`.
fn forward(t: &Text, k: usize, kind: Kind, reason: &'static str, weak: bool, out: &mut Vec<Cand>) {
    let v = &t.v;
    let app = t.toks[k];
    let f = app.ent.flags;
    let mut j = app.e as usize;
    let mut strong = false; // ':' '=' "id"
    let mut medium = false; // "is", "es", "ist", "as"
    let mut display = false; // "name": a display name may follow
    for _ in 0..6 {
        let j0 = j;
        loop {
            match v.at(j) {
                ':' | '=' => strong = true,
                ' ' | '(' | ')' | '[' | ']' | '"' | '\'' | ',' | '>' | '-' | '/' | '|' | '*'
                | '«' | '»' => {}
                '\n' if strong => {}
                _ => break,
            }
            j += 1;
            if j - j0 > 6 {
                return;
            }
        }
        let c = v.at(j);
        if !(c.is_ascii_alphanumeric() || c == '@' || c == '$' || c == '_' || is_word(c)) {
            return;
        }
        if !c.is_ascii() && is_word(c) {
            // a non-Latin word: a filler ("это", "是", "पर") or the end
            let Some(tk) = t.tok_starting_at(j) else {
                return;
            };
            let e = t.toks[tk].ent;
            if e.flags & (lx::FILLER | lx::APP | lx::APPWEAK | lx::PREP | lx::POSS | lx::VERB) != 0
            {
                medium |= e.flags & lx::FILLER != 0;
                j = t.toks[tk].e as usize;
                continue;
            }
            return;
        }
        let e = read_id(v, j);
        if e <= j {
            return;
        }
        let id = v.string(j, e);
        let at = id.starts_with('@');
        let cash = id.starts_with('$');
        let bare = id.trim_start_matches(['@', '$']);
        let ent: Entry =
            if bare.contains(['.', '_', '-']) || bare.bytes().any(|b| b.is_ascii_digit()) {
                Entry::default()
            } else {
                lx::lookup(bare)
            };
        let skip = ent.flags & (lx::FILLER | lx::POSS) != 0
            || ent.flags & (lx::APP | lx::APPWEAK | lx::PREP | lx::PAY | lx::MAILAPP) != 0
                && ent.flags & lx::STOP == 0;
        if !at && !cash && skip {
            if matches!(
                bare,
                "id" | "username"
                    | "handle"
                    | "user"
                    | "nick"
                    | "nickname"
                    | "usuario"
                    | "name"
                    | "ids"
            ) {
                strong = true;
            }
            display |= matches!(bare, "name" | "nombre" | "nome" | "nom" | "pangalan");
            if matches!(
                bare,
                "is" | "es" | "ist" | "est" | "é" | "am" | "as" | "como" | "comme" | "als"
            ) {
                medium = true;
            }
            j = e;
            continue;
        }
        // an email or a link after the app name: their own scanners report it
        if v.at(e) == '@' || looks_like_domain(&id) || v.at(e) == '/' {
            return;
        }
        // "10k followers": a count, not an id
        let after = t.tok_from(v.e.get(e.saturating_sub(1)).copied().unwrap_or(0) as usize);
        if t.toks
            .get(after)
            .is_some_and(|x| x.has(lx::UNIT | lx::MONEY) && (x.s as usize) <= e + 2)
            || bare.bytes().next().is_some_and(|b| b.is_ascii_digit()) && bare.len() <= 5
        {
            return;
        }
        // Matrix ids: "@john:matrix.org"
        let mut e = e;
        if at && v.at(e) == ':' && v.at(e + 1).is_ascii_alphanumeric() {
            let mut q = e + 1;
            while q < v.len()
                && (v.c[q].is_ascii_alphanumeric() || matches!(v.c[q], '.' | '-'))
                && q - e < 64
            {
                q += 1;
            }
            while q > e && v.c[q - 1] == '.' {
                q -= 1;
            }
            if v.c[e + 1..q].contains(&'.') {
                e = q;
            }
        }
        let digits_only = bare.bytes().all(|b| b.is_ascii_digit());
        if digits_only {
            if f & lx::APPNUM != 0 && (5..=12).contains(&bare.len()) {
                let (os, oe) = v.span(j, e);
                out.push(Cand::new(kind, os, oe, 5, reason));
            }
            return;
        }
        if bare.len() < 2
            || bare.len() > 40
            || !bare.bytes().any(|b| b.is_ascii_alphabetic())
            || placeholder_id(bare)
        {
            return;
        }
        if ent.flags & NOT_ID != 0 {
            return;
        }
        let shaped = shapey(bare);
        let ok = if weak {
            at || strong || (medium && shaped)
        } else {
            at || cash || shaped || strong || (medium && !english_like(bare))
        };
        if !ok {
            return;
        }
        // a plain word after "App:" is an id only when it stands alone
        // ("Skype: johnsmith."), not when a phrase goes on ("LinkedIn: senior
        // designer at Acme", "Facebook: ads manager")
        if !at && !cash && !shaped && !stands_alone(t, e) {
            // "Messenger name is Paolo Santos Design": a capitalised display name
            let raw = t.raw();
            if !(display && raw.get(j).is_some_and(|c| c.is_uppercase())) {
                return;
            }
            let mut words = 1;
            let mut k = e;
            while words < 4 && v.at(k) == ' ' && raw.get(k + 1).is_some_and(|c| c.is_uppercase()) {
                let mut q = k + 1;
                while q < v.len() && is_word(v.c[q]) {
                    q += 1;
                }
                e = q;
                k = q;
                words += 1;
            }
        }
        let (os, oe) = v.span(j, e);
        out.push(Cand::new(
            kind,
            os,
            oe,
            if strong || medium || at { 5 } else { 3 },
            reason,
        ));
        return;
    }
}

/// Whether the word ending at base-view index `e` ends its phrase: end of
/// text or line, punctuation, or a function word / another app follows.
fn stands_alone(t: &Text, e: usize) -> bool {
    let v = &t.v;
    let mut k = e;
    while v.at(k) == ' ' {
        k += 1;
    }
    let c = v.at(k);
    if !is_word(c) {
        return true;
    }
    match t.tok_starting_at(k) {
        Some(tk) => {
            t.toks[tk].has(
                lx::STOP
                    | lx::FILLER
                    | lx::PREP
                    | lx::APP
                    | lx::APPWEAK
                    | lx::PAY
                    | lx::PHONE
                    | lx::EMAIL
                    | lx::VERB,
            ) || !t.toks[tk].has(u64::MAX) && t.toks[tk].len() <= 2
        }
        None => true,
    }
}

/// Placeholder ids: "@yourbrand", "username", "your_handle".
fn placeholder_id(id: &str) -> bool {
    id.starts_with("your")
        || matches!(
            id,
            "username" | "handle" | "name" | "user" | "xxx" | "xxxx" | "abc" | "test" | "example"
        )
}

/// An id written before the app name: `@johnd on telegram`,
/// `"harshit.builds" on Instagram`, `ben.carter2001 (gmail)`.
fn backward(t: &Text, k: usize, out: &mut Vec<Cand>) {
    let v = &t.v;
    let app = t.toks[k];
    let (kind, reason, _) = app_kind(t, k);
    // what is right before the app name: a preposition word or '('
    let mut p = app.s as usize;
    while p > 0 && v.c[p - 1] == ' ' {
        p -= 1;
    }
    if p > 0 && v.c[p - 1] == '(' {
        p -= 1;
    } else if k > 0 && t.toks[k - 1].has(lx::PREP) && t.toks[k - 1].e as usize == p {
        p = t.toks[k - 1].s as usize;
    } else {
        return;
    }
    while p > 0 && v.c[p - 1] == ' ' {
        p -= 1;
    }
    let quoted = p > 0 && matches!(v.c[p - 1], '"' | '\'' | '»' | '*');
    if quoted {
        p -= 1;
    }
    let e = p;
    let mut s = e;
    while s > 0 && is_id_char(v.c[s - 1]) && e - s < 40 {
        s -= 1;
    }
    if s > 0 && v.c[s - 1] == '@' {
        s -= 1;
    }
    if s > 0 && (is_word(v.c[s - 1]) || v.c[s - 1] == '@') {
        return;
    }
    if quoted && !(s > 0 && matches!(v.c[s - 1], '"' | '\'' | '«' | '*')) {
        return;
    }
    let id = v.string(s, e);
    let at = id.starts_with('@');
    let bare = id.trim_start_matches('@').trim_matches('.');
    if bare.len() < 3
        || !bare.bytes().any(|b| b.is_ascii_alphabetic())
        || placeholder_id(bare)
        || lx::lookup(bare).flags & NOT_ID != 0
    {
        return;
    }
    if !(at || shapey(bare) || quoted) {
        return;
    }
    let (os, oe) = v.span(s, e);
    out.push(Cand::new(kind, os, oe, 4, reason));
}

/// Whether a contact verb ("dm me", "follow", "add me") or an app name is in
/// the few words before original position `os`; returns the app's kind.
fn cue_before(t: &Text, os: usize) -> Option<Kind> {
    let k = t.tok_from(os);
    let lo = k.saturating_sub(5);
    for i in (lo..k).rev() {
        let f = t.toks[i].ent.flags;
        if f & lx::PAY != 0 {
            return Some(Kind::Payment);
        }
        if f & (lx::APP | lx::APPWEAK) != 0 && f & lx::STOP == 0 {
            return Some(Kind::Handle);
        }
        if f & lx::VERB != 0 {
            let standalone = [
                "follow",
                "dm",
                "pm",
                "hmu",
                "add",
                "sígueme",
                "sigueme",
                "agrégame",
                "agregame",
                "добавь",
                "пиши",
                "напиши",
                "adiciona",
                "segue",
            ]
            .iter()
            .any(|w| t.word_is(i, w));
            let me = t.word_is(i + 1, "me") || t.word_is(i + 1, "us") || t.word_is(i + 1, "mi");
            if standalone || me {
                return Some(Kind::Handle);
            }
        }
    }
    None
}

/// Whether an app name follows original position `oe` ("@johnd on telegram",
/// "@johnd (insta)").
fn app_after(t: &Text, oe: usize) -> Option<Kind> {
    let k = t.tok_from(oe);
    let hi = (k + 3).min(t.toks.len());
    for i in k..hi {
        let f = t.toks[i].ent.flags;
        if f & lx::PAY != 0 {
            return Some(Kind::Payment);
        }
        if f & (lx::APP | lx::APPWEAK) != 0 && f & lx::STOP == 0 {
            return Some(Kind::Handle);
        }
        if f & (lx::PREP | lx::FILLER) == 0 {
            return None;
        }
    }
    None
}

/// Finds handles.
pub(crate) fn scan(t: &Text, out: &mut Vec<Cand>) {
    let has_app = t.toks.iter().any(|x| x.has(lx::APP | lx::APPWEAK));
    for k in 0..t.toks.len() {
        let f = t.toks[k].ent.flags;
        if f & (lx::APP | lx::APPWEAK | lx::PAY | lx::MAILAPP) != 0 && f & lx::PAIRHEAD == 0
            || f & lx::PAY != 0
        {
            let (kind, reason, weak) = app_kind(t, k);
            // "google pay": read after the second word only
            if !(f & lx::PAY != 0
                && t.toks.get(k + 1).is_some_and(|x| x.has(lx::PAY))
                && f & lx::PAIRHEAD != 0)
            {
                forward(t, k, kind, reason, weak, out);
            }
            backward(t, k, out);
        } else if has_app && f & lx::VERB != 0 && (t.word_is(k + 1, "me") || t.word_is(k + 1, "us"))
        {
            // "add me directly: novabyte" in a message that names an app
            let mut kk = k + 1;
            while kk < k + 4
                && t.v.at(t.toks[kk].e as usize) != ':'
                && t.toks
                    .get(kk + 1)
                    .is_some_and(|x| x.ent.flags & (lx::APP | lx::APPWEAK) == 0)
            {
                kk += 1;
            }
            if kk < t.toks.len() && t.v.at(t.toks[kk].e as usize) == ':' {
                forward(
                    t,
                    kk,
                    Kind::Handle,
                    "id after contact wording (\"add me: ...\")",
                    true,
                    out,
                );
            }
        }
    }
    let v = &t.v;
    let n = v.len();
    let mut i = 0;
    while i < n {
        let c = v.c[i];
        match c {
            '@' | '$' => {
                let p = v.before(i);
                if is_word(p) || matches!(p, '.' | '_' | '-' | '@' | '$' | '/' | '\\') {
                    i += 1;
                    continue;
                }
                let h = i;
                let e = read_id(v, h);
                let name = v.string(h + 1, e);
                i = e.max(h + 1);
                if name.len() < 2
                    || !name
                        .bytes()
                        .next()
                        .is_some_and(|b| b.is_ascii_alphanumeric() || b == b'_')
                {
                    continue;
                }
                if c == '$' && !name.bytes().next().is_some_and(|b| b.is_ascii_alphabetic()) {
                    continue;
                }
                if matches!(v.at(e), '/' | '(' | '@' | ':')
                    || matches!(v.before(h), '=')
                    || lx::is(&name, lx::STOP | lx::CODE)
                    || placeholder_id(&name)
                {
                    continue;
                }
                let (os, oe) = v.span(h, e);
                let kind = cue_before(t, os).or_else(|| app_after(t, oe));
                match (c, kind) {
                    ('$', Some(Kind::Payment)) => {
                        out.push(Cand::new(Kind::Payment, os, oe, 2, "Cash App $cashtag"))
                    }
                    ('@', Some(Kind::Payment)) => {
                        out.push(Cand::new(Kind::Payment, os, oe, 2, "payment-app @username"))
                    }
                    ('@', Some(_)) => out.push(Cand::new(
                        Kind::Handle,
                        os,
                        oe,
                        2,
                        "@handle with contact wording or an app name",
                    )),
                    _ => {}
                }
            }
            '#' => {
                // Discord tag name#1234
                let h = i;
                let mut s = h;
                while s > 0
                    && (v.c[s - 1].is_ascii_alphanumeric() || matches!(v.c[s - 1], '_' | '.'))
                    && h - s < 32
                {
                    s -= 1;
                }
                let mut e = h + 1;
                while v.at(e).is_ascii_digit() && e - h <= 5 {
                    e += 1;
                }
                i = h + 1;
                if s == h
                    || e - (h + 1) != 4
                    || v.at(e).is_ascii_alphanumeric()
                    || is_word(v.before(s))
                {
                    continue;
                }
                let name = v.string(s, h);
                if !name.bytes().any(|b| b.is_ascii_alphabetic()) || name.len() < 2 {
                    continue;
                }
                let (os, oe) = v.span(s, e);
                let cue = t.cue_near(os, oe, 8, 3, lx::DISCORD);
                let plain = lx::lookup(&name).flags == 0
                    && name.bytes().filter(|b| b.is_ascii_alphabetic()).count() >= 3;
                if (cue || plain) && !t.cue_near(os, oe, 3, 0, lx::VETO) {
                    out.push(Cand::new(Kind::Handle, os, oe, 2, "Discord tag"));
                }
                i = e;
            }
            'l' if v.starts_with(i, "live:") && !is_word(v.before(i)) => {
                let s = i + 5;
                let mut e = s;
                while e < n && is_id_char(v.c[e]) && e - s < 64 {
                    e += 1;
                }
                while e > s && v.c[e - 1] == '.' {
                    e -= 1;
                }
                if e - s >= 3 && v.c[s..e].iter().any(|c| c.is_ascii_alphanumeric()) {
                    let (os, oe) = v.span(i, e);
                    out.push(Cand::new(Kind::Handle, os, oe, 3, "Skype ID (live:)"));
                }
                i = e.max(i + 1);
            }
            'w' if v.starts_with(i, "wxid_") && !is_word(v.before(i)) => {
                let e = read_id(v, i);
                if e - i >= 9 {
                    let (os, oe) = v.span(i, e);
                    out.push(Cand::new(Kind::Handle, os, oe, 3, "WeChat ID"));
                }
                i = e.max(i + 1);
            }
            _ => i += 1,
        }
    }
}
