//! Seeded synthetic RTP traffic with per-stream ground truth.
//!
//! Each call has two streams (A to B and back) of one codec at 20 ms pacing. Impairments are
//! applied per packet by a small self-contained PRNG (splitmix64), so a seed always gives the
//! same bytes. The truth of each stream is computed from the packets actually written, in
//! write (arrival) order, the way a receiver sees them.
//!
//! ```
//! use rtpscope_capture::{synth::{generate, Codec, SynthConfig}, PcapWriter};
//! use std::time::Duration;
//!
//! let cfg = SynthConfig { seed: 7, calls: 2, duration: Duration::from_secs(2), codecs: vec![Codec::Pcmu, Codec::Opus],
//!                         loss_pct: 5.0, duplicate_pct: 2.0, ..Default::default() };
//! let mut w = PcapWriter::new(Vec::new(), 1).unwrap();
//! let truth = generate(&cfg, &mut w).unwrap();
//! assert_eq!(truth.len(), 4);
//! for t in &truth {
//!     assert_eq!(t.sent, 100);
//!     assert_eq!(t.lost, t.expected as i64 - t.received as i64);
//! }
//! ```

use std::io::{self, Write};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::time::Duration;

use rtpscope_wire::rtp::RtpRepr;
use rtpscope_wire::{Flow, Timestamp};

use crate::PcapWriter;

/// Packet spacing of every stream.
pub const PACKET_INTERVAL: Duration = Duration::from_millis(20);
const INTERVAL_NS: u64 = 20_000_000;

/// Audio codecs the generator emits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Codec {
    /// G.711 µ-law, PT 0.
    Pcmu,
    /// G.711 A-law, PT 8.
    Pcma,
    /// G.722, PT 9 (RTP clock 8 kHz per RFC 3551).
    G722,
    /// Opus, PT 111, 48 kHz clock.
    Opus,
}

impl Codec {
    /// RTP payload type.
    pub fn payload_type(self) -> u8 {
        match self {
            Codec::Pcmu => 0,
            Codec::Pcma => 8,
            Codec::G722 => 9,
            Codec::Opus => 111,
        }
    }
    /// RTP clock rate, Hz.
    pub fn clock_rate(self) -> u32 {
        match self {
            Codec::Opus => 48_000,
            _ => 8_000,
        }
    }
    /// Timestamp advance per 20 ms packet.
    pub fn ts_step(self) -> u32 {
        self.clock_rate() / 50
    }
    fn payload_len(self, k: u64) -> usize {
        match self {
            Codec::Opus => 60 + (k % 41) as usize,
            _ => 160,
        }
    }
    /// Writes packet `k`'s payload into `out`: for G.711 a 400 Hz tone (20 samples a period,
    /// so every 20 ms packet holds the same eight periods), so that the analysis hears audio
    /// rather than a muted microphone; other codecs' bytes are filler.
    fn fill(self, out: &mut [u8]) {
        let encode: fn(i16) -> u8 = match self {
            Codec::Pcmu => linear_to_ulaw,
            Codec::Pcma => linear_to_alaw,
            _ => {
                out.fill(0x55);
                return;
            }
        };
        for (i, b) in out.iter_mut().enumerate() {
            let phase = (i % 20) as f64 / 20.0 * core::f64::consts::TAU;
            *b = encode((phase.sin() * 8000.0) as i16);
        }
    }

    /// The SDP `a=rtpmap` encoding of the payload type.
    fn rtpmap(self) -> &'static str {
        match self {
            Codec::Pcmu => "PCMU/8000",
            Codec::Pcma => "PCMA/8000",
            Codec::G722 => "G722/8000",
            Codec::Opus => "opus/48000/2",
        }
    }
}

/// G.711 µ-law of a 16-bit sample (the classic segment search, as G.191's reference code).
fn linear_to_ulaw(sample: i16) -> u8 {
    const BIAS: i32 = 0x84;
    const CLIP: i32 = 32_635;
    let x = i32::from(sample);
    let sign = if x < 0 { 0x80 } else { 0 };
    let magnitude = x.abs().min(CLIP) + BIAS;
    // Bit 7 is always set after the bias; the segment is how far above it the top bit lies.
    let top = 31 - (magnitude as u32).leading_zeros() as i32;
    let segment = (top - 7).clamp(0, 7);
    let mantissa = (magnitude >> (segment + 3)) & 0x0f;
    !(sign | (segment << 4) | mantissa) as u8
}

/// G.711 A-law of a 16-bit sample (13-bit magnitude, even bits inverted).
fn linear_to_alaw(sample: i16) -> u8 {
    let x = i32::from(sample) >> 3;
    let (mask, magnitude) = if x >= 0 { (0xd5, x) } else { (0x55, -x - 1) };
    let top = 31 - (magnitude.max(1) as u32).leading_zeros() as i32;
    let segment = (top - 4).max(0);
    if segment >= 8 {
        return (0x7f ^ mask) as u8;
    }
    let shift = if segment < 2 { 1 } else { segment };
    (((segment << 4) | ((magnitude >> shift) & 0x0f)) ^ mask) as u8
}

/// What to generate.
#[derive(Debug, Clone, PartialEq)]
pub struct SynthConfig {
    /// PRNG seed.
    pub seed: u64,
    /// Number of calls (two streams each), at most 65 536.
    pub calls: usize,
    /// Length of every stream.
    pub duration: Duration,
    /// Codecs, assigned to calls round-robin.
    pub codecs: Vec<Codec>,
    /// Independent loss probability per packet, percent.
    pub loss_pct: f64,
    /// Probability per packet that a loss burst starts, percent.
    pub burst_loss_pct: f64,
    /// Longest loss burst (bursts are 2..=this long).
    pub burst_len: u32,
    /// Network delay varies uniformly over 0..this many ms on top of 5 ms.
    pub jitter_ms: f64,
    /// Probability that a packet is delayed by 2.5 intervals (arrives after later ones), percent.
    pub reorder_pct: f64,
    /// Probability that a packet arrives twice, percent.
    pub duplicate_pct: f64,
    /// Start sequence numbers and timestamps just before their wrap.
    pub near_wrap: bool,
    /// SSRC changes per stream (each restarts sequence and timestamp: a new truth entry).
    pub ssrc_restarts: u32,
    /// Send an RTCP SR from each sender and an RR from each receiver every 5 s (on port + 1).
    pub rtcp: bool,
    /// IPv6 addresses instead of IPv4.
    pub ipv6: bool,
    /// Set up each call with a SIP INVITE and its 200 OK (UDP 5060) whose SDP bodies name
    /// the codec and media ports, as a real call's signalling would.
    pub sip: bool,
    /// Time of the first packet.
    pub start: Timestamp,
}

impl Default for SynthConfig {
    fn default() -> Self {
        SynthConfig {
            seed: 1,
            calls: 1,
            duration: Duration::from_secs(10),
            codecs: vec![Codec::Pcmu],
            loss_pct: 0.0,
            burst_loss_pct: 0.0,
            burst_len: 5,
            jitter_ms: 0.0,
            reorder_pct: 0.0,
            duplicate_pct: 0.0,
            near_wrap: false,
            ssrc_restarts: 0,
            rtcp: false,
            ipv6: false,
            sip: false,
            start: Timestamp::from_secs_nanos(1_700_000_000, 0),
        }
    }
}

/// Ground truth of one (flow, SSRC) stream, over the packets written.
#[derive(Debug, Clone, PartialEq)]
pub struct StreamTruth {
    /// The flow.
    pub flow: Flow,
    /// The SSRC.
    pub ssrc: u32,
    /// The codec.
    pub codec: Codec,
    /// RTP payload type.
    pub payload_type: u8,
    /// RTP clock rate.
    pub clock_rate: u32,
    /// Packets the sender sent (before loss).
    pub sent: u64,
    /// Packets written, duplicates included.
    pub received: u64,
    /// Highest extended sequence number received minus that of the first packet received,
    /// plus one (RFC 3550 A.3).
    pub expected: u64,
    /// `expected - received`: negative with duplicates, as RFC 3550 cumulative loss.
    pub lost: i64,
    /// Packets written twice.
    pub duplicates: u64,
    /// Sequence number of the first packet written.
    pub first_seq: u16,
    /// Highest extended sequence number written (first packet's cycle count is 0).
    pub last_ext_seq: u64,
    /// RFC 3550 A.8 interarrival jitter after the last packet, in timestamp units, computed
    /// in write order over every written packet (duplicates and late ones included).
    pub final_jitter_ts: f64,
    /// RTCP packets written for this stream (SR from its sender, RR about it).
    pub rtcp_packets: u64,
}

/// splitmix64: tiny, fast, and good enough for traffic shaping.
#[derive(Debug, Clone)]
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    /// Uniform in [0, 1).
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
    fn pct(&mut self, pct: f64) -> bool {
        pct > 0.0 && self.unit() * 100.0 < pct
    }
}

#[derive(Debug, Clone, Copy)]
enum Kind {
    Rtp {
        k: u64,
        dup: bool,
    },
    Sr,
    Rr,
    /// The call's INVITE (A to B), or its 200 OK; `seg` is the call's A-to-B stream.
    Sip {
        call: u16,
        answer: bool,
    },
}

#[derive(Debug, Clone, Copy)]
struct Event {
    arrival: u64,
    seg: u32,
    kind: Kind,
}

#[derive(Debug)]
struct Segment {
    truth: StreamTruth,
    seq0: u16,
    ts0: u32,
    first_k: Option<u64>,
    max_k: u64,
    seen: Vec<u64>,
    last_transit: Option<f64>,
    jitter: f64,
    rtcp_flow: Flow,
}

/// Generates the traffic `config` describes into `writer`, in arrival order, and returns the
/// truth of every stream.
pub fn generate<W: Write>(
    config: &SynthConfig,
    writer: &mut PcapWriter<W>,
) -> io::Result<Vec<StreamTruth>> {
    let mut rng = Rng(config.seed);
    let mut segs: Vec<Segment> = Vec::new();
    let mut events: Vec<Event> = Vec::new();
    let packets = (config.duration.as_nanos() / u128::from(INTERVAL_NS)) as u64;
    let codecs = if config.codecs.is_empty() {
        &[Codec::Pcmu][..]
    } else {
        &config.codecs[..]
    };
    for call in 0..config.calls.min(65_536) {
        let codec = codecs[call % codecs.len()];
        let (a, b) = addresses(call as u16, config.ipv6);
        let call_start = config.start.as_nanos() + rng.next() % INTERVAL_NS;
        if config.sip {
            // The A-to-B stream's first segment is the next one made.
            for (before_ns, answer) in [(40_000_000, false), (20_000_000, true)] {
                events.push(Event {
                    arrival: call_start.saturating_sub(before_ns),
                    seg: segs.len() as u32,
                    kind: Kind::Sip {
                        call: call as u16,
                        answer,
                    },
                });
            }
        }
        for (src, dst) in [(a, b), (b, a)] {
            let flow = Flow::new(src, dst);
            let rtcp_flow = Flow::new(with_port(src, 1), with_port(dst, 1));
            let restarts = u64::from(config.ssrc_restarts);
            let mut burst_left = 0u32;
            let mut seg = u32::MAX;
            let mut part = u64::MAX;
            for k in 0..packets {
                let this_part = k * (restarts + 1) / packets;
                if this_part != part {
                    part = this_part;
                    seg = segs.len() as u32;
                    let (seq0, ts0) = if config.near_wrap {
                        (
                            u16::MAX - 40 - (rng.next() % 20) as u16,
                            u32::MAX - 40 * codec.ts_step() - (rng.next() % 1000) as u32,
                        )
                    } else {
                        (rng.next() as u16, rng.next() as u32)
                    };
                    segs.push(Segment {
                        truth: StreamTruth {
                            flow,
                            ssrc: rng.next() as u32 | 1,
                            codec,
                            payload_type: codec.payload_type(),
                            clock_rate: codec.clock_rate(),
                            sent: 0,
                            received: 0,
                            expected: 0,
                            lost: 0,
                            duplicates: 0,
                            first_seq: 0,
                            last_ext_seq: 0,
                            final_jitter_ts: 0.0,
                            rtcp_packets: 0,
                        },
                        seq0,
                        ts0,
                        first_k: None,
                        max_k: 0,
                        seen: Vec::new(),
                        last_transit: None,
                        jitter: 0.0,
                        rtcp_flow,
                    });
                }
                let Some(s) = segs.get_mut(seg as usize) else {
                    continue;
                };
                let seg_k = s.truth.sent;
                s.truth.sent += 1;
                let send = call_start + k * INTERVAL_NS;
                if config.rtcp && k % 250 == 249 {
                    events.push(Event {
                        arrival: send + 1_000_000,
                        seg,
                        kind: Kind::Sr,
                    });
                    events.push(Event {
                        arrival: send + 3_000_000,
                        seg,
                        kind: Kind::Rr,
                    });
                }
                let lost = if burst_left > 0 {
                    burst_left -= 1;
                    true
                } else if rng.pct(config.burst_loss_pct) {
                    burst_left =
                        (2 + rng.next() % u64::from(config.burst_len.max(2) - 1)) as u32 - 1;
                    true
                } else {
                    rng.pct(config.loss_pct)
                };
                if lost {
                    continue;
                }
                let mut delay = 5_000_000 + (rng.unit() * config.jitter_ms * 1e6) as u64;
                if rng.pct(config.reorder_pct) {
                    delay += INTERVAL_NS * 5 / 2;
                }
                events.push(Event {
                    arrival: send + delay,
                    seg,
                    kind: Kind::Rtp {
                        k: seg_k,
                        dup: false,
                    },
                });
                if rng.pct(config.duplicate_pct) {
                    events.push(Event {
                        arrival: send + delay + 300_000,
                        seg,
                        kind: Kind::Rtp {
                            k: seg_k,
                            dup: true,
                        },
                    });
                }
            }
        }
    }
    events.sort_by_key(|e| e.arrival);
    write_events(&events, &mut segs, writer)?;
    Ok(segs.into_iter().map(finish_truth).collect())
}

fn write_events<W: Write>(
    events: &[Event],
    segs: &mut [Segment],
    writer: &mut PcapWriter<W>,
) -> io::Result<()> {
    let mut payload = [0u8; 256];
    let mut packet = [0u8; 512];
    for ev in events {
        let Some(s) = segs.get_mut(ev.seg as usize) else {
            continue;
        };
        let codec = s.truth.codec;
        let ts = Timestamp::from_nanos(ev.arrival);
        match ev.kind {
            Kind::Rtp { k, dup } => {
                let len = codec.payload_len(k);
                codec.fill(&mut payload[..len]);
                let rtp_ts = s.ts0.wrapping_add((k as u32).wrapping_mul(codec.ts_step()));
                let repr = RtpRepr {
                    marker: k == 0,
                    payload_type: codec.payload_type(),
                    sequence_number: s.seq0.wrapping_add(k as u16),
                    timestamp: rtp_ts,
                    ssrc: s.truth.ssrc,
                    payload: &payload[..len],
                    ..RtpRepr::default()
                };
                let n = repr
                    .emit(&mut packet)
                    .map_err(|e| io::Error::other(e.to_string()))?;
                writer.write_udp(ts, s.truth.flow, &packet[..n])?;
                account(s, k, dup, ev.arrival);
            }
            Kind::Sr => {
                let rtcp = sender_report(s);
                writer.write_udp(ts, s.rtcp_flow, &rtcp)?;
                s.truth.rtcp_packets += 1;
            }
            Kind::Rr => {
                let rtcp = receiver_report(s);
                writer.write_udp(ts, s.rtcp_flow.reversed(), &rtcp)?;
                s.truth.rtcp_packets += 1;
            }
            Kind::Sip { call, answer } => {
                let (a, b) = (s.truth.flow.src(), s.truth.flow.dst());
                let (from, to) = if answer { (b, a) } else { (a, b) };
                let message = sip_message(call, answer, a, b, codec);
                let signalling = Flow::new(with_port_of(from, 5060), with_port_of(to, 5060));
                writer.write_udp(ts, signalling, message.as_bytes())?;
            }
        }
    }
    Ok(())
}

/// Updates a stream's truth with one written packet.
fn account(s: &mut Segment, k: u64, dup: bool, arrival_ns: u64) {
    let t = &mut s.truth;
    t.received += 1;
    let word = (k / 64) as usize;
    if s.seen.len() <= word {
        s.seen.resize(word + 1, 0);
    }
    let bit = 1u64 << (k % 64);
    if s.seen[word] & bit != 0 || dup {
        t.duplicates += 1;
    }
    s.seen[word] |= bit;
    if s.first_k.is_none() {
        s.first_k = Some(k);
        s.max_k = k;
    }
    s.max_k = s.max_k.max(k);
    // RFC 3550 A.8, with the RTP timestamp unwrapped (differences are the same modulo 2^32).
    let rate = f64::from(t.clock_rate);
    let arrival = arrival_ns as f64 * rate / 1e9;
    let transit = arrival - (f64::from(s.ts0) + (k * u64::from(t.codec.ts_step())) as f64);
    if let Some(last) = s.last_transit {
        let d = (transit - last).abs();
        s.jitter += (d - s.jitter) / 16.0;
    }
    s.last_transit = Some(transit);
}

fn finish_truth(s: Segment) -> StreamTruth {
    let mut t = s.truth;
    if let Some(first) = s.first_k {
        t.expected = s.max_k - first + 1;
        t.first_seq = s.seq0.wrapping_add(first as u16);
        t.last_ext_seq = u64::from(s.seq0) + s.max_k;
    }
    t.lost = t.expected as i64 - t.received as i64;
    t.final_jitter_ts = s.jitter;
    t
}

fn sender_report(s: &Segment) -> [u8; 28] {
    let mut b = [0u8; 28];
    b[..4].copy_from_slice(&[0x80, 200, 0, 6]);
    b[4..8].copy_from_slice(&s.truth.ssrc.to_be_bytes());
    b[20..24].copy_from_slice(&(s.truth.sent as u32).to_be_bytes());
    b
}

fn receiver_report(s: &Segment) -> [u8; 32] {
    let mut b = [0u8; 32];
    b[..4].copy_from_slice(&[0x81, 201, 0, 7]);
    b[4..8].copy_from_slice(&(s.truth.ssrc ^ 0x5a5a_5a5a).to_be_bytes());
    b[8..12].copy_from_slice(&s.truth.ssrc.to_be_bytes());
    let ext = u32::from(s.seq0).wrapping_add(s.max_k as u32);
    b[16..20].copy_from_slice(&ext.to_be_bytes());
    b[20..24].copy_from_slice(&(s.jitter as u32).to_be_bytes());
    b
}

fn addresses(call: u16, ipv6: bool) -> (SocketAddr, SocketAddr) {
    let [hi, lo] = call.to_be_bytes();
    let (a, b): (IpAddr, IpAddr) = if ipv6 {
        (
            Ipv6Addr::new(0x2001, 0xdb8, 1, 0, 0, 0, 0, call).into(),
            Ipv6Addr::new(0x2001, 0xdb8, 2, 0, 0, 0, 0, call).into(),
        )
    } else {
        (
            Ipv4Addr::new(10, 1, hi, lo).into(),
            Ipv4Addr::new(10, 2, hi, lo).into(),
        )
    };
    let slot = 2 * (call % 10_000);
    (
        SocketAddr::new(a, 10_000 + slot),
        SocketAddr::new(b, 30_000 + slot),
    )
}

/// Call `call`'s INVITE from A (media `a`) to B, or B's 200 OK with B's media `b`; each SDP
/// offers the one codec on the sender's media address.
fn sip_message(call: u16, answer: bool, a: SocketAddr, b: SocketAddr, codec: Codec) -> String {
    let uri = |addr: SocketAddr| match addr.ip() {
        IpAddr::V4(ip) => ip.to_string(),
        IpAddr::V6(ip) => format!("[{ip}]"),
    };
    let media = if answer { b } else { a };
    let family = if media.is_ipv6() { "IP6" } else { "IP4" };
    let ip = media.ip();
    let pt = codec.payload_type();
    let sdp = format!(
        "v=0\r\no=- {call} 1 IN {family} {ip}\r\ns=rtpscope synth\r\nc=IN {family} {ip}\r\n\
         t=0 0\r\nm=audio {port} RTP/AVP {pt}\r\na=rtpmap:{pt} {map}\r\n",
        port = media.port(),
        map = codec.rtpmap(),
    );
    let start = if answer {
        "SIP/2.0 200 OK".to_string()
    } else {
        format!("INVITE sip:b@{} SIP/2.0", uri(b))
    };
    let to_tag = if answer { ";tag=b" } else { "" };
    format!(
        "{start}\r\nVia: SIP/2.0/UDP {ua}:5060;branch=z9hG4bKsynth{call}\r\n\
         From: <sip:a@{ua}>;tag=a\r\nTo: <sip:b@{ub}>{to_tag}\r\nCall-ID: synth-{call}@{ua}\r\n\
         CSeq: 1 INVITE\r\nContent-Type: application/sdp\r\nContent-Length: {len}\r\n\r\n{sdp}",
        ua = uri(a),
        ub = uri(b),
        len = sdp.len(),
    )
}

fn with_port_of(addr: SocketAddr, port: u16) -> SocketAddr {
    SocketAddr::new(addr.ip(), port)
}

fn with_port(addr: SocketAddr, add: u16) -> SocketAddr {
    SocketAddr::new(addr.ip(), addr.port().wrapping_add(add))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn g711_encoders_give_the_reference_codes() {
        // Values of the G.191 / Sun g711.c reference encoders.
        for (x, mu, a) in [
            (0i16, 0xffu8, 0xd5u8),
            (-1, 0x7f, 0x55),
            (1000, 0xce, 0xfa),
            (-1000, 0x4e, 0x7a),
            (i16::MAX, 0x80, 0xaa),
            (i16::MIN, 0x00, 0x2a),
        ] {
            assert_eq!(linear_to_ulaw(x), mu, "µ-law {x}");
            assert_eq!(linear_to_alaw(x), a, "A-law {x}");
        }
    }

    #[test]
    fn g711_payloads_carry_a_tone_and_calls_can_be_signalled() {
        let (silence_mu, silence_a) = ([0xffu8, 0x7f], [0xd5u8, 0x55]);
        let mut p = [0u8; 160];
        Codec::Pcmu.fill(&mut p);
        assert!(p.iter().any(|b| !silence_mu.contains(b)));
        assert_eq!(p[..20], p[140..], "whole periods in a packet");
        Codec::Pcma.fill(&mut p);
        assert!(p.iter().any(|b| !silence_a.contains(b)));
        let a = "192.0.2.1:10000".parse().unwrap();
        let b = "192.0.2.2:30000".parse().unwrap();
        let invite = sip_message(7, false, a, b, Codec::Opus);
        assert!(invite.starts_with("INVITE sip:b@192.0.2.2 SIP/2.0\r\n"));
        assert!(invite.contains("m=audio 10000 RTP/AVP 111\r\na=rtpmap:111 opus/48000/2\r\n"));
        let ok = sip_message(7, true, a, b, Codec::Opus);
        assert!(ok.starts_with("SIP/2.0 200 OK\r\n"));
        assert!(ok.contains("c=IN IP4 192.0.2.2\r\n") && ok.contains("m=audio 30000 "));
        let (head, body) = ok.split_once("\r\n\r\n").unwrap();
        assert!(head.ends_with(&format!("Content-Length: {}", body.len())));
    }
}
