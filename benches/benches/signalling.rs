//! Signalling at the scale of a trunk, where the cost of each message must not grow with the
//! number of calls or streams:
//! - SIP and SDP bookkeeping: 10 000 overlapping calls, five messages each (INVITE and 200 OK
//!   with SDP, ACK, BYE, 200 OK), as a probe on an SBC's trunk sees them;
//! - the analyzer's side: 40 000 live streams of a dynamic payload type that learn their
//!   clock rate from SDP one endpoint at a time, then end by RTCP BYE, 31 SSRCs a packet.
//!
//! `cargo bench -p rtpscope-benches --bench signalling`

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use rtpscope::capture::SipTracker;
use rtpscope::core::clock::ClockRateSource;
use rtpscope::core::payload::{Encoding, PayloadClass, PayloadInfo, RtpHeader};
use rtpscope::core::{Analyzer, AnalyzerConfig};
use rtpscope::wire::inline::InlineVec;
use rtpscope::wire::rtcp::{ByeRepr, ReceiverReportRepr};
use rtpscope::wire::{Flow, Timestamp};

const CALLS: u32 = 10_000;

fn sdp(ip: &str, port: u32) -> String {
    format!(
        "v=0\r\no=- 1 1 IN IP4 {ip}\r\ns=-\r\nc=IN IP4 {ip}\r\nt=0 0\r\n\
         m=audio {port} RTP/AVP 0 8 101\r\na=rtpmap:101 telephone-event/8000\r\n"
    )
}

fn message(start: &str, call: u32, cseq: &str, body: Option<String>) -> Vec<u8> {
    let body = body.unwrap_or_default();
    let kind = if body.is_empty() {
        ""
    } else {
        "Content-Type: application/sdp\r\n"
    };
    format!(
        "{start}\r\nVia: SIP/2.0/UDP 10.0.0.1:5060\r\nFrom: <sip:a{call}@10.0.0.1>;tag=1\r\n\
         To: <sip:b{call}@10.0.0.2>\r\nCall-ID: {call:08x}-trunk@10.0.0.1\r\nCSeq: {cseq}\r\n\
         {kind}Content-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

/// Every call's five messages, in waves: the INVITEs of all calls, then their answers, ...,
/// so each lookup searches among every call.
fn trunk() -> Vec<Vec<u8>> {
    let port = |call: u32| 10_000 + 2 * (call % 25_000);
    let waves: [&dyn Fn(u32) -> Vec<u8>; 5] = [
        &|c| {
            message(
                "INVITE sip:b@10.0.0.2 SIP/2.0",
                c,
                "1 INVITE",
                Some(sdp("10.0.0.1", port(c))),
            )
        },
        &|c| {
            message(
                "SIP/2.0 200 OK",
                c,
                "1 INVITE",
                Some(sdp("10.0.0.2", port(c))),
            )
        },
        &|c| message("ACK sip:b@10.0.0.2 SIP/2.0", c, "1 ACK", None),
        &|c| message("BYE sip:b@10.0.0.2 SIP/2.0", c, "2 BYE", None),
        &|c| message("SIP/2.0 200 OK", c, "2 BYE", None),
    ];
    waves.iter().flat_map(|wave| (0..CALLS).map(wave)).collect()
}

fn bench(c: &mut Criterion) {
    let messages = trunk();
    let flow = Flow::new(
        "10.0.0.1:5060".parse().expect("addr"),
        "10.0.0.2:5060".parse().expect("addr"),
    );
    let mut g = c.benchmark_group("signalling");
    g.sample_size(10)
        .throughput(Throughput::Elements(messages.len() as u64));
    g.bench_function("sip_tracker_10k_calls", |b| {
        b.iter(|| {
            let mut sip = SipTracker::new();
            for m in &messages {
                sip.observe(Timestamp::ZERO, flow, black_box(m));
            }
            assert_eq!(sip.calls().len(), CALLS as usize);
            assert_eq!(sip.media().len(), 2 * CALLS as usize);
            black_box(sip.dropped())
        })
    });
    g.finish();
}

const STREAMS: u32 = 40_000;

/// Stream `i`'s flow: its own port on each side.
fn stream_flow(i: u32) -> Flow {
    let port = |base: u32| base + 2 * (i % 25_000);
    let ip = |net: u32| [10, net as u8, (i / 25_000) as u8, 1];
    Flow::new(
        std::net::SocketAddr::from((ip(1), port(10_000) as u16)),
        std::net::SocketAddr::from((ip(2), port(40_000) as u16)),
    )
}

/// An analyzer with `STREAMS` live streams of payload type 96, whose rate nothing gave.
fn live_streams() -> Analyzer {
    let mut analyzer = Analyzer::new(AnalyzerConfig {
        max_streams: STREAMS as usize,
        ..AnalyzerConfig::default()
    });
    for seq in 0..2u16 {
        for i in 0..STREAMS {
            let header = RtpHeader {
                sequence_number: seq,
                timestamp: u32::from(seq) * 960,
                ssrc: i,
                payload_type: 96,
                marker: false,
                payload_len: 80,
                payload_class: PayloadClass::Unknown,
            };
            let at = 1_000_000_000 + u64::from(seq) * 20_000_000 + u64::from(i);
            analyzer.handle_rtp(Timestamp::from_nanos(at), stream_flow(i), &header);
        }
    }
    while analyzer.poll_event().is_some() {}
    assert_eq!(analyzer.live_streams(), STREAMS as usize);
    analyzer
}

/// RTCP compounds (an empty RR, then a BYE) ending every stream, 31 SSRCs each.
fn byes() -> Vec<Vec<u8>> {
    (0..STREAMS)
        .collect::<Vec<u32>>()
        .chunks(31)
        .map(|chunk| {
            let mut buf = vec![0u8; 256];
            let rr = ReceiverReportRepr {
                ssrc: 0xffff_0000,
                ..ReceiverReportRepr::default()
            };
            let mut n = rr.emit(&mut buf).expect("rr");
            let mut ssrcs = InlineVec::new();
            for &ssrc in chunk {
                let _ = ssrcs.push(ssrc);
            }
            let bye = ByeRepr {
                ssrcs,
                reason: None,
            };
            n += bye.emit(&mut buf[n..]).expect("bye");
            buf.truncate(n);
            buf
        })
        .collect()
}

fn analyzer_side(c: &mut Criterion) {
    let opus = PayloadInfo {
        encoding: Encoding::new("opus"),
        clock_rate: 48_000,
        source: ClockRateSource::Sdp,
    };
    let byes = byes();
    let mut g = c.benchmark_group("signalling");
    g.sample_size(10)
        .throughput(Throughput::Elements(u64::from(STREAMS)));
    g.bench_function("analyzer_sdp_then_bye_40k_streams", |b| {
        b.iter_batched(
            live_streams,
            |mut analyzer| {
                for i in 0..STREAMS {
                    analyzer.learn_payload_type(stream_flow(i).dst(), 96, opus);
                }
                let now = Timestamp::from_nanos(2_000_000_000);
                for packet in &byes {
                    analyzer.handle_rtcp(now, packet).expect("rtcp");
                }
                assert_eq!(analyzer.live_streams(), 0);
                analyzer
            },
            BatchSize::PerIteration,
        )
    });
    g.finish();
}

criterion_group!(benches, bench, analyzer_side);
criterion_main!(benches);
