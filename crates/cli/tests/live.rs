//! A real sender (GStreamer) streams PCMU over loopback while `rtpscope live lo` runs; the
//! stream must be found with the right payload type and about the packets that were sent.
//! Needs CAP_NET_RAW (root) and `gst-launch-1.0` (which `.ci/run` installs); skipped
//! otherwise, saying so.

use std::process::{Command, Stdio};
use std::thread::sleep;
use std::time::Duration;

use serde_json::Value;

fn can_run() -> Result<(), String> {
    let root = Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false);
    if !root {
        return Err("not root: live capture needs CAP_NET_RAW".into());
    }
    if Command::new("gst-launch-1.0")
        .arg("--version")
        .stdout(Stdio::null())
        .status()
        .map(|s| !s.success())
        .unwrap_or(true)
    {
        return Err("gst-launch-1.0 not installed".into());
    }
    Ok(())
}

#[test]
fn live_capture_of_a_real_gstreamer_stream() {
    if let Err(why) = can_run() {
        std::io::Write::write_fmt(&mut std::io::stderr(), format_args!("skipped: {why}\n"))
            .unwrap_or(());
        return;
    }
    let port = 42_000 + (std::process::id() % 1000) as u16 * 2;
    let sent = 150; // 3 s of 20 ms packets
    let live = Command::new(env!("CARGO_BIN_EXE_rtpscope"))
        .args(["live", "lo", "--duration", "7s", "--format", "json"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start rtpscope live");
    sleep(Duration::from_millis(1500));
    let gst = Command::new("gst-launch-1.0")
        .args([
            "-q",
            "audiotestsrc",
            "is-live=true",
            &format!("num-buffers={sent}"),
            "samplesperbuffer=160",
            "!",
            "audio/x-raw,rate=8000,channels=1",
            "!",
            "mulawenc",
            "!",
            "rtppcmupay",
            "!",
            "udpsink",
            "host=127.0.0.1",
            &format!("port={port}"),
        ])
        .status()
        .expect("run gst-launch-1.0");
    assert!(gst.success(), "gst-launch-1.0 failed");
    let out = live.wait_with_output().expect("rtpscope live");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "rtpscope live failed: {stderr}");
    let doc: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("json: {e}; stderr: {stderr}"));
    let stream = doc["streams"]
        .as_array()
        .expect("streams")
        .iter()
        .find(|s| s["dst_port"].as_u64() == Some(u64::from(port)))
        .unwrap_or_else(|| panic!("no stream to port {port}: {doc}"));
    assert_eq!(stream["payload_type"], 0);
    assert_eq!(stream["encoding"], "PCMU");
    let packets = stream["packets"].as_u64().expect("packets");
    assert!(
        packets.abs_diff(sent) <= 3,
        "{packets} packets captured, {sent} sent"
    );
    assert!(stderr.contains("stream started"), "{stderr}");
}
