//! Every command in the documentation runs (issue 17): the fenced `sh` blocks
//! of README.md and docs/*.md, in order, each as `sh -c` with the built
//! `weaksim` first on PATH, from a scratch copy of the repository's layout
//! (`examples/` and `../shared` linked, `docs/` an empty folder for outputs,
//! HOME a scratch folder), so nothing is written into the source tree.
//!
//! A command passes when it exits 0, 1 or 3 (answers: safe, found, bounded)
//! within its time, and says what its comment promises (`# VIOLATION`,
//! `# SAFE`). Commands that need a person (the TUI), another machine (Slurm)
//! or cargo are listed in SKIP with the reason; a few long ones run scaled
//! down, listed in SCALED. Both lists must match commands in the docs, so they
//! cannot go stale either.

use std::path::{Path, PathBuf};
use std::process::Command;

/// Commands not run here, by prefix, with the reason.
const SKIP: &[(&str, &str)] = &[
    ("cargo ", "cargo itself: the build and the tests run this test"),
    ("weaksim tui", "interactive (tui/tests play it on a test backend)"),
    ("weaksim demo", "interactive (tui/tests/classroom.rs plays the lesson)"),
    ("jobid=$(sbatch", "needs a Slurm cluster (scripts/slurm-sweep-test.sh)"),
    ("sbatch ", "needs a Slurm cluster (scripts/slurm-sweep-test.sh)"),
];

/// Long commands run with smaller numbers: (as documented, as run here).
const SCALED: &[(&str, &str)] = &[
    (
        "weaksim sweep irq_work --variants all --models sc,tso,arm --cores 2..=8 --seeds 0..20000 --scheduler timed --out rates.csv --plot docs/rates.svg",
        "weaksim sweep irq_work --variants all --models sc,tso,arm --cores 2..=3 --seeds 0..100 --scheduler timed --out rates.csv --plot docs/rates.svg",
    ),
    (
        "weaksim sweep irq_work --variants all --models sc,tso,arm --cores 2..=16 --seeds 0..1000000 --scheduler timed --shard 1/4 --out part-1.json",
        // "the same command with k = 1..4", as the text says
        "for k in 1 2 3 4; do weaksim sweep irq_work --variants all --models sc,tso,arm --cores 2..=3 --seeds 0..100 --scheduler timed --shard $k/4 --out part-$k.json; [ $? -le 1 ] || exit 2; done",
    ),
    ("weaksim bench", "weaksim bench --repeat 1 --runs 2000"),
    ("weaksim calibrate --runs 1000000", "weaksim calibrate --runs 2000"),
    ("weaksim steady --variant racy --model tso --ops 2000000", "weaksim steady --variant racy --model tso --ops 4000 --timing slow-drain.toml"),
    ("weaksim steady --variant fixed --model tso --ops 1000000", "weaksim steady --variant fixed --model tso --ops 4000"),
];

/// The fenced `sh` blocks of one Markdown file: commands with their comment,
/// continuation lines joined.
fn commands(md: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut on = false;
    let mut pending = String::new();
    for line in md.lines() {
        let t = line.trim_start();
        if t.starts_with("```") {
            on = !on && t.trim_end() == "```sh";
            continue;
        }
        if !on {
            continue;
        }
        if let Some(head) = line.trim_end().strip_suffix('\\') {
            pending.push_str(head.trim());
            pending.push(' ');
            continue;
        }
        let full = format!("{pending}{}", line.trim());
        pending.clear();
        // A comment starts at a '#' that begins a word.
        let cut = full.find(" #").map(|i| i + 1).or(if full.starts_with('#') { Some(0) } else { None });
        let (cmd, comment) = match cut {
            Some(i) => (full[..i].trim().to_string(), full[i..].trim_start_matches('#').trim().to_string()),
            None => (full.trim().to_string(), String::new()),
        };
        if !cmd.is_empty() {
            out.push((cmd, comment));
        }
    }
    out
}

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn every_documented_command_runs() {
    let root = repo();
    let shared = root.join("../shared");
    assert!(shared.join("litmus").is_dir(), "the docs' litmus commands need ../shared/litmus ({})", shared.display());
    let mut files = vec![root.join("README.md")];
    let mut docs: Vec<PathBuf> = std::fs::read_dir(root.join("docs"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .collect();
    docs.sort();
    files.extend(docs);

    let scratch = tempfile::tempdir().unwrap();
    let work = scratch.path().join("weaksim");
    let home = scratch.path().join("home");
    std::fs::create_dir_all(work.join("docs")).unwrap();
    std::fs::create_dir_all(&home).unwrap();
    std::os::unix::fs::symlink(root.join("examples"), work.join("examples")).unwrap();
    std::os::unix::fs::symlink(shared.canonicalize().unwrap(), scratch.path().join("shared")).unwrap();
    let bin = PathBuf::from(env!("CARGO_BIN_EXE_weaksim"));
    let path = format!("{}:{}", bin.parent().unwrap().display(), std::env::var("PATH").unwrap_or_default());

    let (mut ran, mut skipped) = (0, 0);
    let mut used_scaled = vec![false; SCALED.len()];
    let mut used_skip = vec![false; SKIP.len()];
    let mut failures = Vec::new();
    for f in &files {
        let md = std::fs::read_to_string(f).unwrap();
        let name = f.strip_prefix(&root).unwrap().display().to_string();
        // Each file starts from a clean folder, as a reader following it would.
        for (cmd, comment) in commands(&md) {
            if let Some(i) = SKIP.iter().position(|(p, _)| cmd.starts_with(p)) {
                used_skip[i] = true;
                skipped += 1;
                continue;
            }
            let run = match SCALED.iter().position(|(doc, _)| *doc == cmd) {
                Some(i) => {
                    used_scaled[i] = true;
                    SCALED[i].1.to_string()
                }
                None => cmd.clone(),
            };
            let o = Command::new("timeout")
                .args(["300", "sh", "-c", &run])
                .current_dir(&work)
                .env("PATH", &path)
                .env("HOME", &home)
                .output()
                .unwrap();
            ran += 1;
            let code = o.status.code().unwrap_or(-1);
            let stdout = String::from_utf8_lossy(&o.stdout);
            let stderr = String::from_utf8_lossy(&o.stderr);
            let why = if ![0, 1, 3].contains(&code) {
                Some(format!("exit {code}"))
            } else if comment.starts_with("VIOLATION") && !stdout.contains("VIOLATION") {
                Some("no VIOLATION in its output".into())
            } else if comment.starts_with("SAFE") && !stdout.contains("SAFE") {
                Some("no SAFE in its output".into())
            } else {
                None
            };
            if let Some(why) = why {
                let tail: String = stderr.lines().take(5).collect::<Vec<_>>().join("\n    ");
                failures.push(format!("{name}: `{cmd}`: {why}\n    {tail}"));
            }
        }
    }
    for (i, used) in used_scaled.iter().enumerate() {
        assert!(used, "SCALED names a command that is no longer in the docs: {}", SCALED[i].0);
    }
    for (i, used) in used_skip.iter().enumerate() {
        assert!(used, "SKIP names a command that is no longer in the docs: {}", SKIP[i].0);
    }
    assert!(failures.is_empty(), "{} of {ran} documented commands failed:\n{}", failures.len(), failures.join("\n"));
    assert!(ran >= 30, "only {ran} commands found (and {skipped} skipped): is the extraction broken?");
    // Nothing was written beside the sources: the outputs are in the scratch folder.
    assert!(work.join("lost.json").exists() && work.join("rates.csv").exists());
    assert!(!Path::new(&root.join("part-1.json")).exists());
}

#[test]
fn the_extraction_joins_continuations_and_strips_comments() {
    let md = "text\n```sh\n# a comment line\nweaksim a \\\n    --b c   # note\n\nweaksim d\n```\n```\nnot sh\n```\n";
    assert_eq!(
        commands(md),
        vec![("weaksim a --b c".to_string(), "note".to_string()), ("weaksim d".to_string(), String::new())]
    );
}
