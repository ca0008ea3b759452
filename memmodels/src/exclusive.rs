//! Exclusive monitors (AArch64 LDXR/STXR) for the models with a single flat
//! memory (SC, TSO). A load-exclusive reserves its word; a write to that word
//! by another core clears the reservation; a store-exclusive succeeds only
//! while its core still holds a reservation on the word, and may always fail
//! (herd7 lets any store-exclusive fail spuriously).

use crate::Loc;

/// One reservation slot per core.
#[derive(Debug, Default, PartialEq, Eq, Hash)]
pub struct Monitors {
    resv: Vec<Option<u32>>,
}

impl Clone for Monitors {
    fn clone(&self) -> Self {
        Monitors { resv: self.resv.clone() }
    }
    fn clone_from(&mut self, o: &Self) {
        self.resv.clone_from(&o.resv);
    }
}

impl Monitors {
    pub fn new(cores: usize) -> Monitors {
        Monitors { resv: vec![None; cores] }
    }
    pub fn reserve(&mut self, core: usize, loc: Loc) {
        self.resv[core] = Some(loc as u32);
    }
    pub fn holds(&self, core: usize, loc: Loc) -> bool {
        self.resv[core] == Some(loc as u32)
    }
    pub fn clear(&mut self, core: usize) {
        self.resv[core] = None;
    }
    /// A write by `core` to `loc` reached memory: other cores lose their reservation on it.
    pub fn written(&mut self, core: usize, loc: Loc) {
        for (c, r) in self.resv.iter_mut().enumerate() {
            if c != core && *r == Some(loc as u32) {
                *r = None;
            }
        }
    }
}

/// Alternatives of a store-exclusive: succeed (if the reservation holds), fail.
pub fn store_exclusive_options(m: &Monitors, core: usize, loc: Loc) -> u16 {
    if m.holds(core, loc) {
        2
    } else {
        1
    }
}

/// Whether alternative `choice` of a store-exclusive succeeds.
pub fn store_exclusive_succeeds(m: &Monitors, core: usize, loc: Loc, choice: u16) -> bool {
    m.holds(core, loc) && choice == 0
}
