//! RTP that crossed a tunnel, in the project's real captures (tests/data): the reader yields
//! the inner datagrams, with the inner 5-tuple, and counts them as tunneled.

use std::path::Path;

use rtpscope_capture::CaptureReader;

/// Every frame's flow and payload length, and the reader's counters, for a capture of
/// tests/data.
fn read(name: &str) -> (Vec<(String, usize)>, rtpscope_capture::DropCounters) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/data")
        .join(name);
    let bytes = std::fs::read(&path).expect("capture");
    let mut r = CaptureReader::new(&bytes[..]).expect("pcap");
    let mut frames = Vec::new();
    while let Some(f) = r.next_frame().expect("frame") {
        frames.push((f.flow.to_string(), f.payload.len()));
    }
    (frames, r.counters().clone())
}

#[test]
fn gtp_u_yields_the_user_plane_datagrams() {
    let (frames, c) = read("opus-gtpu.pcap");
    assert_eq!((c.frames, c.udp, c.tunneled), (295, 295, 295));
    assert!(
        frames
            .iter()
            .all(|(f, _)| f == "203.0.113.1:49000 -> 203.0.113.2:49002"),
        "{:?}",
        frames[0]
    );
}

#[test]
fn erspan_mirrors_both_directions() {
    let (frames, c) = read("g722-erspan.pcap");
    assert_eq!((c.frames, c.udp, c.tunneled), (499, 499, 499));
    let forward = frames
        .iter()
        .filter(|(f, _)| f == "203.0.113.1:50000 -> 203.0.113.2:50002")
        .count();
    let back = frames
        .iter()
        .filter(|(f, _)| f == "203.0.113.2:50002 -> 203.0.113.1:50000")
        .count();
    assert_eq!((forward, back), (249, 250));
    // G.722 20 ms: 160 bytes of payload and the 12-byte RTP header.
    assert!(frames.iter().all(|&(_, len)| len == 172));
}

#[test]
fn vxlan_overlay_traffic_is_read_through_the_underlay() {
    let (frames, c) = read("pcma-vxlan.pcap");
    // Two frames in the overlay were ICMPv6 (the overlay ends' neighbour solicitations).
    assert_eq!((c.frames, c.udp, c.tunneled, c.not_udp), (299, 297, 297, 2));
    assert!(frames
        .iter()
        .all(|(f, _)| f == "198.51.100.1:48000 -> 198.51.100.2:48002"));
}
