//! Wrappers around the capture source: remember the first frame's time (every time shown is
//! relative to it, as in Wireshark) and count bytes read for the progress bar.

use std::io::Read;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use rtpscope::capture::{CaptureError, DropCounters};
use rtpscope::core::Timestamp;
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

/// Where a source's times start: the first record of any kind, as Wireshark counts.
pub trait Origin {
    /// The first record's time, once read.
    fn origin(&self) -> Option<Timestamp>;
}

impl<S: rtpscope::capture::Source> Origin for rtpscope::capture::CaptureReader<S> {
    fn origin(&self) -> Option<Timestamp> {
        self.first_timestamp()
    }
}

impl Origin for rtpscope::capture::live::LiveSource {
    fn origin(&self) -> Option<Timestamp> {
        None
    }
}

/// A frame source that records where its times start.
pub struct Tracked<S> {
    inner: S,
    progress: Arc<SourceProgress>,
    resolved: bool,
}

impl<S> Tracked<S> {
    /// Wraps `inner`.
    pub fn new(inner: S, progress: Arc<SourceProgress>) -> Self {
        Tracked {
            inner,
            progress,
            resolved: false,
        }
    }
}

impl<S: FrameSource + Origin> FrameSource for Tracked<S> {
    fn poll_frame(&mut self) -> Result<Poll<'_>, CaptureError> {
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
        let poll = self.inner.poll_frame()?;
        if !self.resolved {
            if let Poll::Frame(f) = &poll {
                let _ = self.progress.first_ns.compare_exchange(
                    0,
                    f.ts.as_nanos().max(1),
                    Ordering::Relaxed,
                    Ordering::Relaxed,
                );
            }
        }
        Ok(poll)
    }

    fn drop_counters(&self) -> DropCounters {
        self.inner.drop_counters()
    }
}

/// A reader that counts the bytes it hands out.
pub struct CountingRead<R> {
    inner: R,
    progress: Arc<SourceProgress>,
}

impl<R> CountingRead<R> {
    /// Wraps `inner`.
    pub fn new(inner: R, progress: Arc<SourceProgress>) -> Self {
        CountingRead { inner, progress }
    }
}

impl<R: Read> Read for CountingRead<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.progress.bytes.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}
