//! Multi-core RTP analysis: one source thread, N worker shards, no shared state.
//!
//! ```text
//!  capture ──► source ──batches──► worker 0 (Analyzer) ──┐
//!   (file,     detector,           worker 1 (Analyzer) ──┼──► collector ──► events,
//!    live)     SIP/SDP,  ◄─pool──  worker …            ──┘                  snapshots, final report
//!              RTP parse
//! ```
//!
//! The source parses each frame in place, runs RTP flow detection and SIP/SDP learning, and
//! deals compact records (arrival time, flow, parsed [`rtpscope_core::RtpHeader`]; RTCP as
//! bytes) into per-shard batches that are recycled through a return channel. A flow belongs
//! to the shard its unordered endpoint pair hashes to, so both directions of a call and its
//! RTCP meet, and every stream has exactly one owner: no lock is taken on the packet path.
//! Each batch carries the latest capture time so every shard's timers advance. The final
//! report merges every shard's ([`merge_reports`]) and, for streams, equals what one
//! [`rtpscope_core::Analyzer`] fed the same datagrams reports.
//!
//! Input that can be read more than once (a file, a capture in memory) can instead be read
//! by every worker ([`PipelineBuilder::spawn_sharded`]): each reads all frames, keeps its own
//! shard's flows and every SIP message, and analyses them inline, so there is no source
//! thread and no channel on the packet path and N workers use N cores for all of the work.
//! The results are the same as with a source thread.
//!
//! On a machine with few cores the source thread can also analyse a share of the flows itself
//! ([`PipelineConfig::reader_share`]): worker 0 then runs inside it, so N workers use N
//! threads. Reading a file costs less than a worker's analysis, and with two cores a source
//! that keeps [`SUGGESTED_READER_SHARE`] of the flows balances the two threads.
//!
//! ```
//! use rtpscope_capture::{synth, CaptureReader, PcapWriter};
//! use rtpscope_pipeline::{Pipeline, Policy};
//!
//! let mut w = PcapWriter::new(Vec::new(), rtpscope_capture::decap::linktype::ETHERNET).unwrap();
//! let cfg = synth::SynthConfig { calls: 4, duration: std::time::Duration::from_secs(2), ..Default::default() };
//! let truth = synth::generate(&cfg, &mut w).unwrap();
//! let bytes = w.into_inner().unwrap();
//!
//! let (handle, events) = Pipeline::builder()
//!     .workers(2)
//!     .policy(Policy::Block)
//!     .spawn(CaptureReader::new(std::io::Cursor::new(bytes)).unwrap())
//!     .unwrap();
//! let done = handle.join().unwrap();
//! assert_eq!(done.report.streams.len(), truth.len());
//! assert_eq!(done.dropped(), 0);
//! assert!(events.try_iter().count() > 0); // StreamStarted, Interval, StreamEnded, ...
//! ```
#![deny(missing_docs)]
#![forbid(unsafe_code)]

mod bench;
mod builder;
mod capped;
mod collector;
mod error;
mod handle;
mod input;
mod merge;
mod policy;
mod record;
mod report;
mod shard;
mod source;
mod spin;
mod worker;

use std::path::Path;

pub use bench::{bench, channel_cost, synth_capture, BenchReport, Reading};
pub use builder::{Pipeline, PipelineBuilder, PipelineConfig, SUGGESTED_READER_SHARE};
pub use error::PipelineError;
pub use handle::PipelineHandle;
pub use input::{FrameSource, Poll};
pub use merge::merge_reports;
pub use policy::Policy;
pub use report::{FinalReport, PipelineEvent, ShardDrops, SipHints, Snapshot, SourceCounters};

/// Analyses a capture file (or `-` for standard input) to the end and returns the merged
/// result. Events are not collected; nothing is dropped ([`Policy::Block`] unless `config`
/// says otherwise).
pub fn run_file(path: &Path, config: &PipelineConfig) -> Result<FinalReport, PipelineError> {
    let reader = rtpscope_capture::open_path(path)?;
    let (handle, _events) = Pipeline::builder()
        .config(PipelineConfig {
            events: false,
            ..config.clone()
        })
        .spawn(reader)?;
    handle.join()
}
