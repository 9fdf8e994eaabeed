//! End-to-end throughput of an in-memory capture, for `rtpscope bench` and the benchmarks.
//!
//! The wall clock is read here and only here: to measure the run, never to analyse.

use std::time::{Duration, Instant};

use bytes::Bytes;
use rtpscope_capture::synth::{generate, Codec, SynthConfig};
use rtpscope_capture::{decap::linktype, CaptureReader, InMemory, PcapWriter};

use crate::builder::{Pipeline, PipelineConfig};
use crate::report::FinalReport;
use crate::PipelineError;

/// What one benchmark run measured.
#[derive(Debug, Clone)]
pub struct BenchReport {
    /// Worker shards.
    pub workers: usize,
    /// Frames read from the capture.
    pub frames: u64,
    /// RTP and RTCP packets analysed.
    pub packets: u64,
    /// Streams in the final report.
    pub streams: usize,
    /// Packets dropped between source and workers.
    pub dropped: u64,
    /// Wall time from start to the merged final report.
    pub elapsed: Duration,
    /// Frames per second of wall time, end to end.
    pub packets_per_sec: f64,
    /// The run's result.
    pub report: FinalReport,
}

/// How the frames reach the workers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reading {
    /// One source thread reads and deals records to the workers over channels
    /// ([`PipelineBuilder::spawn`](crate::PipelineBuilder::spawn)): the only way for a live
    /// interface.
    SourceThread,
    /// Every worker reads the input and keeps its own shard's flows
    /// ([`PipelineBuilder::spawn_sharded`](crate::PipelineBuilder::spawn_sharded)).
    Sharded,
}

/// Runs `capture` (pcap or pcapng bytes) through a pipeline configured by `config`, with
/// events off, and measures it.
pub fn bench(
    capture: Bytes,
    config: &PipelineConfig,
    reading: Reading,
) -> Result<BenchReport, PipelineError> {
    let start = Instant::now();
    let builder = Pipeline::builder().config(PipelineConfig {
        events: false,
        ..config.clone()
    });
    // Read in place: the capture is already in memory.
    let (handle, _events) = match reading {
        Reading::SourceThread => builder.spawn(CaptureReader::new(InMemory(capture))?)?,
        Reading::Sharded => {
            builder.spawn_sharded(|| Ok(CaptureReader::new(InMemory(capture.clone()))?))?
        }
    };
    let report = handle.join()?;
    let elapsed = start.elapsed();
    let frames = report.source.capture.frames;
    Ok(BenchReport {
        workers: config.workers.max(1),
        frames,
        packets: report.report.counters.rtp_packets + report.report.counters.rtcp_packets,
        streams: report.report.streams.len(),
        dropped: report.dropped(),
        elapsed,
        packets_per_sec: frames as f64 / elapsed.as_secs_f64().max(1e-9),
        report,
    })
}

/// A synthetic G.711 capture of `streams` streams (two per call, rounded up to even) with
/// `packets` packets in all, 20 ms apart per stream, with light loss, jitter and RTCP: the
/// benchmark's input. At most 131 072 streams.
pub fn synth_capture(streams: usize, packets: u64, seed: u64) -> Result<Bytes, PipelineError> {
    let calls = streams.div_ceil(2).clamp(1, 65_536);
    let per_stream = (packets / (2 * calls as u64)).max(1);
    let config = SynthConfig {
        seed,
        calls,
        duration: Duration::from_millis(20 * per_stream),
        codecs: vec![Codec::Pcmu, Codec::Pcma],
        loss_pct: 0.5,
        jitter_ms: 5.0,
        rtcp: true,
        ..SynthConfig::default()
    };
    let mut writer =
        PcapWriter::new(Vec::new(), linktype::ETHERNET).map_err(PipelineError::Synth)?;
    generate(&config, &mut writer).map_err(PipelineError::Synth)?;
    Ok(Bytes::from(
        writer.into_inner().map_err(PipelineError::Synth)?,
    ))
}

/// Wall time to move `batches` batches of `batch_size` RTP records (the pipeline's own
/// record type, 72 bytes) from one thread to another through a bounded crossbeam channel,
/// returning the emptied vectors through the pool as the pipeline does: the channel cost
/// per packet is this divided by `batches * batch_size`.
pub fn channel_cost(batch_size: usize, batches: u64) -> Duration {
    use crate::record::{Batch, Record, ToWorker};
    use rtpscope_core::payload::PayloadClass;
    use rtpscope_core::RtpHeader;
    use rtpscope_wire::{Flow, Timestamp};

    let batch_size = batch_size.max(1);
    let (tx, rx) = crossbeam_channel::bounded::<ToWorker>(64);
    let (pool_tx, pool_rx) = crossbeam_channel::bounded::<Vec<Record>>(80);
    let consumer = std::thread::spawn(move || {
        let mut sum = 0u64;
        while let Ok(ToWorker::Batch(mut b)) = rx.recv() {
            for r in b.records.drain(..) {
                if let Record::Rtp { header, .. } = r {
                    sum = sum.wrapping_add(u64::from(header.sequence_number));
                }
            }
            let _ = pool_tx.try_send(b.records);
        }
        sum
    });
    let flow = Flow::new(
        std::net::SocketAddr::from(([10, 0, 0, 1], 10_000)),
        std::net::SocketAddr::from(([10, 0, 0, 2], 20_000)),
    );
    let start = Instant::now();
    for i in 0..batches {
        let mut records = pool_rx
            .try_recv()
            .unwrap_or_else(|_| Vec::with_capacity(batch_size));
        for k in 0..batch_size {
            let header = RtpHeader {
                sequence_number: k as u16,
                timestamp: 0,
                ssrc: 1,
                payload_type: 0,
                marker: false,
                payload_len: 160,
                payload_class: PayloadClass::Unknown,
            };
            records.push(Record::Rtp {
                now: Timestamp::from_nanos(i),
                flow,
                header,
            });
        }
        if tx
            .send(ToWorker::Batch(Batch {
                records,
                time: Timestamp::from_nanos(i),
            }))
            .is_err()
        {
            break;
        }
    }
    drop(tx);
    let _ = consumer.join();
    start.elapsed()
}
