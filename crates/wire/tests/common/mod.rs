//! Owned packet descriptions for property tests: proptest generates these, and each lends a
//! borrowed `*Repr` to emit.
#![allow(dead_code)]

use proptest::collection::vec;
use proptest::prelude::*;
use proptest::test_runner::{Config, FileFailurePersistence};
use rtpscope_wire::inline::InlineVec;
use rtpscope_wire::rtcp::{
    packet_type, AppRepr, ByeRepr, FeedbackRepr, RawRepr, ReceiverReportRepr, ReportBlockRepr,
    RtcpRepr, SdesChunkRepr, SdesItem, SdesRepr, SenderReportRepr, VoipMetrics, XrBlockRepr,
    XrRepr,
};
use rtpscope_wire::rtp::{CsrcList, Extension, RtpRepr};

/// 256 cases, failures persisted under `crates/wire/proptest-regressions/<file>.txt`.
pub fn config(file: &'static str) -> Config {
    Config {
        cases: 256,
        failure_persistence: Some(Box::new(FileFailurePersistence::Direct(file))),
        ..Config::default()
    }
}

fn words(max: usize) -> impl Strategy<Value = Vec<u8>> {
    vec(any::<[u8; 4]>(), 0..=max).prop_map(|w| w.concat())
}

/// RFC 8285 one-byte elements (id 1–14, 1–16 bytes), padded to a word.
pub fn one_byte_elements() -> impl Strategy<Value = (Vec<(u8, Vec<u8>)>, Vec<u8>)> {
    vec((1u8..=14, vec(any::<u8>(), 1..=16)), 0..4).prop_map(|els| {
        let mut data = Vec::new();
        for (id, value) in &els {
            data.push((id << 4) | (value.len() as u8 - 1));
            data.extend_from_slice(value);
        }
        data.resize(data.len().div_ceil(4) * 4, 0);
        (els, data)
    })
}

/// An RTP packet with owned parts.
#[derive(Debug, Clone)]
pub struct OwnedRtp {
    pub marker: bool,
    pub payload_type: u8,
    pub sequence_number: u16,
    pub timestamp: u32,
    pub ssrc: u32,
    pub csrcs: Vec<u32>,
    pub extension: Option<(u16, Vec<u8>)>,
    pub payload: Vec<u8>,
    pub padding: u8,
}

impl OwnedRtp {
    pub fn repr(&self) -> RtpRepr<'_> {
        RtpRepr {
            marker: self.marker,
            payload_type: self.payload_type,
            sequence_number: self.sequence_number,
            timestamp: self.timestamp,
            ssrc: self.ssrc,
            csrcs: CsrcList::from_slice(&self.csrcs).unwrap(),
            extension: self.extension.as_ref().map(|(p, d)| Extension::new(*p, d)),
            payload: &self.payload,
            padding: self.padding,
        }
    }

    pub fn bytes(&self) -> Vec<u8> {
        let repr = self.repr();
        let mut buf = vec![0; repr.buffer_len()];
        repr.emit(&mut buf).unwrap();
        buf
    }
}

pub fn arb_rtp() -> impl Strategy<Value = OwnedRtp> {
    let extension = prop_oneof![
        Just(None),
        words(6).prop_map(|d| Some((0x1234u16, d))),
        one_byte_elements().prop_map(|(_, d)| Some((0xBEDE, d))),
    ];
    (
        (
            any::<bool>(),
            0u8..=127,
            any::<u16>(),
            any::<u32>(),
            any::<u32>(),
        ),
        vec(any::<u32>(), 0..=15),
        extension,
        vec(any::<u8>(), 0..200),
        prop_oneof![Just(0u8), 1u8..=255],
    )
        .prop_map(
            |(
                (marker, payload_type, sequence_number, timestamp, ssrc),
                csrcs,
                extension,
                payload,
                padding,
            )| {
                OwnedRtp {
                    marker,
                    payload_type,
                    sequence_number,
                    timestamp,
                    ssrc,
                    csrcs,
                    extension,
                    payload,
                    padding,
                }
            },
        )
}

pub fn arb_report_block() -> impl Strategy<Value = ReportBlockRepr> {
    (
        any::<(u32, u8, u32, u32, u32, u32)>(),
        -0x80_0000i32..=0x7f_ffff,
    )
        .prop_map(
            |((ssrc, fraction_lost, extended_highest_seq, jitter, lsr, dlsr), cumulative_lost)| {
                ReportBlockRepr {
                    ssrc,
                    fraction_lost,
                    cumulative_lost,
                    extended_highest_seq,
                    jitter,
                    lsr,
                    dlsr,
                }
            },
        )
}

pub fn arb_voip_metrics() -> impl Strategy<Value = VoipMetrics> {
    (
        any::<(u32, u8, u8, u8, u8, u16, u16, u16, u16)>(),
        any::<(i8, i8, u8, u8, u8, u8)>(),
        any::<(u8, u8, u8, u16, u16, u16)>(),
    )
        .prop_map(|(a, b, c)| VoipMetrics {
            ssrc: a.0,
            loss_rate: a.1,
            discard_rate: a.2,
            burst_density: a.3,
            gap_density: a.4,
            burst_duration: a.5,
            gap_duration: a.6,
            round_trip_delay: a.7,
            end_system_delay: a.8,
            signal_level: b.0,
            noise_level: b.1,
            rerl: b.2,
            gmin: b.3,
            r_factor: b.4,
            ext_r_factor: b.5,
            mos_lq: c.0,
            mos_cq: c.1,
            rx_config: c.2,
            jb_nominal: c.3,
            jb_maximum: c.4,
            jb_abs_max: c.5,
        })
}

/// SDES chunks: (SSRC, [(item type, value)]).
pub type Chunks = Vec<(u32, Vec<(u8, Vec<u8>)>)>;
/// A raw XR block: (block type, type-specific byte, content).
pub type RawXrBlock = (u8, u8, Vec<u8>);

/// An RTCP packet with owned parts.
#[derive(Debug, Clone)]
pub enum OwnedRtcp {
    Sr {
        ssrc: u32,
        info: (u64, u32, u32, u32),
        blocks: Vec<ReportBlockRepr>,
        ext: Vec<u8>,
    },
    Rr {
        ssrc: u32,
        blocks: Vec<ReportBlockRepr>,
        ext: Vec<u8>,
    },
    Sdes(Chunks),
    Bye {
        ssrcs: Vec<u32>,
        reason: Option<Vec<u8>>,
    },
    App {
        subtype: u8,
        ssrc: u32,
        name: [u8; 4],
        data: Vec<u8>,
    },
    Fb {
        packet_type: u8,
        fmt: u8,
        sender: u32,
        media: u32,
        fci: Vec<u8>,
    },
    Xr {
        ssrc: u32,
        blocks: Vec<Result<VoipMetrics, RawXrBlock>>,
    },
    Raw {
        packet_type: u8,
        count: u8,
        body: Vec<u8>,
    },
}

impl OwnedRtcp {
    pub fn repr(&self) -> RtcpRepr<'_> {
        match self {
            OwnedRtcp::Sr {
                ssrc,
                info,
                blocks,
                ext,
            } => RtcpRepr::SenderReport(SenderReportRepr {
                ssrc: *ssrc,
                ntp_timestamp: info.0,
                rtp_timestamp: info.1,
                packet_count: info.2,
                octet_count: info.3,
                report_blocks: InlineVec::from_slice(blocks).unwrap(),
                extension: ext,
            }),
            OwnedRtcp::Rr { ssrc, blocks, ext } => RtcpRepr::ReceiverReport(ReceiverReportRepr {
                ssrc: *ssrc,
                report_blocks: InlineVec::from_slice(blocks).unwrap(),
                extension: ext,
            }),
            OwnedRtcp::Sdes(chunks) => {
                let mut repr = SdesRepr::default();
                for (ssrc, items) in chunks {
                    let mut chunk = SdesChunkRepr {
                        ssrc: *ssrc,
                        ..Default::default()
                    };
                    for (kind, value) in items {
                        chunk.items.push(SdesItem { kind: *kind, value }).unwrap();
                    }
                    repr.chunks.push(chunk).unwrap();
                }
                RtcpRepr::SourceDescription(repr)
            }
            OwnedRtcp::Bye { ssrcs, reason } => RtcpRepr::Goodbye(ByeRepr {
                ssrcs: InlineVec::from_slice(ssrcs).unwrap(),
                reason: reason.as_deref(),
            }),
            OwnedRtcp::App {
                subtype,
                ssrc,
                name,
                data,
            } => RtcpRepr::App(AppRepr {
                subtype: *subtype,
                ssrc: *ssrc,
                name: *name,
                data,
            }),
            OwnedRtcp::Fb {
                packet_type,
                fmt,
                sender,
                media,
                fci,
            } => RtcpRepr::Feedback(FeedbackRepr {
                packet_type: *packet_type,
                fmt: *fmt,
                sender_ssrc: *sender,
                media_ssrc: *media,
                fci,
            }),
            OwnedRtcp::Xr { ssrc, blocks } => {
                let mut repr = XrRepr {
                    ssrc: *ssrc,
                    ..Default::default()
                };
                for block in blocks {
                    let block = match block {
                        Ok(m) => XrBlockRepr::VoipMetrics(*m),
                        Err((block_type, type_specific, content)) => XrBlockRepr::Raw {
                            block_type: *block_type,
                            type_specific: *type_specific,
                            content,
                        },
                    };
                    repr.blocks.push(block).unwrap();
                }
                RtcpRepr::ExtendedReport(repr)
            }
            OwnedRtcp::Raw {
                packet_type,
                count,
                body,
            } => RtcpRepr::Raw(RawRepr {
                packet_type: *packet_type,
                count: *count,
                body,
            }),
        }
    }
}

pub fn arb_sdes_chunks() -> impl Strategy<Value = Chunks> {
    vec(
        (any::<u32>(), vec((1u8..=8, vec(any::<u8>(), 0..40)), 0..5)),
        0..4,
    )
}

pub fn arb_rtcp() -> impl Strategy<Value = OwnedRtcp> {
    let blocks = || vec(arb_report_block(), 0..4);
    prop_oneof![
        (
            any::<u32>(),
            any::<(u64, u32, u32, u32)>(),
            blocks(),
            words(2)
        )
            .prop_map(|(ssrc, info, blocks, ext)| OwnedRtcp::Sr {
                ssrc,
                info,
                blocks,
                ext
            }),
        (any::<u32>(), blocks(), words(2)).prop_map(|(ssrc, blocks, ext)| OwnedRtcp::Rr {
            ssrc,
            blocks,
            ext
        }),
        arb_sdes_chunks().prop_map(OwnedRtcp::Sdes),
        (
            vec(any::<u32>(), 0..5),
            proptest::option::of(vec(any::<u8>(), 0..40))
        )
            .prop_map(|(ssrcs, reason)| OwnedRtcp::Bye { ssrcs, reason }),
        (0u8..32, any::<u32>(), any::<[u8; 4]>(), words(4)).prop_map(
            |(subtype, ssrc, name, data)| OwnedRtcp::App {
                subtype,
                ssrc,
                name,
                data
            }
        ),
        (
            prop_oneof![Just(packet_type::RTPFB), Just(packet_type::PSFB)],
            0u8..32,
            any::<u32>(),
            any::<u32>(),
            words(5)
        )
            .prop_map(|(packet_type, fmt, sender, media, fci)| OwnedRtcp::Fb {
                packet_type,
                fmt,
                sender,
                media,
                fci
            }),
        (
            any::<u32>(),
            vec(
                prop_oneof![
                    arb_voip_metrics().prop_map(Ok),
                    (
                        (0u8..=255).prop_filter("not VoIP metrics", |&b| b != 7),
                        any::<u8>(),
                        words(4)
                    )
                        .prop_map(Err),
                ],
                0..4
            )
        )
            .prop_map(|(ssrc, blocks)| OwnedRtcp::Xr { ssrc, blocks }),
        ((192u8..=199).prop_union(208u8..=223), 0u8..32, words(4)).prop_map(
            |(packet_type, count, body)| OwnedRtcp::Raw {
                packet_type,
                count,
                body
            }
        ),
    ]
}

/// Emits `packets` as one compound packet.
pub fn compound_bytes(packets: &[OwnedRtcp]) -> Vec<u8> {
    let reprs: Vec<_> = packets.iter().map(OwnedRtcp::repr).collect();
    let mut buf = vec![0; RtcpRepr::compound_len(&reprs)];
    let len = RtcpRepr::emit_compound(&reprs, &mut buf).unwrap();
    assert_eq!(len, buf.len());
    buf
}
