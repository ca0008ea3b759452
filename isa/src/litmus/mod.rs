//! herd7 `.litmus` import (X86, X86_64, AArch64) into microcode programs.
//! (Being written.)
