//! Reading inputs and writing outputs safely.
//!
//! Inputs are read whole, with a size limit ([`DEFAULT_MAX_INPUT`], raised
//! with the `WEAKSIM_MAX_INPUT` environment variable), and only from regular
//! files: a FIFO or a device (`/dev/zero`, a pipe with no writer) could block
//! or grow without end.
//!
//! Outputs replace a regular file atomically (a temporary file beside it, then
//! a rename), follow a symbolic link to the file it names (the link stays), and
//! write straight into a FIFO or a character device (`/dev/null`, a terminal)
//! instead of replacing it with a regular file.

use std::fs::File;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

/// The largest input read by default: 64 MiB.
pub const DEFAULT_MAX_INPUT: u64 = 64 << 20;

/// The environment variable that raises (or lowers) the input limit: bytes,
/// or a number with K, M or G (binary units), such as `256M`.
pub const MAX_INPUT_ENV: &str = "WEAKSIM_MAX_INPUT";

/// Why an input could not be read.
#[derive(Debug, thiserror::Error)]
pub enum InputError {
    /// (The I/O error is part of the message, not a `source`: a printer of
    /// the error chain would otherwise say it twice.)
    #[error("{file}: cannot read: {error}")]
    Io { file: String, error: std::io::Error },
    #[error("{file}: cannot read: it is a folder")]
    Folder { file: String },
    #[error(
        "{file}: cannot read: it is {kind}, not a regular file (weaksim reads its inputs whole; save the data to a file first)"
    )]
    NotAFile { file: String, kind: &'static str },
    #[error("{file}: cannot read: it is larger than the input limit of {} (set {MAX_INPUT_ENV}, such as {MAX_INPUT_ENV}=1G, to raise it)", show_size(*.limit))]
    TooLarge { file: String, limit: u64 },
    #[error("{MAX_INPUT_ENV}={value}: expected a size such as 64M, 1G or 1048576")]
    BadLimit { value: String },
    #[error("{file}:1:1: the file is not valid UTF-8 text")]
    NotUtf8 { file: String },
}

/// `64 MiB`, `512 KiB`, `100 bytes`.
pub fn show_size(n: u64) -> String {
    match n {
        n if n >= 1 << 30 && n % (1 << 30) == 0 => format!("{} GiB", n >> 30),
        n if n >= 1 << 20 && n % (1 << 20) == 0 => format!("{} MiB", n >> 20),
        n if n >= 1 << 10 && n % (1 << 10) == 0 => format!("{} KiB", n >> 10),
        n => format!("{n} bytes"),
    }
}

/// A size: bytes, or a number with K, M or G (binary units; `KiB`, `MB` and
/// the like are read the same way).
pub fn parse_size(s: &str) -> Option<u64> {
    let t = s.trim();
    let digits = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    let (n, unit) = t.split_at(digits);
    let n: u64 = n.parse().ok()?;
    let shift = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 0,
        "k" | "kb" | "kib" => 10,
        "m" | "mb" | "mib" => 20,
        "g" | "gb" | "gib" => 30,
        "t" | "tb" | "tib" => 40,
        _ => return None,
    };
    n.checked_mul(1u64 << shift)
}

/// The input limit in force: `WEAKSIM_MAX_INPUT`, or [`DEFAULT_MAX_INPUT`].
pub fn max_input() -> Result<u64, InputError> {
    match std::env::var(MAX_INPUT_ENV) {
        Ok(v) => parse_size(&v).filter(|&n| n > 0).ok_or(InputError::BadLimit { value: v }),
        Err(std::env::VarError::NotPresent) => Ok(DEFAULT_MAX_INPUT),
        Err(std::env::VarError::NotUnicode(v)) => Err(InputError::BadLimit { value: v.to_string_lossy().into() }),
    }
}

/// What a non-regular file is, in words.
fn kind_of(ft: &std::fs::FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if ft.is_fifo() {
            return "a FIFO (named pipe)";
        }
        if ft.is_char_device() {
            return "a character device";
        }
        if ft.is_block_device() {
            return "a block device";
        }
        if ft.is_socket() {
            return "a socket";
        }
    }
    let _ = ft;
    "not a regular file"
}

/// Reads a whole input file, refusing what is not a regular file and what is
/// larger than the input limit.
pub fn read_input(path: &Path) -> Result<Vec<u8>, InputError> {
    let file = path.display().to_string();
    let limit = max_input()?;
    let io = |error| InputError::Io { file: file.clone(), error };
    // Look before opening: opening a FIFO with no writer blocks.
    let meta = std::fs::metadata(path).map_err(io)?;
    if meta.is_dir() {
        return Err(InputError::Folder { file });
    }
    if !meta.is_file() {
        return Err(InputError::NotAFile { file, kind: kind_of(&meta.file_type()) });
    }
    if meta.len() > limit {
        return Err(InputError::TooLarge { file, limit });
    }
    let f = File::open(path).map_err(io)?;
    // The file may have been swapped for something else since: check what was opened.
    let meta = f.metadata().map_err(io)?;
    if !meta.is_file() {
        return Err(InputError::NotAFile { file, kind: kind_of(&meta.file_type()) });
    }
    let mut out = Vec::with_capacity(meta.len().min(limit) as usize);
    // A file that grows while it is read still stops at the limit.
    f.take(limit + 1).read_to_end(&mut out).map_err(io)?;
    if out.len() as u64 > limit {
        return Err(InputError::TooLarge { file, limit });
    }
    Ok(out)
}

/// Reads a whole input file as UTF-8 text (see [`read_input`]). A byte-order
/// mark at the start is dropped, and old Mac line ends (a lone `\r`) become
/// `\n`, so that positions in messages count lines as an editor does.
pub fn read_text(path: &Path) -> Result<String, InputError> {
    let bytes = read_input(path)?;
    let file = path.display().to_string();
    let mut text = String::from_utf8(bytes).map_err(|_| InputError::NotUtf8 { file })?;
    if text.starts_with('\u{feff}') {
        text.drain(..'\u{feff}'.len_utf8());
    }
    if text.contains('\r') {
        text = normalize_cr(&text);
    }
    Ok(text)
}

/// A lone `\r` (not followed by `\n`) becomes `\n`; byte offsets are unchanged.
fn normalize_cr(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = String::with_capacity(s.len());
    for (i, c) in s.char_indices() {
        if c == '\r' && b.get(i + 1) != Some(&b'\n') {
            out.push('\n');
        } else {
            out.push(c);
        }
    }
    out
}

/// Where writing `path` really goes: the file a symbolic link (or a chain of
/// them) names, which need not exist yet.
pub fn resolve_output(path: &Path) -> std::io::Result<PathBuf> {
    let mut p = path.to_path_buf();
    for _ in 0..40 {
        match std::fs::symlink_metadata(&p) {
            Ok(m) if m.file_type().is_symlink() => {
                let target = std::fs::read_link(&p)?;
                p = match p.parent() {
                    Some(dir) if target.is_relative() => dir.join(target),
                    _ => target,
                };
            }
            _ => return Ok(p),
        }
    }
    Err(std::io::Error::other("too many levels of symbolic links"))
}

/// The temporary file [`write_output`] writes beside `target` before renaming it.
pub fn temp_path(target: &Path) -> PathBuf {
    let dir = target.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let name = target.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_else(|| "out".into());
    dir.join(format!(".{name}.tmp{}", std::process::id()))
}

/// Writes `bytes` to `path`: a regular file (or none yet) is replaced
/// atomically, so a reader (or a kill) finds the old file or the new one,
/// never a torn one; a symbolic link is followed (the link stays, its target
/// is replaced); a FIFO or a device is written into, not replaced. Nothing is
/// left behind when the write fails (a full disk).
pub fn write_output(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let target = resolve_output(path)?;
    match std::fs::metadata(&target) {
        Ok(m) if m.is_dir() => return Err(std::io::Error::other("it is a folder")),
        Ok(m) if !m.is_file() => {
            let mut f = std::fs::OpenOptions::new().write(true).open(&target)?;
            f.write_all(bytes)?;
            return f.flush();
        }
        _ => {}
    }
    let tmp = temp_path(&target);
    let res = (|| {
        let mut f = std::fs::OpenOptions::new().write(true).create(true).truncate(true).open(&tmp)?;
        f.write_all(bytes)?;
        drop(f);
        std::fs::rename(&tmp, &target)
    })();
    if res.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    res
}

/// Whether `a` and `b` name the same existing file (through links, `..` and
/// the like).
pub fn same_file(a: &Path, b: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        match (std::fs::metadata(a), std::fs::metadata(b)) {
            (Ok(x), Ok(y)) => x.dev() == y.dev() && x.ino() == y.ino(),
            _ => false,
        }
    }
    #[cfg(not(unix))]
    {
        match (std::fs::canonicalize(a), std::fs::canonicalize(b)) {
            (Ok(x), Ok(y)) => x == y,
            _ => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes() {
        assert_eq!(parse_size("64M"), Some(64 << 20));
        assert_eq!(parse_size("1g"), Some(1 << 30));
        assert_eq!(parse_size("1 GiB"), Some(1 << 30));
        assert_eq!(parse_size("100"), Some(100));
        for bad in ["", "M", "1X", "-1", "99999999999999999999", "18014398509481984G"] {
            assert_eq!(parse_size(bad), None, "{bad}");
        }
        assert_eq!(show_size(64 << 20), "64 MiB");
        assert_eq!(show_size(1000), "1000 bytes");
    }

    #[test]
    fn lone_cr_becomes_lf() {
        assert_eq!(normalize_cr("a\rb\r\nc\r"), "a\nb\r\nc\n");
    }
}
