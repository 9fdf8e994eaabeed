//! Bodies of the fuzz targets, here so that normal tests run them too.
//!
//! ```
//! rtpscope_capture::fuzzing::capture_file(b"\xd4\xc3\xb2\xa1garbage");
//! rtpscope_capture::fuzzing::capture_frame(&[1, 0x45, 0]);
//! ```

use rtpscope_wire::Timestamp;

use crate::decap::linktype;
use crate::{decode_udp, CaptureReader, DetectorConfig, InMemory, RtpDetector, SipTracker};

/// Reads `data` as a capture file to the end or the first error, feeding every frame to
/// the detector and the SIP tracker. Must never panic, and reading through a buffer must
/// give exactly what reading the slice in place gives.
pub fn capture_file(data: &[u8]) {
    assert_eq!(outcome(data), outcome(InMemory(data)));
    let Ok(mut reader) = CaptureReader::new(data) else {
        return;
    };
    let mut detector = RtpDetector::new(DetectorConfig {
        max_flows: 64,
        ..DetectorConfig::default()
    });
    let mut sip = SipTracker::new();
    while let Ok(Some(frame)) = reader.next_frame() {
        let (ts, flow) = (frame.ts, frame.flow);
        sip.observe(ts, flow, frame.payload);
        if frame.is_cut() {
            detector.observe_cut(ts, flow, frame.payload, frame.length);
        } else {
            detector.observe(ts, flow, frame.payload);
        }
        detector.drain_released().for_each(drop);
    }
    let c = reader.counters();
    assert_eq!(c.frames, c.udp + c.sip_tcp + c.skipped());
    detector.finish();
}

/// Decodes `data[1..]` as a frame of the link type chosen by `data[0]`. Must never panic.
pub fn capture_frame(data: &[u8]) {
    const TYPES: [u32; 14] = [
        linktype::NULL,
        linktype::ETHERNET,
        linktype::DLT_RAW_12,
        linktype::DLT_RAW_14,
        linktype::RAW,
        linktype::LOOP,
        linktype::LINUX_SLL,
        linktype::IPV4,
        linktype::IPV6,
        linktype::C_HDLC,
        linktype::NFLOG,
        linktype::LINUX_SLL2,
        147,
        linktype::PPP,
    ];
    let Some((&sel, frame)) = data.split_first() else {
        return;
    };
    let lt = TYPES[usize::from(sel) % TYPES.len()];
    if let Ok(d) = decode_udp(lt, frame) {
        let mut sip = SipTracker::new();
        sip.observe(Timestamp::ZERO, d.flow, d.payload);
        let _ = crate::sdp::parse_sdp(&String::from_utf8_lossy(d.payload));
    }
}

/// One frame as [`outcome`] lists it: time (ns), index, flow, payload.
pub type FrameFacts = (u64, u64, rtpscope_wire::Flow, Vec<u8>);

/// Every frame and how the read ended (as text), to compare two ways of reading a capture.
pub fn outcome<S: crate::Source>(source: S) -> (Vec<FrameFacts>, String) {
    let mut reader = match CaptureReader::new(source) {
        Ok(r) => r,
        Err(e) => return (Vec::new(), e.to_string()),
    };
    let mut frames = Vec::new();
    loop {
        match reader.next_frame() {
            Ok(Some(f)) => frames.push((f.ts.as_nanos(), f.index, f.flow, f.payload.to_vec())),
            Ok(None) => return (frames, format!("end {:?}", reader.counters())),
            Err(e) => return (frames, e.to_string()),
        }
    }
}
