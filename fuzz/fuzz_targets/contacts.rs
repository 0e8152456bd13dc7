//! The contact-details detector on arbitrary text under every site policy.
//!
//! Properties checked (the contract of `contacts::scan`):
//! - it never panics;
//! - findings are sorted by start, non-empty, non-overlapping and within the
//!   text's length in Unicode scalar values;
//! - `Finding::text` is exactly the text at `start..end`;
//! - only kinds the policy warns about are reported;
//! - `utf16_spans` agrees with `utf16_span` and with the UTF-16 length.
#![no_main]

use std::sync::OnceLock;

use chatseal::contacts::{scan, utf16_span, utf16_spans, Kind, Policy};
use libfuzzer_sys::fuzz_target;

/// Page hosts of every marketplace with its own policy, the generic default
/// (empty and unknown hosts) and a narrowed policy.
fn policies() -> &'static [Policy] {
    static POLICIES: OnceLock<Vec<Policy>> = OnceLock::new();
    POLICIES.get_or_init(|| {
        let mut all: Vec<Policy> = [
            "",
            "www.upwork.com",
            "www.fiverr.com",
            "www.freelancer.com",
            "www.peopleperhour.com",
            "www.guru.com",
            "www.toptal.com",
            "contra.com",
            "www.malt.fr",
            "chat.example.org",
        ]
        .iter()
        .map(|host| Policy::for_site(host))
        .collect();
        all.push(
            Policy::for_site("www.upwork.com")
                .with_disabled(&[Kind::Url, Kind::Handle])
                .with_allowed_domains(&["example.com"]),
        );
        all
    })
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let chars: Vec<char> = text.chars().collect();
    let utf16_len = text.encode_utf16().count();
    for policy in policies() {
        let findings = scan(text, policy);
        let mut prev_end = 0;
        for f in &findings {
            assert!(f.start < f.end, "empty finding under {}: {f:?}", policy.site());
            assert!(
                f.start >= prev_end,
                "findings out of order or overlapping under {}: {findings:?}",
                policy.site()
            );
            assert!(f.end <= chars.len(), "finding past the end under {}: {f:?}", policy.site());
            let at: String = chars[f.start..f.end].iter().collect();
            assert_eq!(f.text, at, "finding text differs from its span under {}", policy.site());
            assert!(policy.warns(f.kind), "{:?} reported under {}", f.kind, policy.site());
            prev_end = f.end;
        }
        let spans = utf16_spans(text, &findings);
        assert_eq!(spans.len(), findings.len());
        for (f, &(s, e)) in findings.iter().zip(&spans) {
            assert_eq!(utf16_span(text, f), (s, e), "utf16_span and utf16_spans differ");
            assert!(s < e && e <= utf16_len, "bad UTF-16 span {s}..{e} of {utf16_len}");
            let expect_s: usize = chars[..f.start].iter().map(|c| c.len_utf16()).sum();
            assert_eq!(s, expect_s, "UTF-16 start wrong");
        }
    }
});
