//! `weaksim merge`: joins the JSON outputs of a sweep's shards into the output
//! the whole sweep gives in one process (CSV or JSON), optionally with its plot.

use anyhow::{bail, Result};
use clap::Args;
use std::path::PathBuf;
use sweeps::output as cells;

#[derive(Args, Debug)]
pub struct MergeArgs {
    /// The shards' JSON outputs (`weaksim sweep ... --shard k/n --out part-k.json`)
    #[arg(required = true)]
    pub inputs: Vec<PathBuf>,
    /// The merged results: a .csv or .json file
    #[arg(long)]
    pub out: PathBuf,
    /// Also draw the rates as an SVG
    #[arg(long)]
    pub plot: Option<PathBuf>,
    #[command(flatten)]
    pub plot_opts: super::plot::PlotOpts,
    /// Write the merge even when some shards are missing (marked incomplete)
    #[arg(long)]
    pub allow_partial: bool,
}

pub fn merge_cmd(a: &MergeArgs) -> Result<u8> {
    cells::out_kind(&a.out)?;
    if let Some(p) = &a.plot {
        super::plot::check_path(p)?;
        super::check_not_input("--plot", p, a.inputs.iter().map(|p| p.as_path()))?;
    }
    super::check_not_input("--out", &a.out, a.inputs.iter().map(|p| p.as_path()))?;
    let mut spec = None;
    let mut parts = Vec::new();
    for path in &a.inputs {
        let o = cells::read_output(path)?;
        match &spec {
            None => spec = Some(o.sweep.clone()),
            Some(s) if *s != o.sweep => bail!(
                "{}: this output is from a different sweep than {} (other variants, models, cores, seeds, \
                 scheduler, timing, writes or chunk): only shards of one sweep can be merged",
                path.display(),
                a.inputs[0].display()
            ),
            Some(_) => {}
        }
        parts.extend(o.cells);
    }
    let spec = spec.expect("clap requires at least one input");
    let out = cells::assemble(&spec, Some("merged".into()), &parts)?;
    if !out.complete {
        let gaps = cells::missing(&out);
        let shown: Vec<&String> = gaps.iter().take(5).collect();
        let more = if gaps.len() > 5 { format!(" (and {} more cells)", gaps.len() - 5) } else { String::new() };
        let what = shown.iter().map(|s| s.as_str()).collect::<Vec<_>>().join("; ");
        if !a.allow_partial {
            bail!("the shards do not cover the whole sweep (a shard missing?): {what}{more}; pass --allow-partial to merge anyway");
        }
        eprintln!("merge: incomplete: {what}{more}");
    }
    cells::write_output(&a.out, &out)?;
    if let Some(p) = &a.plot {
        super::plot::plot(p, &out, &a.plot_opts)?;
    }
    eprintln!(
        "merge: {} input(s), {} cells, {} runs; wrote {}",
        a.inputs.len(),
        out.cells.len(),
        out.cells.iter().map(|c| c.runs).sum::<u64>(),
        a.out.display()
    );
    super::sweep::print_table(&out);
    Ok(super::EXIT_OK)
}
