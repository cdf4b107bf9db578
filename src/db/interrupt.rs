//! SIGINT and SIGTERM while a migration runs: the handler only records the signal; a
//! watcher thread then cancels the statement in flight (libpq's `PQcancel`, SQLite's
//! `sqlite3_interrupt`, both safe from another thread), so that the database rolls the
//! script back, the command records what happened, releases the lock and exits 130 or 143.

use std::os::raw::c_int;
use std::sync::atomic::{AtomicI32, Ordering};
use std::sync::{Mutex, Once};
use std::time::Duration;

static SIGNAL: AtomicI32 = AtomicI32::new(0);

/// What can stop the statement in flight.
#[derive(Clone, Copy)]
pub enum Canceller {
    Postgres(*mut pq_sys::PGcancel),
    Sqlite(*mut libsqlite3_sys::sqlite3),
}

// The pointers are only used under the mutex, while their owner keeps them alive.
struct Slot(Option<Canceller>);
// SAFETY: see above; both libpq's cancel handle and sqlite3_interrupt may be used from
// another thread.
unsafe impl Send for Slot {}

static CURRENT: Mutex<Slot> = Mutex::new(Slot(None));

extern "C" fn on_signal(signal: c_int) {
    // Only an atomic store: async-signal-safe.
    SIGNAL.store(signal, Ordering::SeqCst);
}

/// Installs the handlers and the watcher, once. Until then the default (terminate) applies.
pub fn install() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        for signal in [libc::SIGINT, libc::SIGTERM] {
            // SAFETY: a zeroed sigaction with a plain handler is valid; the handler is
            // async-signal-safe.
            unsafe {
                let mut action: libc::sigaction = std::mem::zeroed();
                action.sa_sigaction = on_signal as extern "C" fn(c_int) as libc::sighandler_t;
                libc::sigemptyset(&mut action.sa_mask);
                libc::sigaction(signal, &action, std::ptr::null_mut());
            }
        }
        std::thread::spawn(|| loop {
            std::thread::sleep(Duration::from_millis(25));
            if SIGNAL.load(Ordering::SeqCst) != 0 {
                cancel_current();
            }
        });
    });
}

fn cancel_current() {
    let Ok(slot) = CURRENT.lock() else { return };
    match slot.0 {
        Some(Canceller::Postgres(cancel)) => {
            let mut buf = [0 as std::os::raw::c_char; 256];
            // SAFETY: cancel is live while registered (removed under this mutex before it is
            // freed); buf is writable for its length.
            unsafe { pq_sys::PQcancel(cancel, buf.as_mut_ptr(), 256) };
        }
        Some(Canceller::Sqlite(db)) => {
            // SAFETY: db is open while registered.
            unsafe { libsqlite3_sys::sqlite3_interrupt(db) };
        }
        None => {}
    }
}

/// Registers what can cancel the next statement; the guard unregisters it.
pub fn register(canceller: Canceller) -> Registration {
    if let Ok(mut slot) = CURRENT.lock() {
        slot.0 = Some(canceller);
    }
    // A signal that came before registration still cancels.
    if received().is_some() {
        cancel_current();
    }
    Registration
}

pub struct Registration;

impl Drop for Registration {
    fn drop(&mut self) {
        if let Ok(mut slot) = CURRENT.lock() {
            slot.0 = None;
        }
    }
}

/// The signal received, if any.
pub fn received() -> Option<i32> {
    match SIGNAL.load(Ordering::SeqCst) {
        0 => None,
        s => Some(s),
    }
}

pub fn signal_name(signal: i32) -> &'static str {
    if signal == libc::SIGTERM {
        "SIGTERM"
    } else {
        "SIGINT"
    }
}
