//! The TUI's front door: without a terminal it says so and exits 2; bad
//! arguments and scripts are bad input (exit 2); the demo script prints.

use assert_cmd::Command;

fn weaksim() -> Command {
    Command::cargo_bin("weaksim").expect("binary")
}

fn check(args: &[&str], code: i32, stderr_has: &str) {
    let out = weaksim().args(args).write_stdin("").output().expect("runs");
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(code), "weaksim {args:?}: {err}");
    assert!(err.contains(stderr_has), "weaksim {args:?}: stderr {err:?} lacks {stderr_has:?}");
}

#[test]
fn not_a_terminal_is_exit_2_with_a_message() {
    check(&[], 2, "the TUI needs a terminal");
    check(&["tui"], 2, "the TUI needs a terminal");
    check(&["tui", "irq_work", "--variant", "fixed", "--model", "arm", "--cores", "3"], 2, "needs a terminal");
    check(&["demo"], 2, "needs a terminal");
}

#[test]
fn bad_input_is_exit_2() {
    check(&["tui", "irq_work", "--variant", "nope"], 2, "unknown variant");
    check(&["tui", "irq_work", "--cores", "0"], 2, "--cores 0");
    check(&["tui", "--trace", "/nonexistent/t.json"], 2, "cannot read");
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.toml");
    std::fs::write(&bad, "title = \"x\"\n[[step]]\ntitle = \"a\"\n").unwrap();
    check(&["demo", bad.to_str().unwrap()], 2, "bad.toml");
}

#[test]
fn the_built_in_demo_script_prints() {
    let out = weaksim().args(["demo", "--print-script"]).output().expect("runs");
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stdout).contains("[[step]]"));
}
