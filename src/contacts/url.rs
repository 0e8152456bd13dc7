//! Links: with a scheme, with `www.`, bare domains (`pixelforge.io`), and
//! spaced-out forms (`t . me / x`, `wa dot me slash ...`) via the mail view.
//! Each host is classified by the policy: the platform's own and allowed
//! domains are not findings; messenger, social, booking, payment, shortener
//! and form services are findings when the link has a path; any other domain
//! is a person's or business's site.

use super::email::{domain, is_label_char};
use super::lexicon as lx;
use super::normalize::{Text, View, F_BRACKET, F_COLLAPSED, F_SPACED, F_WORD};
use super::policy::{self, Class};
use super::tables;
use super::{Cand, Kind, Policy};

/// Placeholder hosts: example.com, *.test, localhost, yourdomain.com, ...
pub(crate) fn is_placeholder_host(host: &str) -> bool {
    let labels: Vec<&str> = host.split('.').collect();
    let nl = labels.len();
    let tld = labels.last().copied().unwrap_or("");
    let mut sld = if nl >= 2 { labels[nl - 2] } else { "" };
    if nl >= 3
        && tld.len() == 2
        && matches!(
            sld,
            "com" | "co" | "org" | "net" | "gov" | "edu" | "ac" | "or" | "ne"
        )
    {
        sld = labels[nl - 3];
    }
    matches!(
        tld,
        "test"
            | "invalid"
            | "localhost"
            | "local"
            | "internal"
            | "lan"
            | "example"
            | "home"
            | "corp"
    ) || labels.contains(&"example")
        || labels.contains(&"localhost")
        || sld.starts_with("your")
        || sld.starts_with("my-")
        || matches!(
            sld,
            "domain"
                | "website"
                | "site"
                | "company"
                | "email"
                | "test"
                | "sample"
                | "placeholder"
                | "mydomain"
                | "mysite"
                | "mywebsite"
                | "mycompany"
                | "somedomain"
                | "somesite"
                | "xxx"
                | "xxxx"
                | "abc"
                | "xyz"
                | "foo"
                | "bar"
                | "yoursite"
                | "domainname"
                | "emailaddress"
        )
}

fn is_url_char(c: char) -> bool {
    !(c.is_whitespace()
        || matches!(
            c,
            '<' | '>' | '"' | '`' | '\0' | '{' | '}' | '|' | '\\' | '^'
        ))
        && (c.is_ascii() || c.is_alphanumeric())
}

/// Private, loopback and documentation IPv4 addresses.
fn private_ip(labels: &[u32]) -> bool {
    matches!(
        labels,
        [10, ..]
            | [127, ..]
            | [0, ..]
            | [192, 168, ..]
            | [169, 254, ..]
            | [192, 0, 2, _]
            | [198, 51, 100, _]
            | [203, 0, 113, _]
    ) || matches!(labels, [172, b, ..] if (16..=31).contains(b))
}

/// Finds links in the mail view `m`.
pub(crate) fn scan(t: &Text, m: &View, policy: &Policy, out: &mut Vec<Cand>) {
    let n = m.len();
    let mut i = 0;
    while i < n {
        let c = m.c[i];
        if !c.is_ascii_alphanumeric() {
            i += 1;
            continue;
        }
        let p = m.before(i);
        // a host starts after a boundary; after a literal '@' it is an email domain
        let after_scheme = p == '/'
            && m.before(i.saturating_sub(1)) == '/'
            && m.before(i.saturating_sub(2)) == ':';
        let blocked = p.is_ascii_alphanumeric()
            || matches!(
                p,
                '-' | '_' | '.' | '/' | '\\' | '$' | '#' | '%' | '=' | '&' | '+' | '~'
            )
            || (p == '@' && m.f.get(i - 1).is_some_and(|f| f & F_WORD == 0))
            || (p == ':' && m.before(i - 1).is_ascii_digit());
        if blocked && !after_scheme {
            // skip the rest of this word
            while i < n && (m.c[i].is_ascii_alphanumeric() || m.c[i] == '-' || m.c[i] == '_') {
                i += 1;
            }
            continue;
        }
        if !after_scheme {
            // cheap test: a word followed by ".x"
            let mut k = i;
            while k < n && is_label_char(m.c[k]) {
                k += 1;
            }
            if !(m.at(k) == '.' && m.at(k + 1).is_ascii_alphanumeric()) {
                i = k.max(i + 1);
                continue;
            }
        }
        let (hend, labels) = domain(m, i);
        if labels.len() < 2 && !after_scheme {
            i = hend.max(i + 1);
            continue;
        }
        // scheme before the host
        let mut start = i;
        let mut scheme = false;
        if after_scheme {
            let s = i - 3;
            let mut k = s;
            while k > 0 && m.c[k - 1].is_ascii_alphabetic() && s - k < 8 {
                k -= 1;
            }
            let sch = m.string(k, s);
            if matches!(
                sch.as_str(),
                "http" | "https" | "hxxp" | "hxxps" | "ftp" | "sftp" | "ws" | "wss"
            ) {
                scheme = true;
                start = k;
            }
        }
        let Some(&(f0, f1)) = labels.first() else {
            i = hend.max(i + 1);
            continue;
        };
        let host = m.string(i, hend);
        let first = m.string(f0, f1);
        let www = first == "www" && labels.len() >= 3;
        // port and path
        let mut end = hend;
        if m.at(end) == ':' && m.at(end + 1).is_ascii_digit() {
            let mut k = end + 1;
            while m.at(k).is_ascii_digit() && k - end < 6 {
                k += 1;
            }
            end = k;
        }
        let mut path_start = end;
        if matches!(m.at(end), '/' | '?' | '#') {
            path_start = end;
            let mut k = end;
            let mut depth: i32 = 0;
            while k < n && is_url_char(m.c[k]) && k - end < 2048 {
                match m.c[k] {
                    '(' => depth += 1,
                    ')' => {
                        if depth == 0 {
                            break;
                        }
                        depth -= 1;
                    }
                    _ => {}
                }
                k += 1;
            }
            while k > end
                && matches!(
                    m.c[k - 1],
                    '.' | ',' | ';' | ':' | '!' | '?' | '\'' | '*' | ']' | '"'
                )
            {
                k -= 1;
            }
            end = k;
        }
        let path = m.string(path_start, end);
        let has_path = path.chars().any(|c| c.is_alphanumeric());
        i = end.max(hend).max(i + 1);

        let single = labels.len() < 2;
        let all_numeric = labels
            .iter()
            .all(|l| m.c[l.0..l.1].iter().all(|c| c.is_ascii_digit()));
        let (os, oe) = m.span(start, end);
        if single {
            if scheme {
                out.push(Cand::blocker(Kind::Url, os, oe, 4));
            }
            continue;
        }
        if all_numeric {
            if scheme && labels.len() == 4 {
                let nums: Vec<u32> = labels
                    .iter()
                    .map(|l| m.string(l.0, l.1).parse().unwrap_or(999))
                    .collect();
                if nums.iter().all(|&x| x <= 255) && !private_ip(&nums) {
                    out.push(Cand::new(
                        Kind::Url,
                        os,
                        oe,
                        4,
                        "link to a server by IP address",
                    ));
                } else {
                    out.push(Cand::blocker(Kind::Url, os, oe, 4));
                }
            }
            continue;
        }
        let tld = m.string(labels[labels.len() - 1].0, labels[labels.len() - 1].1);
        if !tables::is_tld(&tld) {
            continue;
        }
        let flags = m.flags(start, end);
        let explicit = scheme || www;
        let host_key = host.strip_prefix("www.").unwrap_or(&host).to_string();
        let class = policy::classify(&host_key, &path);
        if !explicit && class.is_none() {
            if tables::is_file_tld(&tld) {
                continue;
            }
            if !bare_ok(t, m, &labels, &tld, has_path, os, oe) {
                continue;
            }
        }
        // classification
        if is_placeholder_host(&host_key)
            || policy.is_own(&host_key)
            || policy.is_allowed(&host_key)
            || infra_host(&first) && !explicit
        {
            out.push(Cand::blocker(Kind::Url, os, oe, 4));
            continue;
        }
        let obf = flags & (F_WORD | F_BRACKET | F_SPACED | F_COLLAPSED) != 0;
        match class {
            Some(Class::Work | Class::Ref) => out.push(Cand::blocker(Kind::Url, os, oe, 4)),
            Some(class) => {
                if !has_path || !meaningful_path(&path) {
                    out.push(Cand::blocker(Kind::Url, os, oe, 4));
                    continue;
                }
                let (kind, reason) = match class {
                    Class::Messenger if path_is_phone(&path) => {
                        (Kind::Url, super::REASON_LINK_PHONE)
                    }
                    Class::Messenger => (Kind::Url, "messenger chat link"),
                    Class::Social => (Kind::Url, "social-media profile link"),
                    Class::Booking => (Kind::Url, "meeting or booking link"),
                    Class::Pay => (Kind::Payment, super::REASON_PAY_LINK),
                    Class::Short => (Kind::Url, "shortened link"),
                    _ => (Kind::Url, "link to an outside form"),
                };
                let reason = if obf && kind == Kind::Url && reason != super::REASON_LINK_PHONE {
                    "link written with spaces or 'dot'/'slash' words"
                } else {
                    reason
                };
                out.push(Cand::new(kind, os, oe, 4, reason));
            }
            None => {
                if !has_path && !explicit && reference_context(t, os, oe) {
                    out.push(Cand::blocker(Kind::Url, os, oe, 4));
                    continue;
                }
                let reason = if obf {
                    "link written with spaces or 'dot'/'slash' words"
                } else if explicit {
                    "link to an outside website"
                } else {
                    "domain name of an outside website"
                };
                out.push(Cand::new(Kind::Url, os, oe, 4, reason));
            }
        }
    }
}

/// Registrable labels of brands that are named, not linked to, when
/// written as a bare domain ("I buy it on amazon.de").
pub(crate) static BRANDS: &str = "google amazon apple microsoft wikipedia ebay yahoo bing paypal stripe shopify wordpress wix \
godaddy netflix spotify airbnb booking uber ikea zara nike adidas samsung bbc cnn nytimes github gitlab gmail \
outlook hotmail aliexpress alibaba walmart target bestbuy canva adobe figma notion slack zoom dropbox mozilla \
openai chatgpt youtube facebook instagram twitter linkedin tiktok whatsapp telegram discord skype pinterest \
reddit quora medium mercadolibre flipkart rakuten lazada shopee tokopedia ozon wildberries avito yandex baidu \
taobao jd tmall naver kakao line coursera udemy";

/// The registrable label: `shop` in `shop.com`, `acme` in `acme.com.au`.
pub(crate) fn registrable(m: &View, labels: &[(usize, usize)]) -> (usize, usize) {
    let nl = labels.len();
    let l2 = labels[nl - 2];
    let tld_len = labels[nl - 1].1 - labels[nl - 1].0;
    if nl >= 3
        && tld_len == 2
        && matches!(
            m.string(l2.0, l2.1).as_str(),
            "com"
                | "co"
                | "org"
                | "net"
                | "gov"
                | "edu"
                | "ac"
                | "or"
                | "ne"
                | "go"
                | "gob"
                | "nic"
                | "mil"
                | "ltd"
                | "plc"
                | "biz"
                | "info"
        )
    {
        labels[nl - 3]
    } else {
        l2
    }
}

/// Infrastructure hosts named in configuration: `smtp.sendgrid.net`,
/// `cname.vercel-dns.com`, `ns1.host.com`.
fn infra_host(first: &str) -> bool {
    matches!(
        first,
        "smtp"
            | "imap"
            | "pop"
            | "pop3"
            | "mx"
            | "mx1"
            | "mx2"
            | "ns"
            | "ns1"
            | "ns2"
            | "ns3"
            | "ns4"
            | "dns"
            | "cname"
            | "cdn"
            | "api"
            | "static"
            | "assets"
            | "s3"
            | "ftp"
            | "sftp"
            | "mail"
            | "relay"
            | "cluster0"
            | "db"
            | "redis"
            | "registry"
    )
}

/// A bare domain named as a reference ("like airbnb.com", "based on
/// material.io", "e.g. stripe.com") rather than as one's own site.
fn reference_context(t: &Text, os: usize, oe: usize) -> bool {
    let k = t.tok_from(os);
    let lo = k.saturating_sub(6);
    let window = &t.toks[lo..k];
    // "my portfolio", "our site": one's own, whatever else is said
    if window
        .iter()
        .any(|x| x.has(lx::POSS) || x.has(lx::URL) && !x.has(lx::STOP))
    {
        return false;
    }
    let _ = oe;
    window.iter().any(|x| x.has(lx::REFCUE))
}

/// A path that is a phone number: `/15551234567`, `/+44...`.
fn path_is_phone(path: &str) -> bool {
    let p = path.trim_start_matches('/');
    let p = p.split(['?', '#', '/']).next().unwrap_or("");
    let p = p.strip_prefix('+').unwrap_or(p);
    (8..=15).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_digit())
}

/// A path that names something (not just "/" or "/?").
fn meaningful_path(path: &str) -> bool {
    let p = path.trim_start_matches('/');
    let before_query = p.split(['?', '#']).next().unwrap_or("");
    before_query.chars().any(|c| c.is_alphanumeric())
        || p.starts_with('#') && p.chars().filter(|c| c.is_alphanumeric()).count() >= 4
}

/// Whether a domain written without scheme or `www.` is a real link and not
/// prose ("done.It", "hi.my"), code (`user.email`, `self.app`) or a file.
fn bare_ok(
    t: &Text,
    m: &View,
    labels: &[(usize, usize)],
    tld: &str,
    has_path: bool,
    os: usize,
    oe: usize,
) -> bool {
    let nl = labels.len();
    let sld_span = registrable(m, labels);
    let sld = m.string(sld_span.0, sld_span.1);
    let tld_span = labels[nl - 1];
    // sentence boundary: a capitalised label after a lower-case one
    for w in labels.windows(2) {
        let (a, b) = (w[0], w[1]);
        let lower_a = !raw_at(t, m.s[a.1 - 1] as usize).is_uppercase();
        let upper_b = raw_at(t, m.s[b.0] as usize).is_uppercase();
        let lower_rest_b = (b.0 + 1..b.1).all(|k| !raw_at(t, m.s[k] as usize).is_uppercase());
        if upper_b && lower_rest_b && lower_a && b.1 - b.0 > 1 {
            return false;
        }
    }
    // followed by a call or an assignment: code
    let after = m.at(labels[nl - 1].1);
    if matches!(after, '(' | '=' | '[')
        || (after == ':' && m.at(labels[nl - 1].1 + 1).is_ascii_alphanumeric() && !has_path)
    {
        return false;
    }
    if sld.len() < 2 || sld.chars().all(|c| c.is_ascii_digit()) {
        return false;
    }
    let obf_dot = m.flags(sld_span.1, tld_span.0) & (F_WORD | F_BRACKET | F_SPACED) != 0;
    if has_path {
        return !(tables::is_word_tld(tld) && lx::is(&sld, lx::STOP) && !obf_dot);
    }
    if lx::is(&sld, lx::STOP | lx::FILLER | lx::CODE | lx::VERB) {
        return false;
    }
    if tables::is_word_tld(tld) && (sld.len() < 3 || nl == 2 && lx::lookup(&sld).flags != 0) {
        return false;
    }
    // "final-logo.ai", "brand.ps" next to file words: a file name
    let inside_file = t.toks[t.tok_from(os)..t.tok_from(oe)]
        .iter()
        .any(|x| x.has(lx::FILE));
    if matches!(tld, "ai" | "ps" | "sc" | "cc" | "mp" | "ms")
        && (inside_file || t.cue_near(os, oe, 6, 6, lx::FILE))
    {
        return false;
    }
    // a well-known brand named bare on any country domain: "amazon.de"
    if nl <= 3 && tables::in_list(BRANDS, &sld) {
        return false;
    }
    if obf_dot && sld.len() < 3 {
        return false;
    }
    // "user.email", "config.name": a code key when a code word is near
    if t.cue_near(os, oe, 4, 0, lx::CODE) && !t.cue_near(os, oe, 6, 0, lx::URL) {
        return false;
    }
    true
}

fn raw_at(t: &Text, orig: usize) -> char {
    // the base view drops only invisible chars, so original and base indices
    // differ by at most the number of dropped chars before; search nearby
    let k = t.v.s.partition_point(|&s| (s as usize) < orig);
    t.raw().get(k).copied().unwrap_or('\0')
}
