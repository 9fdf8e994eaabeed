//! What the pipeline hands back: events, snapshots and the final report.

use rtpscope_capture::{DetectorStats, DropCounters, MediaEndpoint, SipCall};
use std::collections::HashMap;

use rtpscope_core::diagnosis::CallHint;
use rtpscope_core::{AnalysisReport, Event};

/// Loss accounting of one worker shard.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ShardDrops {
    /// Shard index.
    pub shard: usize,
    /// Packets (RTP and RTCP) the source dispatched to this shard, delivered or not.
    pub dispatched: u64,
    /// Packets dropped because the shard's channel was full ([`crate::Policy::DropNewest`])
    /// or the worker had gone.
    pub dropped: u64,
    /// Analyzer events not forwarded because the event channel was full.
    pub events_dropped: u64,
}

/// Counters of the source thread.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SourceCounters {
    /// Frames read and why some carried no UDP datagram.
    pub capture: DropCounters,
    /// RTP flow detection.
    pub detector: DetectorStats,
    /// Held packets of flows still undecided at the end that never looked like RTP.
    pub unconfirmed_dropped: u64,
    /// SIP messages seen.
    pub sip_messages: u64,
    /// UDP datagrams that were neither confirmed RTP, RTCP nor SIP.
    pub other_udp: u64,
    /// Datagrams the capture cut short (its snap length) that could not be analysed: RTCP
    /// cut inside its first packet, SIP, anything else whose content is missing. (Cut RTCP
    /// is analysed up to its last whole packet.)
    pub cut_unanalysed: u64,
    /// Whether a stop was requested before the end of input.
    pub stopped: bool,
    /// The error that ended the input early, if any (frames before it were analysed).
    pub error: Option<String>,
}

/// What SIP signalling taught the pipeline.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SipHints {
    /// Calls by Call-ID.
    pub calls: Vec<SipCall>,
    /// Media endpoints from SDP, with their payload types.
    pub media: Vec<MediaEndpoint>,
}

impl SipHints {
    /// Calls named by SIP, for [`rtpscope_core::diagnosis::diagnose`]: each with the media
    /// endpoints of both parties and the times of its signalling, in the order first seen
    /// (found by Call-ID through an index: a capture may hold thousands of calls).
    pub fn call_hints(&self) -> Vec<CallHint> {
        let call_of: HashMap<&str, &SipCall> =
            self.calls.iter().map(|c| (c.call_id.as_str(), c)).collect();
        let mut hints: Vec<CallHint> = Vec::new();
        let mut hint_of: HashMap<&str, usize> = HashMap::new();
        for m in &self.media {
            match hint_of
                .get(m.call_id.as_str())
                .and_then(|&h| hints.get_mut(h))
            {
                Some(h) => {
                    if !h.endpoints.contains(&m.addr) {
                        h.endpoints.push(m.addr);
                    }
                }
                None => {
                    hint_of.insert(&m.call_id, hints.len());
                    let call = call_of.get(m.call_id.as_str());
                    hints.push(CallHint {
                        call_id: m.call_id.clone(),
                        endpoints: vec![m.addr],
                        from: call.map(|c| c.first_seen),
                        until: call.and_then(|c| c.ended),
                    });
                }
            }
        }
        hints
    }
}

/// The complete result of a run.
#[derive(Debug, Clone, PartialEq)]
pub struct FinalReport {
    /// Every shard's analysis merged ([`crate::merge_reports`]).
    pub report: AnalysisReport,
    /// Per-shard loss accounting.
    pub drops: Vec<ShardDrops>,
    /// Source-side counters.
    pub source: SourceCounters,
    /// SIP calls and SDP endpoints.
    pub sip: SipHints,
}

impl FinalReport {
    /// Packets dropped between source and workers, all shards together.
    pub fn dropped(&self) -> u64 {
        self.drops.iter().map(|d| d.dropped).sum()
    }
}

/// The live state: every shard's current report merged, and the loss so far.
#[derive(Debug, Clone, PartialEq)]
pub struct Snapshot {
    /// Sequence number (periodic snapshots count up from 0; on-demand ones are `u64::MAX`).
    pub seq: u64,
    /// Merged current report of all shards.
    pub report: AnalysisReport,
    /// Per-shard loss accounting so far.
    pub drops: Vec<ShardDrops>,
}

/// Something the pipeline reports while it runs.
// Events are frequent and snapshots rare: the rare one is boxed, the frequent one is not.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq)]
pub enum PipelineEvent {
    /// An analyzer event. Stream ids are per shard: `(shard, id)` is unique.
    Analyzer {
        /// The shard that emitted it.
        shard: usize,
        /// The event.
        event: Event,
    },
    /// A periodic snapshot (see [`crate::PipelineBuilder::snapshot_every`]).
    Snapshot(Box<Snapshot>),
}

/// Loss counters shared by the source (which dispatches and drops), the collector (which
/// drops events) and snapshot readers. Updated once per batch, never per packet.
#[derive(Debug, Default)]
pub(crate) struct ShardCounters {
    pub dispatched: std::sync::atomic::AtomicU64,
    pub dropped: std::sync::atomic::AtomicU64,
    pub events_dropped: std::sync::atomic::AtomicU64,
}

/// Reads every shard's counters.
pub(crate) fn read_drops(counters: &[ShardCounters]) -> Vec<ShardDrops> {
    use std::sync::atomic::Ordering::Relaxed;
    counters
        .iter()
        .enumerate()
        .map(|(shard, c)| ShardDrops {
            shard,
            dispatched: c.dispatched.load(Relaxed),
            dropped: c.dropped.load(Relaxed),
            events_dropped: c.events_dropped.load(Relaxed),
        })
        .collect()
}
