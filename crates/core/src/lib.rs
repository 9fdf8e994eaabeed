//! Sans-IO analysis of RTP voice streams: RFC 3550 sequence tracking, loss and interarrival
//! jitter, RTCP round-trip time, burst loss, MOS, and Wireshark-compatible statistics.
//!
//! The caller hands in every datagram with its arrival time ([`Analyzer::handle_datagram`])
//! and reads events ([`Analyzer::poll_event`]) and reports ([`Analyzer::report`]). Nothing
//! here reads a clock, spawns a thread or touches a socket or file, and no memory is
//! allocated per packet once a stream exists; every table is bounded.
#![deny(missing_docs)]
#![forbid(unsafe_code)]

mod analyzer;
pub mod burst;
pub mod clock;
mod config;
pub mod diagnosis;
mod event;
#[doc(hidden)]
pub mod fuzzing;
pub mod jitter;
pub mod mos;
pub mod payload;
pub mod report;
mod rtcp;
pub mod seq;
mod stream;
pub mod wireshark;

pub use analyzer::{AnalysisReport, Analyzer, Counters, DatagramError};
pub use config::AnalyzerConfig;
pub use diagnosis::{diagnose, CallHint, Diagnosis, Symptom, SymptomEvent, Thresholds, Verdict};
pub use event::{Anomaly, Event};
pub use payload::{Encoding, PayloadInfo, RtpHeader};
pub use report::{EndReason, IntervalReport, StreamKey, StreamReport};
pub use rtcp::RtcpOutcome;
pub use rtpscope_wire::{Flow, Timestamp};
