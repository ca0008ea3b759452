//! Store buffer timelines: when each store entered its core's store buffer and
//! when it left it (became visible to the other cores), by step and, for a
//! timed run, by cycle. The race window of a store-buffer race is the span
//! between the two.
//!
//! [`BufferTimeline`] follows a machine step by step (call
//! [`BufferTimeline::after_step`] after each transition is applied); it reads
//! only the model's pending entries, so it works for any model whose pending
//! entries are store buffer entries ([`InFlight::StoreBuffer`]) and records
//! nothing for the others (ARM's writes are messages, visible at once).

use crate::models::AnyMachine;
use crate::transition::Transition;
use memmodels::InFlight;
use std::collections::VecDeque;

/// A point of a run: its step (1 for the first transition) and, in a timed
/// run, the cycle at which that step completed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct At {
    pub step: usize,
    pub cycle: Option<u64>,
}

/// One store's stay in a store buffer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoreSpan {
    pub core: usize,
    pub loc: usize,
    pub val: u64,
    /// The step that put it in the buffer.
    pub entered: At,
    /// The drain that wrote it to memory; `None` while it is still buffered.
    pub left: Option<At>,
}

impl StoreSpan {
    /// Cycles it spent in the buffer (a timed run's drained store).
    pub fn cycles(&self) -> Option<u64> {
        Some(self.left?.cycle?.saturating_sub(self.entered.cycle?))
    }
}

/// The store buffer entries of a run so far, with when they entered and left.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct BufferTimeline {
    /// Per core, the spans still in its buffer (indices into `spans`), oldest first.
    open: Vec<VecDeque<usize>>,
    spans: Vec<StoreSpan>,
}

impl BufferTimeline {
    pub fn new() -> BufferTimeline {
        BufferTimeline::default()
    }

    /// Every store seen so far, in the order they entered a buffer.
    pub fn spans(&self) -> &[StoreSpan] {
        &self.spans
    }

    /// The stores in core `c`'s buffer now, oldest first (as the model lists its pending entries).
    pub fn buffered(&self, c: usize) -> impl Iterator<Item = &StoreSpan> {
        self.open.get(c).into_iter().flatten().map(|&i| &self.spans[i])
    }

    /// Updates the timeline after `t` was applied to `m` as step `at.step`;
    /// returns the indices (into [`BufferTimeline::spans`]) of the stores that
    /// left a buffer in this step.
    pub fn after_step(&mut self, m: &AnyMachine, t: Transition, at: At) -> Vec<usize> {
        let mut left = Vec::new();
        if m.in_flight() != InFlight::StoreBuffer {
            return left;
        }
        if self.open.len() < m.num_cores() {
            self.open.resize(m.num_cores(), VecDeque::new());
        }
        for c in 0..m.num_cores() {
            let pend = m.pending(c);
            let open = &mut self.open[c];
            while open.len() > pend.len() {
                // The drained entry: the one the transition names, else the oldest.
                let k = match t {
                    Transition::Internal { core, id } if core as usize == c && (id as usize) < open.len() => {
                        id as usize
                    }
                    _ => 0,
                };
                let i = open.remove(k).expect("k < len");
                self.spans[i].left = Some(at);
                left.push(i);
            }
            for e in &pend[open.len()..] {
                open.push_back(self.spans.len());
                self.spans.push(StoreSpan { core: c, loc: e.loc as usize, val: e.val, entered: at, left: None });
            }
        }
        left
    }
}
