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
        let _ = i;
        out.push(ListingLine { pc: Some(pc as isa::Pc), text: p.shown_instr(pc) });
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
    /// Why the next instruction must wait, if it must (the model's words).
    pub blocked: Option<String>,
    /// The same in a student's words: what it waits for.
    pub waits: Option<Waits>,
    /// This core's irq_work list drawn from memory (`head0 → work → ∅`), when the program has one.
    pub queue: Option<String>,
    pub pc_changed: bool,
    /// Extra model-specific lines (ARM: which writes its next read may take, and why not others).
    pub notes: Vec<String>,
    /// Models that keep every write (ARM): per word the core has seen past its
    /// initial value, the newest write it has seen: `(word, ts, step)`.
    pub seen: Vec<(String, u32, Option<usize>)>,
    /// Once the cycle clock runs: what the core has coming and the cycle it completes at.
    pub timing: Vec<(String, u64)>,
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
    /// Models that keep every write (ARM): the word's writes, oldest first.
    pub history: Vec<HistoryEntry>,
}

/// One write in a word's history, as shown.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HistoryEntry {
    /// The model's timestamp (0: the initial value).
    pub ts: u32,
    pub text: String,
    /// The writing core (None: the initial value).
    pub by: Option<usize>,
    /// The user step that made it (a promise: the step that promised it).
    pub made: Option<usize>,
    /// A promise: the step its store ran (None: not yet).
    pub promise: Option<Option<usize>>,
}

/// When the session saw a write appear (models that keep every write).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct WriteRec {
    /// The user step that put it in memory.
    pub made: Option<usize>,
    /// It came as a promise.
    pub promised: bool,
    /// The user step whose store wrote it (for a promise, the one that fulfilled it).
    pub written: Option<usize>,
}

/// A core's next instruction that cannot run now, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BlockedRow {
    pub core: usize,
    /// "core 1: cmpxchg oflags, [flags], want, nflags".
    pub label: String,
    pub reason: String,
    /// What it waits for, in a student's words.
    pub waits: Waits,
}

/// What a core's next instruction waits for, in words a student follows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Waits {
    /// "waits for data1 := 1 to drain".
    pub short: String,
    /// With the rule that makes it wait: "waits for data1 := 1 to drain: a
    /// locked instruction needs an empty store buffer".
    pub full: String,
}

/// What core `c`'s next instruction waits for, if it cannot run now. A wait
/// for the store buffer names the stores that must drain first; any other
/// reason is the model's own words.
fn waits(m: &AnyMachine, p: &Program, c: usize) -> Option<Waits> {
    let reason = m.blocked_reason(c)?;
    let pend = m.pending(c);
    let drain = memmodels::Blocked::StoreBufferNotEmpty { entries: pend.len() }.to_string();
    if m.in_flight() != InFlight::StoreBuffer || pend.is_empty() || reason != drain {
        let t = format!("waits: {reason}");
        return Some(Waits { short: t.clone(), full: t });
    }
    let names: Vec<String> =
        pend.iter().map(|e| format!("{} := {}", p.sym_name(e.loc as u16), value_text(p, e.val))).collect();
    let what = match names.as_slice() {
        [one] => one.clone(),
        [a, b] => format!("{a} and {b}"),
        _ => format!("its {} buffered stores", names.len()),
    };
    let who = match m.access(c) {
        Ok(Some(memmodels::Request::Rmw { .. })) => "a locked instruction",
        Ok(Some(memmodels::Request::Fence(_))) => "a full fence",
        _ => "it",
    };
    let short = format!("waits for {what} to drain");
    let full = format!("{short}: {who} needs an empty store buffer");
    Some(Waits { short, full })
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
    /// Each core whose next instruction must wait, with the reason.
    pub blocked: Vec<BlockedRow>,
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
    /// Per write (timestamp - 1): when the session saw it made.
    pub writes: &'a [WriteRec],
    /// The cycle-level scheduler, once it is in use.
    pub timed: Option<&'a sim::TimedScheduler>,
    /// When each buffered store entered its buffer (shown when the cycle is known).
    pub timeline: Option<&'a sim::timeline::BufferTimeline>,
}

/// A value as `&sym` when it is a symbol's address, signed from 2^63 up
/// (the narration's words: [`sim::narrate::value_text`]).
pub fn value_text(p: &Program, v: u64) -> String {
    sim::narrate::value_text(p, v)
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

/// The timestamps of core `c`'s outstanding promises (models with promises).
fn promised_by(m: &AnyMachine, c: usize) -> Vec<(usize, u32)> {
    let locs = m.prog().symbols.len();
    (0..locs)
        .flat_map(|l| m.history(l).into_iter().filter(|w| w.promised && w.by == Some(c)).map(move |w| (l, w.ts)))
        .collect()
}

/// The promise (its timestamp) that `t` fulfils: a store of a core with
/// outstanding promises that writes one of them.
pub fn fulfils(m: &AnyMachine, t: Transition) -> Option<u32> {
    let Transition::Exec { core, .. } = t else { return None };
    let c = core as usize;
    if !m.has_promises() || m.pending(c).is_empty() {
        return None;
    }
    let before = promised_by(m, c);
    let mut next = m.clone();
    next.apply(t).ok()?;
    let after = promised_by(&next, c);
    before.into_iter().find(|p| !after.contains(p)).map(|(_, ts)| ts)
}

/// ", fulfilling its promise of step N (tTS)": what a store that fulfils
/// promise `ts` adds to its label (`writes`: when the session saw each write made).
pub fn fulfil_text(ts: u32, writes: &[WriteRec]) -> String {
    match writes.get(ts as usize - 1).and_then(|w| w.made) {
        Some(step) => format!(", fulfilling its promise of step {step} (t{ts})"),
        None => format!(", fulfilling its promise t{ts}"),
    }
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
    let timing = x.timed.map(|s| m.completions(s)).unwrap_or_default();
    // Alternatives a person cannot tell apart (ARM: a CAS's two dependency
    // structures) are offered once; the loaded trace's step wins. A store that
    // fulfils a promise says so (it is then told apart from one that writes anew).
    let mut enabled: Vec<EnabledRow> = Vec::new();
    let mut fulfilling: Vec<(u32, String)> = Vec::new();
    for t in m.enabled() {
        let mut label = m.label(t);
        if let Some(ts) = fulfils(m, t) {
            label.push_str(&fulfil_text(ts, x.writes));
            fulfilling.push((ts, m.next_text(t.core())));
        }
        let row = EnabledRow { t, label, planned: x.planned == Some(t) };
        match enabled.iter_mut().find(|r| r.label == row.label) {
            Some(r) if row.planned => *r = row,
            Some(_) => {}
            None => enabled.push(row),
        }
    }
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
            let since: Vec<Option<u64>> =
                x.timeline.map(|tl| tl.buffered(c).map(|s| s.entered.cycle).collect()).unwrap_or_default();
            let mut promises = if m.has_promises() { promised_by(m, c) } else { Vec::new() };
            let pending: Vec<String> = m
                .pending(c)
                .iter()
                .enumerate()
                .map(|(i, e)| {
                    let mut s = format!("{} := {}", p.sym_name(e.loc as u16), value_text(p, e.val));
                    // A promise: when it was made, and the store that fulfils it.
                    let ts = promises
                        .iter()
                        .position(|&(l, ts)| l == e.loc && m.history(l).iter().any(|w| w.ts == ts && w.val == e.val))
                        .map(|k| promises.remove(k).1);
                    match ts {
                        Some(ts) => {
                            let made = x.writes.get(ts as usize - 1).and_then(|w| w.made);
                            s.push_str(&match made {
                                Some(step) => format!(" (t{ts}, promised at step {step})"),
                                None => format!(" (t{ts})"),
                            });
                            s.push_str(&match fulfilling.iter().find(|f| f.0 == ts) {
                                Some((_, instr)) => format!(" → written by {instr}, enabled now"),
                                None => " → not yet written".to_string(),
                            });
                        }
                        None if !e.note.is_empty() => s.push_str(&format!("  ({})", e.note)),
                        None => {}
                    }
                    if let Some(Some(c)) = since.get(i) {
                        s.push_str(&format!("  (since cycle {c})"));
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
                waits: waits(m, p, c),
                queue: queue_text(p, |l| m.memory(l), c),
                pc_changed: pk.is_some_and(|pk| pk.pc != k.pc || pk.halted != k.halted),
                notes: m.notes(c),
                seen: (0..p.symbols.len())
                    .filter_map(|l| match m.seen(c, l) {
                        Some(ts) if ts > 0 => Some((
                            p.sym_name(l as u16).to_string(),
                            ts,
                            x.writes.get(ts as usize - 1).and_then(|w| w.made),
                        )),
                        _ => None,
                    })
                    .collect(),
                timing: timing.iter().filter(|(t, _)| t.core() == c).map(|(t, at)| (m.label(*t), *at)).collect(),
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
            let history = m
                .history(l)
                .into_iter()
                .map(|w| {
                    let rec = (w.ts > 0).then(|| x.writes.get(w.ts as usize - 1).copied().unwrap_or_default());
                    HistoryEntry {
                        ts: w.ts,
                        text: value_text(p, w.val),
                        by: w.by,
                        made: rec.and_then(|r| r.made),
                        promise: rec.filter(|r| r.promised).map(|r| r.written),
                    }
                })
                .collect();
            MemRow {
                text: value_text(p, v),
                changed: prev.and_then(|s| s.memory.get(l)).is_some_and(|o| o.value != v),
                name,
                value: v,
                note,
                history,
            }
        })
        .collect();
    let blocked = (0..m.num_cores())
        .filter(|&c| !m.core(c).halted)
        .filter_map(|c| {
            let reason = m.blocked_reason(c)?;
            let waits = waits(m, m.prog(), c)?;
            Some(BlockedRow { core: c, label: format!("core {c}: {}", m.next_text(c)), reason, waits })
        })
        .collect();
    Snapshot {
        model: m.model().clone(),
        in_flight: m.in_flight(),
        cores,
        memory,
        enabled,
        blocked,
        status,
        transitions: m.steps(),
    }
}
