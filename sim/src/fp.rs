//! A fast 64-bit fingerprint hasher for machine states (multiply-fold mixing of
//! each word, as in wyhash/foldhash, with a final avalanche). Deterministic:
//! no random seed, so fingerprints are stable across runs and thread counts.

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
}

impl Default for FpHasher {
    fn default() -> Self {
        FpHasher { h: 0x243F_6A88_85A3_08D3 }
    }
}

impl Hasher for FpHasher {
    #[inline(always)]
    fn write_u64(&mut self, x: u64) {
        self.h = fold(self.h ^ x, K).rotate_left(23).wrapping_add(K2);
    }
    #[inline(always)]
    fn write_u8(&mut self, x: u8) {
        self.write_u64(x as u64 | 0x100)
    }
    #[inline(always)]
    fn write_u16(&mut self, x: u16) {
        self.write_u64(x as u64 | 0x1_0000)
    }
    #[inline(always)]
    fn write_u32(&mut self, x: u32) {
        self.write_u64(x as u64 | 0x1_0000_0000)
    }
    #[inline(always)]
    fn write_usize(&mut self, x: usize) {
        self.write_u64(x as u64 ^ 0x5555_0000_0000_0000)
    }
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        // Four independent lanes per 32 bytes, so the multiplies overlap.
        let mut wide = bytes.chunks_exact(32);
        for c in &mut wide {
            let w = |i: usize| u64::from_le_bytes(c[i..i + 8].try_into().unwrap());
            let a = fold(w(0) ^ K, w(8) ^ K2);
            let b = fold(w(16) ^ K2, w(24) ^ K);
            self.write_u64(a ^ b.rotate_left(32));
        }
        let mut chunks = wide.remainder().chunks_exact(8);
        for c in &mut chunks {
            self.write_u64(u64::from_le_bytes(c.try_into().unwrap()));
        }
        let rest = chunks.remainder();
        let mut last = [0u8; 8];
        last[..rest.len()].copy_from_slice(rest);
        self.write_u64(u64::from_le_bytes(last) ^ ((rest.len() as u64) << 59));
    }
    #[inline]
    fn finish(&self) -> u64 {
        // splitmix64 finaliser: every input bit affects every output bit.
        let mut z = self.h;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
}
