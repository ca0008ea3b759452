//! Every final state the Linux-kernel memory model allows for a program
//! lowered with LKMM tags (a C litmus test), herd7's way:
//!
//! 1. each thread runs alone, each read returning any value of its word's
//!    value set (initial values and every value some thread writes, grown to a
//!    fixpoint): its paths ([`paths`]);
//! 2. one path per thread: the events of a combination, and the relations that
//!    depend only on them ([`memmodels::lkmm::Static`]);
//! 3. per word, every coherence order and every `rf` choice (a read from a
//!    write of the value it read) that is coherent and atomic on that word —
//!    `coherence` and `atomic` are per-word axioms, so this checks them;
//! 4. every product of per-word choices checked against the ordering axioms
//!    (`happens-before`, `propagation`, `rcu`, `plain-coherence`); the final
//!    states of the consistent ones, kept when the test's `filter` holds.

pub mod paths;

use isa::{Loc, Program};
use memmodels::lkmm::rel::{Set, MAX_EVENTS, R};
use memmodels::lkmm::{Event, Kind, Static};
use paths::{Limits, Path};
use std::collections::{BTreeMap, BTreeSet};

/// The value of a read that no write determines (herd's unsolved symbolic
/// value in an out-of-thin-air cycle through plain accesses); it equals no
/// constant a condition can name.
pub const SYMBOLIC: u64 = 0x5359_4d42_4f4c_4943;

/// Limits of an LKMM enumeration.
#[derive(Clone, Debug)]
pub struct LkConfig {
    pub max_steps: usize,
    pub max_paths: usize,
    pub max_values: usize,
    pub max_combinations: u64,
    pub max_candidates: u64,
}

impl Default for LkConfig {
    fn default() -> Self {
        LkConfig {
            max_steps: 10_000,
            max_paths: 100_000,
            max_values: 64,
            max_combinations: 10_000_000,
            max_candidates: 50_000_000,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum LkError {
    #[error("unsupported by the LKMM enumeration: {0}")]
    Unsupported(String),
    #[error("bounded: {0}")]
    Bounded(String),
}

/// What LKMM allows.
#[derive(Clone, Debug, Default)]
pub struct LkOutcomes {
    /// Distinct final states of consistent executions (the values of the
    /// condition's locations, `locations [...]` first), with whether the
    /// condition's proposition holds in each.
    pub finals: BTreeMap<Vec<u64>, bool>,
    /// Combinations of one path per thread, candidates tried, consistent ones.
    pub combinations: u64,
    pub candidates: u64,
    pub consistent: u64,
}

impl LkOutcomes {
    /// Final states satisfying the proposition, and the others.
    pub fn counts(&self) -> (usize, usize) {
        let pos = self.finals.values().filter(|h| **h).count();
        (pos, self.finals.len() - pos)
    }
}

/// The Linux-kernel memory model in the registry ([`crate::models`]): an
/// axiomatic face only, whose outcomes come from [`outcomes`].
pub struct Lkmm;

impl crate::models::ModelFactory for Lkmm {
    fn info(&self) -> &'static memmodels::ModelInfo {
        &memmodels::lkmm::INFO
    }
    fn has_machine(&self) -> bool {
        false
    }
    fn machine(&self, _: std::sync::Arc<Program>) -> Option<Box<dyn crate::models::DynMachine>> {
        None
    }
    fn axioms(&self) -> Option<&dyn memmodels::axiom::Axiomatic> {
        None
    }
    fn outcomes(
        &self,
        prog: &std::sync::Arc<Program>,
        _: &crate::axiom::enumerate::EnumConfig,
    ) -> Option<Result<crate::axiom::enumerate::AxOutcomes, crate::axiom::enumerate::EnumError>> {
        use crate::axiom::enumerate::{AxOutcomes, EnumError};
        Some(match outcomes(prog, &LkConfig::default()) {
            Ok(o) => Ok(AxOutcomes {
                finals: o.finals,
                candidates: o.candidates,
                combinations: o.combinations,
                consistent: o.consistent,
            }),
            Err(LkError::Unsupported(m)) => Err(EnumError::Unsupported(m)),
            Err(LkError::Bounded(m)) => Err(EnumError::Bounded(m)),
        })
    }
}

/// Every final state LKMM allows for `prog` (which must carry LKMM tags).
pub fn outcomes(prog: &Program, cfg: &LkConfig) -> Result<LkOutcomes, LkError> {
    if prog.lkmm.len() != prog.code.len() {
        return Err(LkError::Unsupported(
            "LKMM runs Linux-kernel C litmus tests only (this program has no LKMM annotations)".into(),
        ));
    }
    let per_core = all_paths(prog, cfg)?;
    let nsym = prog.symbols.len();
    let mut res = LkOutcomes::default();
    if per_core.iter().any(|p| p.is_empty()) {
        return Ok(res);
    }
    let total: usize =
        nsym + per_core.iter().map(|ps| ps.iter().map(|p| p.events.len()).max().unwrap_or(0)).sum::<usize>();
    if total > MAX_EVENTS {
        return Err(LkError::Unsupported(format!("up to {total} events; at most {MAX_EVENTS} are supported")));
    }
    let observed = prog.condition.as_ref().map(|c| c.observed()).unwrap_or_default();
    let init = prog.initial_memory();
    let mut pick = vec![0usize; per_core.len()];
    let mut cx = Combine { prog, paths: &per_core, observed: &observed, init: &init, cfg, res: &mut res };
    cx.go(0, &mut pick)?;
    Ok(res)
}

/// Paths of every thread, with value sets grown to a fixpoint.
fn all_paths(prog: &Program, cfg: &LkConfig) -> Result<Vec<Vec<Path>>, LkError> {
    let lim = Limits { max_steps: cfg.max_steps, max_paths: cfg.max_paths };
    let mut values: Vec<BTreeSet<u64>> = prog.initial_memory().into_iter().map(|v| BTreeSet::from([v])).collect();
    // With plain accesses, a cycle of reads-from and data dependencies can go
    // through accesses no axiom orders: herd then keeps the candidate with a
    // value no equation determines (out of thin air). [`SYMBOLIC`] stands for it.
    if prog.lkmm.contains(&isa::lkmm::LkTag::Access(isa::lkmm::LkAccess::Plain)) {
        for v in values.iter_mut() {
            v.insert(SYMBOLIC);
        }
    }
    let mut rounds = 0usize;
    loop {
        rounds += 1;
        let vs: Vec<Vec<u64>> = values.iter().map(|s| s.iter().copied().collect()).collect();
        let mut per_core = Vec::new();
        let mut grown = false;
        let mut max_writes = 0usize;
        for c in 0..prog.num_cores() {
            let ps = paths::paths(prog, c, &vs, &lim)?;
            for p in &ps.paths {
                for e in &p.events {
                    if let (Kind::Write, Some(l)) = (e.kind, e.loc) {
                        grown |= values[l as usize].insert(e.value);
                    }
                }
            }
            for &(l, v) in &ps.values {
                grown |= values[l as usize].insert(v);
            }
            max_writes +=
                ps.paths.iter().map(|p| p.events.iter().filter(|e| e.kind == Kind::Write).count()).max().unwrap_or(0);
            per_core.push(ps.paths);
        }
        // A value a consistent execution reads comes from a chain of writes each
        // computed from the one before: no longer than the number of writes.
        if !grown || rounds > max_writes {
            return Ok(per_core);
        }
        if let Some(l) = values.iter().position(|s| s.len() > cfg.max_values) {
            return Err(LkError::Bounded(format!(
                "{} takes more than {} values",
                prog.sym_name(l as u16),
                cfg.max_values
            )));
        }
    }
}

struct Combine<'a> {
    prog: &'a Program,
    paths: &'a [Vec<Path>],
    observed: &'a [Loc],
    init: &'a [u64],
    cfg: &'a LkConfig,
    res: &'a mut LkOutcomes,
}

/// One word's coherent and atomic choices: a coherence order and the source of
/// each of its reads, as relations over the combination's events.
struct Choice {
    rf: R,
    co: R,
    fr: R,
    /// The word's last write.
    last: usize,
}

impl Combine<'_> {
    fn go(&mut self, c: usize, pick: &mut Vec<usize>) -> Result<(), LkError> {
        if c == self.paths.len() {
            return self.leaf(pick);
        }
        for i in 0..self.paths[c].len() {
            pick[c] = i;
            self.go(c + 1, pick)?;
        }
        Ok(())
    }

    fn leaf(&mut self, pick: &[usize]) -> Result<(), LkError> {
        self.res.combinations += 1;
        if self.res.combinations > self.cfg.max_combinations {
            return Err(LkError::Bounded(format!("more than {} combinations of paths", self.cfg.max_combinations)));
        }
        let nsym = self.init.len();
        // Events: the initial writes, then each thread's path.
        let mut ev: Vec<Event> = (0..nsym)
            .map(|l| Event {
                kind: Kind::Init,
                core: None,
                po: 0,
                loc: Some(l as u16),
                value: self.init[l],
                tags: 0,
                rmw: None,
                addr: 0,
                data: 0,
                ctrl: 0,
                pc: None,
            })
            .collect();
        for (c, &i) in pick.iter().enumerate() {
            let base = ev.len();
            for e in &self.paths[c][i].events {
                let mut e = e.clone();
                let sh = |s: Set| s << base;
                e.addr = sh(e.addr);
                e.data = sh(e.data);
                e.ctrl = sh(e.ctrl);
                e.rmw = e.rmw.map(|r| r + base);
                ev.push(e);
            }
        }
        let n = ev.len();
        // Per word: its coherent, atomic choices. A word some read needs a value
        // of that no write gives has none: no candidate.
        let mut words: Vec<Vec<Choice>> = Vec::with_capacity(nsym);
        for l in 0..nsym {
            let ch = word_choices(&ev, l as u16);
            if ch.is_empty() {
                return Ok(());
            }
            words.push(ch);
        }
        let stat = Static::new(&ev);
        let mut idx = vec![0usize; nsym];
        loop {
            let (mut rf, mut co, mut fr) = (R::empty(n), R::empty(n), R::empty(n));
            for (l, w) in words.iter().enumerate() {
                let ch = &w[idx[l]];
                rf.union_with(&ch.rf);
                co.union_with(&ch.co);
                fr.union_with(&ch.fr);
            }
            self.res.candidates += 1;
            if self.res.candidates > self.cfg.max_candidates {
                return Err(LkError::Bounded(format!("more than {} candidate executions", self.cfg.max_candidates)));
            }
            if stat.check_order(&rf, &co, &fr).is_ok() {
                self.res.consistent += 1;
                let state: Vec<u64> = self
                    .observed
                    .iter()
                    .map(|l| match *l {
                        Loc::Reg { core, reg } => {
                            self.paths[core as usize][pick[core as usize]].regs.get(reg as usize).copied().unwrap_or(0)
                        }
                        Loc::Mem(s) => ev[words[s as usize][idx[s as usize]].last].value,
                    })
                    .collect();
                let get = |l: Loc| self.observed.iter().position(|x| *x == l).map(|i| state[i]).unwrap_or(0);
                let full = |l: Loc| match l {
                    Loc::Reg { core, reg } => {
                        self.paths[core as usize][pick[core as usize]].regs.get(reg as usize).copied().unwrap_or(0)
                    }
                    Loc::Mem(s) => ev[words[s as usize][idx[s as usize]].last].value,
                };
                let keep = self.prog.filter.as_ref().is_none_or(|f| f.eval(&self.prog, &full));
                if keep {
                    let holds = self.prog.condition.as_ref().is_some_and(|c| c.holds(&self.prog, &get));
                    self.res.finals.insert(state, holds);
                }
            }
            // Next product of per-word choices.
            let mut k = 0;
            loop {
                if k == nsym {
                    return Ok(());
                }
                idx[k] += 1;
                if idx[k] < words[k].len() {
                    break;
                }
                idx[k] = 0;
                k += 1;
            }
        }
    }
}

/// The coherent and atomic choices for word `l`: every order of its writes that
/// keeps each thread's writes in program order (initial write first), with
/// every choice of sources for its reads that avoids the coherence shapes
/// (CoRR, CoWR, CoRW) and keeps each RMW's write right after its read's source.
fn word_choices(ev: &[Event], l: u16) -> Vec<Choice> {
    let n = ev.len();
    let init = l as usize;
    let reads: Vec<usize> = (0..n).filter(|&e| ev[e].kind == Kind::Read && ev[e].loc == Some(l)).collect();
    let writes: Vec<usize> = (0..n).filter(|&e| ev[e].kind == Kind::Write && ev[e].loc == Some(l)).collect();
    let po_before = |a: usize, b: usize| ev[a].core.is_some() && ev[a].core == ev[b].core && ev[a].po < ev[b].po;
    // Candidate sources by value (not a po-later write of the reader's thread).
    let sources: Vec<Vec<usize>> = reads
        .iter()
        .map(|&r| {
            std::iter::once(init)
                .chain(writes.iter().copied())
                .filter(|&w| ev[w].value == ev[r].value && !po_before(r, w))
                .collect()
        })
        .collect();
    let mut out = Vec::new();
    if sources.iter().any(|s| s.is_empty()) {
        return out;
    }
    let mut orders = Vec::new();
    linear_extensions(&po_before, &mut Vec::new(), &mut writes.clone(), &mut orders);
    let mut pos = vec![0usize; n];
    for order in orders {
        pos[init] = 0;
        for (i, &w) in order.iter().enumerate() {
            pos[w] = i + 1;
        }
        // Per read, the sources coherence allows with this order.
        let allowed: Vec<Vec<usize>> = reads
            .iter()
            .enumerate()
            .map(|(k, &r)| {
                // CoWR: not co-before the thread's po-latest earlier write.
                let lo = writes.iter().filter(|&&w| po_before(w, r)).map(|&w| pos[w]).max().unwrap_or(0);
                // CoRW: co-before the thread's po-later writes.
                let hi = writes.iter().filter(|&&w| po_before(r, w)).map(|&w| pos[w]).min().unwrap_or(usize::MAX);
                sources[k]
                    .iter()
                    .copied()
                    .filter(|&s| pos[s] >= lo && pos[s] < hi)
                    // atomic: an RMW's write comes right after its read's source.
                    .filter(|&s| ev[r].rmw.is_none_or(|w| pos[w] == pos[s] + 1))
                    .collect()
            })
            .collect();
        if allowed.iter().any(|a| a.is_empty()) {
            continue;
        }
        let mut co = R::empty(n);
        let full: Vec<usize> = std::iter::once(init).chain(order.iter().copied()).collect();
        for i in 0..full.len() {
            for j in i + 1..full.len() {
                co.set(full[i], full[j]);
            }
        }
        let last = *full.last().unwrap_or(&init);
        let mut choice = vec![0usize; reads.len()];
        loop {
            // CoRR: a thread's later read does not read co-before its earlier one.
            let srcs: Vec<usize> = choice.iter().enumerate().map(|(k, &i)| allowed[k][i]).collect();
            let corr = reads.iter().enumerate().all(|(a, &ra)| {
                reads.iter().enumerate().all(|(b, &rb)| !po_before(ra, rb) || pos[srcs[a]] <= pos[srcs[b]])
            });
            if corr {
                let mut rf = R::empty(n);
                let mut fr = R::empty(n);
                for (k, &r) in reads.iter().enumerate() {
                    rf.set(srcs[k], r);
                    for &w in &full {
                        if pos[w] > pos[srcs[k]] {
                            fr.set(r, w);
                        }
                    }
                }
                out.push(Choice { rf, co: co.clone(), fr, last });
            }
            // Next choice of sources.
            let mut k = 0;
            loop {
                if k == reads.len() {
                    break;
                }
                choice[k] += 1;
                if choice[k] < allowed[k].len() {
                    break;
                }
                choice[k] = 0;
                k += 1;
            }
            if k == reads.len() {
                break;
            }
        }
    }
    out
}

/// Orders of `left` that keep program order.
fn linear_extensions(
    po_before: &dyn Fn(usize, usize) -> bool,
    cur: &mut Vec<usize>,
    left: &mut Vec<usize>,
    out: &mut Vec<Vec<usize>>,
) {
    if left.is_empty() {
        out.push(cur.clone());
        return;
    }
    for i in 0..left.len() {
        let w = left[i];
        if left.iter().any(|&x| po_before(x, w)) {
            continue;
        }
        left.remove(i);
        cur.push(w);
        linear_extensions(po_before, cur, left, out);
        cur.pop();
        left.insert(i, w);
    }
}
