//! Plain-words labels for transitions ("core 1: load r2, [flags] — reads 3 from
//! memory") and for what a step did. Front ends print these; nothing here prints.

use crate::machine::Machine;
use crate::transition::Transition;
use memmodels::{MemoryModel, Source};

impl<M: MemoryModel> Machine<M> {
    /// Where core `c` is, as `label+offset`.
    pub fn where_is(&self, c: usize) -> String {
        self.prog().location(self.state.cores[c].pc)
    }

    /// Text of core `c`'s next instruction.
    pub fn next_text(&self, c: usize) -> String {
        self.prog().shown_instr(self.state.cores[c].pc as usize)
    }

    /// A plain-words label for `t` in the current state (before it is applied).
    pub fn label(&self, t: Transition) -> String {
        let p = self.prog();
        match t {
            Transition::Interrupt { core } => {
                let h = p.cores[core as usize].handler.map(|h| p.location(h)).unwrap_or_default();
                format!("core {core}: takes its interrupt → {h}")
            }
            Transition::Promise { core, loc, val } => {
                format!("core {core}: promises {} := {}", p.sym_name(loc), value_text(p, val))
            }
            Transition::Internal { core, .. } => {
                let pend = self.pending(core as usize);
                match pend.first() {
                    Some(e) => {
                        format!("core {core}: drain {} := {} to memory", p.sym_name(e.loc as u16), value_text(p, e.val))
                    }
                    None => format!("core {core}: internal step"),
                }
            }
            Transition::Exec { core, choice } => {
                let c = core as usize;
                let second = choice & crate::machine::SECOND_HALF != 0;
                let text = self.prog().shown_instr(self.state.cores[c].pc as usize + second as usize);
                let head = format!("core {core}: {text}");
                match self.request_for(c, choice) {
                    Err(f) => format!("{head} — faults: {}", f.what),
                    Ok(None) => head,
                    Ok(Some(req)) => {
                        let pv = self.preview_request(c, &req, choice & !crate::machine::SECOND_HALF);
                        let loc = req.loc().map(|l| p.sym_name(l as u16).to_string()).unwrap_or_default();
                        let from = match pv.source {
                            Source::Memory => "from memory".to_string(),
                            Source::OwnBuffer => "from its own store buffer".to_string(),
                            Source::Message(0) => "from the initial value".to_string(),
                            Source::Message(ts) => format!("from the write at timestamp {ts}"),
                        };
                        match (&req, pv.read, pv.wrote) {
                            (memmodels::Request::Load { .. }, Some(v), _) => {
                                format!("{head} — reads {} {from}", value_text(p, v))
                            }
                            (memmodels::Request::Store { exclusive: true, .. }, Some(1), _) => {
                                format!("{head} — store-exclusive fails")
                            }
                            (memmodels::Request::Store { .. }, _, Some(v)) if pv.buffered => {
                                format!("{head} — {loc} := {} into its store buffer", value_text(p, v))
                            }
                            (memmodels::Request::Store { .. }, _, Some(v)) => {
                                format!("{head} — {loc} := {}", value_text(p, v))
                            }
                            (memmodels::Request::Rmw { .. }, Some(old), Some(new)) => {
                                format!("{head} — reads {} {from}, writes {}", value_text(p, old), value_text(p, new))
                            }
                            (memmodels::Request::Rmw { .. }, Some(old), None) => {
                                format!("{head} — reads {} {from}, compare fails: no write", value_text(p, old))
                            }
                            _ => head,
                        }
                    }
                }
            }
        }
    }
}

/// A value as a person reads it: `&sym` when it is the address of a memory
/// word; signed from 2^63 up (`-5`, not 18446744073709551611), as the
/// assembler's printer writes numbers and as a program writes negative ones.
pub fn value_text(p: &isa::Program, v: u64) -> String {
    match p.sym_at(v) {
        Some(s) => format!("&{}", p.sym_name(s)),
        None if v > i64::MAX as u64 => (v as i64).to_string(),
        None => v.to_string(),
    }
}
