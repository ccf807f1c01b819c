//! A progress line on standard error for long scans on a terminal: `scanning: N files…` while
//! the walk finds files, then `scanning: n/N files…` while they are linted, updated in place
//! and erased when the scan ends. It appears only after [`DELAY`], only when standard error is
//! a terminal, and never under CI (`CI` set) or on a dumb terminal, so logs and pipes never
//! see it.

use std::io::{IsTerminal as _, Write};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{self, RecvTimeoutError, Sender};
use std::thread::JoinHandle;
use std::time::Duration;

/// How long a scan runs before the line appears: short scans stay silent.
pub const DELAY: Duration = Duration::from_secs(1);

/// How often the line is redrawn.
const INTERVAL: Duration = Duration::from_millis(100);

/// Counters shared with the drawing thread.
#[derive(Debug, Default)]
struct Counts {
    found: AtomicUsize,
    total: AtomicUsize,
    done: AtomicUsize,
}

impl Counts {
    /// The line to show.
    fn line(&self) -> String {
        let total = self.total.load(Ordering::Relaxed);
        if total == 0 {
            format!("scanning: {} files…", self.found.load(Ordering::Relaxed))
        } else {
            format!("scanning: {}/{total} files…", self.done.load(Ordering::Relaxed).min(total))
        }
    }
}

/// The progress of one scan; dropping it stops the drawing and erases the line.
pub struct Progress {
    counts: Arc<Counts>,
    /// Dropping the sender wakes the drawing thread and ends it.
    stop: Option<Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl Progress {
    /// Start tracking a scan; the line is drawn only where [`wanted`] says so.
    pub fn start() -> Self {
        let stderr_is_terminal = std::io::stderr().is_terminal();
        let env = |name: &str| std::env::var_os(name).map(|v| v.to_string_lossy().into_owned());
        if wanted(stderr_is_terminal, env("CI").as_deref(), env("TERM").as_deref()) {
            Self::drawing(std::io::stderr, DELAY, INTERVAL)
        } else {
            Self::silent()
        }
    }

    /// Counts only, never drawn.
    pub fn silent() -> Self {
        Progress { counts: Arc::default(), stop: None, thread: None }
    }

    /// Draw to the writer `open` returns, after `delay`, every `interval`.
    fn drawing<W: Write, F>(open: F, delay: Duration, interval: Duration) -> Self
    where
        F: Fn() -> W + Send + 'static,
    {
        let counts = Arc::<Counts>::default();
        let (stop, stopped) = mpsc::channel::<()>();
        let shared = Arc::clone(&counts);
        let thread = std::thread::Builder::new()
            .name("trustlint-progress".into())
            .spawn(move || {
                // Silent until the scan has lasted `delay`; a scan that ends first shows nothing.
                if !matches!(stopped.recv_timeout(delay), Err(RecvTimeoutError::Timeout)) {
                    return;
                }
                loop {
                    // A terminal that refuses a write loses the progress line, nothing else.
                    let _ = write!(open(), "\r{}\x1b[K", shared.line());
                    if !matches!(stopped.recv_timeout(interval), Err(RecvTimeoutError::Timeout)) {
                        break;
                    }
                }
                let _ = write!(open(), "\r\x1b[K");
            })
            .ok();
        Progress { counts, stop: Some(stop), thread }
    }

    /// The walk found `n` more files.
    pub fn found(&self, n: usize) {
        self.counts.found.fetch_add(n, Ordering::Relaxed);
    }

    /// Linting starts: `n` files in all.
    pub fn total(&self, n: usize) {
        self.counts.total.store(n, Ordering::Relaxed);
    }

    /// `n` more files were linted.
    pub fn done(&self, n: usize) {
        self.counts.done.fetch_add(n, Ordering::Relaxed);
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        drop(self.stop.take());
        if let Some(thread) = self.thread.take() {
            // The line must be erased before the report is written.
            let _ = thread.join();
        }
    }
}

/// Whether to draw: on a terminal only, and never under CI or on a dumb terminal.
fn wanted(stderr_is_terminal: bool, ci: Option<&str>, term: Option<&str>) -> bool {
    stderr_is_terminal && ci.is_none_or(|v| v.is_empty() || v == "false" || v == "0") && term != Some("dumb")
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;

    /// A writer appending to a shared buffer, as the drawing thread needs one per draw.
    #[derive(Clone, Default)]
    struct Shared(Arc<Mutex<Vec<u8>>>);

    impl Write for Shared {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            self.0.lock().map_err(|_| std::io::Error::other("poisoned"))?.extend_from_slice(bytes);
            Ok(bytes.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    impl Shared {
        fn text(&self) -> String {
            String::from_utf8_lossy(&self.0.lock().expect("lock")).into_owned()
        }
    }

    #[test]
    fn only_terminals_outside_ci_get_the_line() {
        assert!(wanted(true, None, Some("xterm-256color")));
        assert!(wanted(true, Some("false"), None));
        assert!(!wanted(false, None, Some("xterm")));
        assert!(!wanted(true, Some("true"), Some("xterm")));
        assert!(!wanted(true, None, Some("dumb")));
    }

    #[test]
    fn the_line_counts_found_then_linted_files() {
        let counts = Counts::default();
        counts.found.store(3, Ordering::Relaxed);
        assert_eq!(counts.line(), "scanning: 3 files…");
        counts.total.store(3, Ordering::Relaxed);
        counts.done.store(2, Ordering::Relaxed);
        assert_eq!(counts.line(), "scanning: 2/3 files…");
    }

    #[test]
    fn a_long_scan_draws_in_place_and_erases_the_line() {
        let out = Shared::default();
        let sink = out.clone();
        let progress = Progress::drawing(move || sink.clone(), Duration::ZERO, Duration::from_millis(5));
        progress.found(7);
        std::thread::sleep(Duration::from_millis(50));
        drop(progress);
        let text = out.text();
        assert!(text.contains("\rscanning: 7 files…\x1b[K"), "{text:?}");
        assert!(text.ends_with("\r\x1b[K"), "{text:?}");
        assert!(!text.contains('\n'), "the line is updated in place: {text:?}");
    }

    #[test]
    fn a_short_scan_draws_nothing() {
        let out = Shared::default();
        let sink = out.clone();
        let progress = Progress::drawing(move || sink.clone(), Duration::from_secs(60), INTERVAL);
        progress.found(7);
        drop(progress);
        assert_eq!(out.text(), "");
    }
}
