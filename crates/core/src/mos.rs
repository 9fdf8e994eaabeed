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
//! Codec values (Ie, Bpl): G.711 with PLC (0, 25.1) and without (0, 4.3) and G.729A
//! (11, 19) are G.113 Appendix I's. G.722 and Opus are wideband codecs that the narrowband
//! E-model cannot rate on its scale; we map them to (0, 25.1) and (0, 30) — "at least as good
//! as G.711 with PLC", Opus's loss concealment being stronger — and say so in the report.
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
    /// G.722 (mapped, see module docs).
    G722,
    /// Opus (mapped, see module docs).
    Opus,
}

impl Codec {
    /// (Ie, Bpl).
    pub const fn parameters(self) -> (f64, f64) {
        match self {
            Codec::G711Plc => (0.0, 25.1),
            Codec::G711NoPlc => (0.0, 4.3),
            Codec::G729 => (11.0, 19.0),
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
}
