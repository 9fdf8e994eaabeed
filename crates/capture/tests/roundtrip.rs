//! Captures written by our writer (pcap: every link type, byte order and resolution) and a
//! hand-built pcapng (SHB/IDB/EPB/SPB/OPB, two interfaces, different link types and
//! if_tsresol) read back to the same datagrams.

use rtpscope_capture::decap::linktype;
use rtpscope_capture::{synth, CaptureReader, PcapWriter, PcapWriterOptions, TsResolution};
use rtpscope_wire::{Flow, Timestamp};

const LINKTYPES: [u32; 10] = [
    linktype::ETHERNET,
    linktype::LINUX_SLL,
    linktype::LINUX_SLL2,
    linktype::RAW,
    linktype::DLT_RAW_12,
    linktype::DLT_RAW_14,
    linktype::NULL,
    linktype::LOOP,
    linktype::IPV4,
    linktype::IPV6,
];

fn flows(v6: bool) -> Vec<Flow> {
    let (a, b) = if v6 {
        ("[2001:db8::1]", "[2001:db8::2]")
    } else {
        ("192.0.2.1", "192.0.2.2")
    };
    (0..3u16)
        .map(|i| {
            Flow::new(
                format!("{a}:{}", 4000 + i).parse().unwrap(),
                format!("{b}:5004").parse().unwrap(),
            )
        })
        .collect()
}

#[test]
fn every_linktype_byte_order_and_resolution_round_trips() {
    let mut combos = 0;
    for lt in LINKTYPES {
        for v6 in [false, true] {
            if (lt == linktype::IPV4 && v6) || (lt == linktype::IPV6 && !v6) {
                continue;
            }
            for big_endian in [false, true] {
                for resolution in [TsResolution::Micro, TsResolution::Nano] {
                    let vlans: &[&[u16]] = if lt == linktype::ETHERNET {
                        &[&[], &[100], &[100, 200]]
                    } else {
                        &[&[]]
                    };
                    for vlan in vlans {
                        let opts = PcapWriterOptions {
                            linktype: lt,
                            resolution,
                            big_endian,
                            vlan: vlan.to_vec(),
                            ..Default::default()
                        };
                        let mut w = PcapWriter::with_options(Vec::new(), opts).unwrap();
                        let mut sent = Vec::new();
                        for (i, flow) in flows(v6).into_iter().enumerate() {
                            let ts = Timestamp::from_nanos(
                                1_700_000_000_123_456_789 + i as u64 * 20_000_000,
                            );
                            let payload = vec![0x80, 0, 0, i as u8, 1, 2, 3, 4, 5, 6, 7, 8, 9];
                            w.write_udp(ts, flow, &payload).unwrap();
                            sent.push((ts, flow, payload));
                        }
                        let bytes = w.into_inner().unwrap();
                        let mut r = CaptureReader::new(&bytes[..]).unwrap();
                        assert_eq!(r.linktype(), Some(lt));
                        for (ts, flow, payload) in &sent {
                            let f = r.next_frame().unwrap().expect("frame");
                            let want = match resolution {
                                TsResolution::Micro => ts.as_nanos() / 1000 * 1000,
                                TsResolution::Nano => ts.as_nanos(),
                            };
                            assert_eq!(
                                (f.ts.as_nanos(), f.flow, f.payload),
                                (want, *flow, &payload[..]),
                                "lt {lt} v6 {v6}"
                            );
                        }
                        assert!(r.next_frame().unwrap().is_none());
                        assert_eq!(r.bytes_read(), bytes.len() as u64);
                        combos += 1;
                    }
                }
            }
        }
    }
    eprintln!(
        "{combos} link type / family / byte order / resolution / VLAN combinations round-tripped"
    );
}

#[test]
fn synthetic_capture_reads_back_every_packet() {
    let cfg = synth::SynthConfig {
        calls: 3,
        rtcp: true,
        ipv6: true,
        duration: std::time::Duration::from_secs(6),
        ..Default::default()
    };
    let mut w = PcapWriter::new(Vec::new(), linktype::LINUX_SLL2).unwrap();
    let truth = synth::generate(&cfg, &mut w).unwrap();
    let frames = w.frames();
    let bytes = w.into_inner().unwrap();
    let mut r = CaptureReader::new(&bytes[..]).unwrap();
    let mut n = 0;
    while r.next_frame().unwrap().is_some() {
        n += 1;
    }
    let rtcp: u64 = truth.iter().map(|t| t.rtcp_packets).sum();
    assert!(rtcp > 0);
    assert_eq!(n, frames);
    assert_eq!(n, truth.iter().map(|t| t.received).sum::<u64>() + rtcp);
}

// --- pcapng, built by hand -------------------------------------------------------------

struct Ng {
    out: Vec<u8>,
    be: bool,
}

impl Ng {
    fn u16(&self, v: u16) -> [u8; 2] {
        if self.be {
            v.to_be_bytes()
        } else {
            v.to_le_bytes()
        }
    }
    fn u32(&self, v: u32) -> [u8; 4] {
        if self.be {
            v.to_be_bytes()
        } else {
            v.to_le_bytes()
        }
    }
    fn block(&mut self, kind: u32, body: &[u8]) {
        let mut body = body.to_vec();
        while body.len() % 4 != 0 {
            body.push(0);
        }
        let len = 12 + body.len() as u32;
        let (k, l) = (self.u32(kind), self.u32(len));
        self.out.extend_from_slice(&k);
        self.out.extend_from_slice(&l);
        self.out.extend_from_slice(&body);
        self.out.extend_from_slice(&l);
    }
    fn shb(&mut self) {
        let mut b = self.u32(0x1A2B_3C4D).to_vec();
        b.extend_from_slice(&self.u16(1));
        b.extend_from_slice(&self.u16(0));
        b.extend_from_slice(&[0xff; 8]);
        self.block(0x0A0D_0D0A, &b);
    }
    fn idb(&mut self, linktype: u16, tsresol: Option<u8>) {
        let mut b = self.u16(linktype).to_vec();
        b.extend_from_slice(&self.u16(0));
        b.extend_from_slice(&self.u32(65535));
        if let Some(r) = tsresol {
            b.extend_from_slice(&self.u16(9));
            b.extend_from_slice(&self.u16(1));
            b.extend_from_slice(&[r, 0, 0, 0]);
            b.extend_from_slice(&[0, 0, 0, 0]); // opt_endofopt
        }
        self.block(1, &b);
    }
    fn epb(&mut self, if_id: u32, units: u64, data: &[u8]) {
        let mut b = Vec::new();
        for v in [
            if_id,
            (units >> 32) as u32,
            units as u32,
            data.len() as u32,
            data.len() as u32,
        ] {
            b.extend_from_slice(&self.u32(v));
        }
        b.extend_from_slice(data);
        self.block(6, &b);
    }
    fn opb(&mut self, if_id: u16, units: u64, data: &[u8]) {
        let mut b = self.u16(if_id).to_vec();
        b.extend_from_slice(&self.u16(0));
        for v in [
            (units >> 32) as u32,
            units as u32,
            data.len() as u32,
            data.len() as u32,
        ] {
            b.extend_from_slice(&self.u32(v));
        }
        b.extend_from_slice(data);
        self.block(2, &b);
    }
    fn spb(&mut self, data: &[u8]) {
        let mut b = self.u32(data.len() as u32).to_vec();
        b.extend_from_slice(data);
        self.block(3, &b);
    }
}

fn frame(lt: u32, flow: Flow, payload: &[u8]) -> Vec<u8> {
    let mut v = Vec::new();
    rtpscope_capture::encapsulate_udp(lt, &[], flow, payload, &mut v).unwrap();
    v
}

#[test]
fn pcapng_interfaces_linktypes_and_resolutions() {
    for be in [false, true] {
        let f4 = flows(false)[0];
        let f6 = flows(true)[1];
        let mut ng = Ng {
            out: Vec::new(),
            be,
        };
        ng.shb();
        ng.idb(linktype::ETHERNET as u16, None); // if 0: microseconds
        ng.idb(linktype::LINUX_SLL2 as u16, Some(9)); // if 1: nanoseconds
        ng.idb(linktype::RAW as u16, Some(0x80 | 20)); // if 2: 2^-20 s
        ng.block(4, &[0, 0, 0, 0]); // a name resolution block, skipped
        ng.epb(
            0,
            1_700_000_000_000_001,
            &frame(linktype::ETHERNET, f4, b"a"),
        );
        ng.epb(
            1,
            1_700_000_000_000_000_002,
            &frame(linktype::LINUX_SLL2, f6, b"b"),
        );
        ng.epb(2, 3 << 20 | 1 << 19, &frame(linktype::RAW, f4, b"c"));
        ng.opb(1, 5_000_000_007, &frame(linktype::LINUX_SLL2, f6, b"d"));
        ng.spb(&frame(linktype::ETHERNET, f4, b"e"));
        ng.epb(7, 0, b"no such interface");
        // A second section resets the interfaces.
        ng.shb();
        ng.idb(linktype::NULL as u16, Some(3));
        ng.epb(0, 42, &frame(linktype::NULL, f4, b"f"));
        let mut r = CaptureReader::new(&ng.out[..]).unwrap();
        let mut got = Vec::new();
        while let Some(f) = r.next_frame().unwrap() {
            got.push((f.ts.as_nanos(), f.flow, f.payload.to_vec(), f.index));
        }
        let want = vec![
            (1_700_000_000_000_001_000, f4, b"a".to_vec(), 1),
            (1_700_000_000_000_000_002, f6, b"b".to_vec(), 2),
            (3_500_000_000, f4, b"c".to_vec(), 3),
            (5_000_000_007, f6, b"d".to_vec(), 4),
            (0, f4, b"e".to_vec(), 5),
            (42_000_000, f4, b"f".to_vec(), 7),
        ];
        assert_eq!(got, want, "big endian {be}");
        assert_eq!(r.counters().malformed, 1);
        assert_eq!(r.counters().frames, 7);
    }
}
