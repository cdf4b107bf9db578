//! A timer thread for what must be said while the main thread is blocked in a database
//! call (a script in `PQexec`): the heartbeat of a long migration.

use std::sync::mpsc::{self, RecvTimeoutError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

pub struct Ticker {
    stop: mpsc::Sender<()>,
    handle: JoinHandle<()>,
}

impl Ticker {
    /// Calls `tick(elapsed)` at `first`, then every `every`, until stopped; then
    /// `end(ticked)`, `ticked` telling whether `tick` ever ran.
    pub fn start(
        first: Duration,
        every: Duration,
        mut tick: impl FnMut(Duration) + Send + 'static,
        end: impl FnOnce(bool) + Send + 'static,
    ) -> Ticker {
        let (stop, rx) = mpsc::channel::<()>();
        let started = Instant::now();
        let handle = std::thread::spawn(move || {
            let mut next = first;
            let mut ticked = false;
            loop {
                let wait = next.saturating_sub(started.elapsed());
                match rx.recv_timeout(wait) {
                    Err(RecvTimeoutError::Timeout) => {
                        tick(started.elapsed());
                        ticked = true;
                        next += every;
                    }
                    Ok(()) | Err(RecvTimeoutError::Disconnected) => break,
                }
            }
            end(ticked);
        });
        Ticker { stop, handle }
    }

    /// Stops the thread and waits for its `end`, so that nothing it writes comes after
    /// what the caller prints next.
    pub fn stop(self) {
        let _ = self.stop.send(());
        let _ = self.handle.join();
    }
}

/// `s` on one line, at most `max` characters (an ellipsis marks a cut).
pub fn shorten(s: &str, max: usize) -> String {
    let flat = s.split_whitespace().collect::<Vec<_>>().join(" ");
    if flat.chars().count() <= max {
        return flat;
    }
    let mut cut: String = flat.chars().take(max.saturating_sub(1)).collect();
    cut.push('…');
    cut
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::{Arc, Mutex};

    #[test]
    fn ticks_until_stopped_then_ends() {
        let ticks = Arc::new(Mutex::new(Vec::new()));
        let ended = Arc::new(Mutex::new(None));
        let (t, e) = (ticks.clone(), ended.clone());
        let ticker = Ticker::start(
            Duration::from_millis(50),
            Duration::from_millis(50),
            move |d| t.lock().unwrap().push(d),
            move |ticked| *e.lock().unwrap() = Some(ticked),
        );
        std::thread::sleep(Duration::from_millis(180));
        ticker.stop();
        let n = ticks.lock().unwrap().len();
        assert!((2..=4).contains(&n), "{n}");
        assert_eq!(*ended.lock().unwrap(), Some(true));
    }

    #[test]
    fn stopped_before_the_first_tick_ends_untouched() {
        let ended = Arc::new(Mutex::new(None));
        let e = ended.clone();
        let ticker = Ticker::start(
            Duration::from_secs(5),
            Duration::from_secs(1),
            |_| panic!("no tick expected"),
            move |ticked| *e.lock().unwrap() = Some(ticked),
        );
        ticker.stop();
        assert_eq!(*ended.lock().unwrap(), Some(false));
    }

    #[test]
    fn shortens_to_one_line() {
        assert_eq!(
            shorten("ALTER TABLE\n  \"User\"  ADD x", 80),
            "ALTER TABLE \"User\" ADD x"
        );
        assert_eq!(shorten("abcdefgh", 5), "abcd…");
    }
}
