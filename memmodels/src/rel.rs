//! Binary relations over the events of one execution, as bit matrices: the
//! axiomatic checkers compose, close and test them many times per candidate.

/// A relation on `0..n`, one bit row per element.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rel {
    n: usize,
    w: usize,
    bits: Vec<u64>,
}

impl Rel {
    pub fn new(n: usize) -> Rel {
        let w = n.div_ceil(64).max(1);
        Rel { n, w, bits: vec![0; n * w] }
    }
    pub fn len(&self) -> usize {
        self.n
    }
    pub fn is_empty(&self) -> bool {
        self.bits.iter().all(|&b| b == 0)
    }
    #[inline]
    pub fn set(&mut self, i: usize, j: usize) {
        self.bits[i * self.w + j / 64] |= 1 << (j % 64);
    }
    #[inline]
    pub fn get(&self, i: usize, j: usize) -> bool {
        self.bits[i * self.w + j / 64] >> (j % 64) & 1 == 1
    }
    fn row(&self, i: usize) -> &[u64] {
        &self.bits[i * self.w..(i + 1) * self.w]
    }
    /// The successors of `i`.
    pub fn succ(&self, i: usize) -> impl Iterator<Item = usize> + '_ {
        self.row(i).iter().enumerate().flat_map(|(k, &word)| {
            let mut b = word;
            std::iter::from_fn(move || {
                if b == 0 {
                    return None;
                }
                let t = b.trailing_zeros() as usize;
                b &= b - 1;
                Some(k * 64 + t)
            })
        })
    }
    pub fn pairs(&self) -> impl Iterator<Item = (usize, usize)> + '_ {
        (0..self.n).flat_map(move |i| self.succ(i).map(move |j| (i, j)))
    }
    pub fn union_with(&mut self, o: &Rel) {
        for (a, b) in self.bits.iter_mut().zip(&o.bits) {
            *a |= *b;
        }
    }
    pub fn union(&self, o: &Rel) -> Rel {
        let mut r = self.clone();
        r.union_with(o);
        r
    }
    /// Relational composition `self ; o`.
    pub fn seq(&self, o: &Rel) -> Rel {
        let mut r = Rel::new(self.n);
        for i in 0..self.n {
            for k in self.succ(i).collect::<Vec<_>>() {
                for x in 0..self.w {
                    r.bits[i * self.w + x] |= o.bits[k * self.w + x];
                }
            }
        }
        r
    }
    /// Keeps the pairs whose source satisfies `dom` and target satisfies `rng`.
    pub fn restrict(&self, dom: impl Fn(usize) -> bool, rng: impl Fn(usize) -> bool) -> Rel {
        let mut r = Rel::new(self.n);
        for (i, j) in self.pairs() {
            if dom(i) && rng(j) {
                r.set(i, j);
            }
        }
        r
    }
    /// Transitive closure (Warshall on bit rows).
    pub fn plus(&self) -> Rel {
        let mut r = self.clone();
        for k in 0..self.n {
            let rowk: Vec<u64> = r.row(k).to_vec();
            for i in 0..self.n {
                if r.get(i, k) {
                    for (b, x) in r.bits[i * self.w..(i + 1) * self.w].iter_mut().zip(&rowk) {
                        *b |= x;
                    }
                }
            }
        }
        r
    }
    /// No cycle (Kahn's algorithm).
    pub fn acyclic(&self) -> bool {
        self.find_cycle().is_none()
    }
    /// A cycle, as the list of its nodes, if there is one.
    pub fn find_cycle(&self) -> Option<Vec<usize>> {
        // Iterative DFS with colours; reconstruct the cycle from the stack.
        let mut colour = vec![0u8; self.n];
        let mut parent = vec![usize::MAX; self.n];
        for s in 0..self.n {
            if colour[s] != 0 {
                continue;
            }
            let mut stack: Vec<(usize, Vec<usize>)> = vec![(s, self.succ(s).collect())];
            colour[s] = 1;
            while let Some((v, next)) = stack.last_mut() {
                let v = *v;
                match next.pop() {
                    Some(u) if colour[u] == 0 => {
                        colour[u] = 1;
                        parent[u] = v;
                        let succ = self.succ(u).collect();
                        stack.push((u, succ));
                    }
                    Some(u) if colour[u] == 1 => {
                        let mut cyc = vec![u];
                        let mut x = v;
                        while x != u {
                            cyc.push(x);
                            x = parent[x];
                        }
                        cyc.reverse();
                        cyc.rotate_right(1);
                        return Some(cyc);
                    }
                    Some(_) => {}
                    None => {
                        colour[v] = 2;
                        stack.pop();
                    }
                }
            }
        }
        None
    }
    pub fn irreflexive(&self) -> bool {
        (0..self.n).all(|i| !self.get(i, i))
    }
}

#[cfg(test)]
mod tests {
    use super::Rel;

    #[test]
    fn cycles_and_closure() {
        let mut r = Rel::new(70);
        r.set(0, 65);
        r.set(65, 3);
        assert!(r.acyclic());
        assert!(r.plus().get(0, 3));
        r.set(3, 0);
        let c = r.find_cycle().unwrap();
        assert_eq!(c.len(), 3);
        for k in 0..3 {
            assert!(r.get(c[k], c[(k + 1) % 3]), "{c:?}");
        }
        assert!(!r.plus().irreflexive());
    }
}
