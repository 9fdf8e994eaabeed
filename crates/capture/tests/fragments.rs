//! RTP carried in IPv4 fragments (wideband L16, video): the reader puts each datagram back
//! together, and every fragment that ends up in no datagram is counted.

use rtpscope_capture::decap::linktype;
use rtpscope_capture::{CaptureReader, PcapWriter};
use rtpscope_wire::rtp::RtpRepr;
use rtpscope_wire::Timestamp;

/// An Ethernet frame carrying one IPv4 fragment of `udp` (the UDP header and payload).
fn fragment(id: u16, udp: &[u8], offset: usize, len: usize) -> Vec<u8> {
    let more = offset + len < udp.len();
    let flags = u16::from(more) << 13 | (offset / 8) as u16;
    let mut frame = vec![2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, 0x08, 0x00];
    frame.extend_from_slice(&[0x45, 0]);
    frame.extend_from_slice(&((20 + len) as u16).to_be_bytes());
    frame.extend_from_slice(&id.to_be_bytes());
    frame.extend_from_slice(&flags.to_be_bytes());
    frame.extend_from_slice(&[64, 17, 0, 0, 192, 0, 2, 1, 192, 0, 2, 2]);
    frame.extend_from_slice(&udp[offset..offset + len]);
    frame
}

/// RTP with a 3000-byte payload (L16 stereo 44.1 kHz, 17 ms) as UDP 5000 -> 5002.
fn udp_datagram(seq: u16) -> Vec<u8> {
    let payload = vec![seq as u8; 3000];
    let rtp = RtpRepr {
        sequence_number: seq,
        timestamp: 750 * u32::from(seq),
        ssrc: 0x1616,
        payload_type: 10,
        payload: &payload,
        ..RtpRepr::default()
    };
    let mut buf = vec![0u8; 3100];
    let n = rtp.emit(&mut buf).expect("emit");
    udp(5000, 5002, &buf[..n])
}

/// A UDP header and `payload` (no checksum).
fn udp(src: u16, dst: u16, payload: &[u8]) -> Vec<u8> {
    let mut udp = [src.to_be_bytes(), dst.to_be_bytes()].concat();
    udp.extend_from_slice(&((8 + payload.len()) as u16).to_be_bytes());
    udp.extend_from_slice(&[0, 0]);
    udp.extend_from_slice(payload);
    udp
}

/// The sequence numbers of the RTP packets a capture yields (each checked to come whole
/// from 5000 to 5002), and the reader's counters.
fn read_sequences(capture: &[u8]) -> (Vec<u16>, rtpscope_capture::DropCounters) {
    let mut reader = CaptureReader::new(capture).expect("reader");
    let mut seqs = Vec::new();
    while let Some(f) = reader.next_frame().expect("frame") {
        assert_eq!((f.flow.src_port(), f.flow.dst_port()), (5000, 5002));
        let rtp = rtpscope_wire::rtp::RtpPacket::new_checked(f.payload).expect("rtp");
        assert!(rtp
            .payload()
            .iter()
            .all(|&b| b == rtp.sequence_number() as u8));
        seqs.push(rtp.sequence_number());
    }
    (seqs, reader.counters().clone())
}

#[test]
fn fragmented_rtp_is_reassembled_and_lost_pieces_are_counted() {
    let mut w = PcapWriter::new(Vec::new(), linktype::ETHERNET).expect("writer");
    for seq in 0..20u16 {
        let udp = udp_datagram(seq);
        let mut pieces: Vec<Vec<u8>> = (0..udp.len())
            .step_by(1480)
            .map(|at| fragment(seq, &udp, at, 1480.min(udp.len() - at)))
            .collect();
        assert_eq!(pieces.len(), 3);
        if seq % 2 == 1 {
            // Out of order, as a multipath network delivers them.
            pieces.reverse();
        }
        if seq == 7 {
            // A piece lost on the way: the datagram never completes.
            pieces.remove(1);
        }
        for p in pieces {
            let ts = Timestamp::from_nanos(1_000_000_000 + u64::from(seq) * 17_000_000);
            w.write_frame(ts, &p).expect("frame");
        }
    }
    let (seqs, c) = read_sequences(&w.into_inner().expect("bytes"));
    let want: Vec<u16> = (0..20).filter(|&s| s != 7).collect();
    assert_eq!(seqs, want);
    assert_eq!((c.frames, c.udp, c.reassembled), (59, 19, 19));
    // Two pieces of each datagram are skipped; the two of the incomplete one are lost.
    assert_eq!((c.fragments, c.fragments_discarded), (40, 2));
    assert_eq!(c.frames, c.udp + c.sip_tcp + c.skipped());
}

/// A real capture (tests/data/l16-ipv6frag.pcap): the sending kernel cut each 3528-byte
/// datagram into three IPv6 fragments; the reader yields the 100 datagrams whole.
#[test]
fn ipv6_fragments_from_a_real_sender_are_reassembled() {
    let path =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/data/l16-ipv6frag.pcap");
    let bytes = std::fs::read(path).expect("capture");
    let mut r = CaptureReader::new(&bytes[..]).expect("pcap");
    let mut lengths = Vec::new();
    while let Some(f) = r.next_frame().expect("frame") {
        assert_eq!(
            f.flow.to_string(),
            "[2001:db8:77::1]:51000 -> [2001:db8:77::2]:51002"
        );
        lengths.push(f.payload.len());
    }
    let c = r.counters();
    assert_eq!(
        (c.udp, c.reassembled, c.fragments, c.fragments_discarded),
        (100, 100, 200, 0)
    );
    // 40 ms of 16-bit mono at 44.1 kHz, after the 12-byte RTP header.
    assert!(lengths.iter().all(|&n| n == 12 + 3528), "{lengths:?}");
}

/// `ip` in an Ethernet frame inside IPv4 with `protocol`, the outer packet whole.
fn in_outer_ipv4(protocol: u8, inner: &[u8]) -> Vec<u8> {
    let mut frame = vec![2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, 0x08, 0x00, 0x45, 0];
    frame.extend_from_slice(&((20 + inner.len()) as u16).to_be_bytes());
    frame.extend_from_slice(&[0, 9, 0, 0, 64, protocol, 0, 0, 10, 200, 0, 1, 10, 200, 0, 2]);
    frame.extend_from_slice(inner);
    frame
}

/// Fragments cut inside a tunnel (a gateway fragmented the user's packet, then tunnelled
/// each piece whole): the reader finds them in the tunnel and puts them together there.
#[test]
fn fragments_inside_tunnels_are_reassembled() {
    let mut w = PcapWriter::new(Vec::new(), linktype::ETHERNET).expect("writer");
    for seq in 0..4u16 {
        let datagram = udp_datagram(seq);
        for at in (0..datagram.len()).step_by(1480) {
            // The inner IP packet: `fragment` builds it in Ethernet, without the 14 bytes.
            let inner = fragment(seq, &datagram, at, 1480.min(datagram.len() - at))[14..].to_vec();
            let frame = if seq % 2 == 0 {
                in_outer_ipv4(4, &inner) // IP in IP
            } else {
                // GTP-U (G-PDU, no optional fields) in UDP 2152.
                let mut gtp = vec![0x30, 0xff];
                gtp.extend_from_slice(&(inner.len() as u16).to_be_bytes());
                gtp.extend_from_slice(&[0, 0, 0, 7]);
                gtp.extend_from_slice(&inner);
                in_outer_ipv4(17, &udp(2152, 2152, &gtp))
            };
            let ts = Timestamp::from_nanos(1_000_000_000 + u64::from(seq) * 17_000_000);
            w.write_frame(ts, &frame).expect("frame");
        }
    }
    let (seqs, c) = read_sequences(&w.into_inner().expect("bytes"));
    assert_eq!(seqs, [0, 1, 2, 3]);
    assert_eq!((c.udp, c.reassembled, c.tunneled), (4, 4, 4));
    assert_eq!((c.fragments, c.fragments_discarded), (8, 0));
}
