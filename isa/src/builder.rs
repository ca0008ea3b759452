//! Builds programs from Rust (the workload generators use it), with forward
//! label references resolved at the end.

use crate::instr::{Instr, Pc, Reg, SymId};
use crate::program::{CoreSpec, Label, Program, Symbol, Value};

/// A program under construction.
pub struct Builder {
    prog: Program,
    /// (instruction index, label name) pairs whose target is patched in `finish`.
    fixups: Vec<(usize, String)>,
}

/// Placeholder target used until a label is resolved.
const UNRESOLVED: Pc = Pc::MAX;

impl Builder {
    pub fn new(name: &str) -> Builder {
        Builder { prog: Program::empty(name), fixups: Vec::new() }
    }

    /// Declares a memory word.
    pub fn sym(&mut self, name: &str, init: Value) -> SymId {
        self.prog.symbols.push(Symbol::new(name, init));
        (self.prog.symbols.len() - 1) as SymId
    }

    /// Looks up an already declared symbol.
    pub fn sym_id(&self, name: &str) -> SymId {
        self.prog.sym_by_name(name).unwrap_or_else(|| panic!("builder: unknown symbol {name}"))
    }

    /// Places a label at the next instruction.
    pub fn label(&mut self, name: &str) {
        let pc = self.prog.code.len() as Pc;
        self.prog.labels.push(Label { name: name.to_string(), pc });
    }

    pub fn here(&self) -> Pc {
        self.prog.code.len() as Pc
    }

    /// Emits an instruction.
    pub fn emit(&mut self, i: Instr) {
        self.prog.code.push(i);
    }

    /// Emits a control-flow instruction whose target is the label `to`.
    pub fn emit_to(&mut self, i: Instr, to: &str) {
        self.fixups.push((self.prog.code.len(), to.to_string()));
        self.prog.code.push(i.with_target(UNRESOLVED));
    }

    pub fn core(&mut self, spec: CoreSpec) {
        self.prog.cores.push(spec);
    }

    pub fn reg_name(&mut self, r: Reg, name: &str) {
        let i = r as usize;
        if self.prog.reg_names.len() <= i {
            self.prog.reg_names.resize(i + 1, String::new());
        }
        self.prog.reg_names[i] = name.to_string();
    }

    pub fn program_mut(&mut self) -> &mut Program {
        &mut self.prog
    }

    pub fn label_pc(&self, name: &str) -> Pc {
        self.prog.label_pc(name).unwrap_or_else(|| panic!("builder: unknown label {name}"))
    }

    /// Resolves labels and returns the program. Panics on an unknown label:
    /// builders are driven by code, so that is a programming error.
    pub fn finish(mut self) -> Program {
        for (at, name) in std::mem::take(&mut self.fixups) {
            let pc = self.label_pc(&name);
            self.prog.code[at] = self.prog.code[at].with_target(pc);
            self.prog.set_target_label(at, &name);
        }
        if let Err(e) = self.prog.validate() {
            panic!("builder produced an invalid program: {e}");
        }
        self.prog
    }
}
