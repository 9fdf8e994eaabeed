//! What a user sees: errors in one line with the byte offset, partial results, exit codes,
//! and the stable JSON shape.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

fn sample() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../samples/call.pcap")
}

fn rtpscope(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_rtpscope"))
        .args(args)
        .output()
        .expect("run rtpscope")
}

#[test]
fn missing_file_is_one_line_and_status_2() {
    let out = rtpscope(&["analyze", "/nonexistent/call.pcap"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("/nonexistent/call.pcap"), "{err}");
}

#[test]
fn truncated_capture_prints_partial_results_and_the_offset() {
    let bytes = std::fs::read(sample()).expect("sample");
    let cut = bytes.len() / 2 + 7;
    let path = std::env::temp_dir().join(format!("rtpscope-cut-{}.pcap", std::process::id()));
    std::fs::write(&path, &bytes[..cut]).expect("write");
    let out = rtpscope(&["analyze", "--format", "json", path.to_str().expect("path")]);
    let _ = std::fs::remove_file(&path);
    assert_eq!(
        out.status.code(),
        Some(2),
        "a cut file is reported in the status"
    );
    let doc: Value =
        serde_json::from_slice(&out.stdout).expect("partial results are still printed");
    let packets: u64 = doc["streams"]
        .as_array()
        .expect("streams")
        .iter()
        .map(|s| s["packets"].as_u64().unwrap_or(0))
        .sum();
    assert!(
        packets > 300 && packets < 788,
        "{packets} packets before the cut"
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("at byte "),
        "the error names the byte offset: {err}"
    );
    assert_eq!(err.lines().count(), 1, "{err}");
}

#[test]
fn fragments_that_could_not_be_reassembled_are_warned_about() {
    use rtpscope::capture::{decap::linktype, PcapWriter};
    use rtpscope::wire::Timestamp;
    let mut w = PcapWriter::new(Vec::new(), linktype::RAW).expect("writer");
    // The first fragment of a UDP datagram (more-fragments set, offset 0), and no other.
    let mut ip = vec![
        0x45, 0, 0, 48, 0x12, 0x34, 0x20, 0, 64, 17, 0, 0, 192, 0, 2, 1, 192, 0, 2, 2,
    ];
    ip.extend_from_slice(&[0x13, 0x88, 0x13, 0x8a, 0x0d, 0xcc, 0, 0]);
    ip.resize(48, 0x80);
    w.write_frame(Timestamp::from_secs_nanos(1, 0), &ip)
        .expect("frame");
    let path = std::env::temp_dir().join(format!("rtpscope-frag-{}.pcap", std::process::id()));
    std::fs::write(&path, w.into_inner().expect("bytes")).expect("write");
    let out = rtpscope(&["analyze", path.to_str().expect("path")]);
    let _ = std::fs::remove_file(&path);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("Warning: 1 IP fragments could not be put back together"),
        "{text}"
    );
}

#[test]
fn not_a_capture_is_rejected_with_its_magic() {
    let path = std::env::temp_dir().join(format!("rtpscope-text-{}.pcap", std::process::id()));
    std::fs::write(&path, b"this is not a capture file at all").expect("write");
    let out = rtpscope(&["analyze", path.to_str().expect("path")]);
    let _ = std::fs::remove_file(&path);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(String::from_utf8_lossy(&out.stderr).lines().count(), 1);
}

#[test]
fn fail_on_reflects_the_verdict() {
    // The sample call is degraded (3 % loss, 38 ms jitter on one direction).
    let s = sample();
    let p = s.to_str().expect("path");
    assert_eq!(
        rtpscope(&["analyze", "--fail-on", "degraded", p])
            .status
            .code(),
        Some(3)
    );
    assert_eq!(
        rtpscope(&["analyze", "--fail-on", "unusable", p])
            .status
            .code(),
        Some(0)
    );
}

#[test]
fn json_document_has_the_documented_shape() {
    let s = sample();
    let out = rtpscope(&["analyze", "--format", "json", s.to_str().expect("path")]);
    assert!(out.status.success());
    let doc: Value = serde_json::from_slice(&out.stdout).expect("json");
    for key in ["streams", "calls", "symptoms", "counters"] {
        assert!(doc.get(key).is_some(), "missing {key}");
    }
    let stream = &doc["streams"][0];
    for key in [
        "src",
        "src_port",
        "dst",
        "dst_port",
        "ssrc",
        "payload_type",
        "encoding",
        "clock_rate",
        "clock_rate_source",
        "start_s",
        "end_s",
        "packets",
        "expected",
        "lost",
        "lost_pct",
        "duplicates",
        "late",
        "restarts",
        "timestamp_steps",
        "delta_ms",
        "jitter_ms",
        "rtt_ms",
        "rtt_legs_ms",
        "mos_lq",
        "mos_cq",
        "burst",
    ] {
        assert!(stream.get(key).is_some(), "stream lacks {key}");
    }
    for key in ["final", "min", "mean", "max", "p50", "p90", "p99"] {
        assert!(
            stream["jitter_ms"].get(key).is_some(),
            "jitter_ms lacks {key}"
        );
    }
    for key in [
        "burst_density",
        "gap_density",
        "burst_duration_ms",
        "gap_duration_ms",
    ] {
        assert!(stream["burst"].get(key).is_some(), "burst lacks {key}");
    }
    assert!(stream["ssrc"]
        .as_str()
        .is_some_and(|s| s.len() == 10 && s.starts_with("0x")));
    let call = &doc["calls"][0];
    assert_eq!(call["verdict"], "degraded");
    assert_eq!(call["streams"].as_array().map(Vec::len), Some(2));
    let kinds = symptom_kinds(&doc);
    assert!(
        kinds.contains(&"packet_loss") && kinds.contains(&"jitter"),
        "{kinds:?}"
    );
    for s in doc["symptoms"].as_array().expect("symptoms") {
        for key in [
            "kind",
            "severity",
            "stream",
            "start_s",
            "end_s",
            "value",
            "threshold",
            "advice",
        ] {
            assert!(s.get(key).is_some(), "symptom lacks {key}");
        }
    }
}

#[test]
fn ndjson_time_series_has_one_line_per_stream_per_interval() {
    let s = sample();
    let out = rtpscope(&[
        "analyze",
        "--format",
        "ndjson",
        "--interval",
        "1s",
        s.to_str().expect("path"),
    ]);
    assert!(out.status.success());
    let lines: Vec<Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("line"))
        .collect();
    // About 8 s of media in each of 2 streams.
    assert!((14..=20).contains(&lines.len()), "{} lines", lines.len());
    assert!(lines
        .iter()
        .all(|l| l.get("interval_start_s").is_some() && l.get("ssrc").is_some()));
    let packets: u64 = lines
        .iter()
        .map(|l| l["packets"].as_u64().unwrap_or(0))
        .sum();
    assert!(packets <= 788 && packets > 700, "{packets}");
}

#[test]
fn payload_type_and_port_options_apply() {
    let s = sample();
    let out = rtpscope(&[
        "analyze",
        "--format",
        "json",
        "--pt",
        "0=PCMU/8000",
        "--port",
        "49170",
        "--workers",
        "2",
        s.to_str().expect("path"),
    ]);
    assert!(out.status.success());
    let doc: Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(doc["streams"][0]["clock_rate_source"], "config");
}

#[test]
fn thresholds_file_changes_the_diagnosis() {
    let path = std::env::temp_dir().join(format!("rtpscope-thr-{}.toml", std::process::id()));
    std::fs::write(&path, "jitter_ms = 100.0\njitter_critical_ms = 200.0\nloss_sample_pct = 50.0\nloss_average_pct = 50.0\nloss_critical_pct = 60.0\nlate_for_buffer_pct = 100.0\n").expect("write");
    let s = sample();
    let out = rtpscope(&[
        "analyze",
        "--format",
        "json",
        "--thresholds",
        path.to_str().expect("p"),
        s.to_str().expect("p"),
    ]);
    let _ = std::fs::remove_file(&path);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let doc: Value = serde_json::from_slice(&out.stdout).expect("json");
    let kinds = symptom_kinds(&doc);
    assert!(
        !kinds.contains(&"jitter") && !kinds.contains(&"packet_loss"),
        "{kinds:?}"
    );
}

#[test]
fn synth_writes_a_capture_the_analysis_agrees_with() {
    let path = std::env::temp_dir().join(format!("rtpscope-synth-{}.pcap", std::process::id()));
    let p = path.to_str().expect("path");
    let out = rtpscope(&[
        "synth",
        "-o",
        p,
        "--calls",
        "2",
        "--duration",
        "4s",
        "--loss",
        "5",
        "--seed",
        "3",
        "--codec",
        "pcmu,opus",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let truth = String::from_utf8_lossy(&out.stdout).to_string();
    let analysed = rtpscope(&["analyze", "--format", "json", p]);
    let media_only = rtpscope(&["synth", "-o", p, "--calls", "1", "--no-sip"]);
    assert!(media_only.status.success());
    let unsignalled = rtpscope(&["analyze", "--format", "json", p]);
    let _ = std::fs::remove_file(&path);
    let doc: Value = serde_json::from_slice(&analysed.stdout).expect("json");
    let streams = doc["streams"].as_array().expect("streams");
    assert_eq!(streams.len(), 4);
    // Each call is set up by SIP: the SDP names the codec (Opus is a dynamic type) and the
    // call by its Call-ID; the G.711 payload is a tone, not a muted microphone.
    for s in streams {
        assert_eq!(s["clock_rate_source"], "sdp", "{s}");
        let want = if s["payload_type"] == 0 {
            "PCMU"
        } else {
            "opus"
        };
        assert_eq!(s["encoding"], want, "{s}");
        assert!(s["mos_lq"].as_f64().is_some(), "{s}");
    }
    let calls = doc["calls"].as_array().expect("calls");
    assert_eq!(calls.len(), 2);
    assert!(calls.iter().all(|c| c["call_id"]
        .as_str()
        .is_some_and(|id| id.starts_with("synth-"))));
    let kinds: Vec<&str> = doc["symptoms"]
        .as_array()
        .expect("symptoms")
        .iter()
        .filter_map(|s| s["kind"].as_str())
        .collect();
    assert!(kinds.iter().all(|k| *k == "packet_loss"), "{kinds:?}");
    let bare: Value = serde_json::from_slice(&unsignalled.stdout).expect("json");
    assert_eq!(bare["calls"][0]["call_id"], Value::Null);
    assert_eq!(bare["streams"][0]["clock_rate_source"], "static");
    for line in truth.lines().skip(1) {
        let cols: Vec<&str> = line.split('\t').collect();
        let s = streams
            .iter()
            .find(|s| s["ssrc"] == cols[2])
            .expect("stream of the truth");
        assert_eq!(s["packets"].to_string(), cols[6], "received");
        assert_eq!(s["lost"].to_string(), cols[8], "lost");
    }
}

#[test]
fn loss_beyond_the_capture_point_comes_from_the_receivers_reports() {
    // rtcp-rr.pcap is captured at the sender; 3 % of the RTP is dropped after it, which only
    // the receiver's RTCP report blocks show.
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/data/rtcp-rr.pcap");
    let out = rtpscope(&["analyze", "--format", "json", path.to_str().expect("path")]);
    assert!(out.status.success());
    let doc: Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(
        doc["streams"][0]["lost"], 0,
        "nothing is lost before the capture point"
    );
    let symptoms = doc["symptoms"].as_array().expect("symptoms");
    let loss = symptoms
        .iter()
        .find(|s| s["kind"] == "packet_loss")
        .expect("a loss symptom");
    assert_eq!(loss["metric"], "receiver_reported_lost_pct");
    let pct = loss["value"].as_f64().expect("value");
    assert!((1.0..6.0).contains(&pct), "{pct}");
    assert!(doc["streams"][0]["rtt_ms"]
        .as_f64()
        .is_some_and(|r| (55.0..70.0).contains(&r)));
}

/// The `kind` of every symptom in a JSON document.
/// `rtpscope analyze --format json` on a capture of tests/data.
fn data_json(name: &str) -> Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("../../tests/data/{name}"));
    let out = rtpscope(&["analyze", "--format", "json", path.to_str().expect("path")]);
    assert!(out.status.success(), "{name}");
    serde_json::from_slice(&out.stdout).expect("json")
}

fn symptom_kinds(doc: &Value) -> Vec<&str> {
    doc["symptoms"]
        .as_array()
        .expect("symptoms")
        .iter()
        .filter_map(|s| s["kind"].as_str())
        .collect()
}

#[test]
fn every_way_of_reading_gives_the_same_document() {
    // The file mapped (the default) or read (`--no-mmap`) by one source thread, or by three
    // workers each (sharded reading), or piped in on standard input. Everything but the run's
    // timing must be the same, truncated file and its error line included.
    let bytes = std::fs::read(sample()).expect("sample");
    let path = std::env::temp_dir().join(format!("rtpscope-shard-{}.pcap", std::process::id()));
    let cut = std::env::temp_dir().join(format!("rtpscope-shardcut-{}.pcap", std::process::id()));
    // A snap length of 640 bytes cuts the SIP messages that carry SDP (INVITE, 200 OK) and no
    // RTP: every shard must leave the cut SIP alone as the single reader does.
    let snap = std::env::temp_dir().join(format!("rtpscope-shardsnap-{}.pcap", std::process::id()));
    std::fs::write(&path, &bytes).expect("write");
    std::fs::write(&cut, &bytes[..bytes.len() * 2 / 3 + 5]).expect("write");
    std::fs::write(&snap, with_snap_length(&bytes, 640)).expect("write");
    for file in [&path, &cut, &snap] {
        let name = file.to_str().expect("path");
        let run = |args: &[&str]| {
            let mut command = Command::new(env!("CARGO_BIN_EXE_rtpscope"));
            command.args(["analyze", "--format", "json"]).args(args);
            let out = if args.last() == Some(&"-") {
                command.stdin(std::fs::File::open(file).expect("open"));
                command.output()
            } else {
                command.arg(name).output()
            }
            .expect("run rtpscope");
            let doc: Value = serde_json::from_slice(&out.stdout).expect("json");
            let err = String::from_utf8_lossy(&out.stderr).replace(name, "FILE");
            (
                out.status.code(),
                err.replace("rtpscope: -:", "rtpscope: FILE:"),
                doc,
            )
        };
        let (status, err, doc) = run(&["--workers", "1"]);
        assert!(doc["streams"].as_array().is_some_and(|s| !s.is_empty()));
        let ways: [&[&str]; 4] = [
            &["--workers", "3"],
            &["--workers", "1", "--no-mmap"],
            &["--workers", "3", "--no-mmap"],
            &["--workers", "1", "-"],
        ];
        for way in ways {
            let (other_status, other_err, other) = run(way);
            assert_eq!(status, other_status, "{name} {way:?}");
            assert_eq!(err, other_err, "{name} {way:?}");
            for part in ["streams", "calls", "symptoms", "counters"] {
                assert!(doc.get(part).is_some(), "{name}: {part}");
                assert_eq!(doc.get(part), other.get(part), "{name} {way:?}: {part}");
            }
        }
    }
    let _ = std::fs::remove_file(&path);
    let _ = std::fs::remove_file(&cut);
    let _ = std::fs::remove_file(&snap);
}

/// A little-endian pcap as a capture with snap length `snap` would have recorded it: longer
/// frames keep their first `snap` bytes and their original length.
fn with_snap_length(pcap: &[u8], snap: usize) -> Vec<u8> {
    let word = |b: &[u8], at: usize| u32::from_le_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]]);
    let mut out = pcap[..24].to_vec();
    out[16..20].copy_from_slice(&(snap as u32).to_le_bytes());
    let mut at = 24;
    while at + 16 <= pcap.len() {
        let caplen = word(pcap, at + 8) as usize;
        let kept = caplen.min(snap);
        out.extend_from_slice(&pcap[at..at + 8]);
        out.extend_from_slice(&(kept as u32).to_le_bytes());
        out.extend_from_slice(&pcap[at + 12..at + 16]);
        out.extend_from_slice(&pcap[at + 16..at + 16 + kept]);
        at += 16 + caplen;
    }
    out
}

#[test]
fn a_file_of_many_streams_is_read_in_shards_by_default() {
    // 7 200 streams of 40 packets (62 MB, well above the 32 MiB and 6 144 flows from which a
    // file is sampled and counted crowded): more streams than one worker's cache holds well,
    // so on two or three cores too (where a few streams get one reading thread and one
    // worker) every core reads the file and keeps its shard. The document is the same either
    // way. On four or more cores every file is read in shards, so only the choice shows.
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let path = std::env::temp_dir().join(format!("rtpscope-many-{}.pcap", std::process::id()));
    let p = path.to_str().expect("path");
    let made = rtpscope(&["synth", "-o", p, "--calls", "3600", "--duration", "800ms"]);
    assert!(made.status.success());
    let size = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
    assert!(size > 48 << 20, "{size} bytes");
    let mut docs = Vec::new();
    for (file, workers) in [
        (p, None),
        (p, Some("1")),
        (sample().to_str().expect("path"), None),
    ] {
        let mut args = vec!["analyze", "--format", "json", "--bench", file];
        args.extend(workers.map(|w| ["--workers", w]).iter().flatten());
        let out = rtpscope(&args);
        let err = String::from_utf8_lossy(&out.stderr).to_string();
        let sharded = err.contains("each reading its shard");
        let expected = match (file == p, workers) {
            (_, Some(_)) => false,
            _ if cores == 1 => false,
            (true, None) => true,
            (false, None) => cores > 3,
        };
        assert_eq!(
            sharded, expected,
            "{file} {workers:?} on {cores} cores: {err}"
        );
        docs.push(serde_json::from_slice::<Value>(&out.stdout).expect("json"));
    }
    let _ = std::fs::remove_file(&path);
    assert_eq!(docs[0]["streams"].as_array().map(Vec::len), Some(7_200));
    assert_eq!(docs[0]["streams"], docs[1]["streams"]);
    assert_eq!(docs[0]["calls"], docs[1]["calls"]);
}

#[cfg(target_os = "linux")]
#[test]
fn a_named_pipe_is_read_once_whatever_the_workers() {
    // A FIFO has no size to shard by and cannot be opened again: with three workers it used
    // to be read in shards, and the second opening waited for a writer that never came.
    let fifo = std::env::temp_dir().join(format!("rtpscope-fifo-{}", std::process::id()));
    let made = Command::new("mkfifo").arg(&fifo).status().expect("mkfifo");
    assert!(made.success());
    let bytes = std::fs::read(sample()).expect("sample");
    let writer = {
        let fifo = fifo.clone();
        std::thread::spawn(move || std::fs::write(fifo, bytes))
    };
    let out = Command::new("timeout")
        .arg("60")
        .arg(env!("CARGO_BIN_EXE_rtpscope"))
        .args(["analyze", "--format", "json", "--workers", "3"])
        .arg(&fifo)
        .output()
        .expect("run rtpscope");
    let _ = writer.join();
    let _ = std::fs::remove_file(&fifo);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let doc: Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(doc["streams"].as_array().map(Vec::len), Some(2));
}

#[test]
fn a_codec_switch_is_shown_with_the_codec_it_ended_on() {
    // One SSRC on one 5-tuple: 2 s of PCMU, then 2 s of G.722 (RFC 3551's 8000 Hz clock),
    // 20 ms packets on time.
    use rtpscope::capture::{decap::linktype, PcapWriter};
    use rtpscope::wire::{Flow, Timestamp};
    let flow = Flow::new(
        "192.0.2.1:40000".parse().expect("addr"),
        "192.0.2.2:40002".parse().expect("addr"),
    );
    let mut w = PcapWriter::new(Vec::new(), linktype::ETHERNET).expect("writer");
    for i in 0..200u32 {
        let pt = if i < 100 { 0 } else { 9 };
        let mut rtp = vec![0x80, pt];
        rtp.extend_from_slice(&(i as u16).to_be_bytes());
        rtp.extend_from_slice(&(160 * i).to_be_bytes());
        rtp.extend_from_slice(&0x5717_c400u32.to_be_bytes());
        rtp.extend_from_slice(&[0x55; 160]);
        let at = Timestamp::from_nanos(1_000_000_000 + u64::from(i) * 20_000_000);
        w.write_udp(at, flow, &rtp).expect("write");
    }
    let path = std::env::temp_dir().join(format!("rtpscope-switch-{}.pcap", std::process::id()));
    std::fs::write(&path, w.into_inner().expect("pcap")).expect("write file");
    let p = path.to_str().expect("path");
    let json = rtpscope(&["analyze", "--format", "json", p]);
    let table = rtpscope(&["analyze", p]);
    let _ = std::fs::remove_file(&path);
    let doc: Value = serde_json::from_slice(&json.stdout).expect("json");
    let s = &doc["streams"][0];
    assert_eq!(
        (&s["encoding"], &s["switched_to"]),
        (&"PCMU".into(), &"G722".into())
    );
    assert_eq!(s["clock_rate"], 8000);
    assert!(
        String::from_utf8_lossy(&table.stdout).contains("PCMU→G722/8000"),
        "{}",
        String::from_utf8_lossy(&table.stdout)
    );
}

#[test]
fn a_call_signalled_over_sip_tcp_names_its_codec_and_call() {
    // sipp over TCP (tests/data/opus-siptcp): the SDP names dynamic PT 111 Opus at 48 kHz.
    // Read from the TCP segments, it names the stream's codec (no inference needed) and the
    // call; and since the dialog says B should answer, B's silence is one-way audio. In
    // opus-siptcp-split (an MTU of 576) the INVITE and the 200 OK each span two segments:
    // joined, they do the same.
    for (name, frames, joined) in [("opus-siptcp", 266, 0), ("opus-siptcp-split", 270, 2)] {
        let path =
            Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("../../tests/data/{name}.pcap"));
        let out = rtpscope(&["analyze", path.to_str().expect("path"), "--format", "json"]);
        let doc: Value = serde_json::from_slice(&out.stdout).expect("json");
        sip_tcp_call_is_read(&doc, frames, joined);
    }
}

fn sip_tcp_call_is_read(doc: &Value, frames: u64, joined: u64) {
    let s = &doc["streams"][0];
    assert_eq!(
        (&s["encoding"], &s["clock_rate"], &s["clock_rate_source"]),
        (
            &Value::from("opus"),
            &Value::from(48000),
            &Value::from("sdp")
        )
    );
    let c = &doc["counters"];
    assert_eq!(
        (c["sip_tcp"].as_u64(), c["sip_messages"].as_u64()),
        (Some(5), Some(5))
    );
    assert_eq!(
        (
            c["sip_tcp_joined"].as_u64(),
            c["sip_tcp_abandoned"].as_u64()
        ),
        (Some(joined), Some(0))
    );
    assert_eq!(c["frames"].as_u64(), Some(frames));
    let call = &doc["calls"][0];
    assert!(
        call["call_id"]
            .as_str()
            .is_some_and(|id| id.ends_with("@203.0.113.1")),
        "{call}"
    );
    assert!(symptom_kinds(doc).contains(&"one_way_audio"), "{doc}");
}

#[test]
fn round_trips_are_measured_from_a_capture_of_headers_only() {
    // rtcp-rr.pcap as `tcpdump -s 96` would have kept it: the SRs and RRs (28 and 32 bytes)
    // whole, the SDES after them cut. tshark finds the same five round trips in both files
    // (`rtcp-rr.rtt.txt`); so must we, with the receiver's view of the stream. At 70 bytes
    // only the SRs are whole: no round trip, and the RRs are counted as not analysed.
    let whole = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/data/rtcp-rr.pcap");
    let bytes = std::fs::read(&whole).expect("capture");
    let json_with = |path: &Path, workers: &str| -> Value {
        let p = path.to_str().expect("path");
        let out = rtpscope(&["analyze", p, "--format", "json", "--workers", workers]);
        serde_json::from_slice(&out.stdout).expect("json")
    };
    let json = |path: &Path| json_with(path, "1");
    let full = json(&whole);
    assert!(full["streams"][0]["rtt_ms"].as_f64().is_some());
    for (snap, rtt_kept, rtcp, unanalysed) in [(96, true, 15, 0), (70, false, 7, 8)] {
        let path =
            std::env::temp_dir().join(format!("rtpscope-rr{snap}-{}.pcap", std::process::id()));
        std::fs::write(&path, with_snap_length(&bytes, snap)).expect("write");
        let doc = json(&path);
        // Three workers, each reading the file for its shard, cut the same way.
        assert_eq!(doc, json_with(&path, "3"), "{snap}");
        let _ = std::fs::remove_file(&path);
        let c = &doc["counters"];
        assert_eq!(c["cut_short"].as_u64(), Some(315), "{snap}");
        assert_eq!(
            (c["rtcp_packets"].as_u64(), c["cut_unanalysed"].as_u64()),
            (Some(rtcp), Some(unanalysed)),
            "{snap}"
        );
        let (s, f) = (&doc["streams"][0], &full["streams"][0]);
        assert_eq!(
            (&s["packets"], &s["lost"]),
            (&f["packets"], &f["lost"]),
            "{snap}"
        );
        if rtt_kept {
            assert_eq!(s["rtt_legs_ms"], f["rtt_legs_ms"], "{snap}");
            assert_eq!(
                doc["calls"], full["calls"],
                "{snap}: the receiver's reported loss"
            );
        } else {
            assert_eq!(s["rtt_ms"], Value::Null, "{snap}");
        }
    }
}

#[test]
fn a_capture_of_headers_only_is_analysed_and_says_so() {
    // tcpdump -s 60: every frame cut 4 bytes into the RTP payload. tshark analyses the
    // headers (394 packets, 5 lost); so do we, and the table says how the capture was cut.
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/data/pcma-snaplen60.pcap");
    let path = path.to_str().expect("path");
    let out = rtpscope(&["analyze", path, "--format", "json"]);
    let doc: Value = serde_json::from_slice(&out.stdout).expect("json");
    let s = &doc["streams"][0];
    assert_eq!(
        (s["packets"].as_u64(), s["lost"].as_i64()),
        (Some(394), Some(5))
    );
    assert_eq!(doc["counters"]["cut_short"].as_u64(), Some(394));
    assert_eq!(doc["counters"]["truncated"].as_u64(), Some(0));
    let table = rtpscope(&["analyze", path]);
    let text = String::from_utf8_lossy(&table.stdout);
    assert!(
        text.contains("Note: 394 datagrams were cut short by the capture's snap length"),
        "{text}"
    );
}

#[test]
fn packets_late_for_the_buffer_and_sources_sharing_a_flow_are_diagnosed_as_they_are() {
    // 60 ± 40 ms of uniform jitter: a quarter of the packets miss a 60 ms buffer at a mean
    // jitter under 30 ms. The listener loses them (or an adaptive buffer trades them for
    // delay): jitter.
    let doc = data_json("pcmu10-jit60u-nano.pcap");
    let s = &doc["streams"][0];
    assert!(
        s["jitter_ms"]["mean"].as_f64().is_some_and(|j| j < 30.0),
        "{s}"
    );
    let jitter = &doc["symptoms"][0];
    assert_eq!(
        (&jitter["kind"], &jitter["severity"], &jitter["metric"]),
        (
            &Value::from("jitter"),
            &Value::from("warning"),
            &Value::from("late_for_buffer_pct")
        )
    );
    assert!(
        jitter["value"].as_f64().is_some_and(|v| v > 20.0),
        "{jitter}"
    );
    // Two PCMA sources side by side on one 5-tuple: two streams, each with its own loss, and
    // no SSRC change.
    let doc = data_json("pcma-two-ssrc-one-flow.pcap");
    assert_eq!(doc["streams"].as_array().map(Vec::len), Some(2));
    let kinds = symptom_kinds(&doc);
    assert_eq!(kinds, ["packet_loss", "packet_loss"], "{doc}");
}

#[test]
fn round_two_captures_read_as_configured() {
    // rtpbin both ways, captured between: one leg via B (15 + 60 ms of relay delay), one via
    // A (20 + 5 ms), each with the endpoints' own few milliseconds; the call's round trip is
    // their sum.
    let doc = data_json("rtcp2w-mid.pcap");
    for s in doc["streams"].as_array().expect("streams") {
        let legs: Vec<f64> = s["rtt_legs_ms"]
            .as_array()
            .expect("legs")
            .iter()
            .filter_map(Value::as_f64)
            .collect();
        let mut sorted = legs.clone();
        sorted.sort_by(f64::total_cmp);
        assert!(
            sorted.len() == 2
                && (24.0..28.0).contains(&sorted[0])
                && (74.0..78.0).contains(&sorted[1]),
            "{legs:?}"
        );
        let rtt = s["rtt_ms"].as_f64().expect("rtt");
        assert!((rtt - legs.iter().sum::<f64>()).abs() < 1e-9, "{rtt}");
    }
    // rtpbin's start-up bursts, no impairment: no drift, nothing to report.
    let doc = data_json("rtcp2w-clean.pcap");
    assert_eq!(doc["calls"][0]["verdict"], "good", "{doc}");
    for s in doc["streams"].as_array().expect("streams") {
        assert!(
            s["drift_ppm"].as_f64().is_some_and(|d| d.abs() < 100.0),
            "{s}"
        );
    }
    // Two timestamp steps, an exact clock: counted, not drift.
    let doc = data_json("tsjump-nomarker.pcap");
    let s = &doc["streams"][0];
    assert_eq!(s["timestamp_steps"], 2);
    assert!(
        s["drift_ppm"].as_f64().is_some_and(|d| d.abs() < 100.0),
        "{s}"
    );
    assert_eq!(doc["calls"][0]["verdict"], "good", "{doc}");
    // Two SIP calls on one 5-tuple: two calls, each with its own Call-ID, all good.
    let doc = data_json("two-calls-same-5tuple.pcap");
    let calls = doc["calls"].as_array().expect("calls");
    let ids: Vec<&str> = calls.iter().filter_map(|c| c["call_id"].as_str()).collect();
    assert!(ids.len() == 2 && ids[0] != ids[1], "{ids:?}");
    assert!(calls.iter().all(|c| c["verdict"] == "good"), "{doc}");
}
