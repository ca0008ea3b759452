//! Conformance with herd7 7.57 on herdtools7's own core catalogue
//! (`shared/litmus/catalogue/verdicts.tsv`: AArch64 under `sc.cat` and
//! `aarch64.cat`, X86 and X86_64 under `sc.cat` and `x86tso.cat`).
//!
//! Every row either *agrees* (herd's verdict and herd's number of final states)
//! or is *refused*: the file does not import, with a `file:line:col: unsupported …`
//! error naming the construct (a refusal not worded `unsupported …` is wrong too) (the CLI exits 2 on it). Anything else — a
//! different verdict or state count, a run that faulted or hit a bound — is a
//! wrong answer, and fails the test. So does a drop in the number of rows that
//! run below [`MIN_RUNNING`].

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;
use workloads::litmus::{fault_error, outcomes, Outcomes};

/// States one search may visit.
const BOUND: u64 = 5_000_000;

/// Rows that must run (agree with herd). Raise it when coverage grows.
const MIN_RUNNING: usize = 857;

/// herd7's `sc.cat` (and `x86tso.cat` for XCHG) does not order the read and
/// the write of one single-instruction RMW (they are not po-related): it may
/// read a write coherence-after its own (`shared/litmus/README.md`). weaksim
/// keeps RMWs atomic and lists fewer states (M008: a `CASH` whose write herd's
/// SC puts co-before the write it read). The verdict must still agree:
/// (file, model, herd's count, ours). (The two halves of an `LDP`/`STP`, which
/// herd's `po` leaves unordered too, take effect in either order under weaksim's
/// SC as well: `L058` agrees.)
const HERD_RMW_ARTEFACT: &[(&str, &str, usize, usize)] = &[
    ("aarch64/L043.litmus", "sc", 4, 3),
    ("aarch64/L045.litmus", "sc", 4, 3),
    ("aarch64/SWP+TWO.litmus", "sc", 3, 2),
    ("aarch64/M008.litmus", "sc", 4, 3),
];

/// Rows whose search visits more than [`BOUND`] states; skipped unless
/// `WEAKSIM_SLOW=1`, when they run without a bound (they must then agree).
/// L058 under the Promising-ARM model: 36 states, allowed, as herd says, after
/// about 6 million states (`weaksim litmus --model arm --max-states 50000000`:
/// 243 s in release).
const SLOW: &[(&str, &str)] = &[("aarch64/L058.litmus", "arm")];

/// Wrong answers still open, each `file@model`; the test fails when one of them
/// starts agreeing (remove it) and on any wrong answer not listed.
const KNOWN_WRONG: &[&str] = &[];

fn catalogue_dir() -> PathBuf {
    let d = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/litmus/catalogue");
    assert!(
        d.join("verdicts.tsv").is_file(),
        "{} is missing: this test needs the shared litmus catalogue (../shared/litmus/catalogue beside the project)",
        d.display()
    );
    d
}

struct Row {
    file: String,
    model: String,
    verdict: String,
    states: usize,
}

fn rows() -> Vec<Row> {
    let path = catalogue_dir().join("verdicts.tsv");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut out = Vec::new();
    for line in text.lines().skip(1) {
        let f: Vec<&str> = line.split('\t').collect();
        assert!(f.len() >= 5, "bad row {line:?}");
        let states = f[4].parse().unwrap_or_else(|_| panic!("bad state count in {line:?}"));
        out.push(Row { file: f[0].into(), model: f[2].into(), verdict: f[3].into(), states });
    }
    assert!(out.len() >= 979, "only {} rows in {}", out.len(), path.display());
    out
}

/// How one row went.
enum Answer {
    Agree,
    Refused(String),
    Wrong(String),
}

fn judge(row: &Row, o: &Outcomes) -> Answer {
    let states = o.finals.len();
    let artefact = HERD_RMW_ARTEFACT.iter().any(|&(f, m, herd, ours)| {
        f == row.file && m == row.model && herd == row.states && ours == states && o.verdict() == row.verdict
    });
    if let Some(b) = &o.bounded {
        Answer::Wrong(format!("bounded ({b})"))
    } else if let Some(p) = &o.problem {
        Answer::Wrong(format!("ran into a problem: {p}"))
    } else if (o.verdict() == row.verdict && states == row.states) || artefact {
        Answer::Agree
    } else {
        Answer::Wrong(format!("herd7 {} with {} states, we say {} with {states}", row.verdict, row.states, o.verdict()))
    }
}

fn run(row: &Row, src: &str) -> Answer {
    let test = match isa::litmus::parse(src, &row.file) {
        Ok(t) => t,
        Err(e) => {
            let text = e.to_string();
            let positioned = text.starts_with(&format!("{}:{}:{}: ", row.file, e.line, e.col)) && e.line > 0;
            return if !positioned {
                Answer::Wrong(format!("refused without a position: {text}"))
            } else if !e.msg.starts_with("unsupported") {
                Answer::Wrong(format!("refused without naming an unsupported construct: {text}"))
            } else {
                Answer::Refused(e.msg)
            };
        }
    };
    let p = Arc::new(test.program.clone());
    let model = sim::models::get(&row.model).unwrap_or_else(|e| panic!("verdicts.tsv: {e}"));
    let slow = SLOW.contains(&(row.file.as_str(), row.model.as_str()));
    let o = outcomes(&*model.machine(p).expect("an operational model"), if slow { u64::MAX } else { BOUND });
    match fault_error(&test, &row.file, &o) {
        Some(e) if !e.msg.starts_with("unsupported") => Answer::Wrong(format!("faulted: {e}")),
        Some(e) => Answer::Refused(e.msg),
        None => judge(row, &o),
    }
}

#[test]
fn catalogue_rows_agree_with_herd_or_are_refused() {
    let dir = catalogue_dir();
    let rows = rows();
    let t0 = Instant::now();
    let (mut agree, mut wrong) = (0, Vec::new());
    let mut refused: BTreeMap<String, usize> = BTreeMap::new();
    let mut sources: BTreeMap<String, String> = BTreeMap::new();
    let run_slow = std::env::var("WEAKSIM_SLOW").is_ok_and(|v| v == "1");
    let mut skipped = 0;
    for row in &rows {
        if !run_slow && SLOW.contains(&(row.file.as_str(), row.model.as_str())) {
            skipped += 1;
            continue;
        }
        let src = sources.entry(row.file.clone()).or_insert_with(|| {
            let p = dir.join(&row.file);
            std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
        });
        match run(row, src) {
            Answer::Agree => agree += 1,
            Answer::Refused(msg) => *refused.entry(msg).or_default() += 1,
            Answer::Wrong(why) => wrong.push((format!("{}@{}", row.file, row.model), why)),
        }
    }
    let n_refused: usize = refused.values().sum();
    println!(
        "catalogue: {} rows: {agree} agree with herd7, {n_refused} refused, {} wrong, {skipped} slow ones skipped (WEAKSIM_SLOW=1 runs them) ({:.1?})",
        rows.len(),
        wrong.len(),
        t0.elapsed()
    );
    let mut by_count: Vec<(&String, &usize)> = refused.iter().collect();
    by_count.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
    for (r, n) in by_count {
        println!("  refused {n:4}  {r}");
    }
    let unexpected: Vec<String> =
        wrong.iter().filter(|(k, _)| !KNOWN_WRONG.contains(&k.as_str())).map(|(k, w)| format!("{k}: {w}")).collect();
    let fixed: Vec<&&str> = KNOWN_WRONG.iter().filter(|k| !wrong.iter().any(|(w, _)| w == *k)).collect();
    for (k, w) in &wrong {
        println!("  wrong {k}: {w}");
    }
    assert!(unexpected.is_empty(), "wrong answers:\n{}", unexpected.join("\n"));
    assert!(fixed.is_empty(), "known wrong answers that no longer occur (remove them from KNOWN_WRONG): {fixed:?}");
    assert!(agree >= MIN_RUNNING, "only {agree} rows agree with herd7; at least {MIN_RUNNING} did before");
}
