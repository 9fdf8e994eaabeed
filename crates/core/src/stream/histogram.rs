//! The distribution of a stream's running RFC 3550 jitter, in fixed memory.
//!
//! Counts are kept in hdrhistogram's own bucket layout for one significant digit (32
//! sub-buckets of a power of two each: every value within 1/16 of its bucket's lowest), in a
//! plain array indexed with a few shifts, and quantiles are read off it with hdrhistogram's
//! rule (`value_at_quantile`), which the tests check against hdrhistogram itself. So
//! quantiles are exactly hdrhistogram's, while a packet costs an increment rather than a
//! library call with its checks and bookkeeping, and a report one pass over about 220 slots
//! rather than a histogram built and freed (for every stream of a capture with 100 k of
//! them, that was most of the cost of ending it).
//!
//! The running jitter moves by a sixteenth of each deviation, so consecutive packets mostly
//! fall in the same bucket: a run is counted in a field next to the rest of the timing state
//! and added to the array when the bucket changes, which keeps the array (a separate
//! allocation, a cache miss among many streams) off most packets' path.

/// Histogram unit: 10 µs.
pub(crate) const HIST_UNIT_NS: f64 = 10_000.0;
/// Upper bound: 1 s of jitter. Values above are counted, not recorded.
pub(crate) const HIST_MAX: u64 = 100_000;
/// hdrhistogram's layout for one significant digit: quantiles within 1/16 (6 %) of the true
/// value, in under 1 KiB per stream; two digits would take 5.6 KiB. Min, mean, max and final
/// jitter are exact.
#[cfg(test)]
const SIGNIFICANT_DIGITS: u8 = 1;
/// log2 of the sub-buckets per bucket hdrhistogram uses for one significant digit.
const SUB_BITS: u32 = 5;
const HALF_BITS: u32 = SUB_BITS - 1;
/// Buckets up to and including `HIST_MAX`'s.
const SLOTS: usize = index_of(HIST_MAX) + 1;

/// The bucket (power of two) `v` (≥ 1) falls in.
#[inline]
const fn bucket_of(v: u64) -> u32 {
    (64 - SUB_BITS) - (v | ((1 << SUB_BITS) - 1)).leading_zeros()
}

/// The counts slot of `v` (≥ 1), as hdrhistogram computes it.
#[inline]
const fn index_of(v: u64) -> usize {
    let b = bucket_of(v);
    (((b as u64 + 1) << HALF_BITS) + (v >> b) - (1 << HALF_BITS)) as usize
}

/// The lowest value of slot `i`.
const fn value_at(i: usize) -> u64 {
    let i = i as u64;
    if i < (1 << SUB_BITS) {
        return i;
    }
    let b = (i >> HALF_BITS) - 1;
    (i - (b << HALF_BITS)) << b
}

/// The current run: all a packet whose jitter stays in its bucket reads and writes. A stream
/// keeps it with its busy state and the [`HistStore`] apart.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct HistRun {
    /// The run's bucket as bounds on `value + 0.5` for [`Self::record_rounded`]: `[lo, hi)`,
    /// the lower one open when the run is the lowest unit's (which also takes values below
    /// it); empty when there is no run.
    lo_f: f64,
    hi_f: f64,
    run: u64,
}

/// The counts, the run's bucket in integers, and the values above the bound.
#[derive(Debug, Clone)]
pub(crate) struct HistStore {
    counts: Box<[u32; SLOTS]>,
    /// The current run's bucket, `[lo, hi)` in histogram units (empty when no run).
    lo: u64,
    hi: u64,
    /// Values above the histogram's bound: counted, not hidden.
    pub(crate) above: u64,
}

impl HistStore {
    pub(crate) fn new() -> Self {
        HistStore {
            counts: Box::new([0; SLOTS]),
            lo: 0,
            hi: 0,
            above: 0,
        }
    }

    /// Bytes on the heap.
    pub(crate) fn heap_bytes(&self) -> usize {
        core::mem::size_of::<[u32; SLOTS]>()
    }
}

impl HistRun {
    /// Counts one value, in histogram units (0 counts as 1, the lowest unit).
    #[inline]
    pub(crate) fn record(&mut self, store: &mut HistStore, value: u64) {
        let v = value.max(1);
        if v >= store.lo && v < store.hi {
            self.run += 1;
        } else {
            self.start_run(store, v);
        }
    }

    /// Counts `(x + 0.5) as u64` (a non-negative `x` rounded to the nearest unit), without
    /// converting while `x` stays in the current run's bucket: `y = x + 0.5` truncates into
    /// `[lo, hi)` exactly when `lo <= y < hi`, the integers being exact in `f64`.
    #[inline]
    pub(crate) fn record_rounded(&mut self, store: &mut HistStore, x: f64) {
        let y = x + 0.5;
        if y >= self.lo_f && y < self.hi_f {
            self.run += 1;
        } else {
            self.record(store, y as u64);
        }
    }

    fn start_run(&mut self, store: &mut HistStore, v: u64) {
        self.flush(store);
        if v > HIST_MAX {
            store.above += 1;
            (store.lo, store.hi) = (0, 0);
            (self.lo_f, self.hi_f) = (0.0, 0.0);
            return;
        }
        let b = bucket_of(v);
        store.lo = (v >> b) << b;
        store.hi = (store.lo + (1 << b)).min(HIST_MAX + 1);
        // Values below 1 count as 1, so the lowest unit's run has no lower bound.
        self.lo_f = if store.lo <= 1 {
            f64::NEG_INFINITY
        } else {
            store.lo as f64
        };
        self.hi_f = store.hi as f64;
        self.run = 1;
    }

    fn flush(&mut self, store: &mut HistStore) {
        if self.run > 0 {
            let run = self.run_count();
            if let Some(c) = store.counts.get_mut(index_of(store.lo)) {
                *c = c.saturating_add(run);
            }
        }
        self.run = 0;
    }

    /// The open run as a count: a full slot stays full (4 billion packets: years of one
    /// stream).
    fn run_count(&self) -> u32 {
        u32::try_from(self.run).unwrap_or(u32::MAX)
    }

    /// The values at quantiles `qs` (each in 0..=1, ascending), in histogram units, as
    /// hdrhistogram's `value_at_quantile` gives them for these counts and the open run: the
    /// first slot at which the running count reaches `⌈q·total⌉` (at least 1), as its highest
    /// value (its lowest for `q` = 0). `None` when nothing was counted.
    pub(crate) fn quantiles<const N: usize>(
        &self,
        store: &HistStore,
        qs: [f64; N],
    ) -> Option<[u64; N]> {
        // The open run belongs to its slot; a slot holds at most u32::MAX, as hdrhistogram's
        // saturating counts do (its total would still count what a full slot refused: a
        // difference only after 4 billion packets of one stream in one bucket).
        let (run_at, run) = match self.run {
            0 => (usize::MAX, 0),
            _ => {
                let at = index_of(store.lo);
                let c = store.counts.get(at).copied().unwrap_or(0);
                (at, u64::from(c.saturating_add(self.run_count()) - c))
            }
        };
        let count_at = |i: usize| -> u64 {
            let c = u64::from(store.counts.get(i).copied().unwrap_or(0));
            if i == run_at {
                c + run
            } else {
                c
            }
        };
        let total = store.counts.iter().map(|&c| u64::from(c)).sum::<u64>() + run;
        if total == 0 {
            return None;
        }
        let mut out = [0; N];
        let (mut next, mut counted) = (0usize, 0u64);
        for (value, q) in out.iter_mut().zip(qs) {
            let target = ((q.clamp(0.0, 1.0) * total as f64).ceil() as u64).max(1);
            while counted < target && next < SLOTS {
                counted += count_at(next);
                next += 1;
            }
            let lo = value_at(next.saturating_sub(1));
            *value = if q == 0.0 {
                lo
            } else {
                lo + (1 << bucket_of(lo)) - 1
            };
        }
        Some(out)
    }

    /// A word of the run (to load it ahead of a packet).
    pub(crate) fn touch(&self) -> u64 {
        self.run
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use hdrhistogram::Histogram;

    /// The counts and the open run as an hdrhistogram: the reference for the quantiles.
    fn reference(run: &HistRun, store: &HistStore) -> Histogram<u32> {
        let mut h = Histogram::new_with_bounds(1, HIST_MAX, SIGNIFICANT_DIGITS).expect("bounds");
        for (i, &n) in store.counts.iter().enumerate() {
            if n > 0 {
                h.saturating_record_n(value_at(i).max(1), n);
            }
        }
        if run.run > 0 {
            h.saturating_record_n(store.lo, run.run_count());
        }
        h
    }

    struct JitterHistogram {
        run: HistRun,
        store: HistStore,
    }

    impl JitterHistogram {
        fn new() -> Self {
            JitterHistogram {
                run: HistRun::default(),
                store: HistStore::new(),
            }
        }
        fn record(&mut self, value: u64) {
            self.run.record(&mut self.store, value);
        }
        fn record_rounded(&mut self, x: f64) {
            self.run.record_rounded(&mut self.store, x);
        }
        fn histogram(&self) -> Histogram<u32> {
            reference(&self.run, &self.store)
        }
    }

    #[test]
    fn layout_is_hdrhistograms() {
        let h = Histogram::<u32>::new_with_bounds(1, HIST_MAX, SIGNIFICANT_DIGITS).expect("bounds");
        for v in 1..=HIST_MAX {
            let b = bucket_of(v);
            let lo = (v >> b) << b;
            assert_eq!(lo, h.lowest_equivalent(v), "{v}");
            assert_eq!(lo + (1 << b), h.next_non_equivalent(v), "{v}");
            assert_eq!(value_at(index_of(v)), lo, "{v}");
        }
        assert_eq!(index_of(HIST_MAX), SLOTS - 1);
    }

    #[test]
    fn rounded_recording_equals_converting_every_value() {
        // A miss of the fast path falls back to converting, so only a wrong hit could make a
        // difference: bucket edges and their neighbours, values below one unit, a random walk.
        let mut xs: Vec<f64> = vec![0.0, 0.2, 0.49, 0.5, 1.0, 1.49, 1.5, 1.51, 31.5, 32.5, 33.49];
        for edge in [2u64, 16, 32, 33, 64, 1024, HIST_MAX, HIST_MAX + 1] {
            let e = edge as f64 - 0.5;
            xs.extend([e.next_down(), e, e.next_up(), e + 0.25, e - 0.25]);
        }
        let mut state = 0x2545_f491_4f6c_dd1du64;
        let mut v = 0.0f64;
        for _ in 0..20_000 {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            let target = (state % 4_000) as f64 * if state % 97 == 0 { 100.0 } else { 1.0 };
            v += (target - v) / 16.0;
            xs.push(v);
        }
        let (mut rounded, mut converted) = (JitterHistogram::new(), JitterHistogram::new());
        for &x in xs.iter().chain(xs.iter().rev()) {
            rounded.record_rounded(x);
            converted.record((x + 0.5) as u64);
        }
        let (r, c) = (&rounded.store, &converted.store);
        assert_eq!(r.counts, c.counts);
        assert_eq!(
            (r.lo, r.hi, rounded.run.run, r.above),
            (c.lo, c.hi, converted.run.run, c.above)
        );
    }

    #[test]
    fn quantiles_equal_recording_every_value() {
        let mut direct =
            Histogram::<u32>::new_with_bounds(1, HIST_MAX, SIGNIFICANT_DIGITS).expect("bounds");
        let mut ours = JitterHistogram::new();
        // A running jitter that drifts up, jumps, settles, and once exceeds the bound.
        let mut v = 0.0f64;
        for i in 0..5_000u32 {
            let target = match i {
                0..=999 => 40.0,
                1000..=1999 => 3_000.0,
                2000..=2001 => 10_000_000.0,
                _ => 120.0,
            };
            v += (target - v) / 16.0;
            let x = (v + 0.5) as u64;
            ours.record(x);
            if x.max(1) <= HIST_MAX {
                direct.record(x.max(1)).expect("in bounds");
            }
        }
        let h = ours.histogram();
        assert_eq!(h.len(), direct.len());
        assert_eq!(ours.store.above, 5_000 - direct.len());
        let qs = [0.0, 0.1, 0.5, 0.9, 0.99, 0.999, 1.0];
        let read = ours.run.quantiles(&ours.store, qs).expect("counted");
        for (q, value) in qs.into_iter().zip(read) {
            assert_eq!(h.value_at_quantile(q), direct.value_at_quantile(q), "{q}");
            assert_eq!(value, direct.value_at_quantile(q), "{q}");
        }
    }

    #[test]
    fn quantiles_read_off_the_counts_are_hdrhistograms() {
        // Random walks of every scale, each read at many quantiles with the run open (as a
        // report finds it) and flushed, and an empty histogram.
        let qs = [
            0.0, 0.001, 0.01, 0.1, 0.25, 0.333, 0.5, 0.5001, 0.75, 0.9, 0.95, 0.99, 0.999, 1.0,
        ];
        let mut state = 0x9e37_79b9_7f4a_7c15u64;
        for walk in 0..60u32 {
            let mut ours = JitterHistogram::new();
            assert_eq!(ours.run.quantiles(&ours.store, qs), None);
            let scale = 10f64.powi((walk % 7) as i32);
            let mut v = 0.0f64;
            for _ in 0..(50 + walk * 37) {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                v += ((state % 1000) as f64 * scale / 100.0 - v) / 16.0;
                ours.record_rounded(v);
            }
            for flushed in [false, true] {
                if flushed {
                    ours.run.flush(&mut ours.store);
                }
                let h = ours.histogram();
                let Some(read) = ours.run.quantiles(&ours.store, qs) else {
                    // Every value was above the bound (the largest scales).
                    assert!(h.is_empty() && ours.store.above > 0, "walk {walk}");
                    continue;
                };
                for (q, value) in qs.into_iter().zip(read) {
                    assert_eq!(value, h.value_at_quantile(q), "walk {walk}, q {q}");
                }
            }
        }
    }
}
