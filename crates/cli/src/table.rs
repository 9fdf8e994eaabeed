//! The human-readable report: streams (Wireshark's RTP Streams columns plus ours), calls with
//! their verdicts, and symptoms with advice.

use std::fmt::Write as _;

use crate::json::rel_s;
use crate::outcome::Outcome;

/// Renders rows as left/right-aligned columns.
struct Table {
    header: Vec<&'static str>,
    right: Vec<bool>,
    rows: Vec<Vec<String>>,
}

impl Table {
    fn new(columns: &[(&'static str, bool)]) -> Self {
        Table {
            header: columns.iter().map(|c| c.0).collect(),
            right: columns.iter().map(|c| c.1).collect(),
            rows: Vec::new(),
        }
    }

    fn render(&self, out: &mut String) {
        let mut widths: Vec<usize> = self.header.iter().map(|h| h.chars().count()).collect();
        for row in &self.rows {
            for (w, cell) in widths.iter_mut().zip(row) {
                *w = (*w).max(cell.chars().count());
            }
        }
        // Written straight into `out` (a table of 100 k streams has over a million cells);
        // trailing spaces are trimmed from each line as before.
        let line = |cells: &mut dyn Iterator<Item = &str>, out: &mut String| {
            out.push_str("  ");
            let start = out.len();
            for (i, cell) in cells.enumerate() {
                let width = widths.get(i).copied().unwrap_or(0);
                let pad = width.saturating_sub(cell.chars().count());
                if i > 0 {
                    out.push_str("  ");
                }
                let right = self.right.get(i).copied().unwrap_or(false);
                if right {
                    out.extend(std::iter::repeat_n(' ', pad));
                }
                out.push_str(cell);
                if !right {
                    out.extend(std::iter::repeat_n(' ', pad));
                }
            }
            let kept = out.get(start..).map_or(0, |l| l.trim_end().len());
            out.truncate(start + kept);
            out.push('\n');
        };
        line(&mut self.header.iter().copied(), out);
        for row in &self.rows {
            line(&mut row.iter().map(String::as_str), out);
        }
    }
}

/// Milliseconds with two decimals, or "-".
fn push_ms(out: &mut String, v: Option<f64>) {
    match v {
        Some(v) => {
            let _ = write!(out, "{v:.2}");
        }
        None => out.push('-'),
    }
}

fn ms(v: Option<f64>) -> String {
    let mut out = String::new();
    push_ms(&mut out, v);
    out
}

fn triple(a: Option<f64>, b: Option<f64>, c: Option<f64>) -> String {
    if a.is_none() && b.is_none() && c.is_none() {
        return "-".into();
    }
    let mut out = String::with_capacity(24);
    for (i, v) in [a, b, c].into_iter().enumerate() {
        if i > 0 {
            out.push('/');
        }
        push_ms(&mut out, v);
    }
    out
}

/// The whole report as text.
pub fn render(o: &Outcome) -> String {
    let mut out = String::new();
    let streams = &o.fin.report.streams;
    let _ = writeln!(out, "RTP streams ({})", streams.len());
    let mut t = Table::new(&[
        ("#", true),
        ("Source", false),
        ("Destination", false),
        ("SSRC", false),
        ("Codec", false),
        ("Start s", true),
        ("Pkts", true),
        ("Lost", true),
        ("Delta ms min/mean/max", true),
        ("Jitter ms min/mean/max", true),
        ("Jitter", true),
        ("RTT ms", true),
        ("MOS", true),
    ]);
    for (i, s) in streams.iter().enumerate() {
        let codec = match (s.encoding, s.switched_to, s.clock_rate) {
            // The rate is that of the codec the stream switched to.
            (Some(e), Some(to), Some(r)) => format!("{e}→{to}/{r}"),
            (None, Some(to), Some(r)) => format!("PT{}→{to}/{r}", s.payload_type),
            (Some(e), _, Some(r)) => format!("{e}/{r}"),
            (Some(e), _, None) => e.to_string(),
            (None, _, Some(r)) => format!("PT{}/{r}?", s.payload_type),
            (None, _, None) => format!("PT{}", s.payload_type),
        };
        let lat = o.latency(i);
        let mos = match (s.mos_lq, lat.mos_cq) {
            (Some(lq), Some(cq)) if (lq - cq).abs() >= 0.01 => format!("{lq:.2}/{cq:.2}"),
            (Some(lq), _) => format!("{lq:.2}"),
            _ => "-".into(),
        };
        t.rows.push(vec![
            i.to_string(),
            s.key.flow.src_end().to_string(),
            s.key.flow.dst_end().to_string(),
            crate::json::ssrc_hex(s.key.ssrc),
            codec,
            format!("{:.3}", rel_s(s.first_arrival, o.origin)),
            s.packets.to_string(),
            format!("{} ({:.1}%)", s.lost, s.lost_pct),
            triple(s.delta_ms.min, s.delta_ms.mean, s.delta_ms.max),
            triple(s.jitter_ms.min, s.jitter_ms.mean, s.jitter_ms.max),
            ms(s.jitter_ms.final_ms),
            lat.rtt_ms.map_or_else(|| "-".into(), |r| format!("{r:.1}")),
            mos,
        ]);
    }
    t.render(&mut out);
    let _ = writeln!(out, "  (Jitter = RFC 3550 value after the last packet; min/mean/max and deltas as Wireshark computes them; MOS = LQ or LQ/CQ)");

    let d = &o.diagnosis;
    let _ = writeln!(out, "\nCalls ({})", d.calls.len());
    for (n, c) in d.calls.iter().enumerate() {
        let id = c
            .call_id
            .as_deref()
            .map(|id| format!(" [Call-ID {id}]"))
            .unwrap_or_default();
        let list: Vec<String> = c.streams.iter().map(|s| s.to_string()).collect();
        let _ = writeln!(
            out,
            "  {}. {}{id}: {} (streams {})",
            n + 1,
            c.verdict.as_str().to_uppercase(),
            c.headline,
            list.join(", ")
        );
    }

    if d.symptoms.is_empty() {
        let _ = writeln!(out, "\nSymptoms: none — nothing a caller would notice.");
    } else {
        let _ = writeln!(out, "\nSymptoms ({})", d.symptoms.len());
        for s in &d.symptoms {
            let sev = match s.severity {
                rtpscope::core::diagnosis::Severity::Warning => "warning",
                rtpscope::core::diagnosis::Severity::Critical => "CRITICAL",
            };
            let _ = writeln!(
                out,
                "  [{sev}] {} on stream {} ({}), {:.1}–{:.1} s: {}",
                s.kind.as_str().replace('_', " "),
                s.stream,
                s.direction,
                rel_s(s.start, o.origin),
                rel_s(s.end, o.origin),
                s.summary
            );
            for a in s.advice {
                let _ = writeln!(out, "      - {a}");
            }
        }
    }
    let c = o.counters();
    let tunneled = match c["tunneled"] {
        0 => String::new(),
        n => format!(", {n} of them inside tunnels"),
    };
    let sip_tcp = match (c["sip_tcp"], c["sip_tcp_joined"], c["sip_tcp_abandoned"]) {
        (0, _, 0) => String::new(),
        (n, 0, 0) => format!(" + {n} SIP over TCP"),
        (n, joined, 0) => format!(" + {n} SIP over TCP ({joined} joined from segments)"),
        (n, joined, lost) => format!(
            " + {n} SIP over TCP ({joined} joined from segments, {lost} incomplete and unread)"
        ),
    };
    let _ = writeln!(
        out,
        "\nFrames {}: {} UDP{tunneled}{sip_tcp} ({} RTP, {} RTCP, {} SIP, {} other); not UDP/IP {}, truncated {}, fragments {}, malformed {}; dropped in pipeline {}",
        c["frames"],
        c["udp"],
        c["rtp_packets"],
        c["rtcp_packets"],
        c["sip_messages"],
        c["other_udp"],
        c["not_ip"] + c["not_udp"] + c["unsupported_linktype"],
        c["truncated"],
        c["fragments"],
        c["malformed"],
        c["pipeline_dropped"],
    );
    if c["fragments_discarded"] > 0 {
        let _ = writeln!(
            out,
            "Warning: {} IP fragments could not be put back together (pieces missing or contradicting): the datagrams they carried are missing from the streams above",
            c["fragments_discarded"]
        );
    }
    if c["cut_short"] > 0 {
        let _ = writeln!(
            out,
            "Note: {} datagrams were cut short by the capture's snap length: RTP headers were analysed from them (payload lengths from the UDP header, no silence detection), RTCP up to its last whole packet; {} others (SIP, RTCP cut in its first packet, ...) were not",
            c["cut_short"],
            c["cut_unanalysed"]
        );
    }
    if let Some(e) = &o.fin.source.error {
        let _ = writeln!(
            out,
            "Input ended early: {e} (results above cover what was read before it)"
        );
    }
    out
}
