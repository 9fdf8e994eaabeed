//! Hand-worked cases on a virtual clock: every number below follows from RFC 3550 by hand.

use core::time::Duration;

use rtpscope_core::{AnalyzerConfig, Anomaly, EndReason, Event, Flow, Timestamp};

mod sender;
use sender::{flow, Sender};

/// Streams end after 2 s of silence; no interval reports.
fn short_idle() -> AnalyzerConfig {
    AnalyzerConfig {
        idle_timeout: Duration::from_secs(2),
        interval: None,
        ..AnalyzerConfig::default()
    }
}

#[test]
fn burst_of_total_loss() {
    let mut s = Sender::new(AnalyzerConfig::default());
    for i in 0..200u16 {
        if (50..100).contains(&i) {
            continue; // 50 consecutive packets lost: one second of silence
        }
        s.send(20.0 * f64::from(i), i, 160 * u32::from(i), 0, false, 1);
    }
    let r = &s.analyzer.report().streams[0];
    assert_eq!((r.packets, r.expected, r.lost), (150, 200, 50));
    assert_eq!(r.lost_pct, 25.0);
    // The gap shows as one 1020 ms delta; perfectly paced otherwise, so no jitter growth
    // except from that delta's D = 0 (arrival and timestamp advance together).
    assert_eq!(r.delta_ms.max, Some(1020.0));
    assert_eq!(r.jitter_ms.final_ms, Some(0.0));
    // 50 lost in a row is a single loss run: a gap loss by RFC 3611's rules would need Gmin
    // received packets around it; here it is the whole burst.
    assert_eq!(r.burst.metrics.bursts, 1);
    assert_eq!(r.burst.metrics.burst_packets, 50);
    assert_eq!(r.burst.metrics.burst_density, 1.0);
}

#[test]
fn telephone_events_count_for_loss_not_jitter() {
    let config = AnalyzerConfig::default().with_payload_type(101, "telephone-event", 8000);
    let mut s = Sender::new(config);
    let mut seq = 0u16;
    for i in 0..100u32 {
        // A DTMF event from packet 40 to 59: its timestamp stays at the event start.
        let (pt, ts, marker) = if (40..60).contains(&i) {
            (101, 160 * 40, i == 40)
        } else {
            (0, 160 * i, false)
        };
        if i != 70 {
            s.send(20.0 * f64::from(i), seq, ts, pt, marker, 9);
        }
        seq = seq.wrapping_add(1);
    }
    let r = &s.analyzer.report().streams[0];
    assert_eq!((r.packets, r.lost), (99, 1));
    assert_eq!(r.payload_types, [0, 101]);
    assert_eq!(
        r.jitter_ms.final_ms,
        Some(0.0),
        "event timestamps must not look like jitter"
    );
    let changes = s
        .events()
        .iter()
        .filter(|e| {
            matches!(
                e,
                Event::Anomaly {
                    anomaly: Anomaly::PayloadTypeChange { .. },
                    ..
                }
            )
        })
        .count();
    assert_eq!(changes, 2);
}

#[test]
fn comfort_noise_and_the_packet_after_are_left_out_of_delta_statistics() {
    let mut s = Sender::new(AnalyzerConfig::default());
    for i in 0..10u16 {
        s.send(20.0 * f64::from(i), i, 160 * u32::from(i), 0, false, 3);
    }
    // Silence: one CN packet at 200 ms, then speech resumes at 1000 ms with the marker off.
    s.send(200.0, 10, 1600, 13, false, 3);
    s.send(1000.0, 11, 8000, 0, false, 3);
    s.send(1020.0, 12, 8160, 0, false, 3);
    let r = &s.analyzer.report().streams[0];
    assert_eq!(
        r.delta_ms.max,
        Some(20.0),
        "the 800 ms after CN is not a delta"
    );
    assert_eq!(r.delta_ms.min, Some(20.0));
}

#[test]
fn sequence_restart_is_reported_and_loss_stays_sane() {
    let mut s = Sender::new(AnalyzerConfig::default());
    for i in 0..10u16 {
        s.send(
            20.0 * f64::from(i),
            1000 + i,
            160 * u32::from(i),
            0,
            false,
            4,
        );
    }
    for i in 10..20u16 {
        s.send(
            20.0 * f64::from(i),
            40_000 + i,
            160 * u32::from(i),
            0,
            false,
            4,
        );
    }
    let r = &s.analyzer.report().streams[0];
    assert_eq!((r.restarts, r.packets, r.expected, r.lost), (1, 20, 20, 0));
    let events = s.events();
    assert!(events.iter().any(|e| matches!(
        e,
        Event::Anomaly {
            anomaly: Anomaly::SequenceRestart,
            ..
        }
    )));
    assert!(events.iter().any(|e| matches!(
        e,
        Event::Anomaly {
            anomaly: Anomaly::SequenceJump { .. },
            ..
        }
    )));
}

#[test]
fn idle_streams_end_and_a_new_ssrc_on_the_flow_is_an_anomaly() {
    let config = short_idle();
    let mut s = Sender::new(config);
    for i in 0..10u16 {
        s.send(20.0 * f64::from(i), i, 160 * u32::from(i), 0, false, 5);
    }
    // A new SSRC on the same flow while the old stream is still live.
    s.send(220.0, 500, 0, 0, false, 6);
    // Both go quiet; time passes.
    s.analyzer
        .handle_timeout(Timestamp::from_nanos(1_000_000_000 + 5_000_000_000));
    let events = s.events();
    assert!(events.iter().any(|e| matches!(
        e,
        Event::Anomaly {
            anomaly: Anomaly::SsrcChange { previous: 5 },
            ..
        }
    )));
    let ended: Vec<_> = events
        .iter()
        .filter_map(|e| match e {
            Event::StreamEnded(r) => Some((r.key.ssrc, r.ended)),
            _ => None,
        })
        .collect();
    assert_eq!(
        ended,
        [(5, Some(EndReason::Idle)), (6, Some(EndReason::Idle))]
    );
    assert_eq!(s.analyzer.live_streams(), 0);
    assert_eq!(s.analyzer.report().streams.len(), 2);
}

#[test]
fn the_last_report_hands_over_what_a_snapshot_copies() {
    // Two streams ended (idle), one still live: `take_report` is `report`, moved out.
    let mut s = Sender::new(short_idle());
    for i in 0..10u16 {
        s.send(20.0 * f64::from(i), i, 160 * u32::from(i), 0, false, 5);
    }
    s.send(220.0, 500, 0, 0, false, 6);
    for i in 0..10u16 {
        s.send(
            5000.0 + 20.0 * f64::from(i),
            i,
            160 * u32::from(i),
            0,
            false,
            7,
        );
    }
    let snapshot = s.analyzer.report();
    assert_eq!(snapshot.streams.len(), 3);
    assert_eq!(s.analyzer.live_streams(), 1);
    let taken = s.analyzer.take_report();
    assert_eq!(taken, snapshot);
    // The ended reports went with it; the live stream stays.
    let after = s.analyzer.report();
    let ssrcs: Vec<u32> = after.streams.iter().map(|r| r.key.ssrc).collect();
    assert_eq!(ssrcs, [7]);
}

#[test]
fn nothing_is_measured_across_a_sender_restart() {
    // 20 ms PCMU, perfectly paced; after 100 packets the sender restarts its numbering
    // (+5000) and timestamps (+1 000 000 units, 125 s) under the same SSRC.
    let mut s = Sender::new(AnalyzerConfig::default());
    for i in 0..200u32 {
        let (seq, ts) = if i < 100 {
            (1000 + i, 160 * i)
        } else {
            (6000 + i, 1_000_000 + 160 * i)
        };
        s.send(20.0 * f64::from(i), seq as u16, ts, 0, false, 7);
    }
    s.analyzer.finish();
    let report = s.analyzer.report();
    let r = &report.streams[0];
    assert_eq!((r.restarts, r.seq_jumps), (1, 0));
    assert_eq!((r.packets, r.expected, r.lost), (200, 200, 0));
    // Measured across the restart, D would be 125 s: J = 7.8 s, decaying.
    assert_on_time_and_steady(r);
}

/// A stream sent on time by a steady clock: no jitter and no drift.
fn assert_on_time_and_steady(r: &rtpscope_core::StreamReport) {
    assert_eq!(r.jitter_ms.max, Some(0.0));
    assert_eq!(r.jitter_ms.final_ms, Some(0.0));
    assert!(
        r.drift_ppm.is_some_and(|d| d.abs() < 1.0),
        "{:?}",
        r.drift_ppm
    );
}

/// One SSRC, 20 ms packets on time: PCMU (8 kHz, +160) for 100 packets, then Opus (48 kHz,
/// +960) until packet `opus_until`, then PCMU again (with a DTMF event to end on, whose
/// timestamp says nothing about the clock).
fn codec_switch(opus_until: u32) -> rtpscope_core::StreamReport {
    let config = AnalyzerConfig::default()
        .with_payload_type(111, "opus", 48_000)
        .with_payload_type(101, "telephone-event", 8_000);
    let mut s = Sender::new(config);
    let mut ts = 0u32;
    for i in 0..300u32 {
        let pt = match i {
            299 => 101,
            _ if (100..opus_until).contains(&i) => 111,
            _ => 0,
        };
        s.send(20.0 * f64::from(i), i as u16, ts, pt, false, 9);
        ts = ts.wrapping_add(if pt == 111 { 960 } else { 160 });
    }
    s.analyzer.finish();
    s.analyzer.report().streams.remove(0)
}

#[test]
fn a_codec_switch_to_another_clock_rate_is_timed_in_the_new_units() {
    // Timed at the first rate throughout, every Opus packet would look 100 ms off.
    let r = codec_switch(200);
    assert_eq!((r.packets, r.lost, r.payload_type_changes), (300, 0, 3));
    assert_on_time_and_steady(&r);
    // Back on PCMU: nothing to say beyond the first codec.
    assert_eq!(r.encoding.map(|e| e.to_string()).as_deref(), Some("PCMU"));
    assert_eq!((r.switched_to, r.clock_rate), (None, Some(8_000)));
}

#[test]
fn a_stream_that_ends_on_another_codec_says_which_one_its_rate_is() {
    let r = codec_switch(299);
    assert_eq!(r.payload_type_changes, 2);
    assert_on_time_and_steady(&r);
    assert_eq!(r.encoding.map(|e| e.to_string()).as_deref(), Some("PCMU"));
    assert_eq!(
        r.switched_to.map(|e| e.to_string()).as_deref(),
        Some("opus")
    );
    assert_eq!(r.clock_rate, Some(48_000));
}

/// One SSRC, 20 ms packets on time, in segments of (payload type, packets, timestamp step).
fn segments(config: AnalyzerConfig, parts: &[(u8, u32, u32)]) -> rtpscope_core::StreamReport {
    let mut s = Sender::new(config);
    let (mut i, mut ts) = (0u32, 0u32);
    for &(pt, packets, step) in parts {
        for _ in 0..packets {
            s.send(20.0 * f64::from(i), i as u16, ts, pt, false, 9);
            (i, ts) = (i + 1, ts.wrapping_add(step));
        }
    }
    s.analyzer.finish();
    s.analyzer.report().streams.remove(0)
}

#[test]
fn a_switch_is_named_only_when_the_reported_rate_is_its_codecs() {
    // Comfort noise at the end is sent beside PCMU, not instead of it.
    let r = segments(AnalyzerConfig::default(), &[(0, 100, 160), (13, 5, 160)]);
    assert_eq!((r.switched_to, r.clock_rate), (None, Some(8_000)));
    // An undescribed dynamic type first: its rate (inferred, or not yet known) is no codec's,
    // so a later PCMU is not named against it.
    for first in [10, 45, 200] {
        let r = segments(
            AnalyzerConfig::default(),
            &[(96, first, 320), (0, 100, 160)],
        );
        let named = r.switched_to.map(|e| e.to_string());
        match r.clock_rate {
            Some(8_000) => {}
            other => assert_eq!(named, None, "{first} packets of PT 96, rate {other:?}"),
        }
    }
}

#[test]
fn ssrc_flood_is_bounded_and_counted() {
    let config = AnalyzerConfig {
        max_streams: 64,
        interval: None,
        ..AnalyzerConfig::default()
    };
    let mut s = Sender::new(config);
    for i in 0..10_000u32 {
        s.send(f64::from(i) * 0.01, 0, 0, 0, false, i);
        assert!(s.analyzer.live_streams() <= 64);
    }
    let c = s.analyzer.counters();
    assert_eq!(c.streams_started, 10_000);
    assert_eq!(c.streams_evicted, 10_000 - s.analyzer.live_streams() as u64);
}

#[test]
fn a_caller_that_reads_only_reports_gets_no_events_and_no_drops() {
    let run = |events: bool| {
        let config = AnalyzerConfig {
            events,
            max_queued_events: 8,
            ..AnalyzerConfig::default()
        };
        let mut s = Sender::new(config);
        for ssrc in 0..20u32 {
            for i in 0..50u16 {
                s.send(20.0 * f64::from(i), i, 160 * u32::from(i), 0, false, ssrc);
            }
        }
        s.analyzer.finish();
        let queued = s.events().len();
        let report = s.analyzer.report();
        (queued, report)
    };
    let (queued, with) = run(true);
    assert_eq!(queued, 8);
    assert!(with.counters.events_dropped > 20, "{:?}", with.counters);
    let (queued, without) = run(false);
    assert_eq!(queued, 0);
    assert_eq!(without.counters.events_dropped, 0);
    assert_eq!(without.streams.len(), 20);
    assert_eq!(without.streams, with.streams);
}

#[test]
fn without_events_no_interval_report_is_made_and_the_reports_are_the_same() {
    let run = |events: bool| {
        let mut s = Sender::new(AnalyzerConfig {
            events,
            ..AnalyzerConfig::default()
        });
        // Five seconds of a stream that loses every 7th packet and arrives up to 9 ms late.
        for i in 0..250u16 {
            if i % 7 != 3 {
                let late = f64::from((i * 37) % 10);
                s.send(
                    20.0 * f64::from(i) + late,
                    i,
                    160 * u32::from(i),
                    0,
                    false,
                    5,
                );
            }
        }
        let next = s.analyzer.poll_timeout();
        let intervals = s
            .events()
            .iter()
            .filter(|e| matches!(e, Event::Interval(_)))
            .count();
        s.analyzer.finish();
        (intervals, next, s.analyzer.take_report())
    };
    let (intervals, next, with) = run(true);
    assert_eq!(intervals, 4, "four whole seconds closed");
    let (intervals, next_without, without) = run(false);
    assert_eq!(intervals, 0);
    // The interval timer runs either way (next at 6 s on the virtual clock, which starts at
    // 1 s): when it fires decides when the idle check is armed (below).
    assert_eq!(next, Some(Timestamp::from_nanos(6_000_000_000)));
    assert_eq!(next_without, next);
    assert_eq!(with.streams[0].lost, 36);
    assert_eq!(without.streams, with.streams);
}

#[test]
fn streams_end_at_the_same_moments_with_events_or_without() {
    // A reviewer's case: the idle check is armed by whatever timer fires first while no
    // stream is live, so skipping the interval timer without events ended B as idle rather
    // than evicted (and evicted nothing).
    let run = |events: bool| {
        let mut s = Sender::new(AnalyzerConfig {
            events,
            max_streams: 2,
            ..AnalyzerConfig::default()
        });
        let rtp = |s: &mut Sender, at_ms: f64, port: u16| {
            s.flow = Flow::new(
                format!("10.0.0.1:{port}").parse().unwrap(),
                "10.0.0.2:5004".parse().unwrap(),
            );
            s.send(at_ms, 1, 160, 0, false, 7);
        };
        rtp(&mut s, 0.0, 4000);
        // Receiver reports after the stream went idle (30 s): the first ends it, the second
        // arrives while no stream is live.
        let rr = [0x80u8, 201, 0, 1, 0, 0, 0, 9];
        let rtcp = Flow::new(
            "10.0.0.9:4001".parse().unwrap(),
            "10.0.0.2:5005".parse().unwrap(),
        );
        for at_ms in [31_500, 32_200] {
            let now = Timestamp::from_nanos(1_000_000_000 + at_ms * 1_000_000);
            s.analyzer.handle_datagram(now, rtcp, &rr).unwrap();
        }
        for (at_ms, port) in [(32_000.0, 4002), (61_500.0, 4004), (62_100.0, 4006)] {
            rtp(&mut s, at_ms, port);
        }
        s.analyzer.finish();
        s.analyzer.take_report()
    };
    let with = run(true);
    let without = run(false);
    assert_eq!(with.counters.streams_evicted, 1);
    assert_eq!(without.streams, with.streams);
    assert_eq!(
        without.counters.streams_evicted,
        with.counters.streams_evicted
    );
}

#[test]
fn clock_jumps_do_not_panic_or_flood_intervals() {
    let mut s = Sender::new(AnalyzerConfig::default());
    s.send(0.0, 0, 0, 0, false, 7);
    s.send(20.0, 1, 160, 0, false, 7);
    s.send(3.6e6, 2, 320, 0, false, 7); // an hour later
    s.send(10.0, 3, 480, 0, false, 7); // and back
    let intervals = s
        .events()
        .iter()
        .filter(|e| matches!(e, Event::Interval(_)))
        .count();
    assert!(
        intervals <= 12,
        "{intervals} interval reports after a one-hour jump"
    );
    // The hour of silence exceeds the idle timeout: the stream ended and a new one began.
    let streams = s.analyzer.report().streams;
    let counts: Vec<_> = streams
        .iter()
        .map(|r| (r.packets, r.lost, r.ended))
        .collect();
    assert_eq!(counts, [(2, 0, Some(EndReason::Idle)), (2, 0, None)]);
}

#[test]
fn intervals_carry_a3_fraction_lost() {
    let mut s = Sender::new(AnalyzerConfig::default());
    for i in 0..100u16 {
        if i % 10 == 3 && i < 50 {
            continue; // 5 of the first 50 packets lost, i.e. 10 % in the first second
        }
        s.send(20.0 * f64::from(i), i, 160 * u32::from(i), 0, false, 8);
    }
    s.analyzer
        .handle_timeout(Timestamp::from_nanos(1_000_000_000 + 3_000_000_000));
    let intervals: Vec<_> = s
        .events()
        .into_iter()
        .filter_map(|e| match e {
            Event::Interval(i) => Some(i),
            _ => None,
        })
        .collect();
    // Boundaries fall on whole seconds of the time origin: the stream starts at 1.000 s.
    assert_eq!(intervals[0].expected, 50);
    assert_eq!(intervals[0].lost, 5);
    assert_eq!(intervals[0].lost_pct, 10.0);
    assert_eq!(intervals[1].lost, 0);
}

#[test]
fn packets_later_than_a1_allows_are_late_when_their_timestamps_say_so() {
    // A packet a millisecond (as a video frame's burst sends them); numbers 10 and 11
    // arrive after 199: behind by more than MAX_MISORDER, A.1 takes the first for a jump and
    // the second, in sequence with it, for a restart. Their timestamps lie within the
    // stream's and they are 0.19 s late, so both are late packets (tshark times them too).
    let mut s = Sender::new(AnalyzerConfig::default());
    let mut order: Vec<u32> = (0..200).filter(|i| !(10..12).contains(i)).collect();
    order.extend([10, 11]);
    for (k, &i) in order.iter().enumerate() {
        s.send(k as f64, i as u16, 8 * i, 0, false, 5);
    }
    // A real restart after them: new numbers and a new timestamp origin.
    s.send(4_000.0, 30_000, 4_000_000_000, 0, false, 5);
    s.send(4_001.0, 30_001, 4_000_000_008, 0, false, 5);
    let r = &s.analyzer.report().streams[0];
    assert_eq!((r.late, r.seq_jumps, r.restarts), (2, 0, 1));
    assert_eq!((r.packets, r.expected, r.lost), (202, 202, 0));
    // Each late packet's delta (1 ms) counts: no spike, no gap.
    assert_eq!((r.delta_ms.min, r.delta_ms.max), (Some(1.0), Some(1.0)));
}

#[test]
fn strays_and_packets_before_the_first_do_not_hide_loss() {
    // 10 arrives first, then 0..=9 (sent before it), then on to 999 without the 20 numbers
    // 25, 75, ...; 20 strays from far away, one after each loss. A.3 counts lost -10 (every
    // packet received, 990 expected); 20 of the 1000 sent never came: 2 %.
    let mut s = Sender::new(AnalyzerConfig::default());
    let mut order: Vec<u32> = vec![10];
    order.extend(0..10);
    order.extend((11..1000).filter(|i| i % 50 != 25));
    for (k, &i) in order.iter().enumerate() {
        s.send(20.0 * k as f64, i as u16, 160 * i, 0, false, 6);
        if i % 50 == 26 {
            s.send(20.0 * k as f64 + 1.0, (i + 30_000) as u16, 7, 0, false, 6);
        }
    }
    let r = &s.analyzer.report().streams[0];
    assert_eq!((r.expected, r.packets, r.lost), (990, 1000, -10));
    assert_eq!((r.seq_jumps, r.late, r.restarts), (20, 10, 0));
    let truth = 20.0 * 100.0 / 990.0;
    assert!((r.missing_pct - truth).abs() < 1e-9, "{}", r.missing_pct);
}

#[test]
fn a_restart_to_the_same_numbers_is_not_taken_for_late_packets() {
    // A sender that loops: numbers and timestamps start again from 0 twenty seconds in.
    // Their timestamps lie within the stream's, but their arrivals are 20 s off schedule.
    let mut s = Sender::new(AnalyzerConfig::default());
    for round in 0..2u32 {
        for i in 0..1000u32 {
            let at = 20.0 * f64::from(round * 1000 + i);
            s.send(at, i as u16, 160 * i, 0, false, 9);
        }
    }
    let r = &s.analyzer.report().streams[0];
    assert_eq!((r.restarts, r.late, r.duplicates), (1, 0, 0));
    assert_eq!((r.expected, r.lost), (2000, 0));
    assert!(r.jitter_ms.max < Some(1.0), "{:?}", r.jitter_ms);
}

#[test]
fn a_very_late_packet_keeps_a_pending_restart_and_its_copy_is_a_duplicate() {
    // 0..300 without 180; a restart's first packet (30000); 180 very late, then its copy;
    // then the restart's numbering goes on.
    // A packet a millisecond at 8 kHz, so that 180 is 0.12 s late: 119 behind, within the
    // window of numbers seen, which tells its copy for a duplicate.
    let mut s = Sender::new(AnalyzerConfig::default());
    for i in (0..300u32).filter(|&i| i != 180) {
        s.send(f64::from(i), i as u16, 8 * i, 0, false, 3);
    }
    s.send(300.0, 30_000, 900_000, 0, false, 3);
    s.send(300.2, 180, 8 * 180, 0, false, 3);
    s.send(300.4, 180, 8 * 180, 0, false, 3);
    for i in 1..100u32 {
        let at = 300.0 + f64::from(i);
        s.send(at, 30_000 + i as u16, 900_000 + 8 * i, 0, false, 3);
    }
    let r = &s.analyzer.report().streams[0];
    assert_eq!((r.restarts, r.seq_jumps), (1, 0));
    assert_eq!((r.late, r.duplicates), (1, 1));
    // 300 numbers before the restart and 100 after, all there.
    assert_eq!((r.expected, r.packets, r.lost), (400, 401, -1));
}

#[test]
fn xr_voip_metrics_are_reported_as_the_endpoint_saw_them() {
    let mut buf = [0u8; 128];
    let n = voip_metrics_xr(&mut buf);
    let mut analyzer = rtpscope_core::Analyzer::new(AnalyzerConfig::default());
    analyzer
        .handle_datagram(Timestamp::from_millis(5), flow(), &buf[..n])
        .expect("valid XR");
    let views = analyzer.report().rtcp.xr_voip;
    assert_eq!(views.len(), 1);
    let v = views[0];
    assert_eq!((v.reporter, v.source), (0x2222, 0x1111));
    assert!((v.loss_rate - 13.0 / 256.0).abs() < 1e-12);
    assert_eq!(v.burst_density, 0.5);
    assert_eq!((v.round_trip_delay_ms, v.end_system_delay_ms), (120, 60));
    assert_eq!(
        (v.r_factor, v.mos_lq, v.mos_cq),
        (Some(78), Some(3.9), None)
    );
}

#[test]
fn an_undescribed_second_payload_type_does_not_count_for_jitter() {
    // PCMU with DTMF on PT 101 and no SDP: the events' constant timestamps must not look
    // like jitter (tshark gives such packets no clock rate either).
    let mut s = Sender::new(AnalyzerConfig::default());
    for i in 0..100u32 {
        let (pt, ts) = if (40..60).contains(&i) {
            (101, 160 * 40)
        } else {
            (0, 160 * i)
        };
        s.send(20.0 * f64::from(i), i as u16, ts, pt, false, 11);
    }
    let r = &s.analyzer.report().streams[0];
    assert_eq!(r.jitter_ms.final_ms, Some(0.0));
    assert_eq!(r.clock_rate, Some(8000));
}

#[test]
fn warming_streams_ahead_changes_no_result() {
    // More streams than the table keeps in cache, so `warm` does its work.
    const STREAMS: u32 = 3000;
    let config = AnalyzerConfig {
        max_streams: 4096,
        ..AnalyzerConfig::default()
    };
    let (mut plain, mut warmed) = (Sender::new(config.clone()), Sender::new(config));
    let mut packets = Vec::new();
    for round in 0..6u32 {
        for ssrc in 0..STREAMS {
            // Some loss and some jitter, different per stream.
            if (ssrc + round) % 7 == 0 {
                continue;
            }
            let at_ms = f64::from(round * 20) + f64::from(ssrc % 13) * 0.37;
            packets.push((
                at_ms + f64::from(ssrc) * 1e-3,
                round as u16,
                round * 160,
                ssrc,
            ));
        }
    }
    for group in packets.chunks(37) {
        // Upcoming streams, plus ones that do not exist.
        let keys = group.iter().map(|p| p.3).chain([STREAMS + 1, STREAMS + 2]);
        warmed.analyzer.warm(keys.map(|ssrc| (warmed.flow, ssrc)));
        for &(at_ms, seq, ts, ssrc) in group {
            plain.send(at_ms, seq, ts, 0, false, ssrc);
            warmed.send(at_ms, seq, ts, 0, false, ssrc);
        }
    }
    assert_eq!(warmed.analyzer.live_streams(), STREAMS as usize);
    assert_eq!(plain.events(), warmed.events());
    assert_eq!(
        format!("{:?}", plain.analyzer.report()),
        format!("{:?}", warmed.analyzer.report())
    );
}

/// One packet whose timestamp is half the 32-bit range off (a stray, or a sender bug) among
/// packets on time: it is older than the first by the unwrap, so the Wireshark rules skip it,
/// and the packets after it are still measured against the stream's clock.
#[test]
fn a_stray_timestamp_does_not_derail_the_packets_after_it() {
    let mut s = Sender::new(AnalyzerConfig::default());
    s.send(0.0, 1, 0, 0, false, 7);
    s.send(20.0, 2, 0x8000_000a, 0, false, 7);
    for i in 3..60u16 {
        s.send(
            f64::from(i - 1) * 20.0,
            i,
            u32::from(i - 1) * 160,
            0,
            false,
            7,
        );
    }
    let r = &s.analyzer.report().streams[0];
    // The packet after the stray is measured against the one before it: 40 ms, on time.
    assert_eq!((r.delta_ms.min, r.delta_ms.max), (Some(20.0), Some(40.0)));
    assert_eq!(r.jitter_ms.max, Some(0.0));
}

#[test]
fn a_recent_report_keeps_live_streams_and_those_ended_within_the_window() {
    let config = short_idle();
    let mut s = Sender::new(config);
    // SSRC 1 stops at 0.2 s, SSRC 2 at 60.2 s, SSRC 3 at 100.2 s; SSRC 4 is live at 130 s.
    for (ssrc, start_ms) in [(1u32, 0.0), (2, 60_000.0), (3, 100_000.0), (4, 129_000.0)] {
        for i in 0..10u16 {
            s.send(
                start_ms + 20.0 * f64::from(i),
                i,
                160 * u32::from(i),
                0,
                false,
                ssrc,
            );
        }
    }
    s.send(130_000.0, 50, 8000, 0, false, 4);
    s.events();
    let ssrcs = |r: rtpscope_core::AnalysisReport| -> Vec<u32> {
        r.streams.iter().map(|x| x.key.ssrc).collect()
    };
    assert_eq!(ssrcs(s.analyzer.report()), [1, 2, 3, 4]);
    // 1 and 2 ended long before 130 s; 3 ended 30 s ago.
    assert_eq!(
        ssrcs(s.analyzer.report_recent(Duration::from_secs(60))),
        [3, 4]
    );
    assert_eq!(
        ssrcs(s.analyzer.report_recent(Duration::from_secs(75))),
        [2, 3, 4]
    );
    assert_eq!(ssrcs(s.analyzer.report_recent(Duration::from_secs(0))), [4]);
    let everything = s.analyzer.report_recent(Duration::from_secs(1_000));
    assert_eq!(everything, s.analyzer.report());
}

#[test]
fn rtcp_cut_by_the_capture_is_read_up_to_its_last_whole_packet() {
    use rtpscope_core::DatagramError;
    use rtpscope_wire::{PacketKind, RtcpError};
    let mut buf = [0u8; 160];
    let n = voip_metrics_xr(&mut buf);
    // A BYE for the XR's sender after it, of which the capture kept the first word.
    buf[n..n + 8].copy_from_slice(&[0x81, 203, 0, 1, 0, 0, 0x22, 0x22]);
    let now = Timestamp::from_millis(5);
    let mut analyzer = rtpscope_core::Analyzer::new(AnalyzerConfig::default());
    assert_eq!(
        analyzer.handle_cut_datagram(now, flow(), &buf[..n + 4], n + 8),
        Ok(PacketKind::Rtcp)
    );
    assert_eq!(analyzer.report().rtcp.xr_voip.len(), 1);
    // Cut inside its first packet, there is nothing to read: counted as malformed.
    let err = analyzer.handle_cut_datagram(now, flow(), &buf[..n - 4], n + 8);
    assert!(
        matches!(err, Err(DatagramError::Rtcp(RtcpError::Truncated { .. }))),
        "{err:?}"
    );
    // SRTCP: what follows the first packet is encrypted, so the first packet (its
    // cleartext length, encrypted content) is not read either.
    buf[n..n + 4].copy_from_slice(&[0x5e, 0x17, 0xa9, 0x02]);
    let err = analyzer.handle_cut_datagram(now, flow(), &buf[..n + 4], n + 24);
    assert!(
        matches!(err, Err(DatagramError::Rtcp(RtcpError::Truncated { .. }))),
        "{err:?}"
    );
    let c = analyzer.report().counters;
    assert_eq!((c.rtcp_packets, c.rtcp_malformed), (1, 2));
    assert_eq!(analyzer.report().rtcp.xr_voip.len(), 1);
}

/// An XR from 0x2222 with VoIP metrics about 0x1111, emitted into `buf`; its length.
fn voip_metrics_xr(buf: &mut [u8]) -> usize {
    use rtpscope_wire::rtcp::xr::{VoipMetrics, XrBlockRepr, XrRepr};
    let metrics = VoipMetrics {
        ssrc: 0x1111,
        loss_rate: 13, // 13/256 = 5.1 %
        discard_rate: 3,
        burst_density: 128, // 50 %
        gap_density: 2,
        burst_duration: 80,
        gap_duration: 4000,
        round_trip_delay: 120,
        end_system_delay: 60,
        signal_level: -20,
        noise_level: -60,
        rerl: 127,
        gmin: 16,
        r_factor: 78,
        ext_r_factor: 127,
        mos_lq: 39,
        mos_cq: 127, // unavailable
        rx_config: 0,
        jb_nominal: 40,
        jb_maximum: 80,
        jb_abs_max: 200,
    };
    let mut xr = XrRepr {
        ssrc: 0x2222,
        blocks: Default::default(),
    };
    xr.blocks
        .push(XrBlockRepr::VoipMetrics(metrics))
        .expect("room for a block");
    xr.emit(buf).expect("emit")
}

#[test]
fn timestamps_at_the_end_of_time_neither_hang_nor_overflow() {
    use rtpscope_core::diagnosis::{diagnose, Thresholds};
    use rtpscope_core::Analyzer;
    use rtpscope_wire::rtp::RtpRepr;
    // A capture whose clock reads near u64::MAX nanoseconds (a pcapng timestamp saturates
    // there): the interval timer cannot move past the end, and two SSRCs on one flow are
    // compared near it.
    let mut a = Analyzer::new(AnalyzerConfig::default());
    let f = flow();
    let mut buf = [0u8; 200];
    for k in 0..150u32 {
        let repr = RtpRepr {
            sequence_number: k as u16,
            timestamp: k * 160,
            ssrc: 1 + k % 2,
            payload: &[0x55; 160],
            ..RtpRepr::default()
        };
        let n = repr.emit(&mut buf).expect("emit");
        let at = u64::MAX - 3_000_000_000 + u64::from(k) * 20_000_000;
        let _ = a.handle_datagram(Timestamp::from_nanos(at), f, &buf[..n]);
        while a.poll_event().is_some() {}
    }
    a.handle_timeout(Timestamp::from_nanos(u64::MAX));
    while a.poll_event().is_some() {}
    a.finish();
    let report = a.report();
    assert_eq!(report.streams.len(), 2);
    let _ = diagnose(&report, &[], &Thresholds::default());
}
