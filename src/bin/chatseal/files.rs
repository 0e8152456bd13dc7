//! `encrypt-file` and `decrypt-file`: streamed through the core's chunked
//! format, written to a temporary file that is renamed only on success.

use std::fs::{self, File};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};

use chatseal::file::{FileOpener, FileSealer};
use chatseal::keys::SecretKey;
use chatseal::{OsRandom, RandomSource};

use crate::Failure;

const READ_BYTES: usize = 1024 * 1024;

fn io_failure(what: &str, path: &Path, e: io::Error) -> Failure {
    Failure(format!("cannot {what} {}: {e}", path.display()))
}

/// A temporary file next to where the output goes, removed unless kept.
struct Partial {
    path: PathBuf,
    file: Option<File>,
}

impl Partial {
    fn create(dir: &Path) -> Result<Partial, Failure> {
        let mut suffix = [0u8; 6];
        OsRandom.fill(&mut suffix)?;
        let path = dir.join(format!(
            ".chatseal-partial-{}",
            chatseal::keys::hex(&suffix)
        ));
        let file = File::create_new(&path).map_err(|e| io_failure("create", &path, e))?;
        Ok(Partial {
            path,
            file: Some(file),
        })
    }

    fn write(&mut self, bytes: &[u8]) -> Result<(), Failure> {
        match self.file.as_mut() {
            Some(file) => file
                .write_all(bytes)
                .map_err(|e| io_failure("write", &self.path, e)),
            None => Ok(()),
        }
    }

    /// Moves the finished file to `target`, refusing to replace one unless `force`.
    fn keep(mut self, target: &Path, force: bool) -> Result<(), Failure> {
        if let Some(file) = self.file.take() {
            file.sync_all()
                .map_err(|e| io_failure("write", &self.path, e))?;
        }
        if !force && target.exists() {
            return Err(Failure(format!(
                "{} exists; use --force to overwrite it",
                target.display()
            )));
        }
        fs::rename(&self.path, target).map_err(|e| io_failure("create", target, e))
    }
}

impl Drop for Partial {
    fn drop(&mut self) {
        // Still here: the operation failed or the file was renamed away.
        let _ = fs::remove_file(&self.path);
    }
}

fn output_dir(output: &Path) -> PathBuf {
    if output.is_dir() {
        return output.to_path_buf();
    }
    match output.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

fn check_target(target: &Path, force: bool) -> Result<(), Failure> {
    if !force && target.exists() {
        return Err(Failure(format!(
            "{} exists; use --force to overwrite it",
            target.display()
        )));
    }
    Ok(())
}

/// Only the last component of a name carried inside a file, never a path.
fn safe_file_name(name: &str) -> Option<String> {
    let base = name.rsplit(['/', '\\']).next()?.trim();
    let cleaned: String = base.chars().filter(|c| !c.is_control()).collect();
    if cleaned.is_empty() || cleaned == "." || cleaned == ".." {
        return None;
    }
    Some(cleaned)
}

/// Reads `input` in slices, transforms each and writes the result to `partial`.
fn stream(
    input: &Path,
    partial: &mut Partial,
    mut transform: impl FnMut(&[u8]) -> Result<Vec<u8>, Failure>,
) -> Result<(), Failure> {
    let mut reader = File::open(input).map_err(|e| io_failure("read", input, e))?;
    let mut buffer = vec![0u8; READ_BYTES];
    loop {
        let n = reader
            .read(&mut buffer)
            .map_err(|e| io_failure("read", input, e))?;
        if n == 0 {
            return Ok(());
        }
        partial.write(&transform(&buffer[..n])?)?;
    }
}

pub fn encrypt_file(
    key: &SecretKey,
    input: &Path,
    output: &Path,
    force: bool,
) -> Result<(), Failure> {
    let name = input
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let target = if output.is_dir() {
        output.join(format!("{name}.chatseal"))
    } else {
        output.to_path_buf()
    };
    check_target(&target, force)?;
    let mut sealer = FileSealer::new(key, &name, "", &mut OsRandom)?;
    let mut partial = Partial::create(&output_dir(output))?;
    partial.write(sealer.header())?;
    stream(input, &mut partial, |piece| Ok(sealer.push(piece)?))?;
    partial.write(&sealer.finish()?)?;
    partial.keep(&target, force)
}

pub fn decrypt_file(
    keys: Vec<SecretKey>,
    input: &Path,
    output: &Path,
    force: bool,
) -> Result<(), Failure> {
    if !output.is_dir() {
        check_target(output, force)?;
    }
    let mut opener = FileOpener::new(keys);
    let mut partial = Partial::create(&output_dir(output))?;
    stream(input, &mut partial, |piece| Ok(opener.push(piece)?))?;
    let (tail, info) = opener.finish()?;
    partial.write(&tail)?;
    let target = if output.is_dir() {
        let name = safe_file_name(&info.name).unwrap_or_else(|| "decrypted".to_owned());
        output.join(name)
    } else {
        output.to_path_buf()
    };
    partial.keep(&target, force)?;
    eprintln!("chatseal: decrypted to {}", target.display());
    Ok(())
}
