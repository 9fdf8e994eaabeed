//! Which worker owns a flow.
//!
//! The key is the *unordered* pair of endpoints, with the lowest port bit cleared: both
//! directions of a call, and RTCP on the conventional odd port next to its RTP (RFC 3550
//! §11), land on the same shard. So SR and RR of one session meet (round trips need both), a
//! BYE usually reaches the shard that owns its streams, and every stream has one owner.
//! Hashing is a fixed multiply-xorshift mix: cheap, and stable across runs and machines.

use rtpscope_wire::Flow;

/// Which of `shards` workers owns each flow.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct ShardMap {
    shards: usize,
    /// Hashes below this go to worker 0, the rest are spread over the others; 0: every
    /// worker takes an even share.
    first_below: u64,
}

impl ShardMap {
    /// Flows spread evenly over `shards` workers.
    pub(crate) fn even(shards: usize) -> Self {
        ShardMap {
            shards: shards.max(1),
            first_below: 0,
        }
    }

    /// Worker 0 takes about `share` (0 to 1) of the flows, the others the rest evenly: for a
    /// worker 0 that shares a thread with the reading. Even when `share` is 0 or there is
    /// one worker.
    pub(crate) fn first_takes(shards: usize, share: f64) -> Self {
        let share = usable_share(share);
        if shards <= 1 || share == 0.0 {
            return Self::even(shards);
        }
        ShardMap {
            shards,
            // At least 1, so the uneven rule applies (a share of 0 was handled above).
            first_below: ((share * u64::MAX as f64) as u64).max(1),
        }
    }

    /// The shard of `flow`.
    #[inline]
    pub(crate) fn of(&self, flow: &Flow) -> usize {
        if self.shards <= 1 {
            return 0;
        }
        let h = key_hash(flow);
        // Multiply-shift maps a hash onto 0..n without a division.
        let spread = |h: u64, n: usize| ((u128::from(h) * n as u128) >> 64) as usize;
        if self.first_below == 0 {
            spread(h, self.shards)
        } else if h < self.first_below {
            0
        } else {
            // Other bits of the hash than those that decided against worker 0.
            1 + spread(h.rotate_left(32), self.shards - 1)
        }
    }
}

/// A reader's share as used: within 0 to 1, and 0 for NaN and the infinities.
pub(crate) fn usable_share(share: f64) -> f64 {
    if share.is_finite() {
        share.clamp(0.0, 1.0)
    } else {
        0.0
    }
}

/// The shard of `flow` among `shards` (0 when there is one), evenly.
#[inline]
pub(crate) fn shard_of(flow: &Flow, shards: usize) -> usize {
    ShardMap::even(shards).of(flow)
}

/// The hash of the flow's unordered endpoint pair, RTP and RTCP ports alike.
#[inline]
fn key_hash(flow: &Flow) -> u64 {
    // Addition is commutative: the two directions of a flow hash alike.
    let src = endpoint_key(flow.src_words(), flow.src_port());
    let dst = endpoint_key(flow.dst_words(), flow.dst_port());
    mix(src.wrapping_add(dst))
}

/// One end as a word spread by one multiplication (odd constant: no two ends collide before
/// the sum); the final `mix` of the sum does the avalanche. The address's two words are
/// folded without a branch on the family: an IPv4 address has a zero upper word.
#[inline]
fn endpoint_key(words: [u64; 2], port: u16) -> u64 {
    let ip = words[1] ^ words[0].rotate_left(29);
    (ip << 16 | u64::from(port >> 1)).wrapping_mul(0x9e37_79b9_7f4a_7c15)
}

#[inline]
pub(crate) fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn flow(a: &str, b: &str) -> Flow {
        Flow::new(a.parse().unwrap(), b.parse().unwrap())
    }

    #[test]
    fn both_directions_and_rtcp_share_a_shard() {
        for n in 2..9 {
            for i in 0..200u16 {
                let rtp = flow(
                    &format!("10.0.{}.1:{}", i % 250, 10_000 + 2 * i),
                    &format!("10.9.0.2:{}", 30_000 + 2 * i),
                );
                let rtcp = flow(
                    &format!("10.0.{}.1:{}", i % 250, 10_001 + 2 * i),
                    &format!("10.9.0.2:{}", 30_001 + 2 * i),
                );
                let s = shard_of(&rtp, n);
                assert!(s < n);
                assert_eq!(s, shard_of(&rtp.reversed(), n));
                assert_eq!(s, shard_of(&rtcp, n));
                assert_eq!(s, shard_of(&rtcp.reversed(), n));
            }
        }
    }

    #[test]
    fn worker_zero_takes_its_share_and_the_others_the_rest() {
        for (shards, share) in [(2, 0.06), (3, 0.1), (4, 0.5)] {
            let map = ShardMap::first_takes(shards, share);
            let mut counts = vec![0usize; shards];
            for i in 0..20_000u32 {
                let f = flow(
                    &format!(
                        "10.{}.{}.1:{}",
                        i >> 8 & 255,
                        i & 255,
                        10_000 + 2 * (i % 3000)
                    ),
                    "192.0.2.9:40000",
                );
                let s = map.of(&f);
                // Both directions and RTCP alike, as for an even map.
                assert_eq!(s, map.of(&f.reversed()));
                counts[s] += 1;
            }
            let first = counts[0] as f64 / 20_000.0;
            assert!((first - share).abs() < 0.02, "{shards} shards: {counts:?}");
            let rest = (20_000 - counts[0]) / (shards - 1);
            assert!(
                counts[1..].iter().all(|&c| c.abs_diff(rest) < rest / 10),
                "{counts:?}"
            );
        }
        // No share: the even map.
        assert_eq!(ShardMap::first_takes(3, 0.0), ShardMap::even(3));
        assert_eq!(ShardMap::first_takes(1, 0.3), ShardMap::even(1));
    }

    #[test]
    fn spreads_calls_between_two_hosts() {
        // A mirror port between two SBCs: one address pair, calls told apart by port only.
        let mut counts = [0usize; 4];
        for i in 0..4000u16 {
            counts[shard_of(
                &flow(&format!("192.0.2.1:{}", 10_000 + 2 * i), "192.0.2.2:40000"),
                4,
            )] += 1;
        }
        assert!(counts.iter().all(|&c| c > 800), "{counts:?}");
    }
}
