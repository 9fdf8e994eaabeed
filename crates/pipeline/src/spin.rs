//! A short spin before a thread parks on a channel.
//!
//! A parked thread on a virtual machine takes tens of microseconds to wake (its virtual CPU
//! may have halted), and a source and a worker running at about the same rate park and wake
//! each other over and over (220–540 times a run on a 1 M-packet file of 1 k streams; with
//! the spin, about 16, and the run's median 3 ms shorter). The next batch is usually less
//! than a batch's work away, so each side
//! first retries for [`SPIN`], then parks as before. A spinning thread only waits for work
//! that is about to come; the bound keeps an idle live capture from burning a core.
//!
//! Between clock reads the spinning thread yields, so a thread asking for a snapshot (or
//! the collector) gets a core at once: 200 snapshots during a saturating stream took
//! 12–125 ms instead of 290–430 ms, with the CLI's time unchanged.
//!
//! Only when every thread of the packet path has a core of its own: with more threads than
//! cores, a spinning worker takes the core the source needs (two workers beside the source
//! on two cores went from 12 to 9 M packets/s).

use std::time::{Duration, Instant};

/// How long a thread retries before it parks: a few batches' worth of work.
pub(crate) const SPIN: Duration = Duration::from_micros(200);

/// Whether threads waiting on each other should spin: `threads` fit the machine's cores.
pub(crate) fn worth_spinning(threads: usize) -> bool {
    std::thread::available_parallelism().is_ok_and(|cores| threads <= cores.get())
}

/// Retries between two reads of the clock.
const RETRIES_PER_CLOCK_READ: u32 = 32;

/// Calls `attempt` until it succeeds, for at most [`SPIN`]. Each failed attempt hands back
/// what it was given (a message that did not fit, say) for the next one, and the last one's
/// comes back as the error.
#[inline]
pub(crate) fn spin_with<S, T>(
    state: S,
    mut attempt: impl FnMut(S) -> Result<T, S>,
) -> Result<T, S> {
    let mut state = match attempt(state) {
        Ok(done) => return Ok(done),
        Err(state) => state,
    };
    let start = Instant::now();
    loop {
        for _ in 0..RETRIES_PER_CLOCK_READ {
            std::hint::spin_loop();
            state = match attempt(state) {
                Ok(done) => return Ok(done),
                Err(state) => state,
            };
        }
        if start.elapsed() >= SPIN {
            return Err(state);
        }
        // A thread that asks for a snapshot, or the collector, may be waiting for a core.
        std::thread::yield_now();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gives_up_after_the_spin_and_returns_what_comes_in_time() {
        let start = Instant::now();
        assert_eq!(spin_with(7, Err::<(), _>), Err(7));
        assert!(start.elapsed() >= SPIN);
        let counted = spin_with(0, |tries| {
            if tries == 40 {
                Ok(tries)
            } else {
                Err(tries + 1)
            }
        });
        assert_eq!(counted, Ok(40));
    }
}
