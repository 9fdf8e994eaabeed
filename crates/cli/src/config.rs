//! From command-line options to pipeline and diagnosis configuration.

use std::path::Path;

use rtpscope::capture::DetectorConfig;
use rtpscope::core::diagnosis::Thresholds;
use rtpscope::core::AnalyzerConfig;
use rtpscope::pipeline::{PipelineConfig, Policy};

use crate::args::AnalysisOptions;
use crate::error::CliError;

/// Loads `--thresholds FILE` (TOML; missing keys keep their defaults).
pub fn thresholds(path: Option<&Path>) -> Result<Thresholds, CliError> {
    let Some(path) = path else {
        return Ok(Thresholds::default());
    };
    let text = std::fs::read_to_string(path)
        .map_err(|e| CliError::Input(format!("{}: {e}", path.display())))?;
    toml::from_str(&text)
        .map_err(|e| CliError::Input(format!("{}: {}", path.display(), e.message())))
}

/// Worker threads: as asked, else one per core less the one the source thread keeps busy
/// (at least 1, at most 8). On two cores a second worker only competes with the source; a
/// file is then analysed by a worker beside the source and one inside it (`analyze`).
pub fn workers(asked: Option<usize>) -> usize {
    asked
        .unwrap_or_else(|| {
            std::thread::available_parallelism()
                .map_or(1, |n| n.get())
                .saturating_sub(1)
                .min(MAX_DEFAULT_WORKERS)
        })
        .max(1)
}

/// The most workers chosen without `--workers`.
pub const MAX_DEFAULT_WORKERS: usize = 8;

/// The pipeline configuration for these options.
pub fn pipeline(
    options: &AnalysisOptions,
    thresholds: &Thresholds,
    policy: Policy,
    events: bool,
) -> PipelineConfig {
    let mut analyzer = AnalyzerConfig {
        interval: options.interval.or(AnalyzerConfig::default().interval),
        thresholds: thresholds.clone(),
        ..AnalyzerConfig::default()
    };
    for (pt, encoding, rate) in &options.payload_types {
        analyzer = analyzer.with_payload_type(*pt, encoding, *rate);
    }
    let defaults = PipelineConfig::default();
    // The pipeline's detector bounds are sized for a probe (hundreds of thousands of flows);
    // the capture crate's own default is for a desktop.
    let detector = DetectorConfig {
        forced_ports: options.ports.clone(),
        ..defaults.detector.clone()
    };
    PipelineConfig {
        workers: workers(options.workers),
        policy,
        analyzer,
        detector,
        events,
        ..defaults
    }
}
