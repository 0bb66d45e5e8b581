//! Anchoring codings to text. A coding stores its offsets, its quoted text and the version of
//! the transcript it was made on (whose text `versions` keeps). When the transcript has been
//! edited since, the coding is carried to the new text the way an editor carries marks: through
//! a diff from that version to the current text. Where the diff cannot carry it with certainty
//! (its text or its surroundings changed, or the text around it repeats), it is looked for by its
//! text and the text around it, and placed only when exactly one place fits. Otherwise it is
//! flagged for review (`Anchor::Ambiguous`, `Anchor::Orphaned`): never placed on a guess.
//!
//! Why so careful: short codings ("ja", "nee", "meldcode") occur many times in a transcript,
//! and a coding moved onto another occurrence of its text changes every count downstream
//! without anyone seeing it.

use super::coding::Coding;
use super::transcript::Transcript;
use serde::Serialize;
use similar::{Algorithm, DiffTag, capture_diff_slices};
use std::collections::HashMap;

/// Where a coding stands relative to its transcript's current text.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "snake_case", tag = "status")]
pub enum Anchor {
    /// The coding was made on the current text and its quoted text is at its offsets.
    #[default]
    Exact,
    /// The transcript changed and the coding was carried to its new place with certainty
    /// (through the diff from the version it was made on, or by a unique match of its text and
    /// surrounding context). `from` is its start in that version.
    Moved { from: usize },
    /// The transcript changed and the coding's text occurs at several places that fit equally
    /// well (starts in the current text): flagged for the coder, not placed on a guess.
    Ambiguous { candidates: Vec<usize> },
    /// The quoted text is no longer in the transcript: flagged for the coder to fix.
    Orphaned,
}

impl Anchor {
    /// Whether the coding needs review and is not on its text: counts, exports, search filters
    /// and agreement leave it out, and `codewerk check` lists it.
    pub fn is_flagged(&self) -> bool {
        matches!(self, Anchor::Ambiguous { .. } | Anchor::Orphaned)
    }
}

/// Unchanged text needed on each side of a coding for the diff to carry it.
const GUARD: usize = 32;
/// A window of text around a coding must occur once in each version for the diff to be
/// trusted: in text that repeats, a diff may align a copy with the wrong copy.
const WINDOW: usize = 2 * GUARD;
/// Characters of surrounding text compared on each side when a coding is looked for.
const CONTEXT: usize = 32;
/// Each side of a match must agree for at least this many characters (or all there is): a
/// stutter or a copy typed right next to a coding leaves a twin that matches one side fully.
const MIN_SIDE: usize = 8;
/// A quote at least this long that occurs exactly once in both versions is the same passage.
const LONG_QUOTE: usize = 20;
/// Changed regions with more words than this (a reordered file) are not diffed word by word:
/// their codings are looked for by context instead, which keeps the diff fast.
const MAX_REFINE_TOKENS: usize = 4000;
/// At most this many candidate places are kept for review.
const MAX_CANDIDATES: usize = 50;

/// A stretch of text the diff found unchanged, with how far into it, from each end, a change
/// could just as well have been placed.
#[derive(Debug, Clone, Copy)]
struct Run {
    old: usize,
    new: usize,
    len: usize,
    guard_left: usize,
    guard_right: usize,
}

/// Carries codings from one version of a transcript to another. Build it once per (old version,
/// new version) pair and place every coding of that pair with it.
pub struct Carrier {
    old: Vec<char>,
    new: Vec<char>,
    /// Unchanged runs, in order of both `old` and `new`.
    runs: Vec<Run>,
    old_windows: HashMap<u64, u32>,
    new_windows: HashMap<u64, u32>,
    /// Ranges of the old text whose fate depends on how an edit is read: deleting one "ja "
    /// from "ja ja ja" may have deleted any of them. Merged and sorted.
    slides: Vec<(usize, usize)>,
}

/// Where texts occur, kept while placing the codings of one (old version, new version) pair:
/// thousands of "ja" codings share one search, and each looks only at the occurrences whose
/// neighbouring characters agree with its own, which keeps placing them linear.
#[derive(Debug, Default)]
pub struct Hits {
    texts: HashMap<String, Occurrences>,
}

#[derive(Debug, Default)]
struct Occurrences {
    /// Starts in the new text and in the old one, ascending.
    new: Vec<usize>,
    old: Vec<usize>,
    /// New starts by (side, k, hash of the k characters before (side 0) or after (side 1)),
    /// built for each (side, k) when first needed.
    new_keyed: HashMap<(u8, usize, u64), Vec<usize>>,
    new_built: Vec<(u8, usize)>,
    /// Old starts by the k characters of their own context next to them (k = MIN_SIDE, or all
    /// of it where the paragraph gives less), per side.
    old_keyed: HashMap<(u8, usize, u64), Vec<usize>>,
    old_ks: [Vec<usize>; 2],
}

impl std::fmt::Debug for Carrier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Carrier")
            .field("old_chars", &self.old.len())
            .field("new_chars", &self.new.len())
            .field("runs", &self.runs.len())
            .finish()
    }
}

impl Carrier {
    pub fn new(old: &str, new: &str) -> Carrier {
        let old: Vec<char> = old.chars().collect();
        let new: Vec<char> = new.chars().collect();
        let equal = equal_runs(&old, &new);
        let (runs, slides) = with_guards(&equal, &old, &new);
        let old_windows = window_counts(&old);
        let new_windows = window_counts(&new);
        Carrier {
            old,
            new,
            runs,
            old_windows,
            new_windows,
            slides,
        }
    }

    /// Where the diff puts old `start..end`, if it can say so with certainty.
    fn carry(&self, start: usize, end: usize) -> Option<usize> {
        let i = self.runs.partition_point(|r| r.old + r.len <= start);
        let r = self.runs.get(i)?;
        if start < r.old + r.guard_left || end + r.guard_right > r.old + r.len {
            return None;
        }
        let new_start = r.new + (start - r.old);
        // The window around the coding, inside the run, must be unique in both texts.
        if self.old.len() < WINDOW || self.new.len() < WINDOW {
            return None;
        }
        let ws = start.saturating_sub(GUARD).min(self.old.len() - WINDOW);
        if ws < r.old || ws + WINDOW > r.old + r.len {
            return None;
        }
        let h = hash(&self.old[ws..ws + WINDOW]);
        let once = |m: &HashMap<u64, u32>| m.get(&h).copied() == Some(1);
        (once(&self.old_windows) && once(&self.new_windows)).then_some(new_start)
    }

    /// Place one coding made on the old version: carried or found (`Moved`), or flagged. `t` is
    /// the transcript whose text is the new version; `hits` caches where texts occur.
    pub fn place(&self, t: &Transcript, c: &mut Coding, hits: &mut Hits) {
        let len = c.text.chars().count();
        let (start, end) = (c.start, c.end);
        let own_text = len > 0
            && end == start + len
            && end <= self.old.len()
            && self.old[start..end].iter().copied().eq(c.text.chars());
        if !own_text {
            // The line does not match the version it names (edited by hand): no context to
            // trust, so only a unique occurrence of its text will do.
            return reanchor_strict(t, c);
        }
        if let Some(at) = self.carry(start, end) {
            return moved(t, c, at);
        }
        let occ = hits.texts.entry(c.text.clone()).or_insert_with(|| {
            let mut o = Occurrences {
                new: t.find_all(&c.text),
                old: occurrences(&self.old, &c.text),
                ..Occurrences::default()
            };
            self.key_old(&mut o, len);
            o
        });
        if occ.new.is_empty() {
            c.anchor = Anchor::Orphaned;
            return;
        }
        if self.in_slide(start, end) {
            // Whether its own text survived depends on which of several equal readings of the
            // edit is true: nobody can know, so the coder decides.
            c.anchor = ambiguous(&occ.new);
            return;
        }
        match self.search(occ, start, len) {
            Some(p) => moved(t, c, p),
            None => match self.unique_long(occ, start, len) {
                Some(p) => moved(t, c, p),
                None => c.anchor = ambiguous(&self.fitting(occ, start, len)),
            },
        }
    }

    /// A long quote that occurs once in each version and keeps at least one side of its
    /// surroundings (MIN_SIDE characters, or all its paragraph gives) is the same passage even
    /// when an edit took the rest of its context. Not so for a quote across a paragraph break:
    /// moved paragraphs make new neighbours, and the end of one paragraph next to the start of
    /// another can spell it anew while its own paragraphs were torn apart ("denk?\n\nR: Ik
    /// misschien" once before a reorder and once after, of other paragraphs). Its text is
    /// then no evidence that it is the same words, so only the diff or its context may place it.
    fn unique_long(&self, occ: &mut Occurrences, start: usize, len: usize) -> Option<usize> {
        let (&[p], &[_]) = (occ.new.as_slice(), occ.old.as_slice()) else {
            return None;
        };
        let end = start + len;
        let inner_break = self.old[start..end.saturating_sub(1).max(start)].contains(&'\n');
        if len < LONG_QUOTE || inner_break {
            return None;
        }
        let (before, after) = self.context(start, end);
        self.pool(occ, before, after, len).contains(&p).then_some(p)
    }

    /// The one place in the new text that fits the coding at old `start` by its surroundings,
    /// if there is exactly one and nothing speaks against it.
    fn search(&self, occ: &mut Occurrences, start: usize, len: usize) -> Option<usize> {
        let (before, after) = self.context(start, start + len);
        let pool = self.pool(occ, before, after, len);
        let mut strong = pool
            .iter()
            .copied()
            .filter(|&p| self.fits(p, len, before, after));
        let p = strong.next()?;
        if strong.next().is_some() {
            return None;
        }
        let (lb, la) = self.context_score(p, len, before, after);
        // No other place may fit either side as well (the true place may have lost one side
        // to an edit while a copy elsewhere keeps it by chance). Places outside the pool match
        // fewer than MIN_SIDE characters on both sides, so they cannot.
        let dominant = pool.iter().all(|&q| {
            let (qb, qa) = self.context_score(q, len, before, after);
            q == p || ((before.is_empty() || qb < lb) && (after.is_empty() || qa < la))
        });
        if !dominant {
            return None;
        }
        // The place must fit this coding better than any other occurrence of its text in the
        // old version (one deleted "ja" next to another leaves a "ja" with the left side of one
        // and the right side of the other).
        let rival = self.old_rivals(occ, p).into_iter().any(|q| {
            if q == start {
                return false;
            }
            let (b, a) = self.context(q, q + len);
            self.fits(p, len, b, a)
        });
        if rival {
            return None;
        }
        // Nor may a copy of its text have come or gone right next to it ("nee nee" from "nee"
        // matches the left side with one copy and the right side with the other); and text
        // repeated next to it is no evidence of where it is, so then both sides must be whole.
        let near = |list: &[usize], at: usize| -> Vec<isize> {
            let from = list.partition_point(|&q| q + before.len() < at);
            list[from..]
                .iter()
                .take_while(|&&q| q + len <= at + len + after.len())
                .filter(|&&q| q != at)
                .map(|&q| q as isize - at as isize)
                .collect()
        };
        let neighbours = near(&occ.old, start);
        if neighbours != near(&occ.new, p) {
            return None;
        }
        if !neighbours.is_empty() && (lb < before.len() || la < after.len()) {
            return None;
        }
        self.same_paragraphs(start, len, lb, la).then_some(p)
    }

    /// For a quote across a paragraph break, whether the new text holds the paragraphs it was
    /// made on. Its surroundings only speak for its first and last paragraph, and after a
    /// reorder these may be twins that now meet: the end of one "wat denk?" turn before the
    /// start of another "R: Ik misschien" turn. So the quote's first line with the context that
    /// fits before it, and its last line with the context that fits after it, must each occur
    /// once in both versions: then each is the paragraph it was in.
    fn same_paragraphs(&self, start: usize, len: usize, lb: usize, la: usize) -> bool {
        let end = start + len;
        let quote = &self.old[start..end];
        let inner = &quote[..len.saturating_sub(1)];
        let (Some(first), Some(last)) = (
            inner.iter().position(|&ch| ch == '\n'),
            inner.iter().rposition(|&ch| ch == '\n'),
        ) else {
            return true;
        };
        let once = |piece: &[char]| {
            let s: String = piece.iter().collect();
            occurrences(&self.old, &s).len() == 1 && occurrences(&self.new, &s).len() == 1
        };
        once(&self.old[start - lb..start + first + 1])
            && once(&self.old[start + last + 1..(end + la).min(self.old.len())])
    }

    /// For review: the places that fit the surroundings, or else every occurrence.
    fn fitting(&self, occ: &mut Occurrences, start: usize, len: usize) -> Vec<usize> {
        let (before, after) = self.context(start, start + len);
        let pool = self.pool(occ, before, after, len);
        let mut fit: Vec<usize> = pool
            .into_iter()
            .filter(|&p| self.fits(p, len, before, after))
            .collect();
        if fit.len() < 2 {
            fit = occ.new.iter().copied().take(MAX_CANDIDATES).collect();
        }
        fit
    }

    /// The new occurrences that share at least the MIN_SIDE characters next to the coding on
    /// one side (all of them when the coding has no context, at the very start of the text).
    fn pool(
        &self,
        occ: &mut Occurrences,
        before: &[char],
        after: &[char],
        len: usize,
    ) -> Vec<usize> {
        let kb = MIN_SIDE.min(before.len());
        let ka = MIN_SIDE.min(after.len());
        if kb == 0 && ka == 0 {
            return occ.new.clone();
        }
        let mut out: Vec<usize> = Vec::new();
        if kb > 0 {
            let key = hash(&before[before.len() - kb..]);
            out.extend(self.new_keyed(occ, 0, kb, len, key));
        }
        if ka > 0 {
            let key = hash(&after[..ka]);
            out.extend(self.new_keyed(occ, 1, ka, len, key));
        }
        out.sort_unstable();
        out.dedup();
        out
    }

    fn new_keyed(
        &self,
        occ: &mut Occurrences,
        side: u8,
        k: usize,
        len: usize,
        key: u64,
    ) -> Vec<usize> {
        if !occ.new_built.contains(&(side, k)) {
            occ.new_built.push((side, k));
            for &p in &occ.new {
                let range = if side == 0 {
                    p.checked_sub(k).map(|a| a..p)
                } else {
                    Some(p + len..p + len + k).filter(|r| r.end <= self.new.len())
                };
                if let Some(r) = range {
                    occ.new_keyed
                        .entry((side, k, hash(&self.new[r])))
                        .or_default()
                        .push(p);
                }
            }
        }
        occ.new_keyed
            .get(&(side, k, key))
            .cloned()
            .unwrap_or_default()
    }

    /// Index the old occurrences by the characters of their own context next to them.
    fn key_old(&self, occ: &mut Occurrences, len: usize) {
        for &q in &occ.old {
            let (b, a) = self.context(q, q + len);
            let kb = MIN_SIDE.min(b.len());
            let ka = MIN_SIDE.min(a.len());
            occ.old_keyed
                .entry((0, kb, hash(&b[b.len() - kb..])))
                .or_default()
                .push(q);
            occ.old_keyed
                .entry((1, ka, hash(&a[..ka])))
                .or_default()
                .push(q);
            for (side, k) in [(0, kb), (1, ka)] {
                if !occ.old_ks[side].contains(&k) {
                    occ.old_ks[side].push(k);
                }
            }
        }
    }

    /// Old occurrences whose context could fit at new `p`: those whose characters next to
    /// them on the left agree with the new text there (a fit needs that).
    fn old_rivals(&self, occ: &Occurrences, p: usize) -> Vec<usize> {
        let mut out = Vec::new();
        for &k in &occ.old_ks[0] {
            if let Some(a) = p.checked_sub(k)
                && let Some(v) = occ.old_keyed.get(&(0, k, hash(&self.new[a..p])))
            {
                out.extend_from_slice(v);
            }
        }
        out
    }

    /// The old text before and after `start..end`, within its paragraph (line): text across
    /// a paragraph break is not evidence, as the paragraph next to it may have been moved. The
    /// line break itself is kept, so that being at the start or end of a turn still counts.
    fn context(&self, start: usize, end: usize) -> (&[char], &[char]) {
        let end = end.min(self.old.len());
        let start = start.min(end);
        let lo = start.saturating_sub(CONTEXT);
        let b = self.old[lo..start]
            .iter()
            .rposition(|&ch| ch == '\n')
            .map_or(lo, |i| lo + i);
        let hi = (end + CONTEXT).min(self.old.len());
        let a = self.old[end..hi]
            .iter()
            .position(|&ch| ch == '\n')
            .map_or(hi, |i| end + i + 1);
        (&self.old[b..start], &self.old[end..a])
    }

    fn in_slide(&self, start: usize, end: usize) -> bool {
        let i = self.slides.partition_point(|&(_, b)| b <= start);
        self.slides.get(i).is_some_and(|&(a, _)| a < end)
    }

    /// Whether the new text around `at` has enough of the old surroundings on both sides.
    fn fits(&self, at: usize, len: usize, before: &[char], after: &[char]) -> bool {
        let (lb, la) = self.context_score(at, len, before, after);
        lb >= MIN_SIDE.min(before.len())
            && la >= MIN_SIDE.min(after.len())
            && lb + la >= CONTEXT.min(before.len() + after.len())
    }

    /// How many characters of the old surroundings the new text has before and after `at`.
    fn context_score(
        &self,
        at: usize,
        len: usize,
        before: &[char],
        after: &[char],
    ) -> (usize, usize) {
        let lb = before
            .iter()
            .rev()
            .zip(self.new[..at.min(self.new.len())].iter().rev())
            .take_while(|(a, b)| a == b)
            .count();
        let from = (at + len).min(self.new.len());
        let la = after
            .iter()
            .zip(&self.new[from..])
            .take_while(|(a, b)| a == b)
            .count();
        (lb, la)
    }
}

fn moved(t: &Transcript, c: &mut Coding, at: usize) {
    let len = c.text.chars().count();
    c.anchor = Anchor::Moved { from: c.start };
    c.start = at;
    c.end = at + len;
    c.version = Some(t.version().to_string());
}

fn ambiguous(places: &[usize]) -> Anchor {
    Anchor::Ambiguous {
        candidates: places.iter().copied().take(MAX_CANDIDATES).collect(),
    }
}

/// Starts of `needle` in `hay`, overlapping ones included.
fn occurrences(hay: &[char], needle: &str) -> Vec<usize> {
    let n: Vec<char> = needle.chars().collect();
    if n.is_empty() || n.len() > hay.len() {
        return Vec::new();
    }
    hay.windows(n.len())
        .enumerate()
        .filter(|(_, w)| *w == n.as_slice())
        .map(|(i, _)| i)
        .collect()
}

/// A coding taken as exact without its text (`Project::load_lazy` vouches for codings made on
/// the cached version of an unchanged file) checked once `t`'s text is read: a journal line
/// edited by hand can keep its version but not its words. If it is not on its words it is
/// re-anchored by its text as the full load would ([`reanchor_strict`]), so it is on its words
/// or flagged, never counted on other words. True when it was not on its words.
pub fn verify_read(t: &Transcript, c: &mut Coding) -> bool {
    if !matches!(c.anchor, Anchor::Exact) || !t.is_read() {
        return false;
    }
    if c.start < c.end && c.end <= t.len_chars() && t.slice(c.start, c.end) == c.text {
        return false;
    }
    reanchor_strict(t, c);
    true
}

/// A coding without a usable snapshot (made before versions were kept, or its snapshot is
/// gone): at its offsets if its text is there, else at the one place its text occurs, else
/// flagged. Without the old text around it, more cannot be known.
pub fn reanchor_strict(t: &Transcript, c: &mut Coding) {
    if c.start < c.end && c.end <= t.len_chars() && t.slice(c.start, c.end) == c.text {
        if !matches!(c.anchor, Anchor::Moved { .. }) {
            c.anchor = Anchor::Exact;
        }
        return;
    }
    if c.text.is_empty() {
        c.anchor = Anchor::Orphaned;
        return;
    }
    match t.find_all(&c.text).as_slice() {
        [] => c.anchor = Anchor::Orphaned,
        [one] => moved(t, c, *one),
        many => c.anchor = ambiguous(many),
    }
}

/// The old algorithm (the nearest occurrence of the text, without any check that it is the same
/// place), kept only so that the re-anchoring benchmark can show how often it was wrong.
#[doc(hidden)]
pub fn reanchor_nearest(t: &Transcript, c: &mut Coding) {
    if c.end <= t.len_chars() && t.slice(c.start, c.end) == c.text {
        c.anchor = Anchor::Exact;
        return;
    }
    let len = c.text.chars().count();
    match t
        .find_all(&c.text)
        .into_iter()
        .min_by_key(|&at| at.abs_diff(c.start))
    {
        Some(at) if !c.text.is_empty() => {
            c.anchor = Anchor::Moved { from: c.start };
            c.start = at;
            c.end = at + len;
        }
        _ => c.anchor = Anchor::Orphaned,
    }
}

/// Unchanged runs (old start, new start, length) of a two-level diff: paragraphs (lines) with
/// the patience algorithm, which keeps moved paragraphs apart, then words inside the regions
/// that changed, so that a typo does not take the whole paragraph with it.
fn equal_runs(old: &[char], new: &[char]) -> Vec<(usize, usize, usize)> {
    let ol = lines(old);
    let nl = lines(new);
    let ops = capture_diff_slices(
        Algorithm::Patience,
        &ol.iter().map(|r| &old[r.clone()]).collect::<Vec<_>>(),
        &nl.iter().map(|r| &new[r.clone()]).collect::<Vec<_>>(),
    );
    let at =
        |v: &[std::ops::Range<usize>], i: usize, total: usize| v.get(i).map_or(total, |r| r.start);
    let mut runs: Vec<(usize, usize, usize)> = Vec::new();
    let push = |runs: &mut Vec<(usize, usize, usize)>, o: usize, n: usize, len: usize| {
        if len == 0 {
            return;
        }
        if let Some(last) = runs.last_mut()
            && last.0 + last.2 == o
            && last.1 + last.2 == n
        {
            last.2 += len;
        } else {
            runs.push((o, n, len));
        }
    };
    for op in ops {
        let (tag, or, nr) = op.as_tag_tuple();
        let (o0, o1) = (at(&ol, or.start, old.len()), at(&ol, or.end, old.len()));
        let (n0, n1) = (at(&nl, nr.start, new.len()), at(&nl, nr.end, new.len()));
        match tag {
            DiffTag::Equal => push(&mut runs, o0, n0, o1 - o0),
            DiffTag::Replace => {
                let ot = tokens(&old[o0..o1]);
                let nt = tokens(&new[n0..n1]);
                if ot.len() > MAX_REFINE_TOKENS || nt.len() > MAX_REFINE_TOKENS {
                    continue;
                }
                let ow: Vec<&[char]> = ot.iter().map(|r| &old[o0 + r.start..o0 + r.end]).collect();
                let nw: Vec<&[char]> = nt.iter().map(|r| &new[n0 + r.start..n0 + r.end]).collect();
                for sub in capture_diff_slices(Algorithm::Myers, &ow, &nw) {
                    let (tag, sor, snr) = sub.as_tag_tuple();
                    if tag == DiffTag::Equal {
                        let so = o0 + at(&ot, sor.start, o1 - o0);
                        let sn = n0 + at(&nt, snr.start, n1 - n0);
                        let len = at(&ot, sor.end, o1 - o0) - at(&ot, sor.start, o1 - o0);
                        push(&mut runs, so, sn, len);
                    }
                }
            }
            DiffTag::Delete | DiffTag::Insert => {}
        }
    }
    runs
}

/// Lines (with their newline) as character ranges.
fn lines(text: &[char]) -> Vec<std::ops::Range<usize>> {
    let mut out = Vec::new();
    let mut from = 0;
    for (i, &ch) in text.iter().enumerate() {
        if ch == '\n' {
            out.push(from..i + 1);
            from = i + 1;
        }
    }
    if from < text.len() {
        out.push(from..text.len());
    }
    out
}

/// Words (runs of letters and digits) and single other characters, as character ranges.
fn tokens(text: &[char]) -> Vec<std::ops::Range<usize>> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < text.len() {
        let mut j = i + 1;
        if text[i].is_alphanumeric() {
            while j < text.len() && text[j].is_alphanumeric() {
                j += 1;
            }
        }
        out.push(i..j);
        i = j;
    }
    out
}

/// Give each run its guards: `GUARD` characters next to every change, more where the change
/// could slide (deleting one "ja " from "ja ja ja" could be any of them), none at the ends of
/// the text when the run starts or ends there in both versions.
fn with_guards(
    equal: &[(usize, usize, usize)],
    old: &[char],
    new: &[char],
) -> (Vec<Run>, Vec<(usize, usize)>) {
    // Every change: old[a..b] became new[c..d], between two runs (or an end of the text).
    let mut changes: Vec<(usize, usize, usize, usize)> = Vec::with_capacity(equal.len() + 1);
    let mut at = (0, 0);
    for &(o, n, len) in equal {
        changes.push((at.0, o, at.1, n));
        at = (o + len, n + len);
    }
    changes.push((at.0, old.len(), at.1, new.len()));
    // How far each change could slide either way and still give the same texts.
    let slid: Vec<(usize, usize)> = changes
        .iter()
        .map(|&(a, b, c, d)| {
            (
                slide_left(old, a, b).max(slide_left(new, c, d)),
                slide_right(old, a, b).max(slide_right(new, c, d)),
            )
        })
        .collect();
    let mut slides: Vec<(usize, usize)> = Vec::new();
    for (&(a, b, c, d), &(left, right)) in changes.iter().zip(&slid) {
        if (a, c) == (b, d) || left + right == 0 {
            continue;
        }
        // Only the characters the change could slide over have an uncertain fate: those at
        // either end of it. What lies between is deleted in every reading.
        slides.push((a - left.min(a), a + right));
        slides.push((b - left.min(b), b + right));
    }
    let runs = equal
        .iter()
        .enumerate()
        .map(|(i, &(o, n, len))| {
            let (before, after) = (slid[i], slid[i + 1]);
            let guard_left = if o == 0 && n == 0 {
                0
            } else {
                GUARD.max(before.1)
            };
            let guard_right = if o + len == old.len() && n + len == new.len() {
                0
            } else {
                GUARD.max(after.0)
            };
            Run {
                old: o,
                new: n,
                len,
                guard_left,
                guard_right,
            }
        })
        .collect();
    slides.sort_unstable();
    let mut merged: Vec<(usize, usize)> = Vec::with_capacity(slides.len());
    for (a, b) in slides {
        match merged.last_mut() {
            Some(last) if a <= last.1 => last.1 = last.1.max(b),
            _ => merged.push((a, b)),
        }
    }
    (runs, merged)
}

/// How far the removal of `text[a..b]` could move to the right and remove the same text.
fn slide_right(text: &[char], a: usize, b: usize) -> usize {
    if a >= b {
        return 0;
    }
    (0..)
        .take_while(|&i| b + i < text.len() && text[a + i] == text[b + i])
        .count()
}

/// How far the removal of `text[a..b]` could move to the left.
fn slide_left(text: &[char], a: usize, b: usize) -> usize {
    if a >= b {
        return 0;
    }
    (1..)
        .take_while(|&i| i <= a && text[a - i] == text[b - i])
        .count()
}

const BASE: u64 = 0x0100_0000_01b3;

fn hash(w: &[char]) -> u64 {
    w.iter().fold(0u64, |h, &c| {
        h.wrapping_mul(BASE).wrapping_add(u64::from(c))
    })
}

/// How often each `WINDOW`-character window occurs (by rolling hash; a collision only makes a
/// window look repeated, which is the safe side).
fn window_counts(text: &[char]) -> HashMap<u64, u32> {
    let mut out = HashMap::new();
    if text.len() < WINDOW {
        return out;
    }
    let top = (0..WINDOW).fold(1u64, |p, _| p.wrapping_mul(BASE));
    let mut h = 0u64;
    for (i, &c) in text.iter().enumerate() {
        h = h.wrapping_mul(BASE).wrapping_add(u64::from(c));
        if i >= WINDOW {
            h = h.wrapping_sub(u64::from(text[i - WINDOW]).wrapping_mul(top));
        }
        if i + 1 >= WINDOW {
            *out.entry(h).or_insert(0) += 1;
        }
    }
    out
}

/// Why a quote could not be placed in its transcript.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum QuoteError {
    #[error("the quote is empty")]
    Empty,
    #[error("quote not found in transcript {transcript}: \"{preview}\"")]
    NotFound { transcript: String, preview: String },
    #[error(
        "quote occurs {count} times in transcript {transcript}; give \"occurrence\" or a longer \
         quote: \"{preview}\""
    )]
    Ambiguous {
        transcript: String,
        count: usize,
        preview: String,
    },
    #[error("occurrence {asked} asked, but the quote occurs {count} times in {transcript}")]
    NoSuchOccurrence {
        transcript: String,
        asked: usize,
        count: usize,
    },
}

/// Locate a quote in a transcript, as the import of quoted codings does. `occurrence` (1-based)
/// picks one when the quote occurs more than once; without it, a repeated quote is an error.
pub fn find_quote(
    t: &Transcript,
    quote: &str,
    occurrence: Option<usize>,
) -> Result<(usize, usize), QuoteError> {
    let quote_norm = super::transcript::normalise(quote);
    if quote_norm.trim().is_empty() {
        return Err(QuoteError::Empty);
    }
    let hits = t.find_all(&quote_norm);
    let len = quote_norm.chars().count();
    match (hits.len(), occurrence) {
        (0, _) => Err(QuoteError::NotFound {
            transcript: t.id.clone(),
            preview: preview(quote),
        }),
        (1, None) => Ok((hits[0], hits[0] + len)),
        (count, None) => Err(QuoteError::Ambiguous {
            transcript: t.id.clone(),
            count,
            preview: preview(quote),
        }),
        (count, Some(asked)) if asked == 0 || asked > count => Err(QuoteError::NoSuchOccurrence {
            transcript: t.id.clone(),
            asked,
            count,
        }),
        (_, Some(k)) => Ok((hits[k - 1], hits[k - 1] + len)),
    }
}

fn preview(s: &str) -> String {
    let p: String = s.chars().take(60).collect();
    if p.len() < s.len() {
        format!("{p}…")
    } else {
        p
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    fn t(text: &str) -> Transcript {
        Transcript::from_text("T", Path::new("t.txt"), text.to_string())
    }

    fn coding(start: usize, end: usize, text: &str) -> Coding {
        Coding {
            id: 1,
            transcript: "T".into(),
            code: "a".into(),
            start,
            end,
            text: text.into(),
            memo: None,
            version: None,
            anchor: Anchor::Exact,
            line: 0,
        }
    }

    #[test]
    fn moved_text_is_found_again() {
        let tr = t("R: Nieuw begin. Ik maak me zorgen.\n");
        let mut c = coding(3, 21, "Ik maak me zorgen.");
        reanchor_strict(&tr, &mut c);
        assert_eq!(c.anchor, Anchor::Moved { from: 3 });
        assert_eq!(tr.slice(c.start, c.end), "Ik maak me zorgen.");
    }

    #[test]
    fn vanished_text_is_orphaned_not_shifted() {
        let tr = t("R: Iets heel anders.\n");
        let mut c = coding(3, 10, "verdwenen");
        reanchor_strict(&tr, &mut c);
        assert_eq!(c.anchor, Anchor::Orphaned);
        assert_eq!((c.start, c.end), (3, 10));
    }

    #[test]
    fn find_quote_handles_repeats() {
        let tr = t("R: ja ja, één keer ja\n");
        assert_eq!(find_quote(&tr, "één keer", None), Ok((10, 18)));
        assert!(matches!(
            find_quote(&tr, "ja", None),
            Err(QuoteError::Ambiguous { count: 3, .. })
        ));
        assert_eq!(find_quote(&tr, "ja", Some(3)), Ok((19, 21)));
        assert!(matches!(
            find_quote(&tr, "nee", None),
            Err(QuoteError::NotFound { .. })
        ));
        assert!(matches!(
            find_quote(&tr, "ja", Some(4)),
            Err(QuoteError::NoSuchOccurrence {
                asked: 4,
                count: 3,
                ..
            })
        ));
        assert_eq!(find_quote(&tr, "  ", None), Err(QuoteError::Empty));
    }
}
