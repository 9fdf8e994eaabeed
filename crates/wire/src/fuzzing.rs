//! The bodies of the cargo-fuzz targets in `fuzz/`, kept here so that an ordinary test can
//! replay the committed corpus on stable Rust. Each one panics when an invariant breaks.
//!
//! ```
//! rtpscope_wire::fuzzing::rtp_packet(&[0x80, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 9]);
//! rtpscope_wire::fuzzing::rtcp_compound(&[0x80, 201, 0, 1, 0, 0, 0, 1]);
//! rtpscope_wire::fuzzing::demux(&[0x80, 201, 0, 1, 0, 0, 0, 1]);
//! ```

use crate::rtcp::{CompoundIter, RtcpPacket, RtcpRepr};
use crate::rtp::{RtpPacket, RtpRepr};
use crate::{classify, EmitError, PacketKind};

/// Largest input whose re-emission is checked (libFuzzer's default `-max_len` is 4096).
const EMIT_BUF: usize = 8192;

/// Whether `inner` is a sub-slice of `outer` (by address, without unsafe code).
fn lies_within(inner: &[u8], outer: &[u8]) -> bool {
    let start = outer.as_ptr() as usize;
    let at = inner.as_ptr() as usize;
    inner.is_empty() || (at >= start && at + inner.len() <= start + outer.len())
}

/// RTP: a packet that parses has its parts inside the input, its extension elements inside
/// the block, and re-emits to the same bytes (padding bytes other than the count aside).
pub fn rtp_packet(data: &[u8]) {
    let packet = match RtpPacket::new_checked(data) {
        Ok(p) => p,
        Err(crate::RtpError::Truncated {
            needed, available, ..
        }) => {
            assert!(needed > available && available == data.len());
            return;
        }
        Err(_) => return,
    };
    let payload = packet.payload();
    assert!(lies_within(payload, data));
    assert_eq!(
        packet.header_len() + payload.len() + packet.padding_len(),
        data.len()
    );
    assert_eq!(packet.csrcs().len(), usize::from(packet.csrc_count()));
    if let Some(ext) = packet.extension() {
        assert!(lies_within(ext.data(), data));
        assert_eq!(ext.data().len() % 4, 0);
        let mut elements = 0usize;
        for element in ext.elements() {
            match element {
                Ok(e) => assert!(lies_within(e.data, ext.data())),
                Err(_) => break,
            }
            elements += 1;
            assert!(elements <= ext.data().len());
        }
    }
    let repr = RtpRepr::parse(&packet);
    let mut buf = [0u8; EMIT_BUF];
    if data.len() > buf.len() {
        return;
    }
    let len = repr.emit(&mut buf).expect("a parsed packet re-emits");
    assert_eq!(len, data.len());
    let padding_is_zero = packet
        .padding()
        .split_last()
        .is_none_or(|(_, pad)| pad.iter().all(|&b| b == 0));
    if padding_is_zero {
        assert_eq!(&buf[..len], data);
    }
    let again = RtpPacket::new_checked(&buf[..len]).expect("re-emitted packet parses");
    assert_eq!(RtpRepr::parse(&again), repr);
}

/// RTCP: framed packets lie back to back inside the input and cover all of it when every
/// packet is valid; each valid packet re-emits to an equal representation, and to the same
/// bytes when it is canonical (no padding, no reserved bits that are ignored on reading).
pub fn rtcp_compound(data: &[u8]) {
    let mut covered = 0;
    let mut all_ok = true;
    let mut count = 0;
    for packet in CompoundIter::new(data) {
        let packet = match packet {
            Ok(p) => p,
            Err(_) => {
                all_ok = false;
                continue;
            }
        };
        count += 1;
        let raw = packet.raw();
        assert_eq!(raw.offset(), covered);
        assert!(lies_within(raw.as_bytes(), data));
        assert_eq!(
            raw.as_bytes().as_ptr() as usize,
            data.as_ptr() as usize + covered
        );
        covered += raw.as_bytes().len();
        walk(&packet);
        check_reemit(&packet);
    }
    if all_ok {
        assert_eq!(covered, data.len());
        assert_eq!(CompoundIter::validate(data), Ok(count));
    } else {
        assert!(CompoundIter::validate(data).is_err());
    }
    // What a capture cut here kept whole: all of a valid compound; else nothing, or a
    // prefix of whole words that holds every packet framed before the first error and is
    // followed by what starts an RTCP packet (or by less than two bytes).
    let whole = CompoundIter::whole_packets(data);
    assert_eq!(whole.as_ptr(), data.as_ptr());
    assert!(whole.len() <= data.len() && whole.len() % 4 == 0);
    if !whole.is_empty() {
        assert!(covered <= whole.len());
        if let Some(&[first, kind]) = data.get(whole.len()..whole.len() + 2) {
            assert!(first >> 6 == 2 && (192..=223).contains(&kind));
        }
    }
    if all_ok {
        assert_eq!(whole.len(), data.len());
    }
}

/// Reads every field of a packet, checking that borrowed parts lie inside it.
fn walk(packet: &RtcpPacket<'_>) {
    let bytes = packet.raw().as_bytes();
    match packet {
        RtcpPacket::SenderReport(sr) => {
            assert_eq!(sr.report_blocks().count(), usize::from(sr.raw.count()));
            assert!(lies_within(sr.extension(), bytes));
        }
        RtcpPacket::ReceiverReport(rr) => {
            assert_eq!(rr.report_blocks().count(), usize::from(rr.raw.count()));
            assert!(lies_within(rr.extension(), bytes));
        }
        RtcpPacket::SourceDescription(sdes) => {
            assert_eq!(sdes.chunks().count(), usize::from(sdes.raw().count()));
            for item in sdes.chunks().flat_map(|c| c.items()) {
                assert!(item.kind != 0 && lies_within(item.value, bytes));
            }
        }
        RtcpPacket::Goodbye(bye) => {
            assert_eq!(bye.ssrcs().count(), usize::from(bye.raw().count()));
            assert!(bye.reason().is_none_or(|r| lies_within(r, bytes)));
        }
        RtcpPacket::App(app) => assert!(lies_within(app.data(), bytes)),
        RtcpPacket::TransportFeedback(fb) | RtcpPacket::PayloadFeedback(fb) => {
            assert!(lies_within(fb.fci(), bytes));
        }
        RtcpPacket::ExtendedReport(xr) => {
            let body = xr.raw().body().len();
            let blocks: usize = xr.blocks().map(|b| 4 + b.content().len()).sum();
            assert_eq!(4 + blocks, body);
            for block in xr.blocks() {
                assert!(lies_within(block.content(), bytes));
                let _ = block.voip_metrics();
            }
        }
        _ => {}
    }
}

fn check_reemit(packet: &RtcpPacket<'_>) {
    let Some(repr) = RtcpRepr::parse(packet) else {
        return;
    };
    let mut buf = [0u8; EMIT_BUF];
    let raw = packet.raw();
    let len = match repr.emit(&mut buf) {
        Ok(len) => len,
        Err(EmitError::BufferTooShort { .. }) => {
            assert!(repr.buffer_len() > buf.len());
            return;
        }
        // Padding that is not a whole number of words leaves a body the emitter (which
        // writes no padding) cannot frame.
        Err(EmitError::InvalidValue { .. }) => {
            assert!(raw.has_padding() && raw.body().len() % 4 != 0);
            return;
        }
        Err(e) => panic!("a parsed packet fails to re-emit: {e}"),
    };
    assert_eq!(len, repr.buffer_len());
    let (again, again_len) = RtcpPacket::parse(&buf[..len], 0).expect("re-emitted packet parses");
    assert_eq!(again_len, len);
    assert_eq!(RtcpRepr::parse(&again), Some(repr));
    let canonical = !raw.has_padding() && !matches!(packet, RtcpPacket::ExtendedReport(_));
    if canonical {
        assert_eq!(&buf[..len], raw.as_bytes());
    }
}

/// Demux: the classification agrees with what the RTP and RTCP parsers accept, then the
/// matching target runs.
pub fn demux(data: &[u8]) {
    let kind = classify(data);
    if let Some(Ok(_)) = CompoundIter::new(data).next() {
        assert_eq!(kind, PacketKind::Rtcp);
    }
    if RtpPacket::new_checked(data).is_ok() {
        assert!(matches!(kind, PacketKind::Rtp | PacketKind::Rtcp));
    }
    match kind {
        PacketKind::Rtp => rtp_packet(data),
        PacketKind::Rtcp => rtcp_compound(data),
        _ => assert!(RtpPacket::new_checked(data).is_err()),
    }
}
