//! Colours for new codes: a proposal that is far from every colour the codebook uses, and
//! readable on dark and on light terminals alike.
//!
//! The candidates are saturated hues of middle luminance (too dark vanishes on a black
//! terminal, too pale on a white one); the proposal is the candidate whose nearest existing
//! colour is farthest away in CIELAB (distance as the eye sees it, not as RGB numbers differ).

use super::codebook::Rgb;

/// The candidate colours, in a fixed order (so a proposal is deterministic).
pub fn candidates() -> Vec<Rgb> {
    let mut out = Vec::new();
    for lightness in [0.50, 0.40, 0.60] {
        for step in 0..24 {
            let hue = f64::from(step) * 15.0;
            let c = hsl(hue, 0.80, lightness);
            let l = c.luminance();
            // Contrast of at least 3:1 against black and 1.6:1 against white.
            if (l + 0.05) / 0.05 >= 3.0 && 1.05 / (l + 0.05) >= 1.6 {
                out.push(c);
            }
        }
    }
    out
}

/// The colour to propose for a new code, given those in use.
pub fn propose(existing: &[Rgb]) -> Rgb {
    let taken: Vec<[f64; 3]> = existing.iter().map(|&c| lab(c)).collect();
    let mut best: Option<(f64, Rgb)> = None;
    for c in candidates() {
        let here = lab(c);
        let nearest = taken
            .iter()
            .map(|t| distance(&here, t))
            .fold(f64::INFINITY, f64::min);
        if best.is_none_or(|(d, _)| nearest > d) {
            best = Some((nearest, c));
        }
    }
    best.map_or(Rgb(0x33, 0x99, 0xFF), |(_, c)| c)
}

/// The CIELAB distance of two colours (about 2.3 is just noticeable).
pub fn difference(a: Rgb, b: Rgb) -> f64 {
    distance(&lab(a), &lab(b))
}

fn distance(a: &[f64; 3], b: &[f64; 3]) -> f64 {
    ((a[0] - b[0]).powi(2) + (a[1] - b[1]).powi(2) + (a[2] - b[2]).powi(2)).sqrt()
}

fn hsl(h: f64, s: f64, l: f64) -> Rgb {
    let c = (1.0 - (2.0 * l - 1.0).abs()) * s;
    let x = c * (1.0 - ((h / 60.0) % 2.0 - 1.0).abs());
    let m = l - c / 2.0;
    let (r, g, b) = match (h / 60.0) as u32 {
        0 => (c, x, 0.0),
        1 => (x, c, 0.0),
        2 => (0.0, c, x),
        3 => (0.0, x, c),
        4 => (x, 0.0, c),
        _ => (c, 0.0, x),
    };
    let byte = |v: f64| ((v + m) * 255.0).round().clamp(0.0, 255.0) as u8;
    Rgb(byte(r), byte(g), byte(b))
}

fn lab(c: Rgb) -> [f64; 3] {
    fn lin(v: u8) -> f64 {
        let v = f64::from(v) / 255.0;
        if v <= 0.04045 {
            v / 12.92
        } else {
            ((v + 0.055) / 1.055).powf(2.4)
        }
    }
    let (r, g, b) = (lin(c.0), lin(c.1), lin(c.2));
    let x = (0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047;
    let y = 0.2126 * r + 0.7152 * g + 0.0722 * b;
    let z = (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883;
    let f = |t: f64| {
        if t > 0.008856 {
            t.cbrt()
        } else {
            7.787 * t + 16.0 / 116.0
        }
    };
    let (fx, fy, fz) = (f(x), f(y), f(z));
    [116.0 * fy - 16.0, 500.0 * (fx - fy), 200.0 * (fy - fz)]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn candidates_read_on_dark_and_light() {
        let cs = candidates();
        assert!(cs.len() >= 24, "{}", cs.len());
        for c in cs {
            let l = c.luminance();
            assert!((l + 0.05) / 0.05 >= 3.0 && 1.05 / (l + 0.05) >= 1.6, "{c}");
        }
    }

    #[test]
    fn proposal_is_far_from_every_colour_in_use() {
        let mut used = vec![
            Rgb(0xFF, 0xE1, 0x35),
            Rgb(0xD9, 0xA4, 0),
            Rgb(0x7C, 0xFC, 0),
        ];
        for _ in 0..12 {
            let p = propose(&used);
            let nearest = used
                .iter()
                .map(|&u| difference(p, u))
                .fold(f64::INFINITY, f64::min);
            // Far from all, and no candidate is farther from the nearest one.
            for c in candidates() {
                let n = used
                    .iter()
                    .map(|&u| difference(c, u))
                    .fold(f64::INFINITY, f64::min);
                assert!(n <= nearest + 1e-9, "{c} would be better than {p}");
            }
            assert!(nearest > 10.0, "{p} is {nearest} from a used colour");
            used.push(p);
        }
    }

    #[test]
    fn proposal_is_deterministic() {
        assert_eq!(propose(&[]), propose(&[]));
        assert_eq!(propose(&[Rgb(1, 2, 3)]), propose(&[Rgb(1, 2, 3)]));
    }
}
