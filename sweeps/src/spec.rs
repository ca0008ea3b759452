//! What a sweep is: its parameters ([`SweepSpec`]), its cells (subject ×
//! model × cores × timing-grid point) and its units of work (one cell's chunk
//! of seeds), dealt round robin to shards.

use crate::grid::{self, Params, Vary};
use anyhow::{bail, Result};
use serde::{Deserialize, Serialize};
use sim::{Model, SchedKind, TimingModel};
use workloads::Variant;

/// The step bound of one run unless a sweep says otherwise.
pub const DEFAULT_MAX_STEPS: u64 = 100_000;

/// Everything that determines a sweep's results (not how it is split or run).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SweepSpec {
    pub workload: Workload,
    /// The variants, in kernel history order (written by their canonical names); irq_work only.
    #[serde(with = "variant_names")]
    pub variants: Vec<Variant>,
    /// Models of the registry (`sim::models`), in its order.
    pub models: Vec<Model>,
    /// Core counts (irq_work); empty for program files, whose cores are their own.
    pub cores: Vec<usize>,
    /// The program files (`--programs`), in the order given.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub programs: Vec<ProgramFile>,
    /// Seeds `start..end` (end excluded).
    pub seeds: [u64; 2],
    pub scheduler: SchedKind,
    pub writes: u64,
    pub max_steps: u64,
    /// Seeds per unit of work (a journal line).
    pub chunk: u64,
    /// The timing file as given (for the reproduce commands), if any.
    pub timing_file: Option<String>,
    /// The timing model used by the timed scheduler (a grid's base model).
    pub timing: Option<TimingModel>,
    /// Timing fields varied over (their cross product; the first varies slowest).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub grid: Vec<Vary>,
}

/// The workloads a sweep can run.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Workload {
    /// irq_work's lost work, over variants and core counts.
    #[serde(rename = "irq_work")]
    IrqWork,
    /// Program files' conditions, counted as litmus7 does.
    #[serde(rename = "programs")]
    Programs,
}

impl std::fmt::Display for Workload {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Workload::IrqWork => "irq_work",
            Workload::Programs => "programs",
        })
    }
}

/// A program file of a sweep: where it is, and what it held when the sweep
/// began (a resume or a merge with an edited file is refused).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProgramFile {
    /// The path as given.
    pub path: String,
    /// The program's name (a litmus test's name).
    pub name: String,
    /// Its cores.
    pub cores: usize,
    /// xxh3 of the file's text, in hex.
    pub hash: String,
}

impl ProgramFile {
    /// Reads and checks a program file (it must load under every model of the sweep).
    pub fn load(path: &str, models: &[Model]) -> Result<ProgramFile> {
        let p = std::path::Path::new(path);
        let text = crate::programs::read_program_text(p)?;
        let mut first = None;
        for m in models {
            let prog = crate::programs::parse_program(p, &text, m.info().c_mapping)?;
            first.get_or_insert(prog);
        }
        let prog = match first {
            Some(p) => p,
            None => crate::programs::parse_program(p, &text, isa::litmus::c::Mapping::X86)?,
        };
        Ok(ProgramFile {
            path: path.to_string(),
            name: prog.name.clone(),
            cores: prog.cores.len(),
            hash: hash_text(&text),
        })
    }

    /// The program under `model` (its C mapping), checked against the text the sweep began with.
    pub fn program(&self, model: &Model) -> Result<isa::Program> {
        let p = std::path::Path::new(&self.path);
        let text = crate::programs::read_program_text(p)?;
        if hash_text(&text) != self.hash {
            bail!("{}: the file changed since this sweep began (its results would mix two programs)", self.path);
        }
        crate::programs::parse_program(p, &text, model.info().c_mapping)
    }
}

fn hash_text(text: &str) -> String {
    format!("{:016x}", xxhash_rust::xxh3::xxh3_64(text.as_bytes()))
}

/// Variants written by their canonical names (`busy-xchg`), as on the command line.
pub(crate) mod variant_names {
    use serde::{de::Error, Deserialize, Deserializer, Serializer};
    use workloads::Variant;

    pub fn serialize<S: Serializer>(v: &[Variant], s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(v.iter().map(|v| v.name()))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<Variant>, D::Error> {
        let names = Vec::<String>::deserialize(d)?;
        names.iter().map(|n| n.parse().map_err(D::Error::custom)).collect()
    }
}

/// What a cell runs: an irq_work variant or one of the sweep's program files.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Subject {
    IrqWork(Variant),
    /// Index into [`SweepSpec::programs`].
    Program(usize),
}

/// One cell: subject × model × cores × grid point.
#[derive(Clone, Debug, PartialEq)]
pub struct Cell {
    pub subject: Subject,
    pub model: Model,
    pub cores: usize,
    /// The grid point's values (empty without a grid).
    pub params: Params,
}

/// A unit of work: one cell's seed chunk.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Unit {
    pub id: u64,
    pub cell: usize,
    pub seeds: [u64; 2],
}

impl SweepSpec {
    /// The grid's points (one empty point without a grid).
    pub fn points(&self) -> Vec<Params> {
        grid::points(&self.grid)
    }

    /// The cells, in output order: subject, model, cores, grid point (the last varying fastest).
    pub fn cells(&self) -> Vec<Cell> {
        let points = self.points();
        let mut subjects: Vec<(Subject, Vec<usize>)> = Vec::new();
        match self.workload {
            Workload::IrqWork => {
                subjects.extend(self.variants.iter().map(|v| (Subject::IrqWork(*v), self.cores.clone())))
            }
            Workload::Programs => {
                subjects.extend(self.programs.iter().enumerate().map(|(i, p)| (Subject::Program(i), vec![p.cores])))
            }
        }
        let mut out = Vec::new();
        for (s, cores) in &subjects {
            for m in &self.models {
                for &c in cores {
                    for p in &points {
                        out.push(Cell { subject: *s, model: m.clone(), cores: c, params: p.clone() });
                    }
                }
            }
        }
        out
    }

    /// How many cells (`None`: more than a `u64` counts).
    pub fn cell_count(&self) -> Option<u64> {
        let subjects = match self.workload {
            Workload::IrqWork => self.variants.len().checked_mul(self.cores.len())?,
            Workload::Programs => self.programs.len(),
        };
        let n = subjects.checked_mul(self.models.len())?.checked_mul(grid::point_count(&self.grid)?)?;
        Some(n as u64)
    }

    /// Seed chunks per cell.
    pub fn chunk_count(&self) -> u64 {
        self.seeds[1].saturating_sub(self.seeds[0]).div_ceil(self.chunk.max(1))
    }

    /// Units of work in the whole sweep (`None`: more than a `u64` counts).
    pub fn unit_count(&self) -> Option<u64> {
        self.cell_count()?.checked_mul(self.chunk_count())
    }

    /// Unit `id` (cell-major: a cell's chunks in seed order, then the next
    /// cell's), computed rather than listed, so a sweep over a huge seed range
    /// costs nothing up front.
    pub fn unit(&self, id: u64) -> Option<Unit> {
        if id >= self.unit_count()? {
            return None;
        }
        let chunks = self.chunk_count();
        let step = self.chunk.max(1);
        let (cell, k) = (id / chunks, id % chunks);
        let start = self.seeds[0] + k * step;
        let end = start.saturating_add(step).min(self.seeds[1]);
        Some(Unit { id, cell: cell as usize, seeds: [start, end] })
    }

    /// The ids of the units of shard `k` of `n` (1-based): every n-th unit, so
    /// each shard gets a share of every cell's seeds. Lazy.
    pub fn shard_unit_ids(&self, shard: Option<(u64, u64)>) -> impl Iterator<Item = u64> {
        let (k, n) = shard.unwrap_or((1, 1));
        let count = self.unit_count().unwrap_or(0);
        let mut next = Some(k - 1).filter(|&i| i < count);
        std::iter::from_fn(move || {
            let id = next?;
            next = id.checked_add(n).filter(|&i| i < count);
            Some(id)
        })
    }

    /// How many units shard `k` of `n` holds among units `lo..hi`.
    fn shard_count_in(shard: Option<(u64, u64)>, lo: u64, hi: u64) -> u64 {
        let (k, n) = shard.unwrap_or((1, 1));
        // Units below `x` that are `k - 1` modulo `n`.
        let below = |x: u64| x / n + u64::from(x % n > k - 1);
        below(hi) - below(lo)
    }

    /// How many units shard `k` of `n` holds (all of them with no shard).
    pub fn shard_unit_count(&self, shard: Option<(u64, u64)>) -> u64 {
        SweepSpec::shard_count_in(shard, 0, self.unit_count().unwrap_or(0))
    }

    /// Per cell: how many of shard `k` of `n`'s units, and how many runs, it holds.
    pub fn shard_cell_work(&self, shard: Option<(u64, u64)>) -> Vec<(u64, u128)> {
        let chunks = self.chunk_count();
        let step = self.chunk.max(1) as u128;
        let n_seeds = self.seeds[1].saturating_sub(self.seeds[0]) as u128;
        (0..self.cell_count().unwrap_or(0))
            .map(|c| {
                let (lo, hi) = (c * chunks, (c + 1) * chunks);
                let units = SweepSpec::shard_count_in(shard, lo, hi);
                let mut runs = units as u128 * step;
                // The last chunk may be short.
                if chunks > 0 && SweepSpec::shard_count_in(shard, hi - 1, hi) == 1 {
                    runs -= chunks as u128 * step - n_seeds;
                }
                (units, runs)
            })
            .collect()
    }

    /// The timing model of each grid point, in [`SweepSpec::points`] order.
    pub fn point_timings(&self) -> Result<Vec<TimingModel>> {
        let base = self.timing.clone().unwrap_or_default();
        self.points().iter().map(|p| grid::apply(&base, p).map_err(anyhow::Error::from)).collect()
    }

    /// The command that reruns one seed of a cell (and saves its trace).
    pub fn reproduce(&self, subject: &Subject, model: &Model, cores: usize, params: &Params, seed: u64) -> String {
        let mut s = match subject {
            Subject::IrqWork(v) => {
                let mut s = format!("weaksim run irq_work --variant {v} --cores {cores}");
                if self.writes != 1 {
                    s.push_str(&format!(" --writes {}", self.writes));
                }
                s
            }
            Subject::Program(i) => {
                format!("weaksim run {}", self.programs.get(*i).map_or("?", |p| p.path.as_str()))
            }
        };
        s.push_str(&format!(" --model {model} --scheduler {}", self.scheduler.name()));
        if let Some(f) = &self.timing_file {
            s.push_str(&format!(" --timing {f}"));
        }
        for (k, v) in &params.0 {
            s.push_str(&format!(" --vary {k}={v}"));
        }
        if self.max_steps != DEFAULT_MAX_STEPS {
            s.push_str(&format!(" --max-steps {}", self.max_steps));
        }
        let save = if matches!(subject, Subject::IrqWork(_)) { "lost.json" } else { "witness.json" };
        s.push_str(&format!(" --seed {seed} --runs 1 --save-trace {save}"));
        s
    }

    /// Checks what a spec read from a file says (its cells can be counted, its grid is valid).
    pub fn check(&self) -> Option<String> {
        if self.seeds[0] >= self.seeds[1] || self.chunk == 0 || self.unit_count().is_none() {
            return Some(format!(
                "its sweep has seeds {}..{} in chunks of {}",
                self.seeds[0], self.seeds[1], self.chunk
            ));
        }
        if let Err(e) = grid::check(&self.timing.clone().unwrap_or_default(), &self.grid) {
            return Some(e.to_string());
        }
        None
    }
}

/// Rust's ranges: `2..8` (2 to 7), `2..=8` (2 to 8); a list `2,4,8`; `4`.
pub fn parse_cores(s: &str) -> Result<Vec<usize>> {
    let bad = || {
        anyhow::anyhow!(
            "--cores {s}: expected a range such as 2..=8 (2 to 8) or 2..8 (2 to 7), or a list such as 2,4,8"
        )
    };
    let mut out = Vec::new();
    for part in s.split(',').map(str::trim) {
        if let Some((a, b)) = part.split_once("..") {
            let (b, inclusive) = match b.strip_prefix('=') {
                Some(b) => (b, true),
                None => (b, false),
            };
            let (a, b): (usize, usize) = (a.trim().parse().map_err(|_| bad())?, b.trim().parse().map_err(|_| bad())?);
            let end = if inclusive { b.saturating_add(1) } else { b };
            if a >= end {
                bail!("--cores {s}: the range {part} is empty");
            }
            out.extend(a..end);
        } else {
            out.push(part.parse().map_err(|_| bad())?);
        }
    }
    let max = workloads::irq_work::MAX_IRQ_WORK_CORES;
    if let Some(c) = out.iter().find(|&&c| c == 0 || c > max) {
        bail!("--cores {s}: {c} cores is out of range (1..={max})");
    }
    out.sort_unstable();
    out.dedup();
    Ok(out)
}

/// Rust's ranges: `A..B` (B excluded) or `A..=B`.
pub fn parse_seeds(s: &str) -> Result<[u64; 2]> {
    let bad = || anyhow::anyhow!("--seeds {s}: expected a range such as 0..1000 (seeds 0 to 999) or 0..=999");
    let (a, b) = s.split_once("..").ok_or_else(bad)?;
    let (b, inclusive) = match b.strip_prefix('=') {
        Some(b) => (b, true),
        None => (b, false),
    };
    let a: u64 = a.trim().parse().map_err(|_| bad())?;
    let b: u64 = b.trim().parse().map_err(|_| bad())?;
    let end = match inclusive {
        // Seeds are u64; the range's end (excluded) must be one too.
        true => b.checked_add(1).ok_or_else(|| {
            anyhow::anyhow!(
                "--seeds {s}: the last seed can be at most {} (a range's end must fit in 64 bits)",
                u64::MAX - 1
            )
        })?,
        false => b,
    };
    if end <= a {
        bail!("--seeds {s}: the range has no seeds");
    }
    Ok([a, end])
}

/// `k/n` with 1 <= k <= n.
pub fn parse_shard(s: &str) -> Result<(u64, u64)> {
    let bad = || anyhow::anyhow!("--shard {s}: expected k/n, such as 1/4 (shards are numbered 1 to n)");
    let (k, n) = s.split_once('/').ok_or_else(bad)?;
    let (k, n): (u64, u64) = (k.trim().parse().map_err(|_| bad())?, n.trim().parse().map_err(|_| bad())?);
    if n == 0 || k == 0 || k > n {
        bail!("--shard {s}: k must be 1..={n} (shards are numbered 1 to n)");
    }
    Ok((k, n))
}

/// `all` (every model with operational semantics) or a list such as `sc,tso`, in the registry's order.
pub fn parse_models(s: &str) -> Result<Vec<Model>> {
    let known = sim::models::operational();
    if s.trim() == "all" {
        return Ok(known);
    }
    let mut out = Vec::new();
    for p in s.split(',').map(str::trim) {
        let m = sim::models::get(p).map_err(|e| anyhow::anyhow!("--models {s}: {e}"))?;
        if !m.is_operational() {
            bail!("--models {s}: {}", sim::ModelError::NoOperational(m.name()));
        }
        out.push(m);
    }
    if out.is_empty() {
        bail!("--models: the list is empty");
    }
    out.sort_by_key(|m| known.iter().position(|k| k == m));
    out.dedup();
    Ok(out)
}

/// `all` or a list such as `racy,fixed`, in kernel history order.
pub fn parse_variants(s: &str) -> Result<Vec<Variant>> {
    if s.trim() == "all" {
        return Ok(Variant::ALL.to_vec());
    }
    let mut out = Vec::new();
    for p in s.split(',').map(str::trim) {
        out.push(p.parse::<Variant>().map_err(|e| anyhow::anyhow!("--variants {s}: {e}"))?);
    }
    if out.is_empty() {
        bail!("--variants: the list is empty");
    }
    out.sort_unstable();
    out.dedup();
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges() {
        assert_eq!(parse_cores("2..4").unwrap(), [2, 3]);
        assert_eq!(parse_cores("2..=4").unwrap(), [2, 3, 4]);
        assert_eq!(parse_cores("8,2,4,2").unwrap(), [2, 4, 8]);
        assert_eq!(parse_cores("3").unwrap(), [3]);
        for bad in ["", "x", "4..2", "3..3", "0", "2..=65", "2..x", "1,,2"] {
            assert!(parse_cores(bad).is_err(), "{bad}");
        }
        assert_eq!(parse_seeds("0..10").unwrap(), [0, 10]);
        assert_eq!(parse_seeds("5..=9").unwrap(), [5, 10]);
        for bad in ["10", "3..3", "5..2", "a..b", "0..=18446744073709551615", "-1..4"] {
            assert!(parse_seeds(bad).is_err(), "{bad}");
        }
        assert_eq!(parse_shard("2/4").unwrap(), (2, 4));
        for bad in ["0/4", "5/4", "1/0", "1", "a/b", "1/4/2"] {
            assert!(parse_shard(bad).is_err(), "{bad}");
        }
    }
}
