//! `weaksim show`: print the microcode a workload generates, or that a litmus
//! test compiles to (`--model` picks how a Linux-kernel C test is lowered:
//! `tso`/`sc` the x86 mapping, `arm` the arm64 one, `lkmm` the LKMM tags).

use crate::target::TargetArgs;
use anyhow::Result;
use clap::Args;
use sim::Model;

#[derive(Args, Debug)]
pub struct ShowArgs {
    #[command(flatten)]
    pub target: TargetArgs,
    /// For a C litmus test: the model it is compiled for (sc, tso, arm, lkmm)
    #[arg(long, default_value = "tso", value_parser = super::ModelParser)]
    pub model: Model,
}

pub fn show(a: &ShowArgs) -> Result<u8> {
    let t = a.target.resolve_for(a.model.info().c_mapping)?;
    if let Some(cfg) = &t.irq_work {
        println!("; {} — {}", t.title, cfg.variant.summary());
    }
    print!("{}", isa::asm::print(&t.program));
    Ok(super::EXIT_OK)
}
