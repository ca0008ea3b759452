//! The sweep's journal (`OUT.journal`): a header line with the sweep's
//! parameters, then one JSON line per finished unit of work, appended as units
//! finish. A sweep killed at any point and resumed loses no finished unit and
//! repeats none: a line cut short by the kill is dropped, a unit is counted once.

use super::cells::{self, SweepSpec, UnitResult};
use anyhow::{bail, Context, Result};
use std::io::{Seek, Write};
use std::path::{Path, PathBuf};

pub const JOURNAL_FORMAT: &str = "weaksim-sweep-journal";

/// The journal beside the output: a header line, then one line per finished unit.
pub fn journal_path(out: &Path) -> PathBuf {
    let mut s = out.as_os_str().to_owned();
    s.push(".journal");
    PathBuf::from(s)
}

#[derive(serde::Serialize, serde::Deserialize, PartialEq, Debug)]
pub struct JournalHeader {
    pub format: String,
    pub version: u32,
    pub sweep: SweepSpec,
    pub shard: Option<String>,
}

/// Reads a journal: the units it holds (first copy of each), and the length of
/// its complete lines (a line cut short by a kill is dropped).
pub fn read_journal(path: &Path, header: &JournalHeader) -> Result<Option<(Vec<UnitResult>, u64)>> {
    let file = path.display().to_string();
    let bytes = std::fs::read(path).with_context(|| format!("cannot read {file}"))?;
    let complete = bytes.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
    let text = String::from_utf8_lossy(&bytes[..complete]);
    let mut lines = text.lines();
    let Some(first) = lines.next() else { return Ok(None) };
    let found: JournalHeader = serde_json::from_str(first)
        .map_err(|e| anyhow::anyhow!("{file}:1: not a weaksim sweep journal: {e} (delete it to start over)"))?;
    if found.format != JOURNAL_FORMAT || found.version != cells::VERSION {
        bail!("{file}:1: not a weaksim sweep journal (format '{}' version {})", found.format, found.version);
    }
    if found.sweep != header.sweep || found.shard != header.shard {
        bail!(
            "{file}: the journal is from a different sweep (other variants, models, cores, seeds, scheduler, \
             timing, writes, chunk or shard): rerun that sweep's command with --resume, or delete the journal"
        );
    }
    let mut units: Vec<UnitResult> = Vec::new();
    let mut seen = std::collections::BTreeSet::new();
    for (i, line) in lines.enumerate() {
        let u: UnitResult = serde_json::from_str(line).map_err(|e| {
            anyhow::anyhow!("{file}:{}: a corrupt journal line: {e} (delete the journal to start over)", i + 2)
        })?;
        if seen.insert(u.unit) {
            units.push(u);
        }
    }
    Ok(Some((units, complete as u64)))
}

/// Opens the journal for appending; returns the units already done.
pub fn open_journal(path: &Path, header: &JournalHeader, resume: bool) -> Result<(std::fs::File, Vec<UnitResult>)> {
    let file = path.display().to_string();
    let mut done = Vec::new();
    let mut keep = 0;
    if path.exists() {
        if !resume {
            bail!(
                "{file} exists: a sweep writing this output was interrupted. Rerun with --resume to continue it, \
                 or delete {file} to start over"
            );
        }
        if let Some((units, len)) = read_journal(path, header)? {
            done = units;
            keep = len;
        }
    }
    let mut f = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .read(true)
        .write(true)
        .open(path)
        .with_context(|| format!("cannot open {file}"))?;
    // Drop a line cut short by a kill, then append after the complete ones.
    f.set_len(keep).with_context(|| format!("cannot write {file}"))?;
    f.seek(std::io::SeekFrom::End(0))?;
    if keep == 0 {
        let mut line = serde_json::to_string(header)?;
        line.push('\n');
        f.write_all(line.as_bytes()).with_context(|| format!("cannot write {file}"))?;
        f.sync_data().ok();
    }
    Ok((f, done))
}
