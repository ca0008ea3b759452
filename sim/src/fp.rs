//! A fast 64-bit fingerprint hasher for machine states. Small writes (bools,
//! u16 program counters) are packed into 64-bit words; each full word is mixed
//! with a folded 128-bit multiply (as in wyhash/foldhash), and the result goes
//! through the splitmix64 finaliser. Deterministic: no random seed, so
//! fingerprints are stable across runs and thread counts.

use std::hash::Hasher;

const K: u64 = 0x9E37_79B9_7F4A_7C15;
const K2: u64 = 0xD6E8_FEB8_6659_FD93;

#[inline(always)]
fn fold(a: u64, b: u64) -> u64 {
    let p = (a as u128).wrapping_mul(b as u128);
    (p as u64) ^ ((p >> 64) as u64)
}

/// The state hasher used for visited-state sets.
#[derive(Clone, Copy, Debug)]
pub struct FpHasher {
    h: u64,
    /// Pending bytes, packed low first, and how many bits of `buf` are used.
    buf: u64,
    bits: u32,
}

impl Default for FpHasher {
    fn default() -> Self {
        FpHasher { h: 0x243F_6A88_85A3_08D3, buf: 0, bits: 0 }
    }
}

impl FpHasher {
    #[inline(always)]
    fn mix(&mut self, x: u64) {
        self.h = fold(self.h ^ x, K).wrapping_add(K2);
    }
    /// Appends the low `n` bits of `x` (n < 64) to the pending word.
    #[inline(always)]
    fn small(&mut self, x: u64, n: u32) {
        if self.bits + n > 64 {
            let b = self.buf;
            self.mix(b);
            self.buf = 0;
            self.bits = 0;
        }
        self.buf |= x << self.bits;
        self.bits += n;
    }
}

impl Hasher for FpHasher {
    #[inline(always)]
    fn write_u64(&mut self, x: u64) {
        if self.bits > 0 {
            let b = self.buf;
            self.mix(b ^ ((self.bits as u64) << 58));
            self.buf = 0;
            self.bits = 0;
        }
        self.mix(x);
    }
    #[inline(always)]
    fn write_u8(&mut self, x: u8) {
        self.small(x as u64, 8)
    }
    #[inline(always)]
    fn write_u16(&mut self, x: u16) {
        self.small(x as u64, 16)
    }
    #[inline(always)]
    fn write_u32(&mut self, x: u32) {
        self.small(x as u64, 32)
    }
    #[inline(always)]
    fn write_usize(&mut self, x: usize) {
        // Lengths and discriminants: almost always small.
        if x < 1 << 16 {
            self.small(x as u64 | 0x1_0000, 17)
        } else {
            self.write_u64(x as u64 ^ 0x5555_0000_0000_0000)
        }
    }
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        // 32 bytes at a time in two independent multiplies, so long register
        // files do not wait on one long dependency chain.
        let mut wide = bytes.chunks_exact(32);
        for c in &mut wide {
            let w = |i: usize| u64::from_le_bytes(c[i..i + 8].try_into().unwrap());
            let a = fold(w(0) ^ K, w(8) ^ K2);
            let b = fold(w(16) ^ K2, w(24) ^ K);
            self.write_u64(a ^ b.rotate_left(29));
        }
        let mut chunks = wide.remainder().chunks_exact(8);
        for c in &mut chunks {
            self.write_u64(u64::from_le_bytes(c.try_into().unwrap()));
        }
        for &b in chunks.remainder() {
            self.small(b as u64, 8);
        }
    }
    #[inline]
    fn finish(&self) -> u64 {
        let mut z = fold(self.h ^ self.buf ^ ((self.bits as u64) << 58), K);
        // splitmix64 finaliser: every input bit affects every output bit.
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::hash::Hash;

    fn fp<T: Hash>(x: &T) -> u64 {
        let mut h = FpHasher::default();
        x.hash(&mut h);
        h.finish()
    }

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

    #[test]
    fn is_stable() {
        assert_eq!(fp(&(1u64, 2u16, true)), fp(&(1u64, 2u16, true)));
    }
}
