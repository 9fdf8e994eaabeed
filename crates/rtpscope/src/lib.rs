//! rtpscope: measure RTP voice quality and explain what is wrong with a call.
//!
//! One dependency for embedders, re-exporting the crates it is built from:
//!
//! - [`wire`]: zero-copy RTP/RTCP views, RFC 8285 extensions, emitters, UDP demultiplexing;
//! - [`core`]: the sans-IO analyzer (loss, jitter, RTT, MOS) and the diagnosis;
//! - [`capture`]: pcap/pcapng files, live interfaces, RTP flow detection, SIP/SDP;
//! - [`pipeline`]: a source thread and sharded analysis workers for whole captures.
//!
//! In a phone's receive path (time is passed in; nothing here reads a clock):
//!
//! ```
//! use rtpscope::core::{Analyzer, AnalyzerConfig, Event, Flow, Timestamp};
//! use rtpscope::wire::rtp::RtpRepr;
//!
//! let flow = Flow::new("203.0.113.7:40000".parse().unwrap(), "192.0.2.10:5004".parse().unwrap());
//! let mut analyzer = Analyzer::new(AnalyzerConfig::default());
//! let mut buf = [0u8; 200];
//! for i in 0..500u32 {
//!     // Every 10th packet is lost and the rest arrive 0–50 ms late.
//!     if i % 10 == 3 { continue }
//!     let datagram = RtpRepr { payload_type: 0, sequence_number: i as u16, timestamp: 160 * i,
//!                              ssrc: 1, payload: &[0x2a; 160], ..RtpRepr::default() };
//!     let n = datagram.emit(&mut buf).unwrap();
//!     let now = Timestamp::from_millis(u64::from(20 * i + (i * 37) % 50));
//!     analyzer.handle_datagram(now, flow, &buf[..n]).unwrap();
//! }
//! let mut heard = Vec::new();
//! while let Some(event) = analyzer.poll_event() {
//!     if let Event::Symptom(s) = event {
//!         heard.push(s.symptom.kind.as_str());
//!     }
//! }
//! assert!(heard.contains(&"packet_loss"));
//! let stream = &analyzer.report().streams[0];
//! assert_eq!((stream.packets, stream.lost), (450, 50));
//! ```
#![deny(missing_docs)]
#![forbid(unsafe_code)]

pub use rtpscope_capture as capture;
pub use rtpscope_core as core;
pub use rtpscope_pipeline as pipeline;
pub use rtpscope_wire as wire;
