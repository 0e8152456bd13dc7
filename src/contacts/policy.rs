//! Per-site policy: which kinds warn, which domains are the platform's own,
//! which are allowed. The data is `policy.txt`, parsed once at first use.

use serde::Serialize;

use super::Kind;

const DATA: &str = include_str!("policy.txt");

/// What a well-known domain is (see `policy.txt`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Class {
    /// Shared work files: allowed.
    Work,
    /// Public reference pages: allowed.
    Ref,
    /// Social profile when a path is given.
    Social,
    /// Messenger chat link when a path is given.
    Messenger,
    /// Booking or meeting link when a path is given.
    Booking,
    /// Payment page when a path is given.
    Pay,
    /// Link shortener when a path is given.
    Short,
    /// Outside form when a path is given.
    Form,
}

impl Class {
    fn parse(s: &str) -> Option<Class> {
        Some(match s {
            "work" => Class::Work,
            "ref" => Class::Ref,
            "social" => Class::Social,
            "messenger" => Class::Messenger,
            "booking" => Class::Booking,
            "pay" => Class::Pay,
            "short" => Class::Short,
            "form" => Class::Form,
            _ => return None,
        })
    }
}

pub(crate) struct Site {
    name: Box<str>,
    hosts: Vec<Box<str>>,
    own: Vec<Box<str>>,
    allow: Vec<Box<str>>,
    warn: Option<Vec<Kind>>,
}

pub(crate) struct Data {
    pub(crate) sites: Vec<Site>,
    /// (host, path prefix, class), sorted by host for binary search
    domains: Vec<(Box<str>, Box<str>, Class)>,
}

pub(crate) fn parse() -> Data {
    let mut sites: Vec<Site> = Vec::new();
    let mut domains = Vec::new();
    let mut in_domains = false;
    for line in DATA.lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if let Some(h) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            in_domains = h == "domains";
            if let Some(name) = h.strip_prefix("site ") {
                sites.push(Site {
                    name: name.trim().into(),
                    hosts: vec![],
                    own: vec![],
                    allow: vec![],
                    warn: None,
                });
            }
            continue;
        }
        if in_domains {
            let mut it = line.split_whitespace();
            if let (Some(d), Some(c)) = (it.next(), it.next()) {
                if let Some(class) = Class::parse(c) {
                    let (host, path) = match d.find('/') {
                        Some(p) => (&d[..p], &d[p..]),
                        None => (d, ""),
                    };
                    domains.push((host.into(), path.into(), class));
                }
            }
            continue;
        }
        let Some(site) = sites.last_mut() else {
            continue;
        };
        let Some((key, rest)) = line.split_once(':') else {
            continue;
        };
        let words = rest.split_whitespace().map(Box::<str>::from);
        match key.trim() {
            "hosts" => site.hosts.extend(words),
            "own" => site.own.extend(words),
            "allow" => site.allow.extend(words),
            "warn" => {
                let kinds = rest.split_whitespace().filter_map(Kind::from_name);
                site.warn.get_or_insert_with(Vec::new).extend(kinds);
            }
            _ => {}
        }
    }
    super::sort_by(&mut domains, |a: &(Box<str>, Box<str>, Class), b| {
        a.0.cmp(&b.0)
    });
    Data { sites, domains }
}

fn data() -> &'static Data {
    &super::statics().policy
}

/// Whether `host` is `domain` or one of its subdomains.
pub(crate) fn host_matches(host: &str, domain: &str) -> bool {
    host == domain
        || (host.len() > domain.len()
            && host.ends_with(domain)
            && host.as_bytes()[host.len() - domain.len() - 1] == b'.')
}

/// Classifies a link or email domain by the global domain table (longest
/// matching entry wins). `path` starts with '/' or is empty.
pub(crate) fn classify(host: &str, path: &str) -> Option<Class> {
    let domains = &data().domains;
    let mut best: Option<(usize, Class)> = None;
    // try the host and each parent domain: a.b.example.com, b.example.com, ...
    let mut suffix = host;
    loop {
        let lo = domains.partition_point(|(d, _, _)| &**d < suffix);
        for (d, p, c) in domains[lo..].iter().take_while(|(d, _, _)| &**d == suffix) {
            if path_has_prefix(path, p) {
                let score = d.len() + p.len();
                if best.is_none_or(|(s, _)| score > s) {
                    best = Some((score, *c));
                }
            }
        }
        match suffix.find('.') {
            Some(i) => suffix = &suffix[i + 1..],
            None => break,
        }
    }
    best.map(|(_, c)| c)
}

fn path_has_prefix(path: &str, prefix: &str) -> bool {
    if prefix.is_empty() {
        return true;
    }
    let bytes = path.as_bytes();
    let pb = prefix.as_bytes();
    bytes.len() >= pb.len() && bytes[..pb.len()].eq_ignore_ascii_case(pb)
}

/// Which contact details warn on a site, and which domains are fine there.
///
/// Build one with [`Policy::for_site`] (defaults for Upwork, Fiverr,
/// Freelancer.com, PeoplePerHour, Guru, Toptal, Contra, Malt and a generic
/// default for any other host), then narrow it with
/// [`Policy::with_disabled`]. The defaults are data (`policy.txt`), not code;
/// a policy only refers to them, so building one per message is cheap.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Policy {
    site: &'static str,
    /// Bit `k` set: `Kind::ALL[k]` warns.
    kinds: u8,
    own: &'static [Box<str>],
    allow: &'static [Box<str>],
    extra_allowed: Vec<String>,
}

impl Serialize for Policy {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut st = s.serialize_struct("Policy", 4)?;
        st.serialize_field("site", self.site)?;
        st.serialize_field("kinds", &self.kinds())?;
        st.serialize_field("own_domains", self.own)?;
        st.serialize_field("allowed_domains", &self.allowed_domains())?;
        st.end()
    }
}

impl Default for Policy {
    fn default() -> Policy {
        Policy::for_site("")
    }
}

const ALL_KINDS: u8 = 0b1_1111;

fn bit(kind: Kind) -> u8 {
    1 << Kind::ALL.iter().position(|k| *k == kind).unwrap_or(0)
}

impl Policy {
    /// The policy for the page host `host` (`www.upwork.com`,
    /// `https://www.fiverr.com/inbox`, `upwork`, ...): the marketplace's
    /// defaults, or the generic default for any other host.
    pub fn for_site(host: &str) -> Policy {
        let h = normalize_host(host);
        let d = data();
        let site = d
            .sites
            .iter()
            .find(|s| {
                s.hosts.iter().any(|x| host_matches(&h, x)) || (!h.is_empty() && *s.name == *h)
            })
            .or_else(|| d.sites.iter().find(|s| &*s.name == "generic"));
        match site {
            Some(s) => Policy {
                site: &s.name,
                kinds: s
                    .warn
                    .as_ref()
                    .map_or(ALL_KINDS, |w| w.iter().fold(0, |m, k| m | bit(*k))),
                own: &s.own,
                allow: &s.allow,
                extra_allowed: Vec::new(),
            },
            None => Policy {
                site: "generic",
                kinds: ALL_KINDS,
                own: &[],
                allow: &[],
                extra_allowed: Vec::new(),
            },
        }
    }

    /// The same policy with `kinds` turned off (the user's choice).
    pub fn with_disabled(mut self, kinds: &[Kind]) -> Policy {
        for k in kinds {
            self.kinds &= !bit(*k);
        }
        self
    }

    /// The same policy with extra allowed domains (a domain allows its
    /// subdomains too).
    pub fn with_allowed_domains(mut self, domains: &[&str]) -> Policy {
        for d in domains {
            let d = normalize_host(d);
            if !d.is_empty() && !self.extra_allowed.contains(&d) {
                self.extra_allowed.push(d);
            }
        }
        self
    }

    /// The site this policy is for (`upwork`, ..., or `generic`).
    pub fn site(&self) -> &str {
        self.site
    }

    /// Whether findings of `kind` warn.
    pub fn warns(&self, kind: Kind) -> bool {
        self.kinds & bit(kind) != 0
    }

    /// The kinds that warn.
    pub fn kinds(&self) -> Vec<Kind> {
        Kind::ALL.into_iter().filter(|k| self.warns(*k)).collect()
    }

    /// The platform's own domains.
    pub fn own_domains(&self) -> &[Box<str>] {
        self.own
    }

    /// Domains allowed on this site beyond the global work-file and
    /// reference table (the site's and the user's).
    pub fn allowed_domains(&self) -> Vec<&str> {
        self.allow
            .iter()
            .map(|d| &**d)
            .chain(self.extra_allowed.iter().map(|d| d.as_str()))
            .collect()
    }

    pub(crate) fn is_own(&self, host: &str) -> bool {
        self.own.iter().any(|d| host_matches(host, d))
    }

    pub(crate) fn is_allowed(&self, host: &str) -> bool {
        self.allow.iter().any(|d| host_matches(host, d))
            || self.extra_allowed.iter().any(|d| host_matches(host, d))
    }
}

/// `https://www.Upwork.com:443/x` -> `upwork.com`.
fn normalize_host(host: &str) -> String {
    let h = host.trim().to_ascii_lowercase();
    let h = h.split_once("://").map_or(h.as_str(), |(_, r)| r);
    let h = h.split(['/', '?', '#']).next().unwrap_or("");
    let h = h.rsplit_once('@').map_or(h, |(_, r)| r);
    let h = h.split(':').next().unwrap_or("");
    let h = h.trim_end_matches('.');
    h.strip_prefix("www.").unwrap_or(h).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sites() {
        assert_eq!(Policy::for_site("www.upwork.com").site(), "upwork");
        assert_eq!(
            Policy::for_site("https://www.fiverr.com/inbox").site(),
            "fiverr"
        );
        assert_eq!(Policy::for_site("malt.fr").site(), "malt");
        assert_eq!(Policy::for_site("example.org").site(), "generic");
        assert_eq!(Policy::for_site("").site(), "generic");
        let p = Policy::for_site("upwork.com");
        assert!(p.is_own("www.upwork.com") && !p.is_own("fiverr.com"));
        assert!(Policy::for_site("").is_own("fiverr.com"));
        let p = p.with_disabled(&[Kind::Url]);
        assert!(!p.warns(Kind::Url) && p.warns(Kind::Email));
        assert!(Policy::default()
            .with_allowed_domains(&["Acme.com"])
            .is_allowed("shop.acme.com"));
    }

    #[test]
    fn classes() {
        assert_eq!(
            classify("docs.google.com", "/document/d/1"),
            Some(Class::Work)
        );
        assert_eq!(classify("docs.google.com", "/forms/d/1"), Some(Class::Form));
        assert_eq!(classify("www.youtube.com", "/watch"), Some(Class::Ref));
        assert_eq!(classify("youtube.com", "/@me"), Some(Class::Social));
        assert_eq!(classify("wa.me", "/1555"), Some(Class::Messenger));
        assert_eq!(classify("pixelforge.io", ""), None);
    }
}
