//! Where frames come from: anything that yields UDP datagrams with capture timestamps.

use rtpscope_capture::{CaptureError, CaptureReader, DropCounters, Frame, Source};
use rtpscope_wire::{Flow, Timestamp};

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

    /// The next frame, after passing over up to `max` frames in a row that
    /// `pass(time, flow, payload)` accepts, and how many it passed. A shortcut for a reader
    /// that keeps one shard of many flows: a source may offer only the frames it can judge
    /// cheaply (the frame returned may be one `pass` would accept), and by default offers
    /// none.
    fn poll_frame_passing<P>(&mut self, max: u32, pass: P) -> Result<(u32, Poll<'_>), CaptureError>
    where
        P: FnMut(Timestamp, &Flow, &[u8]) -> bool,
        Self: Sized,
    {
        let _ = (max, pass);
        Ok((0, self.poll_frame()?))
    }
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

    #[inline(always)]
    fn poll_frame_passing<P>(&mut self, max: u32, pass: P) -> Result<(u32, Poll<'_>), CaptureError>
    where
        P: FnMut(Timestamp, &Flow, &[u8]) -> bool,
    {
        let (passed, frame) = self.next_frame_passing(max, pass)?;
        Ok((passed, frame.map_or(Poll::End, Poll::Frame)))
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
