//! SIGINT and SIGTERM during an ingest (Ctrl-C, cron's `timeout`, systemd stopping a timer's unit).
//!
//! The signal only raises a flag; the run looks at it between batches, so the batch being written is
//! committed whole (or, if the signal comes mid-transaction, finishes first), and during the
//! near-duplicate checks at the run's end, whose transaction is then dropped (the next run does the
//! end). The run is recorded as `interrupted` with the signal's name, and the process exits 128 +
//! the signal's number (130, 143) as a shell would report it. The next run goes on from there, as
//! after a crash. A second signal ends the process at once (the handler is reset after the first).

use std::sync::atomic::{AtomicI32, Ordering};

/// The signal received, or 0.
static RECEIVED: AtomicI32 = AtomicI32::new(0);

extern "C" fn on_signal(signal: libc::c_int) {
    // Only an atomic store: anything more is not async-signal-safe.
    RECEIVED.store(signal, Ordering::SeqCst);
}

/// Installs the handler for SIGINT and SIGTERM. Called by the command-line tool before an ingest; a
/// library caller that does not call it is never interrupted this way.
pub fn install() {
    for signal in [libc::SIGINT, libc::SIGTERM] {
        // SAFETY: a zeroed sigaction is valid; the handler only stores to an atomic.
        unsafe {
            let mut action: libc::sigaction = std::mem::zeroed();
            action.sa_sigaction = on_signal as extern "C" fn(libc::c_int) as libc::sighandler_t;
            action.sa_flags = libc::SA_RESETHAND | libc::SA_RESTART;
            libc::sigemptyset(&mut action.sa_mask);
            libc::sigaction(signal, &action, std::ptr::null_mut());
        }
    }
}

/// The run stopped because the process was asked to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("interrupted by {}: the batches written so far are kept, and the run is recorded as interrupted", self.name())]
pub struct Interrupted {
    pub signal: i32,
}

impl Interrupted {
    pub fn name(&self) -> &'static str {
        match self.signal {
            libc::SIGINT => "SIGINT",
            libc::SIGTERM => "SIGTERM",
            _ => "a signal",
        }
    }

    /// 128 + the signal's number, as a shell reports a process a signal ended.
    pub fn exit_code(&self) -> u8 {
        (128 + self.signal).clamp(0, 255) as u8
    }
}

/// `Err` once a signal was received.
pub fn check() -> Result<(), Interrupted> {
    match RECEIVED.load(Ordering::SeqCst) {
        0 => Ok(()),
        signal => Err(Interrupted { signal }),
    }
}

/// Raises `signal` in this process (the test hook `NEWSDB_TEST_ABORT=signal:N` uses it).
pub fn raise(signal: i32) {
    // SAFETY: raising a signal in this process; the handler installed above only sets a flag.
    unsafe {
        libc::raise(signal);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exit_codes_follow_the_shell() {
        let term = Interrupted {
            signal: libc::SIGTERM,
        };
        assert_eq!((term.exit_code(), term.name()), (143, "SIGTERM"));
        let int = Interrupted {
            signal: libc::SIGINT,
        };
        assert_eq!(int.exit_code(), 130);
    }
}
