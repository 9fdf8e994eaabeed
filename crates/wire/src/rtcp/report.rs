//! Sender reports, receiver reports and their report blocks (RFC 3550 §6.4).
//!
//! ```
//! use rtpscope_wire::rtcp::{CompoundIter, RtcpPacket};
//!
//! // An SR from SSRC 1 without report blocks: NTP 0x1_8000_0000, RTP 160, 2 packets, 320 octets.
//! let sr = [0x80, 200, 0, 6, 0, 0, 0, 1, 0, 0, 0, 1, 0x80, 0, 0, 0,
//!           0, 0, 0, 160, 0, 0, 0, 2, 0, 0, 1, 64];
//! let Some(Ok(RtcpPacket::SenderReport(sr))) = CompoundIter::new(&sr).next() else { panic!() };
//! assert_eq!((sr.ntp_timestamp(), sr.ntp_middle()), (0x1_8000_0000, 0x1_8000));
//! assert_eq!((sr.rtp_timestamp(), sr.packet_count(), sr.octet_count()), (160, 2, 320));
//! ```

use super::RawPacket;
use crate::field::{u32_at, u8_at};

/// Length of one report block.
pub const REPORT_BLOCK_LEN: usize = 24;
/// Length of the sender info of an SR.
pub const SENDER_INFO_LEN: usize = 20;

/// A sender report (PT 200): sender info and report blocks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SenderReport<'a> {
    pub(crate) raw: RawPacket<'a>,
}

impl<'a> SenderReport<'a> {
    /// SSRC of the sender.
    #[inline]
    pub fn ssrc(&self) -> u32 {
        u32_at(self.raw.body(), 0)
    }
    /// The 64-bit NTP timestamp (seconds since 1900 in the high 32 bits, fraction in the low).
    #[inline]
    pub fn ntp_timestamp(&self) -> u64 {
        let b = self.raw.body();
        (u64::from(u32_at(b, 4)) << 32) | u64::from(u32_at(b, 8))
    }
    /// The middle 32 bits of the NTP timestamp: what a report block's LSR echoes.
    #[inline]
    pub fn ntp_middle(&self) -> u32 {
        (self.ntp_timestamp() >> 16) as u32
    }
    /// The RTP timestamp corresponding to the NTP timestamp.
    #[inline]
    pub fn rtp_timestamp(&self) -> u32 {
        u32_at(self.raw.body(), 12)
    }
    /// The sender's packet count.
    #[inline]
    pub fn packet_count(&self) -> u32 {
        u32_at(self.raw.body(), 16)
    }
    /// The sender's octet count.
    #[inline]
    pub fn octet_count(&self) -> u32 {
        u32_at(self.raw.body(), 20)
    }
    /// The report blocks.
    #[inline]
    pub fn report_blocks(&self) -> ReportBlocks<'a> {
        ReportBlocks::new(
            self.raw.body().get(4 + SENDER_INFO_LEN..).unwrap_or(&[]),
            self.raw.count(),
        )
    }
    /// Profile-specific extension bytes after the report blocks.
    #[inline]
    pub fn extension(&self) -> &'a [u8] {
        let start = 4 + SENDER_INFO_LEN + REPORT_BLOCK_LEN * usize::from(self.raw.count());
        self.raw.body().get(start..).unwrap_or(&[])
    }
}

/// A receiver report (PT 201): report blocks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReceiverReport<'a> {
    pub(crate) raw: RawPacket<'a>,
}

impl<'a> ReceiverReport<'a> {
    /// SSRC of the packet sender (the receiver that reports).
    #[inline]
    pub fn ssrc(&self) -> u32 {
        u32_at(self.raw.body(), 0)
    }
    /// The report blocks.
    #[inline]
    pub fn report_blocks(&self) -> ReportBlocks<'a> {
        ReportBlocks::new(self.raw.body().get(4..).unwrap_or(&[]), self.raw.count())
    }
    /// Profile-specific extension bytes after the report blocks.
    #[inline]
    pub fn extension(&self) -> &'a [u8] {
        let start = 4 + REPORT_BLOCK_LEN * usize::from(self.raw.count());
        self.raw.body().get(start..).unwrap_or(&[])
    }
}

/// One reception report block (24 bytes).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReportBlock<'a> {
    bytes: &'a [u8],
}

impl<'a> ReportBlock<'a> {
    /// SSRC of the source this block reports on.
    #[inline]
    pub fn ssrc(&self) -> u32 {
        u32_at(self.bytes, 0)
    }
    /// Fraction lost since the previous report, in 1/256 units.
    #[inline]
    pub fn fraction_lost(&self) -> u8 {
        u8_at(self.bytes, 4)
    }
    /// Cumulative packets lost: signed 24 bits (negative with duplicates).
    #[inline]
    pub fn cumulative_lost(&self) -> i32 {
        let raw = u32_at(self.bytes, 4) & 0x00ff_ffff;
        ((raw << 8) as i32) >> 8
    }
    /// Extended highest sequence number received.
    #[inline]
    pub fn extended_highest_seq(&self) -> u32 {
        u32_at(self.bytes, 8)
    }
    /// Interarrival jitter, in timestamp units.
    #[inline]
    pub fn jitter(&self) -> u32 {
        u32_at(self.bytes, 12)
    }
    /// Last SR timestamp: middle 32 bits of the NTP timestamp of the last SR received (0: none).
    #[inline]
    pub fn lsr(&self) -> u32 {
        u32_at(self.bytes, 16)
    }
    /// Delay since that SR, in 1/65536 s.
    #[inline]
    pub fn dlsr(&self) -> u32 {
        u32_at(self.bytes, 20)
    }
}

/// Iterator over report blocks.
#[derive(Debug, Clone)]
pub struct ReportBlocks<'a> {
    bytes: &'a [u8],
    remaining: u8,
}

impl<'a> ReportBlocks<'a> {
    #[inline]
    fn new(bytes: &'a [u8], count: u8) -> Self {
        ReportBlocks {
            bytes,
            remaining: count,
        }
    }
}

impl<'a> Iterator for ReportBlocks<'a> {
    type Item = ReportBlock<'a>;

    #[inline]
    fn next(&mut self) -> Option<ReportBlock<'a>> {
        if self.remaining == 0 || self.bytes.len() < REPORT_BLOCK_LEN {
            return None;
        }
        let (block, rest) = self.bytes.split_at(REPORT_BLOCK_LEN);
        self.bytes = rest;
        self.remaining -= 1;
        Some(ReportBlock { bytes: block })
    }

    #[inline]
    fn size_hint(&self) -> (usize, Option<usize>) {
        let n = usize::from(self.remaining).min(self.bytes.len() / REPORT_BLOCK_LEN);
        (n, Some(n))
    }
}

impl ExactSizeIterator for ReportBlocks<'_> {}
