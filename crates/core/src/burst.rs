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
/// Laid out (`repr(C)`) with what a received packet updates first (24 bytes) and what only
/// losses touch after, so a stream keeps the first part on a line it touches anyway.
#[derive(Debug, Clone, Copy, Default)]
#[repr(C)]
pub struct BurstTracker {
    // Every received packet.
    /// Received packets since the last loss.
    run: u64,
    received_total: u64,
    prev_lost: bool,
    any_loss: bool,
    in_gap: bool,
    // Losses only.
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

impl BurstTracker {
    /// The bytes a received packet reads or writes.
    #[cfg(test)]
    pub(crate) const HOT_BYTES: core::ops::Range<usize> =
        0..core::mem::offset_of!(BurstTracker, in_gap) + 1;
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

    /// `n` consecutive packets lost.
    pub fn lost(&mut self, n: u64) {
        if n == 0 {
            return;
        }
        if self.prev_lost {
            self.lost_to_lost += n;
        } else {
            self.recv_to_lost += 1;
            self.lost_to_lost += n - 1;
        }
        self.prev_lost = true;
        self.lost_total += n;
        if self.any_loss && self.run < GMIN {
            // Still in the same candidate burst.
            self.cand_packets += self.run + n;
            self.cand_lost += n;
        } else {
            self.close_candidate();
            self.gap_packets += self.run;
            self.cand_packets = n;
            self.cand_lost = n;
        }
        self.any_loss = true;
        self.run = 0;
    }

    fn close_candidate(&mut self) {
        if self.cand_lost >= 2 {
            if self.in_gap {
                self.gaps += 1;
                self.in_gap = false;
            }
            self.burst_packets += self.cand_packets;
            self.burst_lost += self.cand_lost;
            self.bursts += 1;
        } else {
            self.gap_packets += self.cand_packets;
            self.gap_lost += self.cand_lost;
            self.in_gap = true;
        }
        self.cand_packets = 0;
        self.cand_lost = 0;
    }

    /// The metrics so far (an open candidate and the trailing run are counted as they stand).
    pub fn metrics(&self) -> BurstMetrics {
        let mut t = *self;
        t.close_candidate();
        t.gap_packets += t.run;
        if t.gap_packets > 0 && t.in_gap {
            t.gaps += 1;
        }
        let ratio = |a: u64, b: u64| if b == 0 { 0.0 } else { a as f64 / b as f64 };
        let total = self.received_total + self.lost_total;
        let loss_rate = ratio(self.lost_total, total);
        // Mean run of consecutive losses observed vs 1/(1-p) expected for random loss.
        let observed_run = ratio(self.lost_total, self.recv_to_lost);
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
