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
    fn fill(self) -> u8 {
        match self {
            Codec::Pcmu => 0xff,
            Codec::Pcma => 0xd5,
            _ => 0x55,
        }
    }
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
    Rtp { k: u64, dup: bool },
    Sr,
    Rr,
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
                payload[..len].fill(codec.fill());
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

fn with_port(addr: SocketAddr, add: u16) -> SocketAddr {
    SocketAddr::new(addr.ip(), addr.port().wrapping_add(add))
}
