//! rtpscope: measure RTP voice quality and explain what is wrong with a call.
#![deny(missing_docs)]

pub use rtpscope_capture as capture;
pub use rtpscope_core as core;
pub use rtpscope_pipeline as pipeline;
pub use rtpscope_wire as wire;
