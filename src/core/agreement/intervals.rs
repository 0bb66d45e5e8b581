//! Interval arithmetic on character ranges: every measure is computed by sweeping over sorted
//! range boundaries, never by materialising one flag per character.

/// A character range, start inclusive, end exclusive.
pub type Span = (usize, usize);

/// Sort, drop empty ranges and join overlapping or touching ones.
pub fn merge(mut spans: Vec<Span>) -> Vec<Span> {
    spans.retain(|&(s, e)| s < e);
    spans.sort_unstable();
    let mut out: Vec<Span> = Vec::with_capacity(spans.len());
    for (s, e) in spans {
        match out.last_mut() {
            Some(last) if s <= last.1 => last.1 = last.1.max(e),
            _ => out.push((s, e)),
        }
    }
    out
}

/// Merge ranges that share at least one character (not ranges that merely touch): one coder's
/// overlapping passages of a code become one segment.
pub fn merge_overlapping(mut spans: Vec<Span>) -> Vec<Span> {
    spans.retain(|&(s, e)| s < e);
    spans.sort_unstable();
    let mut out: Vec<Span> = Vec::with_capacity(spans.len());
    for (s, e) in spans {
        match out.last_mut() {
            Some(last) if s < last.1 => last.1 = last.1.max(e),
            _ => out.push((s, e)),
        }
    }
    out
}

/// Total length of merged ranges.
pub fn total_len(merged: &[Span]) -> u64 {
    merged.iter().map(|&(s, e)| (e - s) as u64).sum()
}

/// Length of the intersection of two merged range lists.
pub fn intersection_len(a: &[Span], b: &[Span]) -> u64 {
    let (mut i, mut j, mut total) = (0, 0, 0u64);
    while i < a.len() && j < b.len() {
        let s = a[i].0.max(b[j].0);
        let e = a[i].1.min(b[j].1);
        if s < e {
            total += (e - s) as u64;
        }
        if a[i].1 < b[j].1 {
            i += 1;
        } else {
            j += 1;
        }
    }
    total
}

/// The parts of merged `a` not covered by merged `b`.
pub fn difference(a: &[Span], b: &[Span]) -> Vec<Span> {
    let mut out = Vec::new();
    let mut j = 0;
    for &(s, e) in a {
        let mut cur = s;
        while j < b.len() && b[j].1 <= cur {
            j += 1;
        }
        let mut k = j;
        while cur < e && k < b.len() && b[k].0 < e {
            if b[k].0 > cur {
                out.push((cur, b[k].0));
            }
            cur = cur.max(b[k].1);
            k += 1;
        }
        if cur < e {
            out.push((cur, e));
        }
    }
    out
}

/// For range lists (each merged) of m coders over a text of `len` characters: `hist[k]` is the
/// number of characters covered by exactly k of the lists, k = 0..=m.
pub fn coverage_histogram(lists: &[&[Span]], len: usize) -> Vec<u64> {
    let mut hist = vec![0u64; lists.len() + 1];
    let mut events: Vec<(usize, i32)> = Vec::new();
    for list in lists {
        for &(s, e) in list.iter() {
            let (s, e) = (s.min(len), e.min(len));
            if s < e {
                events.push((s, 1));
                events.push((e, -1));
            }
        }
    }
    events.sort_unstable();
    let (mut prev, mut depth) = (0usize, 0i32);
    for (pos, delta) in events {
        hist[depth as usize] += (pos - prev) as u64;
        prev = pos;
        depth += delta;
    }
    hist[0] += (len - prev) as u64;
    hist
}

/// Overlap of two ranges as a share of the extent they cover together (intersection over
/// union), 0..=1. Zero when they do not overlap.
pub fn overlap_ratio(a: Span, b: Span) -> f64 {
    let inter = a.1.min(b.1).saturating_sub(a.0.max(b.0));
    if inter == 0 {
        return 0.0;
    }
    let union = a.1.max(b.1) - a.0.min(b.0);
    inter as f64 / union as f64
}

/// How many passages of `a` have a passage in `b` overlapping by at least `threshold` percent
/// (intersection over union), and how many of `b` have one in `a`.
pub fn match_passages(a: &[Span], b: &[Span], threshold: f64) -> (u64, u64) {
    let mut a_sorted = a.to_vec();
    let mut b_sorted = b.to_vec();
    a_sorted.sort_unstable();
    b_sorted.sort_unstable();
    let count = |xs: &[Span], ys: &[Span]| {
        xs.iter()
            .filter(|&&x| {
                // Candidates start before x ends; nested ranges mean we cannot stop earlier.
                let upto = ys.partition_point(|y| y.0 < x.1);
                ys[..upto].iter().any(|&y| meets(x, y, threshold))
            })
            .count() as u64
    };
    (count(&a_sorted, &b_sorted), count(&b_sorted, &a_sorted))
}

fn meets(x: Span, y: Span, threshold: f64) -> bool {
    let inter = x.1.min(y.1).saturating_sub(x.0.max(y.0));
    if inter == 0 {
        return false;
    }
    let union = x.1.max(y.1) - x.0.min(y.0);
    // inter / union >= threshold / 100, without dividing.
    inter as f64 * 100.0 >= threshold * union as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merge_joins_overlapping_and_touching() {
        assert_eq!(
            merge(vec![(5, 8), (0, 3), (3, 4), (7, 10), (12, 12)]),
            vec![(0, 4), (5, 10)]
        );
        assert_eq!(merge(vec![]), vec![]);
    }

    #[test]
    fn intersection_and_difference() {
        let a = [(0, 10), (20, 30)];
        let b = [(5, 25), (28, 40)];
        assert_eq!(intersection_len(&a, &b), 5 + 5 + 2);
        assert_eq!(difference(&a, &b), vec![(0, 5), (25, 28)]);
        assert_eq!(difference(&b, &a), vec![(10, 20), (30, 40)]);
        assert_eq!(difference(&a, &[]), a.to_vec());
        assert_eq!(difference(&a, &[(0, 100)]), vec![]);
    }

    #[test]
    fn histogram_counts_every_character_once() {
        let a = [(0, 10)];
        let b = [(5, 15)];
        let c = [(8, 9)];
        let h = coverage_histogram(&[&a, &b, &c], 20);
        // 0..5: 1, 5..8: 2, 8..9: 3, 9..10: 2, 10..15: 1, 15..20: 0.
        assert_eq!(h, vec![5, 10, 4, 1]);
        assert_eq!(h.iter().sum::<u64>(), 20);
        // Ranges past the end are clamped.
        assert_eq!(coverage_histogram(&[&[(18, 30)]], 20), vec![18, 2]);
    }

    #[test]
    fn passages_match_by_intersection_over_union() {
        // 9 of 10 shared: 90% exactly matches at 90, not at 91.
        assert_eq!(match_passages(&[(0, 10)], &[(0, 9)], 90.0), (1, 1));
        assert_eq!(match_passages(&[(0, 10)], &[(0, 9)], 91.0), (0, 0));
        assert!((overlap_ratio((0, 10), (5, 15)) - 5.0 / 15.0).abs() < 1e-12);
        // A long passage matched by one of two; the other B passage is unmatched.
        assert_eq!(
            match_passages(&[(0, 100)], &[(0, 95), (40, 50)], 90.0),
            (1, 1)
        );
        // A nested earlier range must still be found.
        assert_eq!(
            match_passages(&[(50, 60)], &[(0, 1000), (50, 60)], 90.0),
            (1, 1)
        );
        assert_eq!(match_passages(&[], &[(1, 2)], 90.0), (0, 0));
    }
}
