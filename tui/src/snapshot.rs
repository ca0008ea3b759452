//! What the screen shows, as plain data: computed from the machine after each
//! update, so that drawing is a pure function of the app and cheap.

use isa::Program;
use memmodels::InFlight;
use sim::Transition;
use sim::{AnyMachine, Model, Status};
use std::sync::Arc;

/// One line of a program listing: a label line or an instruction.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ListingLine {
    /// The instruction's address (None for a label line).
    pub pc: Option<isa::Pc>,
    pub text: String,
}

/// The listing of a whole program, labels on their own lines.
pub fn listing(p: &Program) -> Arc<Vec<ListingLine>> {
    let mut out = Vec::with_capacity(p.code.len() + p.labels.len());
    for (pc, i) in p.code.iter().enumerate() {
        for l in p.labels.iter().filter(|l| l.pc as usize == pc) {
            out.push(ListingLine { pc: None, text: format!("{}:", l.name) });
        }
        out.push(ListingLine { pc: Some(pc as isa::Pc), text: isa::disasm::instr_text(p, i) });
    }
    Arc::new(out)
}

/// A register and its value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RegView {
    pub name: String,
    pub value: u64,
    /// `&sym` for an address, else the number.
    pub text: String,
    pub changed: bool,
}

/// One core, as shown.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CoreView {
    /// The label the core starts at ("producer", "idle", "P0").
    pub role: String,
    pub pc: isa::Pc,
    /// `label+offset` of the next instruction.
    pub location: String,
    /// Text of the next instruction (or "halted").
    pub next: String,
    pub halted: bool,
    pub irq_enabled: bool,
    pub irq_pending: bool,
    pub in_handler: bool,
    pub has_handler: bool,
    pub regs: Vec<RegView>,
    /// Store buffer entries or promises, oldest first, as text.
    pub pending: Vec<String>,
    pub pending_changed: bool,
    /// Why the next instruction must wait, if it must.
    pub blocked: Option<String>,
    /// This core's irq_work list drawn from memory (`head0 → work → ∅`), when the program has one.
    pub queue: Option<String>,
    pub pc_changed: bool,
    /// Extra model-specific lines (ARM: views, why a read is blocked).
    pub notes: Vec<String>,
}

/// One memory word, as shown.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MemRow {
    pub name: String,
    pub value: u64,
    pub text: String,
    /// Decoded meaning: flag bits, what func() last read, a list link.
    pub note: String,
    pub changed: bool,
}

/// One enabled transition with its label.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EnabledRow {
    pub t: Transition,
    pub label: String,
    /// The loaded trace's next step.
    pub planned: bool,
}

/// Everything a frame draws of one machine.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Snapshot {
    pub model: Model,
    /// What each core's pending entries are (store buffer entries, promises).
    pub in_flight: InFlight,
    pub cores: Vec<CoreView>,
    pub memory: Vec<MemRow>,
    pub enabled: Vec<EnabledRow>,
    pub status: Status,
    /// Transitions applied since the start (eager local steps included).
    pub transitions: u64,
}

/// What the snapshot needs besides the machine.
pub struct Extra<'a> {
    /// Per symbol: what func() last read from it (`observe`).
    pub last_read: &'a [Option<u64>],
    /// The planned next transition, if a trace is loaded.
    pub planned: Option<Transition>,
    pub prev: Option<&'a Snapshot>,
}

/// A value as `&sym` when it is a symbol's address.
pub fn value_text(p: &Program, v: u64) -> String {
    match p.sym_at(v) {
        Some(s) => format!("&{}", p.sym_name(s)),
        None => v.to_string(),
    }
}

/// The flags word's bits in words (irq_work: PENDING = 1, BUSY = 2).
pub fn flag_bits(v: u64) -> String {
    let mut parts = Vec::new();
    if v & workloads::irq_work::PENDING != 0 {
        parts.push("PENDING".to_string());
    }
    if v & workloads::irq_work::BUSY != 0 {
        parts.push("BUSY".to_string());
    }
    let rest = v & !workloads::irq_work::CLAIMED;
    if rest != 0 {
        parts.push(format!("{rest:#x}"));
    }
    if parts.is_empty() {
        "(clear)".into()
    } else {
        parts.join("|")
    }
}

/// A core's irq_work list, followed through memory from `head<c>`.
pub fn queue_text(p: &Program, mem: impl Fn(usize) -> u64, c: usize) -> Option<String> {
    let head = p.sym_by_name(&format!("head{c}"))?;
    let mut s = format!("head{c}");
    let mut v = mem(head as usize);
    for _ in 0..8 {
        match p.sym_at(v) {
            Some(n) if v != 0 => {
                s.push_str(" → ");
                s.push_str(p.sym_name(n));
                v = mem(n as usize);
            }
            _ => break,
        }
    }
    if v == 0 {
        s.push_str(" → ∅");
    } else if p.sym_at(v).is_none() {
        s.push_str(&format!(" → {v}?"));
    } else {
        s.push_str(" → …");
    }
    Some(s)
}

impl Snapshot {
    pub fn of(m: &AnyMachine, x: &Extra) -> Snapshot {
        let status = m.status();
        build(m, x, status)
    }
}

fn build(m: &AnyMachine, x: &Extra, status: Status) -> Snapshot {
    let p = &**m.prog();
    let prev = x.prev;
    let cores = (0..m.num_cores())
        .map(|c| {
            let k = m.core(c);
            let pk = prev.and_then(|s| s.cores.get(c));
            let regs: Vec<RegView> = m
                .regs(c)
                .iter()
                .enumerate()
                .map(|(r, &v)| RegView {
                    name: p.reg_name(r as u8),
                    value: v,
                    text: value_text(p, v),
                    changed: pk.and_then(|pk| pk.regs.get(r)).is_some_and(|o| o.value != v),
                })
                .collect();
            let pending: Vec<String> = m
                .pending(c)
                .iter()
                .map(|e| {
                    let mut s = format!("{} := {}", p.sym_name(e.loc as u16), value_text(p, e.val));
                    if !e.note.is_empty() {
                        s.push_str(&format!("  ({})", e.note));
                    }
                    s
                })
                .collect();
            let spec = &p.cores[c];
            CoreView {
                role: p.label_at(spec.start).map(str::to_string).unwrap_or_else(|| format!("P{c}")),
                pc: k.pc,
                location: m.where_is(c),
                next: if k.halted { "halted".into() } else { m.next_text(c) },
                halted: k.halted,
                irq_enabled: k.irq.enabled,
                irq_pending: k.irq.pending,
                in_handler: k.in_handler(),
                has_handler: spec.handler.is_some(),
                regs,
                pending_changed: pk.is_some_and(|pk| pk.pending != pending),
                pending,
                blocked: m.blocked_reason(c),
                queue: queue_text(p, |l| m.memory(l), c),
                pc_changed: pk.is_some_and(|pk| pk.pc != k.pc || pk.halted != k.halted),
                notes: m.notes(c),
            }
        })
        .collect();
    let memory = (0..p.symbols.len())
        .map(|l| {
            let v = m.memory(l);
            let name = p.sym_name(l as u16).to_string();
            let note = if name == "flags" {
                flag_bits(v)
            } else if p.lost_work.contains(&(l as u16)) {
                match x.last_read.get(l).copied().flatten() {
                    Some(r) => format!("func() last read {r}"),
                    None => "func() has not read it".into(),
                }
            } else {
                String::new()
            };
            MemRow {
                text: value_text(p, v),
                changed: prev.and_then(|s| s.memory.get(l)).is_some_and(|o| o.value != v),
                name,
                value: v,
                note,
            }
        })
        .collect();
    let enabled =
        m.enabled().into_iter().map(|t| EnabledRow { t, label: m.label(t), planned: x.planned == Some(t) }).collect();
    Snapshot {
        model: m.model().clone(),
        in_flight: m.in_flight(),
        cores,
        memory,
        enabled,
        status,
        transitions: m.steps(),
    }
}
