//! Differential tests: the RTP view against `rtp-types` 0.1 and `rtp-rs` 0.6 on arbitrary
//! bytes and on generated valid packets; the RTCP views against `rtcp-types` 0.3 for SR, RR,
//! SDES and BYE on generated packets.
//!
//! Where a peer legitimately differs the test asserts the exact difference:
//! - `rtcp-types` rejects an SDES item that starts fewer than 4 bytes before the end of the
//!   packet (its item parser wants 4 bytes); RFC 3550 §6.5 allows it. Its compound iterator
//!   then stops, so the packets after it are not compared.
//! - `rtcp-types` skips the nulls after a chunk's item list without stopping at the 32-bit
//!   boundary, so it eats the leading zero bytes of the next chunk's SSRC and rejects the packet
//!   (see `rtcp_types_misframes_chunk_whose_ssrc_starts_with_zero`). Generated non-first chunks
//!   with SSRC 0, where the outcome depends on the bytes that follow, are left out.
//! - PRIV items are left out of the generated SDES: `rtcp-types` checks the PRIV prefix length
//!   against the rest of the packet instead of the item and then panics in `value()` (see
//!   `rtcp_types_panics_on_priv_prefix_overrun`); this crate exposes PRIV values raw.

mod common;

use common::*;
use proptest::collection::vec;
use proptest::prelude::*;
use rtpscope_wire::rtcp::{sdes::item, CompoundIter, RtcpPacket};
use rtpscope_wire::rtp::RtpPacket;

/// The fields every peer exposes, as (seq, ts, ssrc, csrcs, payload offset, payload len,
/// extension (profile, data)).
type Fields = (
    u16,
    u32,
    u32,
    Vec<u32>,
    usize,
    usize,
    Option<(u16, Vec<u8>)>,
);

fn ours(b: &[u8]) -> Option<Fields> {
    let p = RtpPacket::new_checked(b).ok()?;
    let offset = p.payload().as_ptr() as usize - b.as_ptr() as usize;
    Some((
        p.sequence_number(),
        p.timestamp(),
        p.ssrc(),
        p.csrcs().collect(),
        offset,
        p.payload().len(),
        p.extension().map(|e| (e.profile(), e.data().to_vec())),
    ))
}

fn rtp_types(b: &[u8]) -> Option<Fields> {
    let p = rtp_types::RtpPacket::parse(b).ok()?;
    Some((
        p.sequence_number(),
        p.timestamp(),
        p.ssrc(),
        p.csrc().collect(),
        p.payload_offset(),
        p.payload_len(),
        p.extension().map(|(id, d)| (id, d.to_vec())),
    ))
}

fn rtp_rs(b: &[u8]) -> Option<Fields> {
    let p = rtp_rs::RtpReader::new(b).ok()?;
    Some((
        p.sequence_number().into(),
        p.timestamp(),
        p.ssrc(),
        p.csrc().collect(),
        p.payload_offset(),
        p.payload().len(),
        p.extension().map(|(id, d)| (id, d.to_vec())),
    ))
}

fn assert_rtp_agrees(b: &[u8]) {
    let ours = ours(b);
    assert_eq!(ours, rtp_types(b), "rtp-types on {b:02x?}");
    assert_eq!(ours, rtp_rs(b), "rtp-rs on {b:02x?}");
}

/// Bytes that look like RTP often enough to reach every check: version 2 in most cases,
/// random flags, CC, extension length and padding count.
fn rtp_like() -> impl Strategy<Value = Vec<u8>> {
    (
        prop_oneof![3 => 0x80u8..=0xbf, 1 => any::<u8>()],
        vec(any::<u8>(), 0..80),
    )
        .prop_map(|(first, rest)| {
            let mut b = vec![first];
            b.extend(rest);
            b
        })
}

proptest! {
    #![proptest_config(config("proptest-regressions/differential.txt"))]

    #[test]
    fn rtp_arbitrary_bytes_agree(bytes in vec(any::<u8>(), 0..64)) {
        assert_rtp_agrees(&bytes);
    }

    #[test]
    fn rtp_like_bytes_agree(bytes in rtp_like()) {
        assert_rtp_agrees(&bytes);
    }

    #[test]
    fn rtp_valid_packets_agree(owned in arb_rtp()) {
        let bytes = owned.bytes();
        prop_assert!(ours(&bytes).is_some());
        assert_rtp_agrees(&bytes);
    }

    #[test]
    fn rtcp_sr_rr_sdes_bye_agree(owned in vec(arb_rtcp().prop_filter("SR, RR, SDES (no PRIV) or BYE", |p| match p {
        OwnedRtcp::Sdes(chunks) => chunks.iter().flat_map(|c| &c.1).all(|(kind, _)| *kind != item::PRIV)
            && chunks.iter().skip(1).all(|(ssrc, _)| *ssrc != 0),
        p => matches!(p, OwnedRtcp::Sr { .. } | OwnedRtcp::Rr { .. } | OwnedRtcp::Bye { .. }),
    }), 1..4)) {
        let bytes = compound_bytes(&owned);
        compare_rtcp(&bytes, &owned);
    }
}

/// What rtcp-types is expected to reject in an SDES packet this crate accepts (see top).
fn rtcp_types_rejects_sdes(chunks: &Chunks) -> bool {
    // Offset of each item from the end of the packet.
    let mut short_tail = false;
    let total: usize = chunks.iter().map(|(_, items)| chunk_len(items)).sum();
    let mut at = 0;
    for (_, items) in chunks {
        let mut pos = at + 4;
        for (_, value) in items {
            short_tail |= total - pos < 4;
            pos += 2 + value.len();
        }
        at += chunk_len(items);
    }
    let zero_led_ssrc = chunks.iter().skip(1).any(|(ssrc, _)| ssrc >> 24 == 0);
    short_tail || zero_led_ssrc
}

fn chunk_len(items: &[(u8, Vec<u8>)]) -> usize {
    (4 + items.iter().map(|(_, v)| 2 + v.len()).sum::<usize>() + 4) & !3
}

fn compare_rtcp(bytes: &[u8], owned: &[OwnedRtcp]) {
    let peer: Vec<_> = rtcp_types::Compound::parse(bytes)
        .expect("rtcp-types frames it")
        .collect();
    let ours: Vec<_> = CompoundIter::new(bytes).map(Result::unwrap).collect();
    // rtcp-types stops after its first error; up to there it must see every packet.
    let first_error = peer.iter().position(Result::is_err);
    assert_eq!(peer.len(), first_error.map_or(ours.len(), |i| i + 1));
    for ((theirs, ours), owned) in peer.iter().zip(&ours).zip(owned) {
        match (theirs, ours) {
            (Ok(rtcp_types::Packet::Sr(t)), RtcpPacket::SenderReport(o)) => {
                assert_eq!(
                    (
                        t.ssrc(),
                        t.ntp_timestamp(),
                        t.rtp_timestamp(),
                        t.packet_count(),
                        t.octet_count()
                    ),
                    (
                        o.ssrc(),
                        o.ntp_timestamp(),
                        o.rtp_timestamp(),
                        o.packet_count(),
                        o.octet_count()
                    )
                );
                compare_blocks(t.report_blocks(), o.report_blocks());
            }
            (Ok(rtcp_types::Packet::Rr(t)), RtcpPacket::ReceiverReport(o)) => {
                assert_eq!(t.ssrc(), o.ssrc());
                compare_blocks(t.report_blocks(), o.report_blocks());
            }
            (Ok(rtcp_types::Packet::Bye(t)), RtcpPacket::Goodbye(o)) => {
                assert_eq!(t.ssrcs().collect::<Vec<_>>(), o.ssrcs().collect::<Vec<_>>());
                assert_eq!(t.reason(), o.reason());
            }
            (Ok(rtcp_types::Packet::Sdes(t)), RtcpPacket::SourceDescription(o)) => {
                let theirs: Chunks = t
                    .chunks()
                    .map(|c| {
                        (
                            c.ssrc(),
                            c.items().map(|i| (i.type_(), i.value().to_vec())).collect(),
                        )
                    })
                    .collect();
                let ours: Chunks = o
                    .chunks()
                    .map(|c| {
                        (
                            c.ssrc(),
                            c.items().map(|i| (i.kind, i.value.to_vec())).collect(),
                        )
                    })
                    .collect();
                assert_eq!(theirs, ours);
            }
            (Err(e), RtcpPacket::SourceDescription(_)) => {
                let OwnedRtcp::Sdes(chunks) = owned else {
                    unreachable!()
                };
                assert!(
                    rtcp_types_rejects_sdes(chunks),
                    "rtcp-types rejected {chunks:?}: {e:?}"
                );
            }
            (t, o) => panic!("type mismatch: {t:?} vs {o:?}"),
        }
        if let (Ok(_), OwnedRtcp::Sdes(chunks)) = (theirs, owned) {
            assert!(
                !rtcp_types_rejects_sdes(chunks),
                "rtcp-types was expected to reject {chunks:?}"
            );
        }
    }
}

fn compare_blocks<'a>(
    theirs: impl Iterator<Item = rtcp_types::ReportBlock<'a>>,
    ours: rtpscope_wire::rtcp::ReportBlocks<'_>,
) {
    let theirs: Vec<_> = theirs
        .map(|b| {
            (
                b.ssrc(),
                b.fraction_lost(),
                b.cumulative_lost(),
                b.extended_sequence_number(),
                b.interarrival_jitter(),
                b.last_sender_report_timestamp(),
                b.delay_since_last_sender_report_timestamp(),
            )
        })
        .collect();
    let ours: Vec<_> = ours
        .map(|b| {
            let lost = (b.cumulative_lost() as u32) & 0x00ff_ffff;
            (
                b.ssrc(),
                b.fraction_lost(),
                lost,
                b.extended_highest_seq(),
                b.jitter(),
                b.lsr(),
                b.dlsr(),
            )
        })
        .collect();
    assert_eq!(theirs, ours);
}

#[test]
fn rfc3550_padding_and_truncation_cases_agree() {
    let h =
        |first: u8, tail: &[u8]| [&[first, 0, 0, 1, 0, 0, 0, 160, 0, 0, 0, 9][..], tail].concat();
    for bytes in [
        h(0xa0, &[7, 0]),       // padding count 0: all three reject
        h(0xa0, &[]),           // P bit, no byte for the count
        h(0xa0, &[0, 0, 3]),    // padding is the whole payload
        h(0x90, &[0xbe, 0xde]), // extension header cut
        h(0x81, &[0, 0]),       // CSRC cut
        h(0x40, &[]),           // version 1
    ] {
        assert_rtp_agrees(&bytes);
    }
}

#[test]
fn rtcp_types_panics_on_priv_prefix_overrun() {
    // SDES, one chunk: PRIV item of 1 byte whose prefix length says 9.
    let bytes = [0x81, 202, 0, 2, 0, 0, 0, 7, 8, 1, 9, 0];
    let ours = CompoundIter::new(&bytes).next().unwrap().unwrap();
    let RtcpPacket::SourceDescription(sdes) = ours else {
        panic!()
    };
    let item = sdes.chunks().next().unwrap().items().next().unwrap();
    assert_eq!(
        (item.kind, item.value, item.priv_parts()),
        (item::PRIV, &[9][..], None)
    );

    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let theirs = std::panic::catch_unwind(|| {
        let packet = rtcp_types::Compound::parse(&bytes)
            .unwrap()
            .next()
            .unwrap()
            .unwrap();
        let rtcp_types::Packet::Sdes(sdes) = packet else {
            panic!("not SDES")
        };
        sdes.chunks()
            .flat_map(|c| c.items())
            .map(|i| i.value().len())
            .sum::<usize>()
    });
    std::panic::set_hook(previous);
    assert!(theirs.is_err(), "rtcp-types reads past the item");
}

#[test]
fn rtcp_types_misframes_chunk_whose_ssrc_starts_with_zero() {
    // SDES, two chunks: SSRC 7 with no items, then SSRC 0x00ab0324 with CNAME "a".
    let bytes = [
        0x82, 202, 0, 4, 0, 0, 0, 7, 0, 0, 0, 0, 0x00, 0xab, 0x03, 0x24, 1, 1, b'a', 0,
    ];
    let RtcpPacket::SourceDescription(sdes) = CompoundIter::new(&bytes).next().unwrap().unwrap()
    else {
        panic!()
    };
    let ssrcs: Vec<_> = sdes.chunks().map(|c| (c.ssrc(), c.cname())).collect();
    assert_eq!(ssrcs, [(7, None), (0x00ab_0324, Some(&b"a"[..]))]);
    let theirs = rtcp_types::Compound::parse(&bytes).unwrap().next().unwrap();
    assert!(
        matches!(theirs, Err(rtcp_types::RtcpParseError::Truncated { .. })),
        "{theirs:?}"
    );
}
