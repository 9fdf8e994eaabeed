//! Decapsulation edge cases, and random input never panics (proptest + fuzz seeds).

use etherparse::{
    IpFragOffset, IpNumber, Ipv4Header, Ipv4Options, Ipv6FragmentHeader, Ipv6Header,
    Ipv6RawExtHeader, UdpHeader,
};
use proptest::prelude::*;
use rtpscope_capture::decap::linktype;
use rtpscope_capture::{decode_udp, encapsulate_udp, fuzzing, Skip};
use rtpscope_wire::Flow;

fn flow4() -> Flow {
    Flow::new(
        "192.0.2.1:4000".parse().unwrap(),
        "192.0.2.2:5004".parse().unwrap(),
    )
}

fn udp(payload: &[u8]) -> Vec<u8> {
    let mut v = UdpHeader {
        source_port: 4000,
        destination_port: 5004,
        length: 8 + payload.len() as u16,
        checksum: 0,
    }
    .to_bytes()
    .to_vec();
    v.extend_from_slice(payload);
    v
}

#[test]
fn vlan_and_qinq() {
    for tags in [&[][..], &[10], &[10, 20]] {
        let mut f = Vec::new();
        encapsulate_udp(linktype::ETHERNET, tags, flow4(), b"xy", &mut f).unwrap();
        assert_eq!(decode_udp(linktype::ETHERNET, &f).unwrap().payload, b"xy");
    }
}

#[test]
fn ipv4_options_and_fragments() {
    let body = udp(b"rtp!");
    let mut h = Ipv4Header::new(
        body.len() as u16,
        64,
        IpNumber::UDP,
        [192, 0, 2, 1],
        [192, 0, 2, 2],
    )
    .unwrap();
    h.options = Ipv4Options::try_from(&[1u8, 1, 1, 0][..]).unwrap(); // NOP NOP NOP EOL
    h.total_len = (h.header_len() + body.len()) as u16;
    let mut pkt = h.to_bytes().to_vec();
    pkt.extend_from_slice(&body);
    assert_eq!(decode_udp(linktype::RAW, &pkt).unwrap().payload, b"rtp!");
    // First fragment (MF set) and a later one: counted, never parsed as UDP.
    let mut first = h.clone();
    first.more_fragments = true;
    let mut f = first.to_bytes().to_vec();
    f.extend_from_slice(&body);
    assert_eq!(decode_udp(linktype::RAW, &f).unwrap_err(), Skip::Fragment);
    let mut later = h.clone();
    later.fragment_offset = IpFragOffset::try_new(100).unwrap();
    let mut f = later.to_bytes().to_vec();
    f.extend_from_slice(&body);
    assert_eq!(decode_udp(linktype::RAW, &f).unwrap_err(), Skip::Fragment);
    // Cut by the snap length inside the UDP payload: yielded for its headers, marked as cut,
    // with the length the UDP header gives; cut inside the UDP header: skipped.
    let cut = decode_udp(linktype::RAW, &pkt[..pkt.len() - 1]).unwrap();
    assert_eq!(
        (cut.payload, cut.length, cut.is_cut()),
        (&b"rtp"[..], 4, true)
    );
    assert_eq!(
        decode_udp(linktype::RAW, &pkt[..pkt.len() - 5]).unwrap_err(),
        Skip::Truncated
    );
    // Cut inside the IP header.
    assert_eq!(
        decode_udp(linktype::RAW, &pkt[..10]).unwrap_err(),
        Skip::Truncated
    );
}

#[test]
fn ipv6_extension_headers_and_fragments() {
    let body = udp(b"v6");
    // Hop-by-hop options (8 bytes of padding) then UDP.
    let hop = Ipv6RawExtHeader::new_raw(IpNumber::UDP, &[1, 4, 0, 0, 0, 0]).unwrap();
    let h = Ipv6Header {
        payload_length: (hop.header_len() + body.len()) as u16,
        next_header: IpNumber::IPV6_HEADER_HOP_BY_HOP,
        hop_limit: 64,
        source: [0x20, 1, 0xd, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1],
        destination: [0x20, 1, 0xd, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2],
        ..Default::default()
    };
    let mut pkt = h.to_bytes().to_vec();
    pkt.extend_from_slice(&hop.to_bytes());
    pkt.extend_from_slice(&body);
    let d = decode_udp(linktype::IPV6, &pkt).unwrap();
    assert_eq!((d.payload, d.flow.dst_port()), (&b"v6"[..], 5004));
    // A fragment header with more fragments.
    let frag = Ipv6FragmentHeader::new(IpNumber::UDP, IpFragOffset::ZERO, true, 7);
    let h2 = Ipv6Header {
        next_header: IpNumber::IPV6_FRAGMENTATION_HEADER,
        payload_length: (8 + body.len()) as u16,
        ..h.clone()
    };
    let mut f = h2.to_bytes().to_vec();
    f.extend_from_slice(&frag.to_bytes());
    f.extend_from_slice(&body);
    assert_eq!(decode_udp(linktype::RAW, &f).unwrap_err(), Skip::Fragment);
}

#[test]
fn skip_reasons() {
    let arp = [
        [0xff; 6].as_slice(),
        &[2, 0, 0, 0, 0, 1],
        &[0x08, 0x06],
        &[0; 28],
    ]
    .concat();
    assert_eq!(
        decode_udp(linktype::ETHERNET, &arp).unwrap_err(),
        Skip::NotIp
    );
    assert_eq!(
        decode_udp(linktype::ETHERNET, &arp[..5]).unwrap_err(),
        Skip::Truncated
    );
    assert_eq!(
        decode_udp(147, &arp).unwrap_err(),
        Skip::UnsupportedLinktype
    );
    let h = Ipv4Header::new(20, 64, IpNumber::TCP, [1, 1, 1, 1], [2, 2, 2, 2]).unwrap();
    let mut tcp = h.to_bytes().to_vec();
    tcp.extend_from_slice(&[0; 20]);
    assert_eq!(decode_udp(linktype::RAW, &tcp).unwrap_err(), Skip::NotUdp);
    assert_eq!(decode_udp(linktype::IPV6, &tcp).unwrap_err(), Skip::NotIp);
    let mut bad_udp = Ipv4Header::new(8, 64, IpNumber::UDP, [1, 1, 1, 1], [2, 2, 2, 2])
        .unwrap()
        .to_bytes()
        .to_vec();
    bad_udp.extend_from_slice(&[0, 1, 0, 2, 0, 3, 0, 0]); // UDP length 3
    assert_eq!(
        decode_udp(linktype::RAW, &bad_udp).unwrap_err(),
        Skip::Malformed
    );
}

#[test]
fn fuzz_target_bodies_over_seeds() {
    let mut w = rtpscope_capture::PcapWriter::new(Vec::new(), linktype::ETHERNET).unwrap();
    let cfg = rtpscope_capture::synth::SynthConfig {
        duration: std::time::Duration::from_millis(200),
        rtcp: true,
        ..Default::default()
    };
    rtpscope_capture::synth::generate(&cfg, &mut w).unwrap();
    let good = w.into_inner().unwrap();
    let mut seeds: Vec<Vec<u8>> = vec![
        vec![],
        good.clone(),
        good[..good.len() / 2].to_vec(),
        b"\x0a\x0d\x0d\x0a\x1c\0\0\0\x4d\x3c\x2b\x1a".to_vec(),
    ];
    for i in (0..good.len()).step_by(97) {
        let mut m = good.clone();
        m[i] ^= 0xff;
        seeds.push(m);
    }
    for s in &seeds {
        fuzzing::capture_file(s);
        fuzzing::capture_frame(s);
        if let Some(rest) = s.get(40..) {
            fuzzing::capture_frame(rest);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn random_frames_never_panic(lt in 0u32..300, data in proptest::collection::vec(any::<u8>(), 0..200)) {
        let _ = decode_udp(lt, &data);
    }

    #[test]
    fn random_files_never_panic(magic in 0usize..4, data in proptest::collection::vec(any::<u8>(), 0..2000)) {
        let prefixes: [&[u8]; 4] = [b"", b"\xd4\xc3\xb2\xa1\x02\0\x04\0\0\0\0\0\0\0\0\0\xff\xff\0\0\x01\0\0\0",
            b"\xa1\xb2\x3c\x4d\0\x02\0\x04\0\0\0\0\0\0\0\0\0\0\xff\xff\0\0\0\x71",
            b"\x0a\x0d\x0d\x0a\x1c\0\0\0\x4d\x3c\x2b\x1a\x01\0\0\0\xff\xff\xff\xff\xff\xff\xff\xff\x1c\0\0\0"];
        let mut input = prefixes[magic].to_vec();
        input.extend_from_slice(&data);
        fuzzing::capture_file(&input);
    }
}

/// The committed fuzz corpora (seeds and any crash found) replay through the target bodies.
#[test]
fn fuzz_corpora_replay() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/corpus");
    for (target, body) in [
        ("capture_file", fuzzing::capture_file as fn(&[u8])),
        ("capture_frame", fuzzing::capture_frame),
    ] {
        let mut n = 0;
        for entry in std::fs::read_dir(root.join(target)).expect("corpus dir") {
            body(&std::fs::read(entry.expect("entry").path()).expect("read"));
            n += 1;
        }
        assert!(n >= 10, "{target}: only {n} corpus files");
    }
}
