//! Detector false-positive / false-negative rates over mixed traffic: impaired RTP from the
//! generator plus DNS, QUIC (long and short headers), syslog, WireGuard, STUN and random UDP.

use std::net::SocketAddr;
use std::time::Duration;

use rtpscope_capture::synth::{generate, Codec, SynthConfig};
use rtpscope_capture::{CaptureReader, DetectorConfig, PcapWriter, RtpDetector, Verdict};
use rtpscope_wire::{classify, Flow, PacketKind, Timestamp};

struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn bytes(&mut self, n: usize) -> Vec<u8> {
        (0..n).map(|_| self.next() as u8).collect()
    }
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Label {
    Rtp,
    Rtcp,
    Noise(&'static str),
}

fn noise(rng: &mut Rng, start: u64, span: u64) -> Vec<(u64, Flow, Vec<u8>, Label)> {
    let mut out = Vec::new();
    let mut flow_no = 0u32;
    let mut new_flow = || {
        flow_no += 1;
        let [a, b, c, d] = flow_no.to_be_bytes();
        Flow::new(
            SocketAddr::from(([172, 16 + b, c, d], 40_000 + u16::from(a))),
            SocketAddr::from(([192, 0, 2, 53], 1000 + (flow_no % 20_000) as u16 * 2)),
        )
    };
    let mut add = |out: &mut Vec<_>,
                   kind: &'static str,
                   flows: usize,
                   per_flow: usize,
                   make: &mut dyn FnMut(&mut Rng, usize) -> Vec<u8>,
                   rng: &mut Rng| {
        for _ in 0..flows {
            let flow = new_flow();
            let t0 = start + rng.next() % span;
            for i in 0..per_flow {
                let ts = t0 + i as u64 * (1_000_000 + rng.next() % 40_000_000);
                out.push((ts, flow, make(rng, i), Label::Noise(kind)));
            }
        }
    };
    add(
        &mut out,
        "dns",
        300,
        3,
        &mut |r, _| {
            let mut p = r.bytes(2);
            p.extend_from_slice(&[0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0, 7]);
            p.extend_from_slice(b"example\x03com\x00\x00\x01\x00\x01");
            p
        },
        rng,
    );
    add(
        &mut out,
        "dns-resolver",
        10,
        200,
        &mut |r, _| {
            let mut p = r.bytes(2);
            p.extend_from_slice(&[0x81, 0x80, 0, 1, 0, 1, 0, 0, 0, 0]);
            p.extend(r.bytes(40));
            p
        },
        rng,
    );
    add(
        &mut out,
        "quic-long",
        50,
        10,
        &mut |r, _| {
            let mut p = vec![0xc0 | (r.next() as u8 & 0x3f), 0, 0, 0, 1, 8];
            p.extend(r.bytes(1200));
            p
        },
        rng,
    );
    add(
        &mut out,
        "quic-short",
        50,
        200,
        &mut |r, i| {
            let mut p = vec![0x40 | (r.next() as u8 & 0x3f)];
            p.extend_from_slice(&[0xaa; 8]);
            p.extend_from_slice(&(i as u16).to_be_bytes());
            let n = 100 + (r.next() % 1000) as usize;
            p.extend(r.bytes(n));
            p
        },
        rng,
    );
    add(
        &mut out,
        "syslog",
        20,
        100,
        &mut |_, i| format!("<34>Oct 11 22:14:15 host app[{i}]: message {i}").into_bytes(),
        rng,
    );
    add(
        &mut out,
        "wireguard",
        20,
        200,
        &mut |r, i| {
            if i == 0 {
                let mut p = vec![1, 0, 0, 0];
                p.extend(r.bytes(144));
                p
            } else {
                let mut p = vec![4, 0, 0, 0, 0xde, 0xad, 0xbe, 0xef];
                p.extend_from_slice(&(i as u64).to_le_bytes());
                p.extend(r.bytes(96));
                p
            }
        },
        rng,
    );
    add(
        &mut out,
        "stun",
        50,
        10,
        &mut |r, _| {
            let mut p = vec![0, 1, 0, 0, 0x21, 0x12, 0xa4, 0x42];
            p.extend(r.bytes(12));
            p
        },
        rng,
    );
    add(
        &mut out,
        "random",
        500,
        30,
        &mut |r, _| {
            let n = 12 + (r.next() % 300) as usize;
            r.bytes(n)
        },
        rng,
    );
    // Random payloads that start like RTP (version 2), the hardest case.
    add(
        &mut out,
        "random-v2",
        300,
        30,
        &mut |r, _| {
            let n = 12 + (r.next() % 300) as usize;
            let mut p = r.bytes(n);
            p[0] = 0x80;
            p[1] &= 0x7f;
            p
        },
        rng,
    );
    out
}

#[test]
fn detector_rates() {
    let cfg = SynthConfig {
        seed: 99,
        calls: 24,
        duration: Duration::from_secs(8),
        codecs: vec![Codec::Pcmu, Codec::Pcma, Codec::G722, Codec::Opus],
        loss_pct: 3.0,
        burst_loss_pct: 0.5,
        jitter_ms: 40.0,
        reorder_pct: 5.0,
        duplicate_pct: 3.0,
        near_wrap: true,
        ssrc_restarts: 1,
        rtcp: true,
        ..SynthConfig::default()
    };
    let mut w = PcapWriter::new(Vec::new(), 1).unwrap();
    generate(&cfg, &mut w).unwrap();
    let bytes = w.into_inner().unwrap();
    let mut r = CaptureReader::new(&bytes[..]).unwrap();
    let mut traffic = Vec::new();
    while let Some(f) = r.next_frame().unwrap() {
        let label = if f.kind() == PacketKind::Rtcp {
            Label::Rtcp
        } else {
            Label::Rtp
        };
        traffic.push((f.ts.as_nanos(), f.flow, f.payload.to_vec(), label));
    }
    let start = traffic.first().map_or(0, |t| t.0);
    let mut rng = Rng(0x1234_5678_9abc_def1);
    traffic.extend(noise(&mut rng, start, 8_000_000_000));
    traffic.sort_by_key(|t| t.0);

    let mut det = RtpDetector::new(DetectorConfig::default());
    let mut passed = vec![false; traffic.len()];
    let mut rtcp_ok = 0u64;
    let mut rtcp_verdict = vec![false; traffic.len()];
    let index: std::collections::HashMap<u64, usize> = HashMapFromArrivals::build(traffic.len());
    for (i, (ts, flow, payload, _)) in traffic.iter().enumerate() {
        match det.observe(Timestamp::from_nanos(*ts), *flow, payload) {
            Verdict::Rtp => {
                passed[i] = true;
                for h in det.drain_released() {
                    passed[index[&h.arrival]] = true;
                }
            }
            Verdict::Rtcp => {
                rtcp_ok += 1;
                rtcp_verdict[i] = true;
            }
            _ => {}
        }
    }
    for h in det.finish().released {
        passed[index[&h.arrival]] = true;
    }
    let (mut rtp, mut fneg, mut noise_n, mut fpos, mut rtcp) = (0u64, 0u64, 0u64, 0u64, 0u64);
    let mut fp_kinds = std::collections::BTreeMap::new();
    let (mut fp_rtcp, mut looks_rtcp) = (0u64, 0u64);
    for (i, (_, _, payload, label)) in traffic.iter().enumerate() {
        match label {
            Label::Rtp => {
                rtp += 1;
                fneg += u64::from(!passed[i]);
            }
            Label::Rtcp => rtcp += 1,
            Label::Noise(kind) => {
                noise_n += 1;
                if passed[i] {
                    fpos += 1;
                    *fp_kinds.entry(*kind).or_insert(0) += 1;
                }
                if rtcp_verdict[i] {
                    fp_rtcp += 1;
                }
                looks_rtcp += u64::from(classify(payload) == PacketKind::Rtcp);
            }
        }
    }
    let fp_rate = fpos as f64 / noise_n as f64;
    let fn_rate = fneg as f64 / rtp as f64;
    println!(
        "detector: RTP packets {rtp}, false negatives {fneg} ({:.4}%); non-RTP packets {noise_n}, false positives {fpos} ({:.4}%) {fp_kinds:?}; RTCP {}/{rtcp}; noise classified RTCP by first bytes {looks_rtcp}, accepted as RTCP {fp_rtcp}",
        fn_rate * 100.0,
        fp_rate * 100.0,
        rtcp_ok - fp_rtcp,
    );
    eprintln!("stats {:?}", det.stats());
    assert_eq!(fpos, 0, "false positives: {fp_kinds:?}");
    assert_eq!(fneg, 0, "false negatives");
    assert_eq!(rtcp_ok - fp_rtcp, rtcp);
    assert_eq!(fp_rtcp, 0);
}

/// Arrival numbers given by the detector are the positions in `traffic`.
struct HashMapFromArrivals;
impl HashMapFromArrivals {
    fn build(n: usize) -> std::collections::HashMap<u64, usize> {
        (0..n).map(|i| (i as u64, i)).collect()
    }
}

#[test]
fn held_memory_is_bounded() {
    let cfg = DetectorConfig {
        max_flows: 100,
        max_held_bytes_total: 10_000,
        ..DetectorConfig::default()
    };
    let mut det = RtpDetector::new(cfg);
    let mut rng = Rng(7);
    for i in 0..20_000u32 {
        let [a, b, c, d] = i.to_be_bytes();
        let flow = Flow::new(
            SocketAddr::from(([10, a, b, c], 1000)),
            SocketAddr::from(([10, 0, 0, d], 2000)),
        );
        let mut p = rng.bytes(200);
        p[0] = 0x80;
        p[1] = 0;
        det.observe(Timestamp::from_millis(u64::from(i)), flow, &p);
        let s = det.stats();
        assert!(s.flows_tracked <= 100 && s.held_bytes <= 10_000);
    }
    let s = det.stats();
    assert!(s.flows_evicted > 0 && s.held_overflow > 0, "{s:?}");
}

#[test]
fn forced_ports_and_hints_skip_detection() {
    let flow = Flow::new(
        "10.0.0.1:4000".parse().unwrap(),
        "10.0.0.2:30000".parse().unwrap(),
    );
    let pkt = [0x80, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0xff];
    let mut det = RtpDetector::new(DetectorConfig {
        forced_ports: vec![30000..=30010],
        ..DetectorConfig::default()
    });
    assert_eq!(det.observe(Timestamp::ZERO, flow, &pkt), Verdict::Rtp);
    let mut det = RtpDetector::new(DetectorConfig::default());
    assert_eq!(det.observe(Timestamp::ZERO, flow, &pkt), Verdict::Pending);
    det.add_hint(flow.dst());
    assert_eq!(det.observe(Timestamp::ZERO, flow, &pkt), Verdict::Rtp);
    // Unconfirmed single packets are dropped at finish, two consistent ones released.
    let mut det = RtpDetector::new(DetectorConfig::default());
    det.observe(Timestamp::ZERO, flow, &pkt);
    let report = det.finish();
    assert_eq!((report.released.len(), report.dropped_unconfirmed), (0, 1));
    let mut det = RtpDetector::new(DetectorConfig::default());
    det.observe(Timestamp::ZERO, flow, &pkt);
    let pkt2 = [0x80, 0, 0, 2, 0, 0, 0, 160, 0, 0, 0, 1, 0xff];
    det.observe(Timestamp::from_millis(20), flow, &pkt2);
    assert_eq!(det.finish().released.len(), 2);
}

#[test]
fn sources_interleaved_on_one_flow_are_each_confirmed() {
    // Two SSRCs strictly alternating on one 5-tuple (a mixer, a forking proxy): each keeps its
    // own run, so the flow is confirmed at the third packet of either and nothing is lost.
    let flow = Flow::new(
        "10.0.0.1:4000".parse().unwrap(),
        "10.0.0.2:5002".parse().unwrap(),
    );
    let packet = |ssrc: u32, k: u16| {
        let mut p = vec![0x80, 8];
        p.extend_from_slice(&(1000 + k).to_be_bytes());
        p.extend_from_slice(&(160 * u32::from(k)).to_be_bytes());
        p.extend_from_slice(&ssrc.to_be_bytes());
        p.extend_from_slice(&[0xd5; 160]);
        p
    };
    let mut det = RtpDetector::new(DetectorConfig::default());
    let mut verdicts = Vec::new();
    let mut released = 0;
    for k in 0..4u16 {
        for ssrc in [0x1111, 0x2222] {
            let at = Timestamp::from_millis(20 * u64::from(k));
            verdicts.push(det.observe(at, flow, &packet(ssrc, k)));
            released += det.drain_released().count();
        }
    }
    use Verdict::{Pending, Rtp};
    assert_eq!(
        verdicts,
        [Pending, Pending, Pending, Pending, Rtp, Rtp, Rtp, Rtp]
    );
    assert_eq!(released, 4);
    // A fifth SSRC takes the slot heard from longest ago; random SSRCs never build a run.
    let mut det = RtpDetector::new(DetectorConfig::default());
    for (k, ssrc) in [1u32, 2, 3, 4, 5, 1, 6, 7, 8, 9].into_iter().enumerate() {
        let at = Timestamp::from_millis(20 * k as u64);
        assert_ne!(det.observe(at, flow, &packet(ssrc, k as u16)), Rtp, "{k}");
    }
}

#[test]
fn packets_cut_by_the_snap_length_are_confirmed_from_their_headers() {
    let flow = Flow::new(
        "10.0.0.1:4000".parse().unwrap(),
        "10.0.0.2:30000".parse().unwrap(),
    );
    // PCMU with the P bit, 172 bytes on the wire, cut after 4 payload bytes: the padding count
    // (the last byte) is not there, so the whole-packet check cannot pass.
    let cut = |seq: u16| {
        let [s0, s1] = seq.to_be_bytes();
        let [t0, t1, t2, t3] = (u32::from(seq) * 160).to_be_bytes();
        [
            0xa0, 0, s0, s1, t0, t1, t2, t3, 0, 0, 0, 9, 0xff, 0xff, 0xff, 0xff,
        ]
    };
    let mut whole = RtpDetector::new(DetectorConfig::default());
    let mut det = RtpDetector::new(DetectorConfig::default());
    let mut verdicts = Vec::new();
    for seq in 1..=4u16 {
        let at = Timestamp::from_millis(20 * u64::from(seq));
        assert_eq!(whole.observe(at, flow, &cut(seq)), Verdict::NotRtp);
        verdicts.push(det.observe_cut(at, flow, &cut(seq), 172));
    }
    assert!(verdicts.contains(&Verdict::Rtp), "{verdicts:?}");
    // The packets held before the flow was confirmed come back with their full length.
    let held: Vec<(usize, usize)> = det
        .drain_released()
        .map(|h| (h.payload.len(), h.length))
        .collect();
    assert!(!held.is_empty());
    assert!(held.iter().all(|&l| l == (16, 172)), "{held:?}");
    // RTCP is judged by the packets the capture kept whole: an RR of one word and the first
    // word of an SDES after it is RTCP; an RR with a report block (eight words) cut after
    // two is nothing that can be checked.
    let rr_then_sdes = [0x80, 201, 0, 1, 0, 0, 0, 9, 0x81, 202, 0, 2];
    assert_eq!(
        det.observe_cut(Timestamp::ZERO, flow, &rr_then_sdes, 20),
        Verdict::Rtcp
    );
    let rr_cut = [0x81, 201, 0, 7, 0, 0, 0, 9];
    assert_eq!(
        det.observe_cut(Timestamp::ZERO, flow, &rr_cut, 32),
        Verdict::NotRtp
    );
    assert_eq!(
        det.observe(Timestamp::ZERO, flow, &rr_then_sdes[..8]),
        Verdict::Rtcp
    );
}
