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
//! and added to the counts when the bucket changes, which keeps the counts off most packets'
//! path. The first [`FEW`] slots a stream uses are counted inline; the array (a separate
//! allocation of about 900 bytes) is made only for a stream whose jitter spreads wider or
//! changes bucket more than [`INLINE_RUNS`] times. A short stream, whose jitter is still
//! settling and so changes bucket on most packets, then neither allocates nor misses the
//! cache on a second block (a capture of 100 k streams of ten packets each spent a fifth of
//! its analysis there).

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

/// Distinct slots counted inline before the array is made.
const FEW: usize = 8;
/// Runs counted inline before the array is made whatever the slots: a stream whose jitter
/// keeps changing bucket lives long enough to be worth it, and indexing beats searching.
const INLINE_RUNS: u8 = 64;

/// The counts, the run's bucket in integers, and the values above the bound.
#[derive(Debug, Clone)]
pub(crate) struct HistStore {
    /// Every slot's count, once more than [`FEW`] slots or [`INLINE_RUNS`] runs were used.
    counts: Option<Box<[u32; SLOTS]>>,
    /// Until then, the slots used (`few_len` of them, in first-use order) and their counts.
    few_slots: [u8; FEW],
    few_counts: [u32; FEW],
    few_len: u8,
    /// Runs added inline so far.
    inline_runs: u8,
    /// The current run's bucket, `[lo, hi)` in histogram units (empty when no run).
    lo: u64,
    hi: u64,
    /// Values above the histogram's bound: counted, not hidden.
    pub(crate) above: u64,
}

impl HistStore {
    pub(crate) fn new() -> Self {
        HistStore {
            counts: None,
            few_slots: [0; FEW],
            few_counts: [0; FEW],
            few_len: 0,
            inline_runs: 0,
            lo: 0,
            hi: 0,
            above: 0,
        }
    }

    /// Bytes on the heap.
    pub(crate) fn heap_bytes(&self) -> usize {
        self.counts
            .as_ref()
            .map_or(0, |_| core::mem::size_of::<[u32; SLOTS]>())
    }

    /// Adds `n` to slot `at` (saturating: a full slot stays full). Out of line: it runs only
    /// when the jitter changes bucket, and inlined it crowded the packet path's registers (38
    /// more instructions a packet).
    #[inline(never)]
    fn add(&mut self, at: usize, n: u32) {
        if let Some(counts) = &mut self.counts {
            if let Some(c) = counts.get_mut(at) {
                *c = c.saturating_add(n);
            }
            return;
        }
        self.inline_runs = self.inline_runs.saturating_add(1);
        if self.inline_runs <= INLINE_RUNS {
            let len = usize::from(self.few_len);
            let used = self.few_slots.get(..len).unwrap_or_default();
            if let Some(i) = used.iter().position(|&slot| usize::from(slot) == at) {
                if let Some(c) = self.few_counts.get_mut(i) {
                    *c = c.saturating_add(n);
                }
                return;
            }
            if let (Ok(slot), true) = (u8::try_from(at), len < FEW) {
                self.few_slots[len] = slot;
                self.few_counts[len] = n;
                self.few_len += 1;
                return;
            }
        }
        let mut counts = Box::new(self.dense());
        if let Some(c) = counts.get_mut(at) {
            *c = c.saturating_add(n);
        }
        self.counts = Some(counts);
    }

    /// Every slot's count.
    fn dense(&self) -> [u32; SLOTS] {
        if let Some(counts) = &self.counts {
            return **counts;
        }
        let mut out = [0; SLOTS];
        for (&slot, &n) in self
            .few_slots
            .iter()
            .zip(&self.few_counts)
            .take(self.few_len.into())
        {
            if let Some(c) = out.get_mut(usize::from(slot)) {
                *c = n;
            }
        }
        out
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
            store.add(index_of(store.lo), self.run_count());
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
        let run = (self.run > 0).then(|| (index_of(store.lo), self.run_count()));
        let with_run = move |(i, c): (usize, u32)| match run {
            Some((at, n)) if at == i => (i, c.saturating_add(n)),
            _ => (i, c),
        };
        if let Some(counts) = &store.counts {
            // The total as a plain sum (the compiler vectorises it), plus what the run adds.
            let run_adds = run.map_or(0, |(at, n)| {
                let c = counts.get(at).copied().unwrap_or(0);
                c.saturating_add(n) - c
            });
            let total = counts.iter().map(|&c| u64::from(c)).sum::<u64>() + u64::from(run_adds);
            let slots = counts.iter().copied().enumerate().map(with_run);
            return read_quantiles(slots, total, qs);
        }
        // Counted inline: a few slots, and the run's if it is another, put in order. A short
        // stream's report reads these rather than a dense array of every slot.
        let mut few = [(0usize, 0u32); FEW + 1];
        let mut len = 0;
        let inline = store.few_slots.iter().zip(&store.few_counts);
        for (entry, (&slot, &n)) in few.iter_mut().zip(inline.take(store.few_len.into())) {
            *entry = with_run((usize::from(slot), n));
            len += 1;
        }
        if let Some((at, n)) = run {
            if !few.iter().take(len).any(|&(i, _)| i == at) {
                if let Some(entry) = few.get_mut(len) {
                    *entry = (at, n);
                    len += 1;
                }
            }
        }
        let few = few.get_mut(..len).unwrap_or_default();
        few.sort_unstable_by_key(|&(i, _)| i);
        let total = few.iter().map(|&(_, c)| u64::from(c)).sum();
        read_quantiles(few.iter().copied(), total, qs)
    }

    /// A word of the run (to load it ahead of a packet).
    pub(crate) fn touch(&self) -> u64 {
        self.run
    }

    /// Where the word [`Self::touch`] reads lies.
    #[cfg(test)]
    pub(crate) fn touched_offset() -> usize {
        core::mem::offset_of!(HistRun, run)
    }
}

/// [`HistRun::quantiles`] over `(slot, count)` in ascending slot order, whose counts add up
/// to `total`. The slot a quantile lands on is one whose count brought the running count to
/// its target, so slots counting nothing may be left out, and the walk ends at the last
/// quantile's slot.
fn read_quantiles<const N: usize>(
    slots: impl Iterator<Item = (usize, u32)>,
    total: u64,
    qs: [f64; N],
) -> Option<[u64; N]> {
    if total == 0 {
        return None;
    }
    let mut out = [0; N];
    let mut slots = slots.filter(|&(_, c)| c > 0);
    let (mut at, mut counted) = (0usize, 0u64);
    for (value, q) in out.iter_mut().zip(qs) {
        let target = ((q.clamp(0.0, 1.0) * total as f64).ceil() as u64).max(1);
        while counted < target {
            let Some((i, c)) = slots.next() else {
                break;
            };
            (at, counted) = (i, counted + u64::from(c));
        }
        let lo = value_at(at);
        *value = if q == 0.0 {
            lo
        } else {
            lo + (1 << bucket_of(lo)) - 1
        };
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use hdrhistogram::Histogram;

    /// The counts and the open run as an hdrhistogram: the reference for the quantiles.
    fn reference(run: &HistRun, store: &HistStore) -> Histogram<u32> {
        let mut h = Histogram::new_with_bounds(1, HIST_MAX, SIGNIFICANT_DIGITS).expect("bounds");
        for (i, &n) in store.dense().iter().enumerate() {
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
        assert_eq!(r.dense(), c.dense());
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

    #[test]
    fn a_few_slots_are_counted_inline_and_more_in_the_array() {
        // Values in 1, 2, ... 12 distinct slots, visited back and forth in runs of uneven
        // length: the counts and quantiles must be hdrhistogram's at every step, whether the
        // store still counts inline or has moved to its array.
        let slots: Vec<u64> = (0..12u64).map(|k| 1 + k * 3).collect();
        for distinct in 1..=slots.len() {
            let mut ours = JitterHistogram::new();
            let mut reference =
                Histogram::<u32>::new_with_bounds(1, HIST_MAX, SIGNIFICANT_DIGITS).expect("bounds");
            for round in 0..3u64 {
                for (k, &v) in slots.iter().take(distinct).enumerate() {
                    for _ in 0..(1 + (k as u64 * 7 + round) % 5) {
                        ours.record(v);
                        reference.record(v).expect("in bounds");
                    }
                }
            }
            assert_eq!(
                ours.store.counts.is_some(),
                distinct > FEW,
                "{distinct} slots"
            );
            let expected = usize::from(distinct > FEW) * core::mem::size_of::<[u32; SLOTS]>();
            assert_eq!(ours.store.heap_bytes(), expected);
            let qs = [0.0, 0.1, 0.3, 0.5, 0.7, 0.9, 0.99, 1.0];
            let read = ours.run.quantiles(&ours.store, qs).expect("counted");
            for (q, value) in qs.into_iter().zip(read) {
                assert_eq!(
                    value,
                    reference.value_at_quantile(q),
                    "{distinct} slots, q {q}"
                );
            }
            assert_eq!(ours.histogram(), reference, "{distinct} slots");
        }
        // Two slots, alternating: inline up to `INLINE_RUNS` runs, then in the array.
        let mut ours = JitterHistogram::new();
        let mut reference =
            Histogram::<u32>::new_with_bounds(1, HIST_MAX, SIGNIFICANT_DIGITS).expect("bounds");
        for i in 0..200u64 {
            let v = 10 + 5 * (i % 2);
            ours.record(v);
            reference.record(v).expect("in bounds");
            // The run in progress is not added yet: `i` runs were.
            assert_eq!(
                ours.store.counts.is_some(),
                i > u64::from(INLINE_RUNS),
                "{i}"
            );
            assert_eq!(ours.histogram(), reference, "run {i}");
        }
    }
}
