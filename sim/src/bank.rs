//! Fixed-capacity, `Copy` containers for per-core state, so that cloning a
//! machine state is a memory copy (exhaustive search clones millions of them).
//! Equality and hashing look only at the used part.

use isa::NUM_REGS;
use std::hash::{Hash, Hasher};
use std::ops::{Deref, DerefMut};

/// A register bank of up to [`NUM_REGS`] registers.
#[derive(Clone, Copy)]
pub struct Bank<T: Copy> {
    n: u8,
    v: [T; NUM_REGS],
}

impl<T: Copy + Default> Bank<T> {
    /// An empty bank (no registers).
    pub fn new() -> Self {
        Bank { n: 0, v: [T::default(); NUM_REGS] }
    }
    /// `n` registers, all `val`.
    pub fn filled(val: T, n: usize) -> Self {
        assert!(n <= NUM_REGS, "at most {NUM_REGS} registers");
        Bank { n: n as u8, v: [val; NUM_REGS] }
    }
}

impl<T: Copy + Default> Default for Bank<T> {
    fn default() -> Self {
        Bank::new()
    }
}

impl<T: Copy> Deref for Bank<T> {
    type Target = [T];
    #[inline]
    fn deref(&self) -> &[T] {
        &self.v[..self.n as usize]
    }
}

impl<T: Copy> DerefMut for Bank<T> {
    #[inline]
    fn deref_mut(&mut self) -> &mut [T] {
        &mut self.v[..self.n as usize]
    }
}

impl<T: Copy + PartialEq> PartialEq for Bank<T> {
    fn eq(&self, o: &Self) -> bool {
        **self == **o
    }
}
impl<T: Copy + Eq> Eq for Bank<T> {}

impl<T: Copy + Hash> Hash for Bank<T> {
    fn hash<H: Hasher>(&self, h: &mut H) {
        (**self).hash(h)
    }
}

impl<T: Copy + std::fmt::Debug> std::fmt::Debug for Bank<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        (**self).fmt(f)
    }
}

/// A call stack of return addresses with a fixed depth bound.
#[derive(Clone, Copy)]
pub struct Stack<const N: usize> {
    n: u8,
    v: [u16; N],
}

impl<const N: usize> Default for Stack<N> {
    fn default() -> Self {
        Stack { n: 0, v: [0; N] }
    }
}

impl<const N: usize> Stack<N> {
    pub fn len(&self) -> usize {
        self.n as usize
    }
    pub fn is_empty(&self) -> bool {
        self.n == 0
    }
    /// Pushes `pc`; false when the stack is full.
    pub fn push(&mut self, pc: u16) -> bool {
        if self.n as usize >= N {
            return false;
        }
        self.v[self.n as usize] = pc;
        self.n += 1;
        true
    }
    pub fn pop(&mut self) -> Option<u16> {
        if self.n == 0 {
            return None;
        }
        self.n -= 1;
        Some(self.v[self.n as usize])
    }
    pub fn as_slice(&self) -> &[u16] {
        &self.v[..self.n as usize]
    }
}

impl<const N: usize> PartialEq for Stack<N> {
    fn eq(&self, o: &Self) -> bool {
        self.as_slice() == o.as_slice()
    }
}
impl<const N: usize> Eq for Stack<N> {}
impl<const N: usize> Hash for Stack<N> {
    fn hash<H: Hasher>(&self, h: &mut H) {
        self.as_slice().hash(h)
    }
}
impl<const N: usize> std::fmt::Debug for Stack<N> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.as_slice().fmt(f)
    }
}
