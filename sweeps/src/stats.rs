//! The statistics of a sweep's cells: Wilson score intervals, percentiles,
//! and the seed ranges a result covers.

/// The 95% Wilson score interval of `k` successes in `n` trials.
pub fn wilson(k: u64, n: u64) -> (f64, f64) {
    if n == 0 {
        return (0.0, 1.0);
    }
    const Z: f64 = 1.959_963_984_540_054;
    let (k, n) = (k as f64, n as f64);
    let p = k / n;
    let z2 = Z * Z;
    let denom = 1.0 + z2 / n;
    let center = (p + z2 / (2.0 * n)) / denom;
    let half = Z * (p * (1.0 - p) / n + z2 / (4.0 * n * n)).sqrt() / denom;
    let lo = if k == 0.0 { 0.0 } else { (center - half).max(0.0) };
    let hi = if k == n { 1.0 } else { (center + half).min(1.0) };
    (lo, hi)
}

/// Nearest-rank percentile `p` (0 < p <= 100) of ascending `v`.
pub fn percentile(v: &[u64], p: u64) -> Option<u64> {
    if v.is_empty() {
        return None;
    }
    let rank = (p as usize * v.len()).div_ceil(100).max(1);
    Some(v[rank - 1])
}

/// Merges sorted disjoint ranges with `more`; fails on an overlap.
pub fn union_ranges(a: &[[u64; 2]], more: &[[u64; 2]]) -> Result<Vec<[u64; 2]>, [u64; 2]> {
    let mut all: Vec<[u64; 2]> = a.iter().chain(more).copied().filter(|r| r[0] < r[1]).collect();
    all.sort_unstable();
    let mut out: Vec<[u64; 2]> = Vec::new();
    for r in all {
        match out.last_mut() {
            Some(l) if r[0] < l[1] => return Err([r[0], r[1].min(l[1])]),
            Some(l) if r[0] == l[1] => l[1] = r[1],
            _ => out.push(r),
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wilson_interval() {
        let check = |k, n, lo: f64, hi: f64| {
            let (l, h) = wilson(k, n);
            assert!((l - lo).abs() < 1e-4 && (h - hi).abs() < 1e-4, "{k}/{n}: ({l}, {h}) want ({lo}, {hi})");
        };
        check(0, 10, 0.0, 0.2775);
        check(10, 10, 0.7225, 1.0);
        check(5, 10, 0.2366, 0.7634);
        check(1, 1000, 0.0002, 0.0056);
        assert_eq!(wilson(0, 0), (0.0, 1.0));
    }

    #[test]
    fn percentiles() {
        assert_eq!(percentile(&[], 50), None);
        assert_eq!(percentile(&[7], 95), Some(7));
        let v: Vec<u64> = (1..=100).collect();
        assert_eq!(percentile(&v, 50), Some(50));
        assert_eq!(percentile(&v, 95), Some(95));
        assert_eq!(percentile(&[1, 2, 3, 4], 50), Some(2));
    }

    #[test]
    fn ranges() {
        assert_eq!(union_ranges(&[[0, 5]], &[[5, 9], [12, 20]]), Ok(vec![[0, 9], [12, 20]]));
        assert_eq!(union_ranges(&[[0, 5]], &[[4, 9]]), Err([4, 5]));
        assert_eq!(union_ranges(&[], &[[3, 3]]), Ok(vec![]));
    }
}
