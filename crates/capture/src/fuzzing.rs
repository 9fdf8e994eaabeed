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
    let short = outcome(InMemory(data));
    assert_eq!(outcome(data), short);
    // The short way through plain frames finds what the general reading finds, and passing
    // over frames hands out the rest and counts alike.
    assert_eq!(read_with(InMemory(data), Way::General), short);
    assert_eq!(read_with(InMemory(data), Way::PassingOddPorts), {
        let (mut frames, end) = short;
        frames.retain(|f| !odd_source_port(&f.2));
        (frames, end)
    });
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
    // The short way for plain frames finds what the general decoding finds.
    if let Some(plain) = crate::decap::plain_udp(lt, frame) {
        assert_eq!(Ok(plain), crate::decap::decode_udp_general(lt, frame));
    }
    if let Ok(d) = decode_udp(lt, frame) {
        let mut sip = SipTracker::new();
        sip.observe(Timestamp::ZERO, d.flow, d.payload);
        let _ = crate::sdp::parse_sdp(&String::from_utf8_lossy(d.payload));
    }
}

/// One frame as [`outcome`] lists it: time (ns), index, flow, payload, UDP payload length.
pub type FrameFacts = (u64, u64, rtpscope_wire::Flow, Vec<u8>, usize);

/// Every frame and how the read ended (as text), to compare two ways of reading a capture.
pub fn outcome<S: crate::Source>(source: S) -> (Vec<FrameFacts>, String) {
    read_with(source, Way::NextFrame)
}

/// How [`read_with`] reads.
enum Way {
    /// `next_frame`: the short way for plain frames, the general reading for the rest.
    NextFrame,
    /// The general reading only.
    General,
    /// `next_frame_passing`, passing over flows from odd source ports.
    PassingOddPorts,
}

fn odd_source_port(flow: &rtpscope_wire::Flow) -> bool {
    flow.src_port() % 2 == 1
}

fn read_with<S: crate::Source>(source: S, way: Way) -> (Vec<FrameFacts>, String) {
    let mut reader = match CaptureReader::new(source) {
        Ok(r) => r,
        Err(e) => return (Vec::new(), e.to_string()),
    };
    let mut frames = Vec::new();
    loop {
        let next = match way {
            Way::NextFrame => reader.next_frame(),
            Way::General => reader.read_frame(),
            Way::PassingOddPorts => {
                match reader.next_frame_passing(7, |_, flow, _| odd_source_port(flow)) {
                    // One the short way could not judge, or the one after a run of seven:
                    // left, as a caller would leave it.
                    Ok((_, Some(f))) if odd_source_port(&f.flow) => continue,
                    next => next.map(|(_, f)| f),
                }
            }
        };
        match next {
            Ok(Some(f)) => frames.push((
                f.ts.as_nanos(),
                f.index,
                f.flow,
                f.payload.to_vec(),
                f.length,
            )),
            Ok(None) => return (frames, format!("end {:?}", reader.counters())),
            Err(e) => return (frames, e.to_string()),
        }
    }
}
