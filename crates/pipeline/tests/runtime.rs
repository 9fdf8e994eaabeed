//! Backpressure accounting, stop, snapshots and the convenience entry points.

mod common;

use std::io::Cursor;
use std::time::Duration;

use common::impaired_capture;
use rtpscope_capture::{CaptureError, CaptureReader, DropCounters, Frame, PcapWriter};
use rtpscope_pipeline::{FrameSource, Pipeline, PipelineConfig, PipelineEvent, Policy, Poll};
use rtpscope_wire::{rtp::RtpRepr, Flow, Timestamp};

/// An endless live-like source: G.711 on `flows` flows, a read timeout every 100 frames.
struct Endless {
    flows: u16,
    n: u64,
    buf: [u8; 172],
    counters: DropCounters,
}

impl Endless {
    fn new(flows: u16) -> Self {
        Endless {
            flows,
            n: 0,
            buf: [0; 172],
            counters: DropCounters::default(),
        }
    }
}

impl FrameSource for Endless {
    fn poll_frame(&mut self) -> Result<Poll<'_>, CaptureError> {
        self.n += 1;
        if self.n % 100 == 0 {
            return Ok(Poll::Idle);
        }
        let i = (self.n % u64::from(self.flows)) as u16;
        let k = self.n / u64::from(self.flows);
        let repr = RtpRepr {
            sequence_number: k as u16,
            timestamp: 160 * k as u32,
            ssrc: 1000 + u32::from(i),
            payload: &[0x55; 160],
            ..RtpRepr::default()
        };
        let len = repr.emit(&mut self.buf).unwrap_or(0);
        self.counters.frames += 1;
        self.counters.udp += 1;
        let flow = Flow::new(
            format!("10.0.0.1:{}", 20_000 + 2 * i)
                .parse()
                .expect("addr"),
            "10.0.0.2:40000".parse().expect("addr"),
        );
        let ts = Timestamp::from_nanos(1_000_000_000_000 + k * 20_000_000 + u64::from(i) * 1000);
        Ok(Poll::Frame(Frame::new(ts, flow, &self.buf[..len], self.n)))
    }

    fn drop_counters(&self) -> DropCounters {
        self.counters.clone()
    }
}

#[test]
fn stop_flushes_everything_and_every_packet_is_accounted() {
    // With and without worker 0 in the source thread.
    for (policy, share) in [
        (Policy::Block, 0.0),
        (Policy::DropNewest, 0.0),
        (Policy::Block, 0.5),
        (Policy::DropNewest, 0.5),
    ] {
        let (handle, _events) = Pipeline::builder()
            .workers(2)
            .reader_share(share)
            .policy(policy)
            .batch_size(8)
            .channel_capacity(1)
            .events(false)
            .spawn(Endless::new(50))
            .expect("spawn");
        std::thread::sleep(Duration::from_millis(300));
        let snap = handle.snapshot();
        assert_eq!(snap.drops.len(), 2);
        // Both workers answer, the one in the source thread too.
        assert_eq!(snap.report.streams.len(), 50);
        handle.stop();
        let done = handle.join().expect("join");
        assert!(done.source.stopped);
        let dispatched: u64 = done.drops.iter().map(|d| d.dispatched).sum();
        let analysed = done.report.counters.rtp_packets + done.report.counters.rtcp_packets;
        assert!(analysed > 1000, "{analysed}");
        // No packet lost without a counter saying so.
        assert_eq!(dispatched, analysed + done.dropped(), "{policy:?}");
        if policy == Policy::Block {
            assert_eq!(done.dropped(), 0);
        }
        assert_eq!(done.report.streams.len(), 50);
    }
}

#[test]
fn sharded_readers_answer_snapshots_and_stop() {
    let (handle, _events) = Pipeline::builder()
        .workers(2)
        .events(false)
        .spawn_sharded(|| Ok(Endless::new(50)))
        .expect("spawn");
    std::thread::sleep(Duration::from_millis(300));
    // Each shard answers between frames, with its own flows only.
    let snap = handle.snapshot();
    assert!(snap.report.counters.rtp_packets > 1000);
    assert!(!snap.report.streams.is_empty() && snap.report.streams.len() <= 50);
    handle.stop();
    let done = handle.join().expect("join");
    assert!(done.source.stopped);
    assert_eq!(done.dropped(), 0);
    assert_eq!(done.report.streams.len(), 50);
    let dispatched: u64 = done.drops.iter().map(|d| d.dispatched).sum();
    let analysed = done.report.counters.rtp_packets + done.report.counters.rtcp_packets;
    assert_eq!(dispatched, analysed);
}

#[test]
fn drop_newest_counts_what_a_slow_shard_loses() {
    // One-record batches into one-slot queues: the source outruns the worker.
    let capture = impaired_capture(3, 40, 4);
    let reader = CaptureReader::new(Cursor::new(capture)).expect("capture");
    let (handle, _events) = Pipeline::builder()
        .workers(2)
        .policy(Policy::DropNewest)
        .batch_size(1)
        .channel_capacity(1)
        .spawn(reader)
        .expect("spawn");
    let done = handle.join().expect("join");
    let dispatched: u64 = done.drops.iter().map(|d| d.dispatched).sum();
    let analysed = done.report.counters.rtp_packets + done.report.counters.rtcp_packets;
    assert_eq!(dispatched, analysed + done.dropped());
}

#[test]
fn events_and_periodic_snapshots() {
    let capture = impaired_capture(5, 8, 5);
    let reader = CaptureReader::new(Cursor::new(capture)).expect("capture");
    let (handle, events) = Pipeline::builder()
        .workers(3)
        .snapshot_every(Some(Duration::from_secs(1)))
        .spawn(reader)
        .expect("spawn");
    let done = handle.join().expect("join");
    let events: Vec<PipelineEvent> = events.try_iter().collect();
    let snapshots: Vec<_> = events
        .iter()
        .filter_map(|e| match e {
            PipelineEvent::Snapshot(s) => Some(s),
            _ => None,
        })
        .collect();
    assert!(snapshots.len() >= 3, "{} snapshots", snapshots.len());
    assert!(snapshots.windows(2).all(|w| w[0].seq < w[1].seq));
    let last = snapshots.last().expect("snapshot");
    assert!(last.report.counters.rtp_packets <= done.report.counters.rtp_packets);
    let ended = events
        .iter()
        .filter(|e| {
            matches!(
                e,
                PipelineEvent::Analyzer {
                    event: rtpscope_core::Event::StreamEnded(_),
                    ..
                }
            )
        })
        .count();
    assert_eq!(ended, done.report.streams.len());
    assert_eq!(done.sip.calls.len(), 1);
    assert_eq!(done.sip.media.len(), 1);
}

#[test]
fn events_beyond_the_capacity_are_dropped_and_counted() {
    let capture = impaired_capture(5, 8, 5);
    let run = |event_capacity: usize| {
        let reader = CaptureReader::new(Cursor::new(capture.clone())).expect("capture");
        let (handle, events) = Pipeline::builder()
            .config(PipelineConfig {
                workers: 2,
                event_capacity,
                ..PipelineConfig::default()
            })
            .spawn(reader)
            .expect("spawn");
        // Nobody reads until the end, so the queue fills.
        let done = handle.join().expect("join");
        let dropped: u64 = done.drops.iter().map(|d| d.events_dropped).sum();
        (events.try_iter().count() as u64, dropped)
    };
    let (all, none_dropped) = run(100_000);
    assert_eq!(none_dropped, 0);
    assert!(all > 20, "{all} events");
    let (kept, dropped) = run(5);
    assert_eq!(kept, 5);
    assert_eq!(kept + dropped, all);
}

#[test]
fn run_file_and_bench() {
    let capture = impaired_capture(9, 6, 2);
    let path = std::env::temp_dir().join(format!("rtpscope-pipeline-{}.pcap", std::process::id()));
    std::fs::write(&path, &capture).expect("write");
    let cfg = PipelineConfig {
        workers: 2,
        ..PipelineConfig::default()
    };
    let done = rtpscope_pipeline::run_file(&path, &cfg).expect("run");
    let _ = std::fs::remove_file(&path);
    assert_eq!(
        done.report.streams.len(),
        common::reference(&capture, &cfg).streams.len()
    );
    assert!(
        rtpscope_pipeline::run_file(std::path::Path::new("/nonexistent/x.pcap"), &cfg).is_err()
    );

    let bytes = rtpscope_pipeline::synth_capture(20, 2_000, 1).expect("synth");
    let b = rtpscope_pipeline::bench(bytes, &cfg, rtpscope_pipeline::Reading::SourceThread)
        .expect("bench");
    assert_eq!(b.streams, 20);
    assert!(b.packets >= 1_900 && b.packets_per_sec > 0.0, "{b:?}");
}

/// A capture of 16 flows whose time steps back every seventh frame (two interfaces merged).
fn stepping_back() -> Vec<u8> {
    let mut w = PcapWriter::new(Vec::new(), 1).expect("writer");
    for i in 0..2000u64 {
        let k = (i % 16) as u32;
        let flow = Flow::from_v4(0x0a00_0001 + k, 10_000 + 2 * k as u16, 0x0a01_0001, 20_000);
        let t = if i % 7 == 3 {
            i * 1_000_000 - 1_500_000
        } else {
            i * 1_000_000
        };
        let seq = (i / 16) as u16;
        let mut p = vec![0x80, 0, (seq >> 8) as u8, seq as u8];
        p.extend(((i / 16) as u32 * 160).to_be_bytes());
        p.extend((k + 1).to_be_bytes());
        p.extend([0xff; 160]);
        w.write_udp(Timestamp::from_nanos(1_000_000_000 + t), flow, &p)
            .expect("write");
    }
    w.into_inner().expect("capture")
}

#[test]
fn every_reading_marks_the_same_snapshots_when_they_are_due_at_every_frame() {
    let bytes = stepping_back();
    let count = |sharded: bool, reader_share: f64| {
        let builder = Pipeline::builder().config(PipelineConfig {
            workers: 2,
            reader_share,
            snapshot_every: Some(Duration::ZERO),
            ..PipelineConfig::default()
        });
        let reader = || CaptureReader::new(Cursor::new(bytes.clone()));
        let (handle, events) = if sharded {
            builder.spawn_sharded(|| Ok(reader()?))
        } else {
            builder.spawn(reader().expect("reader"))
        }
        .expect("spawn");
        let n = events
            .iter()
            .filter(|e| matches!(e, PipelineEvent::Snapshot(_)))
            .count();
        handle.join().expect("join");
        n
    };
    // Sharded readers pass over each other's frames, yet mark every due snapshot.
    let source = count(false, 0.0);
    assert_eq!(source, 2000);
    assert_eq!(count(true, 0.0), source);
    assert_eq!(count(false, 0.3), source);
}
