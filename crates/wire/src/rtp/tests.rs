//! Hand-worked RTP vectors (RFC 3550 §5.1 layout, RFC 8285 §4 examples).

use super::*;
use std::vec::Vec;

fn header(first: u8, second: u8) -> Vec<u8> {
    let mut v = std::vec![first, second, 0x12, 0x34, 0, 0, 0x03, 0x20, 0xca, 0xfe, 0xba, 0xbe];
    v.truncate(12);
    v
}

#[test]
fn minimal_packet_fields() {
    let mut b = header(0x80, 0x80 | 8);
    b.extend_from_slice(&[1, 2, 3]);
    let p = RtpPacket::new_checked(&b[..]).unwrap();
    assert_eq!(p.version(), 2);
    assert!(p.marker());
    assert_eq!(p.payload_type(), 8);
    assert_eq!(p.sequence_number(), 0x1234);
    assert_eq!(p.timestamp(), 800);
    assert_eq!(p.ssrc(), 0xcafe_babe);
    assert_eq!(p.payload(), &[1, 2, 3]);
    assert_eq!(p.header_len(), 12);
    assert_eq!(p.csrcs().count(), 0);
    assert!(p.extension().is_none());
}

#[test]
fn rejects_short_and_bad_version() {
    assert_eq!(
        RtpPacket::new_checked(&[0x80u8; 11][..]),
        Err(RtpError::Truncated {
            part: RtpPart::FixedHeader,
            needed: 12,
            available: 11
        })
    );
    // webrtc-rs rtp 0.17 accepts version 1; RFC 3550 fixes V = 2.
    let b = header(0x40, 0);
    assert_eq!(
        RtpPacket::new_checked(&b[..]),
        Err(RtpError::BadVersion { version: 1 })
    );
}

#[test]
fn csrcs_and_overrun() {
    let mut b = header(0x82, 0);
    b.extend_from_slice(&[0, 0, 0, 1, 0, 0, 0, 2, 9]);
    let p = RtpPacket::new_checked(&b[..]).unwrap();
    assert_eq!(p.csrcs().collect::<Vec<_>>(), [1, 2]);
    assert_eq!(p.payload(), &[9]);
    let mut short = header(0x83, 0);
    short.extend_from_slice(&[0; 8]);
    assert_eq!(
        RtpPacket::new_checked(&short[..]),
        Err(RtpError::Truncated {
            part: RtpPart::Csrcs,
            needed: 24,
            available: 20
        })
    );
}

#[test]
fn padding_rules() {
    let mut b = header(0xa0, 0);
    b.extend_from_slice(&[7, 7, 0, 0, 3]);
    let p = RtpPacket::new_checked(&b[..]).unwrap();
    assert_eq!(p.payload(), &[7, 7]);
    assert_eq!(p.padding_len(), 3);
    // A zero padding count is invalid (webrtc-rs accepts it).
    let mut zero = header(0xa0, 0);
    zero.extend_from_slice(&[7, 0]);
    assert_eq!(
        RtpPacket::new_checked(&zero[..]),
        Err(RtpError::BadPadding {
            count: 0,
            available: 2
        })
    );
    let mut over = header(0xa0, 0);
    over.extend_from_slice(&[7, 3]);
    assert_eq!(
        RtpPacket::new_checked(&over[..]),
        Err(RtpError::BadPadding {
            count: 3,
            available: 2
        })
    );
    // The padding may take the whole payload.
    let mut all = header(0xa0, 0);
    all.extend_from_slice(&[0, 2]);
    assert_eq!(
        RtpPacket::new_checked(&all[..]).unwrap().payload(),
        &[] as &[u8]
    );
}

#[test]
fn one_byte_extension_rfc8285() {
    // RFC 8285 §4.2 example shape: ID 1 L=0 (1 byte), ID 2 L=1 (2 bytes), padding, ID 3 L=3.
    let mut b = header(0x90, 0);
    b.extend_from_slice(&[0xbe, 0xde, 0, 3]);
    b.extend_from_slice(&[0x10, 0xaa, 0x21, 0xbb, 0xbb, 0x00, 0x00, 0x33, 1, 2, 3, 4]);
    b.extend_from_slice(&[0x55]);
    let p = RtpPacket::new_checked(&b[..]).unwrap();
    let ext = p.extension().unwrap();
    assert_eq!(ext.profile(), 0xbede);
    let els: Vec<_> = ext
        .elements()
        .map(Result::unwrap)
        .map(|e| (e.id, e.data.len()))
        .collect();
    assert_eq!(els, [(1, 1), (2, 2), (3, 4)]);
    assert_eq!(p.payload(), &[0x55]);
}

#[test]
fn one_byte_id_15_stops_parsing() {
    // webrtc-rs parses on past ID 15; RFC 8285 §4.2 says stop.
    let ext = Extension::new(0xbede, &[0x10, 0xaa, 0xf0, 0x20, 0x11, 0, 0, 0]);
    let els: Vec<_> = ext.elements().map(Result::unwrap).map(|e| e.id).collect();
    assert_eq!(els, [1]);
}

#[test]
fn element_overrun_is_an_error() {
    // ID 2 declares 4 bytes, 2 remain: an error, not a read into the payload.
    let ext = Extension::new(0xbede, &[0x10, 0xaa, 0x23, 1]);
    let mut it = ext.elements();
    assert_eq!(it.next().unwrap().unwrap().id, 1);
    assert_eq!(
        it.next(),
        Some(Err(ExtensionError::ElementOverrun {
            id: 2,
            offset: 2,
            len: 4,
            available: 1
        }))
    );
    assert_eq!(it.next(), None);
}

#[test]
fn two_byte_extension() {
    let ext = Extension::new(0x1003, &[0, 7, 0, 9, 2, 1, 2, 0]);
    assert_eq!(ext.layout(), ext::ExtensionLayout::TwoByte { appbits: 3 });
    let els: Vec<_> = ext
        .elements()
        .map(Result::unwrap)
        .map(|e| (e.id, e.data))
        .collect();
    assert_eq!(els, [(7, &[][..]), (9, &[1, 2][..])]);
    let cut = Extension::new(0x1000, &[0, 0, 0, 5]);
    assert_eq!(
        cut.elements().next(),
        Some(Err(ExtensionError::HeaderTruncated { offset: 3 }))
    );
}

#[test]
fn extension_truncation() {
    let mut b = header(0x90, 0);
    b.extend_from_slice(&[0xbe, 0xde, 0, 2, 0, 0, 0, 0]);
    assert_eq!(
        RtpPacket::new_checked(&b[..]),
        Err(RtpError::Truncated {
            part: RtpPart::ExtensionBody,
            needed: 24,
            available: 20
        })
    );
    let b = header(0x90, 0);
    assert_eq!(
        RtpPacket::new_checked(&b[..]),
        Err(RtpError::Truncated {
            part: RtpPart::ExtensionHeader,
            needed: 16,
            available: 12
        })
    );
}

#[test]
fn repr_round_trip_with_everything() {
    let ext_data = [0x10, 0xaa, 0x22, 1, 2, 3, 0, 0];
    let repr = RtpRepr {
        marker: true,
        payload_type: 111,
        sequence_number: 65535,
        timestamp: u32::MAX,
        ssrc: 42,
        csrcs: CsrcList::from_slice(&[5, 6]).unwrap(),
        extension: Some(Extension::new(0xbede, &ext_data)),
        payload: &[9; 20],
        padding: 4,
    };
    let mut buf = [0u8; 128];
    let n = repr.emit(&mut buf).unwrap();
    assert_eq!(n, repr.buffer_len());
    let p = RtpPacket::new_checked(&buf[..n]).unwrap();
    assert_eq!(RtpRepr::parse(&p), repr);
    assert_eq!(
        repr.emit(&mut buf[..10]),
        Err(crate::EmitError::BufferTooShort {
            needed: n,
            available: 10
        })
    );
}
