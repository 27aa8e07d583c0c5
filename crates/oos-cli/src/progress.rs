//! Transfer progress: an `indicatif` bar with rate and ETA on a terminal, nothing otherwise.

use std::io::IsTerminal;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressState, ProgressStyle, WeakProgressBar};

use crate::units::human;

/// The bar on screen, if any: lines printed meanwhile hide it first ([`suspend`]). A run has
/// at most one at a time (one per single transfer, or the shared bar of a multi-file run).
static ACTIVE: Mutex<Option<WeakProgressBar>> = Mutex::new(None);

/// Runs `f` (which prints a line) with the bar on screen hidden, then redraws the bar.
pub fn suspend<R>(f: impl FnOnce() -> R) -> R {
    let bar = ACTIVE
        .lock()
        .expect("progress lock")
        .as_ref()
        .and_then(WeakProgressBar::upgrade);
    match bar {
        Some(bar) => bar.suspend(f),
        None => f(),
    }
}

/// A transfer progress display: a bar on a terminal, nothing otherwise (the caller prints a
/// plain line when each transfer ends).
#[derive(Clone)]
pub struct Progress {
    bar: Option<ProgressBar>,
}

/// `[#####-----] 1.5 MiB / 6.0 MiB 12.0 MiB/s ETA 1s label`, in the CLI's units; the label
/// last, cut to the terminal's width, so that the line never wraps.
fn style() -> ProgressStyle {
    ProgressStyle::with_template("[{bar:30}] {done} / {total} {rate}/s ETA {left} {wide_msg}")
        .expect("progress template")
        .progress_chars("#-")
        .with_key("done", |s: &ProgressState, w: &mut dyn std::fmt::Write| {
            let _ = w.write_str(&human(s.pos()));
        })
        .with_key("total", |s: &ProgressState, w: &mut dyn std::fmt::Write| {
            let _ = match s.len().filter(|&n| n > 0) {
                Some(n) => w.write_str(&human(n)),
                None => w.write_str("?"),
            };
        })
        .with_key("rate", |s: &ProgressState, w: &mut dyn std::fmt::Write| {
            let _ = w.write_str(&human(s.per_sec() as u64));
        })
        .with_key("left", |s: &ProgressState, w: &mut dyn std::fmt::Write| {
            let _ = match s.len().filter(|&n| n > 0) {
                Some(_) if s.pos() > 0 => write!(w, "{}s", s.eta().as_secs()),
                _ => w.write_str("?"),
            };
        })
}

impl Progress {
    /// A bar when stderr is a terminal and `enabled`; `total` 0 means not known yet.
    pub fn new(label: &str, total: u64, enabled: bool) -> Progress {
        if !(enabled && std::io::stderr().is_terminal()) {
            return Progress { bar: None };
        }
        let bar = ProgressBar::with_draw_target(
            (total > 0).then_some(total),
            ProgressDrawTarget::stderr(),
        )
        .with_style(style())
        .with_message(label.to_string());
        *ACTIVE.lock().expect("progress lock") = Some(bar.downgrade());
        Progress { bar: Some(bar) }
    }

    /// The SDK callback feeding this bar.
    pub fn callback(&self) -> Option<oos::ProgressFn> {
        let bar = self.bar.clone()?;
        Some(Arc::new(move |p: oos::Progress| {
            if p.total > 0 && bar.length() != Some(p.total) {
                bar.set_length(p.total);
            }
            bar.set_position(p.transferred);
        }))
    }

    /// A callback for one of several transfers sharing this bar: it turns the transfer's
    /// running total into increments of the bar's.
    pub fn job_callback(&self) -> Option<oos::ProgressFn> {
        let bar = self.bar.clone()?;
        let last = AtomicU64::new(0);
        Some(Arc::new(move |p: oos::Progress| {
            let prev = last.fetch_max(p.transferred, Ordering::Relaxed);
            bar.inc(p.transferred.saturating_sub(prev));
        }))
    }

    /// Draws the final state once, then clears the bar.
    pub fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.force_draw();
            bar.finish_and_clear();
        }
    }
}
