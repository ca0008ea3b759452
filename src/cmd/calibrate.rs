//! `weaksim calibrate`: the classic litmus shapes under the timed scheduler,
//! beside what hardware shows.
//!
//! SB, MP, LB, IRIW and 2+2W (the x86 tests under x86-TSO, the AArch64 ones
//! under ARM) and their fenced variants run `--runs` times each from seed
//! `--seed` under the timed scheduler (default timing unless `--timing`),
//! counted by [`sim::rates::count_par`]. Each row also carries the exhaustive
//! search's answer for the condition, and the published hardware observation
//! where there is one. A run that ends in a final state the exhaustive search
//! never reaches is a bug in the scheduler or the model: the command says so
//! and exits 1.

use super::{load_timing, EXIT_OK, EXIT_VIOLATION};
use anyhow::{bail, Context, Result};
use clap::Args;
use serde_json::json;
use sim::{ExploreConfig, RunSpec, SchedKind, Verdict};
use std::path::PathBuf;
use std::sync::Arc;

#[derive(Args, Debug)]
pub struct CalibrateArgs {
    /// Runs per test
    #[arg(long, default_value_t = 1_000_000)]
    pub runs: u64,
    /// Seed of the first run; run i uses seed + i
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Timing model (TOML or JSON; docs/timing.md); default: the built-in model
    #[arg(long)]
    pub timing: Option<PathBuf>,
    /// herd7's litmus corpus (the x86/, aarch64/ and catalogue/ folders)
    #[arg(long, default_value = "../shared/litmus")]
    pub litmus: PathBuf,
    /// Worker threads (default: all cores); the counts are the same for any number
    #[arg(long)]
    pub threads: Option<usize>,
    /// Output: text (a Markdown table) or json
    #[arg(long, value_enum, default_value_t = super::Format::Text)]
    pub format: super::Format,
}

/// Where a test comes from: a file of the litmus corpus, or one of the
/// project's examples (built in, so the command runs from anywhere).
enum Source {
    Corpus(&'static str),
    Example(&'static str, &'static str),
}

/// One row of the table: a test, the model it runs under, and hardware's word on it.
struct Row {
    test: &'static str,
    source: Source,
    model: &'static str,
    fenced: bool,
    /// What hardware shows, in words.
    hardware: &'static str,
    /// Published hardware counts (observed, runs), for the ratio column.
    hw: &'static [(u64, u64)],
}

/// Step bound of one run (these tests end in a few dozen steps).
const MAX_STEPS: u64 = 100_000;

const FORBIDDEN_X86: &str = "never (forbidden by x86-TSO)";
const FENCED: &str = "0 (fenced)";

const ROWS: &[Row] = &[
    Row {
        test: "SB",
        source: Source::Corpus("x86/SB.litmus"),
        model: "tso",
        fenced: false,
        hardware: "about 2 in 10,000,000 with litmus7 (linux-mm, 2019); 9 in 500,000 in a thread-based harness",
        hw: &[(2, 10_000_000), (9, 500_000)],
    },
    Row {
        test: "SB+mfences",
        source: Source::Corpus("x86/SB+mfences.litmus"),
        model: "tso",
        fenced: true,
        hardware: FENCED,
        hw: &[],
    },
    Row {
        test: "MP",
        source: Source::Corpus("x86/MP.litmus"),
        model: "tso",
        fenced: false,
        hardware: FORBIDDEN_X86,
        hw: &[],
    },
    Row {
        test: "LB",
        source: Source::Corpus("x86/LB.litmus"),
        model: "tso",
        fenced: false,
        hardware: FORBIDDEN_X86,
        hw: &[],
    },
    Row {
        test: "IRIW",
        source: Source::Corpus("catalogue/x86/iriw.litmus"),
        model: "tso",
        fenced: false,
        hardware: FORBIDDEN_X86,
        hw: &[],
    },
    Row {
        test: "2+2W",
        source: Source::Corpus("x86/2+2W.litmus"),
        model: "tso",
        fenced: false,
        hardware: FORBIDDEN_X86,
        hw: &[],
    },
    Row {
        test: "2+2W+mfences",
        source: Source::Corpus("x86/2+2W+mfences.litmus"),
        model: "tso",
        fenced: true,
        hardware: FENCED,
        hw: &[],
    },
    Row {
        test: "SB",
        source: Source::Corpus("aarch64/SB.litmus"),
        model: "arm",
        fenced: false,
        hardware: "allowed (no count collected here)",
        hw: &[],
    },
    Row {
        test: "SB+dmb.sys",
        source: Source::Corpus("aarch64/SB+dmb.sys.litmus"),
        model: "arm",
        fenced: true,
        hardware: FENCED,
        hw: &[],
    },
    Row {
        test: "MP",
        source: Source::Corpus("aarch64/MP.litmus"),
        model: "arm",
        fenced: false,
        hardware: "20,885 in 2,000,000 (arm64 under KVM)",
        hw: &[(20_885, 2_000_000)],
    },
    Row {
        test: "MP+dmb.sys",
        source: Source::Corpus("aarch64/MP+dmb.sys.litmus"),
        model: "arm",
        fenced: true,
        hardware: FENCED,
        hw: &[],
    },
    Row {
        test: "LB",
        source: Source::Corpus("aarch64/LB.litmus"),
        model: "arm",
        fenced: false,
        hardware: "allowed, essentially never seen",
        hw: &[],
    },
    Row {
        test: "LB+dmb.sys",
        source: Source::Corpus("aarch64/LB+dmb.sys.litmus"),
        model: "arm",
        fenced: true,
        hardware: FENCED,
        hw: &[],
    },
    Row {
        test: "IRIW",
        source: Source::Example("examples/litmus/IRIW.litmus", include_str!("../../examples/litmus/IRIW.litmus")),
        model: "arm",
        fenced: false,
        hardware: "allowed (no count collected here)",
        hw: &[],
    },
    Row {
        test: "IRIW+dmb.sys",
        source: Source::Example(
            "examples/litmus/IRIW+dmb.sys.litmus",
            include_str!("../../examples/litmus/IRIW+dmb.sys.litmus"),
        ),
        model: "arm",
        fenced: true,
        hardware: FENCED,
        hw: &[],
    },
    Row {
        test: "2+2W",
        source: Source::Corpus("aarch64/2+2W.litmus"),
        model: "arm",
        fenced: false,
        hardware: "allowed (no count collected here)",
        hw: &[],
    },
    Row {
        test: "2+2W+dmb.sys",
        source: Source::Corpus("aarch64/2+2W+dmb.sys.litmus"),
        model: "arm",
        fenced: true,
        hardware: FENCED,
        hw: &[],
    },
];

/// What one row gave.
struct Measured {
    file: String,
    /// Some final state satisfies the condition (exhaustive search).
    allowed: bool,
    runs: u64,
    observed: u64,
    finals: u64,
    /// Runs that ended in a final state the exhaustive search never reaches.
    unreachable: u64,
    low: f64,
    high: f64,
}

/// Two significant digits: `1.2e-4`, `0`.
fn sci(x: f64) -> String {
    if x == 0.0 {
        "0".into()
    } else {
        format!("{x:.1e}")
    }
}

/// The rate over the hardware rate, with two significant digits (`0.42`, `17`, `3.1e3`).
fn ratio(x: f64) -> String {
    if (0.1..100.0).contains(&x) {
        let digits = if x >= 10.0 {
            0
        } else if x >= 1.0 {
            1
        } else {
            2
        };
        format!("{x:.digits$}")
    } else {
        sci(x)
    }
}

/// The model against each published hardware count: `rate ÷ hardware rate`,
/// or an upper bound from the interval when nothing was observed; `(> 10× off)`
/// where the whole interval is more than an order of magnitude away.
fn versus(m: &Measured, hw: &[(u64, u64)]) -> Vec<(String, bool)> {
    hw.iter()
        .map(|&(k, n)| {
            let h = k as f64 / n as f64;
            let rate = m.observed as f64 / m.finals.max(1) as f64;
            let off = m.high < h / 10.0 || m.low > h * 10.0;
            let text = if m.observed == 0 { format!("< {}", ratio(m.high / h)) } else { ratio(rate / h) };
            (text, off)
        })
        .collect()
}

fn load(a: &CalibrateArgs, row: &Row) -> Result<(String, isa::Program)> {
    let (name, text) = match row.source {
        Source::Corpus(rel) => {
            let p = a.litmus.join(rel);
            let text = super::read_text(&p)
                .with_context(|| format!("calibrate reads herd7's tests from {} (--litmus DIR)", a.litmus.display()))?;
            (p.display().to_string(), text)
        }
        Source::Example(name, text) => (name.to_string(), text.to_string()),
    };
    let t = isa::litmus::parse(&text, &name)?;
    Ok((name, t.program))
}

pub fn calibrate_cmd(a: &CalibrateArgs) -> Result<u8> {
    let threads = match a.threads {
        Some(0) => bail!("--threads 0: expected at least 1"),
        Some(t) => {
            super::check_threads(t)?;
            t
        }
        None => std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1),
    };
    if a.runs == 0 {
        bail!("--runs 0: expected at least 1");
    }
    if !a.litmus.is_dir() {
        bail!(
            "{}: no such folder: calibrate reads herd7's litmus tests (x86/, aarch64/, catalogue/) from it; \
             run from the repository root with ../shared/litmus present, or pass --litmus DIR",
            a.litmus.display()
        );
    }
    let timing = load_timing(a.timing.as_deref())?;
    let spec = RunSpec::new(SchedKind::Timed, timing, MAX_STEPS);
    let seeds = [a.seed, a.seed.saturating_add(a.runs)];
    // Every file first: a missing one is reported before any long run.
    let programs: Vec<(String, isa::Program)> = ROWS.iter().map(|r| load(a, r)).collect::<Result<_>>()?;
    let mut measured = Vec::new();
    for (row, (file, prog)) in ROWS.iter().zip(programs) {
        let start = sim::models::get(row.model)?.machine(Arc::new(prog))?;
        let r = start.explore(&ExploreConfig::default());
        if r.verdict != Verdict::Safe {
            bail!("{file}: the exhaustive search did not finish under {}", row.model);
        }
        let c = start.count(&spec, seeds, false, threads);
        let unreachable = c.histogram.iter().filter(|(fs, _)| !r.finals.contains_key(*fs)).map(|(_, n)| *n).sum();
        let (low, high) = sweeps::stats::wilson(c.positive, c.finals());
        measured.push(Measured {
            file,
            allowed: r.finals.values().any(|i| i.holds),
            runs: c.runs,
            observed: c.positive,
            finals: c.finals(),
            unreachable,
            low,
            high,
        });
    }
    let bad: Vec<String> = ROWS
        .iter()
        .zip(&measured)
        .filter(|(row, m)| m.unreachable > 0 || (m.observed > 0 && (!m.allowed || row.fenced)))
        .map(|(row, _)| format!("{} on {}", row.test, row.model))
        .collect();
    let code = if bad.is_empty() { EXIT_OK } else { EXIT_VIOLATION };
    let timing_name = a.timing.as_ref().map_or("default".to_string(), |p| p.display().to_string());
    if a.format == super::Format::Json {
        let rows: Vec<serde_json::Value> = ROWS
            .iter()
            .zip(&measured)
            .map(|(row, m)| {
                json!({
                    "test": row.test,
                    "file": m.file,
                    "model": row.model,
                    "fenced": row.fenced,
                    "exhaustive": if m.allowed { "allowed" } else { "forbidden" },
                    "runs": m.runs,
                    "finals": m.finals,
                    "observed": m.observed,
                    "rate": m.observed as f64 / m.finals.max(1) as f64,
                    "ci_low": m.low,
                    "ci_high": m.high,
                    "unreachable_seen": m.unreachable,
                    "hardware": row.hardware,
                    "hardware_counts": row.hw.iter().map(|(k, n)| json!({"observed": k, "runs": n})).collect::<Vec<_>>(),
                    "vs_hardware": versus(m, row.hw).into_iter().map(|(t, off)| json!({"ratio": t, "off_by_10x": off})).collect::<Vec<_>>(),
                })
            })
            .collect();
        let o = json!({
            "scheduler": "timed",
            "timing": timing_name,
            "runs": a.runs,
            "seed": a.seed,
            "rows": rows,
            "inconsistent": bad,
        });
        println!("{}", serde_json::to_string(&o)?);
        return Ok(code);
    }
    println!(
        "Timed scheduler, {} timing, {} runs per test (seeds {}..={}); rate = runs satisfying the condition / runs that ended",
        timing_name,
        a.runs,
        a.seed,
        a.seed.wrapping_add(a.runs - 1)
    );
    println!();
    println!("| test | model | exhaustive | observed | rate (95% interval) | hardware | model ÷ hardware |");
    println!("| --- | --- | --- | --- | --- | --- | --- |");
    for (row, m) in ROWS.iter().zip(&measured) {
        let rate = m.observed as f64 / m.finals.max(1) as f64;
        let vs: Vec<String> =
            versus(m, row.hw).into_iter().map(|(t, off)| if off { format!("{t} (> 10× off)") } else { t }).collect();
        println!(
            "| {} | {} | {} | {} / {} | {} ({} – {}) | {} | {} |",
            row.test,
            row.model,
            if m.allowed { "allowed" } else { "forbidden" },
            m.observed,
            m.finals,
            sci(rate),
            sci(m.low),
            sci(m.high),
            row.hardware,
            if vs.is_empty() { "".to_string() } else { vs.join("; ") },
        );
    }
    println!();
    if bad.is_empty() {
        println!(
            "Every fenced test: 0 observed. No run ended in a final state the exhaustive search calls unreachable."
        );
    } else {
        println!("INCONSISTENT with the exhaustive search or the fences: {}", bad.join(", "));
    }
    Ok(code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_print_with_two_digits() {
        assert_eq!(sci(0.0), "0");
        assert_eq!(sci(1.234e-4), "1.2e-4");
        assert_eq!(ratio(0.42), "0.42");
        assert_eq!(ratio(3.14), "3.1");
        assert_eq!(ratio(17.2), "17");
        assert_eq!(ratio(3100.0), "3.1e3");
    }

    #[test]
    fn an_order_of_magnitude_is_flagged_either_way() {
        let m = |observed, low, high| Measured {
            file: String::new(),
            allowed: true,
            runs: 1000,
            observed,
            finals: 1000,
            unreachable: 0,
            low,
            high,
        };
        // 0 of 1000 against 1%: the interval reaches 0.38%, not below a tenth.
        assert!(!versus(&m(0, 0.0, 0.0038), &[(1, 100)])[0].1);
        assert!(versus(&m(0, 0.0, 0.0005), &[(1, 100)])[0].1);
        assert!(versus(&m(500, 0.47, 0.53), &[(1, 100)])[0].1);
        assert!(!versus(&m(10, 0.005, 0.018), &[(1, 100)])[0].1);
    }
}
