//! Where a [`CaptureReader`](crate::CaptureReader) gets its bytes: any [`Read`] through one
//! refillable buffer (constant memory, pipes and stdin included), or a slice already in
//! memory, read in place with no copy.

use std::io::{self, Read};

use crate::CaptureError;

/// Initial buffer; large enough that a refill is a big sequential read.
const INITIAL_BUFFER: usize = 1 << 20;

/// What a capture can be read from: every [`Read`], and [`InMemory`].
pub trait Source {
    /// The window the reader parses from.
    #[doc(hidden)]
    type Input: Input;
    /// Wraps the source for reading.
    #[doc(hidden)]
    fn into_input(self) -> Self::Input;
}

/// A capture already in memory (a slice, a `Vec`, a `bytes::Bytes`; a received buffer, a
/// test fixture): frames borrow it directly, so nothing is copied.
///
/// ```
/// use rtpscope_capture::{CaptureReader, InMemory, PcapWriter};
/// use rtpscope_wire::{Flow, Timestamp};
///
/// let mut w = PcapWriter::new(Vec::new(), rtpscope_capture::decap::linktype::ETHERNET).unwrap();
/// let flow = Flow::new("10.0.0.1:4000".parse().unwrap(), "10.0.0.2:5004".parse().unwrap());
/// w.write_udp(Timestamp::from_secs_nanos(1, 0), flow, b"hello").unwrap();
/// let bytes = w.into_inner().unwrap();
///
/// let mut r = CaptureReader::new(InMemory(&bytes)).unwrap();
/// assert_eq!(r.next_frame().unwrap().unwrap().payload, b"hello");
/// ```
#[derive(Debug, Clone, Copy)]
pub struct InMemory<B: AsRef<[u8]>>(pub B);

/// The bytes a reader parses from, indexed from the file offset [`Input::base`].
#[doc(hidden)]
pub trait Input {
    /// Every byte held, from offset `base()` on.
    fn bytes(&self) -> &[u8];
    /// File offset of `bytes()[0]`.
    fn base(&self) -> u64;
    /// Makes `n` bytes available at `*cursor` (an index into `bytes()`), moving the cursor
    /// if the held bytes move; false if the input ends first.
    fn ensure(&mut self, cursor: &mut usize, n: usize) -> Result<bool, CaptureError>;
}

impl<R: Read> Source for R {
    type Input = Buffered<R>;
    fn into_input(self) -> Buffered<R> {
        Buffered {
            source: self,
            buf: vec![0; INITIAL_BUFFER],
            end: 0,
            eof: false,
            base: 0,
        }
    }
}

impl<B: AsRef<[u8]>> Source for InMemory<B> {
    type Input = InMemory<B>;
    fn into_input(self) -> Self {
        self
    }
}

impl<B: AsRef<[u8]>> Input for InMemory<B> {
    #[inline]
    fn bytes(&self) -> &[u8] {
        self.0.as_ref()
    }

    fn base(&self) -> u64 {
        0
    }

    #[inline]
    fn ensure(&mut self, cursor: &mut usize, n: usize) -> Result<bool, CaptureError> {
        Ok(self.bytes().len().saturating_sub(*cursor) >= n)
    }
}

/// A reader behind one buffer that only grows to the largest record accepted.
#[doc(hidden)]
#[derive(Debug)]
pub struct Buffered<R> {
    source: R,
    buf: Vec<u8>,
    end: usize,
    eof: bool,
    /// File offset of `buf[0]`.
    base: u64,
}

impl<R: Read> Input for Buffered<R> {
    #[inline]
    fn bytes(&self) -> &[u8] {
        self.buf.get(..self.end).unwrap_or(&[])
    }

    fn base(&self) -> u64 {
        self.base
    }

    fn ensure(&mut self, cursor: &mut usize, n: usize) -> Result<bool, CaptureError> {
        while self.end - *cursor < n {
            if self.eof {
                return Ok(false);
            }
            if self.buf.len() - *cursor < n || self.end == self.buf.len() {
                // Move the unread bytes to the front; grow only for a record bigger than the buffer.
                self.buf.copy_within(*cursor..self.end, 0);
                self.base += *cursor as u64;
                self.end -= *cursor;
                *cursor = 0;
                if self.buf.len() < n {
                    self.buf.resize(n.next_power_of_two(), 0);
                }
            }
            let space = self.buf.get_mut(self.end..).unwrap_or(&mut []);
            match self.source.read(space) {
                Ok(0) => self.eof = true,
                Ok(k) => self.end += k,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(source) => {
                    return Err(CaptureError::Io {
                        offset: self.base + self.end as u64,
                        source,
                    })
                }
            }
        }
        Ok(true)
    }
}
