//! Property tests of the contact-details detector: whatever the input, it
//! does not panic, every finding is a well-formed span of the message
//! (Unicode scalar values, end exclusive) whose text is that span, findings
//! are sorted and do not overlap, the UTF-16 conversion agrees, and turning
//! kinds off only removes findings.
#![cfg(feature = "contacts")]

use chatseal::contacts::{scan, utf16_span, utf16_spans, Finding, Kind, Policy};
use proptest::prelude::*;

/// Pieces that drive the scanners deep: digits in several scripts,
/// separators, obfuscation words, app names, sigils, invisible and
/// full-width characters.
const PIECES: &[&str] = &[
    "0",
    "1",
    "5",
    "7",
    "9",
    "٠",
    "٥",
    "९",
    "５",
    "一",
    "三",
    "八",
    "+",
    "(",
    ")",
    "-",
    ".",
    "/",
    " ",
    "  ",
    "\n",
    "@",
    "＠",
    "．",
    "#",
    "$",
    ":",
    "_",
    "[at]",
    "(dot)",
    " at ",
    " dot ",
    " arroba ",
    " punto ",
    " собака ",
    " точка ",
    "five",
    "double",
    "oh",
    "hundred",
    "сорок",
    "vingt",
    "-",
    "skype",
    "telegram",
    "discord",
    "wa.me/",
    "t.me/",
    "https://",
    "www.",
    ".com",
    ".io",
    "gmail",
    "paypal",
    "venmo",
    "iban",
    "DE89",
    "bc1q",
    "0x",
    "live:",
    "wxid_",
    "\u{200B}",
    "\u{FEFF}",
    "é",
    "ß",
    "İ",
    "😀",
    "اتصل",
    "नंबर",
    "电话",
    "j o h n",
    "call me",
    "order #",
    "my number",
    "ext. ",
    "x",
    "a",
    "Z",
    "'",
    "\"",
    "\u{0301}",
    "\u{10FFFF}",
];

fn pieces() -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(PIECES), 0..60).prop_map(|v| v.concat())
}

fn check(text: &str, findings: &[Finding]) -> Result<(), TestCaseError> {
    let chars: Vec<char> = text.chars().collect();
    let mut prev_end = 0;
    for f in findings {
        prop_assert!(f.start < f.end, "empty span {f:?}");
        prop_assert!(f.end <= chars.len(), "span past the end {f:?}");
        prop_assert!(f.start >= prev_end, "overlap or disorder at {f:?}");
        prev_end = f.end;
        let span: String = chars[f.start..f.end].iter().collect();
        prop_assert_eq!(&span, &f.text);
        prop_assert!(!f.reason.is_empty());
        let (s16, e16) = utf16_span(text, f);
        let units: Vec<u16> = text.encode_utf16().collect();
        prop_assert_eq!(String::from_utf16_lossy(&units[s16..e16]), f.text.clone());
    }
    let all = utf16_spans(text, findings);
    for (f, sp) in findings.iter().zip(all) {
        prop_assert_eq!(utf16_span(text, f), sp);
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_text_is_safe(text in any::<String>()) {
        let f = scan(&text, &Policy::default());
        check(&text, &f)?;
    }

    #[test]
    fn contact_like_text_is_safe(text in pieces()) {
        for site in ["", "www.upwork.com", "fiverr.com"] {
            let f = scan(&text, &Policy::for_site(site));
            check(&text, &f)?;
        }
    }

    #[test]
    fn disabling_kinds_only_removes(text in pieces(), mask in 0u8..32) {
        let off: Vec<Kind> = Kind::ALL.iter().enumerate().filter(|(i, _)| mask & (1 << i) != 0).map(|(_, k)| *k).collect();
        let all = scan(&text, &Policy::default());
        let some = scan(&text, &Policy::default().with_disabled(&off));
        prop_assert!(some.iter().all(|f| !off.contains(&f.kind)));
        prop_assert!(some.iter().all(|f| all.contains(f)));
    }
}

#[test]
fn large_inputs_stay_linear() {
    // a megabyte of digits, '@', dots, spaced letters or spelled digits
    for unit in [
        "1", "@", "a.", "a ", "five ", "1 ", "@a", "+1 ", "at dot ", "一",
    ] {
        let text = unit.repeat(1_000_000 / unit.len());
        let t = std::time::Instant::now();
        let f = scan(&text, &Policy::default());
        check(&text, &f).unwrap();
        assert!(
            t.elapsed().as_secs() < 30,
            "{unit:?} x 1 MB took {:?}",
            t.elapsed()
        );
    }
}
