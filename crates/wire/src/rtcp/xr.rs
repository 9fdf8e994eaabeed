//! Extended reports (RFC 3611): a source, then report blocks; the VoIP Metrics block (§4.7)
//! is decoded, every other block type is exposed raw.
//!
//! ```
//! use rtpscope_wire::rtcp::{CompoundIter, RtcpPacket, VoipMetrics, XrBlockRepr, XrRepr};
//! use rtpscope_wire::inline::InlineVec;
//!
//! let metrics = VoipMetrics { ssrc: 2, loss_rate: 13, r_factor: 80, mos_lq: 41,
//!                             ..VoipMetrics::default() };
//! let repr = XrRepr { ssrc: 1,
//!                     blocks: InlineVec::from_slice(&[XrBlockRepr::VoipMetrics(metrics)]).unwrap() };
//! let mut buf = [0u8; 64];
//! let len = repr.emit(&mut buf).unwrap();
//! let Some(Ok(RtcpPacket::ExtendedReport(xr))) = CompoundIter::new(&buf[..len]).next()
//! else { panic!() };
//! assert_eq!(xr.blocks().next().unwrap().voip_metrics(), Some(metrics));
//! ```

use super::emit::{check_buffer, check_words, write_header};
use super::{packet_type, RawPacket, RtcpError, HEADER_LEN};
use crate::field::{put_u16, put_u32, u16_at, u32_at, u8_at};
use crate::inline::InlineVec;
use crate::EmitError;

/// Block type of the VoIP Metrics report block.
pub const VOIP_METRICS: u8 = 7;
/// Length of a VoIP Metrics block, header included.
pub const VOIP_METRICS_LEN: usize = 36;
/// Most blocks one [`XrRepr`] holds.
pub const MAX_BLOCKS: usize = 16;

/// Checks that the report blocks tile the body after the SSRC exactly.
#[inline]
pub(super) fn validate(raw: &RawPacket<'_>) -> Result<(), RtcpError> {
    let body = raw.body();
    let truncated = |what, needed| raw.truncated(what, needed);
    if body.len() < 4 {
        return Err(truncated("extended report SSRC", 4));
    }
    let mut at = 4;
    while at < body.len() {
        if body.len() < at + 4 {
            return Err(truncated("XR block header", at + 4));
        }
        let len = 4 * (usize::from(u16_at(body, at + 2)) + 1);
        if body.len() < at + len {
            return Err(truncated("XR block", at + len));
        }
        if body[at] == VOIP_METRICS && len != VOIP_METRICS_LEN {
            return Err(RtcpError::Malformed {
                what: "XR VoIP metrics block length is not 8",
                offset: raw.offset(),
            });
        }
        at += len;
    }
    Ok(())
}

/// A validated extended report (PT 207).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ExtendedReport<'a> {
    pub(super) raw: RawPacket<'a>,
}

impl<'a> ExtendedReport<'a> {
    /// The framed packet.
    #[inline]
    pub fn raw(&self) -> RawPacket<'a> {
        self.raw
    }

    /// The source that sends the report.
    #[inline]
    pub fn ssrc(&self) -> u32 {
        u32_at(self.raw.body(), 0)
    }

    /// The report blocks.
    #[inline]
    pub fn blocks(&self) -> XrBlocks<'a> {
        XrBlocks {
            bytes: self.raw.body().get(4..).unwrap_or(&[]),
        }
    }
}

/// Iterator over the report blocks of an XR packet.
#[derive(Debug, Clone)]
pub struct XrBlocks<'a> {
    bytes: &'a [u8],
}

impl<'a> Iterator for XrBlocks<'a> {
    type Item = XrBlock<'a>;

    #[inline]
    fn next(&mut self) -> Option<XrBlock<'a>> {
        let len = 4 * (usize::from(u16_at(self.bytes, 2)) + 1);
        let block = self.bytes.get(..len)?;
        self.bytes = &self.bytes[len..];
        Some(XrBlock { bytes: block })
    }
}

/// One XR report block.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct XrBlock<'a> {
    bytes: &'a [u8],
}

impl<'a> XrBlock<'a> {
    /// The block type (BT).
    #[inline]
    pub fn block_type(&self) -> u8 {
        u8_at(self.bytes, 0)
    }

    /// The type-specific byte of the block header.
    #[inline]
    pub fn type_specific(&self) -> u8 {
        u8_at(self.bytes, 1)
    }

    /// The block contents after its 4-byte header.
    #[inline]
    pub fn content(&self) -> &'a [u8] {
        self.bytes.get(4..).unwrap_or(&[])
    }

    /// The decoded VoIP metrics, for a block of type 7.
    #[inline]
    pub fn voip_metrics(&self) -> Option<VoipMetrics> {
        (self.block_type() == VOIP_METRICS).then(|| VoipMetrics::decode(self.content()))
    }
}

/// The VoIP Metrics report block (RFC 3611 §4.7), field by field in wire units.
///
/// Reserved fields are written as zero and ignored on reading, as §4.7 requires.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash)]
pub struct VoipMetrics {
    /// The source the metrics are about.
    pub ssrc: u32,
    /// Fraction of packets lost, in 1/256 units.
    pub loss_rate: u8,
    /// Fraction of packets discarded (late or early), in 1/256 units.
    pub discard_rate: u8,
    /// Fraction of packets lost or discarded within bursts, in 1/256 units.
    pub burst_density: u8,
    /// Fraction of packets lost or discarded within gaps, in 1/256 units.
    pub gap_density: u8,
    /// Mean burst duration, in ms.
    pub burst_duration: u16,
    /// Mean gap duration, in ms.
    pub gap_duration: u16,
    /// Most recent round-trip delay, in ms.
    pub round_trip_delay: u16,
    /// Most recent end-system delay, in ms.
    pub end_system_delay: u16,
    /// Voice signal level, in dBm0 (127: unavailable).
    pub signal_level: i8,
    /// Noise level, in dBm0 (127: unavailable).
    pub noise_level: i8,
    /// Residual echo return loss, in dB (127: unavailable).
    pub rerl: u8,
    /// The gap threshold (16 is recommended).
    pub gmin: u8,
    /// The R factor (127: unavailable).
    pub r_factor: u8,
    /// The external R factor (127: unavailable).
    pub ext_r_factor: u8,
    /// Listening-quality MOS × 10 (127: unavailable).
    pub mos_lq: u8,
    /// Conversational-quality MOS × 10 (127: unavailable).
    pub mos_cq: u8,
    /// Receiver configuration: PLC, jitter-buffer adaptivity and rate bits.
    pub rx_config: u8,
    /// Nominal jitter-buffer delay, in ms.
    pub jb_nominal: u16,
    /// Maximum jitter-buffer delay, in ms.
    pub jb_maximum: u16,
    /// Absolute maximum jitter-buffer delay, in ms.
    pub jb_abs_max: u16,
}

impl VoipMetrics {
    /// Decodes the 32 bytes after the block header.
    #[inline]
    fn decode(c: &[u8]) -> Self {
        VoipMetrics {
            ssrc: u32_at(c, 0),
            loss_rate: u8_at(c, 4),
            discard_rate: u8_at(c, 5),
            burst_density: u8_at(c, 6),
            gap_density: u8_at(c, 7),
            burst_duration: u16_at(c, 8),
            gap_duration: u16_at(c, 10),
            round_trip_delay: u16_at(c, 12),
            end_system_delay: u16_at(c, 14),
            signal_level: u8_at(c, 16) as i8,
            noise_level: u8_at(c, 17) as i8,
            rerl: u8_at(c, 18),
            gmin: u8_at(c, 19),
            r_factor: u8_at(c, 20),
            ext_r_factor: u8_at(c, 21),
            mos_lq: u8_at(c, 22),
            mos_cq: u8_at(c, 23),
            rx_config: u8_at(c, 24),
            jb_nominal: u16_at(c, 26),
            jb_maximum: u16_at(c, 28),
            jb_abs_max: u16_at(c, 30),
        }
    }

    /// Writes the whole 36-byte block, header included, into `out`.
    fn encode(&self, out: &mut [u8]) {
        out[..VOIP_METRICS_LEN].fill(0);
        out[0] = VOIP_METRICS;
        put_u16(out, 2, (VOIP_METRICS_LEN / 4 - 1) as u16);
        let c = &mut out[4..VOIP_METRICS_LEN];
        put_u32(c, 0, self.ssrc);
        c[4..8].copy_from_slice(&[
            self.loss_rate,
            self.discard_rate,
            self.burst_density,
            self.gap_density,
        ]);
        put_u16(c, 8, self.burst_duration);
        put_u16(c, 10, self.gap_duration);
        put_u16(c, 12, self.round_trip_delay);
        put_u16(c, 14, self.end_system_delay);
        c[16..25].copy_from_slice(&[
            self.signal_level as u8,
            self.noise_level as u8,
            self.rerl,
            self.gmin,
            self.r_factor,
            self.ext_r_factor,
            self.mos_lq,
            self.mos_cq,
            self.rx_config,
        ]);
        put_u16(c, 26, self.jb_nominal);
        put_u16(c, 28, self.jb_maximum);
        put_u16(c, 30, self.jb_abs_max);
    }
}

/// One report block to emit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum XrBlockRepr<'a> {
    /// A VoIP Metrics block.
    VoipMetrics(VoipMetrics),
    /// Any other block type, raw.
    Raw {
        /// The block type (not [`VOIP_METRICS`]).
        block_type: u8,
        /// The type-specific header byte.
        type_specific: u8,
        /// The contents after the block header (whole 32-bit words).
        content: &'a [u8],
    },
}

impl Default for XrBlockRepr<'_> {
    fn default() -> Self {
        XrBlockRepr::Raw {
            block_type: 0,
            type_specific: 0,
            content: &[],
        }
    }
}

impl<'a> XrBlockRepr<'a> {
    /// Reads a validated block.
    #[inline]
    pub fn parse(block: &XrBlock<'a>) -> Self {
        match block.voip_metrics() {
            Some(metrics) => XrBlockRepr::VoipMetrics(metrics),
            None => XrBlockRepr::Raw {
                block_type: block.block_type(),
                type_specific: block.type_specific(),
                content: block.content(),
            },
        }
    }

    fn wire_len(&self) -> usize {
        match self {
            XrBlockRepr::VoipMetrics(_) => VOIP_METRICS_LEN,
            XrBlockRepr::Raw { content, .. } => 4 + content.len(),
        }
    }
}

/// Every field of an XR packet. `XrRepr::parse(emit(x)) == x`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct XrRepr<'a> {
    /// The source that sends the report.
    pub ssrc: u32,
    /// The report blocks.
    pub blocks: InlineVec<XrBlockRepr<'a>, MAX_BLOCKS>,
}

impl<'a> XrRepr<'a> {
    /// Reads a validated packet; `None` if it has more than [`MAX_BLOCKS`] blocks.
    #[inline]
    pub fn parse(xr: &ExtendedReport<'a>) -> Option<Self> {
        let mut blocks = InlineVec::new();
        for block in xr.blocks() {
            blocks.push(XrBlockRepr::parse(&block)).ok()?;
        }
        Some(XrRepr {
            ssrc: xr.ssrc(),
            blocks,
        })
    }

    /// Bytes [`XrRepr::emit`] writes.
    pub fn buffer_len(&self) -> usize {
        HEADER_LEN + 4 + self.blocks.iter().map(XrBlockRepr::wire_len).sum::<usize>()
    }

    /// Writes the packet at the start of `buf` and returns its length.
    pub fn emit(&self, buf: &mut [u8]) -> Result<usize, EmitError> {
        for block in self.blocks.iter() {
            if let XrBlockRepr::Raw {
                block_type,
                content,
                ..
            } = *block
            {
                if block_type == VOIP_METRICS {
                    return Err(EmitError::InvalidValue {
                        field: "raw XR block type (use XrBlockRepr::VoipMetrics)",
                        value: VOIP_METRICS.into(),
                    });
                }
                check_words("XR block length (must be a multiple of 4)", content)?;
                if content.len() / 4 > usize::from(u16::MAX) {
                    return Err(EmitError::FieldTooLarge {
                        field: "XR block length",
                        value: content.len(),
                        max: 4 * usize::from(u16::MAX),
                    });
                }
            }
        }
        let len = self.buffer_len();
        let out = check_buffer(buf, len)?;
        write_header(out, 0, packet_type::XR, len)?;
        put_u32(out, 4, self.ssrc);
        let mut at = HEADER_LEN + 4;
        for block in self.blocks.iter() {
            let end = at + block.wire_len();
            match *block {
                XrBlockRepr::VoipMetrics(m) => m.encode(&mut out[at..end]),
                XrBlockRepr::Raw {
                    block_type,
                    type_specific,
                    content,
                } => {
                    out[at] = block_type;
                    out[at + 1] = type_specific;
                    put_u16(out, at + 2, (content.len() / 4) as u16);
                    out[at + 4..end].copy_from_slice(content);
                }
            }
            at = end;
        }
        Ok(len)
    }
}
