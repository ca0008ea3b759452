//! The `weaksim` command line: parses arguments and calls the library crates.

mod cli_help;

use weaksim::cmd;

use clap::{CommandFactory, Parser, Subcommand};
use std::io::Write;
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
    #[command(after_help = cli_help::EXPLORE)]
    Explore(cmd::explore::ExploreArgs),
    /// Seeded runs (random or timed scheduler): how often does it happen, and which seed shows it?
    #[command(after_help = cli_help::RUN)]
    Run(cmd::run::RunArgs),
    /// Race rates over variants × models × cores × seeds: CSV/JSON with confidence intervals, plots, shards
    #[command(after_help = cli_help::SWEEP)]
    Sweep(cmd::sweep::SweepArgs),
    /// Join the JSON outputs of a sweep's shards
    #[command(after_help = cli_help::MERGE)]
    Merge(cmd::merge::MergeArgs),
    /// Run herd7 .litmus tests under a model (herd's output block, or JSON lines)
    #[command(after_help = cli_help::LITMUS)]
    Litmus(cmd::litmus::LitmusArgs),
    /// Replay a saved trace, step by step
    #[command(after_help = cli_help::REPLAY)]
    Replay(cmd::replay::ReplayArgs),
    /// Why a trace's outcome is not sequentially consistent: its execution graph, the cycle in words, DOT/SVG
    #[command(after_help = cli_help::EXPLAIN)]
    Explain(cmd::explain::ExplainArgs),
    /// Steady-state irq_work: producers queue again and again with a think time; lost work per operation
    #[command(after_help = cli_help::STEADY)]
    Steady(cmd::steady::SteadyArgs),
    /// SB, MP, LB, IRIW, 2+2W and fenced variants under the timed scheduler, beside hardware observations
    #[command(after_help = cli_help::CALIBRATE)]
    Calibrate(cmd::calibrate::CalibrateArgs),
    /// Measure the engine: states/s of exhaustive search, transitions/s of random runs
    #[command(after_help = cli_help::BENCH)]
    Bench(cmd::bench::BenchArgs),
    /// Correctness campaign: an exhaustive engine against the model's axiomatic checker on generated programs
    #[command(after_help = cli_help::FUZZ_MODELS)]
    FuzzModels(cmd::fuzz_models::FuzzModelsArgs),
    /// Print the microcode a workload generates
    #[command(after_help = cli_help::SHOW)]
    Show(cmd::show::ShowArgs),
    /// Step the machine in the terminal: store buffers, irq_work queues, the race and its fix
    #[command(after_help = cli_help::TUI)]
    Tui(cmd::tui::TuiArgs),
    /// Guided classroom walkthrough of the irq_work race and its fixes (a script file)
    #[command(after_help = cli_help::DEMO)]
    Demo(cmd::demo::DemoArgs),
    /// Print a shell completion script (bash, zsh, fish, elvish, powershell)
    #[command(after_help = cli_help::COMPLETIONS)]
    Completions {
        /// The shell
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff), or write every page into a folder
    #[command(after_help = cli_help::MAN)]
    Man {
        /// Write weaksim.1 and one page per subcommand (weaksim-explore.1, ...) into this folder
        #[arg(long)]
        dir: Option<std::path::PathBuf>,
    },
}

fn main() -> ExitCode {
    // Like any Unix filter: `weaksim ... | head` ends quietly when the reader goes away.
    #[cfg(unix)]
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
    quiet_output_failures();
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let code = if e.use_stderr() { cmd::EXIT_BAD_INPUT } else { cmd::EXIT_OK };
            // `--help` or `--version` to a full disk is a failure, not a silent success.
            if let Err(err) = e.print().and_then(|_| std::io::stdout().flush()) {
                let stream = if e.use_stderr() { "standard error" } else { "standard output" };
                let _ = writeln!(std::io::stderr(), "weaksim: cannot write to {stream}: {err}");
                return ExitCode::from(cmd::EXIT_BAD_INPUT);
            }
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
        Some(Cmd::Calibrate(a)) => cmd::calibrate::calibrate_cmd(a),
        Some(Cmd::Bench(a)) => cmd::bench::bench_cmd(a),
        Some(Cmd::Steady(a)) => cmd::steady::steady_cmd(a),
        Some(Cmd::FuzzModels(a)) => cmd::fuzz_models::fuzz_models_cmd(a),
        Some(Cmd::Completions { shell }) => completions(*shell),
        Some(Cmd::Man { dir }) => man(dir.as_deref()),
        None => cmd::tui::default_tui(),
    };
    // What is still buffered must reach its file: a failure here is a failure of the command.
    let flushed = std::io::stdout().flush();
    match (res, flushed) {
        (Ok(_), Err(e)) => {
            let _ = writeln!(std::io::stderr(), "weaksim: cannot write to standard output: {e}");
            ExitCode::from(cmd::EXIT_BAD_INPUT)
        }
        (Ok(code), Ok(())) => ExitCode::from(code),
        (Err(e), _) => {
            let _ = writeln!(std::io::stderr(), "weaksim: {e:#}");
            ExitCode::from(cmd::EXIT_BAD_INPUT)
        }
    }
}

/// Output that cannot be written (standard output or error on a full disk, a
/// closed descriptor) ends the command with exit 2 and a one-line message,
/// not a panic: `println!` and friends panic on a write error, and this hook
/// turns exactly that panic into a clean exit. (A reader that went away,
/// `weaksim ... | head`, ends the process quietly through SIGPIPE first.)
fn quiet_output_failures() {
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let msg = info
            .payload()
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| info.payload().downcast_ref::<&str>().copied())
            .unwrap_or("");
        if let Some(why) = msg.strip_prefix("failed printing to stdout: ") {
            let _ = writeln!(std::io::stderr(), "weaksim: cannot write to standard output: {why}");
            std::process::exit(cmd::EXIT_BAD_INPUT.into());
        }
        if msg.starts_with("failed printing to stderr") {
            std::process::exit(cmd::EXIT_BAD_INPUT.into());
        }
        default(info)
    }));
}

/// `weaksim completions SHELL`: the completion script on stdout.
fn completions(shell: clap_complete::Shell) -> anyhow::Result<u8> {
    let mut cmd = Cli::command();
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut cmd, "weaksim", &mut script);
    std::io::stdout().write_all(&script).map_err(|e| anyhow::anyhow!("cannot write to standard output: {e}"))?;
    Ok(cmd::EXIT_OK)
}

/// `weaksim man`: the top page on stdout, or with `--dir` every page as files.
fn man(dir: Option<&std::path::Path>) -> anyhow::Result<u8> {
    use anyhow::Context;
    let cmd = Cli::command();
    match dir {
        None => clap_mangen::Man::new(cmd).render(&mut std::io::stdout()).context("cannot write the man page")?,
        Some(d) => {
            std::fs::create_dir_all(d).with_context(|| format!("{}: cannot create the folder", d.display()))?;
            clap_mangen::generate_to(cmd, d).with_context(|| format!("{}: cannot write the man pages", d.display()))?;
            println!("man pages written to {}", d.display());
        }
    }
    Ok(cmd::EXIT_OK)
}
