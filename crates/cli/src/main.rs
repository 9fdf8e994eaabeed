//! `rtpscope`: RTP voice quality from pcap files and live interfaces.

mod analyze;
mod args;
mod config;
mod error;
mod json;
mod live;
mod mapped;
mod outcome;
mod print;
mod source;
mod synth;
mod table;

use std::process::ExitCode;

use clap::Parser;

use args::{Cli, Command, FailOn};
use rtpscope::core::diagnosis::Verdict;

/// Exit status: input unreadable or cut short (partial results were printed).
const EXIT_INPUT: u8 = 2;
/// Exit status: a call was as bad as `--fail-on` names.
const EXIT_VERDICT: u8 = 3;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match &cli.command {
        Command::Analyze(a) => analyze::run(a).map(|o| status(&o, a.options.fail_on)),
        Command::Live(a) => live::run(a).map(|o| status(&o, a.options.fail_on)),
        Command::Interfaces => live::interfaces().map(|()| ExitCode::SUCCESS),
        Command::Synth(a) => synth::run(a).map(|()| ExitCode::SUCCESS),
    };
    match result {
        Ok(code) => code,
        Err(error::CliError::Output(e)) if e.kind() == std::io::ErrorKind::BrokenPipe => {
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("rtpscope: {e}");
            ExitCode::from(EXIT_INPUT)
        }
    }
}

fn status(o: &outcome::Outcome, fail_on: Option<FailOn>) -> ExitCode {
    let limit = fail_on.map(|f| match f {
        FailOn::Degraded => Verdict::Degraded,
        FailOn::Poor => Verdict::Poor,
        FailOn::Unusable => Verdict::Unusable,
    });
    if let (Some(limit), Some(worst)) = (limit, o.worst_verdict()) {
        if worst >= limit {
            return ExitCode::from(EXIT_VERDICT);
        }
    }
    if o.fin.source.error.is_some() {
        return ExitCode::from(EXIT_INPUT);
    }
    ExitCode::SUCCESS
}
