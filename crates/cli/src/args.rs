//! Command-line arguments.

use std::ops::RangeInclusive;
use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// RTP voice quality from captures and live interfaces: per-stream metrics, what the caller
/// hears, and what to do about it.
#[derive(Debug, Parser)]
#[command(name = "rtpscope", version, about, long_about = None)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Analyse a pcap or pcapng file ("-" reads standard input).
    Analyze(AnalyzeArgs),
    /// Capture on a network interface and report as calls happen (needs CAP_NET_RAW).
    Live(LiveArgs),
    /// List the network interfaces that can be captured on.
    Interfaces,
    /// Write a synthetic capture with chosen impairments.
    Synth(SynthArgs),
}

/// Output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// A table for people.
    Table,
    /// One JSON document.
    Json,
    /// One JSON object per line: per stream per interval with --interval, else per stream.
    Ndjson,
}

/// Verdicts that `--fail-on` can name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, ValueEnum)]
pub enum FailOn {
    /// Fail when any call is degraded or worse.
    Degraded,
    /// Fail when any call is poor or worse.
    Poor,
    /// Fail when any call is unusable.
    Unusable,
}

/// Options shared by `analyze` and `live`.
#[derive(Debug, Clone, Args)]
pub struct AnalysisOptions {
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// Report a time series at this interval (e.g. 1s, 500ms).
    #[arg(long, value_parser = parse_duration)]
    pub interval: Option<Duration>,
    /// Payload type meaning, e.g. 96=opus/48000 (repeatable).
    #[arg(long = "pt", value_parser = parse_payload_type)]
    pub payload_types: Vec<(u8, String, u32)>,
    /// Treat UDP on these ports as RTP without detection, e.g. 5004 or 16384-32767 (repeatable).
    #[arg(long = "port", value_parser = parse_port_range)]
    pub ports: Vec<RangeInclusive<u16>>,
    /// Thresholds for the diagnosis (TOML; missing keys keep their defaults).
    #[arg(long)]
    pub thresholds: Option<PathBuf>,
    /// Analysis worker threads (default: one per core less one for the reader, at least 1).
    #[arg(long)]
    pub workers: Option<usize>,
    /// Exit with status 3 when any call's verdict is this bad or worse.
    #[arg(long, value_enum)]
    pub fail_on: Option<FailOn>,
}

/// `rtpscope analyze`.
#[derive(Debug, Args)]
pub struct AnalyzeArgs {
    /// The capture file, or "-" for standard input.
    pub file: PathBuf,
    /// Analysis options.
    #[command(flatten)]
    pub options: AnalysisOptions,
    /// Print throughput (packets/s) and time on standard error.
    #[arg(long)]
    pub bench: bool,
    /// Read the file with read(2) instead of mapping it into memory: for a file that another
    /// program may truncate while it is analysed (a mapped file cut short ends the process).
    #[arg(long)]
    pub no_mmap: bool,
}

/// `rtpscope live`.
#[derive(Debug, Args)]
pub struct LiveArgs {
    /// Interface name (see `rtpscope interfaces`).
    pub interface: String,
    /// Stop after this long (e.g. 30s); default: until Ctrl-C.
    #[arg(long, value_parser = parse_duration)]
    pub duration: Option<Duration>,
    /// Analysis options.
    #[command(flatten)]
    pub options: AnalysisOptions,
}

/// `rtpscope synth`.
#[derive(Debug, Args)]
pub struct SynthArgs {
    /// Output pcap file.
    #[arg(short, long)]
    pub output: PathBuf,
    /// Number of calls (two streams each).
    #[arg(long, default_value_t = 1)]
    pub calls: usize,
    /// Call length (e.g. 10s).
    #[arg(long, value_parser = parse_duration, default_value = "10s")]
    pub duration: Duration,
    /// Codecs, assigned to calls in turn: pcmu, pcma, g722, opus (comma-separated).
    #[arg(long, default_value = "pcmu", value_delimiter = ',')]
    pub codec: Vec<String>,
    /// Random loss, percent of packets.
    #[arg(long, default_value_t = 0.0)]
    pub loss: f64,
    /// Chance per packet that a loss burst starts, percent.
    #[arg(long, default_value_t = 0.0)]
    pub burst_loss: f64,
    /// Longest loss burst in packets.
    #[arg(long, default_value_t = 5)]
    pub burst_len: u32,
    /// Network delay varies uniformly over 0..this many ms.
    #[arg(long, default_value_t = 0.0)]
    pub jitter: f64,
    /// Packets delayed past later ones, percent.
    #[arg(long, default_value_t = 0.0)]
    pub reorder: f64,
    /// Duplicated packets, percent.
    #[arg(long, default_value_t = 0.0)]
    pub duplicate: f64,
    /// Start sequence numbers and timestamps just before they wrap.
    #[arg(long)]
    pub near_wrap: bool,
    /// SSRC changes per stream.
    #[arg(long, default_value_t = 0)]
    pub ssrc_restarts: u32,
    /// Add RTCP sender and receiver reports.
    #[arg(long)]
    pub rtcp: bool,
    /// IPv6 addresses.
    #[arg(long)]
    pub ipv6: bool,
    /// No SIP INVITE / 200 OK setting each call up (media only).
    #[arg(long)]
    pub no_sip: bool,
    /// Random seed.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
}

/// Parses `1s`, `250ms`, `2m`, `1.5s` or a bare number of seconds.
pub fn parse_duration(s: &str) -> Result<Duration, String> {
    let s = s.trim();
    let (num, unit) = match s.find(|c: char| c.is_ascii_alphabetic()) {
        Some(i) => s.split_at(i),
        None => (s, "s"),
    };
    let v: f64 = num
        .trim()
        .parse()
        .map_err(|_| format!("not a duration: {s:?} (try 1s or 500ms)"))?;
    let secs = match unit {
        "ms" => v / 1000.0,
        "s" => v,
        "m" | "min" => v * 60.0,
        "h" => v * 3600.0,
        _ => {
            return Err(format!(
                "unknown unit {unit:?} in {s:?} (use ms, s, m or h)"
            ))
        }
    };
    if !(secs.is_finite() && secs > 0.0) {
        return Err(format!("duration must be positive: {s:?}"));
    }
    Ok(Duration::from_secs_f64(secs))
}

/// Parses `96=opus/48000`.
pub fn parse_payload_type(s: &str) -> Result<(u8, String, u32), String> {
    let err = || format!("expected PT=ENCODING/RATE such as 96=opus/48000, got {s:?}");
    let (pt, rest) = s.split_once('=').ok_or_else(err)?;
    let mut parts = rest.split('/');
    let encoding = parts.next().filter(|e| !e.is_empty()).ok_or_else(err)?;
    let rate: u32 = parts
        .next()
        .and_then(|r| r.parse().ok())
        .filter(|&r| r > 0)
        .ok_or_else(err)?;
    let pt: u8 = pt
        .trim()
        .parse()
        .ok()
        .filter(|&p| p < 128)
        .ok_or_else(err)?;
    Ok((pt, encoding.to_string(), rate))
}

/// Parses `5004` or `5000-5100`.
pub fn parse_port_range(s: &str) -> Result<RangeInclusive<u16>, String> {
    let err = || format!("expected a port or a range such as 5004 or 16384-32767, got {s:?}");
    let (a, b) = s.split_once('-').unwrap_or((s, s));
    let (a, b): (u16, u16) = (
        a.trim().parse().map_err(|_| err())?,
        b.trim().parse().map_err(|_| err())?,
    );
    if a > b {
        return Err(err());
    }
    Ok(a..=b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(parse_duration("1s"), Ok(Duration::from_secs(1)));
        assert_eq!(parse_duration("250ms"), Ok(Duration::from_millis(250)));
        assert_eq!(parse_duration("2"), Ok(Duration::from_secs(2)));
        assert!(parse_duration("0s").is_err());
        assert!(parse_duration("1 fortnight").is_err());
    }

    #[test]
    fn payload_types_and_ports() {
        assert_eq!(
            parse_payload_type("96=opus/48000"),
            Ok((96, "opus".into(), 48000))
        );
        assert!(parse_payload_type("200=opus/48000").is_err());
        assert!(parse_payload_type("96=opus").is_err());
        assert_eq!(parse_port_range("5004"), Ok(5004..=5004));
        assert_eq!(parse_port_range("5000-5100"), Ok(5000..=5100));
        assert!(parse_port_range("6000-5000").is_err());
    }
}
