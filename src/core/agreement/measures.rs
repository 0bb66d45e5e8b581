//! Agreement coefficients computed from counts, independent of where the counts come from.
//!
//! Every coefficient returns `None` where it is undefined (no coded units at all, no variation,
//! too few categories) rather than NaN or a made-up 1. Formulas and references: README.md, "Second-round coding and inter-coder agreement".

use serde::Serialize;

/// Two coders' yes/no decisions on a set of units (characters), cross-tabulated.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Table2 {
    /// Units both coders coded.
    pub both: u64,
    /// Units only coder A coded.
    pub a_only: u64,
    /// Units only coder B coded.
    pub b_only: u64,
    /// Units neither coded.
    pub neither: u64,
}

impl Table2 {
    pub fn total(&self) -> u64 {
        self.both + self.a_only + self.b_only + self.neither
    }

    /// Units coded by at least one of the two.
    pub fn coded(&self) -> u64 {
        self.both + self.a_only + self.b_only
    }

    pub fn add(&mut self, o: &Table2) {
        self.both += o.both;
        self.a_only += o.a_only;
        self.b_only += o.b_only;
        self.neither += o.neither;
    }

    /// Percent agreement, 0..=100: units on which the coders agree (both or neither).
    /// Undefined when neither coder coded any unit: agreeing on nothing is not agreement.
    pub fn percent(&self) -> Option<f64> {
        if self.coded() == 0 {
            return None;
        }
        Some(100.0 * (self.both + self.neither) as f64 / self.total() as f64)
    }

    /// Cohen's kappa, (p_o - p_e) / (1 - p_e) with p_e from each coder's own marginals.
    /// Computed in exact integer arithmetic (scaled by N²) so that perfect agreement is exactly 1.
    /// Undefined when nothing is coded or p_e = 1 (both coders gave one and the same value to
    /// every unit).
    pub fn kappa(&self) -> Option<f64> {
        if self.coded() == 0 {
            return None;
        }
        let n = i128::from(self.total());
        let a1 = i128::from(self.both + self.a_only);
        let b1 = i128::from(self.both + self.b_only);
        let expected = a1 * b1 + (n - a1) * (n - b1); // N² p_e
        let den = n * n - expected;
        if den == 0 {
            return None;
        }
        let num = n * i128::from(self.both + self.neither) - expected;
        Some(num as f64 / den as f64)
    }
}

/// Krippendorff's coincidence matrix for nominal data, kept as the only sums alpha needs:
/// n (pairable values), the diagonal Σ o_cc and the value totals n_c.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Coincidence {
    n: f64,
    diag: f64,
    /// n_c, indexed by value.
    per_value: Vec<f64>,
}

impl Coincidence {
    pub fn new() -> Self {
        Self::default()
    }

    /// Add one unit given the values its coders assigned (missing values left out). A unit
    /// with fewer than two values is not pairable and adds nothing.
    pub fn add_unit(&mut self, values: &[u32]) {
        let mut counts: Vec<(u32, u64)> = Vec::new();
        for &v in values {
            match counts.iter_mut().find(|(x, _)| *x == v) {
                Some((_, c)) => *c += 1,
                None => counts.push((v, 1)),
            }
        }
        self.add_counts(&counts, 1);
    }

    /// Add `weight` identical units, each described by (value, how many coders gave it).
    pub fn add_counts(&mut self, counts: &[(u32, u64)], weight: u64) {
        let m: u64 = counts.iter().map(|&(_, c)| c).sum();
        if m < 2 || weight == 0 {
            return;
        }
        let w = weight as f64;
        let pairs = (m - 1) as f64;
        for &(v, c) in counts {
            if c == 0 {
                continue;
            }
            let v = v as usize;
            if self.per_value.len() <= v {
                self.per_value.resize(v + 1, 0.0);
            }
            self.per_value[v] += w * c as f64;
            self.diag += w * (c * (c - 1)) as f64 / pairs;
        }
        self.n += w * m as f64;
    }

    pub fn merge(&mut self, o: &Coincidence) {
        self.n += o.n;
        self.diag += o.diag;
        if self.per_value.len() < o.per_value.len() {
            self.per_value.resize(o.per_value.len(), 0.0);
        }
        for (i, v) in o.per_value.iter().enumerate() {
            self.per_value[i] += v;
        }
    }

    /// Number of pairable values n.
    pub fn pairable(&self) -> f64 {
        self.n
    }

    /// Krippendorff's alpha for nominal data:
    /// α = 1 − (n − 1) · (n − Σ_c o_cc) / (n² − Σ_c n_c²).
    /// Undefined without pairable values or when all values are the same (no variation).
    pub fn alpha(&self) -> Option<f64> {
        let n = self.n;
        let sum_sq: f64 = self.per_value.iter().map(|x| x * x).sum();
        let expected = n * n - sum_sq;
        if n < 2.0 || expected <= 0.0 {
            return None;
        }
        let observed = (n - 1.0) * (n - self.diag);
        Some(1.0 - observed / expected)
    }
}

/// Brennan & Prediger's kappa: (p_o − 1/k) / (1 − 1/k), chance agreement 1/k for k categories.
/// Undefined for k < 2.
pub fn brennan_prediger(p_o: f64, k: usize) -> Option<f64> {
    if k < 2 {
        return None;
    }
    let chance = 1.0 / k as f64;
    Some((p_o - chance) / (1.0 - chance))
}

/// Segment-level agreement counts: how many of each coder's passages found a match in the
/// other's (same code, overlapping by at least the threshold).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct SegmentCounts {
    pub a_matched: u64,
    pub a_total: u64,
    pub b_matched: u64,
    pub b_total: u64,
}

impl SegmentCounts {
    pub fn add(&mut self, o: &SegmentCounts) {
        self.a_matched += o.a_matched;
        self.a_total += o.a_total;
        self.b_matched += o.b_matched;
        self.b_total += o.b_total;
    }

    pub fn matched(&self) -> u64 {
        self.a_matched + self.b_matched
    }

    pub fn unmatched(&self) -> u64 {
        self.a_total + self.b_total - self.matched()
    }

    /// Share of all passages (of both coders) that were matched, 0..=100. Undefined without
    /// passages.
    pub fn percent(&self) -> Option<f64> {
        let total = self.a_total + self.b_total;
        (total > 0).then(|| 100.0 * self.matched() as f64 / total as f64)
    }

    /// Brennan & Prediger's kappa on the passages, with k = the number of codes compared (as
    /// MAXQDA does). Undefined without passages or with fewer than two codes.
    pub fn kappa_bp(&self, codes: usize) -> Option<f64> {
        brennan_prediger(self.percent()? / 100.0, codes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: Option<f64>, b: f64) -> bool {
        a.is_some_and(|a| (a - b).abs() < 1e-9)
    }

    #[test]
    fn textbook_kappa_and_percent() {
        // 100 units: both 20, A only 5, B only 10, neither 65.
        // p_o = 0.85; p_A1 = .25, p_B1 = .30; p_e = .25*.30 + .75*.70 = .60;
        // kappa = (.85 - .60) / (1 - .60) = .625.
        let t = Table2 {
            both: 20,
            a_only: 5,
            b_only: 10,
            neither: 65,
        };
        assert!(close(t.percent(), 85.0));
        assert!(close(t.kappa(), 0.625));
        // Cohen (1960)-style symmetric case: 50 units, 2x2 = [[20, 5], [10, 15]].
        // p_o = 35/50 = .7; p_e = (25*30 + 25*20)/2500 = .5; kappa = .4.
        let t = Table2 {
            both: 20,
            a_only: 5,
            b_only: 10,
            neither: 15,
        };
        assert!(close(t.kappa(), 0.4));
        assert!(close(t.percent(), 70.0));
    }

    #[test]
    fn kappa_extremes() {
        let perfect = Table2 {
            both: 7,
            a_only: 0,
            b_only: 0,
            neither: 93,
        };
        assert_eq!(perfect.kappa(), Some(1.0));
        // Complete disagreement with balanced marginals: kappa = -1.
        let opposite = Table2 {
            both: 0,
            a_only: 50,
            b_only: 50,
            neither: 0,
        };
        assert!(close(opposite.kappa(), -1.0));
        // Nothing coded: undefined, not 1 and not NaN.
        let none = Table2 {
            both: 0,
            a_only: 0,
            b_only: 0,
            neither: 100,
        };
        assert_eq!(none.kappa(), None);
        assert_eq!(none.percent(), None);
        // Both coded every unit: p_e = 1, undefined; percent agreement is 100.
        let all = Table2 {
            both: 10,
            ..Default::default()
        };
        assert_eq!(all.kappa(), None);
        assert_eq!(all.percent(), Some(100.0));
        assert_eq!(Table2::default().kappa(), None);
    }

    #[test]
    fn krippendorff_2011_nominal_example() {
        // Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability", section C:
        // 4 observers, 12 units, missing values; nominal alpha = 0.743.
        const M: u32 = 0; // missing
        let data: [[u32; 12]; 4] = [
            [1, 2, 3, 3, 2, 1, 4, 1, 2, M, M, M],
            [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, M, 3],
            [M, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, M],
            [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, M],
        ];
        let mut c = Coincidence::new();
        for u in 0..12 {
            let values: Vec<u32> = data.iter().map(|row| row[u]).filter(|&v| v != M).collect();
            c.add_unit(&values);
        }
        // Unit 12 has a single value and is not pairable: n = 40.
        assert_eq!(c.pairable(), 40.0);
        let alpha = c.alpha().unwrap();
        assert!((alpha - 0.743).abs() < 0.0005, "{alpha}");
        // By hand: Σ o_cc = 32; n_c = 9, 13, 10, 5, 3 so Σ n_c² = 384;
        // alpha = 1 - 39 * (40 - 32) / (1600 - 384) = 0.74342...
        assert!(
            (alpha - (1.0 - 39.0 * 8.0 / 1216.0)).abs() < 1e-12,
            "{alpha}"
        );
    }

    #[test]
    fn binary_alpha_by_hand() {
        // Two coders, 10 units: (1,1) x3, (0,0) x5, (1,0) x1, (0,1) x1.
        // o_11 = 6, o_00 = 10, o_01 = o_10 = 2; n_1 = 8, n_0 = 12, n = 20.
        // alpha = 1 - 19 * 4 / (400 - 64 - 144) = 1 - 76/192 = 0.604166...
        let mut c = Coincidence::new();
        c.add_counts(&[(1, 2)], 3);
        c.add_counts(&[(0, 2)], 5);
        c.add_counts(&[(0, 1), (1, 1)], 2);
        assert!(close(c.alpha(), 1.0 - 76.0 / 192.0));
        // Same via add_unit.
        let mut d = Coincidence::new();
        for v in [
            [1, 1],
            [1, 1],
            [1, 1],
            [0, 0],
            [0, 0],
            [0, 0],
            [0, 0],
            [0, 0],
            [1, 0],
            [0, 1],
        ] {
            d.add_unit(&v);
        }
        assert!(close(d.alpha(), c.alpha().unwrap()));
        // Merging is adding the units of both: the same as adding them all to one matrix.
        let mut merged = Coincidence::new();
        merged.merge(&c);
        merged.merge(&d);
        let mut twice = Coincidence::new();
        twice.add_counts(&[(1, 2)], 6);
        twice.add_counts(&[(0, 2)], 10);
        twice.add_counts(&[(0, 1), (1, 1)], 4);
        assert_eq!(merged, twice);
    }

    #[test]
    fn alpha_undefined_without_variation() {
        let mut c = Coincidence::new();
        c.add_counts(&[(0, 2)], 1000);
        assert_eq!(c.alpha(), None);
        assert_eq!(Coincidence::new().alpha(), None);
        let mut single = Coincidence::new();
        single.add_unit(&[1]);
        assert_eq!(single.alpha(), None);
    }

    #[test]
    fn brennan_prediger_by_hand() {
        // p_o = .8 with 4 codes: (.8 - .25) / .75 = .7333...
        assert!(close(brennan_prediger(0.8, 4), 0.55 / 0.75));
        assert_eq!(brennan_prediger(0.8, 1), None);
        let s = SegmentCounts {
            a_matched: 8,
            a_total: 10,
            b_matched: 8,
            b_total: 10,
        };
        assert_eq!((s.matched(), s.unmatched()), (16, 4));
        assert!(close(s.percent(), 80.0));
        assert!(close(s.kappa_bp(2), 0.6));
        assert_eq!(SegmentCounts::default().percent(), None);
        assert_eq!(SegmentCounts::default().kappa_bp(5), None);
    }
}
