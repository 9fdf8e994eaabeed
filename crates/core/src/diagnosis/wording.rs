//! The one-sentence summaries, shared by the live monitor and the post-hoc diagnosis so a
//! symptom reads the same either way.

use core::fmt::Display;

use super::symptom::human_ms;

/// How loss came in bursts: their number, mean and longest duration (ms).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Bursts {
    pub count: u64,
    pub mean_ms: f64,
    pub longest_ms: f64,
}

/// A mean says little when one burst dwarfs the others (a 6 s outage beside an 80 ms burst
/// would read as "bursts of about 3 s"): then the count and the longest are given instead.
/// `rtp_count`: the RTP loss count's percentage (tshark's), when it tells another story.
pub(crate) fn loss(
    dir: impl Display,
    pct: f64,
    bursts: Option<Bursts>,
    rtp_count: Option<f64>,
) -> String {
    let bursts = bursts.map_or(String::new(), |b| {
        // The mean of the other bursts, which the longest is compared with.
        let others_ms = (b.mean_ms * b.count as f64 - b.longest_ms) / (b.count.max(2) - 1) as f64;
        if b.count >= 2 && b.longest_ms > 4.0 * others_ms {
            format!(
                ", in {} bursts, the longest {}",
                b.count,
                human_ms(b.longest_ms)
            )
        } else {
            format!(", in bursts of about {}", human_ms(b.mean_ms))
        }
    });
    let offset = rtp_count.map_or(String::new(), |shown| {
        format!(" ({shown:.1} % by the RTP count, where duplicates and strays count as received)")
    });
    format!(
        "{pct:.1} % of packets lost on {dir}{bursts}{offset}: the listener hears gaps and cut-outs"
    )
}

pub(crate) fn remote_loss(dir: impl Display, pct: f64) -> String {
    format!(
        "the receiver reports {pct:.1} % of the packets on {dir} lost after the capture point: the listener hears gaps and cut-outs"
    )
}

/// `late`: the jitter buffer's depth (ms) and the packets (%) that came too late for it.
pub(crate) fn jitter(dir: impl Display, jitter_ms: f64, late: Option<(f64, f64)>) -> String {
    let late = late.map_or(String::new(), |(buf, pct)| {
        let share = if pct >= 10.0 {
            format!("{pct:.0} %")
        } else {
            format!("{pct:.1} %")
        };
        format!(
            ", and {share} of packets arrive too late for a {buf:.0} ms jitter buffer (jitter-induced loss)"
        )
    });
    format!("jitter {jitter_ms:.0} ms on {dir}{late}: the audio sounds robotic or choppy")
}

pub(crate) fn delay(one_way_ms: f64, mouth_to_ear_ms: Option<f64>, critical: bool) -> String {
    let m2e = mouth_to_ear_ms.map_or(String::new(), |m| {
        format!(" (about {m:.0} ms mouth to ear)")
    });
    let effect = if critical {
        "the call is nearly unusable"
    } else {
        "callers talk over each other"
    };
    format!("one-way delay about {one_way_ms:.0} ms{m2e}: {effect}")
}

pub(crate) fn stopped_while_other_continued(
    dir: impl Display,
    at_ms: f64,
    other: impl Display,
    more_ms: f64,
) -> String {
    format!(
        "audio {dir} stopped {} into the call while {other} continued for {} more: one side cannot hear the other (one-way audio)",
        human_ms(at_ms),
        human_ms(more_ms)
    )
}

pub(crate) fn started_late(dir: impl Display, late_ms: f64, other: impl Display) -> String {
    format!(
        "audio {dir} started {} after {other}: until then one side cannot hear the other (one-way audio)",
        human_ms(late_ms)
    )
}

pub(crate) fn one_direction_only(dir: impl Display) -> String {
    format!("audio flows only {dir} and nothing comes back: one side cannot hear the other (one-way audio)")
}

pub(crate) fn no_packets(dir: impl Display, for_ms: f64, other_continues: bool) -> String {
    if other_continues {
        format!(
            "no packets {dir} for {} while the other direction continues: one-way audio",
            human_ms(for_ms)
        )
    } else {
        format!(
            "no packets {dir} for {}: the listener hears nothing (audio stopped)",
            human_ms(for_ms)
        )
    }
}

pub(crate) fn dropout(dir: impl Display, gap_ms: f64) -> String {
    format!(
        "audio {dir} stopped for {} mid-call: the listener heard nothing meanwhile",
        human_ms(gap_ms)
    )
}

pub(crate) fn digital_silence(dir: impl Display, ms: f64, whole: bool) -> String {
    let how = if whole {
        "only digital silence".to_string()
    } else {
        format!("digital silence for {}", human_ms(ms))
    };
    format!(
        "packets {dir} carry {how}: the microphone is muted or dead, the listener hears nothing"
    )
}

pub(crate) fn low_mos(dir: impl Display, mos: f64, with_delay: bool) -> String {
    let what = if with_delay {
        "conversational MOS"
    } else {
        "listening MOS"
    };
    format!("estimated {what} {mos:.2} on {dir}: many listeners would be dissatisfied")
}
