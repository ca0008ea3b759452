//! Text for people: narrated schedules with each core's store buffer and memory
//! after every step.

use sim::narrate::value_text;
use sim::{AnyMachine, Transition};
use std::fmt::Write;

/// Each core's in-flight entries and the memory, on one or two lines.
pub fn state_line(m: &AnyMachine) -> String {
    let p = m.prog();
    let mut s = String::new();
    // What the model keeps in flight: store buffers (SB), promises.
    let tag = m.in_flight().tag();
    for c in 0..m.num_cores() {
        let pend = m.pending(c);
        let items: Vec<String> = pend.iter().map(|e| format!("{}={}", p.sym_name(e.loc as u16), e.val)).collect();
        let _ = write!(s, "{tag}{c}[{}] ", items.join(","));
    }
    s.push_str("| ");
    let mem: Vec<String> =
        (0..p.symbols.len()).map(|l| format!("{}={}", p.sym_name(l as u16), value_text(p, m.memory(l)))).collect();
    s.push_str(&mem.join(" "));
    s
}

/// Narrates `schedule` from `start`, one numbered line per step and, after each
/// step that touched memory, each core's buffer and the memory.
pub fn narrate(start: &AnyMachine, schedule: &[Transition], with_state: bool) -> (String, AnyMachine) {
    let mut out = Vec::new();
    let m = narrate_to(start, schedule.iter().copied(), with_state, &mut out).expect("writing to memory cannot fail");
    (String::from_utf8(out).expect("narration is text"), m)
}

/// Like [`narrate`], writing each step's lines to `out` as it goes (a long
/// schedule is never held as text).
pub fn narrate_to(
    start: &AnyMachine,
    schedule: impl IntoIterator<Item = Transition>,
    with_state: bool,
    out: &mut impl std::io::Write,
) -> std::io::Result<AnyMachine> {
    let mut m = start.clone();
    for (i, t) in schedule.into_iter().enumerate() {
        let label = m.label(t);
        let touches_memory = match t {
            Transition::Exec { core, .. } => m.next_instr(core as usize).is_some_and(|i| i.is_memory()),
            Transition::Internal { .. } | Transition::Promise { .. } => true,
            Transition::Interrupt { .. } => false,
        };
        writeln!(out, "{:>4}. {label}", i + 1)?;
        if let Err(e) = m.apply(t) {
            writeln!(out, "      !! {e}")?;
            break;
        }
        if with_state && touches_memory {
            writeln!(out, "      {}", state_line(&m))?;
        }
    }
    Ok(m)
}
