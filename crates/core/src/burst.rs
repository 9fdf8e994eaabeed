//! Burst and gap loss, RFC 3611 §4.7.2 with Gmin = 16.
//!
//! A burst is the longest run that starts and ends with a lost packet, holds at least two
//! losses, and contains no run of `Gmin` or more received packets; everything else is gap.
//! An isolated loss (Gmin received on both sides) is a gap loss, as in the RFC's reference
//! code. Densities are lost / packets in each state; durations are the mean length of a
//! burst or gap in packets (the caller multiplies by the packet interval).
//!
//! A stream feeds its tracker in sequence order, `SETTLE_AFTER` numbers behind the highest,
//! from the window of numbers already seen: a packet that arrives late but within the window
//! counts as received, as a jitter buffer would play it, rather than as a loss and then
//! nothing (reordering alone is no burst). Reports settle the rest of the window on a copy.
//!
//! ```
//! use rtpscope_core::burst::BurstTracker;
//! let mut b = BurstTracker::default();
//! b.received(20);
//! b.lost(1); b.received(1); b.lost(2); // a burst: 3 lost of 4
//! b.received(30);
//! let m = b.metrics();
//! assert_eq!(m.burst_packets, 4);
//! assert!((m.burst_density - 0.75).abs() < 1e-9);
//! assert_eq!(m.gap_density, 0.0);
//! ```

use crate::seq::{Unsettled, SETTLE_AFTER};

/// The RFC 3611 default minimum gap length.
pub const GMIN: u64 = 16;

/// Streaming burst/gap classifier.
///
/// Kept in two parts: what a received packet updates (`BurstRun`, 16 bytes) and what only
/// losses and reports touch (`BurstCounts`). A stream stores them apart, so that among many
/// streams a packet's cache lines hold only the first.
#[derive(Debug, Clone, Copy, Default)]
pub struct BurstTracker {
    run: BurstRun,
    counts: BurstCounts,
}

/// What every received packet of a [`BurstTracker`] updates.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct BurstRun {
    /// Received packets since the last loss.
    run: u64,
    prev_lost: bool,
    any_loss: bool,
    in_gap: bool,
}

/// What only losses and reports of a [`BurstTracker`] touch.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct BurstCounts {
    /// Current candidate burst: packets and losses from its first loss to its last loss.
    cand_packets: u64,
    cand_lost: u64,
    burst_packets: u64,
    burst_lost: u64,
    bursts: u64,
    /// Packets of the longest burst closed so far.
    longest_burst_packets: u64,
    gap_packets: u64,
    gap_lost: u64,
    gaps: u64,
    // Loss transitions for the E-model's BurstR (Markov p, q).
    recv_to_lost: u64,
    lost_to_lost: u64,
    lost_total: u64,
    /// Packets received before the current run: with the run, every packet received. Kept
    /// here, where only losses write, rather than counted by every received packet.
    received_before_run: u64,
}

/// Burst / gap summary.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct BurstMetrics {
    /// Fraction of packets within bursts that were lost (0–1).
    pub burst_density: f64,
    /// Fraction of packets within gaps that were lost (0–1).
    pub gap_density: f64,
    /// Mean burst length in packets.
    pub mean_burst_packets: f64,
    /// Mean gap length in packets.
    pub mean_gap_packets: f64,
    /// Packets in bursts.
    pub burst_packets: u64,
    /// Number of bursts.
    pub bursts: u64,
    /// Packets of the longest burst: a mean can hide one long outage among short bursts.
    pub longest_burst_packets: u64,
    /// RFC 3611 / G.107 burst ratio: observed mean burst length over the mean for random loss
    /// at the same loss rate (1 = random, > 1 = bursty).
    pub burst_ratio: f64,
}

impl BurstTracker {
    /// `n` packets received in sequence.
    pub fn received(&mut self, n: u64) {
        self.run.received(n);
    }

    /// `n` consecutive packets lost.
    pub fn lost(&mut self, n: u64) {
        self.run.lost(&mut self.counts, n);
    }

    /// The metrics so far (an open candidate and the trailing run are counted as they stand).
    pub fn metrics(&self) -> BurstMetrics {
        self.run.metrics(&self.counts)
    }
}

impl BurstRun {
    #[inline]
    pub(crate) fn received(&mut self, n: u64) {
        if n == 0 {
            return;
        }
        self.prev_lost = false;
        self.run += n;
        if !self.any_loss {
            self.in_gap = true;
        }
    }

    pub(crate) fn lost(&mut self, c: &mut BurstCounts, n: u64) {
        if n == 0 {
            return;
        }
        if self.prev_lost {
            c.lost_to_lost += n;
        } else {
            c.recv_to_lost += 1;
            c.lost_to_lost += n - 1;
        }
        self.prev_lost = true;
        c.lost_total += n;
        if self.any_loss && self.run < GMIN {
            // Still in the same candidate burst.
            c.cand_packets += self.run + n;
            c.cand_lost += n;
        } else {
            self.close_candidate(c);
            c.gap_packets += self.run;
            c.cand_packets = n;
            c.cand_lost = n;
        }
        self.any_loss = true;
        c.received_before_run += self.run;
        self.run = 0;
    }

    fn close_candidate(&mut self, c: &mut BurstCounts) {
        if c.cand_lost >= 2 {
            if self.in_gap {
                c.gaps += 1;
                self.in_gap = false;
            }
            c.burst_packets += c.cand_packets;
            c.burst_lost += c.cand_lost;
            c.bursts += 1;
            c.longest_burst_packets = c.longest_burst_packets.max(c.cand_packets);
        } else {
            c.gap_packets += c.cand_packets;
            c.gap_lost += c.cand_lost;
            self.in_gap = true;
        }
        c.cand_packets = 0;
        c.cand_lost = 0;
    }

    /// A word of the run (to load it ahead of a packet).
    #[inline]
    pub(crate) fn touch(&self) -> u64 {
        self.run
    }

    /// Where the word [`Self::touch`] reads lies.
    #[cfg(test)]
    pub(crate) fn touched_offset() -> usize {
        core::mem::offset_of!(BurstRun, run)
    }

    /// The highest sequence number moved on by `step`, from the window `before`: settles the
    /// numbers that leave the window, oldest first.
    #[inline]
    pub(crate) fn advance(&mut self, c: &mut BurstCounts, before: Unsettled, step: u32) {
        // In line almost always: a full window moving on by one settles its oldest number.
        if step == 1 && before.count == SETTLE_AFTER {
            if before.seen >> (SETTLE_AFTER - 1) != 0 {
                self.received(1);
            } else {
                self.lost(c, 1);
            }
            return;
        }
        let leaving = (before.count + step).saturating_sub(SETTLE_AFTER);
        let from_window = leaving.min(before.count);
        self.settle_bits(c, before.seen >> (before.count - from_window), from_window);
        // Numbers skipped by more than the window never entered it: lost.
        self.lost(c, u64::from(leaving - from_window));
    }

    /// Settles every number of the window (the sender restarted, or a report is due).
    pub(crate) fn settle(&mut self, c: &mut BurstCounts, window: Unsettled) {
        self.settle_bits(c, window.seen, window.count);
    }

    /// Feeds the `n` lowest bits of `bits`, the highest of them first: 1 received, 0 lost.
    fn settle_bits(&mut self, c: &mut BurstCounts, bits: u128, mut n: u32) {
        while n > 0 {
            // The oldest unsettled bit at the top; below the `n` bits, zeros.
            let top = bits << (u128::BITS - n);
            let ones = top.leading_ones();
            if ones > 0 {
                self.received(u64::from(ones));
                n -= ones;
            } else {
                let zeros = top.leading_zeros().min(n);
                self.lost(c, u64::from(zeros));
                n -= zeros;
            }
        }
    }

    /// [`Self::metrics`] with the window settled as it stands.
    pub(crate) fn metrics_settled(&self, counts: &BurstCounts, window: Unsettled) -> BurstMetrics {
        let (mut r, mut c) = (*self, *counts);
        r.settle(&mut c, window);
        r.metrics(&c)
    }

    pub(crate) fn metrics(&self, counts: &BurstCounts) -> BurstMetrics {
        let (mut r, mut t) = (*self, *counts);
        r.close_candidate(&mut t);
        t.gap_packets += r.run;
        if t.gap_packets > 0 && r.in_gap {
            t.gaps += 1;
        }
        let ratio = |a: u64, b: u64| if b == 0 { 0.0 } else { a as f64 / b as f64 };
        let total = counts.received_before_run + self.run + counts.lost_total;
        let loss_rate = ratio(counts.lost_total, total);
        // Mean run of consecutive losses observed vs 1/(1-p) expected for random loss.
        let observed_run = ratio(counts.lost_total, counts.recv_to_lost);
        let random_run = if loss_rate < 1.0 {
            1.0 / (1.0 - loss_rate)
        } else {
            0.0
        };
        let burst_ratio = if observed_run > 0.0 && random_run > 0.0 {
            observed_run / random_run
        } else {
            1.0
        };
        BurstMetrics {
            burst_density: ratio(t.burst_lost, t.burst_packets),
            gap_density: ratio(t.gap_lost, t.gap_packets),
            mean_burst_packets: ratio(t.burst_packets, t.bursts),
            mean_gap_packets: ratio(t.gap_packets, t.gaps),
            burst_packets: t.burst_packets,
            bursts: t.bursts,
            longest_burst_packets: t.longest_burst_packets,
            burst_ratio: burst_ratio.max(1.0),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::seq::{SeqOutcome, SeqState};
    use proptest::prelude::*;

    /// Sequence numbers in arrival order through the window, as a stream feeds its tracker.
    fn windowed(arrivals: &[u16]) -> BurstMetrics {
        let (mut seq, mut counts) = SeqState::new(arrivals[0]);
        let (mut run, mut c) = (BurstRun::default(), BurstCounts::default());
        for &n in &arrivals[1..] {
            let window = seq.unsettled();
            match seq.update(&mut counts, n) {
                SeqOutcome::InOrder { lost_before } => {
                    run.advance(&mut c, window, u32::from(lost_before) + 1)
                }
                SeqOutcome::Restart => run.settle(&mut c, window),
                _ => {}
            }
        }
        run.metrics_settled(&c, seq.unsettled())
    }

    /// The same numbers sorted, told straight to a tracker.
    fn direct(received: &[u16]) -> BurstMetrics {
        let mut b = BurstTracker::default();
        b.received(1);
        for w in received.windows(2) {
            b.lost(u64::from(w[1].wrapping_sub(w[0]) - 1));
            b.received(1);
        }
        b.metrics()
    }

    #[test]
    fn a_packet_reordered_within_the_window_is_no_loss() {
        let mut arrivals: Vec<u16> = (0..300).collect();
        arrivals.swap(11, 12);
        arrivals.swap(150, 190);
        let m = windowed(&arrivals);
        assert_eq!((m.bursts, m.gap_density, m.burst_density), (0, 0.0, 0.0));
        // Without the late packets, the same gaps are losses.
        arrivals.retain(|&n| n != 11 && n != 150);
        let m = windowed(&arrivals);
        assert!((m.gap_density - 2.0 / 300.0).abs() < 1e-12, "{m:?}");
    }

    #[test]
    fn numbers_skipped_beyond_the_window_are_lost_in_order() {
        let arrivals: Vec<u16> = (0..50).chain(500..700).collect();
        assert_eq!(windowed(&arrivals), direct(&arrivals));
        assert_eq!(windowed(&arrivals).bursts, 1);
    }

    proptest! {
        /// Whatever the gaps, and whatever local reordering, the window gives what telling
        /// the sorted numbers straight would.
        #[test]
        fn windowed_equals_sorted(
            start in any::<u16>(),
            steps in prop::collection::vec(
                prop_oneof![8 => Just(1u16), 2 => 2u16..20, 1 => 20u16..400], 1..600),
            swaps in prop::collection::vec((1usize..600, 1usize..40), 0..30),
        ) {
            let mut received = vec![start];
            for s in steps {
                let last = *received.last().unwrap();
                received.push(last.wrapping_add(s));
            }
            let mut arrivals = received.clone();
            for (at, by) in swaps {
                // Never the first packet (the stream's base is where it starts), and late by
                // less than A.1's misorder bound.
                if at + by < arrivals.len() && arrivals[at + by].wrapping_sub(arrivals[at]) < 90 {
                    arrivals.swap(at, at + by);
                }
            }
            // Swaps may compound: keep every late packet within A.1's misorder bound of the
            // highest before it, so that it is late (not a jump).
            let mut highest = arrivals[0];
            prop_assume!(arrivals.iter().all(|&n| {
                let ahead = n.wrapping_sub(highest);
                if ahead < 3000 {
                    highest = n;
                    true
                } else {
                    highest.wrapping_sub(n) < 100
                }
            }));
            prop_assert_eq!(windowed(&arrivals), direct(&received));
        }
    }

    #[test]
    fn isolated_losses_are_gap_losses() {
        let mut b = BurstTracker::default();
        for _ in 0..5 {
            b.received(50);
            b.lost(1);
        }
        b.received(50);
        let m = b.metrics();
        assert_eq!(m.bursts, 0);
        assert!((m.gap_density - 5.0 / 305.0).abs() < 1e-12);
        assert_eq!(m.burst_ratio, 1.0);
    }

    #[test]
    fn two_bursts_separated_by_a_long_gap() {
        let mut b = BurstTracker::default();
        b.received(10);
        b.lost(3); // burst 1: 3 lost of 3
        b.received(100);
        b.lost(2);
        b.received(2);
        b.lost(1); // burst 2: 3 lost of 5
        b.received(10);
        let m = b.metrics();
        assert_eq!(m.bursts, 2);
        assert_eq!(m.burst_packets, 8);
        assert!((m.burst_density - 6.0 / 8.0).abs() < 1e-12);
        assert_eq!(m.gap_density, 0.0);
        assert_eq!(m.mean_burst_packets, 4.0);
        assert_eq!(m.longest_burst_packets, 5);
        assert!(m.burst_ratio > 1.5);
    }
}
