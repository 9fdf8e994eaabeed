//! RTP from captures: pcap/pcapng files and live interfaces, link-layer decapsulation, RTP
//! flow detection, SIP/SDP, and a pcap writer with a seeded synthetic traffic generator.
//!
//! The pieces compose as a pipeline: [`CaptureReader`] (or [`live::LiveSource`]) yields
//! UDP [`Frame`]s, [`SipTracker`] learns payload types from signalling, and [`RtpDetector`]
//! decides which flows carry RTP.
//!
//! ```
//! use rtpscope_capture::{synth, CaptureReader, DetectorConfig, PcapWriter, RtpDetector, Verdict};
//!
//! let mut w = PcapWriter::new(Vec::new(), rtpscope_capture::decap::linktype::ETHERNET).unwrap();
//! let cfg = synth::SynthConfig { calls: 1, duration: std::time::Duration::from_secs(1), ..Default::default() };
//! let truth = synth::generate(&cfg, &mut w).unwrap();
//! let bytes = w.into_inner().unwrap();
//!
//! let mut reader = CaptureReader::new(&bytes[..]).unwrap();
//! let mut detector = RtpDetector::new(DetectorConfig::default());
//! let mut rtp = 0;
//! while let Some(f) = reader.next_frame().unwrap() {
//!     if detector.observe(f.ts, f.flow, f.payload) == Verdict::Rtp {
//!         rtp += 1 + detector.drain_released().count();
//!     }
//! }
//! rtp += detector.finish().released.len();
//! assert_eq!(rtp as u64, truth.iter().map(|t| t.received).sum::<u64>());
//! ```
#![deny(missing_docs)]
#![forbid(unsafe_code)]

mod counters;
pub mod decap;
pub mod detect;
mod error;
#[doc(hidden)]
pub mod fuzzing;
#[doc(hidden)]
pub mod input;
#[cfg(feature = "live")]
pub mod live;
mod reader;
pub mod reassembly;
pub mod sdp;
pub mod sip;
pub mod synth;
mod tcp_sip;
mod tunnel;
mod writer;

pub use counters::{DropCounters, Skip};
pub use decap::{decode_udp, UdpDatagram};
pub use detect::{DetectorConfig, DetectorStats, FinishReport, HeldDatagram, RtpDetector, Verdict};
pub use error::CaptureError;
pub use input::{InMemory, Source};
pub use reader::{open_path, CaptureReader, Frame};
pub use sdp::{MediaEndpoint, PayloadMapping};
pub use sip::{SipCall, SipTracker};
pub use writer::{encapsulate_udp, PcapWriter, PcapWriterOptions, TsResolution};
