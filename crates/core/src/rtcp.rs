//! RTCP bookkeeping: sender reports kept for round-trip matching, report blocks turned into
//! round-trip legs and remote views (RFC 3550 §6.4.1).
//!
//! Every recent SR of each sender is kept (not only the last, as tshark does): when both
//! ends send SRs at nearly the same moments, a report block's LSR often names the SR before
//! the last one. At a capture point between two endpoints, report arrival − SR arrival − DLSR
//! is one *leg*: capture point → reporting endpoint → capture point. The call's round trip is
//! the sum of the legs of both directions.

use foldhash::{HashMap, HashMapExt, HashSet, HashSetExt};

use rtpscope_wire::rtcp::{CompoundIter, ReportBlock, RtcpPacket};
use rtpscope_wire::Timestamp;

use crate::report::{RemoteView, RtcpReport, RttLeg, SenderView, XrVoipView};

/// SRs remembered per sender.
const SR_HISTORY: usize = 16;
/// Seconds between the NTP epoch (1900) and the Unix epoch (1970).
const NTP_UNIX_OFFSET_S: u64 = 2_208_988_800;

#[derive(Debug, Clone, Copy, Default)]
struct SentReport {
    ntp_middle: u32,
    arrival: Timestamp,
}

#[derive(Debug, Default)]
struct Sender {
    history: [SentReport; SR_HISTORY],
    next: usize,
    view: Option<SenderView>,
}

#[derive(Debug, Clone, Copy)]
struct LegStats {
    samples: u64,
    min: f64,
    max: f64,
    sum: f64,
    last: f64,
}

/// What one RTCP datagram did.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct RtcpOutcome {
    /// Packets parsed.
    pub packets: u32,
    /// SSRCs that said BYE.
    pub byes: Vec<u32>,
    /// Round-trip samples (reporter, source, ms) measured by this datagram.
    pub rtt_samples: Vec<(u32, u32, f64)>,
}

/// RTCP state, bounded by `max_ssrcs`.
#[derive(Debug)]
pub(crate) struct RtcpBook {
    senders: HashMap<u32, Sender>,
    legs: HashMap<(u32, u32), LegStats>,
    remote: HashMap<(u32, u32), RemoteView>,
    xr_voip: HashMap<(u32, u32), XrVoipView>,
    byes: HashSet<u32>,
    max_ssrcs: usize,
    pub dropped_ssrcs: u64,
    pub negative_rtt: u64,
}

impl RtcpBook {
    pub(crate) fn new(max_ssrcs: usize) -> Self {
        RtcpBook {
            senders: HashMap::new(),
            legs: HashMap::new(),
            remote: HashMap::new(),
            xr_voip: HashMap::new(),
            byes: HashSet::new(),
            max_ssrcs,
            dropped_ssrcs: 0,
            negative_rtt: 0,
        }
    }

    /// Accounts one compound RTCP datagram that arrived at `now`.
    pub(crate) fn handle(
        &mut self,
        now: Timestamp,
        datagram: &[u8],
    ) -> Result<RtcpOutcome, rtpscope_wire::RtcpError> {
        CompoundIter::validate(datagram)?;
        let mut out = RtcpOutcome::default();
        for packet in CompoundIter::new(datagram).flatten() {
            out.packets += 1;
            match packet {
                RtcpPacket::SenderReport(sr) => {
                    self.record_sr(
                        now,
                        sr.ssrc(),
                        sr.ntp_timestamp(),
                        sr.packet_count(),
                        sr.octet_count(),
                    );
                    for block in sr.report_blocks() {
                        self.record_block(now, sr.ssrc(), block, &mut out);
                    }
                }
                RtcpPacket::ReceiverReport(rr) => {
                    for block in rr.report_blocks() {
                        self.record_block(now, rr.ssrc(), block, &mut out);
                    }
                }
                RtcpPacket::ExtendedReport(xr) => {
                    for vm in xr.blocks().filter_map(|b| b.voip_metrics()) {
                        self.record_voip(now, xr.ssrc(), vm);
                    }
                }
                RtcpPacket::Goodbye(bye) => {
                    for ssrc in bye.ssrcs() {
                        out.byes.push(ssrc);
                        if self.byes.len() < self.max_ssrcs {
                            self.byes.insert(ssrc);
                        }
                    }
                }
                _ => {}
            }
        }
        Ok(out)
    }

    fn room_for(&mut self, new_entries: bool) -> bool {
        let full = self.senders.len() + self.remote.len() + self.legs.len() + self.xr_voip.len()
            >= self.max_ssrcs * 4;
        if new_entries && full {
            self.dropped_ssrcs += 1;
            return false;
        }
        true
    }

    fn record_voip(
        &mut self,
        now: Timestamp,
        reporter: u32,
        vm: rtpscope_wire::rtcp::xr::VoipMetrics,
    ) {
        let key = (reporter, vm.ssrc);
        if !self.xr_voip.contains_key(&key) && !self.room_for(true) {
            return;
        }
        let fraction = |v: u8| f64::from(v) / 256.0;
        // 127 means "unavailable" in every quality field of the block (RFC 3611 §4.7.5–7).
        let known = |v: u8| (v != 127).then_some(v);
        let reports = self.xr_voip.get(&key).map_or(0, |v| v.reports) + 1;
        self.xr_voip.insert(
            key,
            XrVoipView {
                reporter,
                source: vm.ssrc,
                loss_rate: fraction(vm.loss_rate),
                discard_rate: fraction(vm.discard_rate),
                burst_density: fraction(vm.burst_density),
                gap_density: fraction(vm.gap_density),
                burst_duration_ms: vm.burst_duration,
                gap_duration_ms: vm.gap_duration,
                round_trip_delay_ms: vm.round_trip_delay,
                end_system_delay_ms: vm.end_system_delay,
                r_factor: known(vm.r_factor),
                mos_lq: known(vm.mos_lq).map(|m| f64::from(m) / 10.0),
                mos_cq: known(vm.mos_cq).map(|m| f64::from(m) / 10.0),
                reports,
                at: now,
            },
        );
    }

    fn record_sr(
        &mut self,
        now: Timestamp,
        ssrc: u32,
        ntp: u64,
        packet_count: u32,
        octet_count: u32,
    ) {
        if !self.senders.contains_key(&ssrc) && !self.room_for(true) {
            return;
        }
        let sender = self.senders.entry(ssrc).or_default();
        let slot = sender.next % SR_HISTORY;
        sender.history[slot] = SentReport {
            ntp_middle: (ntp >> 16) as u32,
            arrival: now,
        };
        sender.next = sender.next.wrapping_add(1);
        let delay = sr_clock_delay_ms(now, ntp);
        let view = sender.view.get_or_insert(SenderView {
            ssrc,
            reports: 0,
            packet_count,
            octet_count,
            sr_clock_delay_ms: None,
        });
        view.reports += 1;
        view.packet_count = packet_count;
        view.octet_count = octet_count;
        view.sr_clock_delay_ms = match (view.sr_clock_delay_ms, delay) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
    }

    fn record_block(
        &mut self,
        now: Timestamp,
        reporter: u32,
        block: ReportBlock<'_>,
        out: &mut RtcpOutcome,
    ) {
        let source = block.ssrc();
        let key = (reporter, source);
        if !self.remote.contains_key(&key) && !self.room_for(true) {
            return;
        }
        let view = self.remote.entry(key).or_insert(RemoteView {
            reporter,
            source,
            fraction_lost: 0.0,
            cumulative_lost: 0,
            jitter_units: 0,
            extended_highest_seq: 0,
            reports: 0,
            at: now,
        });
        view.fraction_lost = f64::from(block.fraction_lost()) / 256.0;
        view.cumulative_lost = block.cumulative_lost();
        view.jitter_units = block.jitter();
        view.extended_highest_seq = block.extended_highest_seq();
        view.reports += 1;
        view.at = now;

        let lsr = block.lsr();
        if lsr == 0 {
            return;
        }
        let Some(sent) = self
            .senders
            .get(&source)
            .and_then(|s| {
                s.history
                    .iter()
                    .filter(|r| r.ntp_middle == lsr && r.arrival <= now)
                    .max_by_key(|r| r.arrival)
            })
            .copied()
        else {
            return;
        };
        let dlsr_ns = (u128::from(block.dlsr()) * 1_000_000_000 / 65_536) as i128;
        let rtt_ns = now.nanos_since(sent.arrival) - dlsr_ns;
        if rtt_ns < 0 {
            self.negative_rtt += 1;
            return;
        }
        let ms = rtt_ns as f64 / 1e6;
        out.rtt_samples.push((reporter, source, ms));
        if !self.legs.contains_key(&key) && !self.room_for(true) {
            return;
        }
        let leg = self.legs.entry(key).or_insert(LegStats {
            samples: 0,
            min: ms,
            max: ms,
            sum: 0.0,
            last: ms,
        });
        leg.samples += 1;
        leg.min = leg.min.min(ms);
        leg.max = leg.max.max(ms);
        leg.sum += ms;
        leg.last = ms;
    }

    pub(crate) fn report(&self) -> RtcpReport {
        let mut legs: Vec<RttLeg> = self
            .legs
            .iter()
            .map(|(&(reporter, source), l)| RttLeg {
                reporter,
                source,
                samples: l.samples,
                min_ms: l.min,
                mean_ms: l.sum / l.samples.max(1) as f64,
                max_ms: l.max,
                last_ms: l.last,
            })
            .collect();
        legs.sort_by_key(|l| (l.source, l.reporter));
        let mut remote: Vec<RemoteView> = self.remote.values().copied().collect();
        remote.sort_by_key(|r| (r.source, r.reporter));
        let mut senders: Vec<SenderView> = self.senders.values().filter_map(|s| s.view).collect();
        senders.sort_by_key(|s| s.ssrc);
        let mut byes: Vec<u32> = self.byes.iter().copied().collect();
        byes.sort_unstable();
        let mut xr_voip: Vec<XrVoipView> = self.xr_voip.values().copied().collect();
        xr_voip.sort_by_key(|v| (v.source, v.reporter));
        RtcpReport {
            legs,
            remote,
            senders,
            byes,
            xr_voip,
        }
    }
}

/// Capture time − the SR's NTP wallclock, when the capture clock is Unix time.
fn sr_clock_delay_ms(now: Timestamp, ntp: u64) -> Option<f64> {
    let secs = (ntp >> 32).checked_sub(NTP_UNIX_OFFSET_S)?;
    let frac_ns = ((ntp & 0xffff_ffff) * 1_000_000_000) >> 32;
    let sr_ns = secs.checked_mul(1_000_000_000)?.checked_add(frac_ns)?;
    let d = now.as_nanos() as i128 - i128::from(sr_ns);
    // Only plausible when both clocks are the same: a small, non-negative difference.
    (0..=10_000_000_000).contains(&d).then(|| d as f64 / 1e6)
}
