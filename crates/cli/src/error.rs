//! Errors the command line reports in one line.

use std::fmt;

/// Why a command failed.
#[derive(Debug)]
pub enum CliError {
    /// Bad input: unreadable file, bad options, bad thresholds.
    Input(String),
    /// The analysis itself failed.
    Analysis(String),
    /// Writing the output failed (e.g. a closed pipe).
    Output(std::io::Error),
}

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CliError::Input(m) | CliError::Analysis(m) => f.write_str(m),
            CliError::Output(e) => write!(f, "cannot write output: {e}"),
        }
    }
}

impl std::error::Error for CliError {}

impl From<rtpscope::pipeline::PipelineError> for CliError {
    fn from(e: rtpscope::pipeline::PipelineError) -> Self {
        CliError::Analysis(e.to_string())
    }
}

impl From<rtpscope::capture::CaptureError> for CliError {
    fn from(e: rtpscope::capture::CaptureError) -> Self {
        CliError::Input(e.to_string())
    }
}
