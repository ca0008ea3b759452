//! Fingerprints of machine states for visited-state sets: XXH3 (64-bit, the
//! `xxhash-rust` crate) with its default secret and seed 0. Deterministic: the
//! same state has the same fingerprint in every run, on every thread count and
//! with every release of the crate (XXH3's output is fixed by its
//! specification). State fingerprints are never written to a file.

/// The state hasher used for visited-state sets (a `std::hash::Hasher`).
pub type FpHasher = xxhash_rust::xxh3::Xxh3Default;

/// The fingerprint of `x` as [`FpHasher`] gives it.
pub fn fingerprint_of<T: std::hash::Hash + ?Sized>(x: &T) -> u64 {
    use std::hash::Hasher;
    let mut h = FpHasher::default();
    x.hash(&mut h);
    h.finish()
}

#[cfg(test)]
mod tests {
    use super::fingerprint_of as fp;

    #[test]
    fn distinguishes_nearby_values() {
        let mut seen = std::collections::HashSet::new();
        for a in 0u64..64 {
            for b in 0u16..64 {
                for c in [false, true] {
                    assert!(seen.insert(fp(&(a, b, c, vec![a, b as u64]))), "collision at {a} {b} {c}");
                }
            }
        }
        assert_ne!(fp(&(1u8, 0u8)), fp(&(0u8, 1u8)));
        assert_ne!(fp(&vec![0u64; 3]), fp(&vec![0u64; 4]));
    }

    /// Fixed values: a change of hasher (or of its seed) shows here first.
    #[test]
    fn is_stable() {
        assert_eq!(fp(&(1u64, 2u16, true)), fp(&(1u64, 2u16, true)));
        assert_eq!(format!("{:016x}", fp(&0u64)), "c77b3abb6f87acd9");
        // Plain XXH3 over the bytes `Hash` writes (a u64: its 8 bytes, little-endian).
        assert_eq!(fp(&0u64), xxhash_rust::xxh3::xxh3_64(&[0u8; 8]));
        assert_eq!(format!("{:016x}", fp(&(1u64, 2u16, true))), "a83e86ebfe440b97");
    }
}
