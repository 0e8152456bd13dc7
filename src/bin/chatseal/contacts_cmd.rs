//! `chatseal scan` and `chatseal eval-contacts`: CLI glue over
//! [`chatseal::contacts`]. Offsets printed here are Unicode scalar values.

use std::fmt::Write as _;
use std::path::Path;

use chatseal::contacts::{self, Finding, Kind, Policy};
use serde::Serialize;
use serde_json::Value;

#[derive(Serialize)]
struct OutFinding<'a> {
    kind: &'static str,
    start: usize,
    end: usize,
    text: &'a str,
}

#[derive(Serialize)]
struct OutLine<'a> {
    id: &'a Value,
    findings: Vec<OutFinding<'a>>,
}

/// Scans `input` and returns the text to print.
///
/// With `jsonl`, every non-empty input line is `{"id": any, "text": "..."}`
/// and every output line is `{"id": ..., "findings": [{"kind", "start",
/// "end", "text"}]}` (offsets in Unicode scalar values, end exclusive).
/// Without it, `input` is one message and the findings are listed readably.
/// `site` is the marketplace host whose policy applies (generic if `None`).
pub fn scan(input: &str, jsonl: bool, site: Option<&str>) -> Result<String, String> {
    let policy = Policy::for_site(site.unwrap_or(""));
    if !jsonl {
        let findings = contacts::scan(input, &policy);
        return Ok(listing(&findings));
    }
    let mut out = String::new();
    for (n, line) in input.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let v: Value =
            serde_json::from_str(line).map_err(|e| format!("line {}: not JSON: {e}", n + 1))?;
        let text = v
            .get("text")
            .and_then(Value::as_str)
            .ok_or_else(|| format!("line {}: missing string field \"text\"", n + 1))?;
        let null = Value::Null;
        let id = v.get("id").unwrap_or(&null);
        let findings = contacts::scan(text, &policy);
        let line = OutLine {
            id,
            findings: findings
                .iter()
                .map(|f| OutFinding {
                    kind: f.kind.as_str(),
                    start: f.start,
                    end: f.end,
                    text: &f.text,
                })
                .collect(),
        };
        let s = serde_json::to_string(&line).map_err(|e| format!("line {}: {e}", n + 1))?;
        out.push_str(&s);
        out.push('\n');
    }
    Ok(out)
}

fn listing(findings: &[Finding]) -> String {
    if findings.is_empty() {
        return "no contact details found\n".to_string();
    }
    let mut out = String::new();
    for f in findings {
        let _ = writeln!(
            out,
            "{:>5}..{:<5} {:<8} {:?}  ({})",
            f.start,
            f.end,
            f.kind.as_str(),
            f.text,
            f.reason
        );
    }
    let _ = writeln!(
        out,
        "{} finding{}",
        findings.len(),
        if findings.len() == 1 { "" } else { "s" }
    );
    out
}

/// Message-level metrics of the detector on a labelled corpus.
#[derive(Debug, Default)]
pub(crate) struct Metrics {
    pub total: usize,
    pub tp: usize,
    pub fp: usize,
    pub tn: usize,
    pub fn_: usize,
    /// (kind, labelled messages, of which the detector found that kind)
    pub per_kind: Vec<(Kind, usize, usize)>,
    pub false_negatives: Vec<String>,
    pub false_positives: Vec<String>,
}

impl Metrics {
    pub fn precision(&self) -> f64 {
        ratio(self.tp, self.tp + self.fp)
    }
    pub fn recall(&self) -> f64 {
        ratio(self.tp, self.tp + self.fn_)
    }
    pub fn f1(&self) -> f64 {
        let (p, r) = (self.precision(), self.recall());
        if p + r == 0.0 {
            0.0
        } else {
            2.0 * p * r / (p + r)
        }
    }
    pub fn fpr(&self) -> f64 {
        ratio(self.fp, self.fp + self.tn)
    }

    pub fn report(&self) -> String {
        let mut s = String::new();
        let _ = writeln!(
            s,
            "messages: {} ({} positive, {} negative)",
            self.total,
            self.tp + self.fn_,
            self.fp + self.tn
        );
        let _ = writeln!(s, "precision: {:.4}", self.precision());
        let _ = writeln!(s, "recall:    {:.4}", self.recall());
        let _ = writeln!(s, "F1:        {:.4}", self.f1());
        let _ = writeln!(s, "FPR:       {:.4}", self.fpr());
        let _ = writeln!(
            s,
            "confusion: tp {} fp {} tn {} fn {}",
            self.tp, self.fp, self.tn, self.fn_
        );
        let _ = writeln!(
            s,
            "per-kind recall (message has the kind, detector found that kind):"
        );
        for (k, n, found) in &self.per_kind {
            let _ = writeln!(
                s,
                "  {:<8} {:.4} ({found}/{n})",
                k.as_str(),
                ratio(*found, *n)
            );
        }
        let _ = writeln!(
            s,
            "false negatives ({}): {}",
            self.false_negatives.len(),
            self.false_negatives.join(" ")
        );
        let _ = writeln!(
            s,
            "false positives ({}): {}",
            self.false_positives.len(),
            self.false_positives.join(" ")
        );
        s
    }
}

fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 {
        0.0
    } else {
        a as f64 / b as f64
    }
}

/// Evaluates the detector (generic policy) on the corpus at `path`.
pub(crate) fn metrics(path: &Path) -> Result<Metrics, String> {
    let data = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let policy = Policy::for_site("");
    let mut m = Metrics {
        per_kind: Kind::ALL.iter().map(|k| (*k, 0, 0)).collect(),
        ..Metrics::default()
    };
    for (n, line) in data.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let v: Value = serde_json::from_str(line)
            .map_err(|e| format!("{}:{}: not JSON: {e}", path.display(), n + 1))?;
        let text = v.get("text").and_then(Value::as_str).ok_or_else(|| {
            format!(
                "{}:{}: missing string field \"text\"",
                path.display(),
                n + 1
            )
        })?;
        let positive = v.get("positive").and_then(Value::as_bool).ok_or_else(|| {
            format!(
                "{}:{}: missing boolean field \"positive\"",
                path.display(),
                n + 1
            )
        })?;
        let id = match v.get("id") {
            Some(Value::String(s)) => s.clone(),
            Some(other) => other.to_string(),
            None => format!("line{}", n + 1),
        };
        let labelled: Vec<Kind> = v
            .get("kinds")
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(Value::as_str)
                    .filter_map(Kind::from_name)
                    .collect()
            })
            .unwrap_or_default();
        let findings = contacts::scan(text, &policy);
        let found = !findings.is_empty();
        m.total += 1;
        match (positive, found) {
            (true, true) => m.tp += 1,
            (true, false) => {
                m.fn_ += 1;
                m.false_negatives.push(id);
            }
            (false, true) => {
                m.fp += 1;
                m.false_positives.push(id);
            }
            (false, false) => m.tn += 1,
        }
        for (k, n, hit) in m.per_kind.iter_mut() {
            if labelled.contains(k) {
                *n += 1;
                if findings
                    .iter()
                    .any(|f| f.kind == *k || f.secondary_kind() == Some(*k))
                {
                    *hit += 1;
                }
            }
        }
    }
    Ok(m)
}

/// Evaluates the detector on the labelled corpus at `path` (JSON lines
/// `{"id", "text", "positive", "kinds", ...}`) and returns the report:
/// message-level precision, recall, F1, false-positive rate, per-kind
/// recall, and the ids of false negatives and false positives.
pub fn eval(path: &Path) -> Result<String, String> {
    Ok(metrics(path)?.report())
}
