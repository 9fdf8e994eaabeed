//! Random bytes as a capture file: the reader, detector and SIP tracker must never panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    rtpscope_capture::fuzzing::capture_file(data);
});
