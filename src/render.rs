//! Text for people: narrated schedules with each core's store buffer and memory
//! after every step.

use sim::narrate::value_text;
use sim::timeline::{At, BufferTimeline, StoreSpan};
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
        let items: Vec<String> =
            pend.iter().map(|e| format!("{}={}", p.sym_name(e.loc as u16), value_text(p, e.val))).collect();
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
    let steps = schedule.iter().map(|&t| (t, None));
    let (m, _) = narrate_to(start, steps, with_state, false, &mut out).expect("writing to memory cannot fail");
    (String::from_utf8(out).expect("narration is text"), m)
}

/// Like [`narrate`], writing each step's lines to `out` as it goes (a long
/// schedule is never held as text). A step given with its cycle (a timed
/// run's trace) says at which cycle it completed. With `timeline`, each drain
/// also says when the store entered the buffer and when it became visible
/// (the store-buffer race window); the returned timeline has every store.
pub fn narrate_to(
    start: &AnyMachine,
    schedule: impl IntoIterator<Item = (Transition, Option<u64>)>,
    with_state: bool,
    timeline: bool,
    out: &mut impl std::io::Write,
) -> std::io::Result<(AnyMachine, BufferTimeline)> {
    let mut m = start.clone();
    let mut tl = BufferTimeline::new();
    for (i, (t, cycle)) in schedule.into_iter().enumerate() {
        let label = m.label(t);
        let touches_memory = match t {
            Transition::Exec { core, .. } => m.next_instr(core as usize).is_some_and(|i| i.is_memory()),
            Transition::Internal { .. } | Transition::Promise { .. } => true,
            Transition::Interrupt { .. } => false,
        };
        match cycle {
            Some(c) => writeln!(out, "{:>4}. cycle {c}: {label}", i + 1)?,
            None => writeln!(out, "{:>4}. {label}", i + 1)?,
        }
        if let Err(e) = m.apply(t) {
            writeln!(out, "      !! {e}")?;
            break;
        }
        if timeline {
            for k in tl.after_step(&m, t, At { step: i + 1, cycle }) {
                writeln!(out, "      {}", span_text(&m, &tl.spans()[k]))?;
            }
        }
        if with_state && touches_memory {
            writeln!(out, "      {}", state_line(&m))?;
        }
    }
    Ok((m, tl))
}

/// "core 0: data0 := 1 buffered at cycle 250 (step 7), visible at cycle 318 (step 12), 68 cycles in the buffer".
pub fn span_text(m: &AnyMachine, s: &StoreSpan) -> String {
    let p = m.prog();
    let at = |a: &At| match a.cycle {
        Some(c) => format!("cycle {c} (step {})", a.step),
        None => format!("step {}", a.step),
    };
    let mut text = format!(
        "core {}: {} := {} buffered at {}",
        s.core,
        p.sym_name(s.loc as u16),
        value_text(p, s.val),
        at(&s.entered)
    );
    match &s.left {
        Some(l) => {
            text.push_str(&format!(", visible at {}", at(l)));
            if let Some(n) = s.cycles() {
                text.push_str(&format!(", {n} cycle{} in the buffer", if n == 1 { "" } else { "s" }));
            }
        }
        None => text.push_str(", still buffered"),
    }
    text
}
