//! Evaluates the contact-details detector on the labelled corpus
//! `tests/contacts/corpus.jsonl` and holds it to its targets: message-level
//! recall >= 0.95 and false-positive rate <= 0.02.
//!
//! Run with `cargo test --test contacts_eval -- --nocapture` to see the
//! report (precision, recall, F1, FPR, per-kind recall, misses). The same
//! code backs `chatseal eval-contacts FILE`.
#![cfg(feature = "contacts")]

#[allow(dead_code)]
#[path = "../src/bin/chatseal/contacts_cmd.rs"]
mod contacts_cmd;

use std::path::Path;

#[test]
fn corpus_meets_targets() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/contacts/corpus.jsonl");
    if !path.exists() {
        panic!("missing corpus {}", path.display());
    }
    let m = contacts_cmd::metrics(&path).expect("corpus readable");
    println!("{}", m.report());
    assert!(m.total >= 600, "corpus too small: {}", m.total);
    assert!(m.recall() >= 0.95, "recall {:.4} < 0.95", m.recall());
    assert!(m.fpr() <= 0.02, "false-positive rate {:.4} > 0.02", m.fpr());
}

#[test]
fn scan_jsonl_contract() {
    let out = contacts_cmd::scan(
        "{\"id\": 7, \"text\": \"héllo ✉ john@gmail.com\"}\n{\"id\": \"b\", \"text\": \"nothing here\"}\n",
        true,
        Some("www.upwork.com"),
    )
    .expect("valid input");
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 2);
    assert_eq!(
        lines[0],
        r#"{"id":7,"findings":[{"kind":"email","start":8,"end":22,"text":"john@gmail.com"}]}"#
    );
    assert_eq!(lines[1], r#"{"id":"b","findings":[]}"#);
    assert!(contacts_cmd::scan("{not json", true, None).is_err());
    assert!(contacts_cmd::scan("{\"id\":1}", true, None).is_err());
    let plain = contacts_cmd::scan("call me on +44 7700 900123", false, None).expect("plain");
    assert!(
        plain.contains("phone") && plain.contains("+44 7700 900123"),
        "{plain}"
    );
    assert!(contacts_cmd::scan("see you at 5pm", false, None)
        .unwrap()
        .contains("no contact details"));
}
