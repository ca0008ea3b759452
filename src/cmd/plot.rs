//! `--plot`: a sweep's violation rates as an SVG (plotters): rate against
//! cores, one line per model with its 95% interval, one panel per variant.

use anyhow::{bail, Result};
use plotters::prelude::*;
use std::path::Path;
use sweeps::{SweepOutput, SweepSpec};

pub fn check_path(p: &Path) -> Result<()> {
    match p.extension().and_then(|e| e.to_str()) {
        Some(e) if e.eq_ignore_ascii_case("svg") => Ok(()),
        _ => bail!("--plot {}: expected an .svg file", p.display()),
    }
}

/// How `--plot` draws.
#[derive(clap::Args, Debug, Clone, Default)]
pub struct PlotOpts {
    /// The plot's x axis: `cores` or a varied timing field (default: the first --vary field, else cores)
    #[arg(long, value_name = "FIELD")]
    pub plot_x: Option<String>,
    /// A logarithmic rate axis
    #[arg(long)]
    pub log: bool,
}

impl PlotOpts {
    /// Checks the options against the sweep they plot.
    pub fn check(&self, spec: &SweepSpec) -> Result<()> {
        if let Some(x) = &self.plot_x {
            if x != "cores" && !spec.grid.iter().any(|v| &v.field == x) {
                let mut known = vec!["cores".to_string()];
                known.extend(spec.grid.iter().map(|v| v.field.clone()));
                bail!("--plot-x {x}: expected one of {} (cores or a varied timing field)", known.join(", "));
            }
        }
        Ok(())
    }
}

fn color(model: &str) -> RGBColor {
    match model {
        "sc" => RGBColor(0x1f, 0x77, 0xb4),
        "tso" => RGBColor(0xd6, 0x27, 0x28),
        "arm" => RGBColor(0x2c, 0xa0, 0x2c),
        _ => RGBColor(0x55, 0x55, 0x55),
    }
}

/// The SVG text of the plot.
pub fn svg(o: &SweepOutput) -> Result<String> {
    let spec = &o.sweep;
    let n = spec.variants.len().max(1);
    let cols = n.min(3);
    let rows = n.div_ceil(cols);
    let (w, h) = (420 * cols as u32, 300 * rows as u32 + 40);
    let lo = *spec.cores.first().unwrap_or(&1) as f64;
    let hi = *spec.cores.last().unwrap_or(&1) as f64;
    let ymax = o.cells.iter().map(|c| c.ci_high.max(c.rate)).fold(0.0f64, f64::max).max(0.001) * 1.3;
    let ymax = ymax.min(1.0);
    // Enough decimals that the percent ticks differ (0.05% steps need 2).
    let decimals = ((-(ymax * 100.0 / 5.0).log10()).ceil().max(0.0) as usize).min(6);
    let mut text = String::new();
    {
        let root = SVGBackend::with_string(&mut text, (w, h)).into_drawing_area();
        let err = |e: DrawingAreaErrorKind<_>| anyhow::anyhow!("plot: {e:?}");
        root.fill(&WHITE).map_err(err)?;
        let title = format!(
            "irq_work lost-work rate ({} scheduler, seeds {}..{}, {} write{} per producer; bars: 95% Wilson interval)",
            spec.scheduler.name(),
            spec.seeds[0],
            spec.seeds[1],
            spec.writes,
            if spec.writes == 1 { "" } else { "s" }
        );
        let root = root.titled(&title, ("sans-serif", 17)).map_err(err)?;
        let panels = root.split_evenly((rows, cols));
        for (i, (v, area)) in spec.variants.iter().zip(panels.iter()).enumerate() {
            let mut chart = ChartBuilder::on(area)
                .caption(v.name(), ("sans-serif", 16))
                .margin(12)
                .x_label_area_size(32)
                .y_label_area_size(56)
                .build_cartesian_2d((lo - 0.3)..(hi + 0.3), 0f64..ymax)
                .map_err(err)?;
            chart
                .configure_mesh()
                .x_desc("cores")
                .y_desc("rate")
                .x_labels(((hi - lo) as usize + 1).min(16))
                .x_label_formatter(&|x| if x.fract().abs() < 1e-9 { format!("{x:.0}") } else { String::new() })
                .y_label_formatter(&|y| format!("{:.*}%", decimals, y * 100.0))
                .light_line_style(WHITE.mix(0.0))
                .draw()
                .map_err(err)?;
            for m in &spec.models {
                let c = color(m.name());
                let mut pts: Vec<(f64, f64, f64, f64)> = o
                    .cells
                    .iter()
                    .filter(|x| x.variant == Some(*v) && &x.model == m && x.runs > 0)
                    .map(|x| (x.cores as f64, x.rate, x.ci_low, x.ci_high))
                    .collect();
                pts.sort_by(|a, b| a.0.total_cmp(&b.0));
                chart
                    .draw_series(LineSeries::new(pts.iter().map(|p| (p.0, p.1)), c.stroke_width(2)))
                    .map_err(err)?
                    .label(m.name())
                    .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 18, y)], c.stroke_width(2)));
                chart.draw_series(pts.iter().map(|p| Circle::new((p.0, p.1), 3, c.filled()))).map_err(err)?;
                chart
                    .draw_series(pts.iter().map(|p| ErrorBar::new_vertical(p.0, p.2, p.1, p.3, c.stroke_width(1), 6)))
                    .map_err(err)?;
            }
            // One legend (the models are the same in every panel), clear of the data.
            if i > 0 {
                continue;
            }
            chart
                .configure_series_labels()
                .position(SeriesLabelPosition::UpperRight)
                .border_style(BLACK.mix(0.4))
                .background_style(WHITE.mix(0.85))
                .draw()
                .map_err(err)?;
        }
        root.present().map_err(err)?;
    }
    Ok(text)
}

/// Writes the plot of `o` to `path` (atomically).
pub fn plot(path: &Path, o: &SweepOutput, opts: &PlotOpts) -> Result<()> {
    check_path(path)?;
    opts.check(&o.sweep)?;
    super::write_atomic(path, &svg(o)?)
}
