//! Parse throughput of rtpscope-wire against rtp-types, rtp-rs, webrtc-rs rtp/rtcp and
//! rtcp-types. Every peer does the same work per iteration: parse, then read sequence number,
//! timestamp, SSRC and payload length (and, where a peer can, walk extension elements or
//! RTCP items). Results and the command are in docs/benchmarks/wire.md.

use std::hint::black_box;

use bytes::Bytes;
use criterion::{criterion_group, criterion_main, Criterion};
use rtpscope::wire::rtcp::{CompoundIter, RtcpPacket};
use rtpscope::wire::rtp::RtpPacket;
use webrtc_util::Unmarshal;

/// (A) 12-byte header + 160-byte PCMU payload.
fn case_a() -> Vec<u8> {
    let mut b = vec![
        0x80, 0x00, 0x12, 0x34, 0, 0, 0x03, 0x20, 0xde, 0xad, 0xbe, 0xef,
    ];
    b.extend_from_slice(&[0xff; 160]);
    b
}

/// (B) 2 CSRCs, a one-byte extension block (audio level id 1, abs-send-time id 3), 160-byte
/// payload, 4 bytes of padding.
fn case_b() -> Vec<u8> {
    let mut b = vec![
        0xb2, 0x6f, 0x12, 0x34, 0, 0, 0x03, 0x20, 0xde, 0xad, 0xbe, 0xef,
    ];
    b.extend_from_slice(&[0, 0, 0, 1, 0, 0, 0, 2]);
    b.extend_from_slice(&[0xbe, 0xde, 0, 2, 0x10, 0x9f, 0x32, 0x12, 0x34, 0x56, 0, 0]);
    b.extend_from_slice(&[0x55; 160]);
    b.extend_from_slice(&[0, 0, 0, 4]);
    b
}

/// (C) compound RTCP: RR with one report block, then SDES with a CNAME.
fn case_c() -> Vec<u8> {
    let mut b = vec![0x81, 201, 0, 7, 0, 0, 0, 1];
    b.extend_from_slice(&[
        0, 0, 0, 2, 0x10, 0, 0, 3, 0, 1, 0x03, 0xe8, 0, 0, 0, 80, 0x5a, 0x2f, 0, 0, 0, 1, 0x80, 0,
    ]);
    b.extend_from_slice(&[0x81, 202, 0, 6, 0, 0, 0, 1, 1, 16]);
    b.extend_from_slice(b"user@example.com");
    b.extend_from_slice(&[0, 0]);
    b
}

fn rtp_cases(c: &mut Criterion) {
    for (name, bytes) in [("A_pcmu", case_a()), ("B_csrc_ext_padding", case_b())] {
        let walk_elements = name.starts_with('B');
        let mut group = c.benchmark_group(format!("rtp_{name}"));
        let shared = Bytes::from(bytes.clone());
        group.bench_function("rtpscope", |b| {
            b.iter(|| {
                let p = RtpPacket::new_checked(black_box(&bytes[..])).unwrap();
                black_box((
                    p.sequence_number(),
                    p.timestamp(),
                    p.ssrc(),
                    p.payload().len(),
                ));
                if walk_elements {
                    for e in p.extension().unwrap().elements() {
                        let e = e.unwrap();
                        black_box((e.id, e.data));
                    }
                }
            })
        });
        if walk_elements {
            // The same work as rtp-types and rtp-rs do on B: parse and fields, no elements.
            group.bench_function("rtpscope-parse-only", |b| {
                b.iter(|| {
                    let p = RtpPacket::new_checked(black_box(&bytes[..])).unwrap();
                    black_box((
                        p.sequence_number(),
                        p.timestamp(),
                        p.ssrc(),
                        p.payload().len(),
                    ));
                })
            });
        }
        // rtp-types and rtp-rs expose the extension block raw: no element iteration.
        group.bench_function("rtp-types", |b| {
            b.iter(|| {
                let p = rtp_types::RtpPacket::parse(black_box(&bytes[..])).unwrap();
                black_box((
                    p.sequence_number(),
                    p.timestamp(),
                    p.ssrc(),
                    p.payload_len(),
                ));
            })
        });
        group.bench_function("rtp-rs", |b| {
            b.iter(|| {
                let p = rtp_rs::RtpReader::new(black_box(&bytes[..])).unwrap();
                black_box((
                    p.sequence_number(),
                    p.timestamp(),
                    p.ssrc(),
                    p.payload().len(),
                ));
            })
        });
        group.bench_function("webrtc-rtp", |b| {
            b.iter(|| {
                let mut buf = black_box(&shared).clone();
                let p = rtp::packet::Packet::unmarshal(&mut buf).unwrap();
                let h = &p.header;
                black_box((h.sequence_number, h.timestamp, h.ssrc, p.payload.len()));
                for e in &h.extensions {
                    black_box((e.id, &e.payload));
                }
            })
        });
        group.finish();
    }
}

fn rtcp_case(c: &mut Criterion) {
    let bytes = case_c();
    let shared = Bytes::from(bytes.clone());
    let mut group = c.benchmark_group("rtcp_C_rr_sdes");
    group.bench_function("rtpscope", |b| {
        b.iter(|| {
            for p in CompoundIter::new(black_box(&bytes[..])) {
                match p.unwrap() {
                    RtcpPacket::ReceiverReport(rr) => {
                        black_box(rr.ssrc());
                        for block in rr.report_blocks() {
                            black_box((block.ssrc(), block.cumulative_lost(), block.jitter()));
                        }
                    }
                    RtcpPacket::SourceDescription(sdes) => {
                        for chunk in sdes.chunks() {
                            black_box(chunk.ssrc());
                            for item in chunk.items() {
                                black_box((item.kind, item.value.len()));
                            }
                        }
                    }
                    _ => {}
                }
            }
        })
    });
    group.bench_function("rtcp-types", |b| {
        b.iter(|| {
            for p in rtcp_types::Compound::parse(black_box(&bytes[..])).unwrap() {
                match p.unwrap() {
                    rtcp_types::Packet::Rr(rr) => {
                        black_box(rr.ssrc());
                        for block in rr.report_blocks() {
                            black_box((
                                block.ssrc(),
                                block.cumulative_lost(),
                                block.interarrival_jitter(),
                            ));
                        }
                    }
                    rtcp_types::Packet::Sdes(sdes) => {
                        for chunk in sdes.chunks() {
                            black_box(chunk.ssrc());
                            for item in chunk.items() {
                                black_box((item.type_(), item.value().len()));
                            }
                        }
                    }
                    _ => {}
                }
            }
        })
    });
    group.bench_function("webrtc-rtcp", |b| {
        b.iter(|| {
            let mut buf = black_box(&shared).clone();
            for p in rtcp::packet::unmarshal(&mut buf).unwrap() {
                let any = p.as_any();
                if let Some(rr) = any.downcast_ref::<rtcp::receiver_report::ReceiverReport>() {
                    black_box(rr.ssrc);
                    for block in &rr.reports {
                        black_box((block.ssrc, block.total_lost, block.jitter));
                    }
                } else if let Some(sdes) =
                    any.downcast_ref::<rtcp::source_description::SourceDescription>()
                {
                    for chunk in &sdes.chunks {
                        black_box(chunk.source);
                        for item in &chunk.items {
                            black_box((item.sdes_type as u8, item.text.len()));
                        }
                    }
                }
            }
        })
    });
    group.finish();
}

criterion_group!(benches, rtp_cases, rtcp_case);
criterion_main!(benches);
