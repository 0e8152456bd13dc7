//! Email addresses, plain and obfuscated, found in the mail view (where
//! `at`, `[at]`, `arroba`, `собака`, `＠`, `dot`, `(dot)`, `punto`, spaced
//! letters and spaces around `@` have been rewritten). UPI payment ids
//! (`name@okaxis`) share the shape and are reported as payments.

use super::lexicon as lx;
use super::normalize::{Text, View, F_BRACKET, F_COLLAPSED, F_SPACED, F_WEAK, F_WORD};
use super::tables;
use super::url::is_placeholder_host;
use super::{Cand, Kind, Policy};

fn is_local_char(c: char) -> bool {
    c.is_ascii_alphanumeric()
        || matches!(c, '.' | '_' | '-' | '+' | '%' | '\'')
        || (!c.is_ascii() && c.is_alphabetic() && !super::normalize::is_cjk(c))
}

pub(crate) fn is_label_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '-'
}

/// The labels of a domain name (at most 10), as view spans.
pub(crate) struct Labels {
    n: usize,
    a: [(usize, usize); 10],
}

impl std::ops::Deref for Labels {
    type Target = [(usize, usize)];
    fn deref(&self) -> &[(usize, usize)] {
        &self.a[..self.n]
    }
}

/// Parses a domain name starting at `start`: returns its end and labels.
pub(crate) fn domain(m: &View, start: usize) -> (usize, Labels) {
    let mut labels = Labels {
        n: 0,
        a: [(0, 0); 10],
    };
    let mut k = start;
    while labels.n < 10 {
        let l0 = k;
        while k < m.len() && is_label_char(m.c[k]) && k - l0 < 63 {
            k += 1;
        }
        if k == l0 || m.c[l0] == '-' || m.before(k) == '-' {
            break;
        }
        labels.a[labels.n] = (l0, k);
        labels.n += 1;
        if m.at(k) == '.' && is_label_char(m.at(k + 1)) && m.at(k + 1) != '-' {
            k += 1;
        } else {
            break;
        }
    }
    let end = labels.last().map_or(start, |l| l.1);
    (end, labels)
}

/// Whether the local part at `l0` follows "scheme://" in the same word:
/// "ssh://git@host", "mongodb+srv://user:pass@cluster".
fn in_url_userinfo(m: &View, l0: usize) -> bool {
    let mut k = l0;
    while k > 0 && l0 - k < 64 {
        let c = m.c[k - 1];
        if c.is_whitespace() || c == '@' {
            return false;
        }
        if c == '/' && m.before(k - 1) == '/' && m.before(k.saturating_sub(2)) == ':' {
            return true;
        }
        k -= 1;
    }
    false
}

/// Finds email addresses (and UPI ids) in the mail view `m`.
pub(crate) fn scan(t: &Text, m: &View, policy: &Policy, out: &mut Vec<Cand>) {
    let n = m.len();
    for i in 0..n {
        let c = m.c[i];
        if c != '@' && c != '#' {
            continue;
        }
        let hash = c == '#';
        // local part, backwards
        let mut l0 = i;
        while l0 > 0 && is_local_char(m.c[l0 - 1]) && i - l0 < 64 {
            l0 -= 1;
        }
        while l0 < i && matches!(m.c[l0], '.' | '-' | '+' | '\'' | '%') {
            l0 += 1;
        }
        if l0 == i {
            continue;
        }
        // "mailto:" and "email:" prefixes are fine; a word char glued before is not
        let local = m.string(l0, i);
        if !local.bytes().any(|b| b.is_ascii_alphanumeric())
            || local.chars().filter(|c| !c.is_ascii()).count() * 2 > local.chars().count()
        {
            continue;
        }
        let (end, labels) = domain(m, i + 1);
        if labels.is_empty() {
            continue;
        }
        let at_flags = m.f[i];
        let dom_flags = m.flags(i + 1, end);
        let local_flags = m.flags(l0, i);
        let host = m.string(i + 1, end);
        let first = m.string(labels[0].0, labels[0].1);
        let tld = labels
            .last()
            .map(|l| m.string(l.0, l.1))
            .unwrap_or_default();
        let has_tld = labels.len() >= 2
            && tables::is_tld(&tld)
            && tld.bytes().all(|b| b.is_ascii_alphabetic() || b == b'-');
        let numeric_host = labels
            .iter()
            .all(|l| m.c[l.0..l.1].iter().all(|c| c.is_ascii_digit()));
        if numeric_host {
            continue;
        }
        let (os, oe) = m.span(l0, end);
        let word_at = at_flags & F_WEAK != 0;
        let obf_dot = dom_flags & (F_WORD | F_BRACKET | F_SPACED) != 0;
        let local_is_word = !local.contains(['.', '_', '+'])
            && lx::is(&local, lx::STOP | lx::FILLER | lx::VERB | lx::PHONE);
        let next = m.at(end);

        // code: git remotes, "user@host:~$" prompts, "pkg@1.2.3", "x@2x.png",
        // credentials in a URL ("mongodb://user:pass@host")
        if next == ':' && m.at(end + 1) != ' ' || local == "git" || in_url_userinfo(m, l0) {
            out.push(Cand::blocker(Kind::Email, os, oe, 2));
            continue;
        }
        if next == '(' || (next == '.' && m.at(end + 1).is_ascii_alphanumeric()) {
            continue;
        }

        // UPI ids: name@okaxis, 9876543210@ybl
        if labels.len() == 1 && !hash {
            let upi_cue = t.cue_near(os, oe, 5, 0, lx::UPI | lx::PAY);
            if tables::is_upi_handle(&first)
                || (upi_cue && first.bytes().all(|b| b.is_ascii_alphabetic()) && first.len() >= 2)
            {
                let phone = local.len() >= 10 && local.bytes().all(|b| b.is_ascii_digit());
                out.push(Cand::new(
                    Kind::Payment,
                    os,
                    oe,
                    5,
                    if phone {
                        super::REASON_UPI_PHONE
                    } else {
                        "UPI payment id"
                    },
                ));
                continue;
            }
        }

        let provider = tables::is_mail_provider(&first);
        let ok = if hash {
            // '#' for '@': no spaces, a real domain
            at_flags == 0
                && !local_is_word
                && local.len() >= 2
                && (has_tld && dom_flags == 0
                    || labels.len() == 1 && tables::is_bare_mail_provider(&first))
                && !t.cue_near(os, oe, 3, 0, lx::VETO)
        } else if !has_tld {
            labels.len() == 1
                && tables::is_bare_mail_provider(&first)
                && !local_is_word
                && (!word_at || local.len() >= 3)
        } else if word_at {
            // "john at gmail dot com", but not "I worked at amazon.com"
            !local_is_word
                && local.len() >= 2
                && (provider || obf_dot || t.cue_near(os, oe, 8, 0, lx::EMAIL))
        } else {
            true
        };
        if !ok {
            continue;
        }
        let reason = if hash {
            "email address written with '#' for '@'"
        } else if (at_flags | dom_flags) & F_WORD != 0 {
            "email address written with 'at' and 'dot' words"
        } else if (at_flags | dom_flags) & F_BRACKET != 0 {
            "email address written with [at] / (dot)"
        } else if (at_flags | dom_flags | local_flags) & F_COLLAPSED != 0 {
            "email address written with spaced letters"
        } else if (at_flags | dom_flags) & F_SPACED != 0 {
            "email address with spaces around '@' or '.'"
        } else if !has_tld {
            "email address without a top-level domain"
        } else {
            "email address"
        };
        let placeholder = is_placeholder_host(&host) || tables::is_placeholder_local(&local);
        let own = policy.is_own(&host);
        if placeholder || own {
            out.push(Cand::blocker(Kind::Email, os, oe, 6));
            continue;
        }
        out.push(Cand::new(Kind::Email, os, oe, 6, reason));
    }
}
