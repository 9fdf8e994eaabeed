//! Writing an outcome in the chosen format.

use std::io::Write;

use crate::args::Format;
use crate::error::CliError;
use crate::json::{IntervalLine, Stream};
use crate::outcome::Outcome;

/// Prints `o` to standard output.
pub fn outcome(o: &Outcome, format: Format) -> Result<(), CliError> {
    // Standard output is line-buffered: without this, pretty JSON of a big capture is one
    // write(2) per line.
    let mut out = std::io::BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
    match format {
        Format::Table => out
            .write_all(crate::table::render(o).as_bytes())
            .map_err(CliError::Output)?,
        Format::Json => {
            serde_json::to_writer_pretty(&mut out, &o.document())
                .map_err(|e| CliError::Output(e.into()))?;
            writeln!(out).map_err(CliError::Output)?;
        }
        Format::Ndjson => {
            if o.intervals.is_empty() {
                for (i, s) in o.fin.report.streams.iter().enumerate() {
                    line(&mut out, &Stream::new(s, o.origin, &o.latency(i)))?;
                }
            } else {
                for r in &o.intervals {
                    line(&mut out, &IntervalLine::new(r, o.origin))?;
                }
            }
        }
    }
    out.flush().map_err(CliError::Output)
}

fn line(out: &mut impl Write, value: &impl serde::Serialize) -> Result<(), CliError> {
    serde_json::to_writer(&mut *out, value).map_err(|e| CliError::Output(e.into()))?;
    writeln!(out).map_err(CliError::Output)
}
