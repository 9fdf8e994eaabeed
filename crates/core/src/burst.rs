//! Burst and gap loss, RFC 3611 §4.7.2 with Gmin = 16.
//!
//! A burst is the longest run that starts and ends with a lost packet, holds at least two
//! losses, and contains no run of `Gmin` or more received packets; everything else is gap.
//! An isolated loss (Gmin received on both sides) is a gap loss, as in the RFC's reference
//! code. Densities are lost / packets in each state; durations are the mean length of a
//! burst or gap in packets (the caller multiplies by the packet interval).
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

/// The RFC 3611 default minimum gap length.
pub const GMIN: u64 = 16;

/// Streaming burst/gap classifier.
///
/// Kept in two parts: what a received packet updates (`BurstRun`, 24 bytes) and what only
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
    received_total: u64,
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
    gap_packets: u64,
    gap_lost: u64,
    gaps: u64,
    // Loss transitions for the E-model's BurstR (Markov p, q).
    recv_to_lost: u64,
    lost_to_lost: u64,
    lost_total: u64,
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
        self.received_total += n;
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

    pub(crate) fn metrics(&self, counts: &BurstCounts) -> BurstMetrics {
        let (mut r, mut t) = (*self, *counts);
        r.close_candidate(&mut t);
        t.gap_packets += r.run;
        if t.gap_packets > 0 && r.in_gap {
            t.gaps += 1;
        }
        let ratio = |a: u64, b: u64| if b == 0 { 0.0 } else { a as f64 / b as f64 };
        let total = self.received_total + counts.lost_total;
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
            burst_ratio: burst_ratio.max(1.0),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
        assert!(m.burst_ratio > 1.5);
    }
}
