//! The assembler's error type.

/// An error in `.ucode` (or condition) text, located at the offending token.
///
/// Displays as `file:line:col: msg`; `line` and `col` are 1-based and columns
/// count characters (a tab is one column).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{file}:{line}:{col}: {msg}")]
pub struct AsmError {
    pub file: String,
    pub line: usize,
    pub col: usize,
    pub msg: String,
}
