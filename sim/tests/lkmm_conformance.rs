//! Conformance of `--model lkmm` with herd7 7.57 under linux-kernel.cat: every
//! row of `../shared/litmus/lkmm-corpus/verdicts.tsv` and the C rows of
//! `../shared/litmus/verdicts.tsv` must get herd's verdict and herd's number
//! of final states; every disagreement is printed with both answers.
//!
//! `cargo test` runs a representative subset (the kernel's tests, the irq_work
//! rows, and every 8th other row); the whole corpus is one command:
//!
//! ```sh
//! LKMM_CORPUS=full cargo test --release -p sim --test lkmm_conformance -- --nocapture
//! ```

use isa::litmus::c::{self, Mapping};
use sim::lkmm::{outcomes, LkConfig};
use std::path::PathBuf;
use std::time::{Duration, Instant};

struct Row {
    file: String,
    verdict: String,
    states: usize,
}

fn litmus_dir() -> PathBuf {
    let d = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/litmus");
    assert!(
        d.join("lkmm-corpus/verdicts.tsv").is_file(),
        "the shared litmus corpus is missing: expected {}",
        d.join("lkmm-corpus/verdicts.tsv").display()
    );
    d
}

fn rows() -> Vec<Row> {
    let d = litmus_dir();
    let mut out = Vec::new();
    for (tsv, prefix) in [("lkmm-corpus/verdicts.tsv", "lkmm-corpus/"), ("verdicts.tsv", "")] {
        let text = std::fs::read_to_string(d.join(tsv)).expect("read verdicts");
        for line in text.lines().skip(1) {
            let f: Vec<&str> = line.split('\t').collect();
            if f.len() >= 5 && f[1] == "C" && f[2] == "lkmm" {
                let states = f[4].parse().unwrap_or_else(|_| panic!("bad state count in {line:?}"));
                out.push(Row { file: format!("{prefix}{}", f[0]), verdict: f[3].to_string(), states });
            }
        }
    }
    out
}

/// One row's answer: (verdict, states) or why there is none.
fn run(row: &Row) -> Result<(String, usize), String> {
    let src = std::fs::read_to_string(litmus_dir().join(&row.file)).map_err(|e| e.to_string())?;
    let t = c::parse(&src, &row.file, Mapping::Lkmm).map_err(|e| e.to_string())?;
    let o = outcomes(&t.program, &LkConfig::default()).map_err(|e| e.to_string())?;
    let (pos, neg) = o.counts();
    let c = t.program.condition.as_ref().expect("condition");
    Ok((if c.verdict(pos, neg) { "allowed" } else { "forbidden" }.to_string(), o.finals.len()))
}

#[test]
fn lkmm_agrees_with_herd() {
    let all = rows();
    assert!(all.len() >= 1521, "expected 1,521 C rows, found {}", all.len());
    let full = std::env::var("LKMM_CORPUS").is_ok_and(|v| v == "full");
    let rows: Vec<&Row> = all
        .iter()
        .enumerate()
        .filter(|(i, r)| {
            full || r.file.starts_with("lkmm-corpus/kernel/") || !r.file.starts_with("lkmm-corpus/") || i % 8 == 0
        })
        .map(|(_, r)| r)
        .collect();
    let t0 = Instant::now();
    let (mut verdicts, mut both) = (0usize, 0usize);
    let mut bad = Vec::new();
    let mut slow: Vec<(Duration, &str)> = Vec::new();
    for row in &rows {
        let t = Instant::now();
        let r = run(row);
        slow.push((t.elapsed(), &row.file));
        match r {
            Ok((v, s)) => {
                if v == row.verdict {
                    verdicts += 1;
                    if s == row.states {
                        both += 1;
                        continue;
                    }
                }
                bad.push(format!("{}: herd {} {} states, weaksim {v} {s} states", row.file, row.verdict, row.states));
            }
            Err(e) => bad.push(format!("{}: herd {} {} states, weaksim: {e}", row.file, row.verdict, row.states)),
        }
    }
    let n = rows.len();
    slow.sort();
    println!(
        "LKMM vs herd7 on {n} rows{}: verdicts agree {verdicts} ({:.1}%), verdicts and state counts agree {both} ({:.1}%), {:.2?}",
        if full { " (full corpus)" } else { " (subset; LKMM_CORPUS=full for all)" },
        100.0 * verdicts as f64 / n as f64,
        100.0 * both as f64 / n as f64,
        t0.elapsed()
    );
    for (d, f) in slow.iter().rev().take(5) {
        println!("  slowest: {d:.2?} {f}");
    }
    for b in &bad {
        println!("  disagreement: {b}");
    }
    // Every row agrees (1,521 of 1,521 on the full corpus): any disagreement fails.
    assert!(bad.is_empty(), "{} of {n} rows disagree with herd:\n{}", bad.len(), bad.join("\n"));
}
