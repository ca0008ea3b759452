//! Timing grids: sweeps over fields of the timing model.
//!
//! `FIELD=v1,v2,...` or `FIELD=a..b:step` (`a..=b:step` includes `b`, as Rust's
//! ranges; `:step` defaults to 1) varies one field of [`TimingModel`]. FIELD is
//! any field of the timing file: a latency (`drain`, `transfer`, ...) is then
//! a fixed number of cycles; `drain.typical`, `drain.min` or `drain.max` varies
//! one part of a latency and keeps the others; `start_skew` and `clock_ghz`
//! are plain numbers. Several fields make a grid (their cross product, the
//! first field varying slowest). A grid file (TOML or JSON, like a timing
//! file) lists the same strings: `vary = ["drain=1,100", "start_skew=0..=4000:2000"]`.
//!
//! A point's timing model is the sweep's base model with the point's values
//! put in through the timing file's own serde form, so every field the file
//! format knows can be varied, and every point is validated as a timing file
//! is.

use anyhow::{bail, Result};
use serde::de::{MapAccess, Visitor};
use serde::ser::SerializeMap;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Number, Value};
use sim::TimingModel;
use std::fmt;
use std::path::Path;

/// Most values one field may take, and most points a grid may have.
pub const MAX_VALUES: usize = 10_000;
pub const MAX_POINTS: usize = 100_000;

/// One varied field and its values, in order.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Vary {
    pub field: String,
    pub values: Vec<Number>,
}

/// The values of a grid point, in the grid's field order (a JSON object).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Params(pub Vec<(String, Number)>);

impl Params {
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// `drain=300 start_skew=4000`.
    pub fn words(&self) -> String {
        self.0.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join(" ")
    }

    /// The value of `field`, as a number for plotting.
    pub fn get(&self, field: &str) -> Option<f64> {
        self.0.iter().find(|(k, _)| k == field).and_then(|(_, v)| v.as_f64())
    }
}

impl Serialize for Params {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(self.0.len()))?;
        for (k, v) in &self.0 {
            m.serialize_entry(k, v)?;
        }
        m.end()
    }
}

impl<'de> Deserialize<'de> for Params {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Params, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Params;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an object of timing fields and their numbers")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Params, A::Error> {
                let mut out = Vec::new();
                while let Some((k, v)) = map.next_entry::<String, Number>()? {
                    out.push((k, v));
                }
                Ok(Params(out))
            }
        }
        d.deserialize_map(V)
    }
}

/// The fields of the timing file (`drain`, `start_skew`, ...) and whether each is a latency.
fn fields() -> Vec<(String, bool)> {
    match serde_json::to_value(TimingModel::default()) {
        Ok(Value::Object(m)) => m
            .into_iter()
            .map(|(k, _)| {
                let latency = k != "start_skew" && k != "clock_ghz";
                (k, latency)
            })
            .collect(),
        _ => Vec::new(),
    }
}

/// Why a `--vary` value, a grid or one of its points was refused.
///
/// Displays as the command line reports it (`--vary drian=1: unknown timing
/// field 'drian' (...)`); no variant has a `source`, so an error chain printed
/// with `{:#}` says each thing once.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum GridError {
    /// A `--vary` value or a grid file's entry; `flag` names it (`--vary drain=x`).
    #[error("{flag}: {fault}")]
    Vary { flag: String, fault: VaryFault },
    /// `field` (or the latency it is part of) is varied twice.
    #[error("--vary {field}: {earlier} is already varied")]
    AlreadyVaried { field: String, earlier: String },
    #[error("the grid has more than {MAX_POINTS} points")]
    TooManyPoints,
    /// A point of the grid gives an unusable timing model.
    #[error("the grid point {0}")]
    Point(PointError),
}

/// What is wrong with one `FIELD=values` string.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum VaryFault {
    #[error("expected FIELD=v1,v2,... or FIELD=a..b:step, such as drain=1,100,500")]
    Syntax,
    #[error("{0}")]
    Field(FieldError),
    #[error(
        "expected a range such as 0..8000:2000 (0 to 6000 in steps of 2000) or 0..=8000:2000 (to 8000), of whole numbers"
    )]
    Range,
    #[error("the step must be at least 1")]
    ZeroStep,
    #[error("the range is empty")]
    EmptyRange,
    /// A range with `count` values.
    #[error("{count} values, more than {MAX_VALUES} (raise the step)")]
    RangeTooLong { count: u64 },
    /// A list with `count` values.
    #[error("{count} values, more than {MAX_VALUES}")]
    TooManyValues { count: usize },
    #[error("'{text}' is not a number (expected values such as 1,100,500)")]
    NotANumber { text: String },
    #[error("no values")]
    NoValues,
}

/// A name that is not a field of the timing file (nor a part of a latency).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum FieldError {
    /// `known`: the timing file's fields, comma-separated.
    #[error("unknown timing field '{field}' (expected one of {known})")]
    Unknown { field: String, known: String },
    #[error("'{field}' is a plain number: it has no part '{part}'")]
    PlainNumber { field: String, part: String },
    #[error("unknown part '{part}' of latency '{field}' (expected typical, min or max)")]
    UnknownPart { field: String, part: String },
}

/// Why a grid point's timing model is unusable; `point` is the point's
/// values (`drain=300 start_skew=4000`).
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[error("{point}: {fault}")]
pub struct PointError {
    pub point: String,
    pub fault: PointFault,
}

#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum PointFault {
    /// The values do not make a timing file (serde's message).
    #[error("{0}")]
    Format(String),
    #[error("{0}")]
    Invalid(sim::LatencyError),
}

fn vary_err(flag: &str, fault: VaryFault) -> GridError {
    GridError::Vary { flag: flag.to_string(), fault }
}

/// Checks that `field` names a timing field (or part of a latency).
fn check_field(field: &str) -> Result<(), FieldError> {
    let known = fields();
    let (top, part) = match field.split_once('.') {
        Some((t, p)) => (t, Some(p)),
        None => (field, None),
    };
    let Some((_, latency)) = known.iter().find(|(k, _)| k == top) else {
        let known = known.iter().map(|(k, _)| k.as_str()).collect::<Vec<_>>().join(", ");
        return Err(FieldError::Unknown { field: top.to_string(), known });
    };
    if let Some(p) = part {
        if !latency {
            return Err(FieldError::PlainNumber { field: top.to_string(), part: p.to_string() });
        }
        if !matches!(p, "typical" | "min" | "max") {
            return Err(FieldError::UnknownPart { field: top.to_string(), part: p.to_string() });
        }
    }
    Ok(())
}

/// A number as written: a whole number, or a decimal.
fn number(s: &str) -> Option<Number> {
    let s = s.trim();
    if let Ok(n) = s.parse::<u64>() {
        return Some(n.into());
    }
    s.parse::<f64>().ok().filter(|x| x.is_finite() && *x >= 0.0).and_then(Number::from_f64)
}

/// `a..b:step` or `a..=b:step` (whole numbers).
fn range(s: &str) -> Result<Vec<Number>, VaryFault> {
    let (body, step) = match s.rsplit_once(':') {
        Some((b, st)) => (b, Some(st)),
        None => (s, None),
    };
    let bad = || VaryFault::Range;
    let (a, b) = body.split_once("..").ok_or_else(bad)?;
    let (b, inclusive) = match b.strip_prefix('=') {
        Some(b) => (b, true),
        None => (b, false),
    };
    let a: u64 = a.trim().parse().map_err(|_| bad())?;
    let b: u64 = b.trim().parse().map_err(|_| bad())?;
    let step: u64 = match step {
        Some(st) => st.trim().parse().map_err(|_| bad())?,
        None => 1,
    };
    if step == 0 {
        return Err(VaryFault::ZeroStep);
    }
    let end = if inclusive { b.saturating_add(1) } else { b };
    if a >= end {
        return Err(VaryFault::EmptyRange);
    }
    let n = (end - a).div_ceil(step);
    if n > MAX_VALUES as u64 {
        return Err(VaryFault::RangeTooLong { count: n });
    }
    Ok((0..n).map(|i| Number::from(a + i * step)).collect())
}

/// Parses `FIELD=v1,v2,...` or `FIELD=a..b:step`; `flag` names it in errors
/// (`--vary drain=1,2`).
pub fn parse_vary_as(flag: &str, s: &str) -> Result<Vary, GridError> {
    let Some((field, values)) = s.split_once('=') else {
        return Err(vary_err(flag, VaryFault::Syntax));
    };
    let field = field.trim();
    check_field(field).map_err(|e| vary_err(flag, VaryFault::Field(e)))?;
    let values = if values.contains("..") {
        range(values).map_err(|f| vary_err(flag, f))?
    } else {
        let mut out = Vec::new();
        for v in values.split(',') {
            let n = number(v).ok_or_else(|| vary_err(flag, VaryFault::NotANumber { text: v.trim().to_string() }))?;
            out.push(n);
        }
        if out.len() > MAX_VALUES {
            return Err(vary_err(flag, VaryFault::TooManyValues { count: out.len() }));
        }
        out
    };
    if values.is_empty() {
        return Err(vary_err(flag, VaryFault::NoValues));
    }
    Ok(Vary { field: field.to_string(), values })
}

/// Parses a `--vary` value.
pub fn parse_vary(s: &str) -> Result<Vary, GridError> {
    parse_vary_as(&format!("--vary {s}"), s)
}

/// A grid file: `vary = ["FIELD=...", ...]` in TOML (`.toml`) or JSON (`.json`).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct GridFile {
    vary: Vec<String>,
}

/// Reads a grid file's text (`file` names it in errors).
pub fn parse_grid_file(text: &str, file: &str) -> Result<Vec<Vary>> {
    let g: GridFile = if file.to_ascii_lowercase().ends_with(".json") {
        serde_json::from_str(text).map_err(|e| anyhow::anyhow!("{file}:{}:{}: {e}", e.line(), e.column()))?
    } else if file.to_ascii_lowercase().ends_with(".toml") {
        toml::from_str(text).map_err(|e| {
            let at = e.span().map(|s| line_col(text, s.start)).map(|(l, c)| format!(":{l}:{c}")).unwrap_or_default();
            anyhow::anyhow!("{file}{at}: {}", e.message())
        })?
    } else {
        bail!("{file}: expected a .toml or .json grid file");
    };
    let mut out = Vec::new();
    for (i, s) in g.vary.iter().enumerate() {
        out.push(parse_vary_as(&format!("{file}: vary[{i}] {s}"), s)?);
    }
    Ok(out)
}

fn line_col(text: &str, at: usize) -> (usize, usize) {
    let before = &text[..at.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let col = before.len() - before.rfind('\n').map_or(0, |i| i + 1) + 1;
    (line, col)
}

/// Every point of the grid, first field slowest; one empty point without a grid.
pub fn points(grid: &[Vary]) -> Vec<Params> {
    let mut out = vec![Params::default()];
    for v in grid {
        let mut next = Vec::with_capacity(out.len() * v.values.len());
        for p in &out {
            for x in &v.values {
                let mut q = p.clone();
                q.0.push((v.field.clone(), x.clone()));
                next.push(q);
            }
        }
        out = next;
    }
    out
}

/// The number of points of a grid (`None`: too many to count).
pub fn point_count(grid: &[Vary]) -> Option<usize> {
    grid.iter().try_fold(1usize, |n, v| n.checked_mul(v.values.len()))
}

/// `base` with the point's values put in, validated like a timing file.
pub fn apply(base: &TimingModel, point: &Params) -> Result<TimingModel, PointError> {
    if point.is_empty() {
        return Ok(base.clone());
    }
    let fail = |fault| PointError { point: point.words(), fault };
    let mut v = serde_json::to_value(base).map_err(|e| fail(PointFault::Format(e.to_string())))?;
    for (field, x) in &point.0 {
        match field.split_once('.') {
            None => v[field.as_str()] = Value::Number(x.clone()),
            Some((top, part)) => {
                let lat = &mut v[top];
                if let Value::Number(n) = lat.clone() {
                    *lat = serde_json::json!({ "typical": n, "min": n, "max": n });
                }
                lat[part] = Value::Number(x.clone());
            }
        }
    }
    let t: TimingModel = serde_json::from_value(v).map_err(|e| fail(PointFault::Format(e.to_string())))?;
    t.validate().map_err(|e| fail(PointFault::Invalid(e)))?;
    Ok(t)
}

/// Checks a grid against its base timing model: no field twice (nor a
/// latency and one of its parts), not too many points, every point valid.
pub fn check(base: &TimingModel, grid: &[Vary]) -> Result<(), GridError> {
    for (i, v) in grid.iter().enumerate() {
        let top = |f: &str| f.split('.').next().unwrap_or(f).to_string();
        for w in &grid[..i] {
            let clash = w.field == v.field
                || (top(&w.field) == top(&v.field) && (!w.field.contains('.') || !v.field.contains('.')));
            if clash {
                return Err(GridError::AlreadyVaried { field: v.field.clone(), earlier: w.field.clone() });
            }
        }
    }
    match point_count(grid) {
        Some(n) if n <= MAX_POINTS => {}
        _ => return Err(GridError::TooManyPoints),
    }
    for p in points(grid) {
        apply(base, &p).map_err(GridError::Point)?;
    }
    Ok(())
}

/// The grid file's or the flags' fields, for reading a grid file from disk.
pub fn read_grid_file(path: &Path) -> Result<Vec<Vary>> {
    let text = sim::files::read_text(path)?;
    parse_grid_file(&text, &path.display().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn n(v: &[u64]) -> Vec<Number> {
        v.iter().map(|&x| Number::from(x)).collect()
    }

    #[test]
    fn values_and_ranges() {
        assert_eq!(parse_vary("drain=1,100,500").unwrap().values, n(&[1, 100, 500]));
        assert_eq!(parse_vary("start_skew=0..8000:2000").unwrap().values, n(&[0, 2000, 4000, 6000]));
        assert_eq!(parse_vary("start_skew=0..=8000:2000").unwrap().values, n(&[0, 2000, 4000, 6000, 8000]));
        assert_eq!(parse_vary("drain.max=3..=5").unwrap().values, n(&[3, 4, 5]));
        assert_eq!(parse_vary("clock_ghz=2.5,3").unwrap().values.len(), 2);
        for (bad, why) in [
            ("drain", "expected FIELD="),
            ("drian=1", "unknown timing field 'drian'"),
            ("drain.mode=1", "unknown part 'mode'"),
            ("start_skew.min=1", "plain number"),
            ("drain=1,x", "'x' is not a number"),
            ("drain=5..5", "empty"),
            ("drain=9..2:1", "empty"),
            ("drain=0..10:0", "at least 1"),
            ("drain=0..1000000", "more than"),
            ("drain=a..b", "expected a range"),
            ("drain=-1", "not a number"),
        ] {
            let e = parse_vary(bad).unwrap_err().to_string();
            assert!(e.contains(why), "{bad}: {e}");
        }
    }

    #[test]
    fn errors_are_typed_and_keep_their_messages() {
        let e = parse_vary("drian=1").unwrap_err();
        assert!(
            matches!(&e, GridError::Vary { fault: VaryFault::Field(FieldError::Unknown { field, .. }), .. } if field == "drian")
        );
        assert!(e.to_string().starts_with("--vary drian=1: unknown timing field 'drian' (expected one of "), "{e}");
        assert_eq!(
            parse_vary("drain=1,x").unwrap_err(),
            GridError::Vary { flag: "--vary drain=1,x".into(), fault: VaryFault::NotANumber { text: "x".into() } }
        );
        assert_eq!(
            parse_vary("drain=0..10:0").unwrap_err().to_string(),
            "--vary drain=0..10:0: the step must be at least 1"
        );
        assert_eq!(
            parse_vary("drain=0..1000000").unwrap_err().to_string(),
            "--vary drain=0..1000000: 1000000 values, more than 10000 (raise the step)"
        );
        // No source chain: `{:#}` through anyhow says it once.
        let a = anyhow::Error::from(parse_vary("drain").unwrap_err());
        assert_eq!(
            format!("{a:#}"),
            "--vary drain: expected FIELD=v1,v2,... or FIELD=a..b:step, such as drain=1,100,500"
        );
    }

    #[test]
    fn points_and_apply() {
        let g = vec![parse_vary("drain=1,300").unwrap(), parse_vary("start_skew=0,4000").unwrap()];
        let p = points(&g);
        assert_eq!(p.len(), 4);
        assert_eq!(p[1].words(), "drain=1 start_skew=4000");
        let t = apply(&TimingModel::default(), &p[3]).unwrap();
        assert_eq!(t.drain, sim::Latency::fixed(300));
        assert_eq!(t.start_skew, 4000);
        assert_eq!(t.transfer, TimingModel::default().transfer);
        // A part of a latency keeps the others.
        let q = Params(vec![("transfer.max".into(), 200.into())]);
        assert_eq!(apply(&TimingModel::default(), &q).unwrap().transfer, sim::Latency::new(60, 40, 200));
        // An invalid point says which and why.
        let e = check(&TimingModel::default(), &[parse_vary("drain.typical=1,300").unwrap()]).unwrap_err();
        assert!(matches!(&e, GridError::Point(p) if p.point == "drain.typical=300"), "{e:?}");
        let e = e.to_string();
        assert!(e.contains("drain.typical=300") && e.contains("min <= typical <= max"), "{e}");
        let e = check(&TimingModel::default(), &[parse_vary("drain=1").unwrap(), parse_vary("drain.max=3").unwrap()])
            .unwrap_err();
        assert_eq!(e, GridError::AlreadyVaried { field: "drain.max".into(), earlier: "drain".into() });
        assert_eq!(e.to_string(), "--vary drain.max: drain is already varied");
        let e = check(&TimingModel::default(), &[parse_vary("drain=0").unwrap()]).unwrap_err().to_string();
        assert!(e.contains("below 1"), "{e}");
    }

    #[test]
    fn grid_files() {
        let g = parse_grid_file("vary = [\"drain=1,2\", \"start_skew=0..=10:5\"]\n", "g.toml").unwrap();
        assert_eq!(g.len(), 2);
        assert_eq!(g, parse_grid_file(r#"{"vary": ["drain=1,2", "start_skew=0..=10:5"]}"#, "g.json").unwrap());
        let e = parse_grid_file("vary = [\"drian=1\"]\n", "g.toml").unwrap_err().to_string();
        assert!(e.contains("g.toml: vary[0] drian=1: unknown timing field"), "{e}");
        let e = parse_grid_file("vray = []\n", "g.toml").unwrap_err().to_string();
        assert!(e.starts_with("g.toml:1:1:"), "{e}");
        assert!(parse_grid_file("", "g.txt").is_err());
    }

    #[test]
    fn params_keep_their_order_in_json() {
        let p = Params(vec![("start_skew".into(), 5.into()), ("drain".into(), 1.into())]);
        let s = serde_json::to_string(&p).unwrap();
        assert_eq!(s, r#"{"start_skew":5,"drain":1}"#);
        assert_eq!(serde_json::from_str::<Params>(&s).unwrap(), p);
    }
}
