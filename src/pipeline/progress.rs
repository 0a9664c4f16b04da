//! Progress on a terminal: the phase, blobs done of the total and the read rate, on stderr,
//! redrawn at most ten times a second. Nothing when stderr is not a terminal or with
//! `--quiet`: logs and CI output stay clean.

use std::io::IsTerminal;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::source::progress::{Progress, Silent};

/// A progress display for this run: on a terminal unless `quiet`, else nothing.
pub fn for_terminal(quiet: bool) -> Box<dyn Progress> {
    if quiet || !std::io::stderr().is_terminal() {
        return Box::new(Silent);
    }
    Box::new(Terminal::new())
}

struct Terminal {
    bar: Mutex<ProgressBar>,
    bytes: AtomicU64,
    steps: AtomicU64,
    started: Mutex<Instant>,
}

impl Terminal {
    fn new() -> Terminal {
        Terminal {
            bar: Mutex::new(ProgressBar::hidden()),
            bytes: AtomicU64::new(0),
            steps: AtomicU64::new(0),
            started: Mutex::new(Instant::now()),
        }
    }

    fn bar(&self) -> std::sync::MutexGuard<'_, ProgressBar> {
        self.bar.lock().unwrap_or_else(|p| p.into_inner())
    }
}

impl Progress for Terminal {
    fn phase(&self, name: &str, total: Option<u64>) {
        let mut bar = self.bar();
        bar.finish_and_clear();
        let target = ProgressDrawTarget::stderr_with_hz(10);
        *bar = match total {
            Some(n) => {
                let b = ProgressBar::with_draw_target(Some(n), target);
                if let Ok(style) = ProgressStyle::with_template(
                    "{prefix} [{bar:28}] {pos}/{len} blobs, {msg} ({elapsed})",
                ) {
                    b.set_style(style.progress_chars("=> "));
                }
                b
            }
            None => {
                let b = ProgressBar::with_draw_target(None, target);
                if let Ok(style) = ProgressStyle::with_template("{spinner} {prefix} ({elapsed})") {
                    b.set_style(style);
                }
                b.enable_steady_tick(Duration::from_millis(100));
                b
            }
        };
        bar.set_prefix(name.to_string());
        self.bytes.store(0, Ordering::Relaxed);
        self.steps.store(0, Ordering::Relaxed);
        *self.started.lock().unwrap_or_else(|p| p.into_inner()) = Instant::now();
    }

    fn step(&self, bytes: u64) {
        let total = self.bytes.fetch_add(bytes, Ordering::Relaxed) + bytes;
        let steps = self.steps.fetch_add(1, Ordering::Relaxed) + 1;
        let bar = self.bar();
        bar.inc(1);
        // The message is cheap to skip: the bar redraws at most ten times a second anyway.
        if steps.is_multiple_of(256) {
            let secs = self
                .started
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .elapsed()
                .as_secs_f64()
                .max(0.001);
            let mb = total as f64 / (1 << 20) as f64;
            bar.set_message(format!("{mb:.0} MB, {:.0} MB/s", mb / secs));
        }
    }

    fn finish(&self) {
        self.bar().finish_and_clear();
    }
}
