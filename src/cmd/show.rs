//! `weaksim show`: print the microcode a workload generates.

use crate::target::TargetArgs;
use anyhow::Result;

pub fn show(args: &TargetArgs) -> Result<u8> {
    let t = args.resolve()?;
    if let Some(cfg) = &t.irq_work {
        println!("; {} — {}", t.title, cfg.variant.summary());
    }
    print!("{}", isa::asm::print(&t.program));
    Ok(super::EXIT_OK)
}
