//! What travels from the source to the workers: compact per-packet records in pooled batches.

use std::net::SocketAddr;

use bytes::Bytes;
use crossbeam_channel::Sender;
use rtpscope_core::{AnalysisReport, PayloadInfo, RtpHeader};
use rtpscope_wire::{Flow, Timestamp};

/// One thing a worker must do, in capture order.
#[derive(Debug, Clone)]
pub(crate) enum Record {
    /// An RTP packet, already parsed by the source: the payload itself never crosses threads.
    Rtp {
        now: Timestamp,
        flow: Flow,
        header: RtpHeader,
    },
    /// An RTCP compound packet; the analyzer needs its bytes (no flow: RTCP is keyed by SSRC).
    Rtcp { now: Timestamp, datagram: Bytes },
    /// A payload type learnt from SDP, broadcast to every shard before later packets.
    Learn {
        endpoint: SocketAddr,
        payload_type: u8,
        info: PayloadInfo,
    },
}

// Every packet is copied into a batch and out again: keep the record at 72 bytes (the RTP
// variant's time, flow and header), which `bench::channel_cost` documents.
const _: () = assert!(core::mem::size_of::<Record>() <= 72);

impl Record {
    /// Whether this record is a packet (and so counts as a drop if its batch is dropped).
    pub(crate) fn is_packet(&self) -> bool {
        !matches!(self, Record::Learn { .. })
    }
}

/// A batch of records for one shard, stamped with the latest capture time the source has seen
/// so that every shard's timers advance even when it receives few packets.
#[derive(Debug, Default)]
pub(crate) struct Batch {
    /// Records in capture order.
    pub records: Vec<Record>,
    /// Latest capture time seen by the source when the batch was sent.
    pub time: Timestamp,
}

/// Messages on a worker's data channel, all in capture order.
#[derive(Debug)]
pub(crate) enum ToWorker {
    /// Records to analyse.
    Batch(Batch),
    /// Periodic snapshot mark: report to the collector under this sequence number.
    Snapshot { seq: u64, time: Timestamp },
    /// End of input: run timers to `time`, finish every stream and report.
    Finish { time: Timestamp },
}

/// Out-of-band requests from the handle.
#[derive(Debug)]
pub(crate) enum Control {
    /// Send the current report back: with a window, only the ended streams whose last
    /// packet came within it (`Analyzer::report_recent`).
    Snapshot(
        Sender<(usize, AnalysisReport)>,
        Option<core::time::Duration>,
    ),
}
