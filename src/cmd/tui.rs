//! `weaksim tui` (and `weaksim` with no arguments): the terminal front end.

use super::{EXIT_BAD_INPUT, EXIT_OK};
use crate::target::TargetArgs;
use anyhow::Result;
use clap::Args;
use sim::Model;
use std::path::PathBuf;
use std::sync::Arc;
use tui::{App, Options, Source};

#[derive(Args, Debug)]
pub struct TuiArgs {
    /// `irq_work` (the default), or a `.ucode` / `.litmus` file
    pub target: Option<String>,
    /// irq_work variant: v3.6, busy-xchg (racy), plain-busy, claim-cmpxchg (fixed), claim-fetch-or, smp-mb
    #[arg(long, default_value = "busy-xchg")]
    pub variant: String,
    /// Memory model
    #[arg(long, default_value = "tso", value_parser = super::ModelParser)]
    pub model: Model,
    /// Number of cores (irq_work)
    #[arg(long, default_value_t = 2)]
    pub cores: usize,
    /// Which cores produce, e.g. `0,1` (default: all)
    #[arg(long, value_delimiter = ',')]
    pub producers: Option<Vec<usize>>,
    /// Writes per producer
    #[arg(long, default_value_t = 1)]
    pub writes: u64,
    /// Seed of the random scheduler behind `space`
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Open a saved trace (weaksim explore --save-trace, or S in the TUI), ready to step through
    #[arg(long, conflicts_with = "target")]
    pub trace: Option<PathBuf>,
}

fn options(a: &TuiArgs) -> Result<Options> {
    let target = TargetArgs {
        target: a.target.clone().unwrap_or_else(|| "irq_work".into()),
        variant: a.variant.clone(),
        cores: a.cores,
        producers: a.producers.clone(),
        writes: a.writes,
    };
    let t = target.resolve()?;
    let source = match t.irq_work {
        Some(cfg) => Source::IrqWork(cfg),
        None => Source::Program(Arc::new(t.program)),
    };
    let trace = match &a.trace {
        Some(p) => Some((p.display().to_string(), super::replay::load_trace(p)?)),
        None => None,
    };
    Ok(Options { source, model: a.model.clone(), seed: a.seed, trace, save_dir: PathBuf::from(".") })
}

pub fn tui_cmd(a: &TuiArgs) -> Result<u8> {
    let opts = options(a)?;
    run(|| Ok(App::new(opts)?))
}

/// `weaksim` alone: the irq_work demo (racy, TSO, 2 cores).
pub fn default_tui() -> Result<u8> {
    let opts = Options::irq_work(workloads::Variant::BusyXchg, sim::models::get("tso")?, 2, 1);
    run(|| Ok(App::new(opts)?))
}

/// Builds the app and runs it in the terminal; not a terminal is bad input (exit 2).
pub fn run(app: impl FnOnce() -> Result<App>) -> Result<u8> {
    let not_a_terminal = |e: tui::TermError| {
        eprintln!("weaksim: {e}");
        Ok(EXIT_BAD_INPUT)
    };
    if let Err(e) = tui::check_terminal() {
        return not_a_terminal(e);
    }
    match tui::run_terminal(app()?) {
        Ok(()) => Ok(EXIT_OK),
        Err(e @ tui::TermError::NotATerminal(_)) => not_a_terminal(e),
        Err(e) => Err(e.into()),
    }
}
