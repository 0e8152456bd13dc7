//! Placeholder until the contact detector's CLI glue lands (helper owns this file).
#![allow(dead_code)]
pub fn scan(_input: &str, _jsonl: bool, _site: Option<&str>) -> Result<String, String> {
    Err("the contact detector is not built yet".into())
}
pub fn eval(_path: &std::path::Path) -> Result<String, String> {
    Err("the contact detector is not built yet".into())
}
