//! SIP and SDP bookkeeping at the scale of a trunk: a call's messages look up its dialog and
//! media endpoints among every call seen so far, so the cost per message must not grow with
//! the number of calls. 10 000 overlapping calls, five messages each (INVITE and 200 OK with
//! SDP, ACK, BYE, 200 OK), as a probe on an SBC's trunk sees them.
//!
//! `cargo bench -p rtpscope-benches --bench signalling`

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use rtpscope::capture::SipTracker;
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

criterion_group!(benches, bench);
criterion_main!(benches);
