//! Transfer progress: a bar with rate and ETA on a terminal.

use std::io::{IsTerminal, Write};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::units::human;

/// Whether a bar is on screen: plain lines printed meanwhile clear it first.
static DRAWN: AtomicBool = AtomicBool::new(false);

/// Clears a bar on screen, so that a line printed next starts at column 0 (the bar redraws
/// itself on its next update).
pub fn clear_line() {
    if DRAWN.swap(false, Ordering::Relaxed) {
        eprint!("\r\x1b[2K");
        let _ = std::io::stderr().flush();
        DRAWN.store(true, Ordering::Relaxed);
    }
}

/// A transfer progress display: a redrawn bar on a terminal, nothing otherwise (the caller
/// prints a plain line when each transfer ends).
#[derive(Clone)]
pub struct Progress {
    inner: Option<Arc<Bar>>,
}

struct Bar {
    label: String,
    start: Instant,
    done: AtomicU64,
    total: AtomicU64,
    last_draw: Mutex<Instant>,
}

impl Progress {
    /// A bar when stderr is a terminal and `enabled`.
    pub fn new(label: &str, total: u64, enabled: bool) -> Progress {
        let on = enabled && std::io::stderr().is_terminal();
        Progress {
            inner: on.then(|| {
                Arc::new(Bar {
                    label: label.to_string(),
                    start: Instant::now(),
                    done: AtomicU64::new(0),
                    total: AtomicU64::new(total),
                    last_draw: Mutex::new(Instant::now() - Duration::from_secs(1)),
                })
            }),
        }
    }

    /// The SDK callback feeding this bar.
    pub fn callback(&self) -> Option<oos::ProgressFn> {
        let bar = self.inner.clone()?;
        Some(Arc::new(move |p: oos::Progress| {
            bar.done.store(p.transferred, Ordering::Relaxed);
            if p.total > 0 {
                bar.total.store(p.total, Ordering::Relaxed);
            }
            bar.draw(false);
        }))
    }

    /// A callback for one of several transfers sharing this bar: it turns the transfer's
    /// running total into increments of the bar's.
    pub fn job_callback(&self) -> Option<oos::ProgressFn> {
        let bar = self.inner.clone()?;
        let last = AtomicU64::new(0);
        Some(Arc::new(move |p: oos::Progress| {
            let prev = last.swap(p.transferred, Ordering::Relaxed);
            bar.done
                .fetch_add(p.transferred.saturating_sub(prev), Ordering::Relaxed);
            bar.draw(false);
        }))
    }

    /// Clears the bar.
    pub fn finish(&self) {
        if let Some(bar) = &self.inner {
            bar.draw(true);
            clear_line();
        }
    }
}

impl Bar {
    fn draw(&self, force: bool) {
        let mut last = self.last_draw.lock().expect("progress lock");
        if !force && last.elapsed() < Duration::from_millis(100) {
            return;
        }
        *last = Instant::now();
        let done = self.done.load(Ordering::Relaxed);
        let total = self.total.load(Ordering::Relaxed);
        let secs = self.start.elapsed().as_secs_f64().max(1e-3);
        let rate = done as f64 / secs;
        let width = 30usize;
        let (bar, eta) = if total > 0 {
            let filled = ((done.min(total) as f64 / total as f64) * width as f64) as usize;
            let eta = if rate > 0.0 {
                format!("{:.0}s", (total.saturating_sub(done)) as f64 / rate)
            } else {
                "?".into()
            };
            (
                format!("{}{}", "#".repeat(filled), "-".repeat(width - filled)),
                eta,
            )
        } else {
            ("-".repeat(width), "?".into())
        };
        eprint!(
            "\r\x1b[2K{} [{bar}] {} / {} {}/s ETA {eta}",
            self.label,
            human(done),
            if total > 0 { human(total) } else { "?".into() },
            human(rate as u64)
        );
        let _ = std::io::stderr().flush();
        DRAWN.store(true, Ordering::Relaxed);
    }
}
