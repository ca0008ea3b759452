//! Program files a sweep (or any front end) runs: `.ucode` and `.litmus`.

use anyhow::{bail, Result};
use isa::litmus::c::Mapping;
use isa::Program;
use std::path::Path;

/// Reads a `.ucode` or `.litmus` file; a C litmus test is lowered through `mapping`.
pub fn load_program(path: &Path, mapping: Mapping) -> Result<Program> {
    let text = read_program_text(path)?;
    parse_program(path, &text, mapping)
}

/// The text of a `.ucode` or `.litmus` file (other extensions refused).
pub fn read_program_text(path: &Path) -> Result<String> {
    let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
    if !matches!(ext, "litmus" | "ucode" | "uc") {
        bail!("{}: expected `irq_work`, a .ucode file or a .litmus file", path.display());
    }
    Ok(sim::files::read_text(path)?)
}

/// Parses a program file's text by its extension.
pub fn parse_program(path: &Path, text: &str, mapping: Mapping) -> Result<Program> {
    let file = path.display().to_string();
    match path.extension().and_then(|e| e.to_str()) {
        Some("litmus") => Ok(isa::litmus::parse_with(text, &file, mapping)?.program),
        Some("ucode") | Some("uc") => Ok(isa::asm::assemble(text, &file)?),
        _ => bail!("{file}: expected `irq_work`, a .ucode file or a .litmus file"),
    }
}
