//! An analysis outcome, whatever the source: the report, its diagnosis, and how to show it.

use std::collections::BTreeMap;

use rtpscope::core::diagnosis::{diagnose, Diagnosis, Thresholds, Verdict};
use rtpscope::core::report::IntervalReport;
use rtpscope::core::Timestamp;
use rtpscope::pipeline::FinalReport;

use crate::json::{self, Document, Latency};

/// Everything one run produced.
#[derive(Debug)]
pub struct Outcome {
    pub fin: FinalReport,
    pub diagnosis: Diagnosis,
    pub intervals: Vec<IntervalReport>,
    /// Time of the first frame of the capture: times are shown relative to it.
    pub origin: Timestamp,
}

impl Outcome {
    /// Diagnoses a final report.
    pub fn new(
        fin: FinalReport,
        intervals: Vec<IntervalReport>,
        origin: Option<Timestamp>,
        thresholds: &Thresholds,
    ) -> Self {
        let hints = fin.sip.call_hints();
        let diagnosis = diagnose(&fin.report, &hints, thresholds);
        let origin = origin
            .or_else(|| fin.report.streams.iter().map(|s| s.first_arrival).min())
            .unwrap_or(Timestamp::ZERO);
        Outcome {
            fin,
            diagnosis,
            intervals,
            origin,
        }
    }

    /// The worst verdict of any call.
    pub fn worst_verdict(&self) -> Option<Verdict> {
        self.diagnosis.calls.iter().map(|c| c.verdict).max()
    }

    /// Latency figures of stream `i`.
    pub fn latency(&self, i: usize) -> Latency {
        self.diagnosis
            .stream_latency
            .get(i)
            .map(|l| Latency {
                rtt_ms: l.rtt_ms,
                rtt_legs_ms: l.rtt_legs_ms.clone(),
                mos_cq: l.mos_cq,
            })
            .unwrap_or_default()
    }

    /// Every counter, by a stable name.
    pub fn counters(&self) -> BTreeMap<&'static str, u64> {
        let mut out = BTreeMap::new();
        for (name, value) in self.fin.source.capture.iter() {
            out.insert(name, value);
        }
        let d = &self.fin.source.detector;
        out.insert("rtp_flows_confirmed", d.flows_confirmed);
        out.insert("udp_flows_rejected", d.flows_rejected);
        out.insert("detector_flows_evicted", d.flows_evicted);
        out.insert("detector_held_overflow", d.held_overflow);
        out.insert("detector_held_discarded", d.held_discarded);
        out.insert("unconfirmed_dropped", self.fin.source.unconfirmed_dropped);
        out.insert("sip_messages", self.fin.source.sip_messages);
        out.insert("other_udp", self.fin.source.other_udp);
        out.insert("cut_unanalysed", self.fin.source.cut_unanalysed);
        let c = &self.fin.report.counters;
        out.insert("rtp_packets", c.rtp_packets);
        out.insert("rtcp_packets", c.rtcp_packets);
        out.insert("rtp_malformed", c.rtp_malformed);
        out.insert("rtcp_malformed", c.rtcp_malformed);
        out.insert("streams", self.fin.report.streams.len() as u64);
        out.insert("streams_evicted", c.streams_evicted);
        out.insert(
            "events_dropped",
            c.events_dropped + self.fin.drops.iter().map(|d| d.events_dropped).sum::<u64>(),
        );
        out.insert("pipeline_dropped", self.fin.dropped());
        out
    }

    /// The JSON document.
    pub fn document(&self) -> Document {
        let streams = self
            .fin
            .report
            .streams
            .iter()
            .enumerate()
            .map(|(i, s)| json::Stream::new(s, self.origin, &self.latency(i)))
            .collect();
        Document {
            streams,
            calls: self.diagnosis.calls.iter().map(json::Call::new).collect(),
            symptoms: self
                .diagnosis
                .symptoms
                .iter()
                .map(|s| json::Symptom::new(s, self.origin))
                .collect(),
            counters: self.counters(),
            intervals: self
                .intervals
                .iter()
                .map(|i| json::IntervalLine::new(i, self.origin))
                .collect(),
            error: self.fin.source.error.clone(),
        }
    }
}
