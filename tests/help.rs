//! First contact: every subcommand's `--help` states its exit codes and shows an
//! example; shell completions and man pages generate.

use assert_cmd::Command;

fn run(args: &[&str]) -> (i32, String, String) {
    let o = Command::cargo_bin("weaksim").unwrap().args(args).output().unwrap();
    (
        o.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&o.stdout).into(),
        String::from_utf8_lossy(&o.stderr).into(),
    )
}

const SUBCOMMANDS: &[&str] = &[
    "explore",
    "run",
    "sweep",
    "merge",
    "litmus",
    "replay",
    "explain",
    "bench",
    "steady",
    "show",
    "tui",
    "demo",
    "completions",
    "man",
];

#[test]
fn every_subcommand_help_states_exit_codes_and_an_example() {
    for sub in SUBCOMMANDS {
        let (code, out, err) = run(&[sub, "--help"]);
        assert_eq!(code, 0, "{sub} --help: {err}");
        let codes = out.split("Exit codes:").nth(1).unwrap_or_else(|| panic!("{sub} --help has no exit codes:\n{out}"));
        assert!(codes.contains("\n  0  "), "{sub}: exit 0 undescribed:\n{out}");
        assert!(codes.contains("\n  2  "), "{sub}: exit 2 undescribed:\n{out}");
        let example = out.split("Example").nth(1).unwrap_or_else(|| panic!("{sub} --help has no example:\n{out}"));
        assert!(example.contains(&format!("weaksim {sub}")), "{sub}: the example does not run {sub}:\n{out}");
    }
    // The searches say what 1 and 3 mean.
    let (_, out, _) = run(&["explore", "--help"]);
    assert!(out.contains("\n  1  violation") && out.contains("\n  3  bounded"), "{out}");
}

#[test]
fn top_level_help_lists_completions_and_man() {
    let (code, out, _) = run(&["--help"]);
    assert_eq!(code, 0);
    assert!(out.contains("completions") && out.contains("man"), "{out}");
}

#[test]
fn completions_generate_for_each_shell() {
    for (shell, marker) in
        [("bash", "_weaksim()"), ("zsh", "#compdef weaksim"), ("fish", "complete -c weaksim"), ("elvish", "weaksim")]
    {
        let (code, out, err) = run(&["completions", shell]);
        assert_eq!(code, 0, "{shell}: {err}");
        assert!(out.contains(marker), "{shell}: no {marker:?} in\n{out}");
        for sub in ["explore", "litmus", "replay"] {
            assert!(out.contains(sub), "{shell}: completion script misses {sub}");
        }
    }
    // The flags of a subcommand complete too.
    let (_, bash, _) = run(&["completions", "bash"]);
    assert!(bash.contains("--save-trace") && bash.contains("--max-states"), "bash completions lack explore's flags");
}

#[test]
fn completions_for_an_unknown_shell_is_bad_input() {
    let (code, _, err) = run(&["completions", "tcsh"]);
    assert_eq!(code, 2);
    assert!(err.contains("tcsh"), "{err}");
}

#[test]
fn man_page_renders_to_stdout() {
    let (code, out, err) = run(&["man"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.starts_with(".ie") || out.contains(".TH weaksim 1"), "not roff:\n{out}");
    assert!(out.contains(".TH weaksim 1"), "{out}");
    assert!(out.contains("explore") && out.contains("litmus"), "subcommands missing:\n{out}");
}

#[test]
fn man_dir_writes_one_page_per_subcommand() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().join("man1");
    let (code, _, err) = run(&["man", "--dir", d.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    for page in ["weaksim.1", "weaksim-explore.1", "weaksim-litmus.1", "weaksim-completions.1"] {
        let text = std::fs::read_to_string(d.join(page)).unwrap_or_else(|e| panic!("{page}: {e}"));
        assert!(text.contains(".TH"), "{page} is not roff");
    }
    let explore = std::fs::read_to_string(d.join("weaksim-explore.1")).unwrap();
    assert!(explore.contains("Exit codes"), "the man page of explore lacks its exit codes");
}
