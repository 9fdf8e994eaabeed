//! Hand-worked vectors laid out as in RFC 3550 §6.4–6.6, RFC 3611 §4.7, RFC 4585 §6.1,
//! RFC 5506 and RFC 8285 §4, with the exact errors for malformed framing.

use rtpscope_wire::rtcp::{sdes::item, CompoundIter, RtcpError, RtcpPacket, VoipMetrics};
use rtpscope_wire::rtp::{Extension, RtpPacket};

fn single(bytes: &[u8]) -> RtcpPacket<'_> {
    let mut it = CompoundIter::new(bytes);
    let p = it.next().unwrap().unwrap();
    assert!(it.next().is_none());
    p
}

#[test]
fn rfc3550_sender_report_layout() {
    #[rustfmt::skip]
    let sr = [
        0x81, 200, 0x00, 0x0c,             // V=2 RC=1 PT=SR length=12
        0x11, 0x22, 0x33, 0x44,            // SSRC of sender
        0xe5, 0x5a, 0x2f, 0x00,            // NTP timestamp, most significant word
        0x80, 0x00, 0x12, 0x34,            // NTP timestamp, least significant word
        0x00, 0x01, 0xe2, 0x40,            // RTP timestamp
        0x00, 0x00, 0x01, 0xf4,            // sender's packet count
        0x00, 0x01, 0x38, 0x80,            // sender's octet count
        0xaa, 0xbb, 0xcc, 0xdd,            // SSRC_1
        0x40, 0xff, 0xff, 0xfe,            // fraction lost 64/256, cumulative lost -2
        0x00, 0x01, 0x03, 0xe8,            // extended highest seq: cycles 1, seq 1000
        0x00, 0x00, 0x00, 0x50,            // jitter 80
        0x5a, 0x2f, 0x00, 0x00,            // LSR
        0x00, 0x01, 0x80, 0x00,            // DLSR 1.5 s
    ];
    let RtcpPacket::SenderReport(p) = single(&sr) else {
        panic!()
    };
    assert_eq!(p.ssrc(), 0x1122_3344);
    assert_eq!(p.ntp_timestamp(), 0xe55a_2f00_8000_1234);
    assert_eq!(p.ntp_middle(), 0x2f00_8000);
    assert_eq!(
        (p.rtp_timestamp(), p.packet_count(), p.octet_count()),
        (123_456, 500, 80_000)
    );
    let b = p.report_blocks().next().unwrap();
    assert_eq!(
        (b.ssrc(), b.fraction_lost(), b.cumulative_lost()),
        (0xaabb_ccdd, 64, -2)
    );
    assert_eq!(
        (b.extended_highest_seq(), b.jitter(), b.lsr(), b.dlsr()),
        (0x1_03e8, 80, 0x5a2f_0000, 0x1_8000)
    );
    assert!(p.extension().is_empty());
}

#[test]
fn rfc3550_receiver_report_two_blocks_and_truncation() {
    let mut rr = vec![0x82, 201, 0, 13, 0, 0, 0, 1];
    for ssrc in [2u8, 3] {
        rr.extend_from_slice(&[
            0, 0, 0, ssrc, 0, 0, 0, ssrc, 0, 0, 0, 9, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        ]);
    }
    let RtcpPacket::ReceiverReport(p) = single(&rr) else {
        panic!()
    };
    let lost: Vec<_> = p
        .report_blocks()
        .map(|b| (b.ssrc(), b.cumulative_lost()))
        .collect();
    assert_eq!(lost, [(2, 2), (3, 3)]);
    // RC says 3 blocks, the length holds 2.
    rr[0] = 0x83;
    assert_eq!(
        CompoundIter::new(&rr).next(),
        Some(Err(RtcpError::Truncated {
            what: "receiver report",
            offset: 0,
            needed: 80,
            available: 56
        }))
    );
}

#[test]
fn rfc3550_sdes_items_and_cname() {
    #[rustfmt::skip]
    let sdes = [
        0x82, 202, 0, 6,
        0, 0, 0, 1, item::CNAME, 5, b'u', b'@', b'h', b'.', b'x', item::TOOL, 1, b't', 0, 0, // 16
        0, 0, 0, 2, item::NOTE, 0, 0, 0,                                                    // 8
    ];
    let RtcpPacket::SourceDescription(p) = single(&sdes) else {
        panic!()
    };
    assert_eq!(p.cname_of(1), Some(&b"u@h.x"[..]));
    assert_eq!(p.cname_of(2), None);
    let items: Vec<_> = p
        .chunks()
        .flat_map(|c| c.items().map(move |i| (c.ssrc(), i.kind, i.value)))
        .collect();
    assert_eq!(
        items,
        [
            (1, item::CNAME, &b"u@h.x"[..]),
            (1, item::TOOL, &b"t"[..]),
            (2, item::NOTE, &b""[..])
        ]
    );
}

#[test]
fn sdes_framing_errors() {
    // No end marker: the item list runs to the end of the packet.
    let no_end = [0x81, 202, 0, 2, 0, 0, 0, 1, 1, 2, b'a', b'b'];
    assert_eq!(
        CompoundIter::new(&no_end).next(),
        Some(Err(RtcpError::Truncated {
            what: "SDES item list (no end marker)",
            offset: 0,
            needed: 13,
            available: 12
        }))
    );
    // Item length past the packet.
    let overrun = [0x81, 202, 0, 2, 0, 0, 0, 1, 1, 9, b'a', 0];
    assert_eq!(
        CompoundIter::new(&overrun).next(),
        Some(Err(RtcpError::Truncated {
            what: "SDES item value",
            offset: 0,
            needed: 19,
            available: 12
        }))
    );
    // SC = 1 but a second chunk follows.
    let extra = [
        0x81, 202, 0, 4, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0,
    ];
    assert_eq!(
        CompoundIter::new(&extra).next(),
        Some(Err(RtcpError::Malformed {
            what: "SDES data after the counted chunks",
            offset: 0
        }))
    );
    // Padding after the end marker must be null.
    let dirty = [0x81, 202, 0, 2, 0, 0, 0, 1, 0, 0, 7, 0];
    assert_eq!(
        CompoundIter::new(&dirty).next(),
        Some(Err(RtcpError::Malformed {
            what: "SDES chunk padding is not null",
            offset: 0
        }))
    );
}

#[test]
fn rfc3550_bye_with_and_without_reason() {
    let bye = [
        0x82, 203, 0, 4, 0, 0, 0, 1, 0, 0, 0, 2, 4, b'b', b'y', b'e', b'!', 0, 0, 0,
    ];
    let RtcpPacket::Goodbye(p) = single(&bye) else {
        panic!()
    };
    assert_eq!(p.ssrcs().collect::<Vec<_>>(), [1, 2]);
    assert_eq!(p.reason(), Some(&b"bye!"[..]));
    let bare = [0x81, 203, 0, 1, 0, 0, 0, 1];
    let RtcpPacket::Goodbye(p) = single(&bare) else {
        panic!()
    };
    assert_eq!(p.reason(), None);
    let overrun = [0x81, 203, 0, 2, 0, 0, 0, 1, 9, b'x', 0, 0];
    assert_eq!(
        CompoundIter::new(&overrun).next(),
        Some(Err(RtcpError::Truncated {
            what: "BYE reason",
            offset: 0,
            needed: 18,
            available: 12
        }))
    );
}

#[test]
fn rfc3550_app_and_rfc4585_feedback() {
    let app = [
        0x85, 204, 0, 3, 0, 0, 0, 9, b'P', b'I', b'N', b'G', 1, 2, 3, 4,
    ];
    let RtcpPacket::App(p) = single(&app) else {
        panic!()
    };
    assert_eq!(
        (p.subtype(), p.ssrc(), &p.name(), p.data()),
        (5, 9, b"PING", &[1, 2, 3, 4][..])
    );
    // PLI (PSFB FMT 1) has no FCI.
    let pli = [0x81, 206, 0, 2, 0, 0, 0, 1, 0, 0, 0, 2];
    let RtcpPacket::PayloadFeedback(p) = single(&pli) else {
        panic!()
    };
    assert_eq!(
        (p.fmt(), p.sender_ssrc(), p.media_ssrc(), p.fci()),
        (1, 1, 2, &[][..])
    );
}

#[test]
fn rfc3611_voip_metrics_block() {
    #[rustfmt::skip]
    let xr = [
        0x80, 207, 0, 10,
        0, 0, 0, 1,                  // SSRC of the reporter
        7, 0, 0, 8,                  // BT=7, reserved, block length 8
        0, 0, 0, 2,                  // SSRC of source
        13, 5, 40, 2,                // loss 13/256, discard 5/256, burst density, gap density
        0x00, 0x78, 0x07, 0xd0,      // burst duration 120 ms, gap duration 2000 ms
        0x00, 0x96, 0x00, 0x28,      // round trip delay 150 ms, end system delay 40 ms
        0xec, 0xc4, 0x7f, 16,        // signal -20 dBm0, noise -60 dBm0, RERL unavailable, Gmin 16
        80, 127, 41, 39,             // R 80, ext R unavailable, MOS-LQ 4.1, MOS-CQ 3.9
        0xa0, 0, 0x00, 0x3c,         // RX config (PLC enhanced, adaptive), reserved, JB nominal 60
        0x00, 0xc8, 0x01, 0xf4,      // JB maximum 200, JB abs max 500
    ];
    let RtcpPacket::ExtendedReport(p) = single(&xr) else {
        panic!()
    };
    assert_eq!(p.ssrc(), 1);
    let block = p.blocks().next().unwrap();
    assert_eq!((block.block_type(), block.content().len()), (7, 32));
    let m = block.voip_metrics().unwrap();
    assert_eq!(
        m,
        VoipMetrics {
            ssrc: 2,
            loss_rate: 13,
            discard_rate: 5,
            burst_density: 40,
            gap_density: 2,
            burst_duration: 120,
            gap_duration: 2000,
            round_trip_delay: 150,
            end_system_delay: 40,
            signal_level: -20,
            noise_level: -60,
            rerl: 127,
            gmin: 16,
            r_factor: 80,
            ext_r_factor: 127,
            mos_lq: 41,
            mos_cq: 39,
            rx_config: 0xa0,
            jb_nominal: 60,
            jb_maximum: 200,
            jb_abs_max: 500,
        }
    );
    // A VoIP metrics block must be 8 words long.
    let short = [0x80, 207, 0, 3, 0, 0, 0, 1, 7, 0, 0, 1, 0, 0, 0, 2];
    assert_eq!(
        CompoundIter::new(&short).next(),
        Some(Err(RtcpError::Malformed {
            what: "XR VoIP metrics block length is not 8",
            offset: 0
        }))
    );
    // A block that runs past the packet.
    let overrun = [0x80, 207, 0, 2, 0, 0, 0, 1, 4, 0, 0, 5];
    assert_eq!(
        CompoundIter::new(&overrun).next(),
        Some(Err(RtcpError::Truncated {
            what: "XR block",
            offset: 0,
            needed: 32,
            available: 12
        }))
    );
}

#[test]
fn rfc5506_reduced_size_compound_and_error_offsets() {
    // PLI then APP: no SR/RR first, accepted.
    let reduced = [
        0x81, 206, 0, 2, 0, 0, 0, 1, 0, 0, 0, 2, //
        0x80, 204, 0, 2, 0, 0, 0, 1, b'A', b'B', b'C', b'D',
    ];
    assert_eq!(CompoundIter::validate(&reduced), Ok(2));
    // The second packet's error names its offset.
    let mut bad = reduced.to_vec();
    bad[12] = 0x40;
    let results: Vec<_> = CompoundIter::new(&bad).collect();
    assert!(results[0].is_ok());
    assert_eq!(
        results[1],
        Err(RtcpError::BadVersion {
            version: 1,
            offset: 12
        })
    );
    assert_eq!(results.len(), 2);
}

#[test]
fn rfc8285_two_byte_example() {
    // §4.3: ID 1 L=0, ID 2 L=1, a padding byte, ID 3 L=4; block of 3 words.
    let mut b = vec![0x90, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1];
    b.extend_from_slice(&[0x10, 0x00, 0, 3, 1, 0, 2, 1, 0xaa, 0, 3, 4, 1, 2, 3, 4]);
    let p = RtpPacket::new_checked(&b[..]).unwrap();
    let ext = p.extension().unwrap();
    let els: Vec<_> = ext
        .elements()
        .map(|e| e.map(|e| (e.id, e.data)))
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(
        els,
        [(1, &[][..]), (2, &[0xaa][..]), (3, &[1, 2, 3, 4][..])]
    );
    assert!(p.payload().is_empty());
    // §4.2: the one-byte form of the same elements (L = length − 1).
    let one = Extension::new(0xBEDE, &[0x10, 0xaa, 0x21, 1, 2, 0x33, 1, 2, 3, 4, 0, 0]);
    let ids: Vec<_> = one.elements().map(|e| e.unwrap().data.len()).collect();
    assert_eq!(ids, [1, 2, 4]);
}
