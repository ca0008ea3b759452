//! Replaying choices made under another model or variant: each one as far as
//! it is possible here, picking the alternative that reads the same value.

use super::{Choice, Session};
use sim::{Model, Transition};

/// How a replay of choices under another model or variant went.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ReplayReport {
    pub total: usize,
    pub applied: usize,
    /// Choices that are not possible here, in words.
    pub skipped: Vec<String>,
    /// Choices that read another value here than in the original run.
    pub differed: Vec<String>,
    /// The choices were taken in the order their stores reached memory (from TSO).
    pub reordered: bool,
}

impl ReplayReport {
    pub fn summary(&self) -> String {
        let mut s = format!("replayed {} of {} choices", self.applied, self.total);
        if !self.skipped.is_empty() {
            s.push_str(&format!("; {} not possible here", self.skipped.len()));
        }
        if !self.differed.is_empty() {
            s.push_str(&format!("; {} read another value", self.differed.len()));
        }
        s
    }
}

impl Session {
    /// Replays `choices` (made under model `from`, maybe on another variant):
    /// each one as far as it is possible here, picking the alternative that
    /// reads the same value. From a model with store buffers (TSO) to another
    /// model, a core's buffered store and the core's later steps are taken
    /// when that store drained, so each store happens when it became visible.
    /// Here on TSO, a locked instruction waiting for its core's store buffer
    /// drains it first.
    pub fn replay(&mut self, choices: &[Choice], from: &Model) -> ReplayReport {
        let mut r = ReplayReport { total: choices.len(), ..Default::default() };
        let order = if from != self.model() { drain_order(choices) } else { (0..choices.len()).collect() };
        if order.iter().enumerate().any(|(k, i)| k != *i) {
            r.reordered = true;
        }
        for i in order {
            let c = &choices[i];
            let mut t = self.translate(c);
            if t.is_none() {
                t = self.drain_for(c);
            }
            match t {
                Some(t) => {
                    let read = self.machine.read_of(t);
                    if c.read.is_some() && read != c.read {
                        r.differed.push(format!(
                            "choice {}: {} (read {} there)",
                            i + 1,
                            self.machine.label(t),
                            c.read.unwrap_or_default()
                        ));
                    }
                    if self.choose(t).is_ok() {
                        r.applied += 1;
                    }
                }
                None => r.skipped.push(format!("choice {}: {}", i + 1, c.label)),
            }
        }
        // Cores left just before their `halt` halt (nothing another core can see).
        for _ in 0..self.machine.num_cores() {
            match self.machine.halt_step() {
                Some(t) if self.choose(t).is_ok() => {}
                _ => break,
            }
        }
        self.refresh();
        r
    }

    /// Drains the store buffer of the choice's core while that is what keeps
    /// the choice's instruction from running (TSO's locked instructions).
    fn drain_for(&mut self, c: &Choice) -> Option<Transition> {
        let Transition::Exec { core, .. } = c.t else { return None };
        let mut n = 0;
        while n < 64 && self.machine.blocked_reason(core as usize).is_some() {
            let drain = self
                .machine
                .enabled()
                .into_iter()
                .find(|t| matches!(t, Transition::Internal { core: k, .. } if *k == core))?;
            self.choose(drain).ok()?;
            n += 1;
        }
        if n == 0 {
            return None;
        }
        self.translate(c)
    }

    /// The transition here that matches a choice made elsewhere.
    fn translate(&self, c: &Choice) -> Option<Transition> {
        let en = self.machine.enabled();
        match c.t {
            Transition::Exec { core, .. } => {
                let cands: Vec<Transition> = en
                    .iter()
                    .copied()
                    .filter(|t| matches!(t, Transition::Exec { core: k, .. } if *k == core))
                    .collect();
                if let Some(v) = c.read {
                    if let Some(t) = cands.iter().find(|t| self.machine.read_of(**t) == Some(v)) {
                        return Some(*t);
                    }
                }
                if cands.contains(&c.t) {
                    return Some(c.t);
                }
                cands.first().copied()
            }
            t => en.contains(&t).then_some(t),
        }
    }
}

/// The order in which TSO choices took effect in memory: a core's buffered
/// store, and every later step of that core up to its next buffered store,
/// move to the drain that made the store visible (or to the end, if it never
/// drained). Drains themselves are kept (a model without them skips them).
pub fn drain_order(choices: &[Choice]) -> Vec<usize> {
    use std::collections::{BTreeMap, VecDeque};
    let mut out = Vec::with_capacity(choices.len());
    // Per core: deferred choices, grouped by the buffered store that starts each group.
    let mut deferred: BTreeMap<usize, VecDeque<Vec<usize>>> = BTreeMap::new();
    for (i, c) in choices.iter().enumerate() {
        let core = c.t.core();
        if let Transition::Internal { .. } = c.t {
            out.push(i);
            if let Some(q) = deferred.get_mut(&core) {
                if let Some(group) = q.pop_front() {
                    out.extend(group);
                }
            }
            continue;
        }
        let q = deferred.entry(core).or_default();
        if c.buffered {
            q.push_back(vec![i]);
        } else if let Some(last) = q.back_mut() {
            last.push(i);
        } else {
            out.push(i);
        }
    }
    for q in deferred.into_values() {
        out.extend(q.into_iter().flatten());
    }
    out
}
