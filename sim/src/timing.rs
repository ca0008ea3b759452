//! The timing model of the timed scheduler: how many cycles each kind of step
//! takes, with seeded jitter. A TOML or JSON file (every field optional: the
//! defaults fill in the rest); `docs/timing.md` explains each figure.
//!
//! The defaults are the suggested values of `shared/reference/timing.md` for a
//! current x86 or Arm server core at 3.0 GHz; each field's comment names the
//! sources it rests on (S-numbers of that file) and whether the figure was
//! measured by someone ([V]/[R]) or is an estimate ([I]).
//!
//! A latency is a triangular distribution `{ typical, min, max }`: most draws
//! land near `typical`, none outside `[min, max]`. A plain integer means a
//! fixed latency. Draws come from the timed scheduler's `ChaCha8Rng`, built from
//! the run's seed, so a run is a pure function of (program, model, timing, seed).

use serde::de::{self, MapAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

/// Largest latency a timing file may give (about 3.3 ms at 3 GHz).
pub const MAX_LATENCY: u64 = 10_000_000;

/// One latency in cycles, with its jitter.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Latency {
    pub typical: u64,
    pub min: u64,
    pub max: u64,
}

impl Latency {
    /// A latency with jitter: triangular on `[min, max]` with its mode at `typical`.
    pub const fn new(typical: u64, min: u64, max: u64) -> Latency {
        Latency { typical, min, max }
    }

    /// A fixed latency (no jitter).
    pub const fn fixed(c: u64) -> Latency {
        Latency { typical: c, min: c, max: c }
    }

    /// The latency at quantile `u` in `[0, 1)`: the inverse of the triangular
    /// distribution's CDF, rounded to the nearest cycle.
    pub fn at(&self, u: f64) -> u64 {
        if self.min == self.max {
            return self.min;
        }
        let (a, c, b) = (self.min as f64, self.typical as f64, self.max as f64);
        let split = (c - a) / (b - a);
        let x = if u < split { a + (u * (b - a) * (c - a)).sqrt() } else { b - ((1.0 - u) * (b - a) * (b - c)).sqrt() };
        // `x.round()` for x >= 0 (half away from zero), without the libm call:
        // x - trunc(x) is exact below 2^52.
        let t = x as u64;
        let r = if x - t as f64 >= 0.5 { t + 1 } else { t };
        r.clamp(self.min, self.max)
    }

    fn check(&self, name: &'static str, least: u64) -> Result<(), LatencyError> {
        let Latency { typical, min, max } = *self;
        if min < least {
            return Err(LatencyError::BelowLeast { name, min, least });
        }
        if !(min <= typical && typical <= max) {
            return Err(LatencyError::Order { name, min, typical, max });
        }
        if max > MAX_LATENCY {
            return Err(LatencyError::AboveLimit { name, max });
        }
        Ok(())
    }
}

/// A timing model that cannot be used: which latency, and why.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum LatencyError {
    #[error("{name}: min {min} is below {least} cycle{}", if *least == 1 { "" } else { "s" })]
    BelowLeast { name: &'static str, min: u64, least: u64 },
    #[error("{name}: expected min <= typical <= max, found min {min}, typical {typical}, max {max}")]
    Order { name: &'static str, min: u64, typical: u64, max: u64 },
    #[error("{name}: max {max} is above the limit of {MAX_LATENCY} cycles")]
    AboveLimit { name: &'static str, max: u64 },
    #[error("start_skew: {0} is above the limit of {MAX_LATENCY} cycles")]
    StartSkew(u64),
    #[error("clock_ghz: expected a positive number, found {0}")]
    Clock(f64),
}

impl Serialize for Latency {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if self.min == self.max && self.typical == self.min {
            return s.serialize_u64(self.typical);
        }
        use serde::ser::SerializeStruct;
        let mut st = s.serialize_struct("Latency", 3)?;
        st.serialize_field("typical", &self.typical)?;
        st.serialize_field("min", &self.min)?;
        st.serialize_field("max", &self.max)?;
        st.end()
    }
}

impl<'de> Deserialize<'de> for Latency {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Latency, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Latency;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a number of cycles, or a table { typical = N, min = N, max = N }")
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Latency, E> {
                Ok(Latency::fixed(v))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Latency, E> {
                u64::try_from(v).map(Latency::fixed).map_err(|_| E::custom(format!("{v} cycles: expected 0 or more")))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Latency, A::Error> {
                let (mut typical, mut min, mut max) = (None, None, None);
                while let Some(k) = map.next_key::<String>()? {
                    let slot = match k.as_str() {
                        "typical" => &mut typical,
                        "min" => &mut min,
                        "max" => &mut max,
                        other => {
                            return Err(de::Error::custom(format!(
                                "unknown key '{other}' in a latency (expected typical, min, max)"
                            )))
                        }
                    };
                    *slot = Some(map.next_value::<u64>()?);
                }
                let typical = typical.ok_or_else(|| de::Error::custom("a latency table needs 'typical'"))?;
                Ok(Latency { typical, min: min.unwrap_or(typical), max: max.unwrap_or(typical) })
            }
        }
        d.deserialize_any(V)
    }
}

/// Cycles of every kind of step. See the module documentation and `docs/timing.md`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TimingModel {
    /// Clock used to turn the sources' nanoseconds into cycles (for reports only).
    pub clock_ghz: f64,
    /// A register-only instruction (mov, alu, branch, call, ret, observe, halt),
    /// a store entering the store buffer, a no-op fence. [I]: one per cycle; real
    /// cores retire several such instructions per cycle, so this is an upper bound.
    pub alu: Latency,
    /// A load that hits in the core's own L1 (or reads its own store buffer).
    /// Golden Cove 5, Zen 4 4, Neoverse N1 4 cycles [V, R] (S1, S9, S12): 5 (4–5).
    pub l1_hit: Latency,
    /// An access to a line no core holds (cold: from the shared L3).
    /// AIDA L3 10–15 ns on client parts [V] (S3); 50 cycles, ±20% (S3, S11, S13).
    pub llc_hit: Latency,
    /// A coherence miss: the line moves from another core's cache (a load of a
    /// line another core wrote, a write to a line another core holds).
    /// 16–51 ns inside a cluster or mesh, Graviton 46–47 ns [V] (S4, S5): 60 (40–90).
    pub transfer: Latency,
    /// A store buffer writes its oldest entry to L1 when it owns the line: about
    /// one store per cycle [V order, I rate] (S7, S8). A head entry whose line is
    /// elsewhere waits for `transfer` (or `llc_hit`) instead.
    pub drain: Latency,
    /// A locked read-modify-write (x86 LOCK CMPXCHG / XCHG, Arm LSE CAS/SWP) on a
    /// line the core owns: ADL-P 19, Broadwell 17.6, Zen 3/4 about 8 cycles
    /// [V, R] (S14, S15, S16): 20 (8–25). A line elsewhere adds `transfer`.
    pub rmw: Latency,
    /// x86 MFENCE with an empty store buffer: about 33 cycles reciprocal
    /// throughput [R] (S10, S19): 30 (20–40). The wait for the buffer to drain
    /// comes on top (the model blocks the fence until it is empty).
    pub fence: Latency,
    /// Arm `DMB` (any kind) with nothing outstanding [I] (S10, S19): 15 (10–20).
    pub dmb: Latency,
    /// Raising an IPI: writing the local APIC's ICR / SELF-IPI register [I] (S20): 100.
    pub ipi_send: Latency,
    /// From a self-IPI to its arrival at the core [I] (S20, S21, S22): 300 (200–600).
    pub self_ipi_delivery: Latency,
    /// From an IPI to another core to its arrival: about 1 µs [I, consistent with
    /// S21, S23, S24]: 3000 (1500–6000).
    pub ipi_delivery: Latency,
    /// Taking an interrupt: vectoring plus the kernel's entry code [I] (S8): 300 ±50%.
    pub irq_entry: Latency,
    /// Returning from an interrupt [I] (S8): 300 ±50%. `iret` is serialising [V]
    /// (S8): it also waits until the core's store buffer is empty.
    pub irq_exit: Latency,
    /// Each core starts at a uniformly drawn cycle in `[0, start_skew]`: the
    /// cores' calls into the algorithm are not synchronised [I; a property of the
    /// workload, not of the hardware]. 0 starts every core at cycle 0.
    pub start_skew: u64,
}

impl Default for TimingModel {
    fn default() -> TimingModel {
        TimingModel {
            clock_ghz: 3.0,
            alu: Latency::fixed(1),
            l1_hit: Latency::new(5, 4, 5),
            llc_hit: Latency::new(50, 40, 60),
            transfer: Latency::new(60, 40, 90),
            drain: Latency::fixed(1),
            rmw: Latency::new(20, 8, 25),
            fence: Latency::new(30, 20, 40),
            dmb: Latency::new(15, 10, 20),
            ipi_send: Latency::fixed(100),
            self_ipi_delivery: Latency::new(300, 200, 600),
            ipi_delivery: Latency::new(3000, 1500, 6000),
            irq_entry: Latency::new(300, 150, 450),
            irq_exit: Latency::new(300, 150, 450),
            start_skew: 1000,
        }
    }
}

/// Why a timing file could not be used.
#[derive(Debug, thiserror::Error)]
pub enum TimingError {
    #[error("{file}: {msg}")]
    Parse { file: String, msg: String },
    #[error("{file}: {error}")]
    Invalid { file: String, error: LatencyError },
    #[error("{file}: expected a .toml or .json timing file")]
    Format { file: String },
}

impl TimingModel {
    /// Checks every latency (min <= typical <= max, at least one cycle for steps
    /// that take time, at most [`MAX_LATENCY`]).
    pub fn validate(&self) -> Result<(), LatencyError> {
        let one = [
            ("alu", &self.alu),
            ("l1_hit", &self.l1_hit),
            ("llc_hit", &self.llc_hit),
            ("transfer", &self.transfer),
            ("drain", &self.drain),
            ("rmw", &self.rmw),
            ("fence", &self.fence),
            ("dmb", &self.dmb),
            ("ipi_send", &self.ipi_send),
            ("irq_exit", &self.irq_exit),
        ];
        for (name, l) in one {
            l.check(name, 1)?;
        }
        for (name, l) in [
            ("self_ipi_delivery", &self.self_ipi_delivery),
            ("ipi_delivery", &self.ipi_delivery),
            ("irq_entry", &self.irq_entry),
        ] {
            l.check(name, 0)?;
        }
        if self.start_skew > MAX_LATENCY {
            return Err(LatencyError::StartSkew(self.start_skew));
        }
        if !(self.clock_ghz.is_finite() && self.clock_ghz > 0.0) {
            return Err(LatencyError::Clock(self.clock_ghz));
        }
        Ok(())
    }

    /// Parses a timing file's text; `file` names it in errors (its extension
    /// picks the format: `.toml` or `.json`).
    pub fn parse(text: &str, file: &str) -> Result<TimingModel, TimingError> {
        let lower = file.to_ascii_lowercase();
        let t: TimingModel = if lower.ends_with(".toml") {
            toml::from_str(text).map_err(|e| {
                let at = e.span().map(|s| line_col(text, s.start)).unwrap_or((1, 1));
                TimingError::Parse { file: format!("{file}:{}:{}", at.0, at.1), msg: e.message().to_string() }
            })?
        } else if lower.ends_with(".json") {
            // A struct would also read from an array, position by position: refuse that.
            let start = text.len() - text.trim_start().len();
            if let Some(c) = text[start..].chars().next().filter(|&c| c != '{') {
                let at = line_col(text, start);
                return Err(TimingError::Parse {
                    file: format!("{file}:{}:{}", at.0, at.1),
                    msg: format!("expected a JSON object of timing settings such as {{\"alu\": 1}}, found `{c}`"),
                });
            }
            serde_json::from_str(text).map_err(|e| TimingError::Parse {
                file: format!("{file}:{}:{}", e.line(), e.column()),
                msg: e.to_string(),
            })?
        } else {
            return Err(TimingError::Format { file: file.into() });
        };
        t.validate().map_err(|error| TimingError::Invalid { file: file.into(), error })?;
        Ok(t)
    }

    /// The model as a TOML document.
    pub fn to_toml(&self) -> String {
        toml::to_string(self).expect("a timing model always serialises")
    }

    /// Cycles as nanoseconds at this model's clock.
    pub fn ns(&self, cycles: u64) -> f64 {
        cycles as f64 / self.clock_ghz
    }
}

/// 1-based line and column of byte offset `at` in `text`.
fn line_col(text: &str, at: usize) -> (usize, usize) {
    let before = &text[..at.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map(|l| l.chars().count()).unwrap_or(0) + 1;
    (line, col)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(text: &str, file: &str, expect: Result<TimingModel, &str>) {
        match (TimingModel::parse(text, file), expect) {
            (Ok(got), Ok(want)) => assert_eq!(got, want, "{text}"),
            (Err(e), Err(want)) => assert!(e.to_string().contains(want), "{text}: got '{e}', want '{want}'"),
            (got, want) => panic!("{text}: got {got:?}, want {want:?}"),
        }
    }

    fn with(f: impl FnOnce(&mut TimingModel)) -> TimingModel {
        let mut t = TimingModel::default();
        f(&mut t);
        t
    }

    #[test]
    fn files() {
        check("", "t.toml", Ok(TimingModel::default()));
        check("{}", "t.json", Ok(TimingModel::default()));
        check("transfer = 150", "t.toml", Ok(with(|t| t.transfer = Latency::fixed(150))));
        check(
            "transfer = { typical = 150, min = 120, max = 180 }\nstart_skew = 0",
            "t.toml",
            Ok(with(|t| {
                t.transfer = Latency::new(150, 120, 180);
                t.start_skew = 0
            })),
        );
        check(r#"{"rmw": {"typical": 8}}"#, "t.json", Ok(with(|t| t.rmw = Latency::fixed(8))));
        check("trnasfer = 1", "t.toml", Err("t.toml:1:1: unknown field `trnasfer`"));
        check("transfer = { typical = 60, mni = 1 }", "t.toml", Err("unknown key 'mni'"));
        check("transfer = { typical = 60, min = 70 }", "t.toml", Err("transfer: expected min <= typical <= max"));
        check("alu = 0", "t.toml", Err("alu: min 0 is below 1 cycle"));
        check("alu = -3", "t.toml", Err("-3 cycles: expected 0 or more"));
        check("drain = \"fast\"", "t.toml", Err("a number of cycles, or a table"));
        check("rmw = 99999999999", "t.toml", Err("rmw: max 99999999999 is above the limit"));
        check("clock_ghz = 0.0", "t.toml", Err("clock_ghz: expected a positive number"));
        check("[x", "t.toml", Err("t.toml:1:"));
        check("{", "t.json", Err("t.json:1:1"));
        check("", "t.yaml", Err("expected a .toml or .json timing file"));
    }

    #[test]
    fn round_trips() {
        let t = with(|t| t.drain = Latency::new(2, 1, 3));
        assert_eq!(TimingModel::parse(&t.to_toml(), "x.toml").unwrap(), t);
        assert_eq!(TimingModel::parse(&serde_json::to_string(&t).unwrap(), "x.json").unwrap(), t);
    }

    #[test]
    fn triangular_quantiles() {
        let l = Latency::new(60, 40, 90);
        assert_eq!(l.at(0.0), 40);
        assert_eq!(l.at(0.999_999), 90);
        assert_eq!(l.at(0.4), 60, "the mode sits at (60-40)/(90-40) = 0.4");
        let mean = (0..10_000).map(|i| l.at((i as f64 + 0.5) / 10_000.0)).sum::<u64>() as f64 / 10_000.0;
        assert!((mean - (40.0 + 60.0 + 90.0) / 3.0).abs() < 0.5, "mean {mean}");
        assert_eq!(Latency::fixed(7).at(0.3), 7);
    }
}
