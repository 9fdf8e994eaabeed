//! Clock-rate inference for payload types with no known rate: the rate found must be the
//! stream's, or none (as tshark, which gives such a stream no jitter), never another.

use rtpscope_core::clock::ClockRateSource;
use rtpscope_core::{AnalyzerConfig, StreamReport};

mod sender;
use sender::{flow, Sender};

/// The report of the jittery Opus stream sent to an analyzer configured so.
fn jittery_opus_report(config: AnalyzerConfig) -> rtpscope_core::StreamReport {
    let mut s = Sender::new(config);
    send_jittery_opus(&mut s, |_, _| {});
    s.analyzer.report().streams.swap_remove(0)
}

#[test]
fn unknown_clock_rate_is_inferred_and_replayed_exactly() {
    let k = jittery_opus_report(AnalyzerConfig::default().with_payload_type(111, "opus", 48000));
    let i = jittery_opus_report(AnalyzerConfig::default());
    assert_eq!(i.clock_rate, Some(48000));
    assert_eq!(i.clock_rate_source, Some(ClockRateSource::Inferred));
    assert_eq!(k.clock_rate_source, Some(ClockRateSource::Config));
    assert_eq!(i.jitter_ms, k.jitter_ms);
    assert_eq!(i.delta_ms, k.delta_ms);
}

#[test]
fn a_video_clock_is_inferred_though_its_key_frame_fills_the_hold() {
    // VP8 at 30 frames/s without SDP: a key frame of 150 packets (more than are held for
    // inference, all with one timestamp), then 20 a frame, each frame a burst 0.1 ms apart
    // sent up to 6 ms late. `sdp_at`: the frame before which SDP gives the rate.
    let run_learning = |config, sdp_at: Option<u32>| {
        let mut s = Sender::new(config);
        let mut seq = 0u16;
        for frame in 0..300u32 {
            if Some(frame) == sdp_at {
                let info = rtpscope_core::PayloadInfo {
                    encoding: rtpscope_core::Encoding::new("VP8"),
                    clock_rate: 90000,
                    source: ClockRateSource::Sdp,
                };
                s.analyzer.learn_payload_type(flow().dst(), 96, info);
            }
            let packets = if frame == 0 { 150 } else { 20 };
            let wobble = f64::from((frame * 7919) % 13) * 0.5;
            for k in 0..packets {
                let at = f64::from(frame) * 100.0 / 3.0 + wobble + 0.1 * f64::from(k);
                s.send(at, seq, 3000 * frame, 96, k + 1 == packets, 7);
                seq = seq.wrapping_add(1);
            }
        }
        s.analyzer.report().streams.swap_remove(0)
    };
    let run = |config| run_learning(config, None);
    let known = run(AnalyzerConfig::default().with_payload_type(96, "VP8", 90000));
    let inferred = run(AnalyzerConfig::default());
    let rate = (inferred.clock_rate, inferred.clock_rate_source);
    assert_eq!(rate, (Some(90000), Some(ClockRateSource::Inferred)));
    // Deltas are measured throughout; jitter from two seconds in, which eight seconds later
    // has converged to the value measured from the start.
    assert_eq!(inferred.delta_ms, known.delta_ms);
    let final_ms = |r: &rtpscope_core::StreamReport| r.jitter_ms.final_ms.expect("a rate");
    let (k, i) = (final_ms(&known), final_ms(&inferred));
    assert!(
        k > 0.2 && (k - i).abs() < 1e-9,
        "known {k} ms, inferred {i} ms"
    );
    assert!(inferred.jitter_ms.max <= known.jitter_ms.max);
    // SDP one second in, while the rate waits to be inferred: jitter from there, no spike.
    let learnt = run_learning(AnalyzerConfig::default(), Some(30));
    assert_eq!(learnt.clock_rate_source, Some(ClockRateSource::Sdp));
    assert!((final_ms(&learnt) - k).abs() < 1e-9);
    assert!(learnt.jitter_ms.max <= known.jitter_ms.max);
}

/// VP8 without SDP: a key frame of `key` packets (one timestamp) paced over `key_ms`, then
/// 30 frames/s of 5 packets each with a wobble, until `seconds`.
fn paced_key_frame(config: AnalyzerConfig, key: u32, key_ms: f64, seconds: u32) -> StreamReport {
    let mut s = Sender::new(config);
    for k in 0..key {
        s.send(
            f64::from(k) * key_ms / f64::from(key),
            k as u16,
            0,
            96,
            false,
            4,
        );
    }
    let mut seq = key;
    for frame in 1..30 * seconds {
        let due = f64::from(frame) * 100.0 / 3.0;
        let start = due.max(key_ms) + f64::from((frame * 7919) % 13) * 0.4;
        for k in 0..5 {
            s.send(
                start + 0.1 * f64::from(k),
                seq as u16,
                3000 * frame,
                96,
                k == 4,
                4,
            );
            seq += 1;
        }
    }
    s.analyzer.report().streams.swap_remove(0)
}

#[test]
fn a_video_clock_is_inferred_after_a_key_frame_paced_over_seconds() {
    // 600 packets over 2.5 s: the slope over the first two seconds is all key frame, and the
    // cumulative slope passes 32 kHz on its way to 90; two-second windows find 90 kHz.
    let known = paced_key_frame(
        AnalyzerConfig::default().with_payload_type(96, "VP8", 90000),
        600,
        2500.0,
        30,
    );
    let inferred = paced_key_frame(AnalyzerConfig::default(), 600, 2500.0, 30);
    let rate = (inferred.clock_rate, inferred.clock_rate_source);
    assert_eq!(rate, (Some(90000), Some(ClockRateSource::Inferred)));
    let (k, i) = (known.jitter_ms.final_ms, inferred.jitter_ms.final_ms);
    assert!((k.unwrap() - i.unwrap()).abs() < 1e-6, "{k:?} {i:?}");
}

#[test]
fn late_inference_never_takes_a_wrong_rate() {
    for key in (150..=900).step_by(50) {
        for tenths in (10..=40).step_by(5) {
            let ms = f64::from(tenths) * 100.0;
            let r = paced_key_frame(AnalyzerConfig::default(), key, ms, 20);
            assert!(
                matches!(r.clock_rate, None | Some(90000)),
                "key frame of {key} packets over {ms} ms: {:?}",
                r.clock_rate
            );
        }
    }
}

#[test]
fn a_clock_rate_of_zero_is_no_rate_and_the_rate_is_inferred() {
    // Told "opus/0" (a slip in configuration or SDP): no clock to time packets by, so the
    // stream is measured as if nothing had been said, not at a rate of 0.
    let z = jittery_opus_report(AnalyzerConfig::default().with_payload_type(111, "opus", 0));
    let u = jittery_opus_report(AnalyzerConfig::default());
    let rate = (z.clock_rate, z.clock_rate_source);
    assert_eq!(rate, (Some(48000), Some(ClockRateSource::Inferred)));
    // The encoding named stays: only its clock said nothing.
    assert_eq!(
        z.encoding.map(|e| e.as_str().to_owned()),
        Some("opus".into())
    );
    assert_eq!((z.jitter_ms, z.delta_ms), (u.jitter_ms, u.delta_ms));
}

#[test]
fn a_snapshot_during_rate_inference_does_not_change_the_result() {
    let run = |snapshot_at: Option<u32>| {
        let mut s = Sender::new(AnalyzerConfig::default());
        send_jittery_opus(&mut s, |s, i| {
            if Some(i) == snapshot_at {
                // Live table refresh: the rate is not known yet, and must not be fixed here.
                let early = s.analyzer.streams();
                assert_eq!(early[0].packets, u64::from(i) + 1);
            }
        });
        s.analyzer.report().streams[0].clone()
    };
    let quiet = run(None);
    let looked_at = run(Some(5));
    assert_eq!(quiet.clock_rate, Some(48000));
    assert_eq!(looked_at.jitter_ms, quiet.jitter_ms);
    assert_eq!(looked_at.clock_rate_source, quiet.clock_rate_source);
}

/// 300 Opus packets (PT 111, 20 ms, 48 kHz) with a deterministic arrival wobble; `after`
/// runs after each packet.
fn send_jittery_opus(s: &mut Sender, mut after: impl FnMut(&mut Sender, u32)) {
    for i in 0..300u32 {
        let wobble = f64::from((i * 7919) % 13) * 0.7;
        s.send(
            20.0 * f64::from(i) + wobble,
            i as u16,
            960 * i,
            111,
            false,
            10,
        );
        after(s, i);
    }
}

/// Opus-like audio (48 kHz, 20 ms) without SDP whose first `preroll` packets are sent in a
/// 100 ms burst (so the held packets fit no rate), then in real time; from `ramp_at` ms the
/// queue in front of it grows by `growth` seconds per second for `ramp_ms`.
fn audio_behind_a_growing_queue(
    preroll: u32,
    ramp_at: f64,
    growth: f64,
    ramp_ms: f64,
) -> StreamReport {
    let mut s = Sender::new(AnalyzerConfig::default());
    for i in 0..1500u32 {
        let mut at = if i < preroll {
            f64::from(i) * 100.0 / f64::from(preroll)
        } else {
            f64::from(i - preroll) * 20.0 + 100.0
        };
        if at > ramp_at {
            at += growth * (at - ramp_at).min(ramp_ms);
        }
        let wobble = f64::from((i * 7919) % 7) * 0.3;
        s.send(at + wobble, i as u16, 960 * i, 111, false, 12);
    }
    s.analyzer.report().streams.swap_remove(0)
}

#[test]
fn a_growing_queue_does_not_bend_an_audio_clock_into_another() {
    // A queue growing 8 % for 4 s makes two 2-s windows of 48 kHz audio measure 44.1 kHz.
    for preroll in [60, 120] {
        for ramp_at in (1500..8000).step_by(650) {
            for growth in [0.05, 0.08, 0.1] {
                for ramp_ms in [4000.0, 100_000.0] {
                    let r =
                        audio_behind_a_growing_queue(preroll, f64::from(ramp_at), growth, ramp_ms);
                    assert!(
                        matches!(r.clock_rate, None | Some(48000)),
                        "pre-roll {preroll}, queue growing {growth} from {ramp_at} ms for \
                         {ramp_ms} ms: {:?}",
                        r.clock_rate
                    );
                }
            }
        }
    }
}

/// Video (30 frames/s, 5 packets a frame, 90 kHz) without SDP through a bottleneck that
/// forwards `per_second` packets a second in order: key frames of `key` packets at the start
/// and of `second_key` packets at frame `second_at` queue the frames behind them.
fn video_through_a_bottleneck(
    key: u32,
    second_at: u32,
    second_key: u32,
    per_second: f64,
) -> StreamReport {
    let mut s = Sender::new(AnalyzerConfig::default());
    let (mut seq, mut departed) = (0u16, f64::NEG_INFINITY);
    for frame in 0..900u32 {
        let captured = f64::from(frame) * 100.0 / 3.0;
        let packets = match frame {
            0 => key,
            f if f == second_at => second_key,
            _ => 5,
        };
        for k in 0..packets {
            departed = captured.max(departed + 1000.0 / per_second);
            let wobble = f64::from((frame * 7919 + k) % 13) * 0.05;
            s.send(
                departed + wobble,
                seq,
                3000 * frame,
                96,
                k + 1 == packets,
                13,
            );
            seq = seq.wrapping_add(1);
        }
    }
    s.analyzer.report().streams.swap_remove(0)
}

#[test]
fn a_bottleneck_draining_key_frames_does_not_pass_for_another_clock() {
    // While a backlog drains, arrivals run at the bottleneck's pace, not the clock's: the
    // slope over the first seconds blends the key frame's single timestamp with the frames
    // queued behind it (32 or 48 kHz), and windows measure the drain.
    for (key, per_second) in [(200, 160.0), (300, 240.0), (200, 153.0), (500, 200.0)] {
        for second_at in (60..=300).step_by(48) {
            for second_key in [150, 300, 420] {
                let r = video_through_a_bottleneck(key, second_at, second_key, per_second);
                assert!(
                    matches!(r.clock_rate, None | Some(90000)),
                    "key frames {key} and {second_key} (frame {second_at}) at {per_second} \
                     packets/s: {:?}",
                    r.clock_rate
                );
            }
        }
    }
}

/// Sends `(at_ms, timestamp)` pairs with consecutive sequence numbers on payload type `pt`.
fn sent(packets: impl IntoIterator<Item = (f64, u32)>, pt: u8) -> StreamReport {
    let mut s = Sender::new(AnalyzerConfig::default());
    for (i, (at, ts)) in packets.into_iter().enumerate() {
        s.send(at, i as u16, ts, pt, false, 14);
    }
    s.analyzer.report().streams.swap_remove(0)
}

/// Opus (48 kHz, 20 ms) whose first packet gets through, then the path stalls for `stall`
/// ms; the backlog (a pre-roll of `preroll` packets and what was sent meanwhile) arrives at
/// 20 k packets/s, then packets come in real time.
fn opus_after_a_stall(stall: f64, preroll: u32) -> StreamReport {
    sent(
        (0..600u32).map(|i| {
            let sent_at = f64::from(i.saturating_sub(preroll)) * 20.0;
            let backlog_out = stall + 0.05 * f64::from(i);
            let at = if i == 0 {
                0.0
            } else {
                sent_at.max(backlog_out)
            };
            (at, 960 * i)
        }),
        111,
    )
}

#[test]
fn a_stall_at_the_start_does_not_bend_an_audio_clock_into_another() {
    // The held packets' slope blends the backlog with real time: 24, 16 or 44.1 kHz after
    // a stall of one to two seconds, 90 after shorter ones with a pre-roll.
    let mut found = 0;
    for stall in (100..=1900).step_by(75) {
        for preroll in [0, 10, 20, 40, 80] {
            let r = opus_after_a_stall(f64::from(stall), preroll);
            assert!(
                matches!(r.clock_rate, None | Some(48000)),
                "{stall} ms stall, pre-roll {preroll}: {:?}",
                r.clock_rate
            );
            found += usize::from(r.clock_rate.is_some());
        }
    }
    // A short stall leaves the slope well determined.
    assert!(found > 0);
}

/// Audio at `rate` with `ptime_ms` packets for `seconds`: the first `slow` packets are sent
/// 5 ms apart, and from `ramp_at` ms a queue grows by `growth` seconds per second (a
/// negative growth drains it) for `ramp_ms`.
fn audio(rate: u32, ptime_ms: f64, seconds: f64, slow: u32, ramp: (f64, f64, f64)) -> StreamReport {
    let (ramp_at, growth, ramp_ms) = ramp;
    let units = (f64::from(rate) * ptime_ms / 1000.0) as u32;
    let packets = (seconds * 1000.0 / ptime_ms) as u32;
    sent(
        (0..packets).map(|i| {
            let mut at = if i < slow {
                f64::from(i) * 5.0
            } else {
                f64::from(slow) * 5.0 + f64::from(i - slow) * ptime_ms
            };
            if at > ramp_at {
                at += growth * (at - ramp_at).min(ramp_ms);
            }
            let wobble = f64::from((i * 7919) % 7) * 0.05;
            (at + wobble, units.wrapping_mul(i))
        }),
        97,
    )
}

#[test]
fn rates_off_the_table_are_not_taken_for_a_common_one() {
    // 96 and 88.2 kHz are not inferred (too near 90 kHz video to tell apart by slope), so
    // such a stream must get no rate at all: not from a slow start bending the slope of
    // 128 packets of 1 ms onto 90 kHz, nor from a queue growing or draining for seconds.
    let none = |r: StreamReport, what: &str| assert_eq!(r.clock_rate, None, "{what}");
    for slow in [10, 20, 30, 40] {
        for ptime in [1.0, 2.0, 4.0] {
            let r = audio(96000, ptime, 20.0, slow, (0.0, 0.0, 0.0));
            none(r, &format!("96 kHz, {ptime} ms, {slow} slow"));
        }
    }
    for ramp_at in [3000.0, 5500.0, 9000.0] {
        for growth in [0.055, 0.065, 0.075] {
            let r = audio(96000, 1.0, 30.0, 0, (ramp_at, growth, 6000.0));
            none(
                r,
                &format!("96 kHz, queue growing {growth} from {ramp_at} ms"),
            );
        }
        for growth in [-0.011, -0.015, -0.018] {
            let r = audio(88200, 20.0, 40.0, 100, (ramp_at, growth, 6000.0));
            none(
                r,
                &format!("88.2 kHz, queue draining {growth} from {ramp_at} ms"),
            );
        }
    }
}

#[test]
fn low_rate_video_after_a_paced_key_frame_gets_its_clock() {
    // A key frame of 40 packets 5 ms apart, then one or two packets a frame at 25 fps: the
    // slope of the first two seconds sits just over 4 % from 90 kHz, so the held packets fit
    // no rate; the two-second windows that follow find it.
    for extra in [0, 1, 2] {
        let mut packets = Vec::new();
        for k in 0..40u32 {
            packets.push((f64::from(k) * 5.0, 0));
        }
        for frame in 1..250u32 {
            let due = f64::from(frame) * 40.0 + f64::from((frame * 7919) % 11) * 0.8;
            for k in 0..1 + (frame + extra) % 2 {
                packets.push((due.max(200.0) + f64::from(k) * 0.2, 3600 * frame));
            }
        }
        let r = sent(packets, 96);
        assert_eq!(r.clock_rate, Some(90000), "pattern {extra}");
    }
}

#[test]
fn one_packet_then_seconds_of_silence_is_not_the_whole_story() {
    // A first packet, then silence suppressed without comfort noise for 2.5 s: two held
    // packets span the two seconds, but tell nothing of the slope's certainty.
    let mut packets = vec![(0.0, 0)];
    for i in 125..400u32 {
        packets.push((
            f64::from(i) * 20.0 + f64::from((i * 7919) % 7) * 0.5,
            960 * i,
        ));
    }
    assert_eq!(sent(packets, 111).clock_rate, Some(48000));
}

/// A call on `codec` (PT 111 here, unless `voice_pt`) with RFC 3389 comfort noise on PT 13,
/// 8 kHz on paper, every 200 ms of the silence over `silence` (packet indices), stamped on
/// the codec's clock as senders do; `dtmf`: packets on PT 101 replace voice packets 100-104.
fn call_with_comfort_noise(
    config: AnalyzerConfig,
    voice_pt: u8,
    units: u32,
    silence: core::ops::Range<u32>,
    dtmf: bool,
) -> StreamReport {
    let mut s = Sender::new(config);
    let mut seq = 0u16;
    for i in 0..500u32 {
        let silent = silence.contains(&i);
        if silent && i % 10 != 0 {
            continue;
        }
        let (pt, ts) = match i {
            _ if silent => (13, units * i),
            100..=104 if dtmf => (101, units * 100),
            _ => (voice_pt, units * i),
        };
        let wobble = f64::from((i * 7919) % 13) * 0.3;
        s.send(f64::from(i) * 20.0 + wobble, seq, ts, pt, false, 15);
        seq = seq.wrapping_add(1);
    }
    s.analyzer.report().streams.swap_remove(0)
}

#[test]
fn comfort_noise_on_its_static_type_keeps_the_codecs_clock() {
    let opus = || AnalyzerConfig::default().with_payload_type(111, "opus", 48000);
    let plain = call_with_comfort_noise(opus(), 111, 960, 0..0, false);
    assert!(plain.jitter_ms.final_ms.is_some_and(|j| j > 0.5));
    // Comfort noise in the middle of the call, with Opus described or not: 48 kHz all along.
    for config in [opus(), AnalyzerConfig::default()] {
        let r = call_with_comfort_noise(config, 111, 960, 100..200, false);
        assert_eq!((r.clock_rate, r.payload_type), (Some(48000), 111));
    }
    // At the start of the call, then described DTMF, then Opus: timed from Opus on, on its
    // clock (before, at 8 kHz: a jitter of hundreds of milliseconds).
    let dtmf = opus().with_payload_type(101, "telephone-event", 8000);
    for config in [opus(), dtmf] {
        let r = call_with_comfort_noise(config, 111, 960, 0..100, true);
        assert_eq!((r.clock_rate, r.payload_type), (Some(48000), 111));
        assert_eq!((r.packets, r.lost), (410, 0));
        let j = r.jitter_ms.final_ms.expect("a clock");
        assert!(
            (j - plain.jitter_ms.final_ms.unwrap()).abs() < 1.0,
            "{j} ms"
        );
    }
}

#[test]
fn undescribed_dtmf_after_comfort_noise_is_not_taken_for_the_codec() {
    // Silence first, then a key pressed before anyone spoke, with no SDP: PT 101 could be
    // anything, so the call stays on the clock it had (PCMU's and comfort noise's 8 kHz) and
    // PCMU, the first codec described, is the stream's codec.
    let r = call_with_comfort_noise(AnalyzerConfig::default(), 0, 160, 0..100, true);
    assert_eq!((r.clock_rate, r.payload_type), (Some(8000), 0));
    assert!(r.jitter_ms.final_ms.is_some_and(|j| j < 5.0));
    assert!(r.mos_lq.is_some());
}

/// A small deterministic generator (SplitMix64).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> f64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        ((z ^ (z >> 31)) >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// A call of `seconds` at `rate` with `ptime_ms` packets through a Wi-Fi-like network:
/// jitter up to `jitter_ms`, a delay spike of 100-200 ms now and then, `loss` of packets.
fn wifi_call(
    rate: u32,
    ptime_ms: f64,
    seconds: f64,
    jitter_ms: f64,
    loss: f64,
    seed: u64,
) -> StreamReport {
    let mut rng = Rng(seed);
    let units = (f64::from(rate) * ptime_ms / 1000.0) as u32;
    let mut spike_left = 0.0f64;
    let mut packets = Vec::new();
    for i in 0..(seconds * 1000.0 / ptime_ms) as u32 {
        let sent = f64::from(i) * ptime_ms;
        if rng.next() < ptime_ms / 2000.0 {
            spike_left = 100.0 + 100.0 * rng.next();
        }
        let delay = jitter_ms * (rng.next() + rng.next()) / 2.0 + spike_left;
        spike_left = (spike_left - ptime_ms).max(0.0);
        if rng.next() >= loss {
            packets.push((sent + delay, units.wrapping_mul(i)));
        }
    }
    // Arrival order, as a capture sees it.
    packets.sort_by(|a, b| a.0.total_cmp(&b.0));
    sent(packets, 97)
}

#[test]
fn ordinary_calls_over_wifi_get_their_clock_or_none_never_another() {
    let mut found = 0;
    let mut calls = 0;
    for (rate, ptime) in [
        (8000, 20.0),
        (8000, 30.0),
        (16000, 20.0),
        (48000, 20.0),
        (48000, 60.0),
    ] {
        for (jitter, loss) in [(5.0, 0.0), (20.0, 0.02), (40.0, 0.1)] {
            for seed in 0..12 {
                let r = wifi_call(rate, ptime, 6.0, jitter, loss, seed * 7 + u64::from(rate));
                assert!(
                    matches!(r.clock_rate, Some(x) if x == rate) || r.clock_rate.is_none(),
                    "{rate} Hz, {ptime} ms, jitter {jitter} ms, loss {loss}, seed {seed}: {:?}",
                    r.clock_rate
                );
                calls += 1;
                found += usize::from(r.clock_rate.is_some());
            }
        }
    }
    // Nearly all are inferred (176 of 180 when written).
    assert!(found * 10 >= calls * 9, "{found} of {calls} inferred");
}
