//! Sans-IO analysis of RTP voice streams: RFC 3550 sequence tracking, loss and interarrival
//! jitter, RTCP round-trip time, burst loss, MOS, and Wireshark-compatible statistics.
//!
//! The caller hands in every datagram with its arrival time ([`Analyzer::handle_datagram`])
//! and reads events ([`Analyzer::poll_event`]) and reports ([`Analyzer::report`]). Nothing
//! here reads a clock, spawns a thread or touches a socket or file, and no memory is
//! allocated per packet once a stream exists; every table is bounded.
//!
//! ```
//! use rtpscope_core::{Analyzer, AnalyzerConfig, Flow, Timestamp};
//! use rtpscope_wire::rtp::RtpRepr;
//!
//! let flow = Flow::new("192.0.2.1:4000".parse().unwrap(), "192.0.2.2:5004".parse().unwrap());
//! let mut analyzer = Analyzer::new(AnalyzerConfig::default());
//! let mut buf = [0u8; 172];
//! // Sequence numbers 65534, 65535, 1 (0 is lost), 2: the wrap is one cycle, one loss.
//! for seq in [65534u16, 65535, 1, 2] {
//!     let ts = 160 * u32::from(seq.wrapping_sub(65534));
//!     let n = RtpRepr { sequence_number: seq, timestamp: ts, ssrc: 9, payload: &[0x2a; 160],
//!                       ..RtpRepr::default() }.emit(&mut buf).unwrap();
//!     let now = Timestamp::from_millis(20 * u64::from(seq.wrapping_sub(65534)));
//!     analyzer.handle_datagram(now, flow, &buf[..n]).unwrap();
//! }
//! let s = &analyzer.report().streams[0];
//! assert_eq!((s.packets, s.expected, s.lost), (4, 5, 1));
//! assert_eq!(s.jitter_ms.final_ms, Some(0.0)); // perfectly paced
//! ```
#![deny(missing_docs)]
#![forbid(unsafe_code)]

mod analyzer;
pub mod burst;
pub mod clock;
mod config;
pub mod diagnosis;
mod event;
mod extremes;
#[doc(hidden)]
pub mod fuzzing;
pub mod jitter;
pub mod mos;
pub mod payload;
pub mod report;
mod rtcp;
pub mod seq;
mod side_index;
mod stream;
mod table;
pub mod wireshark;

pub use analyzer::{AnalysisReport, Analyzer, Counters, DatagramError};
pub use config::AnalyzerConfig;
pub use diagnosis::{diagnose, CallHint, Diagnosis, Symptom, SymptomEvent, Thresholds, Verdict};
pub use event::{Anomaly, Event};
pub use payload::{Encoding, PayloadInfo, RtpHeader};
pub use report::{sort_reports, EndReason, IntervalReport, StreamKey, StreamReport};
pub use rtcp::RtcpOutcome;
pub use rtpscope_wire::{Flow, Timestamp};
