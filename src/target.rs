//! What to simulate: a generated workload (`irq_work` with its parameters) or a
//! program file (`.ucode`, `.litmus`).

use anyhow::{bail, Result};
use clap::Args;
use isa::litmus::c::Mapping;
use isa::Program;
use std::path::Path;
use workloads::{IrqWorkConfig, Variant};

/// The workload arguments shared by explore, run, show and tui.
#[derive(Args, Clone, Debug)]
pub struct TargetArgs {
    /// `irq_work`, or a `.ucode` / `.litmus` file
    pub target: String,
    /// irq_work variant: v3.6, busy-xchg (racy), plain-busy, claim-cmpxchg (fixed), claim-fetch-or, smp-mb
    #[arg(long, default_value = "busy-xchg")]
    pub variant: String,
    /// Number of cores
    #[arg(long, default_value_t = 2)]
    pub cores: usize,
    /// Which cores produce, e.g. `0,1` (default: all)
    #[arg(long, value_delimiter = ',')]
    pub producers: Option<Vec<usize>>,
    /// Writes per producer
    #[arg(long, default_value_t = 1)]
    pub writes: u64,
}

/// A program ready to run, with what generated it.
pub struct Target {
    pub program: Program,
    /// irq_work parameters when generated.
    pub irq_work: Option<IrqWorkConfig>,
    /// A short description for reports ("irq_work busy-xchg, 2 cores").
    pub title: String,
}

impl TargetArgs {
    pub fn irq_work_config(&self) -> Result<IrqWorkConfig> {
        let variant: Variant = self.variant.parse().map_err(anyhow::Error::msg)?;
        // Before anything is sized by it: `--cores 1099511627776` must not allocate.
        let max = workloads::irq_work::MAX_IRQ_WORK_CORES;
        if self.cores == 0 || self.cores > max {
            bail!("--cores {}: expected 1..={max}", self.cores);
        }
        let producers = self.producers.clone().unwrap_or_else(|| (0..self.cores).collect());
        let cfg = IrqWorkConfig { variant, cores: self.cores, producers, writes: self.writes };
        cfg.validate().map_err(anyhow::Error::msg)?;
        Ok(cfg)
    }

    pub fn resolve(&self) -> Result<Target> {
        self.resolve_for(Mapping::X86)
    }

    /// Like [`TargetArgs::resolve`], lowering a Linux-kernel C litmus test
    /// through `mapping` (LKMM tags, or the x86 or arm64 compilation).
    pub fn resolve_for(&self, mapping: Mapping) -> Result<Target> {
        if self.target == "irq_work" || self.target == "irq-work" {
            let cfg = self.irq_work_config()?;
            let program = workloads::irq_work_program(&cfg).map_err(anyhow::Error::msg)?;
            let title = format!("irq_work {}, {} cores", cfg.variant, cfg.cores);
            return Ok(Target { program, irq_work: Some(cfg), title });
        }
        let program = load_program_for(Path::new(&self.target), mapping)?;
        let title = format!("{} ({})", program.name, self.target);
        Ok(Target { program, irq_work: None, title })
    }
}

/// Reads a `.ucode` or `.litmus` file (a C litmus test through the x86 mapping).
pub fn load_program(path: &Path) -> Result<Program> {
    load_program_for(path, Mapping::X86)
}

/// Reads a `.ucode` or `.litmus` file; a C litmus test is lowered through `mapping`.
pub fn load_program_for(path: &Path, mapping: Mapping) -> Result<Program> {
    sweeps::programs::load_program(path, mapping)
}
