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
    let mut m = start.clone();
    let mut out = String::new();
    for (i, &t) in schedule.iter().enumerate() {
        let label = m.label(t);
        let touches_memory = match t {
            Transition::Exec { core, .. } => m.next_instr(core as usize).is_some_and(|i| i.is_memory()),
            Transition::Internal { .. } | Transition::Promise { .. } => true,
            Transition::Interrupt { .. } => false,
        };
        let _ = writeln!(out, "{:>4}. {label}", i + 1);
        if let Err(e) = m.apply(t) {
            let _ = writeln!(out, "      !! {e}");
            break;
        }
        if with_state && touches_memory {
            let _ = writeln!(out, "      {}", state_line(&m));
        }
    }
    (out, m)
}
