//! Inputs that webrtc-rs `rtp` 0.17 (`rtp::packet::Packet` via `webrtc_util::Unmarshal`)
//! mishandles, next to what RFC 3550 / RFC 8285 require and this crate does.

use bytes::Bytes;
use rtp::packet::Packet as WebrtcPacket;
use rtpscope_wire::rtp::{ExtensionError, RtpError, RtpPacket};
use webrtc_util::Unmarshal;

fn webrtc(bytes: &[u8]) -> Result<WebrtcPacket, webrtc_util::Error> {
    WebrtcPacket::unmarshal(&mut Bytes::copy_from_slice(bytes))
}

/// seq 1, ts 160, SSRC 9, then `tail`.
fn packet(first: u8, tail: &[u8]) -> Vec<u8> {
    [&[first, 0, 0, 1, 0, 0, 0, 160, 0, 0, 0, 9][..], tail].concat()
}

#[test]
fn version_1_is_accepted_by_webrtc_rejected_here() {
    let bytes = packet(0x40, &[1, 2, 3]);
    let theirs = webrtc(&bytes).expect("webrtc-rs does not check the version");
    assert_eq!(theirs.header.version, 1);
    assert_eq!(
        RtpPacket::new_checked(&bytes[..]),
        Err(RtpError::BadVersion { version: 1 })
    );
}

#[test]
fn padding_count_0_is_accepted_by_webrtc_rejected_here() {
    // P bit set, last byte 0: RFC 3550 §5.1 counts the count byte itself, so 0 is impossible.
    let bytes = packet(0xa0, &[7, 7, 0]);
    let theirs = webrtc(&bytes).expect("webrtc-rs accepts a zero padding count");
    assert_eq!(&theirs.payload[..], &[7, 7, 0]);
    assert_eq!(
        RtpPacket::new_checked(&bytes[..]),
        Err(RtpError::BadPadding {
            count: 0,
            available: 3
        })
    );
}

#[test]
fn one_byte_id_15_makes_webrtc_read_the_rest_of_the_block_as_payload() {
    // Block of 2 words: ID 1 (1 byte), then ID 15 (reserved: stop, RFC 8285 §4.2), then
    // bytes that still belong to the extension block. Payload is [0x55].
    let bytes = packet(
        0x90,
        &[
            0xbe, 0xde, 0, 2, 0x10, 0xaa, 0xf0, 0x20, 0x11, 0, 0, 0, 0x55,
        ],
    );
    let theirs = webrtc(&bytes).unwrap();
    assert_eq!(theirs.header.extensions.len(), 1);
    // webrtc-rs stops reading elements but not the block: its payload starts inside the block.
    assert_eq!(&theirs.payload[..], &[0x20, 0x11, 0, 0, 0, 0x55]);

    let ours = RtpPacket::new_checked(&bytes[..]).unwrap();
    assert_eq!(ours.payload(), &[0x55]);
    let ids: Vec<u8> = ours
        .extension()
        .unwrap()
        .elements()
        .map(|e| e.unwrap().id)
        .collect();
    assert_eq!(ids, [1]);
}

#[test]
fn element_longer_than_its_block_eats_payload_in_webrtc() {
    // Block of 1 word: ID 1 (1 byte), then ID 2 declaring 4 bytes where 1 remains.
    let bytes = packet(
        0x90,
        &[
            0xbe, 0xde, 0, 1, 0x10, 0xaa, 0x23, 0x01, 0x55, 0x66, 0x77, 0x88,
        ],
    );
    let theirs = webrtc(&bytes).unwrap();
    let element = &theirs.header.extensions[1];
    assert_eq!(
        (element.id, &element.payload[..]),
        (2, &[0x01, 0x55, 0x66, 0x77][..])
    );
    assert_eq!(&theirs.payload[..], &[0x88]);

    let ours = RtpPacket::new_checked(&bytes[..]).unwrap();
    assert_eq!(ours.payload(), &[0x55, 0x66, 0x77, 0x88]);
    let mut elements = ours.extension().unwrap().elements();
    assert_eq!(elements.next().unwrap().unwrap().id, 1);
    assert_eq!(
        elements.next(),
        Some(Err(ExtensionError::ElementOverrun {
            id: 2,
            offset: 2,
            len: 4,
            available: 1
        }))
    );
}

#[test]
fn truncated_element_panics_webrtc_is_an_error_here() {
    // Block of 1 word, no payload: ID 1 declares 16 bytes, the packet ends 3 bytes later.
    let bytes = packet(0x90, &[0xbe, 0xde, 0, 1, 0x1f, 1, 2, 3]);
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let theirs = std::panic::catch_unwind(|| webrtc(&bytes));
    std::panic::set_hook(previous);
    assert!(
        theirs.is_err(),
        "webrtc-rs panics on an element that runs off the packet"
    );

    let ours = RtpPacket::new_checked(&bytes[..]).unwrap();
    assert_eq!(
        ours.extension().unwrap().elements().next(),
        Some(Err(ExtensionError::ElementOverrun {
            id: 1,
            offset: 0,
            len: 16,
            available: 3
        }))
    );
}
