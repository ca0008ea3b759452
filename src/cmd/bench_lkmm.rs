//! `weaksim bench --lkmm [DIR]`: every Linux-kernel C litmus test under DIR
//! (default `../shared/litmus/lkmm-corpus`) under linux-kernel.cat, one after
//! the other on one thread: the total time against herd7's on the same files
//! (313 s for the 1,516 tests of the corpus, one herd7 7.57 process per test,
//! on this machine kind), the slowest tests, and any test past 10 s.

use super::EXIT_OK;
use anyhow::{bail, Result};
use isa::litmus::c::{self, Mapping};
use sim::lkmm::{outcomes, LkConfig};
use std::path::{Path, PathBuf};
use std::time::Instant;

/// herd7 7.57's time for the 1,516 tests of `lkmm-corpus` (issue 13).
const HERD_SECS: f64 = 313.0;

fn litmus_files(dir: &Path, out: &mut Vec<PathBuf>) -> Result<()> {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)?.map(|e| e.map(|e| e.path())).collect::<Result<_, _>>()?;
    entries.sort();
    for p in entries {
        if p.is_dir() {
            litmus_files(&p, out)?;
        } else if p.extension().is_some_and(|e| e == "litmus") {
            out.push(p);
        }
    }
    Ok(())
}

pub fn bench_lkmm(dir: &Path) -> Result<u8> {
    let mut files = Vec::new();
    litmus_files(dir, &mut files)?;
    if files.is_empty() {
        bail!("{}: no .litmus file", dir.display());
    }
    let mut times = Vec::new();
    let mut failed = 0;
    let t0 = Instant::now();
    for f in &files {
        let src = super::read_text(f)?;
        let t = Instant::now();
        let ok = c::parse(&src, &f.display().to_string(), Mapping::Lkmm)
            .map_err(|e| e.to_string())
            .and_then(|t| outcomes(&t.program, &LkConfig::default()).map_err(|e| e.to_string()));
        if let Err(e) = ok {
            failed += 1;
            eprintln!("weaksim: {e}");
        }
        times.push((t.elapsed().as_secs_f64(), f));
    }
    let total = t0.elapsed().as_secs_f64();
    let mut sorted: Vec<f64> = times.iter().map(|t| t.0).collect();
    sorted.sort_by(f64::total_cmp);
    let median = sorted[sorted.len() / 2];
    times.sort_by(|a, b| b.0.total_cmp(&a.0));
    println!(
        "lkmm     {} C tests in {:.2} s on one thread (median {:.1} ms, slowest {:.2} s); herd7 7.57: {HERD_SECS:.0} s for the 1,516 corpus tests ({:.0}x)",
        files.len(),
        total,
        median * 1e3,
        sorted[sorted.len() - 1],
        HERD_SECS / total
    );
    for (s, f) in times.iter().take(5) {
        println!("lkmm     slowest {s:>8.3} s  {}", f.display());
    }
    let over = times.iter().filter(|t| t.0 > 10.0).count();
    println!("lkmm     tests past 10 s: {over}; tests that did not run: {failed}");
    Ok(EXIT_OK)
}
