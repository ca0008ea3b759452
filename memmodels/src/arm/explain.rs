//! Why a core may read what it may read: its views, and for its next load each
//! write to the location with the rule that admits or excludes it. For the TUI
//! ("what is pending and why") and for blocked reasons.

use super::state::{ArmCore, ArmShared};
use super::steps::{read_check, read_pre, Excluded};
use super::view::{Ts, Views};
use super::Arm;
use crate::{Loc, Request};
use isa::LoadOrd;
use std::fmt;

/// One write to the location a load wants, and whether the load may take it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Candidate {
    pub ts: Ts,
    pub val: u64,
    /// The core that wrote it (None: the initial value).
    pub by: Option<usize>,
    /// `None`: the load may read it; otherwise the rule that excludes it.
    pub excluded: Option<Excluded>,
}

/// The next load (or RMW read) of a core.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NextRead {
    pub loc: Loc,
    /// The read's pre-view: `va ⊔ vrNew (⊔ vRel for LDAR)`.
    pub pre: Views,
    pub candidates: Vec<Candidate>,
}

/// A core's Promising state in words.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Explanation {
    pub core: usize,
    /// `(name, view)` for vrOld, vwOld, vrNew, vwNew, vCAP, vRel.
    pub views: Vec<(&'static str, Views)>,
    /// `coh[loc]` for each location the core has touched (non-zero entries).
    pub coh: Vec<(Loc, Ts)>,
    /// Outstanding promises: `(ts, loc, val)`.
    pub promises: Vec<(Ts, Loc, u64)>,
    /// The exclusive reservation: `(loc, ts)` of the last load-exclusive.
    pub reservation: Option<(Loc, Ts)>,
    pub next_read: Option<NextRead>,
}

impl Explanation {
    /// One line on the next read's candidates: "x@0: latest at pre=5 (ts 3 is newer); x@3: ok".
    pub fn read_summary(&self) -> String {
        match &self.next_read {
            None => String::from("no read"),
            Some(r) => r
                .candidates
                .iter()
                .map(|c| match c.excluded {
                    None => format!("ts {} (={}): may read", c.ts, c.val),
                    Some(e) => format!("ts {} (={}): {e}", c.ts, c.val),
                })
                .collect::<Vec<_>>()
                .join("; "),
        }
    }
}

impl fmt::Display for Explanation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let views: Vec<String> = self.views.iter().map(|(n, v)| format!("{n}={v}")).collect();
        writeln!(f, "core {}: {}", self.core, views.join(" "))?;
        if !self.coh.is_empty() {
            let c: Vec<String> = self.coh.iter().map(|(l, t)| format!("loc{l}@{t}")).collect();
            writeln!(f, "  coh: {}", c.join(" "))?;
        }
        for &(ts, loc, val) in &self.promises {
            writeln!(f, "  promise ts {ts}: loc{loc} := {val}")?;
        }
        if let Some((loc, ts)) = self.reservation {
            writeln!(f, "  exclusive reservation: loc{loc} read at ts {ts}")?;
        }
        if let Some(r) = &self.next_read {
            writeln!(f, "  next read of loc{} with pre={}:", r.loc, r.pre)?;
            for c in &r.candidates {
                let by = c.by.map_or(String::from("init"), |b| format!("core {b}"));
                match c.excluded {
                    None => writeln!(f, "    ts {} = {} ({by}): may read", c.ts, c.val)?,
                    Some(e) => writeln!(f, "    ts {} = {} ({by}): excluded by {e}", c.ts, c.val)?,
                }
            }
        }
        Ok(())
    }
}

impl Arm {
    /// Describes core `core`: its views, promises, and — when `next` is a load or
    /// RMW — every write to its location with the reason it may or may not be read
    /// (`coh`, `latest at pre=…`, own unfulfilled promise).
    pub fn explain(&self, s: &ArmShared, cores: &[ArmCore], core: usize, next: Option<&Request<Views>>) -> Explanation {
        let k = &cores[core];
        let views = vec![
            ("vrOld", k.vr_old),
            ("vwOld", k.vw_old),
            ("vrNew", k.vr_new),
            ("vwNew", k.vw_new),
            ("vCAP", k.v_cap),
            ("vRel", k.v_rel),
        ];
        let coh = k.coh.iter().enumerate().filter(|(_, &t)| t != 0).map(|(l, &t)| (l, t)).collect();
        let promises = k.prom.iter().map(|&ts| (ts, s.msg(ts).loc as Loc, s.msg(ts).val)).collect();
        let reservation = k.xcl.map(|x| (x.loc as Loc, x.ts));
        let read = match next {
            Some(&Request::Load { loc, addr, ord, .. }) => Some((loc, read_pre(k, addr, ord == LoadOrd::Acquire))),
            Some(&Request::Rmw { loc, addr, ord, ret, .. }) => Some((loc, read_pre(k, addr, ord.acquire() && ret))),
            _ => None,
        };
        let next_read = read.map(|(loc, pre)| {
            let mut all: Vec<Ts> = s.loc_desc(loc).collect();
            all.push(0);
            all.reverse();
            let candidates = all
                .into_iter()
                .map(|ts| Candidate {
                    ts,
                    val: s.val(loc, ts),
                    by: (ts != 0).then(|| s.msg(ts).tid as usize),
                    excluded: read_check(s, k, loc, pre, ts).err(),
                })
                .collect();
            NextRead { loc, pre, candidates }
        });
        Explanation { core, views, coh, promises, reservation, next_read }
    }
}
