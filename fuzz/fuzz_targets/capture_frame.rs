//! Random bytes as one frame of a link type chosen by the first byte: never panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    rtpscope_capture::fuzzing::capture_frame(data);
});
