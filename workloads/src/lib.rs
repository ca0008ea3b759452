//! Workloads: programs generated from parameters. The flagship is
//! [`irq_work`], the Linux kernel's irq_work algorithm in six variants.

pub mod irq_work;
pub mod litmus;
pub mod steady;

pub use irq_work::{generate as irq_work_program, ConfigError, IrqWorkConfig, Variant};
