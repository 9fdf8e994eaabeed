//! Why a pipeline could not run or finish.

use rtpscope_capture::CaptureError;

/// Errors of the pipeline itself. Errors in the middle of an input do not end up here: the
/// frames before them are analysed and the error is kept in
/// [`crate::SourceCounters::error`].
#[derive(Debug)]
pub enum PipelineError {
    /// The input could not be opened.
    Capture(CaptureError),
    /// A thread could not be started.
    Spawn(std::io::Error),
    /// A thread of the pipeline panicked (a bug); its results are missing.
    ThreadPanicked(&'static str),
    /// A synthetic capture could not be generated.
    Synth(std::io::Error),
    /// The input could not be opened again for another shard's reader.
    Reopen(std::io::Error),
}

impl core::fmt::Display for PipelineError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            PipelineError::Capture(e) => write!(f, "cannot read capture: {e}"),
            PipelineError::Spawn(e) => write!(f, "cannot start pipeline thread: {e}"),
            PipelineError::ThreadPanicked(which) => write!(f, "pipeline {which} thread panicked"),
            PipelineError::Synth(e) => write!(f, "cannot generate synthetic capture: {e}"),
            PipelineError::Reopen(e) => write!(f, "cannot open the input for a shard: {e}"),
        }
    }
}

impl std::error::Error for PipelineError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            PipelineError::Capture(e) => Some(e),
            PipelineError::Spawn(e) | PipelineError::Synth(e) | PipelineError::Reopen(e) => Some(e),
            PipelineError::ThreadPanicked(_) => None,
        }
    }
}

impl From<CaptureError> for PipelineError {
    fn from(e: CaptureError) -> Self {
        PipelineError::Capture(e)
    }
}
