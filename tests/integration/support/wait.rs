//! Waiting, with a deadline, for what another process or connection does.

use std::time::{Duration, Instant};

/// Polls `f` every `every` until it gives a value; fails naming `what` after 30 seconds.
#[track_caller]
pub fn wait_for<T>(what: &str, every: Duration, mut f: impl FnMut() -> Option<T>) -> T {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if let Some(v) = f() {
            return v;
        }
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(every);
    }
}

/// Polls `done` every `every` until it holds; fails naming `what` after 30 seconds.
#[track_caller]
pub fn wait_until(what: &str, every: Duration, mut done: impl FnMut() -> bool) {
    wait_for(what, every, || done().then_some(()));
}
