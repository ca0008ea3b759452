//! The sweep's journal (`OUT.journal`): a header line with the sweep's
//! parameters, then one JSON line per finished unit of work, appended as units
//! finish. A sweep killed at any point and resumed loses no finished unit and
//! repeats none: a line cut short by the kill is dropped.
//!
//! One process at a time writes a journal: it holds an exclusive lock
//! (`flock`) on it while the sweep runs, and appends in append mode. A second
//! sweep on the same output is refused (exit 2); a second `--resume` waits
//! for the first to finish, and then finds the work done.
//!
//! What a journal says is checked before it is believed: every line is a unit
//! of this sweep (and shard), with its own cell and seeds, runs that match its
//! seeds, no more violations than runs, and no unit twice.

use crate::output::{self, SweepOutput, UnitResult};
use crate::spec::{parse_shard, SweepSpec};
use anyhow::{bail, Context, Result};
use std::fs::File;
use std::io::Write;
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

/// Why unit line `u` cannot be believed, if it cannot.
fn check_unit(spec: &SweepSpec, shard: Option<(u64, u64)>, u: &UnitResult) -> Option<String> {
    let Some(want) = spec.unit(u.unit) else {
        return Some(format!(
            "unit {} is not a unit of this sweep (it has {} units)",
            u.unit,
            spec.unit_count().map_or_else(|| "too many".into(), |n| n.to_string())
        ));
    };
    if let Some((k, n)) = shard {
        if u.unit % n != k - 1 {
            return Some(format!("unit {} belongs to shard {}/{n}, not to this shard {k}/{n}", u.unit, u.unit % n + 1));
        }
    }
    if u.cell != want.cell || u.seeds != want.seeds {
        return Some(format!(
            "unit {} is cell {} seeds {}..{}, but the line says cell {} seeds {}..{}",
            u.unit, want.cell, want.seeds[0], want.seeds[1], u.cell, u.seeds[0], u.seeds[1]
        ));
    }
    let seeds = want.seeds[1] - want.seeds[0];
    if u.runs != seeds {
        return Some(format!("unit {} has {seeds} seeds, but the line counts {} runs", u.unit, u.runs));
    }
    let ends = u.violations.checked_add(u.step_limit).and_then(|n| n.checked_add(u.dead_ends));
    if ends.is_none_or(|n| n > u.runs) {
        return Some(format!(
            "unit {}: {} violations, {} step limits and {} dead ends are more than its {} runs",
            u.unit, u.violations, u.step_limit, u.dead_ends, u.runs
        ));
    }
    if u.violation_cycles.len() as u64 != u.violations {
        return Some(format!(
            "unit {}: {} violations, but {} violation cycle counts",
            u.unit,
            u.violations,
            u.violation_cycles.len()
        ));
    }
    let finals = u.positive.unwrap_or(0).checked_add(u.negative.unwrap_or(0));
    let condition = !spec.programs.is_empty();
    if finals.is_none_or(|n| n > u.runs) || u.positive.is_some() != condition || u.negative.is_some() != condition {
        return Some(format!("unit {}: positive and negative counts that do not fit its {} runs", u.unit, u.runs));
    }
    if let Some(s) = u.first_witness_seed {
        if s < u.seeds[0] || s >= u.seeds[1] {
            return Some(format!("unit {}: first witness seed {s} is outside its seeds", u.unit));
        }
    }
    match u.first_failing_seed {
        None if u.violations > 0 => {
            Some(format!("unit {}: {} violations but no first failing seed", u.unit, u.violations))
        }
        Some(s) if u.violations == 0 => Some(format!("unit {}: a first failing seed {s} but no violation", u.unit)),
        Some(s) if s < u.seeds[0] || s >= u.seeds[1] => {
            Some(format!("unit {}: first failing seed {s} is outside its seeds {}..{}", u.unit, u.seeds[0], u.seeds[1]))
        }
        _ => None,
    }
}

/// Reads a journal: the units it holds, and the length of its complete lines
/// (a line cut short by a kill is dropped). Every unit line is checked against
/// the header (see the module documentation).
pub fn read_journal(path: &Path, header: &JournalHeader) -> Result<Option<(Vec<UnitResult>, u64)>> {
    let file = path.display().to_string();
    let bytes = sim::files::read_input(path)?;
    let complete = bytes.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
    let text = String::from_utf8_lossy(&bytes[..complete]);
    let mut lines = text.lines();
    let Some(first) = lines.next() else { return Ok(None) };
    let found: JournalHeader = serde_json::from_str(first)
        .map_err(|e| anyhow::anyhow!("{file}:1: not a weaksim sweep journal: {e} (delete it to start over)"))?;
    if found.format != JOURNAL_FORMAT || found.version != header.sweep.format_version() {
        bail!("{file}:1: not a weaksim sweep journal (format '{}' version {})", found.format, found.version);
    }
    if found.sweep != header.sweep || found.shard != header.shard {
        bail!(
            "{file}: the journal is from a different sweep (other variants, models, cores, seeds, scheduler, \
             timing, writes, chunk or shard): rerun that sweep's command with --resume, or delete the journal"
        );
    }
    let shard = match &header.shard {
        Some(s) => Some(parse_shard(s).map_err(|e| anyhow::anyhow!("{file}:1: {e}"))?),
        None => None,
    };
    let mut units: Vec<UnitResult> = Vec::new();
    let mut seen = std::collections::BTreeMap::new();
    for (i, line) in lines.enumerate() {
        let at = i + 2;
        let u: UnitResult = serde_json::from_str(line).map_err(|e| {
            anyhow::anyhow!("{file}:{at}: a corrupt journal line: {e} (delete the journal to start over)")
        })?;
        if let Some(why) = check_unit(&header.sweep, shard, &u) {
            bail!("{file}:{at}: a journal line that cannot be right: {why} (delete the journal to start over)");
        }
        if let Some(before) = seen.insert(u.unit, at) {
            bail!(
                "{file}:{at}: unit {} is already on line {before} (two sweeps wrote this journal at once?); \
                 delete the journal to start over",
                u.unit
            );
        }
        units.push(u);
    }
    Ok(Some((units, complete as u64)))
}

/// An exclusive lock on an open file: `Ok(false)` when another process holds one.
#[cfg(unix)]
fn lock(f: &File, wait: bool) -> std::io::Result<bool> {
    use std::os::unix::io::AsRawFd;
    let op = libc::LOCK_EX | if wait { 0 } else { libc::LOCK_NB };
    loop {
        // SAFETY: flock on a file descriptor this `File` owns.
        if unsafe { libc::flock(f.as_raw_fd(), op) } == 0 {
            return Ok(true);
        }
        let e = std::io::Error::last_os_error();
        match e.raw_os_error() {
            Some(libc::EINTR) => continue,
            Some(libc::EWOULDBLOCK) => return Ok(false),
            _ => return Err(e),
        }
    }
}

#[cfg(not(unix))]
fn lock(_: &File, _: bool) -> std::io::Result<bool> {
    Ok(true)
}

/// Whether the open file `f` is still the file at `path` (not removed or replaced).
#[cfg(unix)]
fn still_at(f: &File, path: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (f.metadata(), std::fs::metadata(path)) {
        (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
        _ => false,
    }
}

#[cfg(not(unix))]
fn still_at(_: &File, path: &Path) -> bool {
    path.exists()
}

/// A journal open for appending, locked by this process until dropped.
pub struct Journal {
    pub file: File,
    /// The units already done (from a resumed journal).
    pub done: Vec<UnitResult>,
}

/// What opening a journal found.
pub enum Opened {
    /// Locked, ready to append: a fresh journal, or the one to continue.
    Journal(Journal),
    /// `--resume` found no journal and the output already complete: another
    /// process finished the sweep (perhaps while this one waited for its lock).
    AlreadyDone(SweepOutput),
}

/// Whether `out` holds this sweep's complete results.
fn finished_output(out: &Path, header: &JournalHeader) -> Option<SweepOutput> {
    let o = output::read_output(out).ok()?;
    (o.sweep == header.sweep && o.complete && (o.shard.is_none() || o.shard == header.shard)).then_some(o)
}

/// Opens and locks the journal of the sweep writing `out`; returns the units
/// already done. Without `resume`, a journal left by an interrupted sweep is
/// refused, unless it holds every unit (the sweep was killed after its work
/// was done, before it removed the journal): then the sweep just finishes.
/// `waiting` is called when `resume` has to wait for another process's lock.
pub fn open_journal(
    out: &Path,
    path: &Path,
    header: &JournalHeader,
    resume: bool,
    waiting: &mut dyn FnMut(),
) -> Result<Opened> {
    let file = path.display().to_string();
    let busy = || {
        anyhow::anyhow!(
            "another weaksim sweep is writing {} (it holds the lock on {file}): wait for it to finish, \
             or rerun with --resume to wait for it and then continue",
            out.display()
        )
    };
    loop {
        let existed = path.exists();
        if !existed && resume {
            if let Some(o) = finished_output(out, header) {
                return Ok(Opened::AlreadyDone(o));
            }
        }
        let mut f = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .read(true)
            .open(path)
            .with_context(|| format!("{file}: cannot write"))?;
        if !lock(&f, false).with_context(|| format!("{file}: cannot lock"))? {
            if !resume {
                return Err(busy());
            }
            waiting();
            lock(&f, true).with_context(|| format!("{file}: cannot lock"))?;
        }
        // The holder of the lock may have finished and removed the journal meanwhile.
        if !still_at(&f, path) {
            continue;
        }
        let (done, keep) = match read_journal(path, header)? {
            Some((units, len)) => (units, len),
            None => (Vec::new(), 0),
        };
        if existed && !resume {
            let all = header.sweep.shard_unit_count(shard_of(header)?);
            if (done.len() as u64) < all {
                bail!(
                    "{file} exists: a sweep writing this output was interrupted. Rerun with --resume to continue it, \
                     or delete {file} to start over"
                );
            }
        }
        // Drop a line cut short by a kill; appends go after the complete ones.
        f.set_len(keep).with_context(|| format!("{file}: cannot write"))?;
        if keep == 0 {
            let mut line = serde_json::to_string(header)?;
            line.push('\n');
            f.write_all(line.as_bytes()).with_context(|| format!("{file}: cannot write"))?;
            f.sync_data().ok();
        }
        return Ok(Opened::Journal(Journal { file: f, done }));
    }
}

fn shard_of(header: &JournalHeader) -> Result<Option<(u64, u64)>> {
    header.shard.as_deref().map(parse_shard).transpose()
}

impl JournalHeader {
    /// The header of the journal of `spec` (shard `k/n`, if one).
    pub fn new(spec: &SweepSpec, shard: Option<String>) -> JournalHeader {
        JournalHeader { format: JOURNAL_FORMAT.into(), version: spec.format_version(), sweep: spec.clone(), shard }
    }
}
