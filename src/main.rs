//! The `weaksim` command line: parses arguments and calls the library crates.

use weaksim::cmd;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

#[derive(Parser, Debug)]
#[command(
    name = "weaksim",
    version,
    about = "Cycle-level multicore simulator with pluggable memory models (SC, x86-TSO, ARM)"
)]
struct Cli {
    #[command(subcommand)]
    cmd: Option<Cmd>,
}

#[derive(Subcommand, Debug)]
enum Cmd {
    /// Exhaustive search: is lost work (or the file's condition) reachable?
    Explore(cmd::explore::ExploreArgs),
    /// Seeded runs (random or timed scheduler): how often does it happen, and which seed shows it?
    Run(cmd::run::RunArgs),
    /// Race rates over variants × models × cores × seeds: CSV/JSON with confidence intervals, plots, shards
    Sweep(cmd::sweep::SweepArgs),
    /// Join the JSON outputs of a sweep's shards
    Merge(cmd::merge::MergeArgs),
    /// Run herd7 .litmus tests under a model (herd's output block, or JSON lines)
    #[command(after_help = "Exit codes:\n  \
        0  every file ran to a verdict (Ok or No: the condition's answer is in the output, as with herd7)\n  \
        2  some file could not run (unreadable, not parsed, unsupported, or it faulted: mixed-size access); \
        the others still print\n  \
        3  some file was stopped by a search bound (--max-states): it prints `Bounded`, never a verdict\n\
        When both 2 and 3 apply, the exit code is 2.")]
    Litmus(cmd::litmus::LitmusArgs),
    /// Replay a saved trace, step by step
    Replay(cmd::replay::ReplayArgs),
    /// Why a trace's outcome is not sequentially consistent: its execution graph, the cycle in words, DOT/SVG
    Explain(cmd::explain::ExplainArgs),
    /// Measure the engine: states/s of exhaustive search, transitions/s of random runs
    Bench(cmd::bench::BenchArgs),
    /// Print the microcode a workload generates
    Show(cmd::show::ShowArgs),
    /// Step the machine in the terminal: store buffers, irq_work queues, the race and its fix
    Tui(cmd::tui::TuiArgs),
    /// Guided classroom walkthrough of the irq_work race and its fixes (a script file)
    Demo(cmd::demo::DemoArgs),
}

fn main() -> ExitCode {
    // Like any Unix filter: `weaksim ... | head` ends quietly when the reader goes away.
    #[cfg(unix)]
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let code = if e.use_stderr() { cmd::EXIT_BAD_INPUT } else { cmd::EXIT_OK };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    let res = match &cli.cmd {
        Some(Cmd::Explore(a)) => cmd::explore::explore_cmd(a),
        Some(Cmd::Run(a)) => cmd::run::run_cmd(a),
        Some(Cmd::Sweep(a)) => cmd::sweep::sweep_cmd(a),
        Some(Cmd::Merge(a)) => cmd::merge::merge_cmd(a),
        Some(Cmd::Replay(a)) => cmd::replay::replay_cmd(a),
        Some(Cmd::Explain(a)) => cmd::explain::explain_cmd(a),
        Some(Cmd::Litmus(a)) => cmd::litmus::litmus_cmd(a),
        Some(Cmd::Show(a)) => cmd::show::show(a),
        Some(Cmd::Tui(a)) => cmd::tui::tui_cmd(a),
        Some(Cmd::Demo(a)) => cmd::demo::demo_cmd(a),
        Some(Cmd::Bench(a)) => cmd::bench::bench_cmd(a),
        None => cmd::tui::default_tui(),
    };
    match res {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            eprintln!("weaksim: {e:#}");
            ExitCode::from(cmd::EXIT_BAD_INPUT)
        }
    }
}
