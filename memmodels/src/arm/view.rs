//! Views: timestamps of the Promising-ARM memory, paired to carry pick dependencies.
//!
//! A *view* is a timestamp (`0` = the initial write, `n` = the `n`-th message).
//! herd7 7.57 distinguishes two kinds of dependency chains (`aarch64deps.cat`):
//! `dtrm` (register and memory dataflow only) and `pick-dtrm` (which may also
//! pass through a CSEL condition or a CAS compare, `iico_ctrl`). So every view
//! is a pair [`Views`] `{ r, w }` with `r <= w` (arm-model.md §2.2, extension 1):
//! - `r` carries data-only chains: a read's `latest` test uses it
//!   (`dob`: `addr`, `data`, `ctrl` — a pick dependency into a *read* orders nothing);
//! - `w` also carries pick chains: a write's `ts > vext` test uses it
//!   (`pob`: `[Exp]; pick-dep; [W]`, and `pick-lob`).

use crate::Meta;
use std::fmt;

/// A timestamp in the message list (`0` = the initial value).
pub type Ts = u32;

/// A pair of views: `r` (data-only dependency chains), `w` (with pick chains).
/// This is the ARM model's register metadata ([`crate::MemoryModel::Meta`]).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord)]
pub struct Views {
    pub r: Ts,
    pub w: Ts,
}

/// One word per pair (register metadata is hashed in every state fingerprint).
impl std::hash::Hash for Views {
    #[inline]
    fn hash<H: std::hash::Hasher>(&self, h: &mut H) {
        h.write_u64((self.r as u64) << 32 | self.w as u64);
    }
}

impl Views {
    /// Bottom: depends on nothing.
    pub const BOT: Views = Views { r: 0, w: 0 };

    /// The view of a single message: both components are its timestamp.
    #[inline]
    pub fn at(ts: Ts) -> Views {
        Views { r: ts, w: ts }
    }

    /// A view that only carries a pick dependency on `ts` (the `w` component).
    #[inline]
    pub fn pick(ts: Ts) -> Views {
        Views { r: 0, w: ts }
    }

    /// Componentwise join.
    #[inline]
    pub fn join(self, o: Views) -> Views {
        Views { r: self.r.max(o.r), w: self.w.max(o.w) }
    }

    #[inline]
    pub fn join_assign(&mut self, o: Views) {
        *self = self.join(o);
    }

    /// `w` of `self` joined into *both* components (ISB: `pick-ctrl-dep; [CSE]; po`
    /// orders later reads too, so the pick component becomes a data-like bound).
    #[inline]
    pub fn flatten(self) -> Views {
        Views::at(self.w)
    }
}

impl Meta for Views {
    #[inline]
    fn join(self, other: Views) -> Views {
        Views::join(self, other)
    }
}

impl fmt::Display for Views {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.r == self.w {
            write!(f, "{}", self.r)
        } else {
            write!(f, "{}/{}", self.r, self.w)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn join_is_componentwise() {
        let a = Views { r: 1, w: 4 };
        let b = Views { r: 3, w: 3 };
        assert_eq!(a.join(b), Views { r: 3, w: 4 });
        assert_eq!(Views::BOT.join(a), a);
    }

    #[test]
    fn flatten_lifts_pick_into_both() {
        assert_eq!(Views { r: 1, w: 5 }.flatten(), Views::at(5));
        assert_eq!(Views::pick(2).join(Views::at(1)), Views { r: 1, w: 2 });
    }

    #[test]
    fn display_shows_pair_only_when_different() {
        assert_eq!(Views::at(3).to_string(), "3");
        assert_eq!(Views { r: 1, w: 3 }.to_string(), "1/3");
    }
}
