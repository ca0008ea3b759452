//! Hostile files and resources, as a user sees them: outputs that are devices,
//! FIFOs, links or inputs; inputs that never end; two sweeps on one journal;
//! files that lie; output on a full disk. Every case exits with a clear
//! message and the documented status, never a panic or a hang.
//!
//! Devices: only a FIFO made here, and `/dev/full` / `/dev/zero` through a
//! symbolic link made here (opened, never renamed over). No root needed.

#![cfg(unix)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

fn bin() -> PathBuf {
    assert_cmd::cargo::cargo_bin("weaksim")
}

fn weaksim(dir: &Path, args: &[&str]) -> Command {
    let mut c = Command::new(bin());
    c.current_dir(dir).args(args).env_remove("WEAKSIM_MAX_INPUT");
    c
}

/// Runs with stdin closed; fails the test if it takes more than 60 s (a hang).
fn run(mut c: Command) -> (i32, String, String) {
    let mut child = c.stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
    let t0 = Instant::now();
    loop {
        if child.try_wait().unwrap().is_some() {
            break;
        }
        if t0.elapsed() > Duration::from_secs(60) {
            let _ = child.kill();
            panic!("{c:?} hangs");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let o: Output = child.wait_with_output().unwrap();
    (
        o.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&o.stdout).into(),
        String::from_utf8_lossy(&o.stderr).into(),
    )
}

fn run_in(dir: &Path, args: &[&str]) -> (i32, String, String) {
    run(weaksim(dir, args))
}

/// Asserts exit `code` and the exact line `want` on stderr.
fn expect(dir: &Path, args: &[&str], code: i32, want: &str) {
    let (c, out, err) = run_in(dir, args);
    assert_eq!(c, code, "{args:?}: exit {c}\nstdout: {out}\nstderr: {err}");
    assert!(err.lines().any(|l| l == want), "{args:?}: stderr lacks the line\n{want}\ngot:\n{err}");
    assert!(!err.contains("panicked"), "{err}");
}

fn mkfifo(p: &Path) {
    let c = std::ffi::CString::new(p.to_str().unwrap()).unwrap();
    // SAFETY: a C string that outlives the call.
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0, "mkfifo {}", p.display());
}

fn is_fifo(p: &Path) -> bool {
    use std::os::unix::fs::FileTypeExt;
    std::fs::symlink_metadata(p).unwrap().file_type().is_fifo()
}

fn is_symlink(p: &Path) -> bool {
    std::fs::symlink_metadata(p).unwrap().file_type().is_symlink()
}

const SB: &str = "sym x\nsym y\ncore 0 start=P0\ncore 1 start=P1\nP0:\n    store [x], 1\n    load r1, [y]\n    halt\nP1:\n    store [y], 1\n    load r1, [x]\n    halt\nexists (0:r1=0 /\\ 1:r1=0)\n";

/// Item 1: outputs are written into devices, FIFOs and link targets, not replaced.
#[test]
fn outputs_write_into_devices_fifos_and_links() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    // A full device, through a link made here: exit 2, the link stays.
    std::os::unix::fs::symlink("/dev/full", d.join("full.json")).unwrap();
    expect(
        d,
        &["explore", "irq_work", "--variant", "racy", "--save-trace", "full.json"],
        2,
        "weaksim: full.json: cannot write: No space left on device (os error 28)",
    );
    assert!(is_symlink(&d.join("full.json")));
    std::os::unix::fs::symlink("/dev/full", d.join("full.csv")).unwrap();
    expect(
        d,
        &[
            "sweep",
            "irq_work",
            "--variants",
            "fixed",
            "--models",
            "sc",
            "--cores",
            "2",
            "--seeds",
            "0..4",
            "--quiet",
            "--out",
            "full.csv",
        ],
        2,
        "weaksim: full.csv: cannot write: No space left on device (os error 28)",
    );
    assert!(is_symlink(&d.join("full.csv")));
    assert!(std::fs::read_dir(d).unwrap().flatten().all(|e| !e.file_name().to_string_lossy().contains(".tmp")));

    // A link to a regular file: the file gets the trace, the link stays a link.
    std::fs::create_dir(d.join("real")).unwrap();
    std::os::unix::fs::symlink("real/t.json", d.join("link.json")).unwrap();
    let (c, _, err) = run_in(d, &["explore", "irq_work", "--variant", "racy", "--save-trace", "link.json"]);
    assert_eq!(c, 1, "{err}");
    assert!(is_symlink(&d.join("link.json")));
    let text = std::fs::read_to_string(d.join("real/t.json")).unwrap();
    assert!(text.contains("\"format\": \"weaksim-trace\""));

    // A FIFO: the trace goes into it (a reader gets it whole), and it stays a FIFO.
    let fifo = d.join("pipe.json");
    mkfifo(&fifo);
    let reader = {
        let fifo = fifo.clone();
        std::thread::spawn(move || std::fs::read_to_string(fifo).unwrap())
    };
    let (c, _, err) = run_in(d, &["explore", "irq_work", "--variant", "racy", "--save-trace", "pipe.json"]);
    assert_eq!(c, 1, "{err}");
    let got = reader.join().unwrap();
    assert!(sim::Trace::from_json(&got, "pipe.json").is_ok(), "{got:.200}");
    assert!(is_fifo(&fifo));
    // Also for explain --dot.
    let fifo2 = d.join("g.dot");
    mkfifo(&fifo2);
    let reader = {
        let fifo = fifo2.clone();
        std::thread::spawn(move || std::fs::read_to_string(fifo).unwrap())
    };
    let (c, _, err) = run_in(d, &["explain", "real/t.json", "--dot", "g.dot"]);
    assert_eq!(c, 0, "{err}");
    assert!(reader.join().unwrap().starts_with("digraph"));
    assert!(is_fifo(&fifo2));
}

/// Item 1: an output may not be one of the inputs.
#[test]
fn an_output_may_not_be_an_input() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("in.ucode"), SB).unwrap();
    expect(
        d,
        &["explore", "in.ucode", "--save-trace", "in.ucode"],
        2,
        "weaksim: --save-trace in.ucode: this is also an input (in.ucode); writing it would destroy it: choose another file",
    );
    assert_eq!(std::fs::read_to_string(d.join("in.ucode")).unwrap(), SB);
    std::fs::write(d.join("t.json"), "{\"alu\": 1}").unwrap();
    expect(
        d,
        &["sweep", "irq_work", "--seeds", "0..2", "--timing", "t.json", "--out", "t.json"],
        2,
        "weaksim: --out t.json: this is also an input (t.json); writing it would destroy it: choose another file",
    );
    assert_eq!(std::fs::read_to_string(d.join("t.json")).unwrap(), "{\"alu\": 1}");
    let base =
        ["sweep", "irq_work", "--variants", "fixed", "--models", "sc", "--cores", "2", "--seeds", "0..8", "--quiet"];
    for k in ["1/2", "2/2"] {
        let out = format!("p{}.json", &k[..1]);
        let mut a = base.to_vec();
        a.extend(["--shard", k, "--out", &out]);
        let (c, _, err) = run_in(d, &a);
        assert_eq!(c, 0, "{err}");
    }
    let p1 = std::fs::read_to_string(d.join("p1.json")).unwrap();
    expect(
        d,
        &["merge", "p1.json", "p2.json", "--out", "p1.json"],
        2,
        "weaksim: --out p1.json: this is also an input (p1.json); writing it would destroy it: choose another file",
    );
    assert_eq!(std::fs::read_to_string(d.join("p1.json")).unwrap(), p1);
    let (c, _, err) = run_in(d, &["merge", "p1.json", "p2.json", "--out", "m.json"]);
    assert_eq!(c, 0, "{err}");
}

/// Item 2: inputs that never end (a FIFO, a device) are refused at once; a
/// file over the input limit is refused with the limit and how to raise it.
#[test]
fn inputs_are_bounded_and_regular() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    mkfifo(&d.join("f.ucode"));
    expect(
        d,
        &["explore", "f.ucode"],
        2,
        "weaksim: f.ucode: cannot read: it is a FIFO (named pipe), not a regular file (weaksim reads its inputs whole; save the data to a file first)",
    );
    for (name, args) in [
        ("z.litmus", vec!["litmus", "--model", "sc", "z.litmus"]),
        ("z.ucode", vec!["explore", "z.ucode"]),
        ("z.json", vec!["replay", "z.json"]),
        ("z.toml", vec!["run", "irq_work", "--scheduler", "timed", "--timing", "z.toml"]),
        ("zm.json", vec!["merge", "zm.json", "--out", "m.json"]),
        ("demo.toml", vec!["demo", "demo.toml"]),
    ] {
        std::os::unix::fs::symlink("/dev/zero", d.join(name)).unwrap();
        let (c, out, err) = run_in(d, &args);
        assert_eq!(c, 2, "{args:?}: {out}{err}");
        assert!(err.contains(&format!("{name}: cannot read: it is a character device, not a regular file")), "{err}");
    }
    // A journal that is a device: refused on --resume.
    std::os::unix::fs::symlink("/dev/zero", d.join("s.json.journal")).unwrap();
    let (c, _, err) = run_in(d, &["sweep", "irq_work", "--seeds", "0..2", "--out", "s.json", "--resume", "--quiet"]);
    assert_eq!(c, 2, "{err}");
    assert!(err.contains("it is a character device"), "{err}");

    // The limit, and raising it.
    std::fs::write(d.join("sb.ucode"), SB).unwrap();
    let mut c = weaksim(d, &["explore", "sb.ucode"]);
    c.env("WEAKSIM_MAX_INPUT", "100");
    let (code, _, err) = run(c);
    assert_eq!(code, 2);
    assert_eq!(
        err.trim(),
        "weaksim: sb.ucode: cannot read: it is larger than the input limit of 100 bytes (set WEAKSIM_MAX_INPUT, such as WEAKSIM_MAX_INPUT=1G, to raise it)"
    );
    let mut c = weaksim(d, &["explore", "sb.ucode"]);
    c.env("WEAKSIM_MAX_INPUT", "1K");
    assert!(run(c).0 <= 1);
    let mut c = weaksim(d, &["explore", "sb.ucode"]);
    c.env("WEAKSIM_MAX_INPUT", "lots");
    let (code, _, err) = run(c);
    assert_eq!((code, err.trim()), (2, "weaksim: WEAKSIM_MAX_INPUT=lots: expected a size such as 64M, 1G or 1048576"));
}

fn sweep_args<'a>(out: &'a str, seeds: &'a str) -> Vec<&'a str> {
    vec![
        "sweep",
        "irq_work",
        "--variants",
        "fixed",
        "--models",
        "sc",
        "--cores",
        "2",
        "--seeds",
        seeds,
        "--chunk",
        "10",
        "--threads",
        "1",
        "--quiet",
        "--out",
        out,
    ]
}

/// Item 3: one process at a time on a journal; a second sweep is refused, a
/// second resumer waits and then finds the work done.
#[test]
fn two_sweeps_on_one_journal() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let journal = d.join("c1.json.journal");
    // Long enough (thousands of runs) for the others to start while it runs.
    let args = sweep_args("c1.json", "0..4000");
    let mut first = weaksim(d, &args).stdout(Stdio::null()).stderr(Stdio::piped()).spawn().unwrap();
    let t0 = Instant::now();
    while std::fs::read_to_string(&journal).map_or(0, |t| t.lines().count()) < 2 {
        assert!(t0.elapsed() < Duration::from_secs(60), "no journal");
        std::thread::sleep(Duration::from_millis(10));
    }
    let (c, _, err) = run_in(d, &args);
    let second_done = first.try_wait().unwrap().is_some();
    assert!(second_done || c == 2, "exit {c}: {err}");
    if !second_done {
        assert_eq!(
            err.trim(),
            "weaksim: another weaksim sweep is writing c1.json (it holds the lock on c1.json.journal): wait for it to finish, or rerun with --resume to wait for it and then continue"
        );
    }
    let mut resume = args.clone();
    resume.push("--resume");
    let (c, _, err) = run_in(d, &resume);
    let status = first.wait().unwrap();
    assert_eq!(status.code(), Some(0));
    assert_eq!(c, 0, "{err}");
    assert!(
        err.contains("sweep: nothing left to do: c1.json already holds this sweep's results"),
        "the resumer should find the work done: {err}"
    );
    assert!(!journal.exists());
    let out: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(d.join("c1.json")).unwrap()).unwrap();
    assert_eq!(out["cells"][0]["runs"], 4000);
}

/// Item 11: a sweep whose work is all in its journal (killed after the last
/// unit, before its output was written and the journal removed) finishes on a
/// plain rerun instead of being refused as interrupted; and `.NAME.tmpPID`
/// leftovers of dead writers go.
#[test]
fn a_finished_journal_completes_on_a_plain_rerun_and_leftovers_go() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    // All the work is journaled, then the output cannot be written.
    std::os::unix::fs::symlink("/dev/full", d.join("o.json")).unwrap();
    let (c, _, err) = run_in(d, &sweep_args("o.json", "0..40"));
    assert_eq!(c, 2, "{err}");
    assert_eq!(std::fs::read_to_string(d.join("o.json.journal")).unwrap().lines().count(), 5);
    std::fs::remove_file(d.join("o.json")).unwrap();
    // A writer killed before its rename (pid 999999999 does not exist), and one still alive (this test).
    std::fs::write(d.join(".o.json.tmp999999999"), "torn").unwrap();
    let alive = format!(".o.json.tmp{}", std::process::id());
    std::fs::write(d.join(&alive), "being written").unwrap();
    let (c, _, err) = run_in(d, &sweep_args("o.json", "0..40"));
    assert_eq!(c, 0, "{err}");
    assert!(!d.join("o.json.journal").exists());
    assert!(!d.join(".o.json.tmp999999999").exists(), "a dead writer's leftover stays");
    assert!(d.join(&alive).exists(), "a live writer's temporary file was removed");
    let out: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(d.join("o.json")).unwrap()).unwrap();
    assert_eq!(out["cells"][0]["runs"], 40);
}

/// Item 10: journal lines that lie are refused with their line number.
#[test]
fn journals_that_lie_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::os::unix::fs::symlink("/dev/full", d.join("o.json")).unwrap();
    assert_eq!(run_in(d, &sweep_args("o.json", "0..40")).0, 2);
    std::fs::remove_file(d.join("o.json")).unwrap();
    let good = std::fs::read_to_string(d.join("o.json.journal")).unwrap();
    let lines: Vec<&str> = good.lines().collect();
    let unit1 = lines[2];
    let tamper = |from: &str, to: &str| good.replacen(from, to, 1);
    let cases = [
        (
            format!("{}{}\n", good, lines[1]),
            "o.json.journal:6: unit 0 is already on line 2 (two sweeps wrote this journal at once?); delete the journal to start over",
        ),
        (
            good.replace(unit1, &unit1.replace("\"cell\":0", "\"cell\":999")),
            "o.json.journal:3: a journal line that cannot be right: unit 1 is cell 0 seeds 10..20, but the line says cell 999 seeds 10..20 (delete the journal to start over)",
        ),
        (
            tamper("\"runs\":10,\"violations\":0", "\"runs\":10,\"violations\":11"),
            "o.json.journal:2: a journal line that cannot be right: unit 0: 11 violations, 0 step limits and 0 dead ends are more than its 10 runs (delete the journal to start over)",
        ),
        (
            tamper("\"runs\":10,", "\"runs\":1000000000000,"),
            "o.json.journal:2: a journal line that cannot be right: unit 0 has 10 seeds, but the line counts 1000000000000 runs (delete the journal to start over)",
        ),
        (
            tamper("\"unit\":0,", "\"unit\":77,"),
            "o.json.journal:2: a journal line that cannot be right: unit 77 is not a unit of this sweep (it has 4 units) (delete the journal to start over)",
        ),
    ];
    let _ = unit1;
    for (text, want) in cases {
        std::fs::write(d.join("o.json.journal"), &text).unwrap();
        let mut a = sweep_args("o.json", "0..40");
        a.push("--resume");
        expect(d, &a, 2, &format!("weaksim: {want}"));
    }
}

/// Item 10: merge inputs and timing files that lie are refused.
#[test]
fn outputs_and_timing_files_that_lie_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let mut a = sweep_args("p.json", "0..40");
    a.retain(|x| *x != "--chunk" && *x != "10");
    assert_eq!(run_in(d, &a).0, 0);
    let good = std::fs::read_to_string(d.join("p.json")).unwrap();
    let cases = [
        (
            good.replacen("\"violations\": 0", "\"violations\": 50", 1),
            "claim-cmpxchg sc 2 cores: 50 violations, 0 step limits and 0 dead ends are more than its 40 runs",
        ),
        (
            good.replacen("\"runs\": 40", "\"runs\": 1000000000000", 1),
            "claim-cmpxchg sc 2 cores: 1000000000000 runs, but its seed ranges hold 40 seeds",
        ),
        (
            good.replacen("\"shard\": null", "\"shard\": \"9/4\"", 1),
            "shard: --shard 9/4: k must be 1..=4 (shards are numbered 1 to n)",
        ),
    ];
    for (text, want) in cases {
        assert_ne!(text, good, "{want}");
        std::fs::write(d.join("bad.json"), text).unwrap();
        expect(
            d,
            &["merge", "bad.json", "--out", "m.json"],
            2,
            &format!("weaksim: bad.json: a sweep output that cannot be right: {want}"),
        );
    }
    std::fs::write(d.join("arr.json"), "[1,2,3]").unwrap();
    expect(
        d,
        &["run", "irq_work", "--scheduler", "timed", "--timing", "arr.json"],
        2,
        "weaksim: arr.json:1:1: expected a JSON object of timing settings such as {\"alu\": 1}, found `[`",
    );
}

/// Item 4: a litmus condition (or C code) nested 100,000 deep is refused, not a stack overflow.
#[test]
fn deep_litmus_conditions_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let head = "X86 t\n{}\n P0 ;\n MOV [x],$1 ;\n";
    for (name, cond) in [("paren.litmus", "(".repeat(100_000)), ("not.litmus", "~".repeat(100_000) + "x=1")] {
        std::fs::write(d.join(name), format!("{head}exists {cond}\n")).unwrap();
        expect(
            d,
            &["litmus", "--model", "sc", name],
            2,
            &format!("weaksim: {name}:5:208: condition nested too deeply (more than 200 levels of `(` and `~`)"),
        );
    }
    let c = format!("C t\n{{}}\nP0(int *x) {{ int r0 = {}1; }}\nexists (x=0)\n", "(".repeat(100_000));
    std::fs::write(d.join("c.litmus"), c).unwrap();
    let (code, _, err) = run_in(d, &["litmus", "--model", "sc", "c.litmus"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("c.litmus:3:") && err.contains("nested too deeply (more than 200 levels)"), "{err}");
}

/// Item 5: sizes are checked before anything is allocated; a huge seed range
/// starts at once, in little memory, because its work is generated lazily.
#[test]
fn sizes_are_checked_before_allocating() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    expect(
        d,
        &["explore", "irq_work", "--cores", "1099511627776"],
        2,
        "weaksim: --cores 1099511627776: expected 1..=64",
    );
    expect(d, &["run", "irq_work", "--cores", "1099511627776"], 2, "weaksim: --cores 1099511627776: expected 1..=64");
    expect(
        d,
        &["sweep", "irq_work", "--seeds", "0..=18446744073709551615", "--out", "o.json"],
        2,
        "weaksim: --seeds 0..=18446744073709551615: the last seed can be at most 18446744073709551614 (a range's end must fit in 64 bits)",
    );
    let mut child = weaksim(d, &sweep_args("big.csv", "0..9223372036854775808"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let journal = d.join("big.csv.journal");
    let t0 = Instant::now();
    while std::fs::read_to_string(&journal).map_or(0, |t| t.lines().count()) < 3 {
        assert!(t0.elapsed() < Duration::from_secs(30), "the huge sweep did not start working");
        assert!(child.try_wait().unwrap().is_none(), "the huge sweep ended");
        std::thread::sleep(Duration::from_millis(20));
    }
    let status = std::fs::read_to_string(format!("/proc/{}/status", child.id())).unwrap_or_default();
    let _ = child.kill();
    let _ = child.wait();
    if let Some(kb) = status.lines().find_map(|l| l.strip_prefix("VmHWM:")) {
        let kb: u64 = kb.trim().trim_end_matches("kB").trim().parse().unwrap();
        assert!(kb < 200_000, "peak RSS {kb} kB for a lazily generated sweep");
    }
}

/// Item 6: `--threads` is capped; a journal naming a cell that does not exist is bad input.
#[test]
fn thread_counts_are_capped() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    expect(d, &["explore", "irq_work", "--threads", "10000"], 2, "weaksim: --threads 10000: at most 1024");
    std::fs::write(d.join("sb.litmus"), "X86 t\n{}\n P0 ;\n MOV [x],$1 ;\nexists (x=1)\n").unwrap();
    expect(
        d,
        &["litmus", "--model", "sc", "--threads", "10000", "sb.litmus"],
        2,
        "weaksim: --threads 10000: at most 1024",
    );
}

/// Item 6: worker threads that do not fit in the address space (`ulimit -v`:
/// 500 threads of 2 MiB stacks in 60 MB or 200 MB) are refused before any is
/// started, exit 2 with a message: a thread started without room aborted the
/// process from inside the C library (exit 134). A count that fits still runs.
#[test]
fn thread_pools_that_cannot_start() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("sb.litmus"), "X86 t\n{}\n P0 ;\n MOV [x],$1 ;\nexists (x=1)\n").unwrap();
    let limited = |kb: u32, args: &str| {
        let mut c = Command::new("sh");
        c.current_dir(d).arg("-c").arg(format!("ulimit -v {kb} && exec \"$0\" {args}")).arg(bin());
        run(c)
    };
    let refused = |(c, out, err): (i32, String, String), kb: u32| {
        let err = err.trim();
        assert_eq!(c, 2, "{out}{err}");
        let (head, tail) = (
            "weaksim: --threads 500: 500 worker threads need about 2.0 GiB of address space, but only ",
            format!(" is left under the address-space limit (ulimit -v {kb}); use fewer --threads or raise the limit"),
        );
        assert!(err.starts_with(head) && err.ends_with(&tail) && !err.contains('\n'), "{err}");
    };
    for kb in [60_000, 200_000] {
        refused(limited(kb, "explore irq_work --variant racy --threads 500"), kb);
        refused(limited(kb, "litmus --model sc --threads 500 sb.litmus"), kb);
        refused(
            limited(
                kb,
                "sweep irq_work --variants fixed --models sc --cores 2 --seeds 0..4 --threads 500 --quiet --out o.json",
            ),
            kb,
        );
    }
    let (c, out, err) = limited(60_000, "explore irq_work --variant racy --threads 2");
    assert_eq!(c, 1, "{out}{err}");
    assert!(out.contains("VIOLATION"), "{out}");
}

/// Item 6: standard output on a full disk is exit 2 with a message, for every command that prints.
#[test]
fn stdout_on_a_full_disk_is_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("sb.ucode"), SB).unwrap();
    std::fs::write(d.join("sb.litmus"), "X86 t\n{}\n P0 ;\n MOV [x],$1 ;\nexists (x=1)\n").unwrap();
    let (c, _, err) = run_in(d, &["explore", "irq_work", "--variant", "racy", "--save-trace", "t.json"]);
    assert_eq!(c, 1, "{err}");
    std::os::unix::fs::symlink("/dev/full", d.join("full")).unwrap();
    let cases: Vec<Vec<&str>> = vec![
        vec!["explore", "irq_work"],
        vec!["run", "irq_work", "--runs", "5"],
        vec!["show", "irq_work"],
        vec!["replay", "t.json"],
        vec!["explain", "t.json"],
        vec!["litmus", "--model", "sc", "sb.litmus"],
        vec!["demo", "--print-script"],
        vec!["--help"],
        vec!["explore", "--help"],
        vec!["--version"],
        vec!["completions", "bash"],
        vec!["man"],
    ];
    for args in cases {
        let full = std::fs::OpenOptions::new().write(true).open(d.join("full")).unwrap();
        let mut c = weaksim(d, &args);
        c.stdout(full);
        let o = c.stderr(Stdio::piped()).output().unwrap();
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {err}");
        assert!(
            err.trim_end().ends_with("cannot write to standard output: No space left on device (os error 28)")
                || err.contains("No space left on device"),
            "{args:?}: {err}"
        );
        assert!(!err.contains("panicked"), "{args:?}: {err}");
        // Standard error on a full disk too: exit 2, no abort.
        let full = std::fs::OpenOptions::new().write(true).open(d.join("full")).unwrap();
        let mut c = weaksim(d, &["explore", "nothing.ucode"]);
        let o = c.stderr(full).stdout(Stdio::null()).output().unwrap();
        assert_eq!(o.status.code(), Some(2));
    }
    assert!(is_symlink(&d.join("full")));
}

/// Item 9: replaying a long trace costs little memory per step (the steps are
/// read without an intermediate document, and narrated as they go).
#[test]
fn replay_memory_per_step_is_small() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let p = isa::asm::parse("sym x\ncore 0 start=L\nL:\n    load r1, [x]\n    jmp L\n", "spin.ucode").unwrap();
    let n = 300_000;
    let steps = vec![
        sim::trace::Step {
            t: sim::Transition::Exec { core: 0, choice: 0 },
            label: "core 0: load".into(),
            cycle: None
        };
        n
    ];
    let t = sim::Trace::new(&p, "sc", "random", Some(1), steps);
    std::fs::write(d.join("long.json"), t.to_json()).unwrap();
    if let Ok(keep) = std::env::var("HOSTILE_KEEP_TRACE") {
        std::fs::copy(d.join("long.json"), keep).unwrap();
    }
    let size = std::fs::metadata(d.join("long.json")).unwrap().len();
    // 100 MB of heap and mappings: the file (30 MB) and 16 bytes a step fit;
    // reading the steps through a JSON document (860 bytes a step) did not.
    for quiet in [true, false] {
        let mut c = Command::new("sh");
        c.current_dir(d)
            .arg("-c")
            .arg("ulimit -d 100000 && exec \"$0\" replay long.json $1")
            .arg(bin())
            .arg(if quiet { "--quiet" } else { "" })
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        let o = c.output().unwrap();
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(0), "replay of {n} steps ({size} bytes) in 100 MB: {err}");
    }
}

/// Item 11: a trace's version is reported as found.
#[test]
fn trace_versions_are_reported_as_found() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    assert_eq!(run_in(d, &["explore", "irq_work", "--variant", "racy", "--save-trace", "t.json"]).0, 1);
    let good = std::fs::read_to_string(d.join("t.json")).unwrap();
    for (v, shown) in [
        ("18446744073709551616", "1.8446744073709552e+19"),
        ("null", "null"),
        ("\"1\"", "\"1\""),
        ("1.5", "1.5"),
        ("true", "true"),
        ("3", "3"),
    ] {
        std::fs::write(d.join("v.json"), good.replace("\"version\": 2", &format!("\"version\": {v}"))).unwrap();
        expect(
            d,
            &["replay", "v.json"],
            2,
            &format!("weaksim: v.json: trace format 'weaksim-trace' version {shown} is not supported (expected weaksim-trace version 2)"),
        );
    }
    std::fs::write(d.join("a.json"), "  [1, 2, 3]").unwrap();
    expect(
        d,
        &["replay", "a.json"],
        2,
        "weaksim: a.json:1:3: not a weaksim trace: expected a JSON object (a trace written by --save-trace)",
    );
}

/// Item 11: a byte-order mark and old Mac line ends are read as an editor shows them.
#[test]
fn bom_and_cr_line_ends_are_read() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("bom.ucode"), format!("\u{feff}{SB}")).unwrap();
    std::fs::write(d.join("cr.ucode"), SB.replace('\n', "\r")).unwrap();
    for f in ["bom.ucode", "cr.ucode"] {
        let (c, out, err) = run_in(d, &["explore", f, "--model", "sc"]);
        assert_eq!(c, 0, "{f}: {out}{err}");
        assert!(out.contains("NOT REACHABLE") || out.contains("not reachable"), "{f}: {out}");
    }
    std::fs::write(d.join("zw.ucode"), SB.replace("P1:\n", "P\u{200b}1:\n")).unwrap();
    expect(
        d,
        &["explore", "zw.ucode"],
        2,
        "weaksim: zw.ucode:9:2: unexpected character U+200B (an invisible character, or one that looks like a space: delete or retype it)",
    );
    std::fs::write(d.join("bad.ucode"), format!("\u{feff}{}", SB.replace("store [x], 1", "stor [x], 1"))).unwrap();
    expect(d, &["explore", "bad.ucode"], 2, "weaksim: bad.ucode:6:5: unknown mnemonic 'stor' (did you mean 'store'?)");
}

/// Item 1: an output that is a link to `/dev/null` (made here) is written
/// through the link: the run succeeds, the link stays a link and `/dev/null`
/// a character device. A plot or a DOT graph on a full device is exit 2 and
/// leaves the link, with no temporary file beside it.
#[test]
fn outputs_through_links_to_devices() {
    use std::os::unix::fs::FileTypeExt;
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::os::unix::fs::symlink("/dev/null", d.join("null.json")).unwrap();
    let (c, out, err) = run_in(d, &["explore", "irq_work", "--variant", "racy", "--save-trace", "null.json"]);
    assert_eq!(c, 1, "{out}{err}");
    assert!(is_symlink(&d.join("null.json")));
    assert!(std::fs::metadata("/dev/null").unwrap().file_type().is_char_device());
    assert_eq!(run_in(d, &["explore", "irq_work", "--variant", "racy", "--save-trace", "t.json"]).0, 1);
    std::os::unix::fs::symlink("/dev/full", d.join("full.dot")).unwrap();
    expect(
        d,
        &["explain", "t.json", "--dot", "full.dot"],
        2,
        "weaksim: full.dot: cannot write: No space left on device (os error 28)",
    );
    std::os::unix::fs::symlink("/dev/full", d.join("full.svg")).unwrap();
    let mut a = sweep_args("o.json", "0..4");
    a.extend(["--plot", "full.svg"]);
    expect(d, &a, 2, "weaksim: full.svg: cannot write: No space left on device (os error 28)");
    for f in ["full.dot", "full.svg", "null.json"] {
        assert!(is_symlink(&d.join(f)), "{f}");
    }
    let tmp: Vec<_> = std::fs::read_dir(d)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().to_string())
        .filter(|n| n.contains(".tmp"))
        .collect();
    assert!(tmp.is_empty(), "leftover temporary files: {tmp:?}");
}

/// Holds an exclusive `flock` on `p` (created if missing) until dropped.
fn hold_lock(p: &Path) -> std::fs::File {
    use std::os::fd::AsRawFd;
    let f = std::fs::OpenOptions::new().create(true).append(true).open(p).unwrap();
    // SAFETY: flock on a descriptor this `File` owns.
    assert_eq!(unsafe { libc::flock(f.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) }, 0);
    f
}

/// Item 3, without a race: while another process (this test) holds the
/// journal's lock, a plain sweep is refused with exit 2 and writes nothing,
/// and a `--resume` waits for the lock, then does the whole sweep.
#[test]
fn a_locked_journal_refuses_a_sweep_and_a_resumer_waits() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let journal = d.join("l.json.journal");
    let lock = hold_lock(&journal);
    let args = sweep_args("l.json", "0..40");
    expect(
        d,
        &args,
        2,
        "weaksim: another weaksim sweep is writing l.json (it holds the lock on l.json.journal): wait for it to finish, or rerun with --resume to wait for it and then continue",
    );
    assert_eq!(std::fs::metadata(&journal).unwrap().len(), 0, "the refused sweep wrote into the journal");
    assert!(!d.join("l.json").exists());
    let mut resume = args.clone();
    resume.push("--resume");
    let mut child = weaksim(d, &resume).stdout(Stdio::null()).stderr(Stdio::piped()).spawn().unwrap();
    // It waits as long as the lock is held (2 s here; the sweep alone takes well under that).
    std::thread::sleep(Duration::from_secs(2));
    assert!(child.try_wait().unwrap().is_none(), "the resumer did not wait for the lock");
    assert!(!d.join("l.json").exists());
    drop(lock);
    let o = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(0), "{err}");
    assert!(err.lines().any(|l| l == "sweep: waiting for the other sweep writing l.json to finish"), "{err}");
    let out: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(d.join("l.json")).unwrap()).unwrap();
    assert_eq!(out["cells"][0]["runs"], 40);
    assert!(!journal.exists());
}

/// Item 7: `--max-memory` takes units (`200M`, `2G`, `512MiB`; a bare number
/// is MiB), and a size it cannot read is exit 2 with the reason.
#[test]
fn max_memory_accepts_units() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("sb.ucode"), SB).unwrap();
    for cap in ["200M", "2G", "512MiB", "300"] {
        let (c, out, err) = run_in(d, &["explore", "sb.ucode", "--model", "tso", "--max-memory", cap]);
        assert_eq!(c, 1, "--max-memory {cap}: {out}{err}");
        assert!(out.contains("condition REACHABLE"), "--max-memory {cap}: {out}");
    }
    for (cap, why) in [
        ("12X", "unknown size unit 'x' in '12X' (use K, M, G or T)"),
        ("0", "size '0' is out of range"),
        ("lots", "'lots' is not a size (expected e.g. 200M, 2G or 512MiB)"),
    ] {
        let (c, _, err) = run_in(d, &["explore", "sb.ucode", "--max-memory", cap]);
        assert_eq!(c, 2, "--max-memory {cap}: {err}");
        let want = format!("error: invalid value '{cap}' for '--max-memory <MAX_MEMORY>': {why}");
        assert!(err.lines().any(|l| l == want), "--max-memory {cap}: stderr lacks\n{want}\ngot:\n{err}");
    }
}
