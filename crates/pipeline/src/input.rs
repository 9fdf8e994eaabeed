//! Where frames come from: anything that yields UDP datagrams with capture timestamps.

use rtpscope_capture::{CaptureError, CaptureReader, DropCounters, Frame, Source};

/// What a [`FrameSource`] had.
#[derive(Debug)]
pub enum Poll<'a> {
    /// A UDP datagram, borrowed until the next call.
    Frame(Frame<'a>),
    /// Nothing for now (a live read timed out): the pipeline flushes its batches and asks again.
    Idle,
    /// End of input.
    End,
}

/// A source of UDP datagrams: a capture file, a live interface, or anything an embedder has.
///
/// Frames are lent, not owned, so a reader can hand out slices of its own buffer.
pub trait FrameSource: Send {
    /// The next frame, [`Poll::Idle`] when none is ready yet, or [`Poll::End`].
    fn poll_frame(&mut self) -> Result<Poll<'_>, CaptureError>;

    /// What happened to every frame read so far (frames without UDP, truncated ones, ...).
    fn drop_counters(&self) -> DropCounters;
}

impl<S: Source> FrameSource for CaptureReader<S>
where
    S::Input: Send,
{
    #[inline(always)]
    fn poll_frame(&mut self) -> Result<Poll<'_>, CaptureError> {
        Ok(match self.next_frame()? {
            Some(f) => Poll::Frame(f),
            None => Poll::End,
        })
    }

    fn drop_counters(&self) -> DropCounters {
        self.counters().clone()
    }
}

#[cfg(feature = "live")]
impl FrameSource for rtpscope_capture::live::LiveSource {
    fn poll_frame(&mut self) -> Result<Poll<'_>, CaptureError> {
        // A live source never ends by itself: `None` is a read timeout.
        Ok(match self.next_frame()? {
            Some(f) => Poll::Frame(f),
            None => Poll::Idle,
        })
    }

    fn drop_counters(&self) -> DropCounters {
        self.counters().clone()
    }
}
