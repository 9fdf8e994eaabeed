//! Live symptoms from interval reports, with hysteresis.
//!
//! Each stream keeps its last few interval samples (at most [`MAX_WINDOW`]). A window rule
//! raises when `raise_count` of the last `window` samples exceed its limit, and clears only
//! when none does and the symptom has been up for `clear_min_ms` — so a metric hovering at
//! its limit raises once and stays up instead of flapping. Loss also has twilio-voice.js's
//! average rule (mean over 7 samples above 3 %, cleared at or below 1 %). Audio that stops
//! raises after `gap_ms` without packets, digital silence after `silence_ms`.
//!
//! Memory is bounded: a fixed ring per stream, at most `max_streams` streams (new ones beyond
//! are not watched), RTCP legs only for watched streams' SSRCs.

use foldhash::{HashMap, HashMapExt};

use rtpscope_wire::{Flow, Timestamp};

use crate::report::{IntervalReport, LatencyMethod, StreamKey};

use super::advice;
use super::checks::EPS;
use super::symptom::{
    direction, human_ms, Change, Evidence, Severity, Symptom, SymptomEvent, SymptomKind,
};
use super::thresholds::{Thresholds, MAX_WINDOW};
use super::wording;

/// One interval of one stream, as the rules need it.
#[derive(Debug, Clone, Copy, Default)]
struct Sample {
    start: Timestamp,
    packets: u64,
    missing_pct: f64,
    jitter_ms: Option<f64>,
    late_pct: f64,
    mos: Option<f64>,
    one_way_ms: Option<f64>,
}

/// The rules, one active symptom each.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Rule {
    Loss,
    Jitter,
    Mos,
    Delay,
    Stopped,
    Silence,
}

const RULES: [Rule; 6] = [
    Rule::Loss,
    Rule::Jitter,
    Rule::Mos,
    Rule::Delay,
    Rule::Stopped,
    Rule::Silence,
];

#[derive(Debug, Clone)]
struct Active {
    raised_at: Timestamp,
    symptom: Symptom,
}

#[derive(Debug)]
struct Watched {
    id: u64,
    key: StreamKey,
    ring: [Sample; MAX_WINDOW],
    len: usize,
    next: usize,
    active: [Option<Active>; 6],
    quiet_since: Option<Timestamp>,
    silent_since: Option<Timestamp>,
    last_active_end: Option<Timestamp>,
    last_end: Timestamp,
    /// Per windowed rule (loss, jitter, MOS, delay): consecutive newest samples that rule's
    /// limit could not flag (see [`Monitor::calm`]).
    calm_runs: [usize; 4],
}

impl Watched {
    fn new(id: u64, key: StreamKey) -> Self {
        Watched {
            id,
            key,
            ring: [Sample::default(); MAX_WINDOW],
            len: 0,
            next: 0,
            active: Default::default(),
            quiet_since: None,
            silent_since: None,
            last_active_end: None,
            last_end: Timestamp::ZERO,
            calm_runs: [0; 4],
        }
    }

    fn push(&mut self, s: Sample) {
        self.ring[self.next] = s;
        self.next = (self.next + 1) % MAX_WINDOW;
        self.len = (self.len + 1).min(MAX_WINDOW);
    }

    /// The last `n` samples, newest first.
    fn last(&self, n: usize) -> impl Iterator<Item = &Sample> + '_ {
        let n = n.min(self.len);
        (1..=n).map(move |k| &self.ring[(self.next + MAX_WINDOW - k) % MAX_WINDOW])
    }
}

/// What one rule concluded from the latest sample.
struct Finding {
    raise: bool,
    clear_ok: bool,
    kind: SymptomKind,
    severity: Severity,
    start: Timestamp,
    evidence: Evidence,
    summary: String,
    advice: &'static [&'static str],
}

impl Finding {
    /// A k-of-n rule over the window `(count, len, start, mean)` of [`window_count`]: raised
    /// at `k` flagged intervals, clear at none, from the earliest flagged one.
    fn k_of_n(
        &mut self,
        window: (usize, usize, Option<Timestamp>, f64),
        k: usize,
        r: &IntervalReport,
    ) {
        let (count, _, start, _) = window;
        self.raise = count >= k;
        self.clear_ok = count == 0;
        self.start = start.unwrap_or(r.start);
    }

    /// A rule on how long a state has lasted (no packets, digital silence) at the end of
    /// `r`: raised from `threshold_ms`, clear once the state is over. Its length in ms.
    fn lasting(&mut self, since: Option<Timestamp>, r: &IntervalReport, threshold_ms: f64) -> f64 {
        let ms = since.map(|q| r.end.saturating_duration_since(q).as_secs_f64() * 1000.0);
        self.raise = ms.is_some_and(|q| q + EPS >= threshold_ms);
        self.clear_ok = ms.is_none();
        self.start = since.unwrap_or(r.start);
        ms.unwrap_or(0.0)
    }
}

/// Critical or warning.
fn severity(critical: bool) -> Severity {
    if critical {
        Severity::Critical
    } else {
        Severity::Warning
    }
}

/// Watches interval reports and raises and clears symptoms with hysteresis.
///
/// ```
/// use rtpscope_core::diagnosis::{Monitor, Thresholds};
/// let monitor = Monitor::new(Thresholds::default(), 1000);
/// assert_eq!(monitor.watched_streams(), 0);
/// ```
#[derive(Debug)]
pub struct Monitor {
    t: Thresholds,
    max_streams: usize,
    /// Boxed: a stream's window is most of a kilobyte, which a growing table would move.
    streams: HashMap<u64, Box<Watched>>,
    by_flow: HashMap<Flow, u64>,
    /// Watched streams per SSRC, so an RTCP leg or a stream's end is checked in O(1).
    ssrcs: HashMap<u32, u32>,
    /// Latest RTCP leg (ms) per source SSRC.
    legs: HashMap<u32, f64>,
    unwatched: u64,
    /// Skip the rules when nothing could raise or clear (off only to test that it is exact).
    fast_path: bool,
    /// The latest interval end reported and how many watched streams reported it.
    reported_at: Option<(Timestamp, usize)>,
}

impl Monitor {
    /// A monitor with these thresholds, watching at most `max_streams` streams.
    pub fn new(thresholds: Thresholds, max_streams: usize) -> Self {
        Monitor {
            t: thresholds,
            max_streams,
            streams: HashMap::new(),
            by_flow: HashMap::new(),
            ssrcs: HashMap::new(),
            legs: HashMap::new(),
            unwatched: 0,
            fast_path: true,
            reported_at: None,
        }
    }

    /// The same monitor evaluating every rule on every interval (for equivalence tests).
    #[doc(hidden)]
    pub fn without_fast_path(mut self) -> Self {
        self.fast_path = false;
        self
    }

    /// For each windowed rule (loss, jitter, MOS, delay), whether its limit could not count
    /// this sample. A rule whose whole window is calm cannot raise. Loss asks for none at all,
    /// not just none above the per-sample limit: its average rule counts every sample.
    fn calm(t: &Thresholds, s: &Sample) -> [bool; 4] {
        let loss = s.missing_pct <= 0.0 && t.loss_sample_pct >= 0.0 && t.loss_average_pct >= 0.0;
        [
            loss,
            !flagged(Rule::Jitter, t, s),
            !flagged(Rule::Mos, t, s),
            !flagged(Rule::Delay, t, s),
        ]
    }

    /// Whether `rule` can neither raise nor clear now, so evaluating it would change nothing:
    /// nothing is up and every sample it looks at is calm (or there is no gap or silence).
    fn idle(t: &Thresholds, w: &Watched, slot: usize, rule: Rule) -> bool {
        if w.active.get(slot).is_none_or(Option::is_some) {
            return false;
        }
        let window = t.hysteresis.window();
        let calm_for = |i: usize, n: usize| w.calm_runs[i] >= n.min(w.len);
        match rule {
            Rule::Loss => calm_for(0, window.max(t.loss_average_samples.clamp(1, MAX_WINDOW))),
            Rule::Jitter => calm_for(1, window),
            Rule::Mos => calm_for(2, window),
            Rule::Delay => calm_for(3, window),
            Rule::Stopped => w.quiet_since.is_none(),
            Rule::Silence => w.silent_since.is_none(),
        }
    }

    /// The thresholds in use.
    pub fn thresholds(&self) -> &Thresholds {
        &self.t
    }

    /// Streams being watched.
    pub fn watched_streams(&self) -> usize {
        self.streams.len()
    }

    /// Interval reports not watched because `max_streams` streams already were.
    pub fn unwatched_reports(&self) -> u64 {
        self.unwatched
    }

    /// An RTCP round-trip sample (one leg on `source`), for the delay rule.
    pub fn handle_round_trip(&mut self, source: u32, rtt_ms: f64) {
        let watched = self.ssrcs.contains_key(&source);
        if watched && rtt_ms.is_finite() && rtt_ms >= 0.0 {
            self.legs.insert(source, rtt_ms);
        }
    }

    /// Accounts one interval report; returns the symptoms it raised or cleared.
    pub fn handle_interval(&mut self, r: &IntervalReport) -> Vec<SymptomEvent> {
        if !self.streams.contains_key(&r.id) {
            if self.streams.len() >= self.max_streams {
                self.unwatched += 1;
                return Vec::new();
            }
            self.streams
                .insert(r.id, Box::new(Watched::new(r.id, r.key)));
            self.by_flow.insert(r.key.flow, r.id);
            *self.ssrcs.entry(r.key.ssrc).or_default() += 1;
        }
        let reverse = self
            .by_flow
            .get(&r.key.flow.reversed())
            .and_then(|id| self.streams.get(id))
            .map(|w| &**w);
        let one_way_ms = self.one_way_ms(r.key, reverse);
        let reverse_active = reverse
            .and_then(|w| w.last_active_end)
            .is_some_and(|e| e >= r.start);
        let t = &self.t;
        let Some(w) = self.streams.get_mut(&r.id) else {
            return Vec::new();
        };
        let late_pct = if r.packets == 0 {
            0.0
        } else {
            r.late_for_buffer as f64 * 100.0 / r.packets as f64
        };
        let sample = Sample {
            start: r.start,
            packets: r.packets,
            missing_pct: r.missing_pct,
            jitter_ms: r.jitter_ms,
            late_pct,
            mos: r.mos_lq,
            one_way_ms,
        };
        w.push(sample);
        if w.last_end != r.end {
            w.last_end = r.end;
            self.reported_at = match self.reported_at {
                Some((end, n)) if end == r.end => Some((end, n + 1)),
                _ => Some((r.end, 1)),
            };
        }
        if r.packets == 0 {
            w.quiet_since.get_or_insert(r.start);
            w.silent_since = None;
        } else {
            w.quiet_since = None;
            w.last_active_end = Some(r.end);
            if r.silent_packets >= r.packets {
                w.silent_since.get_or_insert(r.start);
            } else {
                w.silent_since = None;
            }
        }
        for (run, calm) in w.calm_runs.iter_mut().zip(Self::calm(t, &sample)) {
            *run = if calm { run.saturating_add(1) } else { 0 };
        }
        let mut out = Vec::new();
        for (slot, rule) in RULES.iter().enumerate() {
            // A rule that can neither raise (each needs a flagged sample, a gap or a silence)
            // nor clear (nothing is up) is not evaluated: most intervals of most streams.
            if self.fast_path && Self::idle(t, w, slot, *rule) {
                continue;
            }
            let mut f = evaluate(*rule, w, r, t, reverse_active, false);
            let news = match &w.active[slot] {
                None => f.raise,
                Some(a) => f.raise && f.severity > a.symptom.severity,
            };
            if news {
                f = evaluate(*rule, w, r, t, reverse_active, true);
            }
            apply(w, slot, f, r.end, t, &mut out);
        }
        out
    }

    /// Forgets every stream that did not report an interval ending at `end` (it ended),
    /// clearing its active symptoms. The analyzer calls it after each round of intervals.
    pub fn sweep(&mut self, end: Timestamp) -> Vec<SymptomEvent> {
        if self.reported_at == Some((end, self.streams.len())) {
            // Every watched stream reported at `end`: none is gone.
            return Vec::new();
        }
        let mut gone: Vec<u64> = self
            .streams
            .values()
            .filter(|w| w.last_end != end)
            .map(|w| w.id)
            .collect();
        gone.sort_unstable();
        gone.into_iter()
            .flat_map(|id| self.stream_ended(id, end))
            .collect()
    }

    /// A stream ended: clears its active symptoms and forgets it.
    pub fn stream_ended(&mut self, id: u64, at: Timestamp) -> Vec<SymptomEvent> {
        let Some(w) = self.streams.remove(&id) else {
            return Vec::new();
        };
        let flow = w.key.flow;
        if self.by_flow.get(&flow) == Some(&id) {
            self.by_flow.remove(&flow);
        }
        if let Some(n) = self.ssrcs.get_mut(&w.key.ssrc) {
            *n -= 1;
            if *n == 0 {
                self.ssrcs.remove(&w.key.ssrc);
                self.legs.remove(&w.key.ssrc);
            }
        }
        w.active
            .into_iter()
            .flatten()
            .map(|a| {
                let mut symptom = a.symptom;
                symptom.end = at;
                SymptomEvent {
                    change: Change::Cleared,
                    key: w.key,
                    at,
                    symptom,
                }
            })
            .collect()
    }

    /// Half the sum of the legs on this stream's SSRC and the reverse stream's SSRC.
    fn one_way_ms(&self, key: StreamKey, reverse: Option<&Watched>) -> Option<f64> {
        let own = self.legs.get(&key.ssrc).copied();
        let reverse = reverse.and_then(|w| self.legs.get(&w.key.ssrc)).copied();
        match (own, reverse) {
            (None, None) => None,
            (a, b) => Some((a.unwrap_or(0.0) + b.unwrap_or(0.0)) / 2.0),
        }
    }
}

/// Raise, escalate or clear one rule's symptom.
fn apply(
    w: &mut Watched,
    slot: usize,
    f: Finding,
    now: Timestamp,
    t: &Thresholds,
    out: &mut Vec<SymptomEvent>,
) {
    let key = w.key;
    match &mut w.active[slot] {
        None if f.raise => {
            let symptom = build(w.id, &key, &f, now);
            out.push(SymptomEvent {
                change: Change::Raised,
                key,
                at: now,
                symptom: symptom.clone(),
            });
            w.active[slot] = Some(Active {
                raised_at: now,
                symptom,
            });
        }
        Some(a) if f.raise && f.severity > a.symptom.severity => {
            // Escalation is news; a lower severity waits for the clear.
            let mut symptom = build(w.id, &key, &f, now);
            symptom.start = a.symptom.start;
            a.symptom = symptom.clone();
            out.push(SymptomEvent {
                change: Change::Raised,
                key,
                at: now,
                symptom,
            });
        }
        Some(a) => {
            let held_ms = now.saturating_duration_since(a.raised_at).as_millis();
            if f.clear_ok && held_ms >= u128::from(t.hysteresis.clear_min_ms) {
                let mut symptom = a.symptom.clone();
                symptom.end = now;
                out.push(SymptomEvent {
                    change: Change::Cleared,
                    key,
                    at: now,
                    symptom,
                });
                w.active[slot] = None;
            } else {
                a.symptom.end = now;
            }
        }
        None => {}
    }
}

fn build(id: u64, key: &StreamKey, f: &Finding, now: Timestamp) -> Symptom {
    Symptom {
        kind: f.kind,
        severity: f.severity,
        stream: usize::try_from(id).unwrap_or(usize::MAX),
        stream_id: id,
        direction: direction(&key.flow),
        start: f.start,
        end: now,
        evidence: f.evidence.clone(),
        summary: f.summary.clone(),
        advice: f.advice,
    }
}

/// Whether a windowed rule's per-sample limit flags `s` (what its k-of-n window counts).
/// The gap and silence rules look at the stream's state, not samples: never.
fn flagged(rule: Rule, t: &Thresholds, s: &Sample) -> bool {
    match rule {
        Rule::Loss => s.missing_pct > t.loss_sample_pct,
        Rule::Jitter => {
            s.packets > 0
                && (s.jitter_ms.is_some_and(|j| j > t.jitter_ms)
                    || s.late_pct > t.late_for_buffer_pct)
        }
        Rule::Mos => s.packets > 0 && s.mos.is_some_and(|m| m < t.mos_min),
        Rule::Delay => s.one_way_ms.is_some_and(|d| d + EPS >= t.delay_warning_ms),
        Rule::Stopped | Rule::Silence => false,
    }
}

/// k-of-n over the window: (count, window length, earliest exceeding sample's start, mean).
fn window_count(
    w: &Watched,
    n: usize,
    exceeds: impl Fn(&Sample) -> bool,
    value: impl Fn(&Sample) -> Option<f64>,
) -> (usize, usize, Option<Timestamp>, f64) {
    let mut count = 0;
    let mut len = 0;
    let mut start = None;
    let (mut sum, mut k) = (0.0, 0usize);
    for s in w.last(n) {
        len += 1;
        if exceeds(s) {
            count += 1;
            start = Some(s.start);
        }
        if let Some(v) = value(s) {
            sum += v;
            k += 1;
        }
    }
    (count, len, start, if k == 0 { 0.0 } else { sum / k as f64 })
}

/// Decides one rule on the current window. The words (evidence window, summary) are only
/// written when `text` is set: most intervals change nothing, and formatting addresses and
/// numbers for every rule of every stream every second would cost more than the analysis.
fn evaluate(
    rule: Rule,
    w: &Watched,
    r: &IntervalReport,
    t: &Thresholds,
    reverse_active: bool,
    text: bool,
) -> Finding {
    let n = t.hysteresis.window();
    let k = t.hysteresis.raise_count();
    let dir = if text {
        direction(&w.key.flow)
    } else {
        String::new()
    };
    let txt = |a: std::fmt::Arguments<'_>| if text { a.to_string() } else { String::new() };
    let of = |count: usize, len: usize, what: std::fmt::Arguments<'_>| {
        txt(format_args!("{count} of the last {len} intervals {what}"))
    };
    let mut f = Finding {
        raise: false,
        clear_ok: true,
        kind: SymptomKind::Anomaly,
        severity: Severity::Warning,
        start: r.start,
        evidence: Evidence {
            metric: "",
            value: 0.0,
            threshold: 0.0,
            window: String::new(),
            method: None,
        },
        summary: String::new(),
        advice: &[],
    };
    match rule {
        Rule::Loss => {
            let (count, len, start, mean) =
                window_count(w, n, |s| flagged(rule, t, s), |s| Some(s.missing_pct));
            let avg_n = t.loss_average_samples.clamp(1, MAX_WINDOW);
            let avg = (w.len >= avg_n)
                .then(|| w.last(avg_n).map(|s| s.missing_pct).sum::<f64>() / avg_n as f64);
            let by_count = count >= k;
            let by_avg = avg.is_some_and(|a| a > t.loss_average_pct);
            f.raise = by_count || by_avg;
            f.clear_ok = count == 0 && avg.is_none_or(|a| a <= t.loss_clear_average_pct);
            let value = if by_avg && !by_count {
                avg.unwrap_or(mean)
            } else {
                mean
            };
            f.kind = SymptomKind::PacketLoss;
            f.severity = severity(value > t.loss_critical_pct);
            f.start = start.unwrap_or(r.start);
            let window = if by_count {
                of(count, len, format_args!("above {} %", t.loss_sample_pct))
            } else {
                txt(format_args!("mean of the last {avg_n} intervals"))
            };
            let threshold = if by_count {
                t.loss_sample_pct
            } else {
                t.loss_average_pct
            };
            f.evidence = Evidence {
                metric: "missing_pct",
                value,
                threshold,
                window,
                method: None,
            };
            if text {
                f.summary = wording::loss(&dir, value, None, None);
            }
            f.advice = advice::LOSS;
        }
        Rule::Jitter => {
            let window = window_count(
                w,
                n,
                |s| flagged(rule, t, s),
                |s| s.jitter_ms.filter(|_| s.packets > 0),
            );
            let (count, len, _, mean) = window;
            f.k_of_n(window, k, r);
            f.kind = SymptomKind::Jitter;
            f.severity = severity(mean >= t.jitter_critical_ms);
            f.evidence = Evidence {
                metric: "jitter_ms",
                value: mean,
                threshold: t.jitter_ms,
                window: of(count, len, format_args!("with high jitter or late packets")),
                method: None,
            };
            if text {
                // Any sample with too many late packets, and their mean share over the window.
                let (late, _, _, late_mean) = window_count(
                    w,
                    n,
                    |s| s.late_pct > t.late_for_buffer_pct,
                    |s| Some(s.late_pct).filter(|_| s.packets > 0),
                );
                let late = (late > 0).then_some((t.jitter_buffer_ms, late_mean));
                f.summary = wording::jitter(&dir, mean, late);
            }
            f.advice = advice::JITTER;
        }
        Rule::Mos => {
            let window = window_count(
                w,
                n,
                |s| flagged(rule, t, s),
                |s| s.mos.filter(|_| s.packets > 0),
            );
            let (count, len, _, mean) = window;
            f.k_of_n(window, k, r);
            f.kind = SymptomKind::LowMos;
            f.severity = severity(mean < t.mos_unusable);
            f.evidence = Evidence {
                metric: "mos_lq",
                value: mean,
                threshold: t.mos_min,
                window: of(count, len, format_args!("below {}", t.mos_min)),
                method: None,
            };
            if text {
                f.summary = wording::low_mos(&dir, mean, false);
            }
            f.advice = advice::LOW_MOS;
        }
        Rule::Delay => {
            let window = window_count(w, n, |s| flagged(rule, t, s), |s| s.one_way_ms);
            let (count, len, _, mean) = window;
            f.k_of_n(window, k, r);
            f.kind = SymptomKind::Delay;
            let critical = mean + EPS >= t.delay_critical_ms;
            f.severity = severity(critical);
            let threshold = if critical {
                t.delay_critical_ms
            } else {
                t.delay_warning_ms
            };
            f.evidence = Evidence {
                metric: "one_way_delay_ms",
                value: mean,
                threshold,
                window: of(count, len, format_args!("with high delay")),
                method: Some(LatencyMethod::HalfRoundTrip),
            };
            if text {
                f.summary = wording::delay(mean, None, critical);
            }
            f.advice = advice::DELAY;
        }
        Rule::Stopped => {
            let q = f.lasting(w.quiet_since, r, t.gap_ms);
            f.kind = if reverse_active {
                SymptomKind::OneWayAudio
            } else {
                SymptomKind::NoAudio
            };
            f.severity = Severity::Critical;
            f.evidence = Evidence {
                metric: "no_packets_ms",
                value: q,
                threshold: t.gap_ms,
                window: txt(format_args!("since {} without packets", human_ms(q))),
                method: None,
            };
            if text {
                f.summary = wording::no_packets(&dir, q, reverse_active);
            }
            f.advice = if reverse_active {
                advice::ONE_WAY
            } else {
                advice::NO_AUDIO
            };
        }
        Rule::Silence => {
            let q = f.lasting(w.silent_since, r, t.silence_ms);
            f.kind = SymptomKind::NoAudio;
            f.evidence = Evidence {
                metric: "digital_silence_ms",
                value: q,
                threshold: t.silence_ms,
                window: txt(format_args!("consecutive silent intervals")),
                method: None,
            };
            if text {
                f.summary = wording::digital_silence(&dir, q, false);
            }
            f.advice = advice::SILENCE;
        }
    }
    f
}
