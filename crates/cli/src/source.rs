//! Wrappers around the capture source: remember the first frame's time (every time shown is
//! relative to it, as in Wireshark) and count bytes read for the progress bar.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use rtpscope::capture::{CaptureError, DropCounters};
use rtpscope::core::{Flow, Timestamp};
use rtpscope::pipeline::{FrameSource, Poll};

/// What the source wrapper shares with the main thread.
#[derive(Debug, Default)]
pub struct SourceProgress {
    /// First frame's capture time in ns (0 until one is seen).
    first_ns: AtomicU64,
    /// Bytes read from the input so far.
    pub bytes: AtomicU64,
}

impl SourceProgress {
    /// The first frame's time, if any frame was read.
    pub fn first_frame(&self) -> Option<Timestamp> {
        match self.first_ns.load(Ordering::Relaxed) {
            0 => None,
            ns => Some(Timestamp::from_nanos(ns)),
        }
    }
}

/// Where a source's times start (the first record of any kind, as Wireshark counts) and how
/// far it has read.
pub trait Origin {
    /// The first record's time, once read.
    fn origin(&self) -> Option<Timestamp>;
    /// Bytes of input consumed so far.
    fn bytes_read(&self) -> u64;
}

impl<S: rtpscope::capture::Source> Origin for rtpscope::capture::CaptureReader<S> {
    fn origin(&self) -> Option<Timestamp> {
        self.first_timestamp()
    }

    fn bytes_read(&self) -> u64 {
        rtpscope::capture::CaptureReader::bytes_read(self)
    }
}

impl Origin for rtpscope::capture::live::LiveSource {
    fn origin(&self) -> Option<Timestamp> {
        None
    }

    fn bytes_read(&self) -> u64 {
        0
    }
}

/// Frames between updates of the byte count the progress bar shows.
const PROGRESS_EVERY: u32 = 4096;

/// A frame source that records where its times start.
pub struct Tracked<S> {
    inner: S,
    progress: Arc<SourceProgress>,
    resolved: bool,
    until_progress: u32,
}

impl<S> Tracked<S> {
    /// Wraps `inner`.
    pub fn new(inner: S, progress: Arc<SourceProgress>) -> Self {
        Tracked {
            inner,
            progress,
            resolved: false,
            until_progress: 0,
        }
    }
}

impl<S: FrameSource + Origin> Tracked<S> {
    /// Before each poll: the capture's first time once the reader knows it, and from time to
    /// time how far it has read.
    fn before_poll(&mut self) {
        // The reader learns its first record's time while polling, and the frame it returns
        // borrows it: so ask before the next poll, and use the first UDP frame meanwhile.
        if !self.resolved {
            if let Some(t) = self.inner.origin() {
                self.progress
                    .first_ns
                    .store(t.as_nanos().max(1), Ordering::Relaxed);
                self.resolved = true;
            }
        }
        if self.until_progress == 0 {
            self.until_progress = PROGRESS_EVERY;
            let read = self.inner.bytes_read();
            self.progress.bytes.store(read, Ordering::Relaxed);
        }
        self.until_progress -= 1;
    }

    fn after_poll(resolved: bool, progress: &SourceProgress, poll: &Poll<'_>) {
        if !resolved {
            if let Poll::Frame(f) = poll {
                let _ = progress.first_ns.compare_exchange(
                    0,
                    f.ts.as_nanos().max(1),
                    Ordering::Relaxed,
                    Ordering::Relaxed,
                );
            }
        }
    }
}

impl<S: FrameSource + Origin> FrameSource for Tracked<S> {
    fn poll_frame(&mut self) -> Result<Poll<'_>, CaptureError> {
        self.before_poll();
        let poll = self.inner.poll_frame()?;
        Self::after_poll(self.resolved, &self.progress, &poll);
        Ok(poll)
    }

    fn drop_counters(&self) -> DropCounters {
        self.inner.drop_counters()
    }

    #[inline(always)]
    fn poll_frame_passing<P>(&mut self, max: u32, pass: P) -> Result<(u32, Poll<'_>), CaptureError>
    where
        P: FnMut(Timestamp, &Flow, &[u8]) -> bool,
    {
        self.before_poll();
        let (passed, poll) = self.inner.poll_frame_passing(max, pass)?;
        Self::after_poll(self.resolved, &self.progress, &poll);
        Ok((passed, poll))
    }
}
