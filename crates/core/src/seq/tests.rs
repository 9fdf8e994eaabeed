use super::*;
use proptest::prelude::*;

#[test]
fn wrap_counts_a_cycle() {
    let mut t = SeqTracker::new(65530);
    for s in 65531..=65535u16 {
        t.update(s);
    }
    for s in 0..10u16 {
        assert_eq!(t.update(s), SeqOutcome::InOrder { lost_before: 0 });
    }
    assert_eq!(t.extended_max(), 65536 + 9);
    assert_eq!((t.expected(), t.received(), t.lost()), (16, 16, 0));
}

#[test]
fn reordered_around_the_wrap_is_not_a_cycle_of_loss() {
    // tshark adds 65536 to the loss here; A.1 does not.
    let mut t = SeqTracker::new(65533);
    for s in [65534u16, 0, 65535, 1, 2] {
        t.update(s);
    }
    assert_eq!(
        (t.expected(), t.received(), t.lost(), t.late()),
        (6, 6, 0, 1)
    );
}

#[test]
fn restart_after_large_jump_in_sequence() {
    let mut t = SeqTracker::new(100);
    t.update(101);
    assert_eq!(t.update(20_000), SeqOutcome::Jump);
    assert_eq!(t.update(20_001), SeqOutcome::Restart);
    t.update(20_002);
    assert_eq!((t.restarts(), t.jumps()), (1, 0));
    assert_eq!((t.expected(), t.received(), t.lost()), (5, 5, 0));
}

#[test]
fn a_stray_jump_is_not_a_restart() {
    let mut t = SeqTracker::new(100);
    t.update(101);
    assert_eq!(t.update(40_000), SeqOutcome::Jump);
    assert_eq!(t.update(102), SeqOutcome::InOrder { lost_before: 0 });
    assert_eq!((t.restarts(), t.jumps()), (0, 1));
    assert_eq!((t.expected(), t.received()), (3, 4));
}

#[test]
fn probation_needs_min_sequential() {
    let mut t = SeqTracker::new(10);
    assert!(!t.is_valid());
    t.update(12);
    assert!(!t.is_valid());
    t.update(13);
    assert!(t.is_valid());
}

#[test]
fn interval_fraction_lost() {
    let mut t = SeqTracker::new(0);
    for s in [1u16, 2, 4, 5, 8] {
        t.update(s);
    }
    let i = t.take_interval();
    assert_eq!((i.expected, i.received, i.lost), (9, 6, 3));
    assert_eq!(i.fraction, (3 * 256 / 9) as u8);
    assert_eq!(t.take_interval(), IntervalLoss::default());
}

/// A plain i64 model: the true extended sequence numbers are known, so expected, duplicates
/// and late packets can be counted directly.
fn model(ext: &[i64]) -> (u64, u64, u64, u64) {
    let first = ext[0];
    let mut max = first;
    let mut seen = std::collections::HashSet::new();
    seen.insert(first);
    let (mut dups, mut late) = (0, 0);
    for &e in &ext[1..] {
        if !seen.insert(e) {
            dups += 1;
        } else if e < max {
            late += 1;
        }
        max = max.max(e);
    }
    ((max - first + 1) as u64, ext.len() as u64, dups, late)
}

fn arrivals() -> impl Strategy<Value = Vec<i64>> {
    // Start anywhere (including near the wrap), advance by 1..=5 (loss), and perturb each
    // arrival by a small reorder/duplicate so misordering stays under MAX_MISORDER.
    (
        0i64..65536,
        prop::collection::vec((1i64..=5, 0i64..=20, any::<bool>()), 1..400),
    )
        .prop_map(|(start, steps)| {
            let mut out = vec![start];
            let mut e = start;
            for (step, back, dup) in steps {
                e += step;
                if dup {
                    out.push(*out.last().unwrap());
                }
                let reordered = (e - back).max(start);
                out.push(reordered);
                out.push(e);
            }
            out
        })
}

proptest! {
    #[test]
    fn agrees_with_i64_model(ext in arrivals()) {
        let mut t = SeqTracker::new((ext[0] & 0xffff) as u16);
        for &e in &ext[1..] {
            t.update((e & 0xffff) as u16);
        }
        let (expected, received, dups, late) = model(&ext);
        prop_assert_eq!(t.expected(), expected);
        prop_assert_eq!(t.received(), received);
        prop_assert_eq!(t.duplicates(), dups);
        prop_assert_eq!(t.late(), late);
        prop_assert_eq!(t.extended_max() as i64 - t.base() as i64, ext.iter().max().unwrap() - ext[0]);
    }
}
