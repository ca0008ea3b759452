//! Sweep results: the record of one finished unit of work (a cell's seed
//! chunk, one journal line), per-cell aggregates and the CSV / JSON outputs.
//!
//! A cell's aggregate keeps everything needed to combine it exactly with
//! another part of the same cell (counts, the covered seed ranges, the cycles
//! of every violating run), so shards merge into exactly the output of one
//! process, and the output does not depend on the number of threads.

use crate::grid::Params;
use crate::spec::{parse_shard, Cell, Subject, SweepSpec, Unit, Workload};
use crate::stats::{percentile, union_ranges, wilson};
use anyhow::{bail, Result};
use serde::{Deserialize, Serialize};
use sim::rates::{Counts, Observation};
use sim::{Model, SchedKind};
use std::path::Path;
use workloads::Variant;

pub const FORMAT: &str = "weaksim-sweep";
/// Version 1: irq_work over variants × models × cores. Version 2 adds program
/// files (`programs`, cells with `program`, `positive`, `negative`,
/// `observation`) and timing grids (`grid`, cells with `params`). An output
/// that uses neither is written as version 1, byte for byte as before.
pub const VERSION: u32 = 2;

impl SweepSpec {
    /// The output and journal version this sweep is written with (see [`VERSION`]).
    pub fn format_version(&self) -> u32 {
        if self.programs.is_empty() && self.grid.is_empty() {
            1
        } else {
            VERSION
        }
    }
}

/// The result of one unit (one line of the journal): the unit's
/// [`sim::rates::Counts`], as the journal stores them.
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
    /// Program files: runs whose final state satisfies the condition, and runs whose does not.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub positive: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub negative: Option<u64>,
    /// Program files: the first run worth replaying (see [`Counts::first_witness`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_witness_seed: Option<u64>,
}

impl UnitResult {
    /// The record of unit `u` from its counts; `condition`: the cell counts a program's condition.
    pub fn of(u: &Unit, c: Counts, condition: bool) -> UnitResult {
        UnitResult {
            unit: u.id,
            cell: u.cell,
            seeds: u.seeds,
            runs: c.runs,
            violations: c.violations,
            step_limit: c.step_limit,
            dead_ends: c.dead_ends,
            steps: c.steps,
            cycles: c.cycles,
            violation_cycles: c.violation_cycles,
            first_failing_seed: c.first_violation.map(|f| f.0.seed),
            positive: condition.then_some(c.positive),
            negative: condition.then_some(c.negative),
            first_witness_seed: if condition { c.first_witness.map(|f| f.seed) } else { None },
        }
    }
}

/// One cell's results (one CSV row).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CellResult {
    /// irq_work cells: the variant.
    #[serde(default, skip_serializing_if = "Option::is_none", with = "opt_variant")]
    pub variant: Option<Variant>,
    /// Program cells: the file, as given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub program: Option<String>,
    pub model: Model,
    pub cores: usize,
    /// The timing-grid point (empty without a grid).
    #[serde(default, skip_serializing_if = "Params::is_empty")]
    pub params: Params,
    pub runs: u64,
    /// Runs that ended in an invariant violation (irq_work: lost work).
    pub violations: u64,
    /// Program cells: runs whose final state satisfies the condition's expression ...
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub positive: Option<u64>,
    /// ... and runs whose final state does not.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub negative: Option<u64>,
    /// Program cells: herd's and litmus7's word on the condition.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub observation: Option<Observation>,
    /// What the cell measures ([`CellResult::hits`]) per run.
    pub rate: f64,
    pub ci_low: f64,
    pub ci_high: f64,
    pub scheduler: SchedKind,
    pub writes: u64,
    pub median_cycles_to_violation: Option<u64>,
    pub p95_cycles_to_violation: Option<u64>,
    /// Mean cycles per run (random scheduler: steps).
    pub mean_cycles: f64,
    pub step_limit: u64,
    pub dead_ends: u64,
    pub first_failing_seed: Option<u64>,
    /// Program cells: the first run whose final state is the condition's witness.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_witness_seed: Option<u64>,
    /// The command that reproduces the first failing seed (program cells: the first witness).
    pub reproduce: Option<String>,
    pub total_steps: u64,
    pub total_cycles: u64,
    /// The seed ranges this result covers (`start..end`, sorted, disjoint).
    pub seed_ranges: Vec<[u64; 2]>,
    /// Cycles of every violating run, ascending.
    pub violation_cycles: Vec<u64>,
}

/// A variant written by its canonical name.
mod opt_variant {
    use serde::{de::Error, Deserialize, Deserializer, Serializer};
    use workloads::Variant;

    pub fn serialize<S: Serializer>(v: &Option<Variant>, s: S) -> Result<S::Ok, S::Error> {
        match v {
            Some(v) => s.serialize_str(v.name()),
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Variant>, D::Error> {
        let name = Option::<String>::deserialize(d)?;
        name.map(|n| n.parse().map_err(D::Error::custom)).transpose()
    }
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

impl CellResult {
    pub fn empty(spec: &SweepSpec, cell: &Cell) -> CellResult {
        let (variant, program) = match cell.subject {
            Subject::IrqWork(v) => (Some(v), None),
            Subject::Program(i) => (None, spec.programs.get(i).map(|p| p.path.clone())),
        };
        let condition = program.is_some();
        CellResult {
            variant,
            program,
            model: cell.model.clone(),
            cores: cell.cores,
            params: cell.params.clone(),
            runs: 0,
            violations: 0,
            positive: condition.then_some(0),
            negative: condition.then_some(0),
            observation: None,
            rate: 0.0,
            ci_low: 0.0,
            ci_high: 1.0,
            scheduler: spec.scheduler,
            writes: spec.writes,
            median_cycles_to_violation: None,
            p95_cycles_to_violation: None,
            mean_cycles: 0.0,
            step_limit: 0,
            dead_ends: 0,
            first_failing_seed: None,
            first_witness_seed: None,
            reproduce: None,
            total_steps: 0,
            total_cycles: 0,
            seed_ranges: Vec::new(),
            violation_cycles: Vec::new(),
        }
    }

    /// What the cell counts: runs that lost work (irq_work), or runs whose
    /// final state satisfies the program's condition (litmus7's positive).
    pub fn hits(&self) -> u64 {
        self.positive.unwrap_or(self.violations)
    }

    /// `busy-xchg tso 2 cores drain=300` / `SB.litmus tso`.
    pub fn label(&self) -> String {
        let mut s = match (&self.variant, &self.program) {
            (Some(v), _) => format!("{v} {} {} cores", self.model, self.cores),
            (None, Some(p)) => format!("{p} {}", self.model),
            (None, None) => format!("{} {} cores", self.model, self.cores),
        };
        if !self.params.is_empty() {
            s.push(' ');
            s.push_str(&self.params.words());
        }
        s
    }

    /// Whether this is the result of `cell` of `spec`.
    pub fn is_cell(&self, spec: &SweepSpec, cell: &Cell) -> bool {
        let subject = match cell.subject {
            Subject::IrqWork(v) => self.variant == Some(v) && self.program.is_none(),
            Subject::Program(i) => {
                self.variant.is_none() && self.program.as_deref() == spec.programs.get(i).map(|p| p.path.as_str())
            }
        };
        subject && self.model == cell.model && self.cores == cell.cores && self.params == cell.params
    }

    /// Adds another part of the same cell (a unit, a shard's part); fails when
    /// the two cover a seed twice.
    pub fn absorb(&mut self, o: &CellResult) -> Result<()> {
        self.seed_ranges = union_ranges(&self.seed_ranges, &o.seed_ranges).map_err(|r| {
            anyhow::anyhow!(
                "{}: seeds {}..{} are covered twice (the same shard given twice?)",
                self.label(),
                r[0],
                r[1]
            )
        })?;
        self.runs += o.runs;
        self.violations += o.violations;
        let add = |a: Option<u64>, b: Option<u64>| match (a, b) {
            (None, None) => None,
            (a, b) => Some(a.unwrap_or(0) + b.unwrap_or(0)),
        };
        self.positive = add(self.positive, o.positive);
        self.negative = add(self.negative, o.negative);
        self.step_limit += o.step_limit;
        self.dead_ends += o.dead_ends;
        self.total_steps += o.total_steps;
        self.total_cycles += o.total_cycles;
        self.violation_cycles.extend_from_slice(&o.violation_cycles);
        let min = |a: Option<u64>, b: Option<u64>| match (a, b) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        self.first_failing_seed = min(self.first_failing_seed, o.first_failing_seed);
        self.first_witness_seed = min(self.first_witness_seed, o.first_witness_seed);
        Ok(())
    }

    pub fn absorb_unit(&mut self, u: &UnitResult) -> Result<()> {
        let part = CellResult {
            runs: u.runs,
            violations: u.violations,
            positive: u.positive,
            negative: u.negative,
            step_limit: u.step_limit,
            dead_ends: u.dead_ends,
            total_steps: u.steps,
            total_cycles: u.cycles,
            first_failing_seed: u.first_failing_seed,
            first_witness_seed: u.first_witness_seed,
            seed_ranges: vec![u.seeds],
            violation_cycles: u.violation_cycles.clone(),
            ..self.clone_blank()
        };
        self.absorb(&part)
    }

    fn clone_blank(&self) -> CellResult {
        CellResult {
            runs: 0,
            violations: 0,
            positive: None,
            negative: None,
            observation: None,
            step_limit: 0,
            dead_ends: 0,
            total_steps: 0,
            total_cycles: 0,
            first_failing_seed: None,
            first_witness_seed: None,
            reproduce: None,
            seed_ranges: Vec::new(),
            violation_cycles: Vec::new(),
            ..self.clone()
        }
    }

    /// Recomputes the derived fields (rate, interval, percentiles, observation, reproduce).
    pub fn finish(&mut self, spec: &SweepSpec) {
        self.violation_cycles.sort_unstable();
        let hits = self.hits();
        self.rate = if self.runs == 0 { 0.0 } else { hits as f64 / self.runs as f64 };
        (self.ci_low, self.ci_high) = wilson(hits, self.runs);
        self.median_cycles_to_violation = percentile(&self.violation_cycles, 50);
        self.p95_cycles_to_violation = percentile(&self.violation_cycles, 95);
        self.mean_cycles = if self.runs == 0 { 0.0 } else { self.total_cycles as f64 / self.runs as f64 };
        self.observation = match (self.positive, self.negative) {
            (Some(p), Some(n)) => Some(Observation::of(p, n)),
            _ => None,
        };
        let subject = match (&self.variant, &self.program) {
            (Some(v), _) => Some(Subject::IrqWork(*v)),
            (None, Some(p)) => spec.programs.iter().position(|f| &f.path == p).map(Subject::Program),
            _ => None,
        };
        let seed = if self.program.is_some() { self.first_witness_seed } else { self.first_failing_seed };
        self.reproduce = match (subject, seed) {
            (Some(s), Some(seed)) => Some(spec.reproduce(&s, &self.model, self.cores, &self.params, seed)),
            _ => None,
        };
    }
}

/// The output of `parts` (any order; duplicates are an error) under `spec`.
pub fn assemble(spec: &SweepSpec, shard: Option<String>, parts: &[CellResult]) -> Result<SweepOutput> {
    let cells = spec.cells();
    let mut acc: Vec<CellResult> = cells.iter().map(|c| CellResult::empty(spec, c)).collect();
    for p in parts {
        let Some(i) = cells.iter().position(|c| p.is_cell(spec, c)) else {
            bail!("{} is not a cell of this sweep", p.label());
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
        version: spec.format_version(),
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
        let blank = CellResult::empty(&o.sweep, &cell);
        let have =
            o.cells.iter().find(|c| c.is_cell(&o.sweep, &cell)).map(|c| c.seed_ranges.clone()).unwrap_or_default();
        let mut at = o.sweep.seeds[0];
        let mut gaps = Vec::new();
        for r in have.iter().chain(std::iter::once(&[o.sweep.seeds[1], o.sweep.seeds[1]])) {
            if r[0] > at {
                gaps.push(format!("{at}..{}", r[0]));
            }
            at = at.max(r[1]);
        }
        if !gaps.is_empty() {
            out.push(format!("{}: seeds {}", blank.label(), gaps.join(", ")));
        }
    }
    out
}

fn opt(x: Option<u64>) -> String {
    x.map(|x| x.to_string()).unwrap_or_default()
}

/// CSV (the `csv` crate; fields quoted only when they hold a comma, a quote
/// or a line break; numbers as Rust prints them: `0`, `0.00615`, never an
/// exponent). The columns: `variant` (irq_work) or `program`, `model`,
/// `cores`, the grid's fields (one column each, in the grid's order), `runs`,
/// `violations`, for programs `positive,negative,observation`, then
/// `rate,ci_low,ci_high` and the rest.
pub fn to_csv(o: &SweepOutput) -> String {
    let programs = o.sweep.workload == Workload::Programs;
    let mut head: Vec<String> =
        vec![if programs { "program" } else { "variant" }.into(), "model".into(), "cores".into()];
    head.extend(o.sweep.grid.iter().map(|v| v.field.clone()));
    head.extend(["runs", "violations"].map(String::from));
    if programs {
        head.extend(["positive", "negative", "observation"].map(String::from));
    }
    head.extend(
        [
            "rate",
            "ci_low",
            "ci_high",
            "scheduler",
            "writes",
            "median_cycles_to_violation",
            "p95_cycles_to_violation",
            "mean_cycles",
            "step_limit",
            "dead_ends",
            "first_failing_seed",
        ]
        .map(String::from),
    );
    if programs {
        head.push("first_witness_seed".into());
    }
    head.push("reproduce".into());
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(&head).expect("writing into memory cannot fail");
    for c in &o.cells {
        let mut row: Vec<String> = vec![
            match (&c.variant, &c.program) {
                (Some(v), _) => v.name().to_string(),
                (None, Some(p)) => p.clone(),
                _ => String::new(),
            },
            c.model.name().to_string(),
            c.cores.to_string(),
        ];
        for v in &o.sweep.grid {
            row.push(c.params.0.iter().find(|(k, _)| *k == v.field).map(|(_, x)| x.to_string()).unwrap_or_default());
        }
        row.push(c.runs.to_string());
        row.push(c.violations.to_string());
        if programs {
            row.push(opt(c.positive));
            row.push(opt(c.negative));
            row.push(c.observation.map(|x| x.name().to_string()).unwrap_or_default());
        }
        row.extend([
            c.rate.to_string(),
            c.ci_low.to_string(),
            c.ci_high.to_string(),
            c.scheduler.name().to_string(),
            c.writes.to_string(),
            opt(c.median_cycles_to_violation),
            opt(c.p95_cycles_to_violation),
            c.mean_cycles.to_string(),
            c.step_limit.to_string(),
            c.dead_ends.to_string(),
            opt(c.first_failing_seed),
        ]);
        if programs {
            row.push(opt(c.first_witness_seed));
        }
        row.push(c.reproduce.clone().unwrap_or_default());
        w.write_record(&row).expect("writing into memory cannot fail");
    }
    let bytes = w.into_inner().expect("writing into memory cannot fail");
    String::from_utf8(bytes).expect("the fields are UTF-8")
}

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
    sim::files::write_output(path, text.as_bytes())
        .map_err(|e| anyhow::Error::new(e).context(format!("{}: cannot write", path.display())))
}

/// Reads a sweep's JSON output (a shard's or a whole sweep's).
pub fn read_output(path: &Path) -> Result<SweepOutput> {
    let file = path.display().to_string();
    if path.extension().and_then(|e| e.to_str()).map(|e| e.eq_ignore_ascii_case("csv")).unwrap_or(false) {
        bail!("{file}: merge reads the shards' JSON outputs (run the shards with --out NAME.json): a CSV lacks the seed ranges and per-run cycles needed to combine cells exactly");
    }
    let text = sim::files::read_text(path)?;
    let v: serde_json::Value = serde_json::from_str(&text)
        .map_err(|e| anyhow::anyhow!("{file}:{}:{}: not a weaksim sweep output: {e}", e.line(), e.column()))?;
    let found = v.get("format").and_then(|f| f.as_str()).unwrap_or("");
    let version = v.get("version").and_then(|f| f.as_u64()).unwrap_or(0);
    if found != FORMAT || !(1..=VERSION as u64).contains(&version) {
        bail!("{file}: not a weaksim sweep output (format '{found}' version {version}; expected {FORMAT} version 1 to {VERSION})");
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
    if let Some(why) = s.check() {
        return Some(why);
    }
    if o.version != s.format_version() {
        return Some(format!("version {} but its sweep is written as version {}", o.version, s.format_version()));
    }
    if let Some(sh) = &o.shard {
        if sh != "merged" {
            if let Err(e) = parse_shard(sh) {
                return Some(format!("shard: {e}"));
            }
        }
    }
    for c in &o.cells {
        let name = c.label();
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
        let finals = c.positive.unwrap_or(0).checked_add(c.negative.unwrap_or(0));
        if finals.is_none_or(|n| n > c.runs) || c.positive.is_some() != c.program.is_some() {
            return Some(format!("{name}: positive and negative counts that do not fit its {} runs", c.runs));
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
        if let Some(x) = c.first_witness_seed {
            if !in_ranges(x) {
                return Some(format!("{name}: first witness seed {x} is outside its seeds"));
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::ProgramFile;

    fn model(n: &str) -> Model {
        sim::models::get(n).unwrap()
    }

    fn spec() -> SweepSpec {
        SweepSpec {
            workload: Workload::IrqWork,
            variants: vec![Variant::V36, Variant::BusyXchg],
            models: vec![model("arm")],
            cores: vec![2],
            programs: Vec::new(),
            seeds: [0, 20000],
            scheduler: SchedKind::Timed,
            writes: 3,
            max_steps: crate::DEFAULT_MAX_STEPS,
            chunk: 1250,
            timing_file: None,
            timing: None,
            grid: Vec::new(),
        }
    }

    const CSV_HEADER: &str = "variant,model,cores,runs,violations,rate,ci_low,ci_high,scheduler,writes,\
median_cycles_to_violation,p95_cycles_to_violation,mean_cycles,step_limit,dead_ends,first_failing_seed,reproduce\n";

    /// The CSV, byte for byte, as before the sweep engine left the command
    /// line (and, before that, when it went through the `csv` crate: a field
    /// with a space but no comma, quote or line break is not quoted). Numbers
    /// as Rust prints them (`0`, not `0.0`).
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
        b.finish(&spec);
        let o = SweepOutput {
            format: FORMAT.into(),
            version: 1,
            sweep: spec.clone(),
            shard: None,
            complete: true,
            cells: vec![a, b],
        };
        assert_eq!(
            to_csv(&o),
            "variant,model,cores,runs,violations,rate,ci_low,ci_high,scheduler,writes,median_cycles_to_violation,p95_cycles_to_violation,mean_cycles,step_limit,dead_ends,first_failing_seed,reproduce\n\
             v3.6,arm,2,20000,123,0.00615,0.00515729274556348,0.007332381267051059,timed,3,1431,1431,1740.47525,0,0,43,weaksim run irq_work --variant v3.6 --cores 2 --writes 3 --model arm --scheduler timed --seed 43 --runs 1 --save-trace lost.json\n\
             busy-xchg,arm,2,20000,0,0,0,0.00019203605610462553,timed,3,,,0,0,0,,\n"
        );
        // No cells: the header alone, the same header.
        let empty = SweepOutput { cells: Vec::new(), ..o };
        assert_eq!(to_csv(&empty), CSV_HEADER);
    }

    /// Program cells and grid points: their own columns; a field with a comma or a quote is quoted.
    #[test]
    fn csv_programs_and_grid() {
        let mut spec = spec();
        spec.workload = Workload::Programs;
        spec.variants.clear();
        spec.cores.clear();
        spec.programs = vec![ProgramFile { path: "a,\"b.litmus".into(), name: "b".into(), cores: 2, hash: "0".into() }];
        spec.grid = vec![crate::grid::parse_vary("drain=1,300").unwrap()];
        let cells = spec.cells();
        assert_eq!(cells.len(), 2);
        let mut a = CellResult::empty(&spec, &cells[1]);
        a.runs = 10;
        a.positive = Some(3);
        a.negative = Some(7);
        a.first_witness_seed = Some(4);
        a.seed_ranges = vec![[0, 10]];
        a.finish(&spec);
        let o = SweepOutput {
            format: FORMAT.into(),
            version: spec.format_version(),
            sweep: spec.clone(),
            shard: None,
            complete: false,
            cells: vec![a],
        };
        assert_eq!(o.version, 2);
        let csv = to_csv(&o);
        let mut lines = csv.lines();
        assert_eq!(
            lines.next().unwrap(),
            "program,model,cores,drain,runs,violations,positive,negative,observation,rate,ci_low,ci_high,scheduler,writes,median_cycles_to_violation,p95_cycles_to_violation,mean_cycles,step_limit,dead_ends,first_failing_seed,first_witness_seed,reproduce"
        );
        let row = lines.next().unwrap();
        assert!(row.starts_with("\"a,\"\"b.litmus\",arm,2,300,10,0,3,7,Sometimes,0.3,"), "{row}");
        assert!(
            row.ends_with(",4,\"weaksim run a,\"\"b.litmus --model arm --scheduler timed --vary drain=300 --seed 4 --runs 1 --save-trace witness.json\""),
            "{row}"
        );
        // The JSON reads back as it was written (the derived fields recomputed: JSON floats may lose a last digit).
        let mut back: SweepOutput = serde_json::from_str(&to_json(&o)).unwrap();
        back.cells[0].finish(&spec);
        assert_eq!(back, o);
    }

    /// The spec's JSON is as it was when its fields were strings.
    #[test]
    fn spec_json_keeps_its_spelling() {
        let j = serde_json::to_value(spec()).unwrap();
        assert_eq!(j["workload"], "irq_work");
        assert_eq!(j["variants"], serde_json::json!(["v3.6", "busy-xchg"]));
        assert_eq!(j["models"], serde_json::json!(["arm"]));
        assert_eq!(j["scheduler"], "timed");
        assert!(j.get("grid").is_none() && j.get("programs").is_none());
        let back: SweepSpec = serde_json::from_value(j.clone()).unwrap();
        assert_eq!(back, spec());
        let mut bad = j.clone();
        bad["variants"] = serde_json::json!(["v9"]);
        let e = serde_json::from_value::<SweepSpec>(bad).unwrap_err().to_string();
        assert!(e.contains("unknown variant 'v9'"), "{e}");
        let mut bad = j;
        bad["models"] = serde_json::json!(["pso"]);
        assert!(serde_json::from_value::<SweepSpec>(bad).is_err());
    }
}
