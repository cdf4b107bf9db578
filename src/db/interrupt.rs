//! SIGINT and SIGTERM while a migration runs: the handler only records the signal; a
//! watcher thread then cancels the statement in flight (libpq's `PQcancel`, SQLite's
//! `sqlite3_interrupt`, both safe from another thread), so that the database rolls the
//! script back, the command records what happened, releases the lock and exits 130 or 143.
//! On Windows Ctrl-C arrives as SIGINT through the C runtime's `signal` (its console
//! handler); Ctrl-Break and closing the console still end the process at once.

use std::os::raw::c_int;
use std::sync::atomic::{AtomicI32, AtomicU64, Ordering};
use std::sync::{Mutex, Once};
use std::time::{Duration, Instant};

/// How long after a signal prismig waits for the statement to stop and the history to be
/// written before it exits anyway (a server that does not answer the cancel, a connection
/// that hangs): the whole stop stays under 5 s.
pub const GRACE: Duration = Duration::from_secs(4);

static SIGNAL: AtomicI32 = AtomicI32::new(0);

/// What can stop the statement in flight.
pub enum Canceller {
    Postgres(*mut pq_sys::PGcancel),
    Sqlite(*mut libsqlite3_sys::sqlite3),
    /// MySQL has no cancel request: `KILL QUERY <thread>` from a second session.
    #[cfg(feature = "mysql")]
    Mysql {
        url: Box<crate::dburl::MysqlUrl>,
        thread: u64,
    },
}

// The pointers are only used under the mutex, while their owner keeps them alive.
struct Slot {
    id: u64,
    canceller: Canceller,
    /// MySQL: whether this statement was already sent a `KILL QUERY` (each attempt opens a
    /// session, so it is sent once).
    #[cfg_attr(not(feature = "mysql"), expect(dead_code, reason = "only MySQL kills"))]
    killed: bool,
}
// SAFETY: see above; both libpq's cancel handle and sqlite3_interrupt may be used from
// another thread.
unsafe impl Send for Slot {}

/// One slot per statement in flight: a single command has at most one, a fleet one per
/// running target, and a signal cancels them all.
static CURRENT: Mutex<Vec<Slot>> = Mutex::new(Vec::new());
static NEXT_ID: AtomicU64 = AtomicU64::new(1);

extern "C" fn on_signal(signal: c_int) {
    // Only an atomic store: async-signal-safe.
    SIGNAL.store(signal, Ordering::SeqCst);
    // The C runtime resets the handler before calling it: a second Ctrl-C must not kill.
    #[cfg(windows)]
    // SAFETY: re-installing the same plain handler, as the runtime's documentation asks.
    unsafe {
        libc::signal(
            signal,
            on_signal as extern "C" fn(c_int) as libc::sighandler_t,
        );
    }
}

#[cfg(unix)]
fn catch(signal: c_int) {
    // SAFETY: a zeroed sigaction with a plain handler is valid; the handler is
    // async-signal-safe.
    unsafe {
        let mut action: libc::sigaction = std::mem::zeroed();
        action.sa_sigaction = on_signal as extern "C" fn(c_int) as libc::sighandler_t;
        libc::sigemptyset(&mut action.sa_mask);
        libc::sigaction(signal, &action, std::ptr::null_mut());
    }
}

#[cfg(windows)]
fn catch(signal: c_int) {
    // SAFETY: a plain handler that only stores an atomic and re-arms itself.
    unsafe {
        libc::signal(
            signal,
            on_signal as extern "C" fn(c_int) as libc::sighandler_t,
        );
    }
}

/// Installs the handlers and the watcher, once. Until then the default (terminate) applies.
/// `forced_exit` is called (to say so) when the command has not ended `GRACE` after the
/// signal; the process then exits with 128 + the signal.
pub fn install(forced_exit: fn(i32)) {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        for signal in [libc::SIGINT, libc::SIGTERM] {
            catch(signal);
        }
        std::thread::spawn(move || {
            let mut since = None;
            loop {
                std::thread::sleep(Duration::from_millis(25));
                let signal = SIGNAL.load(Ordering::SeqCst);
                if signal == 0 {
                    continue;
                }
                let since = *since.get_or_insert_with(|| {
                    // Cancelling may block (a cancel request over a hung network): it
                    // gets a thread of its own, so that the deadline below still holds.
                    std::thread::spawn(|| loop {
                        cancel_current();
                        std::thread::sleep(Duration::from_millis(250));
                    });
                    Instant::now()
                });
                if since.elapsed() >= GRACE {
                    forced_exit(signal);
                    // SAFETY: _exit ends the process at once; nothing here needs unwinding.
                    // The server frees the migration lock with the session.
                    unsafe { libc::_exit(128 + signal) };
                }
            }
        });
    });
}

fn cancel_current() {
    let Ok(mut slots) = CURRENT.lock() else {
        return;
    };
    for slot in slots.iter_mut() {
        cancel(slot);
    }
}

fn cancel(slot: &mut Slot) {
    match &slot.canceller {
        Canceller::Postgres(cancel) => {
            let cancel = *cancel;
            let mut buf = [0 as std::os::raw::c_char; 256];
            // SAFETY: cancel is live while registered (removed under the mutex before it is
            // freed); buf is writable for its length.
            unsafe { pq_sys::PQcancel(cancel, buf.as_mut_ptr(), 256) };
        }
        Canceller::Sqlite(db) => {
            // SAFETY: db is open while registered.
            unsafe { libsqlite3_sys::sqlite3_interrupt(*db) };
        }
        #[cfg(feature = "mysql")]
        Canceller::Mysql { url, thread } if !slot.killed => {
            let (url, thread) = (url.clone(), *thread);
            slot.killed = true;
            if let Ok(killer) = super::mysql_script::ScriptConnection::open(&url) {
                let _ = killer.command(&format!("KILL QUERY {thread}"));
            }
        }
        #[cfg(feature = "mysql")]
        Canceller::Mysql { .. } => {}
    }
}

/// Registers what can cancel the next statement; the guard unregisters it.
pub fn register(canceller: Canceller) -> Registration {
    let id = NEXT_ID.fetch_add(1, Ordering::SeqCst);
    if let Ok(mut slots) = CURRENT.lock() {
        slots.push(Slot {
            id,
            canceller,
            killed: false,
        });
        // A signal that came before registration still cancels.
        if received().is_some() {
            if let Some(slot) = slots.last_mut() {
                cancel(slot);
            }
        }
    }
    Registration { id }
}

pub struct Registration {
    id: u64,
}

impl Drop for Registration {
    fn drop(&mut self) {
        if let Ok(mut slots) = CURRENT.lock() {
            slots.retain(|s| s.id != self.id);
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
