//! Relations over at most 128 events, one `u128` row per event: the LKMM
//! checker composes and closes a few dozen of them per candidate execution.
//! Not [`crate::rel::Rel`] (any number of events, rows of `u64` words, for the
//! sc/tso/arm checkers): one `u128` per row makes `seq`, `plus`, `inter` and
//! `diff` single word operations, and LKMM needs sets and inverses Rel lacks.

/// The most events an LKMM execution may have.
pub const MAX_EVENTS: usize = 128;

/// A set of events.
pub type Set = u128;

/// A relation on `0..n`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct R {
    pub rows: Vec<u128>,
}

#[inline]
fn bits(mut x: u128) -> impl Iterator<Item = usize> {
    std::iter::from_fn(move || {
        if x == 0 {
            return None;
        }
        let t = x.trailing_zeros() as usize;
        x &= x - 1;
        Some(t)
    })
}

/// The members of a set.
pub fn members(s: Set) -> impl Iterator<Item = usize> {
    bits(s)
}

impl R {
    pub fn empty(n: usize) -> R {
        R { rows: vec![0; n] }
    }
    pub fn len(&self) -> usize {
        self.rows.len()
    }
    pub fn is_empty(&self) -> bool {
        self.rows.iter().all(|&r| r == 0)
    }
    /// The identity on the set `s`.
    pub fn id(n: usize, s: Set) -> R {
        let mut r = R::empty(n);
        for i in bits(s) {
            r.rows[i] = 1 << i;
        }
        r
    }
    /// The identity on every event.
    pub fn id_all(n: usize) -> R {
        R::id(n, all(n))
    }
    #[inline]
    pub fn set(&mut self, a: usize, b: usize) {
        self.rows[a] |= 1 << b;
    }
    #[inline]
    pub fn get(&self, a: usize, b: usize) -> bool {
        self.rows[a] >> b & 1 == 1
    }
    pub fn union(&self, o: &R) -> R {
        R { rows: self.rows.iter().zip(&o.rows).map(|(a, b)| a | b).collect() }
    }
    pub fn union_with(&mut self, o: &R) {
        for (a, b) in self.rows.iter_mut().zip(&o.rows) {
            *a |= b;
        }
    }
    pub fn inter(&self, o: &R) -> R {
        R { rows: self.rows.iter().zip(&o.rows).map(|(a, b)| a & b).collect() }
    }
    pub fn diff(&self, o: &R) -> R {
        R { rows: self.rows.iter().zip(&o.rows).map(|(a, b)| a & !b).collect() }
    }
    /// `[dom] ; self ; [rng]`
    pub fn restrict(&self, dom: Set, rng: Set) -> R {
        R { rows: self.rows.iter().enumerate().map(|(i, &r)| if dom >> i & 1 == 1 { r & rng } else { 0 }).collect() }
    }
    /// `self ; [rng]`
    pub fn to(&self, rng: Set) -> R {
        R { rows: self.rows.iter().map(|&r| r & rng).collect() }
    }
    /// `[dom] ; self`
    pub fn from(&self, dom: Set) -> R {
        self.restrict(dom, !0)
    }
    /// `self ; o`
    pub fn seq(&self, o: &R) -> R {
        let mut out = vec![0u128; self.rows.len()];
        for (i, &r) in self.rows.iter().enumerate() {
            let mut acc = 0;
            for k in bits(r) {
                acc |= o.rows[k];
            }
            out[i] = acc;
        }
        R { rows: out }
    }
    pub fn inverse(&self) -> R {
        let mut out = R::empty(self.rows.len());
        for (i, &r) in self.rows.iter().enumerate() {
            for j in bits(r) {
                out.rows[j] |= 1 << i;
            }
        }
        out
    }
    /// Transitive closure.
    pub fn plus(&self) -> R {
        let mut r = self.rows.clone();
        let n = r.len();
        for k in 0..n {
            let rk = r[k];
            if rk == 0 {
                continue;
            }
            let bit = 1u128 << k;
            for row in r.iter_mut() {
                if *row & bit != 0 {
                    *row |= rk;
                }
            }
        }
        R { rows: r }
    }
    /// Reflexive-transitive closure.
    pub fn star(&self) -> R {
        let mut p = self.plus();
        for (i, row) in p.rows.iter_mut().enumerate() {
            *row |= 1 << i;
        }
        p
    }
    /// `self?` (with the identity on every event).
    pub fn opt(&self) -> R {
        let mut p = self.clone();
        for (i, row) in p.rows.iter_mut().enumerate() {
            *row |= 1 << i;
        }
        p
    }
    pub fn irreflexive(&self) -> bool {
        self.rows.iter().enumerate().all(|(i, &r)| r >> i & 1 == 0)
    }
    pub fn acyclic(&self) -> bool {
        self.plus().irreflexive()
    }
    /// The events some pair starts from.
    pub fn domain(&self) -> Set {
        self.rows.iter().enumerate().filter(|(_, &r)| r != 0).fold(0, |s, (i, _)| s | 1 << i)
    }
    /// The events some pair ends at.
    pub fn range(&self) -> Set {
        self.rows.iter().fold(0, |s, &r| s | r)
    }
    pub fn pairs(&self) -> impl Iterator<Item = (usize, usize)> + '_ {
        self.rows.iter().enumerate().flat_map(|(i, &r)| bits(r).map(move |j| (i, j)))
    }
    /// A cycle of the relation, if it has one.
    pub fn cycle(&self) -> Option<Vec<usize>> {
        let p = self.plus();
        let start = (0..self.len()).find(|&i| p.get(i, i))?;
        // Walk successors that can still reach the start.
        let mut path = vec![start];
        let mut cur = start;
        loop {
            let next = bits(self.rows[cur]).find(|&j| j == start || (p.get(j, start) && !path.contains(&j)))?;
            if next == start {
                return Some(path);
            }
            path.push(next);
            cur = next;
        }
    }
}

/// The set of every event `0..n`.
pub fn all(n: usize) -> Set {
    if n >= 128 {
        !0
    } else {
        (1u128 << n) - 1
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn closure_and_cycles() {
        let mut r = R::empty(4);
        r.set(0, 1);
        r.set(1, 2);
        assert!(r.acyclic());
        assert!(r.plus().get(0, 2));
        assert!(r.star().get(3, 3));
        r.set(2, 0);
        assert!(!r.acyclic());
        let c = r.cycle().unwrap();
        assert_eq!(c.len(), 3);
        assert_eq!(r.inverse().get(1, 0), true);
        assert_eq!(r.domain(), 0b111);
        assert_eq!(r.seq(&r).get(0, 2), true);
    }
}
