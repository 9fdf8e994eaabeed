//! MOS from the ITU-T G.107 E-model, in the reduced form used by VoIP monitors.
//!
//! R = 93.2 − Id − Ie,eff, with every other impairment at its G.107 default:
//! - Id, delay impairment, from the one-way mouth-to-ear delay d (ms), the simplified
//!   G.107 curve of Cole & Rosenbluth (2001): Id = 0.024·d + 0.11·(d − 177.3)·H(d − 177.3).
//! - Ie,eff = Ie + (95 − Ie) · Ppl / (Ppl / BurstR + Bpl) (G.107 §7.4), with Ppl the packet
//!   loss in percent and BurstR the burst ratio (1 for random loss).
//! - MOS = 1 + 0.035R + R(R − 60)(100 − R)·7·10⁻⁶, clamped to 1..4.5 (G.107 Annex B).
//!
//! MOS-LQ leaves delay out (listening quality); MOS-CQ includes it (conversational quality)
//! when a delay figure is known.
//!
//! Codec values (Ie, Bpl), from G.113 Appendix I where it gives them:
//! - G.711 with PLC (0, 25.1) and without (0, 4.3); G.729A (11, 19); G.723.1 at 6.3 kbit/s
//!   (15, 16.1; the static type does not say the rate, and 6.3 kbit/s is the usual one).
//! - GSM full rate (Ie 20), G.726 at 40 / 32 / 24 / 16 kbit/s (2 / 7 / 25 / 50) and G.728
//!   (7): G.113 gives their Ie but no Bpl, so the E-model's default Bpl (G.107: 4.3, a codec
//!   without loss concealment) is used; their scores under loss are the pessimistic ones.
//! - G.722 and Opus are wideband codecs that the narrowband E-model cannot rate on its scale;
//!   we map them to (0, 25.1) and (0, 30) — "at least as good as G.711 with PLC", Opus's loss
//!   concealment being stronger — and say so in the report.
//!
//! Other codecs (iLBC, AMR, GSM-EFR, Speex, video...) get no MOS: we have no published values
//! for them at hand.
//!
//! ```
//! use rtpscope_core::mos::{Codec, EModel};
//! let clean = EModel::new(Codec::G711Plc).mos_lq(0.0, 1.0);
//! assert!((clean - 4.41).abs() < 0.01);
//! let lossy = EModel::new(Codec::G711Plc).mos_lq(5.0, 1.0);
//! assert!((3.8..4.0).contains(&lossy)); // R = 93.2 − 95·5/(5 + 25.1)
//! ```

/// A codec's E-model parameters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Codec {
    /// G.711 (PCMU/PCMA) with packet loss concealment.
    G711Plc,
    /// G.711 without packet loss concealment.
    G711NoPlc,
    /// G.729 / G.729A.
    G729,
    /// G.723.1 (taken at 6.3 kbit/s).
    G723,
    /// GSM 06.10 full rate.
    Gsm,
    /// G.726 ADPCM at this many kbit/s (16, 24, 32 or 40).
    G726 {
        /// Bit rate in kbit/s.
        kbit_s: u8,
    },
    /// G.728 LD-CELP at 16 kbit/s.
    G728,
    /// G.722 (mapped, see module docs).
    G722,
    /// Opus (mapped, see module docs).
    Opus,
}

/// G.107's default packet-loss robustness, for codecs G.113 gives no Bpl for.
const DEFAULT_BPL: f64 = 4.3;

impl Codec {
    /// (Ie, Bpl).
    pub const fn parameters(self) -> (f64, f64) {
        match self {
            Codec::G711Plc => (0.0, 25.1),
            Codec::G711NoPlc => (0.0, 4.3),
            Codec::G729 => (11.0, 19.0),
            Codec::G723 => (15.0, 16.1),
            Codec::Gsm => (20.0, DEFAULT_BPL),
            Codec::G726 { kbit_s } => (
                match kbit_s {
                    40 => 2.0,
                    32 => 7.0,
                    24 => 25.0,
                    _ => 50.0,
                },
                DEFAULT_BPL,
            ),
            Codec::G728 => (7.0, DEFAULT_BPL),
            Codec::G722 => (0.0, 25.1),
            Codec::Opus => (0.0, 30.0),
        }
    }

    /// The codec for an encoding name, if the E-model covers it.
    pub fn from_encoding(encoding: &str) -> Option<Codec> {
        let e = encoding.to_ascii_uppercase();
        Some(match e.as_str() {
            "PCMU" | "PCMA" | "G711" => Codec::G711Plc,
            "G729" | "G729A" => Codec::G729,
            "G723" => Codec::G723,
            "GSM" => Codec::Gsm,
            // RFC 3551's names; "AAL2-" marks the other bit packing, same codec.
            "G726-40" | "AAL2-G726-40" => Codec::G726 { kbit_s: 40 },
            "G726-32" | "AAL2-G726-32" | "G721" => Codec::G726 { kbit_s: 32 },
            "G726-24" | "AAL2-G726-24" => Codec::G726 { kbit_s: 24 },
            "G726-16" | "AAL2-G726-16" => Codec::G726 { kbit_s: 16 },
            "G728" => Codec::G728,
            "G722" => Codec::G722,
            "OPUS" => Codec::Opus,
            _ => return None,
        })
    }
}

/// The E-model for one codec.
#[derive(Debug, Clone, Copy)]
pub struct EModel {
    codec: Codec,
}

impl EModel {
    /// The model for `codec`.
    pub const fn new(codec: Codec) -> Self {
        EModel { codec }
    }

    /// Effective equipment impairment for `loss_pct` percent loss and a burst ratio.
    pub fn ie_eff(&self, loss_pct: f64, burst_ratio: f64) -> f64 {
        let (ie, bpl) = self.codec.parameters();
        let ppl = loss_pct.clamp(0.0, 100.0);
        let burst_r = burst_ratio.max(1.0);
        ie + (95.0 - ie) * ppl / (ppl / burst_r + bpl)
    }

    /// The R factor, with delay when `one_way_delay_ms` is given.
    pub fn r_factor(&self, loss_pct: f64, burst_ratio: f64, one_way_delay_ms: Option<f64>) -> f64 {
        let id = one_way_delay_ms.map_or(0.0, delay_impairment);
        93.2 - id - self.ie_eff(loss_pct, burst_ratio)
    }

    /// Listening-quality MOS (no delay term).
    pub fn mos_lq(&self, loss_pct: f64, burst_ratio: f64) -> f64 {
        r_to_mos(self.r_factor(loss_pct, burst_ratio, None))
    }

    /// Conversational-quality MOS (delay term included).
    pub fn mos_cq(&self, loss_pct: f64, burst_ratio: f64, one_way_delay_ms: f64) -> f64 {
        r_to_mos(self.r_factor(loss_pct, burst_ratio, Some(one_way_delay_ms)))
    }
}

/// Delay impairment Id for a one-way delay in ms.
pub fn delay_impairment(d: f64) -> f64 {
    let d = d.max(0.0);
    0.024 * d + if d > 177.3 { 0.11 * (d - 177.3) } else { 0.0 }
}

/// G.107 Annex B: R to MOS.
pub fn r_to_mos(r: f64) -> f64 {
    if r <= 0.0 {
        1.0
    } else if r >= 100.0 {
        4.5
    } else {
        (1.0 + 0.035 * r + r * (r - 60.0) * (100.0 - r) * 7e-6).clamp(1.0, 4.5)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn g107_reference_points() {
        // R = 93.2 gives MOS 4.41 (G.107 Annex B).
        assert!((r_to_mos(93.2) - 4.409).abs() < 0.001);
        assert!((r_to_mos(50.0) - 2.58).abs() < 0.01);
        assert_eq!(r_to_mos(-3.0), 1.0);
        // Id at 177.3 ms is 0.024 * 177.3; beyond it the slope is 0.134.
        assert!((delay_impairment(177.3) - 4.2552).abs() < 1e-9);
        assert!((delay_impairment(277.3) - (0.024 * 277.3 + 11.0)).abs() < 1e-9);
    }

    #[test]
    fn loss_and_burstiness_lower_the_score() {
        let m = EModel::new(Codec::G711Plc);
        // Ie,eff at 2 % random loss: 95 * 2 / (2 + 25.1).
        assert!((m.ie_eff(2.0, 1.0) - 95.0 * 2.0 / 27.1).abs() < 1e-9);
        assert!(m.mos_lq(2.0, 2.0) < m.mos_lq(2.0, 1.0));
        assert!(m.mos_cq(0.0, 1.0, 400.0) < m.mos_lq(0.0, 1.0));
        assert!(EModel::new(Codec::G711NoPlc).mos_lq(2.0, 1.0) < m.mos_lq(2.0, 1.0));
    }

    #[test]
    fn g113_codecs_by_name_with_their_values() {
        // (name, Ie, Bpl, R at 2 % random loss worked by hand: 93.2 - Ie - (95 - Ie)·2/(2 + Bpl))
        let cases = [
            ("GSM", 20.0, 4.3, 93.2 - 20.0 - 75.0 * 2.0 / 6.3),
            ("G723", 15.0, 16.1, 93.2 - 15.0 - 80.0 * 2.0 / 18.1),
            ("G726-32", 7.0, 4.3, 93.2 - 7.0 - 88.0 * 2.0 / 6.3),
            ("AAL2-G726-24", 25.0, 4.3, 93.2 - 25.0 - 70.0 * 2.0 / 6.3),
            ("G726-40", 2.0, 4.3, 93.2 - 2.0 - 93.0 * 2.0 / 6.3),
            ("G726-16", 50.0, 4.3, 93.2 - 50.0 - 45.0 * 2.0 / 6.3),
            ("G728", 7.0, 4.3, 93.2 - 7.0 - 88.0 * 2.0 / 6.3),
        ];
        for (name, ie, bpl, r) in cases {
            let codec = Codec::from_encoding(name).unwrap_or_else(|| panic!("{name}"));
            assert_eq!(codec.parameters(), (ie, bpl), "{name}");
            let got = EModel::new(codec).r_factor(2.0, 1.0, None);
            assert!((got - r).abs() < 1e-9, "{name}: R {got} vs {r}");
        }
        // Without loss, R is 93.2 − Ie: GSM full rate scores below G.711, above G.726 at 16.
        let clean = |c| EModel::new(c).mos_lq(0.0, 1.0);
        assert!((clean(Codec::Gsm) - r_to_mos(73.2)).abs() < 1e-12);
        assert!(clean(Codec::G726 { kbit_s: 16 }) < clean(Codec::Gsm));
        assert!(clean(Codec::Gsm) < clean(Codec::G711Plc));
        for unrated in ["iLBC", "AMR", "GSM-EFR", "speex", "H264"] {
            assert_eq!(Codec::from_encoding(unrated), None, "{unrated}");
        }
    }
}
