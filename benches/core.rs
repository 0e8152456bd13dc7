//! Native benchmarks of the ChatSeal core: `cargo bench --bench core`
//! (scripts/bench runs it and compares with the WASM build).
//!
//! Every operation is warmed up, then timed in batches long enough for the
//! clock; the median of the per-operation times is reported (and the fastest
//! batch). Inputs are generated deterministically from
//! tests/bench/phrases.txt with the same algorithm as
//! tests/bench/wasm-bench.mjs, so both measure the same text:
//!
//! - `encrypt_1k`: encrypt + armor a 1 KiB message (one block);
//! - `decrypt_1k`: parse + decrypt that block (`find_blocks_1k`: the
//!   `format::find_blocks` part of it alone);
//! - `find_blocks_1mb`: `format::find_blocks` over ~1 MB of chat text holding
//!   50 blocks (each decoded, not decrypted);
//! - `contacts_2000`: `contacts::scan` of a 2,000-character mixed chat
//!   message (Upwork policy);
//! - `contacts_1mb`: `contacts::scan` of ~1 MB of mixed chat text, one call.
//!
//! Run it as scripts/bench does, with the WASM build's features and a target
//! directory of its own:
//!
//! ```text
//! CARGO_TARGET_DIR=target/bench/cargo \
//!   cargo bench --bench core --no-default-features --features contacts
//! ```
//!
//! With the default features cargo also builds the CLI binary, and because
//! the library is a `cdylib` + `rlib` with LTO it compiles the library twice
//! under one un-hashed file name (cargo#6313: "output filename collision"),
//! which makes the CLI's link fail at random.
//!
//! The last line of output is `CHATSEAL_BENCH_JSON {...}`: the numbers for
//! scripts (median/min in ns per operation, input bytes, MB/s = 10^6 B/s).
//! Optional argument: a substring of the ids to run; `contacts_scaling` (not
//! run by default) times one scan over texts from 16 kB to 1 MB instead.

use std::hint::black_box;
use std::time::{Duration, Instant};

use chatseal::crypto::{self, Metadata, SealOptions};
use chatseal::format;
use chatseal::keys::SecretKey;
use chatseal::{Error, RandomSource};

const PHRASES: &str = include_str!("../tests/bench/phrases.txt");

/// Time spent running an operation before measuring it.
const WARMUP: Duration = Duration::from_millis(300);
/// Target length of one timed batch.
const BATCH: Duration = Duration::from_millis(5);
/// Batches per operation (fewer when an operation is slow).
const SAMPLES: usize = 41;
/// Upper bound on the time spent measuring one operation.
const BUDGET: Duration = Duration::from_secs(4);

// ---------------------------------------------------------------- inputs
// Keep in step with `inputs()` in tests/bench/wasm-bench.mjs.

fn phrases() -> Vec<&'static str> {
    PHRASES
        .lines()
        .map(str::trim_end)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .collect()
}

/// xorshift32: trivially the same in JavaScript.
struct XorShift(u32);

impl XorShift {
    fn next(&mut self) -> u32 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 17;
        self.0 ^= self.0 << 5;
        self.0
    }

    fn phrase<'p>(&mut self, phrases: &[&'p str]) -> &'p str {
        phrases[self.next() as usize % phrases.len()]
    }
}

/// Phrases joined by newlines until `bytes` UTF-8 bytes, cut to at most that
/// on a character boundary.
fn text_bytes(seed: u32, bytes: usize) -> String {
    let phrases = phrases();
    let mut rng = XorShift(seed);
    let mut out = String::new();
    while out.len() < bytes {
        if !out.is_empty() {
            out.push('\n');
        }
        out.push_str(rng.phrase(&phrases));
    }
    let mut cut = bytes;
    while !out.is_char_boundary(cut) {
        cut -= 1;
    }
    out.truncate(cut);
    out
}

/// Phrases joined by newlines, cut to exactly `chars` characters.
#[cfg_attr(not(feature = "contacts"), allow(dead_code))]
fn text_chars(seed: u32, chars: usize) -> String {
    let phrases = phrases();
    let mut rng = XorShift(seed);
    let mut out = String::new();
    while out.chars().count() < chars {
        if !out.is_empty() {
            out.push('\n');
        }
        out.push_str(rng.phrase(&phrases));
    }
    out.chars().take(chars).collect()
}

const CHAT_BYTES: usize = 1_000_000;
const CHAT_BLOCKS: usize = 50;

/// ~1 MB of chat lines with 50 blocks spread evenly: block `i` goes in once
/// the text reaches `i * 20000 + 10000` bytes; its message is
/// `text_bytes(100 + i, 256 + (i * 97) % 1536)`.
fn chat_with_blocks(mut encrypt: impl FnMut(&str) -> String) -> String {
    let phrases = phrases();
    let mut rng = XorShift(4);
    let mut out = String::new();
    let mut blocks = 0;
    let spacing = CHAT_BYTES / CHAT_BLOCKS;
    while out.len() < CHAT_BYTES {
        if blocks < CHAT_BLOCKS && out.len() >= blocks * spacing + spacing / 2 {
            out.push_str(&encrypt(&text_bytes(
                100 + blocks as u32,
                256 + (blocks * 97) % 1536,
            )));
            blocks += 1;
        } else {
            out.push_str(rng.phrase(&phrases));
        }
        out.push('\n');
    }
    out
}

/// FNV-1a of the text, to check that native and WASM measured the same input.
fn fnv1a(text: &str) -> String {
    let mut h: u32 = 0x811c_9dc5;
    for &b in text.as_bytes() {
        h ^= u32::from(b);
        h = h.wrapping_mul(0x0100_0193);
    }
    format!("{h:08x}")
}

// ---------------------------------------------------------------- timing

struct Stats {
    id: &'static str,
    label: &'static str,
    median_ns: f64,
    min_ns: f64,
    /// CPU time of this thread per operation (mean over the timed batches):
    /// closer to an idle machine's numbers when other work competes.
    cpu_ns: Option<f64>,
    samples: usize,
    iters: u64,
    bytes: Option<usize>,
    hash: Option<String>,
}

fn measure<R>(
    id: &'static str,
    label: &'static str,
    bytes: Option<usize>,
    mut op: impl FnMut() -> R,
) -> Stats {
    // Warm up; the fastest single call sizes the batches (the fastest, not
    // the mean, so that a busy machine does not shrink them).
    let start = Instant::now();
    let mut calls = 0u64;
    let mut fastest = f64::INFINITY;
    while start.elapsed() < WARMUP || calls < 2 {
        let t = Instant::now();
        black_box(op());
        fastest = fastest.min(t.elapsed().as_secs_f64());
        calls += 1;
    }
    let batch = ((BATCH.as_secs_f64() / fastest.max(1e-9)).ceil() as u64).max(1);
    let mut times = Vec::with_capacity(SAMPLES);
    let cpu_start = thread_cpu_ns();
    let begun = Instant::now();
    while times.len() < SAMPLES && (times.len() < 5 || begun.elapsed() < BUDGET) {
        let t = Instant::now();
        for _ in 0..batch {
            black_box(op());
        }
        times.push(t.elapsed().as_secs_f64() * 1e9 / batch as f64);
    }
    let iters = batch * times.len() as u64;
    let cpu_ns = match (cpu_start, thread_cpu_ns()) {
        (Some(a), Some(b)) => Some(b.saturating_sub(a) as f64 / iters as f64),
        _ => None,
    };
    times.sort_by(f64::total_cmp);
    Stats {
        id,
        label,
        median_ns: times[times.len() / 2],
        min_ns: times[0],
        cpu_ns,
        samples: times.len(),
        iters,
        bytes,
        hash: None,
    }
}

/// Time this thread has run on a CPU, in ns (Linux; `None` elsewhere).
fn thread_cpu_ns() -> Option<u64> {
    let stat = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    stat.split_whitespace().next()?.parse().ok()
}

fn human(ns: f64) -> String {
    if ns < 1e3 {
        format!("{ns:.0} ns")
    } else if ns < 1e6 {
        format!("{:.2} µs", ns / 1e3)
    } else if ns < 1e9 {
        format!("{:.2} ms", ns / 1e6)
    } else {
        format!("{:.2} s", ns / 1e9)
    }
}

fn mb_s(bytes: usize, ns: f64) -> f64 {
    bytes as f64 / 1e6 / (ns / 1e9)
}

// ---------------------------------------------------------------- operations

/// Deterministic bytes for the blocks embedded in the chat text.
struct SplitMix(u64);

impl RandomSource for SplitMix {
    fn fill(&mut self, dest: &mut [u8]) -> Result<(), Error> {
        for b in dest {
            self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let z = (self.0 ^ (self.0 >> 31)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            *b = (z >> 56) as u8;
        }
        Ok(())
    }
}

/// The generator encrypt uses in the timed loop: the kernel's, one read per
/// request like `OsRandom` (getrandom) in the CLI and crypto.getRandomValues
/// in the browser. `OsRandom` itself needs the `cli` feature, which this
/// bench leaves off (see the module docs).
struct KernelRandom(std::fs::File);

impl RandomSource for KernelRandom {
    fn fill(&mut self, dest: &mut [u8]) -> Result<(), Error> {
        use std::io::Read;
        self.0.read_exact(dest).expect("/dev/urandom reads");
        Ok(())
    }
}

fn timed_rng() -> Box<dyn FnMut(&mut [u8])> {
    match std::fs::File::open("/dev/urandom") {
        Ok(file) => {
            let mut rng = KernelRandom(file);
            Box::new(move |dest| rng.fill(dest).expect("random bytes"))
        }
        Err(_) => {
            let mut rng = SplitMix(1);
            Box::new(move |dest| rng.fill(dest).expect("random bytes"))
        }
    }
}

/// Adapts a boxed filler to the core's trait.
struct Filler(Box<dyn FnMut(&mut [u8])>);

impl RandomSource for Filler {
    fn fill(&mut self, dest: &mut [u8]) -> Result<(), Error> {
        (self.0)(dest);
        Ok(())
    }
}

fn options() -> SealOptions<'static> {
    SealOptions {
        metadata: Metadata {
            sender_id: [0x5e; 8],
            created_ms: 1_764_000_000_000,
            counter: 1,
        },
        conversation: None,
        max_chars: None,
    }
}

fn main() {
    let filter = std::env::args().skip(1).find(|a| !a.starts_with('-'));
    let wanted = |id: &str| filter.as_deref().is_none_or(|f| id.contains(f));
    let key = SecretKey::from_bytes(core::array::from_fn(|i| i as u8 + 1));
    let keys = [key.clone()];
    let options = options();
    let mut results: Vec<Stats> = Vec::new();

    let message = text_bytes(1, 1024);
    if wanted("encrypt_1k") {
        let mut rng = Filler(timed_rng());
        let mut s = measure(
            "encrypt_1k",
            "encrypt+armor 1 KiB",
            Some(message.len()),
            || crypto::encrypt(&key, &message, &options, &mut rng).expect("encrypts"),
        );
        s.hash = Some(fnv1a(&message));
        results.push(s);
    }
    if wanted("decrypt_1k") {
        let blocks = crypto::encrypt(&key, &message, &options, &mut SplitMix(7)).expect("encrypts");
        assert_eq!(blocks.len(), 1);
        let block = [blocks[0].as_str()];
        let opened = crypto::decrypt_blocks(&block, &keys, None).expect("decrypts");
        assert_eq!(opened.text.as_str(), message);
        let mut s = measure(
            "decrypt_1k",
            "parse+decrypt 1 KiB",
            Some(message.len()),
            || crypto::decrypt_blocks(&block, &keys, None).expect("decrypts"),
        );
        s.hash = Some(fnv1a(&message));
        results.push(s);
        // The parsing share of decrypt_1k: finding and decoding its block.
        results.push(measure(
            "find_blocks_1k",
            "  of which find_blocks (its block)",
            Some(block[0].len()),
            || format::find_blocks(block[0]),
        ));
    }
    if wanted("find_blocks_1mb") {
        let mut rng = SplitMix(11);
        let chat = chat_with_blocks(|m| {
            crypto::encrypt(&key, m, &options, &mut rng)
                .expect("encrypts")
                .remove(0)
        });
        let found = format::find_blocks(&chat);
        assert_eq!(found.len(), CHAT_BLOCKS);
        assert!(found.iter().all(|b| b.part.is_ok()));
        results.push(measure(
            "find_blocks_1mb",
            "find_blocks ~1 MB, 50 blocks",
            Some(chat.len()),
            || format::find_blocks(&chat),
        ));
    }
    contacts_benches(&wanted, &mut results);

    // Human-readable table.
    println!();
    println!(
        "{:<40} {:>11} {:>11} {:>11} {:>8} {:>7}",
        "native (ChatSeal core)", "median", "fastest", "CPU/op", "MB/s", "samples"
    );
    for s in &results {
        let rate = s
            .bytes
            .filter(|&b| b >= 100_000 || s.id.starts_with("contacts"))
            .map_or(String::from("-"), |b| {
                format!("{:.1}", mb_s(b, s.median_ns))
            });
        println!(
            "{:<40} {:>11} {:>11} {:>11} {:>8} {:>7}",
            s.label,
            human(s.median_ns),
            human(s.min_ns),
            s.cpu_ns.map_or(String::from("-"), human),
            rate,
            s.samples
        );
    }
    if !cfg!(feature = "contacts") {
        println!("(contacts feature off: contacts::scan not measured)");
    }

    // Machine-readable line for scripts/bench and tests/bench/wasm-bench.mjs.
    let mut entries = serde_json::Map::new();
    for s in &results {
        let mut e = serde_json::json!({
            "label": s.label,
            "median_ns": s.median_ns,
            "min_ns": s.min_ns,
            "samples": s.samples,
            "iters": s.iters,
        });
        if let Some(cpu) = s.cpu_ns {
            e["cpu_ns"] = cpu.into();
        }
        if let Some(b) = s.bytes {
            e["bytes"] = b.into();
            e["mb_s"] = mb_s(b, s.median_ns).into();
        }
        if let Some(h) = &s.hash {
            e["input_fnv1a"] = h.as_str().into();
        }
        entries.insert(s.id.to_owned(), e);
    }
    let line = serde_json::json!({
        "schema": 1,
        "kind": "native",
        "contacts_feature": cfg!(feature = "contacts"),
        "results": entries,
    });
    println!("CHATSEAL_BENCH_JSON {line}");
}

#[cfg(feature = "contacts")]
fn contacts_benches(wanted: &dyn Fn(&str) -> bool, results: &mut Vec<Stats>) {
    use chatseal::contacts::{scan, Policy};
    let policy = Policy::for_site("www.upwork.com");
    if wanted("contacts_2000") {
        let text = text_chars(2, 2000);
        let found = scan(&text, &policy).len();
        let mut s = measure(
            "contacts_2000",
            "contacts::scan 2,000 chars",
            Some(text.len()),
            || scan(&text, &policy),
        );
        s.label = leak(format!("contacts::scan 2,000 chars ({found} found)"));
        s.hash = Some(fnv1a(&text));
        results.push(s);
    }
    // Opt-in (`cargo bench --bench core -- contacts_scaling`): one call on
    // growing texts; a linear scanner keeps the ns/byte column flat.
    if std::env::args().any(|a| a == "contacts_scaling") {
        println!(
            "{:<28} {:>12} {:>12} {:>10} {:>10}",
            "contacts::scan, one call", "median", "CPU/op", "ns/byte", "CPU ns/B"
        );
        for kb in [16usize, 64, 125, 250, 500, 1000] {
            let text = text_bytes(3, kb * 1000);
            let s = measure("contacts_scaling", "", Some(text.len()), || {
                scan(&text, &policy)
            });
            let cpu = s.cpu_ns.unwrap_or(f64::NAN);
            println!(
                "{:<28} {:>12} {:>12} {:>10.1} {:>10.1}",
                format!("{kb} kB"),
                human(s.median_ns),
                human(cpu),
                s.median_ns / text.len() as f64,
                cpu / text.len() as f64
            );
        }
        return;
    }
    if wanted("contacts_1mb") {
        let text = text_bytes(3, CHAT_BYTES);
        let mut s = measure(
            "contacts_1mb",
            "contacts::scan ~1 MB, one call",
            Some(text.len()),
            || scan(&text, &policy),
        );
        s.hash = Some(fnv1a(&text));
        results.push(s);
    }
}

#[cfg(feature = "contacts")]
fn leak(s: String) -> &'static str {
    Box::leak(s.into_boxed_str())
}

#[cfg(not(feature = "contacts"))]
fn contacts_benches(_: &dyn Fn(&str) -> bool, _: &mut Vec<Stats>) {}
