//! The timing side of a stream: Wireshark-rule delta/jitter, RFC 3550 jitter and its
//! distribution, clock drift and transit — and clock-rate inference for streams whose
//! payload type has no known rate.
//!
//! Jitter needs the clock rate from the first packet on. When the rate is unknown (a dynamic
//! payload type with no SDP and no configuration), the first packets' timing is held in a
//! bounded buffer until the rate can be inferred from the timestamp-vs-arrival slope, then
//! replayed, so the numbers equal those computed with the rate known from the start.
//!
//! A rate is taken from the held packets only when their slope is that rate's for certain:
//! give or take two standard errors, within the rate's 4 % band (so more certainty is asked
//! near a band's edge, and between 44.1 and 48 kHz, than between 8 and 12) and the later half
//! of the packets, measured alone, is not sure of another rate. A stall or a slow start among
//! the first packets bends the slope onto a wrong common rate (Opus after a 1 s stall measured
//! 24 kHz). An early try at 50 packets and a second is made once; the last try comes with the
//! hold full or two seconds and ten packets in. No rate is better than a wrong one: tshark
//! measures no jitter for such streams either.
//!
//! Video sends a frame as a burst of packets with one timestamp, so the buffer can fill
//! within a few frames, too few for the slope (encoders stamp frames when captured, send them
//! when encoded). Then the held packets are measured without a clock, the slope keeps
//! gathering, and the rate is inferred once it spans two seconds: jitter is measured from
//! there on (beyond tshark, which measures none for such a stream). If the slope fits no
//! rate then (a long key frame paced out), it is not tried again: after such a frame the
//! cumulative slope climbs towards the true rate through others (32 kHz on the way to 90).
//! Instead the rate of each further two seconds alone is measured, and 90 kHz is taken when
//! two windows in a row measure it within 1 %. This late inference is for video only (a
//! quarter of the packets repeat their predecessor's timestamp), and at 90 kHz only (every
//! video payload format's): a steady trend in queueing delay bends a window's slope by a
//! few per cent for seconds on end, which turned a 48 kHz stream with a growing queue into
//! 44.1 kHz, video behind a bottleneck draining a second key frame into 48, and 96 kHz
//! audio into 90.

use core::num::NonZeroU32;

use super::histogram::{HistRun, HistStore, HIST_UNIT_NS};
use crate::clock::{snap_clock_rate, ClockRateSource, SNAP_TOLERANCE};
use crate::extremes::raise;
use crate::jitter::RfcJitter;
use crate::wireshark::{tshark_ns_per_unit, unwrap_timestamp, WsColumns, WsPacket};

/// Packets held while the clock rate is unknown.
pub(crate) const INFERENCE_HOLD: usize = 128;
/// Span of arrivals after which a rate is inferred.
const INFERENCE_SPAN_NS: u64 = 2_000_000_000;
/// How far outside the transit range seen so far a packet far behind in sequence may fall
/// and still count as very late (rather than as a restart or a stray).
const VERY_LATE_NS: f64 = 2e9;
/// Arrival after a stream's first packet (or a restart's) before its packets count for the
/// clock slope and the transit range: senders often send their first packets at once
/// (GStreamer's rtpbin sends six), which would pull the slope (604 ppm of false drift over
/// 10 s) and set an earliest schedule that makes every later packet look late.
const SETTLE_NS: f64 = 5e8;
/// A transit this far beyond the range seen so far, on a packet in sequence whose timestamp
/// is as far from its predecessor's, is the timestamps stepping (a sender's clock reset, a
/// mixer switching sources: the sequence numbers run on). A delivery stall moves the transit
/// as far but leaves the timestamps in step.
const STEP_NS: f64 = 1e9;
/// Standard errors on either side of the held packets' slope that must stay within the band
/// of the rate it snaps to ([`SNAP_TOLERANCE`]): about 95 % sure that the true slope is
/// nearer that rate than any other. A stall or a pre-roll burst among the held packets bends
/// the slope and leaves it 7 to 57 % uncertain (Opus after a 1 s stall measured 24 kHz); a
/// fixed bound on the error could not tell 44.1 from 48 kHz (8.8 % apart) at 2 to 4 %, nor
/// stop a slope near a band's edge, where this test asks for more certainty.
const FIT_SIGMAS: f64 = 2.0;
/// Held packets (not counting telephone events) needed to judge a fit by its spread, unless
/// the stream ends first: one packet and then seconds of silence span two seconds, but say
/// nothing of the slope's certainty.
const MIN_FIT_POINTS: usize = 10;
/// Points in the later half of the held packets for its own fit to veto a rate.
const MIN_VETO_POINTS: usize = 16;
/// Packets after which a rate is inferred if the span is at least 1 s.
const INFERENCE_MIN_PACKETS: usize = 50;

/// Length of a late-inference window.
const WINDOW_NS: f64 = 2e9;
/// Windows tried before giving up.
const MAX_WINDOWS: u8 = 15;
/// The only rate late inference by windows takes (see the module documentation).
const WINDOW_RATE: f64 = 90_000.0;
/// How close to [`WINDOW_RATE`] a window must measure.
const WINDOW_TOLERANCE: f64 = 0.01;

/// Packets seen while the rate is unknown, for telling video from audio.
#[derive(Debug, Clone, Copy, Default)]
struct Unrated {
    packets: u32,
    repeats: u32,
    last_ts: Option<u32>,
}

impl Unrated {
    fn count(&mut self, timestamp: u32) {
        self.packets = self.packets.saturating_add(1);
        if self.last_ts == Some(timestamp) {
            self.repeats = self.repeats.saturating_add(1);
        }
        self.last_ts = Some(timestamp);
    }

    /// Frames of several packets (a quarter of packets or more repeat their predecessor's
    /// timestamp; audio sends one packet per timestamp).
    fn looks_like_video(&self) -> bool {
        self.repeats >= self.packets / 4 && self.repeats > 0
    }
}

/// Which try at inferring a rate from the held packets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Try {
    /// At [`INFERENCE_MIN_PACKETS`] over a second: a failure keeps holding.
    Early,
    /// With the hold full, two seconds spanned, or the stream over: a failure lets go.
    Last,
}

/// The held packets that count for the slope (telephone events do not).
fn fit_samples(held: &[TimingSample]) -> impl Iterator<Item = &TimingSample> {
    held.iter().filter(|s| !s.event)
}

/// How many held packets count for the slope.
fn fit_points(held: &[TimingSample]) -> usize {
    fit_samples(held).count()
}

/// A least-squares fit of RTP time against arrival: the slope (units per second), its
/// standard error, and the points it was fitted to.
#[derive(Debug, Clone, Copy)]
struct Fit {
    slope: f64,
    stderr: f64,
    points: usize,
}

/// The slopes that snap to `rate` ([`SNAP_TOLERANCE`] either side).
fn band(rate: u32) -> (f64, f64) {
    let rate = f64::from(rate);
    (rate * (1.0 - SNAP_TOLERANCE), rate * (1.0 + SNAP_TOLERANCE))
}

impl Fit {
    /// Whether the slope give or take [`FIT_SIGMAS`] standard errors stays within `rate`'s
    /// band.
    fn surely(&self, rate: u32) -> bool {
        let ((low, high), (from, to)) = (self.interval(), band(rate));
        low >= from && high <= to
    }

    /// Whether the slope give or take [`FIT_SIGMAS`] standard errors stays out of `rate`'s
    /// band.
    fn surely_not(&self, rate: u32) -> bool {
        let ((low, high), (from, to)) = (self.interval(), band(rate));
        high < from || low > to
    }

    /// The slope give or take [`FIT_SIGMAS`] standard errors.
    fn interval(&self) -> (f64, f64) {
        let margin = FIT_SIGMAS * self.stderr;
        (self.slope - margin, self.slope + margin)
    }
}

/// The least-squares fit over the held packets (telephone events left out), if they
/// determine one.
fn held_fit(held: &[TimingSample]) -> Option<Fit> {
    let points = || fit_samples(held);
    let count = fit_points(held);
    if count < 3 {
        return None;
    }
    let n = count as f64;
    let mx = points().map(|s| s.since_first_ns).sum::<f64>() / n;
    let my = points().map(|s| s.since_first_units).sum::<f64>() / n;
    let (mut sxx, mut sxy) = (0.0, 0.0);
    for s in points() {
        let (dx, dy) = (s.since_first_ns - mx, s.since_first_units - my);
        sxx += dx * dx;
        sxy += dx * dy;
    }
    let slope = sxy / sxx;
    let sse: f64 = points()
        .map(|s| {
            let r = s.since_first_units - my - slope * (s.since_first_ns - mx);
            r * r
        })
        .sum();
    let fit = Fit {
        slope: slope * 1e9,
        stderr: (sse / (n - 2.0) / sxx).sqrt() * 1e9,
        points: count,
    };
    (fit.slope.is_finite() && fit.stderr.is_finite()).then_some(fit)
}

/// Whether the later half of the held packets, measured alone, is sure the rate is not
/// `rate`: a transient at the start of a short span (128 packets of 1 ms) can bend the
/// whole's slope a few per cent, onto a common rate, and still fit it closely.
fn later_half_disagrees(held: &[TimingSample], rate: u32) -> bool {
    let later = held.get(held.len() / 2..).unwrap_or_default();
    held_fit(later).is_some_and(|f| f.points >= MIN_VETO_POINTS && f.surely_not(rate))
}

/// Whether a slope measured late (after the held packets fitted no rate) is taken: only
/// [`WINDOW_RATE`], within [`WINDOW_TOLERANCE`].
fn measures_window_rate(hz: f64) -> bool {
    (hz / WINDOW_RATE - 1.0).abs() <= WINDOW_TOLERANCE
}

/// Late inference by windows: where the current one started (arrival since the first
/// packet, extended timestamp; `None` after a restart, until the next packet starts it),
/// whether the one before it measured [`WINDOW_RATE`], and how many were measured.
#[derive(Debug, Clone, Copy)]
struct Window {
    start: Option<(f64, i64)>,
    previous_fits: bool,
    count: u8,
}

/// Where inference of an unknown clock rate stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Inference {
    /// Packets are held until the rate can be inferred (or the rate is known).
    Holding,
    /// The held packets fitted no rate for certain: they were measured without a clock, and
    /// late inference (video only) follows once the slope spans [`INFERENCE_SPAN_NS`].
    Waiting,
    /// No rate fitted: the stream is measured without a clock.
    GaveUp,
}

/// Running least squares of RTP time (units) against arrival time (ns).
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Slope {
    n: f64,
    sx: f64,
    sy: f64,
    sxx: f64,
    sxy: f64,
}

impl Slope {
    fn add(&mut self, x: f64, y: f64) {
        self.n += 1.0;
        self.sx += x;
        self.sy += y;
        self.sxx += x * x;
        self.sxy += x * y;
    }

    /// Timestamp units per second, if defined.
    pub(crate) fn slope(&self) -> Option<f64> {
        let den = self.n * self.sxx - self.sx * self.sx;
        (self.n >= 2.0 && den.abs() > f64::EPSILON)
            .then(|| (self.n * self.sxy - self.sx * self.sy) / den * 1e9)
    }
}

/// One packet's timing as held while the rate is unknown.
#[derive(Debug, Clone, Copy)]
pub(crate) struct TimingSample {
    pub arrival_ns: u64,
    pub timestamp: u32,
    pub marker: bool,
    pub payload_type: u8,
    /// A telephone event: no timing meaning.
    pub event: bool,
    /// Next in sequence (RFC 3550 A.1), neither late nor a duplicate.
    pub in_order: bool,
    /// Extended (unwrapped) RTP timestamp, filled in by [`Timing::update`].
    pub ext_ts: i64,
    /// Arrival since the stream's first packet (ns), filled in by [`Timing::update`].
    pub since_first_ns: f64,
    /// RTP time since the stream's first packet (units), filled in by [`Timing::update`].
    pub since_first_units: f64,
}

/// Per-rate factors, worked out when the rate becomes known, so the per-packet path
/// multiplies instead of dividing and never checks the rate.
#[derive(Debug, Clone, Copy, Default)]
struct RateConsts {
    units_per_ns: f64,
    ns_per_unit: f64,
}

impl RateConsts {
    fn of(rate: NonZeroU32) -> RateConsts {
        let r = f64::from(rate.get());
        RateConsts {
            units_per_ns: r / 1e9,
            ns_per_unit: 1e9 / r,
        }
    }

    /// Timestamp units to histogram units: one division a packet, to spare every stream a
    /// word of its packet-path state (its seventh cache line).
    #[inline(always)]
    fn units_to_hist(&self) -> f64 {
        self.ns_per_unit / HIST_UNIT_NS
    }
}

/// What every packet reads and writes; [`TimingCold`] holds the rest.
#[derive(Debug, Clone)]
pub(crate) struct Timing {
    /// The clock rate, when known, and (then) where it came from: apart rather than an
    /// `Option` of the pair, so that the flags below share their word.
    rate: Option<NonZeroU32>,
    source: ClockRateSource,
    inference: Inference,
    /// A packet was placed since the start or the last restart: `first_*` hold it.
    started: bool,
    /// tshark's unit for the rate ([`tshark_ns_per_unit`]) is not the exact one: it is then
    /// worked out for each packet. Equal for every whole number of kHz (both are the same
    /// quotient, correctly rounded), so almost every stream keeps one constant, not two.
    tshark_unit_differs: bool,
    /// The constants of `rate` (set with it).
    consts: RateConsts,
    first_ns: u64,
    first_ext_ts: i64,
    /// The latest extended timestamp: what the next packet's is unwrapped against.
    latest_ext_ts: i64,
    rfc: RfcJitter,
    /// Largest running RFC jitter (timestamp units) since the last interval was taken.
    interval_max_jitter_units: f64,
    /// Relative transit (ns), lowest and highest.
    transit_min_ns: f64,
    transit_max_ns: f64,
    // Slope of extended RTP timestamp (units) against arrival, independent of the rate.
    slope: Slope,
    ws: WsColumns,
    hist: HistRun,
}

/// The timing state packets rarely touch: packets held while the rate is unknown, the late
/// count, the histogram's counts.
#[derive(Debug, Clone)]
pub(crate) struct TimingCold {
    held: Option<Vec<TimingSample>>,
    /// Late inference's current window, once its first try failed.
    window: Option<Window>,
    /// Packets seen without a rate, and how many of them repeated the timestamp of the one
    /// before (packets of one video frame): late inference is for video only.
    unrated: Unrated,
    /// Whether the early try at inference was made.
    tried_early: bool,
    /// Packets whose transit exceeded the lowest so far by more than the buffer depth.
    pub(crate) late: u64,
    /// Steps of the timestamps against arrival ([`STEP_NS`]) with no restart of the numbering.
    pub(crate) steps: u64,
    /// Jitter-buffer depth (ns) against which late packets are counted (0: not counted).
    /// Packets get it from their caller, so they need not read this line.
    late_buffer_ns: f64,
    hist: HistStore,
}

impl TimingCold {
    /// The jitter-buffer depth late packets are counted against.
    pub(crate) fn late_buffer_ns(&self) -> f64 {
        self.late_buffer_ns
    }

    /// Approximate heap bytes held (for the memory benchmark).
    pub(crate) fn heap_bytes(&self) -> usize {
        self.hist.heap_bytes()
            + self
                .held
                .as_ref()
                .map_or(0, |h| h.capacity() * core::mem::size_of::<TimingSample>())
    }
}

impl Timing {
    pub(crate) fn new(
        rate: Option<(u32, ClockRateSource)>,
        late_buffer_ns: f64,
    ) -> (Self, TimingCold) {
        let mut timing = Timing {
            consts: RateConsts::default(),
            rate: None,
            source: ClockRateSource::Inferred,
            tshark_unit_differs: false,
            inference: Inference::Holding,
            started: false,
            ws: WsColumns::default(),
            rfc: RfcJitter::default(),
            hist: HistRun::default(),
            slope: Slope::default(),
            first_ns: 0,
            first_ext_ts: 0,
            latest_ext_ts: 0,
            transit_min_ns: f64::INFINITY,
            transit_max_ns: f64::NEG_INFINITY,
            interval_max_jitter_units: 0.0,
        };
        if let Some((rate, source)) = rate {
            timing.fix_rate(rate, source);
        }
        let cold = TimingCold {
            held: None,
            window: None,
            unrated: Unrated::default(),
            tried_early: false,
            late: 0,
            steps: 0,
            late_buffer_ns,
            hist: HistStore::new(),
        };
        (timing, cold)
    }

    pub(crate) fn rate(&self) -> Option<(u32, ClockRateSource)> {
        self.rate.map(|r| (r.get(), self.source))
    }

    /// Times packets at `rate` from now on. A rate of 0 says nothing: the stream keeps what
    /// it had (none: its rate is then inferred).
    fn fix_rate(&mut self, rate: u32, source: ClockRateSource) {
        let Some(rate) = NonZeroU32::new(rate) else {
            return;
        };
        self.rate = Some(rate);
        self.source = source;
        self.consts = RateConsts::of(rate);
        self.tshark_unit_differs =
            tshark_ns_per_unit(rate.get()).to_bits() != self.consts.ns_per_unit.to_bits();
    }

    /// A packet for the Wireshark-rule columns; `unit_ns` 0 when it has no clock.
    #[inline(always)]
    fn tshark(&mut self, s: TimingSample, unit_ns: f64) {
        let packet = WsPacket {
            arrival_ns: s.arrival_ns,
            ext_ts: s.ext_ts,
            marker: s.marker,
            payload_type: s.payload_type,
            unit_ns,
        };
        self.ws.update(packet, s.since_first_units < 0.0);
    }

    /// tshark's nanoseconds per timestamp unit at the current rate.
    #[inline(always)]
    fn tshark_unit_ns(&self) -> f64 {
        match self.rate {
            Some(r) if self.tshark_unit_differs => tshark_ns_per_unit(r.get()),
            _ => self.consts.ns_per_unit,
        }
    }

    /// Accounts one packet; `late_buffer_ns` is the jitter-buffer depth late packets are
    /// counted against (the one `cold` holds, passed so a packet need not read it there).
    #[inline(always)]
    pub(crate) fn update(
        &mut self,
        cold: &mut TimingCold,
        mut s: TimingSample,
        late_buffer_ns: f64,
    ) {
        self.extend(&mut s);
        if self.rate.is_some() {
            self.apply(cold, s, late_buffer_ns);
        } else {
            self.update_unrated(cold, s);
        }
    }

    /// A packet while the clock rate is unknown: held for inference, or (once the held
    /// packets were let go) measured by the Wireshark rules only.
    #[cold]
    #[inline(never)]
    fn update_unrated(&mut self, cold: &mut TimingCold, s: TimingSample) {
        // Telephone events repeat their timestamp too, but say nothing of the stream.
        if !s.event {
            cold.unrated.count(s.timestamp);
        }
        match self.inference {
            Inference::Holding => {}
            Inference::Waiting => {
                self.tshark(s, 0.0);
                if s.since_first_ns >= INFERENCE_SPAN_NS as f64 {
                    self.infer_late(cold, s.since_first_ns);
                }
                return;
            }
            Inference::GaveUp => {
                self.tshark(s, 0.0);
                return;
            }
        }
        let held = cold
            .held
            .get_or_insert_with(|| Vec::with_capacity(INFERENCE_HOLD));
        held.push(s);
        let span = s.arrival_ns.saturating_sub(held[0].arrival_ns);
        let spans = span >= INFERENCE_SPAN_NS;
        if held.len() >= INFERENCE_HOLD || (spans && fit_points(held) >= MIN_FIT_POINTS) {
            self.infer(cold, Try::Last);
        } else if !cold.tried_early
            && held.len() >= INFERENCE_MIN_PACKETS
            && span >= INFERENCE_SPAN_NS / 2
        {
            // Once: tried on every packet, a slope still moving would cross a wrong rate.
            cold.tried_early = true;
            self.infer(cold, Try::Early);
        }
    }

    /// The sender restarted its numbering and timestamps (RFC 3550 A.1). Its new timestamps
    /// bear no relation to the old, so nothing is measured across the restart: the jitter
    /// state takes the next packet as its first, and the clock slope starts over. While the
    /// rate is still being inferred the held packets are kept as they are (they fit their own
    /// slope only if the restart came after them).
    pub(crate) fn restart(&mut self) {
        if self.rate.is_none() && self.inference == Inference::Holding {
            return;
        }
        self.ws.restart();
        self.rfc.restart();
        self.started = false;
        self.slope = Slope::default();
    }

    /// [`Timing::restart`] for a sender restart, which also starts a late-inference window
    /// over (its timestamps measured across the restart would mean nothing).
    #[cold]
    #[inline(never)]
    pub(crate) fn sender_restart(&mut self, cold: &mut TimingCold) {
        self.restart();
        if let Some(w) = &mut cold.window {
            w.start = None;
            w.previous_fits = false;
        }
    }

    /// The stream switched to a payload type with another clock rate (a codec change within
    /// the SSRC, e.g. PCMU at 8 kHz to Opus at 48 kHz): timestamps count in the new units from
    /// here, so nothing is measured across the switch (as across a restart), and the running
    /// jitter carries over, converted to the new units.
    pub(crate) fn change_rate(&mut self, rate: u32, source: ClockRateSource) {
        let Some(old) = self.rate else {
            return;
        };
        if old.get() == rate || rate == 0 {
            return;
        }
        let scale = f64::from(rate) / f64::from(old.get());
        self.rfc.rescale(scale);
        self.interval_max_jitter_units *= scale;
        self.fix_rate(rate, source);
        self.restart();
    }

    /// A rate became known (SDP or config): packets held are replayed with it; after packets
    /// measured without a clock, jitter is measured from the next packet on.
    pub(crate) fn set_rate(&mut self, cold: &mut TimingCold, rate: u32, source: ClockRateSource) {
        if self.rate.is_some() {
            return;
        }
        self.fix_rate(rate, source);
        if self.inference == Inference::Holding {
            self.replay(cold);
        } else if self.rate.is_some() {
            self.clock_from_next();
        }
    }

    /// The summary as it would stand if the input ended now, without deciding anything for
    /// the live state: a snapshot of a stream still inferring its clock rate must not fix the
    /// rate from the few packets seen so far.
    pub(crate) fn settled_summary(&self, cold: &TimingCold) -> TimingSummary {
        if self.rate.is_none() && self.inference == Inference::Holding && cold.held.is_some() {
            let (mut t, mut c) = (self.clone(), cold.clone());
            t.settle(&mut c);
            t.summary(&c)
        } else {
            self.summary(cold)
        }
    }

    /// End of stream: decide on whatever is held.
    pub(crate) fn settle(&mut self, cold: &mut TimingCold) {
        if self.rate.is_none() && self.inference == Inference::Holding && cold.held.is_some() {
            self.infer(cold, Try::Last);
        }
    }

    /// Infers the rate from the held packets if their slope fits one for certain (see
    /// [`FIT_SIGMAS`]) and their later half does not say otherwise. If not, an early try keeps
    /// holding; the last lets them go, measured without a clock, and late inference follows
    /// (for video).
    fn infer(&mut self, cold: &mut TimingCold, attempt: Try) {
        let held = cold.held.as_deref().unwrap_or_default();
        let rate = held_fit(held).and_then(|fit| {
            snap_clock_rate(fit.slope)
                .filter(|&rate| fit.surely(rate) && !later_half_disagrees(held, rate))
        });
        match (rate, attempt) {
            (Some(rate), _) => {
                self.fix_rate(rate, ClockRateSource::Inferred);
                self.replay(cold);
            }
            (None, Try::Early) => {}
            (None, Try::Last) => {
                self.inference = Inference::Waiting;
                for s in cold.held.take().unwrap_or_default() {
                    self.tshark(s, 0.0);
                }
            }
        }
    }

    /// The slope now spans long enough. Only video is inferred this late, and only at
    /// [`WINDOW_RATE`]: if the slope fits it, packets are timed from the next one on; if not,
    /// windows of [`WINDOW_NS`] follow, each measured on its own, until two in a row fit.
    fn infer_late(&mut self, cold: &mut TimingCold, now_ns: f64) {
        let here = |previous_fits, count| {
            Some(Window {
                start: Some((now_ns, self.latest_ext_ts)),
                previous_fits,
                count,
            })
        };
        match cold.window {
            // Audio whose first packets fit no rate (a pre-roll burst, a stall) is left
            // without one: a queue growing or draining for seconds bends a window's slope
            // by the few per cent that part 96 or 88.2 kHz from 90.
            None if !cold.unrated.looks_like_video() => self.inference = Inference::GaveUp,
            None if self.slope.slope().is_some_and(measures_window_rate) => {
                self.fix_rate(WINDOW_RATE as u32, ClockRateSource::Inferred);
                self.clock_from_next();
            }
            None => cold.window = here(false, 1),
            // The sender restarted: the window starts over on the new timeline.
            Some(Window {
                start: None, count, ..
            }) => cold.window = here(false, count),
            Some(Window {
                start: Some((start_ns, start_ext_ts)),
                previous_fits,
                count,
            }) if now_ns - start_ns >= WINDOW_NS => {
                let units = (self.latest_ext_ts - start_ext_ts) as f64;
                let fits = measures_window_rate(units / (now_ns - start_ns) * 1e9);
                if fits && previous_fits {
                    cold.window = None;
                    self.fix_rate(WINDOW_RATE as u32, ClockRateSource::Inferred);
                    self.clock_from_next();
                } else if count < MAX_WINDOWS {
                    cold.window = here(fits, count + 1);
                } else {
                    cold.window = None;
                    self.inference = Inference::GaveUp;
                }
            }
            Some(_) => {}
        }
    }

    /// Packets so far were measured without a clock; the rate now known times the next one
    /// against the latest (nothing is measured across the change).
    fn clock_from_next(&mut self) {
        self.inference = Inference::Holding;
        self.ws.clock_from(self.latest_ext_ts);
        self.rfc.restart();
    }

    fn replay(&mut self, cold: &mut TimingCold) {
        if self.rate.is_none() {
            return;
        }
        let late_buffer_ns = cold.late_buffer_ns;
        for s in cold.held.take().unwrap_or_default() {
            self.apply(cold, s, late_buffer_ns);
        }
    }

    /// Unwraps the timestamp and places the packet relative to the stream's first, once for
    /// the slope, the transit and any replay.
    #[inline]
    fn extend(&mut self, s: &mut TimingSample) {
        if self.started {
            s.ext_ts = unwrap_timestamp(self.latest_ext_ts, s.timestamp);
            // The next packet is unwrapped against the latest timestamp, not against a late
            // packet's or a stray's older one.
            if s.ext_ts > self.latest_ext_ts {
                self.latest_ext_ts = s.ext_ts;
            }
        } else {
            // 2^32 up, so that timestamps before the first stay positive.
            s.ext_ts = (1i64 << 32) + i64::from(s.timestamp);
            (self.started, self.first_ns, self.first_ext_ts) = (true, s.arrival_ns, s.ext_ts);
            self.latest_ext_ts = s.ext_ts;
        }
        s.since_first_ns = (s.arrival_ns.wrapping_sub(self.first_ns) as i64) as f64;
        s.since_first_units = (s.ext_ts - self.first_ext_ts) as f64;
        if !s.event && s.since_first_ns >= SETTLE_NS {
            self.slope.add(s.since_first_ns, s.since_first_units);
        }
    }

    #[inline(always)]
    fn apply(&mut self, cold: &mut TimingCold, s: TimingSample, late_buffer_ns: f64) {
        let c = self.consts;
        if s.event {
            self.tshark(s, 0.0);
            return;
        }
        // Before the jitter moves on: a step is told by the previous packet's timestamp.
        self.transit(cold, &s, late_buffer_ns);
        self.tshark(s, self.tshark_unit_ns());
        self.rfc
            .update_scaled(s.arrival_ns, s.timestamp, c.units_per_ns);
        raise(
            &mut self.interval_max_jitter_units,
            self.rfc.timestamp_units(),
        );
        // Non-negative: adding a half and truncating rounds without a libm call.
        self.hist.record_rounded(
            &mut cold.hist,
            self.rfc.timestamp_units() * c.units_to_hist(),
        );
    }

    /// Transit, lateness and the transit range for one packet (once the stream has settled).
    #[inline(always)]
    fn transit(&mut self, cold: &mut TimingCold, s: &TimingSample, late_buffer_ns: f64) {
        if s.since_first_ns < SETTLE_NS {
            return;
        }
        let transit = s.since_first_ns - s.since_first_units * self.consts.ns_per_unit;
        // A packet is late for a fixed jitter buffer when it arrives more than the buffer
        // depth after the earliest schedule seen so far (the lowest transit). A new lowest or
        // highest transit far outside the range may be a step of the timestamps (rare
        // branches): a stall of the network moves the arrival, not the timestamp.
        if transit > self.transit_max_ns {
            if transit > self.transit_max_ns + STEP_NS
                && self.transit_max_ns.is_finite()
                && self.timestamps_stepped(s)
            {
                return self.timestamp_step(cold, s, transit);
            }
            self.transit_max_ns = transit;
        }
        if transit < self.transit_min_ns {
            if transit < self.transit_min_ns - STEP_NS
                && self.transit_min_ns.is_finite()
                && self.timestamps_stepped(s)
            {
                return self.timestamp_step(cold, s, transit);
            }
            self.transit_min_ns = transit;
        } else if late_buffer_ns > 0.0 && transit - self.transit_min_ns > late_buffer_ns {
            cold.late += 1;
        }
    }

    /// Whether `s`, next in sequence, carries a timestamp more than [`STEP_NS`] from the
    /// previous packet's: the sender's timestamps jumped. A delivery stall or a late packet
    /// moves the transit as far, but not the timestamp against its predecessor (a late packet
    /// is not in sequence).
    #[cold]
    fn timestamps_stepped(&self, s: &TimingSample) -> bool {
        let units = |prev: u32| f64::from(s.timestamp.wrapping_sub(prev) as i32);
        s.in_order
            && self
                .rfc
                .previous_timestamp()
                .is_some_and(|prev| (units(prev) * self.consts.ns_per_unit).abs() > STEP_NS)
    }

    /// The timestamps stepped against arrival with the numbering running on. Measured across
    /// the step, the clock slope would take it for drift and the transit range for lateness:
    /// both start over from this packet (the jitter takes the step once, as RFC 3550's does).
    #[cold]
    #[inline(never)]
    fn timestamp_step(&mut self, cold: &mut TimingCold, s: &TimingSample, transit: f64) {
        cold.steps += 1;
        self.slope = Slope::default();
        self.slope.add(s.since_first_ns, s.since_first_units);
        (self.transit_min_ns, self.transit_max_ns) = (transit, transit);
    }

    /// Whether a packet far behind in sequence, with this timestamp and arrival, is a very
    /// late one of this stream: its timestamp lies between the stream's first and latest, and
    /// it arrived within [`VERY_LATE_NS`] of the transit range seen so far. A restart's
    /// timestamps (a new origin, or the old one again) almost never fit both. While the rate
    /// is unknown, the slowest usual clock (8 kHz) bounds how late it can be.
    pub(crate) fn fits_as_late(&self, timestamp: u32, arrival_ns: u64) -> bool {
        let ext = unwrap_timestamp(self.latest_ext_ts, timestamp);
        if !self.started || !(self.first_ext_ts..=self.latest_ext_ts).contains(&ext) {
            return false;
        }
        let since_first_ns = (arrival_ns.wrapping_sub(self.first_ns) as i64) as f64;
        let units = (ext - self.first_ext_ts) as f64;
        if self.rate.is_some() && self.transit_min_ns <= self.transit_max_ns {
            let transit = since_first_ns - units * self.consts.ns_per_unit;
            let (low, high) = (self.transit_min_ns, self.transit_max_ns);
            (low - VERY_LATE_NS..=high + VERY_LATE_NS).contains(&transit)
        } else {
            since_first_ns - units * (1e9 / 8000.0) <= VERY_LATE_NS
        }
    }

    /// A word from each line of the busy part (the stream's `layout` tests check that, with
    /// the stream's other words, they reach every line).
    #[inline]
    pub(crate) fn touch(&self) -> u64 {
        self.latest_ext_ts as u64 ^ self.hist.touch() ^ self.ws.touch() ^ self.rfc.touch()
    }

    /// Where the words [`Self::touch`] reads lie, in bytes from the start.
    #[cfg(test)]
    pub(crate) fn touched_offsets() -> [usize; 4] {
        use core::mem::offset_of;
        [
            offset_of!(Timing, latest_ext_ts),
            offset_of!(Timing, hist) + HistRun::touched_offset(),
            offset_of!(Timing, ws) + WsColumns::touched_offset(),
            offset_of!(Timing, rfc) + RfcJitter::touched_offset(),
        ]
    }

    /// The largest running RFC jitter (ms) since the last call, when the rate is known.
    pub(crate) fn take_interval_max_jitter_ms(&mut self) -> Option<f64> {
        let units = core::mem::take(&mut self.interval_max_jitter_units);
        self.rate.map(|r| units * 1000.0 / f64::from(r.get()))
    }

    /// The running RFC jitter in ms, when the rate is known.
    pub(crate) fn current_jitter_ms(&self) -> Option<f64> {
        self.rate.map(|r| self.rfc.millis(r.get()))
    }

    pub(crate) fn summary(&self, cold: &TimingCold) -> TimingSummary {
        let rate = self.rate.map(NonZeroU32::get);
        let [p50, p90, p99] = match self.hist.quantiles(&cold.hist, [0.5, 0.9, 0.99]) {
            Some(values) => values.map(|v| Some(v as f64 * HIST_UNIT_NS / 1e6)),
            None => [None; 3],
        };
        let ws_jitter = self.ws.jitter();
        TimingSummary {
            clock_rate: self.rate(),
            delta: self.ws.delta(),
            jitter_min: ws_jitter.min,
            jitter_mean: ws_jitter.mean,
            jitter_max: ws_jitter.max,
            jitter_final_ms: rate.map(|r| self.rfc.millis(r)),
            jitter_final_units: rate.map(|_| self.rfc.timestamp_units()),
            jitter_p50: p50,
            jitter_p90: p90,
            jitter_p99: p99,
            jitter_above_histogram: cold.hist.above,
            current_jitter_ms: rate.map(|r| self.rfc.millis(r)),
            measured_rate_hz: self.slope.slope(),
            drift_ppm: match (self.slope.slope(), rate) {
                (Some(s), Some(r)) => Some((s / f64::from(r) - 1.0) * 1e6),
                _ => None,
            },
            delay_variation_ms: (self.transit_max_ns >= self.transit_min_ns)
                .then_some((self.transit_max_ns - self.transit_min_ns) / 1e6),
        }
    }
}

/// What the timing side reports.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TimingSummary {
    /// Clock rate and its source.
    pub clock_rate: Option<(u32, ClockRateSource)>,
    /// Wireshark-rule delta (ms).
    pub delta: crate::wireshark::Extremes,
    /// Wireshark-rule min jitter (ms).
    pub jitter_min: Option<f64>,
    /// Wireshark-rule mean jitter (ms).
    pub jitter_mean: f64,
    /// Wireshark-rule max jitter (ms).
    pub jitter_max: f64,
    /// RFC 3550 jitter after the last packet (ms).
    pub jitter_final_ms: Option<f64>,
    /// RFC 3550 jitter after the last packet (timestamp units).
    pub jitter_final_units: Option<f64>,
    /// Median of the running RFC jitter (ms).
    pub jitter_p50: Option<f64>,
    /// 90th percentile of the running RFC jitter (ms).
    pub jitter_p90: Option<f64>,
    /// 99th percentile of the running RFC jitter (ms).
    pub jitter_p99: Option<f64>,
    /// Running jitter values above the histogram's 1 s bound.
    pub jitter_above_histogram: u64,
    /// The running RFC jitter now (ms).
    pub current_jitter_ms: Option<f64>,
    /// Least-squares RTP timestamp rate against arrival time (Hz).
    pub measured_rate_hz: Option<f64>,
    /// Sender clock drift relative to the capture clock (ppm).
    pub drift_ppm: Option<f64>,
    /// Range of relative transit time (max − min, ms): packet delay variation.
    pub delay_variation_ms: Option<f64>,
}
