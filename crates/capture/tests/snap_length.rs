//! A capture made with a short snap length (tests/data/pcma-snaplen60.pcap: tcpdump -s 60):
//! every frame is cut inside the RTP payload, and the reader yields each datagram for its
//! headers, with the length the UDP header gives, and counts it as cut short.

use std::path::Path;

use rtpscope_capture::CaptureReader;

#[test]
fn frames_cut_inside_the_payload_are_yielded_for_their_headers() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/data/pcma-snaplen60.pcap");
    let bytes = std::fs::read(path).expect("capture");
    let mut r = CaptureReader::new(&bytes[..]).expect("pcap");
    let mut lengths = Vec::new();
    while let Some(f) = r.next_frame().expect("frame") {
        assert!(f.is_cut());
        lengths.push((f.payload.len(), f.length));
    }
    // 58 bytes kept (Linux gives a 60-byte snap length two fewer): Ethernet 14 + IPv4 20 +
    // UDP 8, then 16 of the 172-byte RTP packet, 4 into its payload.
    assert_eq!(lengths.len(), 394);
    assert!(lengths.iter().all(|&l| l == (16, 172)), "{lengths:?}");
    let c = r.counters();
    assert_eq!(
        (c.frames, c.udp, c.cut_short, c.truncated),
        (394, 394, 394, 0)
    );
}
