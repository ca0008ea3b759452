//! Sweep results, shared by `weaksim sweep` and `weaksim merge`: the sweep's
//! parameters, the record of one finished unit of work (a cell's seed chunk,
//! one journal line), per-cell aggregates and the CSV / JSON outputs.
//!
//! A cell's aggregate keeps everything needed to combine it exactly with
//! another part of the same cell (counts, the covered seed ranges, the cycles
//! of every violating run), so shards merge into exactly the output of one
//! process, and the output does not depend on the number of threads.

use anyhow::{bail, Result};
use serde::{Deserialize, Serialize};
use sim::{SchedKind, TimingModel};
use std::path::Path;
use workloads::Variant;

pub const FORMAT: &str = "weaksim-sweep";
pub const VERSION: u32 = 1;

/// Everything that determines a sweep's results (not how it is split or run).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SweepSpec {
    pub workload: Workload,
    /// The variants, in kernel history order (written by their canonical names).
    #[serde(with = "variant_names")]
    pub variants: Vec<Variant>,
    /// Names in the model registry (`sim::models`; models may be registered at run time).
    pub models: Vec<String>,
    pub cores: Vec<usize>,
    /// Seeds `start..end` (end excluded).
    pub seeds: [u64; 2],
    pub scheduler: SchedKind,
    pub writes: u64,
    pub max_steps: u64,
    /// Seeds per unit of work (a journal line).
    pub chunk: u64,
    /// The timing file as given (for the reproduce commands), if any.
    pub timing_file: Option<String>,
    /// The timing model used by the timed scheduler.
    pub timing: Option<TimingModel>,
}

/// The workloads a sweep can run.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Workload {
    #[serde(rename = "irq_work")]
    IrqWork,
}

impl std::fmt::Display for Workload {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Workload::IrqWork => "irq_work",
        })
    }
}

/// Variants written by their canonical names (`busy-xchg`), as on the command line.
mod variant_names {
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

/// One cell: variant × model × cores.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cell {
    pub variant: Variant,
    pub model: String,
    pub cores: usize,
}

/// A unit of work: one cell's seed chunk.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Unit {
    pub id: u64,
    pub cell: usize,
    pub seeds: [u64; 2],
}

impl SweepSpec {
    pub fn cells(&self) -> Vec<Cell> {
        let mut out = Vec::new();
        for v in &self.variants {
            for m in &self.models {
                for &c in &self.cores {
                    out.push(Cell { variant: *v, model: m.clone(), cores: c });
                }
            }
        }
        out
    }

    /// Seed chunks per cell.
    pub fn chunk_count(&self) -> u64 {
        self.seeds[1].saturating_sub(self.seeds[0]).div_ceil(self.chunk.max(1))
    }

    /// Units of work in the whole sweep (`None`: more than a `u64` counts).
    pub fn unit_count(&self) -> Option<u64> {
        let cells = self.variants.len().checked_mul(self.models.len())?.checked_mul(self.cores.len())?;
        (cells as u64).checked_mul(self.chunk_count())
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
        (0..self.cells().len() as u64)
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

    /// The command that reruns one seed of a cell (and saves its trace).
    pub fn reproduce(&self, cell: &CellResult, seed: u64) -> String {
        let mut s = format!("weaksim run {} --variant {} --cores {}", self.workload, cell.variant, cell.cores);
        if self.writes != 1 {
            s.push_str(&format!(" --writes {}", self.writes));
        }
        s.push_str(&format!(" --model {} --scheduler {}", cell.model, self.scheduler.name()));
        if let Some(f) = &self.timing_file {
            s.push_str(&format!(" --timing {f}"));
        }
        if self.max_steps != super::sweep::DEFAULT_MAX_STEPS {
            s.push_str(&format!(" --max-steps {}", self.max_steps));
        }
        s.push_str(&format!(" --seed {seed} --runs 1 --save-trace lost.json"));
        s
    }
}

/// The result of one unit (one line of the journal).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct UnitResult {
    pub unit: u64,
    pub cell: usize,
    pub seeds: [u64; 2],
    pub runs: u64,
    pub violations: u64,
    pub step_limit: u64,
    pub dead_ends: u64,
    pub steps: u64,
    pub cycles: u64,
    /// Cycles at which each violating run ended, in seed order.
    pub violation_cycles: Vec<u64>,
    pub first_failing_seed: Option<u64>,
}

/// One cell's results (one CSV row).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CellResult {
    pub variant: String,
    pub model: String,
    pub cores: usize,
    pub runs: u64,
    pub violations: u64,
    pub rate: f64,
    pub ci_low: f64,
    pub ci_high: f64,
    pub scheduler: String,
    pub writes: u64,
    pub median_cycles_to_violation: Option<u64>,
    pub p95_cycles_to_violation: Option<u64>,
    /// Mean cycles per run (random scheduler: steps).
    pub mean_cycles: f64,
    pub step_limit: u64,
    pub dead_ends: u64,
    pub first_failing_seed: Option<u64>,
    /// The command that reproduces the first failing seed.
    pub reproduce: Option<String>,
    pub total_steps: u64,
    pub total_cycles: u64,
    /// The seed ranges this result covers (`start..end`, sorted, disjoint).
    pub seed_ranges: Vec<[u64; 2]>,
    /// Cycles of every violating run, ascending.
    pub violation_cycles: Vec<u64>,
}

/// A sweep's output file (JSON; the CSV has the cells' scalar fields).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SweepOutput {
    pub format: String,
    pub version: u32,
    pub sweep: SweepSpec,
    /// `k/n` for one shard's part; absent for a whole sweep (or a complete merge).
    pub shard: Option<String>,
    /// Every cell covers every seed.
    pub complete: bool,
    pub cells: Vec<CellResult>,
}

/// The 95% Wilson score interval of `k` successes in `n` trials.
pub fn wilson(k: u64, n: u64) -> (f64, f64) {
    if n == 0 {
        return (0.0, 1.0);
    }
    const Z: f64 = 1.959_963_984_540_054;
    let (k, n) = (k as f64, n as f64);
    let p = k / n;
    let z2 = Z * Z;
    let denom = 1.0 + z2 / n;
    let center = (p + z2 / (2.0 * n)) / denom;
    let half = Z * (p * (1.0 - p) / n + z2 / (4.0 * n * n)).sqrt() / denom;
    let lo = if k == 0.0 { 0.0 } else { (center - half).max(0.0) };
    let hi = if k == n { 1.0 } else { (center + half).min(1.0) };
    (lo, hi)
}

/// Nearest-rank percentile `p` (0 < p <= 100) of ascending `v`.
pub fn percentile(v: &[u64], p: u64) -> Option<u64> {
    if v.is_empty() {
        return None;
    }
    let rank = (p as usize * v.len()).div_ceil(100).max(1);
    Some(v[rank - 1])
}

/// Merges sorted disjoint ranges with `more`; fails on an overlap.
fn union_ranges(a: &[[u64; 2]], more: &[[u64; 2]]) -> Result<Vec<[u64; 2]>, [u64; 2]> {
    let mut all: Vec<[u64; 2]> = a.iter().chain(more).copied().filter(|r| r[0] < r[1]).collect();
    all.sort_unstable();
    let mut out: Vec<[u64; 2]> = Vec::new();
    for r in all {
        match out.last_mut() {
            Some(l) if r[0] < l[1] => return Err([r[0], r[1].min(l[1])]),
            Some(l) if r[0] == l[1] => l[1] = r[1],
            _ => out.push(r),
        }
    }
    Ok(out)
}

impl CellResult {
    pub fn empty(spec: &SweepSpec, cell: &Cell) -> CellResult {
        CellResult::blank(cell.variant.name(), &cell.model, cell.cores, spec.scheduler.name(), spec.writes)
    }

    fn blank(variant: &str, model: &str, cores: usize, scheduler: &str, writes: u64) -> CellResult {
        CellResult {
            variant: variant.into(),
            model: model.into(),
            cores,
            runs: 0,
            violations: 0,
            rate: 0.0,
            ci_low: 0.0,
            ci_high: 1.0,
            scheduler: scheduler.into(),
            writes,
            median_cycles_to_violation: None,
            p95_cycles_to_violation: None,
            mean_cycles: 0.0,
            step_limit: 0,
            dead_ends: 0,
            first_failing_seed: None,
            reproduce: None,
            total_steps: 0,
            total_cycles: 0,
            seed_ranges: Vec::new(),
            violation_cycles: Vec::new(),
        }
    }

    /// Adds another part of the same cell (a unit, a shard's part); fails when
    /// the two cover a seed twice.
    pub fn absorb(&mut self, o: &CellResult) -> Result<()> {
        self.seed_ranges = union_ranges(&self.seed_ranges, &o.seed_ranges).map_err(|r| {
            anyhow::anyhow!(
                "{} {} {} cores: seeds {}..{} are covered twice (the same shard given twice?)",
                self.variant,
                self.model,
                self.cores,
                r[0],
                r[1]
            )
        })?;
        self.runs += o.runs;
        self.violations += o.violations;
        self.step_limit += o.step_limit;
        self.dead_ends += o.dead_ends;
        self.total_steps += o.total_steps;
        self.total_cycles += o.total_cycles;
        self.violation_cycles.extend_from_slice(&o.violation_cycles);
        self.first_failing_seed = match (self.first_failing_seed, o.first_failing_seed) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        Ok(())
    }

    pub fn absorb_unit(&mut self, u: &UnitResult) -> Result<()> {
        let part = CellResult {
            runs: u.runs,
            violations: u.violations,
            step_limit: u.step_limit,
            dead_ends: u.dead_ends,
            total_steps: u.steps,
            total_cycles: u.cycles,
            first_failing_seed: u.first_failing_seed,
            seed_ranges: vec![u.seeds],
            violation_cycles: u.violation_cycles.clone(),
            ..CellResult::blank(&self.variant, &self.model, self.cores, &self.scheduler, self.writes)
        };
        self.absorb(&part)
    }

    /// Recomputes the derived fields (rate, interval, percentiles, reproduce).
    pub fn finish(&mut self, spec: &SweepSpec) {
        self.violation_cycles.sort_unstable();
        self.rate = if self.runs == 0 { 0.0 } else { self.violations as f64 / self.runs as f64 };
        (self.ci_low, self.ci_high) = wilson(self.violations, self.runs);
        self.median_cycles_to_violation = percentile(&self.violation_cycles, 50);
        self.p95_cycles_to_violation = percentile(&self.violation_cycles, 95);
        self.mean_cycles = if self.runs == 0 { 0.0 } else { self.total_cycles as f64 / self.runs as f64 };
        self.reproduce = self.first_failing_seed.map(|s| spec.reproduce(self, s));
    }
}

/// The output of `units` (any order; duplicates are an error) under `spec`.
pub fn assemble(spec: &SweepSpec, shard: Option<String>, parts: &[CellResult]) -> Result<SweepOutput> {
    let cells = spec.cells();
    let mut acc: Vec<CellResult> = cells.iter().map(|c| CellResult::empty(spec, c)).collect();
    for p in parts {
        let Some(i) =
            cells.iter().position(|c| c.variant.name() == p.variant && c.model == p.model && c.cores == p.cores)
        else {
            bail!("{} {} {} cores is not a cell of this sweep", p.variant, p.model, p.cores);
        };
        acc[i].absorb(p)?;
    }
    let whole = [spec.seeds];
    let empty = spec.seeds[0] >= spec.seeds[1];
    let complete = acc.iter().all(|c| if empty { c.seed_ranges.is_empty() } else { c.seed_ranges == whole });
    let mut out = Vec::new();
    for mut c in acc {
        if c.seed_ranges.is_empty() && !empty {
            continue;
        }
        c.finish(spec);
        out.push(c);
    }
    Ok(SweepOutput {
        format: FORMAT.into(),
        version: VERSION,
        sweep: spec.clone(),
        shard: if complete { None } else { shard },
        complete,
        cells: out,
    })
}

/// The parts of cells that a list of unit results make.
pub fn unit_parts(spec: &SweepSpec, units: &[UnitResult]) -> Result<Vec<CellResult>> {
    let cells = spec.cells();
    units
        .iter()
        .map(|u| {
            let Some(cell) = cells.get(u.cell) else {
                bail!("unit {} names cell {}, which does not exist", u.unit, u.cell)
            };
            let mut c = CellResult::empty(spec, cell);
            c.absorb_unit(u)?;
            Ok(c)
        })
        .collect()
}

/// What is missing from an incomplete output, in words.
pub fn missing(o: &SweepOutput) -> Vec<String> {
    let mut out = Vec::new();
    for cell in o.sweep.cells() {
        let have = o
            .cells
            .iter()
            .find(|c| c.variant == cell.variant.name() && c.model == cell.model && c.cores == cell.cores)
            .map(|c| c.seed_ranges.clone())
            .unwrap_or_default();
        let mut at = o.sweep.seeds[0];
        let mut gaps = Vec::new();
        for r in have.iter().chain(std::iter::once(&[o.sweep.seeds[1], o.sweep.seeds[1]])) {
            if r[0] > at {
                gaps.push(format!("{at}..{}", r[0]));
            }
            at = at.max(r[1]);
        }
        if !gaps.is_empty() {
            out.push(format!("{} {} {} cores: seeds {}", cell.variant, cell.model, cell.cores, gaps.join(", ")));
        }
    }
    out
}

/// One row of the CSV: a cell's scalar fields, in column order (the header is
/// the field names).
#[derive(Serialize)]
struct CsvRow<'a> {
    variant: &'a str,
    model: &'a str,
    cores: usize,
    runs: u64,
    violations: u64,
    #[serde(serialize_with = "decimal")]
    rate: f64,
    #[serde(serialize_with = "decimal")]
    ci_low: f64,
    #[serde(serialize_with = "decimal")]
    ci_high: f64,
    scheduler: &'a str,
    writes: u64,
    median_cycles_to_violation: Option<u64>,
    p95_cycles_to_violation: Option<u64>,
    #[serde(serialize_with = "decimal")]
    mean_cycles: f64,
    step_limit: u64,
    dead_ends: u64,
    first_failing_seed: Option<u64>,
    reproduce: Option<&'a str>,
}

/// A number as Rust prints it (`0`, `0.00615`: shortest, never an exponent).
fn decimal<S: serde::Serializer>(x: &f64, s: S) -> std::result::Result<S::Ok, S::Error> {
    s.collect_str(x)
}

/// CSV (the `csv` crate; fields quoted only when they hold a comma, a quote
/// or a line break): the first columns are
/// `variant,model,cores,runs,violations,rate,ci_low,ci_high`.
pub fn to_csv(o: &SweepOutput) -> String {
    let mut w = csv::Writer::from_writer(Vec::new());
    for c in &o.cells {
        let row = CsvRow {
            variant: &c.variant,
            model: &c.model,
            cores: c.cores,
            runs: c.runs,
            violations: c.violations,
            rate: c.rate,
            ci_low: c.ci_low,
            ci_high: c.ci_high,
            scheduler: &c.scheduler,
            writes: c.writes,
            median_cycles_to_violation: c.median_cycles_to_violation,
            p95_cycles_to_violation: c.p95_cycles_to_violation,
            mean_cycles: c.mean_cycles,
            step_limit: c.step_limit,
            dead_ends: c.dead_ends,
            first_failing_seed: c.first_failing_seed,
            reproduce: c.reproduce.as_deref(),
        };
        w.serialize(row).expect("a CSV row always serialises into memory");
    }
    if o.cells.is_empty() {
        // The header alone: csv writes it with the first row.
        return CSV_HEADER.to_string();
    }
    let bytes = w.into_inner().expect("writing into memory cannot fail");
    String::from_utf8(bytes).expect("the fields are UTF-8")
}

const CSV_HEADER: &str = "variant,model,cores,runs,violations,rate,ci_low,ci_high,scheduler,writes,\
median_cycles_to_violation,p95_cycles_to_violation,mean_cycles,step_limit,dead_ends,first_failing_seed,reproduce\n";

pub fn to_json(o: &SweepOutput) -> String {
    let mut s = serde_json::to_string_pretty(o).expect("a sweep output always serialises");
    s.push('\n');
    s
}

/// Whether `path` names a CSV (else JSON); other extensions are refused.
pub fn out_kind(path: &Path) -> Result<bool> {
    match path.extension().and_then(|e| e.to_str()).map(|e| e.to_ascii_lowercase()).as_deref() {
        Some("csv") => Ok(true),
        Some("json") => Ok(false),
        _ => bail!("--out {}: expected a .csv or .json file", path.display()),
    }
}

/// Writes the output as CSV or JSON, by the file's extension (atomically).
pub fn write_output(path: &Path, o: &SweepOutput) -> Result<()> {
    let text = if out_kind(path)? { to_csv(o) } else { to_json(o) };
    super::write_atomic(path, &text)
}

/// Reads a sweep's JSON output (a shard's or a whole sweep's).
pub fn read_output(path: &Path) -> Result<SweepOutput> {
    let file = path.display().to_string();
    if path.extension().and_then(|e| e.to_str()).map(|e| e.eq_ignore_ascii_case("csv")).unwrap_or(false) {
        bail!("{file}: merge reads the shards' JSON outputs (run the shards with --out NAME.json): a CSV lacks the seed ranges and per-run cycles needed to combine cells exactly");
    }
    let text = super::read_text(path)?;
    let v: serde_json::Value = serde_json::from_str(&text)
        .map_err(|e| anyhow::anyhow!("{file}:{}:{}: not a weaksim sweep output: {e}", e.line(), e.column()))?;
    let found = v.get("format").and_then(|f| f.as_str()).unwrap_or("");
    let version = v.get("version").and_then(|f| f.as_u64()).unwrap_or(0);
    if found != FORMAT || version != VERSION as u64 {
        bail!("{file}: not a weaksim sweep output (format '{found}' version {version}; expected {FORMAT} version {VERSION})");
    }
    let o: SweepOutput =
        serde_json::from_value(v).map_err(|e| anyhow::anyhow!("{file}: malformed sweep output: {e}"))?;
    if let Some(why) = check_output(&o) {
        bail!("{file}: a sweep output that cannot be right: {why}");
    }
    Ok(o)
}

/// Why a sweep output read from a file cannot be believed, if it cannot: its
/// counts must agree with its seed ranges, and the ranges with its sweep.
fn check_output(o: &SweepOutput) -> Option<String> {
    let s = &o.sweep;
    if s.seeds[0] >= s.seeds[1] || s.chunk == 0 || s.unit_count().is_none() {
        return Some(format!("its sweep has seeds {}..{} in chunks of {}", s.seeds[0], s.seeds[1], s.chunk));
    }
    if let Some(sh) = &o.shard {
        if sh != "merged" {
            if let Err(e) = super::sweep::parse_shard(sh) {
                return Some(format!("shard: {e}"));
            }
        }
    }
    for c in &o.cells {
        let name = format!("{} {} {} cores", c.variant, c.model, c.cores);
        let mut covered: u64 = 0;
        let mut at = s.seeds[0];
        for r in &c.seed_ranges {
            if r[0] < at || r[1] <= r[0] || r[1] > s.seeds[1] {
                return Some(format!(
                    "{name}: seed range {}..{} is out of order or outside the sweep's seeds {}..{}",
                    r[0], r[1], s.seeds[0], s.seeds[1]
                ));
            }
            covered += r[1] - r[0];
            at = r[1];
        }
        if c.runs != covered {
            return Some(format!("{name}: {} runs, but its seed ranges hold {covered} seeds", c.runs));
        }
        let ends = c.violations.checked_add(c.step_limit).and_then(|n| n.checked_add(c.dead_ends));
        if ends.is_none_or(|n| n > c.runs) {
            return Some(format!(
                "{name}: {} violations, {} step limits and {} dead ends are more than its {} runs",
                c.violations, c.step_limit, c.dead_ends, c.runs
            ));
        }
        if c.violation_cycles.len() as u64 != c.violations {
            return Some(format!(
                "{name}: {} violations, but {} violation cycle counts",
                c.violations,
                c.violation_cycles.len()
            ));
        }
        let in_ranges = |x: u64| c.seed_ranges.iter().any(|r| r[0] <= x && x < r[1]);
        match c.first_failing_seed {
            None if c.violations > 0 => {
                return Some(format!("{name}: {} violations but no first failing seed", c.violations))
            }
            Some(x) if c.violations == 0 || !in_ranges(x) => {
                return Some(format!("{name}: first failing seed {x} is not one of its failing seeds"))
            }
            _ => {}
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wilson_interval() {
        let check = |k, n, lo: f64, hi: f64| {
            let (l, h) = wilson(k, n);
            assert!((l - lo).abs() < 1e-4 && (h - hi).abs() < 1e-4, "{k}/{n}: ({l}, {h}) want ({lo}, {hi})");
        };
        check(0, 10, 0.0, 0.2775);
        check(10, 10, 0.7225, 1.0);
        check(5, 10, 0.2366, 0.7634);
        check(1, 1000, 0.0002, 0.0056);
        assert_eq!(wilson(0, 0), (0.0, 1.0));
    }

    #[test]
    fn percentiles() {
        assert_eq!(percentile(&[], 50), None);
        assert_eq!(percentile(&[7], 95), Some(7));
        let v: Vec<u64> = (1..=100).collect();
        assert_eq!(percentile(&v, 50), Some(50));
        assert_eq!(percentile(&v, 95), Some(95));
        assert_eq!(percentile(&[1, 2, 3, 4], 50), Some(2));
    }

    #[test]
    fn ranges() {
        assert_eq!(union_ranges(&[[0, 5]], &[[5, 9], [12, 20]]), Ok(vec![[0, 9], [12, 20]]));
        assert_eq!(union_ranges(&[[0, 5]], &[[4, 9]]), Err([4, 5]));
        assert_eq!(union_ranges(&[], &[[3, 3]]), Ok(vec![]));
    }

    fn spec() -> SweepSpec {
        SweepSpec {
            workload: Workload::IrqWork,
            variants: vec![Variant::V36, Variant::BusyXchg],
            models: vec!["arm".into()],
            cores: vec![2],
            seeds: [0, 20000],
            scheduler: SchedKind::Timed,
            writes: 3,
            max_steps: super::super::sweep::DEFAULT_MAX_STEPS,
            chunk: 1250,
            timing_file: None,
            timing: None,
        }
    }

    /// The CSV, byte for byte. Since it went through the `csv` crate (it was a
    /// format string before), one thing changed on purpose: a field with a
    /// space but no comma, quote or line break (the reproduce command) is no
    /// longer quoted. Numbers are as before (`0`, not `0.0`).
    #[test]
    fn csv_bytes() {
        let spec = spec();
        let mut a = CellResult::empty(&spec, &spec.cells()[0]);
        a.runs = 20000;
        a.violations = 123;
        a.seed_ranges = vec![[0, 20000]];
        a.violation_cycles = vec![1431; 123];
        a.total_cycles = 34809505;
        a.first_failing_seed = Some(43);
        a.finish(&spec);
        let mut b = CellResult::empty(&spec, &spec.cells()[1]);
        b.runs = 20000;
        b.seed_ranges = vec![[0, 20000]];
        b.model = "a,\"b".into();
        b.finish(&spec);
        let o = SweepOutput {
            format: FORMAT.into(),
            version: VERSION,
            sweep: spec.clone(),
            shard: None,
            complete: true,
            cells: vec![a, b],
        };
        assert_eq!(
            to_csv(&o),
            "variant,model,cores,runs,violations,rate,ci_low,ci_high,scheduler,writes,median_cycles_to_violation,p95_cycles_to_violation,mean_cycles,step_limit,dead_ends,first_failing_seed,reproduce\n\
             v3.6,arm,2,20000,123,0.00615,0.00515729274556348,0.007332381267051059,timed,3,1431,1431,1740.47525,0,0,43,weaksim run irq_work --variant v3.6 --cores 2 --writes 3 --model arm --scheduler timed --seed 43 --runs 1 --save-trace lost.json\n\
             busy-xchg,\"a,\"\"b\",2,20000,0,0,0,0.00019203605610462553,timed,3,,,0,0,0,,\n"
        );
        // No cells: the header alone, the same header.
        let empty = SweepOutput { cells: Vec::new(), ..o };
        assert_eq!(to_csv(&empty), CSV_HEADER);
        assert!(to_csv(&SweepOutput { cells: vec![CellResult::empty(&spec, &spec.cells()[0])], ..empty })
            .starts_with(CSV_HEADER));
    }

    /// The spec's JSON is as it was when its fields were strings.
    #[test]
    fn spec_json_keeps_its_spelling() {
        let j = serde_json::to_value(spec()).unwrap();
        assert_eq!(j["workload"], "irq_work");
        assert_eq!(j["variants"], serde_json::json!(["v3.6", "busy-xchg"]));
        assert_eq!(j["scheduler"], "timed");
        let back: SweepSpec = serde_json::from_value(j.clone()).unwrap();
        assert_eq!(back, spec());
        let mut bad = j;
        bad["variants"] = serde_json::json!(["v9"]);
        let e = serde_json::from_value::<SweepSpec>(bad).unwrap_err().to_string();
        assert!(e.contains("unknown variant 'v9'"), "{e}");
    }
}
