//! Sequence tracking and loss accounting, RFC 3550 Appendix A.1 and A.3.
//!
//! Differences from the letter of A.1, each so that the counts equal what an analyzer of a
//! capture reports (tshark, and the `.rfc3550.tsv` references):
//! - Every packet is counted as received, including those seen during probation, duplicates
//!   and packets after a sequence error; the base is the first packet's sequence number.
//!   Probation (`MIN_SEQUENTIAL`) only decides when the source is declared valid.
//! - A restart (two packets in sequence after a jump of more than `MAX_DROPOUT`) closes the
//!   current segment and opens a new one; expected and received add up over segments, so a
//!   sender that restarts its numbering does not show 65 000 lost packets.
//! - Duplicates are recognised with a 128-packet window of extended sequence numbers already
//!   seen, and counted apart from late (reordered) packets. A duplicate still counts as
//!   received, so cumulative loss goes negative with duplicates, as RFC 3550 §6.4.1 says.
//!
//! ```
//! use rtpscope_core::seq::{SeqTracker, SeqOutcome};
//! let mut t = SeqTracker::new(65534);
//! assert_eq!(t.update(65535), SeqOutcome::InOrder { lost_before: 0 });
//! assert_eq!(t.update(1), SeqOutcome::InOrder { lost_before: 1 }); // 0 missing, wrapped
//! assert_eq!(t.update(0), SeqOutcome::Late);
//! assert_eq!(t.update(0), SeqOutcome::Duplicate);
//! assert_eq!((t.expected(), t.received(), t.lost()), (4, 5, -1));
//! assert_eq!(t.extended_max(), 65536 + 1);
//! ```

/// Largest forward jump still taken as loss rather than a restart.
pub const MAX_DROPOUT: u16 = 3000;
/// Largest backward step still taken as a late packet rather than a restart.
pub const MAX_MISORDER: u16 = 100;
/// Packets in sequence before a new source is valid.
pub const MIN_SEQUENTIAL: u8 = 2;
const SEQ_MOD: u64 = 1 << 16;

/// What one packet's sequence number meant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub enum SeqOutcome {
    /// The first packet of the stream.
    First,
    /// Ahead of every earlier packet; `lost_before` packets are missing just before it.
    InOrder {
        /// Sequence numbers skipped (lost so far) between the previous highest and this one.
        lost_before: u16,
    },
    /// Behind the highest and not seen before: reordered.
    Late,
    /// Seen before.
    Duplicate,
    /// A jump beyond `MAX_DROPOUT`/`MAX_MISORDER`; the next packet decides if it is a restart.
    Jump,
    /// The second packet after a jump, in sequence: the sender restarted its numbering.
    Restart,
}

/// Per-source sequence state.
///
/// Kept in two parts: what every packet reads and writes (`SeqState`, 40 bytes) and the
/// counters that only rare packets, intervals and reports touch (`SeqCounts`). A stream
/// stores the two apart, so that among many streams a packet's cache lines hold only the
/// first; this type keeps them together for a caller tracking one source.
#[derive(Debug, Clone)]
pub struct SeqTracker {
    state: SeqState,
    counts: SeqCounts,
}

impl SeqTracker {
    /// Starts tracking at the first packet's sequence number.
    pub fn new(first_seq: u16) -> Self {
        let (state, counts) = SeqState::new(first_seq);
        SeqTracker { state, counts }
    }
    /// Accounts one packet.
    pub fn update(&mut self, seq: u16) -> SeqOutcome {
        self.state.update(&mut self.counts, seq)
    }
    /// Whether the source has passed probation (A.1 `MIN_SEQUENTIAL`).
    pub fn is_valid(&self) -> bool {
        self.state.is_valid()
    }
    /// Highest extended sequence number in the current segment.
    pub fn extended_max(&self) -> u64 {
        self.state.extended_max()
    }
    /// Extended sequence number of the first packet of the current segment.
    pub fn base(&self) -> u64 {
        self.counts.base_ext
    }
    /// Packets expected (A.3), over all segments.
    pub fn expected(&self) -> u64 {
        self.state.expected(&self.counts)
    }
    /// Packets received, duplicates included.
    pub fn received(&self) -> u64 {
        self.state.received(&self.counts)
    }
    /// Cumulative lost: expected − received (negative with duplicates).
    pub fn lost(&self) -> i64 {
        self.state.lost(&self.counts)
    }
    /// Duplicates seen.
    pub fn duplicates(&self) -> u64 {
        self.counts.duplicates
    }
    /// Late (reordered) packets seen.
    pub fn late(&self) -> u64 {
        self.counts.late
    }
    /// Sequence jumps beyond the dropout/misorder bounds that did not turn out to be a
    /// restart (stray packets).
    pub fn jumps(&self) -> u64 {
        self.counts.jumps
    }
    /// Restarts of the sender's numbering.
    pub fn restarts(&self) -> u64 {
        self.counts.restarts
    }
    /// A.3 fraction lost since the last call, in 1/256, and the interval's (expected, lost);
    /// starts the next interval.
    pub fn take_interval(&mut self) -> IntervalLoss {
        self.state.take_interval(&mut self.counts)
    }
}

/// What every packet of a [`SeqTracker`] reads and writes.
#[derive(Debug, Clone)]
pub(crate) struct SeqState {
    /// Which of the 128 sequence numbers up to the highest were seen (bit 0: the highest),
    /// low word first: two words rather than a `u128`, whose 16-byte alignment would pad this
    /// state by 8 bytes and cost a stream a cache line.
    seen: [u64; 2],
    received_segment: u64,
    cycles: u64,
    bad_seq: u32,
    max_seq: u16,
    probation: u8,
    /// How many of `seen`'s bits, from the highest down, are not yet settled (0..=128).
    unsettled: u8,
}

/// The last sequence numbers up to the highest whose fate is not settled: a packet may still
/// arrive late to fill a gap among them. Bit 0 of `seen` is the highest; the `count` lowest
/// bits are unsettled, the oldest at `count - 1`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Unsettled {
    pub seen: u128,
    pub count: u32,
}

/// Sequence numbers that stay unsettled: as many as the window of packets already seen.
pub(crate) const SETTLE_AFTER: u32 = 128;

/// The counters of a [`SeqTracker`] that only rare packets, intervals and reports touch.
#[derive(Debug, Clone, Default)]
pub(crate) struct SeqCounts {
    /// Extended sequence number of the current segment's first packet.
    base_ext: u64,
    // totals over closed segments
    expected_prior_segments: u64,
    received_prior_segments: u64,
    // A.3 interval bookkeeping
    expected_at_interval: u64,
    received_at_interval: u64,
    duplicates_at_interval: u64,
    unexpected_at_interval: u64,
    /// Late packets numbered before the current segment's base (sent before the packet
    /// that arrived first): received, but not expected by A.3.
    pub(crate) before_base: u64,
    /// What `bad_seq` was before the last jump (restored if the jump was a late packet).
    bad_seq_before_jump: u32,
    pub(crate) duplicates: u64,
    pub(crate) late: u64,
    pub(crate) jumps: u64,
    pub(crate) restarts: u64,
}

impl SeqState {
    /// Starts tracking at the first packet's sequence number.
    pub(crate) fn new(first_seq: u16) -> (Self, SeqCounts) {
        let state = SeqState {
            max_seq: first_seq,
            cycles: 0,
            bad_seq: u32::MAX,
            received_segment: 1,
            probation: MIN_SEQUENTIAL - 1,
            seen: [1, 0],
            unsettled: 1,
        };
        let counts = SeqCounts {
            base_ext: u64::from(first_seq),
            ..SeqCounts::default()
        };
        (state, counts)
    }

    /// Accounts one packet.
    #[inline]
    pub(crate) fn update(&mut self, counts: &mut SeqCounts, seq: u16) -> SeqOutcome {
        let udelta = seq.wrapping_sub(self.max_seq);
        self.received_segment += 1;
        if udelta == 0 {
            counts.duplicates += 1;
            return SeqOutcome::Duplicate;
        }
        if udelta < MAX_DROPOUT {
            if seq < self.max_seq {
                self.cycles += SEQ_MOD;
            }
            self.max_seq = seq;
            // The next in line (almost every packet) shifts by a constant.
            self.set_seen(
                match udelta {
                    1 => self.seen() << 1,
                    2..=127 => self.seen() << udelta,
                    _ => 0,
                } | 1,
            );
            // Full after the first 128 numbers: then only a restart changes it.
            if u32::from(self.unsettled) < SETTLE_AFTER {
                self.unsettled =
                    (u32::from(self.unsettled) + u32::from(udelta)).min(SETTLE_AFTER) as u8;
            }
            if self.probation > 0 {
                self.probation = if udelta == 1 {
                    self.probation - 1
                } else {
                    MIN_SEQUENTIAL - 1
                };
            }
            self.bad_seq = u32::MAX;
            return SeqOutcome::InOrder {
                lost_before: udelta - 1,
            };
        }
        if udelta <= u16::MAX - MAX_MISORDER + 1 {
            if u32::from(seq) == self.bad_seq {
                self.restart(counts, seq);
                return SeqOutcome::Restart;
            }
            counts.bad_seq_before_jump = self.bad_seq;
            self.bad_seq = u32::from(seq.wrapping_add(1));
            counts.jumps += 1;
            return SeqOutcome::Jump;
        }
        // Behind the highest by 1..=MAX_MISORDER.
        self.behind(counts, u32::from(self.max_seq.wrapping_sub(seq)))
    }

    /// How far `seq`, just taken for a jump, is behind the highest: `None` when ahead.
    pub(crate) fn jumped_back(&self, seq: u16) -> Option<u16> {
        let behind = self.max_seq.wrapping_sub(seq);
        (behind < 0x8000).then_some(behind)
    }

    /// `seq`, just taken for a jump, is very late instead (its caller tells from its
    /// timestamp and arrival, which this tracker does not see): a duplicate or late packet
    /// after all, and whatever restart was pending before it still is.
    pub(crate) fn jump_was_late(&mut self, counts: &mut SeqCounts, seq: u16) -> SeqOutcome {
        self.bad_seq = counts.bad_seq_before_jump;
        counts.jumps = counts.jumps.saturating_sub(1);
        self.behind(counts, u32::from(self.max_seq.wrapping_sub(seq)))
    }

    /// A packet `behind` the highest: a duplicate if the window saw it, else late (and seen
    /// from now on, while the window reaches it).
    #[inline]
    fn behind(&mut self, counts: &mut SeqCounts, behind: u32) -> SeqOutcome {
        let bit = 1u128.checked_shl(behind).unwrap_or(0);
        if self.seen() & bit != 0 {
            counts.duplicates += 1;
            SeqOutcome::Duplicate
        } else {
            self.set_seen(self.seen() | bit);
            counts.late += 1;
            if (self.extended_max() as i64 - i64::from(behind)) < counts.base_ext as i64 {
                counts.before_base += 1;
            }
            SeqOutcome::Late
        }
    }

    fn restart(&mut self, counts: &mut SeqCounts, seq: u16) {
        // The packet before this one (the jump) and this one start the new segment.
        counts.expected_prior_segments += self.segment_expected(counts);
        counts.received_prior_segments += self.received_segment - 2;
        counts.base_ext = u64::from(seq.wrapping_sub(1));
        counts.restarts += 1;
        // The jump was the restart's first packet: a restart, not a stray jump as well.
        counts.jumps = counts.jumps.saturating_sub(1);
        self.cycles = 0;
        self.max_seq = seq;
        self.received_segment = 2;
        self.set_seen(0b11);
        self.unsettled = 2;
        self.bad_seq = u32::MAX;
    }

    /// The numbers whose fate a late packet may still change.
    #[inline]
    pub(crate) fn unsettled(&self) -> Unsettled {
        Unsettled {
            seen: self.seen(),
            count: u32::from(self.unsettled),
        }
    }

    #[inline(always)]
    fn seen(&self) -> u128 {
        u128::from(self.seen[0]) | u128::from(self.seen[1]) << 64
    }

    #[inline(always)]
    fn set_seen(&mut self, seen: u128) {
        self.seen = [seen as u64, (seen >> 64) as u64];
    }

    fn segment_expected(&self, counts: &SeqCounts) -> u64 {
        (self.cycles + u64::from(self.max_seq) + 1).saturating_sub(counts.base_ext)
    }

    pub(crate) fn is_valid(&self) -> bool {
        self.probation == 0
    }

    pub(crate) fn extended_max(&self) -> u64 {
        self.cycles + u64::from(self.max_seq)
    }

    pub(crate) fn expected(&self, counts: &SeqCounts) -> u64 {
        counts.expected_prior_segments + self.segment_expected(counts)
    }

    pub(crate) fn received(&self, counts: &SeqCounts) -> u64 {
        counts.received_prior_segments + self.received_segment
    }

    pub(crate) fn lost(&self, counts: &SeqCounts) -> i64 {
        self.expected(counts) as i64 - self.received(counts) as i64
    }

    /// A word of the state (to load it ahead of a packet).
    #[inline]
    pub(crate) fn touch(&self) -> u64 {
        self.received_segment
    }

    /// Where the word [`Self::touch`] reads lies.
    #[cfg(test)]
    pub(crate) fn touched_offset() -> usize {
        core::mem::offset_of!(SeqState, received_segment)
    }

    pub(crate) fn take_interval(&self, counts: &mut SeqCounts) -> IntervalLoss {
        let expected = self.expected(counts);
        let received = self.received(counts);
        let expected_interval = expected.saturating_sub(counts.expected_at_interval);
        let received_interval = received.saturating_sub(counts.received_at_interval);
        counts.expected_at_interval = expected;
        counts.received_at_interval = received;
        let duplicates = counts.duplicates - counts.duplicates_at_interval;
        counts.duplicates_at_interval = counts.duplicates;
        // Jumps may be taken back (a restart, a very late packet): never below zero.
        let unexpected = counts
            .unexpected()
            .saturating_sub(counts.unexpected_at_interval);
        counts.unexpected_at_interval = counts.unexpected();
        let lost = expected_interval as i64 - received_interval as i64;
        let fraction = if expected_interval == 0 || lost <= 0 {
            0
        } else {
            ((lost as u64) << 8)
                .checked_div(expected_interval)
                .unwrap_or(0)
                .min(255) as u8
        };
        IntervalLoss {
            expected: expected_interval,
            received: received_interval,
            lost,
            fraction,
            duplicates,
            unexpected,
        }
    }
}

impl SeqCounts {
    /// Packets received that A.3's expected count does not include, so that each hides a
    /// loss in `lost`: duplicates, strays (jumps that were no restart) and late packets
    /// numbered before the base.
    pub(crate) fn unexpected(&self) -> u64 {
        self.duplicates + self.jumps + self.before_base
    }
}

/// Loss over one reporting interval (RFC 3550 A.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct IntervalLoss {
    /// Packets expected in the interval.
    pub expected: u64,
    /// Packets received in the interval.
    pub received: u64,
    /// expected − received (negative with duplicates).
    pub lost: i64,
    /// Fraction lost in 1/256 (0 when none or negative), as an RR carries it.
    pub fraction: u8,
    /// Duplicates received in the interval.
    pub duplicates: u64,
    /// Packets received in the interval that A.3 does not expect: duplicates, strays and
    /// late packets numbered before the base.
    pub unexpected: u64,
}

/// Of `expected` packets, the share (%) that never arrived: `lost` (A.3's count, which
/// counts every packet received) plus the `unexpected` packets (duplicates, strays, packets
/// numbered before the first to arrive) that hid as many losses in it. This, not A.3's
/// figure, is what a listener hears and what the E-model takes as packet loss.
pub fn missing_pct(expected: u64, lost: i64, unexpected: u64) -> f64 {
    if expected == 0 {
        return 0.0;
    }
    let missing = lost.saturating_add(i64::try_from(unexpected).unwrap_or(i64::MAX));
    (missing.max(0) as f64 * 100.0 / expected as f64).min(100.0)
}

#[cfg(test)]
mod tests;
