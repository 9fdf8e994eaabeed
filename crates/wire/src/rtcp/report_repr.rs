//! Emitters for sender and receiver reports (RFC 3550 §6.4.1, §6.4.2).
//!
//! ```
//! use rtpscope_wire::rtcp::{CompoundIter, ReceiverReportRepr, ReportBlockRepr, RtcpPacket};
//! use rtpscope_wire::inline::InlineVec;
//!
//! let block = ReportBlockRepr { ssrc: 2, cumulative_lost: -3, jitter: 42, ..Default::default() };
//! let repr = ReceiverReportRepr { ssrc: 1, report_blocks: InlineVec::from_slice(&[block]).unwrap(),
//!                                 extension: &[] };
//! let mut buf = [0u8; 32];
//! let len = repr.emit(&mut buf).unwrap();
//! let Some(Ok(RtcpPacket::ReceiverReport(rr))) = CompoundIter::new(&buf[..len]).next()
//! else { panic!() };
//! assert_eq!(ReceiverReportRepr::parse(&rr), repr);
//! ```

use super::emit::{check_buffer, check_words, write_header};
use super::report::{REPORT_BLOCK_LEN, SENDER_INFO_LEN};
use super::{packet_type, ReceiverReport, ReportBlock, SenderReport, HEADER_LEN};
use crate::field::put_u32;
use crate::inline::InlineVec;
use crate::EmitError;

/// Most report blocks one report holds (the 5-bit reception report count).
pub const MAX_REPORT_BLOCKS: usize = 31;

/// Every field of one reception report block.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash)]
pub struct ReportBlockRepr {
    /// The source reported on.
    pub ssrc: u32,
    /// Fraction lost, in 1/256 units.
    pub fraction_lost: u8,
    /// Cumulative packets lost (signed 24 bits: −8 388 608 ..= 8 388 607).
    pub cumulative_lost: i32,
    /// Extended highest sequence number received.
    pub extended_highest_seq: u32,
    /// Interarrival jitter.
    pub jitter: u32,
    /// Last SR timestamp.
    pub lsr: u32,
    /// Delay since last SR, in 1/65536 s.
    pub dlsr: u32,
}

impl ReportBlockRepr {
    /// Reads a block.
    pub fn parse(block: &ReportBlock<'_>) -> Self {
        ReportBlockRepr {
            ssrc: block.ssrc(),
            fraction_lost: block.fraction_lost(),
            cumulative_lost: block.cumulative_lost(),
            extended_highest_seq: block.extended_highest_seq(),
            jitter: block.jitter(),
            lsr: block.lsr(),
            dlsr: block.dlsr(),
        }
    }

    fn check(&self) -> Result<(), EmitError> {
        if !(-0x80_0000..=0x7f_ffff).contains(&self.cumulative_lost) {
            return Err(EmitError::FieldTooLarge {
                field: "cumulative lost (signed 24 bits)",
                value: self.cumulative_lost.unsigned_abs() as usize,
                max: 0x7f_ffff,
            });
        }
        Ok(())
    }

    fn encode(&self, out: &mut [u8]) {
        put_u32(out, 0, self.ssrc);
        let lost = (self.cumulative_lost as u32) & 0x00ff_ffff;
        put_u32(out, 4, (u32::from(self.fraction_lost) << 24) | lost);
        put_u32(out, 8, self.extended_highest_seq);
        put_u32(out, 12, self.jitter);
        put_u32(out, 16, self.lsr);
        put_u32(out, 20, self.dlsr);
    }
}

type Blocks = InlineVec<ReportBlockRepr, MAX_REPORT_BLOCKS>;

fn parse_blocks<'b>(blocks: impl Iterator<Item = ReportBlock<'b>>) -> Blocks {
    let mut list = Blocks::new();
    for block in blocks {
        // The count is 5 bits, so the list always fits.
        let _ = list.push(ReportBlockRepr::parse(&block));
    }
    list
}

/// Writes the SSRC, `info` (sender info or nothing), blocks and extension of a report.
fn emit_report(
    buf: &mut [u8],
    packet_type: u8,
    ssrc: u32,
    info: Option<&[u32; 5]>,
    blocks: &Blocks,
    extension: &[u8],
) -> Result<usize, EmitError> {
    for block in blocks.iter() {
        block.check()?;
    }
    check_words(
        "report extension length (must be a multiple of 4)",
        extension,
    )?;
    let info_len = if info.is_some() { SENDER_INFO_LEN } else { 0 };
    let len = HEADER_LEN + 4 + info_len + REPORT_BLOCK_LEN * blocks.len() + extension.len();
    let out = check_buffer(buf, len)?;
    write_header(out, blocks.len() as u8, packet_type, len)?;
    put_u32(out, 4, ssrc);
    let mut at = 8;
    for &word in info.into_iter().flatten() {
        put_u32(out, at, word);
        at += 4;
    }
    for block in blocks.iter() {
        block.encode(&mut out[at..at + REPORT_BLOCK_LEN]);
        at += REPORT_BLOCK_LEN;
    }
    out[at..].copy_from_slice(extension);
    Ok(len)
}

/// Every field of a sender report. `SenderReportRepr::parse(emit(x)) == x`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SenderReportRepr<'a> {
    /// The sender.
    pub ssrc: u32,
    /// The 64-bit NTP timestamp.
    pub ntp_timestamp: u64,
    /// The matching RTP timestamp.
    pub rtp_timestamp: u32,
    /// Packets sent.
    pub packet_count: u32,
    /// Payload octets sent.
    pub octet_count: u32,
    /// Reception report blocks.
    pub report_blocks: InlineVec<ReportBlockRepr, MAX_REPORT_BLOCKS>,
    /// Profile-specific extension (whole 32-bit words).
    pub extension: &'a [u8],
}

impl<'a> SenderReportRepr<'a> {
    /// Reads a validated packet.
    pub fn parse(sr: &SenderReport<'a>) -> Self {
        SenderReportRepr {
            ssrc: sr.ssrc(),
            ntp_timestamp: sr.ntp_timestamp(),
            rtp_timestamp: sr.rtp_timestamp(),
            packet_count: sr.packet_count(),
            octet_count: sr.octet_count(),
            report_blocks: parse_blocks(sr.report_blocks()),
            extension: sr.extension(),
        }
    }

    /// Bytes [`SenderReportRepr::emit`] writes.
    pub fn buffer_len(&self) -> usize {
        HEADER_LEN
            + 4
            + SENDER_INFO_LEN
            + REPORT_BLOCK_LEN * self.report_blocks.len()
            + self.extension.len()
    }

    /// Writes the packet at the start of `buf` and returns its length.
    pub fn emit(&self, buf: &mut [u8]) -> Result<usize, EmitError> {
        let info = [
            (self.ntp_timestamp >> 32) as u32,
            self.ntp_timestamp as u32,
            self.rtp_timestamp,
            self.packet_count,
            self.octet_count,
        ];
        emit_report(
            buf,
            packet_type::SR,
            self.ssrc,
            Some(&info),
            &self.report_blocks,
            self.extension,
        )
    }
}

/// Every field of a receiver report. `ReceiverReportRepr::parse(emit(x)) == x`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ReceiverReportRepr<'a> {
    /// The receiver that reports.
    pub ssrc: u32,
    /// Reception report blocks.
    pub report_blocks: InlineVec<ReportBlockRepr, MAX_REPORT_BLOCKS>,
    /// Profile-specific extension (whole 32-bit words).
    pub extension: &'a [u8],
}

impl<'a> ReceiverReportRepr<'a> {
    /// Reads a validated packet.
    pub fn parse(rr: &ReceiverReport<'a>) -> Self {
        ReceiverReportRepr {
            ssrc: rr.ssrc(),
            report_blocks: parse_blocks(rr.report_blocks()),
            extension: rr.extension(),
        }
    }

    /// Bytes [`ReceiverReportRepr::emit`] writes.
    pub fn buffer_len(&self) -> usize {
        HEADER_LEN + 4 + REPORT_BLOCK_LEN * self.report_blocks.len() + self.extension.len()
    }

    /// Writes the packet at the start of `buf` and returns its length.
    pub fn emit(&self, buf: &mut [u8]) -> Result<usize, EmitError> {
        emit_report(
            buf,
            packet_type::RR,
            self.ssrc,
            None,
            &self.report_blocks,
            self.extension,
        )
    }
}
