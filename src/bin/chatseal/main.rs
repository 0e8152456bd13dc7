//! `chatseal`: the command-line tool over the ChatSeal core.
//!
//! Interoperable with the browser extension: a block made by one is read by
//! the other. Errors go to stderr in plain words; exit status 2 means a usage
//! error, 1 any other failure.

use std::collections::HashSet;
use std::io::{self, IsTerminal, Read, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{SystemTime, UNIX_EPOCH};

use clap::{Args, Parser, Subcommand};
use serde_json::json;

use chatseal::crypto::{self, Metadata, SealOptions, SENDER_ID_BYTES};
use chatseal::keys::{self, NamedKey, SecretKey};
use chatseal::{OsRandom, RandomSource};

mod contacts_cmd;
mod files;

#[derive(Parser)]
#[command(
    name = "chatseal",
    version,
    about = "Encrypt chat messages for any website, read them back, share keys out of band"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Create a new random key and print its key code.
    Keygen {
        /// A name for the key, carried inside the key code.
        #[arg(long)]
        name: String,
    },
    /// Create a key from a passphrase both sides agreed on (read from stdin)
    /// and print its key code.
    PassphraseKey {
        /// A name for the key.
        #[arg(long)]
        name: String,
    },
    /// Inspect keys.
    Key {
        #[command(subcommand)]
        command: KeyCommand,
    },
    /// Encrypt the text on stdin; print the armored block(s).
    Encrypt {
        #[command(flatten)]
        key: OneKey,
        /// Bind the message to this conversation (e.g. upwork.com/rooms/123).
        #[arg(long)]
        conversation: Option<String>,
        /// Split into numbered parts of at most this many characters.
        #[arg(long)]
        max_chars: Option<usize>,
    },
    /// Replace every ChatSeal block in the text on stdin by its plaintext.
    Decrypt {
        #[command(flatten)]
        keys: ManyKeys,
        /// The conversation the text comes from; blocks bound to another one fail.
        #[arg(long)]
        conversation: Option<String>,
        /// Print one JSON object per message instead of the text.
        #[arg(long)]
        json: bool,
    },
    /// Encrypt a file (any size, streamed) into a .chatseal file.
    EncryptFile {
        #[command(flatten)]
        key: OneKey,
        /// The file to encrypt.
        input: PathBuf,
        /// Output file, or a directory (then NAME.chatseal inside it).
        #[arg(short, long)]
        output: PathBuf,
        /// Overwrite an existing output file.
        #[arg(long)]
        force: bool,
    },
    /// Decrypt a .chatseal file; nothing is left behind if it fails.
    DecryptFile {
        #[command(flatten)]
        keys: ManyKeys,
        /// The .chatseal file.
        input: PathBuf,
        /// Output file, or a directory (then the original file name inside it).
        #[arg(short, long)]
        output: PathBuf,
        /// Overwrite an existing output file.
        #[arg(long)]
        force: bool,
    },
    /// Find contact details (emails, phones, links, handles, payment details).
    #[cfg(feature = "contacts")]
    Scan {
        /// Read JSON lines {"id", "text"} and write {"id", "findings"} lines.
        #[arg(long)]
        jsonl: bool,
        /// Apply this site's policy (e.g. www.upwork.com).
        #[arg(long)]
        site: Option<String>,
    },
    /// Evaluate the contact detector on a labeled JSON-lines corpus.
    #[cfg(feature = "contacts")]
    EvalContacts {
        /// Corpus file: {"id", "text", "positive", "kinds"} per line.
        file: PathBuf,
    },
}

#[derive(Subcommand)]
enum KeyCommand {
    /// Print a key's name, key id and safety number.
    Show {
        #[command(flatten)]
        key: OneKey,
        /// Also draw the key code as a QR code in the terminal.
        #[arg(long)]
        qr: bool,
        /// Write the key code's QR code as SVG to this file.
        #[arg(long)]
        svg: Option<PathBuf>,
    },
}

#[derive(Args)]
#[group(required = true, multiple = false)]
struct OneKey {
    /// The key code.
    #[arg(long)]
    key: Option<String>,
    /// A file holding the key code.
    #[arg(long)]
    key_file: Option<PathBuf>,
}

#[derive(Args)]
#[group(required = true, multiple = true)]
struct ManyKeys {
    /// A key code (repeat for several keys).
    #[arg(long)]
    key: Vec<String>,
    /// A file holding one or more key codes (repeatable).
    #[arg(long)]
    key_file: Vec<PathBuf>,
}

/// A failure to report on stderr, with its exit status.
pub(crate) struct Failure(pub(crate) String);

impl From<chatseal::Error> for Failure {
    fn from(error: chatseal::Error) -> Self {
        Failure(format!("{} ({})", error.message(), error.code()))
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli.command) {
        Ok(code) => code,
        Err(Failure(message)) => {
            eprintln!("chatseal: {message}");
            ExitCode::FAILURE
        }
    }
}

fn run(command: Command) -> Result<ExitCode, Failure> {
    match command {
        Command::Keygen { name } => {
            let key = SecretKey::generate(&mut OsRandom)?;
            emit(&NamedKey::new(key, &name)?.to_key_code())?;
        }
        Command::PassphraseKey { name } => {
            let passphrase = read_stdin()?;
            let key = keys::passphrase_key(passphrase.trim_end_matches(['\r', '\n']))?;
            emit(&NamedKey::new(key, &name)?.to_key_code())?;
        }
        Command::Key {
            command: KeyCommand::Show { key, qr, svg },
        } => {
            let named = one_key(&key)?;
            let code = named.to_key_code();
            emit(&format!(
                "Name:          {}\nKey id:        {}\nSafety number: {}",
                named.name,
                named.key.id(),
                named.key.safety_number()
            ))?;
            if qr {
                emit(&keys::key_code_qr_text(&code)?)?;
            }
            if let Some(path) = svg {
                std::fs::write(&path, keys::key_code_qr_svg(&code)?)
                    .map_err(|e| Failure(format!("cannot write {}: {e}", path.display())))?;
            }
        }
        Command::Encrypt {
            key,
            conversation,
            max_chars,
        } => {
            let named = one_key(&key)?;
            let text = read_stdin()?;
            let text = text.strip_suffix('\n').unwrap_or(&text);
            let text = text.strip_suffix('\r').unwrap_or(text);
            let options = SealOptions {
                metadata: cli_metadata()?,
                conversation: conversation.as_deref(),
                max_chars,
            };
            let blocks = crypto::encrypt(&named.key, text, &options, &mut OsRandom)?;
            emit(&blocks.join("\n\n"))?;
        }
        Command::Decrypt {
            keys,
            conversation,
            json,
        } => {
            let keys = many_keys(&keys)?;
            let text = read_stdin()?;
            return decrypt(&text, &keys, conversation.as_deref(), json);
        }
        Command::EncryptFile {
            key,
            input,
            output,
            force,
        } => files::encrypt_file(&one_key(&key)?.key, &input, &output, force)?,
        Command::DecryptFile {
            keys,
            input,
            output,
            force,
        } => files::decrypt_file(many_keys(&keys)?, &input, &output, force)?,
        #[cfg(feature = "contacts")]
        Command::Scan { jsonl, site } => {
            let input = read_stdin()?;
            emit_raw(&contacts_cmd::scan(&input, jsonl, site.as_deref()).map_err(Failure)?)?;
        }
        #[cfg(feature = "contacts")]
        Command::EvalContacts { file } => {
            emit_raw(&contacts_cmd::eval(&file).map_err(Failure)?)?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// The CLI has no installation to remember: each run is a new sender with a
/// random id, so its counters never collide with another run's.
fn cli_metadata() -> Result<Metadata, Failure> {
    let mut sender_id = [0u8; SENDER_ID_BYTES];
    OsRandom.fill(&mut sender_id)?;
    let created_ms = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64);
    Ok(Metadata {
        sender_id,
        created_ms,
        counter: 0,
    })
}

fn read_stdin() -> Result<String, Failure> {
    let mut input = String::new();
    if io::stdin().is_terminal() {
        eprintln!("chatseal: reading from standard input (end with Ctrl+D)");
    }
    io::stdin()
        .read_to_string(&mut input)
        .map_err(|e| Failure(format!("cannot read standard input: {e}")))?;
    Ok(input)
}

fn read_key_file(path: &PathBuf) -> Result<Vec<NamedKey>, Failure> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| Failure(format!("cannot read key file {}: {e}", path.display())))?;
    let codes = split_key_codes(&text);
    if codes.is_empty() {
        return Err(Failure(format!("{} holds no key code", path.display())));
    }
    codes
        .iter()
        .map(|code| NamedKey::from_key_code(code).map_err(Failure::from))
        .collect()
}

/// Key codes in a file: each starts at "CHATSEAL" (any case) and runs to the next.
fn split_key_codes(text: &str) -> Vec<&str> {
    let upper = text.to_ascii_uppercase();
    let starts: Vec<usize> = upper.match_indices("CHATSEAL").map(|(i, _)| i).collect();
    starts
        .iter()
        .enumerate()
        .map(|(n, &start)| &text[start..starts.get(n + 1).copied().unwrap_or(text.len())])
        .collect()
}

fn one_key(key: &OneKey) -> Result<NamedKey, Failure> {
    match (&key.key, &key.key_file) {
        (Some(code), _) => Ok(NamedKey::from_key_code(code)?),
        (None, Some(path)) => {
            let mut keys = read_key_file(path)?;
            if keys.len() != 1 {
                return Err(Failure(format!(
                    "{} holds {} key codes; this command takes one",
                    path.display(),
                    keys.len()
                )));
            }
            Ok(keys.remove(0))
        }
        (None, None) => Err(Failure("give --key or --key-file".into())),
    }
}

fn many_keys(keys: &ManyKeys) -> Result<Vec<SecretKey>, Failure> {
    let mut all = Vec::new();
    for code in &keys.key {
        all.push(NamedKey::from_key_code(code)?.key);
    }
    for path in &keys.key_file {
        all.extend(read_key_file(path)?.into_iter().map(|named| named.key));
    }
    Ok(all)
}

fn decrypt(
    text: &str,
    keys: &[SecretKey],
    conversation: Option<&str>,
    json: bool,
) -> Result<ExitCode, Failure> {
    let messages = crypto::decrypt_text(text, keys, conversation);
    let mut seen = HashSet::new();
    let mut failures = 0;
    // (span, replacement): the first block of a message shows it, the other
    // parts' blocks disappear.
    let mut replacements: Vec<((usize, usize), String)> = Vec::new();
    let mut stdout = io::stdout().lock();
    for message in &messages {
        // The same sender and counter twice means a block was replayed.
        let result = match &message.result {
            Ok(opened) if !seen.insert((opened.metadata.sender_id, opened.metadata.counter)) => {
                Err(("replayed", "this message appeared before: it was replayed"))
            }
            Ok(opened) => Ok(opened),
            Err(e) => Err((e.code().as_str(), e.message())),
        };
        if result.is_err() {
            failures += 1;
        }
        if json {
            let chars = |byte: usize| text[..byte].chars().count();
            let spans: Vec<_> = message
                .spans
                .iter()
                .map(|&(s, e)| json!([chars(s), chars(e)]))
                .collect();
            let line = match result {
                Ok(opened) => json!({
                    "ok": true,
                    "spans": spans,
                    "text": opened.text.as_str(),
                    "keyId": opened.key_id.to_string(),
                    "senderId": keys::hex(&opened.metadata.sender_id),
                    "createdMs": opened.metadata.created_ms,
                    "counter": opened.metadata.counter,
                    "conversation": opened.conversation.as_str(),
                }),
                Err((code, message)) => json!({
                    "ok": false,
                    "spans": spans,
                    "error": {"code": code, "message": message},
                }),
            };
            writeln!(stdout, "{line}").map_err(write_failure)?;
            continue;
        }
        let shown = match result {
            Ok(opened) => opened.text.to_string(),
            Err((code, message)) => format!("[ChatSeal: cannot decrypt ({code}): {message}]"),
        };
        let mut spans = message.spans.iter();
        if let Some(&first) = spans.next() {
            replacements.push((first, shown));
        }
        replacements.extend(spans.map(|&span| (span, String::new())));
    }
    if !json {
        replacements.sort_unstable_by_key(|&((start, _), _)| start);
        let mut out = String::with_capacity(text.len());
        let mut copied_to = 0;
        for ((start, end), replacement) in replacements {
            out.push_str(&text[copied_to..start]);
            out.push_str(&replacement);
            copied_to = end;
        }
        out.push_str(&text[copied_to..]);
        stdout.write_all(out.as_bytes()).map_err(write_failure)?;
    }
    if failures > 0 {
        eprintln!("chatseal: {failures} message(s) could not be decrypted");
        return Ok(ExitCode::FAILURE);
    }
    Ok(ExitCode::SUCCESS)
}

fn write_failure(e: io::Error) -> Failure {
    Failure(format!("cannot write standard output: {e}"))
}

/// Writes a line to stdout; a closed pipe (`| head`) is not an error.
fn emit(line: &str) -> Result<(), Failure> {
    emit_raw(&format!("{line}\n"))
}

fn emit_raw(text: &str) -> Result<(), Failure> {
    match io::stdout().lock().write_all(text.as_bytes()) {
        Err(e) if e.kind() != io::ErrorKind::BrokenPipe => Err(write_failure(e)),
        _ => Ok(()),
    }
}
