//! Which worker owns a flow.
//!
//! The key is the *unordered* pair of endpoints, with the lowest port bit cleared: both
//! directions of a call, and RTCP on the conventional odd port next to its RTP (RFC 3550
//! §11), land on the same shard. So SR and RR of one session meet (round trips need both), a
//! BYE usually reaches the shard that owns its streams, and every stream has one owner.
//! Hashing is a fixed multiply-xorshift mix: cheap, and stable across runs and machines.

use rtpscope_wire::Flow;

/// The shard of `flow` among `shards` (0 when there is one).
#[inline]
pub(crate) fn shard_of(flow: &Flow, shards: usize) -> usize {
    if shards <= 1 {
        return 0;
    }
    // Addition is commutative: the two directions of a flow hash alike.
    let src = endpoint_key(flow.src_words(), flow.src_port());
    let dst = endpoint_key(flow.dst_words(), flow.dst_port());
    let h = mix(src.wrapping_add(dst));
    // Multiply-shift maps the hash onto 0..shards without a division.
    ((u128::from(h) * shards as u128) >> 64) as usize
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
