//! `weaksim demo`: the guided classroom walkthrough (a script file; see docs/classroom.md).

use anyhow::Result;
use clap::Args;
use std::path::PathBuf;
use tui::{App, Options};

#[derive(Args, Debug)]
pub struct DemoArgs {
    /// A demo script (TOML); default: the built-in irq_work walkthrough
    pub script: Option<PathBuf>,
    /// Print the built-in script (a starting point for your own) and exit
    #[arg(long)]
    pub print_script: bool,
}

pub fn demo_cmd(a: &DemoArgs) -> Result<u8> {
    if a.print_script {
        print!("{}", tui::demo::DEFAULT_SCRIPT);
        return Ok(super::EXIT_OK);
    }
    let (text, name) = match &a.script {
        Some(p) => (super::read_text(p)?, p.display().to_string()),
        None => (tui::demo::DEFAULT_SCRIPT.to_string(), "the built-in demo script".to_string()),
    };
    let script = tui::demo::parse(&text, &name)?;
    super::tui::run(|| {
        let opts = Options::irq_work(workloads::Variant::BusyXchg, sim::models::get("tso")?, 2, 1);
        let mut app = App::new(opts)?;
        tui::demo::start(&mut app, script);
        Ok(app)
    })
}
