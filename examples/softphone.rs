//! Embedding the sans-IO analyzer in a phone's receive path.
//!
//! The phone hands every received datagram to the analyzer with its arrival time, drives the
//! timer, and reacts to quality events — here by printing what the user would hear and
//! growing its jitter buffer when jitter is raised. The "network" is simulated: 20 ms PCMU
//! packets whose delay swings up to 120 ms in the middle of the call, with some loss.
//!
//! `cargo run -p rtpscope-examples --example softphone`

use rtpscope::core::diagnosis::Change;
use rtpscope::core::{Analyzer, AnalyzerConfig, Event, Flow, Timestamp};
use rtpscope::wire::rtp::RtpRepr;

fn main() {
    let flow = Flow::new(
        "203.0.113.7:40000".parse().expect("addr"),
        "192.0.2.10:5004".parse().expect("addr"),
    );
    let mut analyzer = Analyzer::new(AnalyzerConfig::default());
    let mut jitter_buffer_ms = 40;
    let mut buf = [0u8; 1500];
    let mut rng = 0x2545_f491_4f6c_dd1d_u64;
    for i in 0..1500u32 {
        // Sender: one packet every 20 ms. Network: 30 ms base delay; from 10 s to 20 s a busy
        // Wi-Fi adds up to 120 ms of random delay and drops 3 % of packets.
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        let congested = (500..1000).contains(&i);
        if congested && rng % 100 < 3 {
            continue;
        }
        let extra_ms = if congested { rng % 120 } else { rng % 2 };
        let arrival = Timestamp::from_millis(u64::from(i) * 20 + 30 + extra_ms);
        let packet = RtpRepr {
            payload_type: 0,
            sequence_number: i as u16,
            timestamp: i * 160,
            ssrc: 0x5eed,
            payload: &[0x2a; 160], // speech, not PCMU silence (0xff/0x7f)
            ..RtpRepr::default()
        };
        let Ok(len) = packet.emit(&mut buf) else {
            continue;
        };

        // The phone's receive path: one call per datagram, time passed in.
        if let Some(due) = analyzer.poll_timeout() {
            if due <= arrival {
                analyzer.handle_timeout(arrival);
            }
        }
        if let Err(e) = analyzer.handle_datagram(arrival, flow, &buf[..len]) {
            eprintln!("not analysed: {e}");
        }
        while let Some(event) = analyzer.poll_event() {
            if let Event::Symptom(s) = event {
                let t = s.at.as_secs_f64();
                match s.change {
                    Change::Raised => {
                        println!("{t:6.1} s  RAISED  {}", s.symptom.summary);
                        if let Some(advice) = s.symptom.advice.first() {
                            println!("          advice: {advice}");
                        }
                        if s.symptom.kind == rtpscope::core::diagnosis::SymptomKind::Jitter {
                            jitter_buffer_ms = 120;
                            println!(
                                "          phone: jitter buffer raised to {jitter_buffer_ms} ms"
                            );
                        }
                    }
                    Change::Cleared => {
                        println!("{t:6.1} s  cleared {}", s.symptom.kind.as_str());
                        jitter_buffer_ms = 40;
                    }
                }
            }
        }
    }
    analyzer.finish();
    let report = analyzer.report();
    let s = &report.streams[0];
    println!(
        "\ncall over: {} packets, {} lost ({:.1} %), jitter now {:.1} ms (max {:.1} ms), MOS-LQ {:.2}; jitter buffer {jitter_buffer_ms} ms",
        s.packets,
        s.lost,
        s.lost_pct,
        s.jitter_ms.final_ms.unwrap_or(0.0),
        s.jitter_ms.max.unwrap_or(0.0),
        s.mos_lq.unwrap_or(0.0),
    );
}
