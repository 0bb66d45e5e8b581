//! Cursor motions over a transcript's text: by word, sentence and turn. Pure functions of the
//! transcript and a character offset, so they are tested without a terminal. Sentences are
//! found only inside the current turn, which keeps a motion cheap on a 100,000-word transcript.

use crate::core::transcript::Transcript;
use unicode_segmentation::UnicodeSegmentation;

fn is_word(c: char) -> bool {
    c.is_alphanumeric() || c == '\'' || c == '-'
}

fn chars_from(t: &Transcript, at: usize) -> impl Iterator<Item = char> + '_ {
    t.text()[t.byte_at(at)..].chars()
}

/// A selection `start..=end` (inclusive) widened to whole words: a start inside a word moves to
/// the word's first character, an end inside one to its last (’ counts as part of a word, so
/// "zo’n" stays whole). Ends on spaces or punctuation stay where they are.
pub fn snap_to_words(t: &Transcript, start: usize, end: usize) -> (usize, usize) {
    let word = |c: char| is_word(c) || c == '’';
    let text: Vec<char> = t.slice(0, t.len_chars()).chars().collect();
    let (mut s, mut e) = (start.min(end), start.max(end));
    if text.get(s).is_some_and(|&c| word(c)) {
        while s > 0 && word(text[s - 1]) {
            s -= 1;
        }
    }
    if text.get(e).is_some_and(|&c| word(c)) {
        while e + 1 < text.len() && word(text[e + 1]) {
            e += 1;
        }
    }
    (s, e)
}

/// Start of the next word after `at`.
pub fn word_next(t: &Transcript, at: usize) -> usize {
    let mut pos = at;
    let mut it = chars_from(t, at).peekable();
    while it.peek().is_some_and(|&c| is_word(c)) {
        it.next();
        pos += 1;
    }
    while it.peek().is_some_and(|&c| !is_word(c)) {
        it.next();
        pos += 1;
    }
    pos.min(last(t))
}

/// Start of the word before `at` (or of the word `at` is inside).
pub fn word_prev(t: &Transcript, at: usize) -> usize {
    let before: Vec<char> = t.slice(at.saturating_sub(200), at).chars().collect();
    let mut i = before.len();
    while i > 0 && !is_word(before[i - 1]) {
        i -= 1;
    }
    while i > 0 && is_word(before[i - 1]) {
        i -= 1;
    }
    at - (before.len() - i)
}

/// Sentences of the turn holding `at`, as character ranges (spoken text only, no label).
pub fn sentences_of_turn(t: &Transcript, turn: usize) -> Vec<(usize, usize)> {
    let tr = &t.turns()[turn];
    let body = t.slice(tr.body_start, tr.end);
    let mut out = Vec::new();
    let mut ch = tr.body_start;
    for s in body.split_sentence_bounds() {
        let n = s.chars().count();
        let trimmed = s.trim_end();
        let len = trimmed.chars().count();
        if len > 0 {
            let lead = trimmed.chars().take_while(|c| c.is_whitespace()).count();
            out.push((ch + lead, ch + len));
        }
        ch += n;
    }
    out
}

/// The sentence under the cursor, if the cursor is in a turn.
pub fn sentence_at(t: &Transcript, at: usize) -> Option<(usize, usize)> {
    let turn = t.turn_index_at(at)?;
    let sentences = sentences_of_turn(t, turn);
    sentences
        .iter()
        .copied()
        .find(|&(s, e)| at >= s && at < e)
        .or_else(|| sentences.iter().copied().rev().find(|&(s, _)| s <= at))
        .or_else(|| sentences.first().copied())
}

pub fn sentence_next(t: &Transcript, at: usize) -> usize {
    let Some(turn) = t.turn_index_at(at) else {
        return at;
    };
    for ti in turn..t.turns().len() {
        if let Some(&(s, _)) = sentences_of_turn(t, ti).iter().find(|&&(s, _)| s > at) {
            return s;
        }
    }
    at
}

pub fn sentence_prev(t: &Transcript, at: usize) -> usize {
    let Some(turn) = t.turn_index_at(at) else {
        return at;
    };
    for ti in (0..=turn).rev() {
        if let Some(&(s, _)) = sentences_of_turn(t, ti)
            .iter()
            .rev()
            .find(|&&(s, _)| s < at)
        {
            return s;
        }
    }
    at
}

/// The spoken text of the turn under the cursor.
pub fn turn_body_at(t: &Transcript, at: usize) -> Option<(usize, usize)> {
    let tr = &t.turns()[t.turn_index_at(at)?];
    Some((tr.body_start, tr.end))
}

pub fn turn_next(t: &Transcript, at: usize) -> usize {
    t.turns()
        .iter()
        .find(|tr| tr.start > at)
        .map_or(at, |tr| tr.body_start)
}

pub fn turn_prev(t: &Transcript, at: usize) -> usize {
    match t.turn_index_at(at) {
        Some(i) if at > t.turns()[i].body_start => t.turns()[i].body_start,
        Some(i) if i > 0 => t.turns()[i - 1].body_start,
        _ => at,
    }
}

/// Where a forward motion from `from` that landed on `to` ends a selection started at
/// `anchor` (ends are inclusive: the cursor sits on the last selected character). It ends on
/// the last character before the unit the motion landed on: never on that unit's first
/// character, nor on the speaker label or the blank lines in front of it. A motion that found
/// no next unit extends to the end of the text.
pub fn selection_end(t: &Transcript, anchor: usize, from: usize, to: usize) -> usize {
    if to <= from {
        return last(t);
    }
    let mut end = to; // exclusive
    if let Some(tr) = t.turn_index_at(to).map(|i| &t.turns()[i])
        && to <= tr.body_start
    {
        end = tr.start;
    }
    while end > anchor + 1 && t.slice(end - 1, end).chars().all(char::is_whitespace) {
        end -= 1;
    }
    end.saturating_sub(1).max(anchor)
}

/// The last character offset the cursor may take: the final line break is not a place to be.
pub fn last(t: &Transcript) -> usize {
    let n = t.len_chars();
    let trailing = t.text().ends_with('\n') as usize;
    n.saturating_sub(1 + trailing)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    fn t() -> Transcript {
        Transcript::from_text(
            "T",
            Path::new("t"),
            "I: Hoe gaat het?\n\nR: Nou, goed. Eén coördinator helpt. Ja.\n".into(),
        )
    }

    #[test]
    fn word_motions() {
        let t = t();
        let at = t.find_all("goed")[0];
        assert_eq!(word_next(&t, at), t.find_all("Eén")[0]);
        assert_eq!(word_prev(&t, t.find_all("Eén")[0]), at);
        assert_eq!(word_prev(&t, at + 2), at);
    }

    #[test]
    fn sentence_motions_stay_in_the_spoken_text() {
        let t = t();
        let at = t.find_all("coördinator")[0];
        let (s, e) = sentence_at(&t, at).unwrap();
        assert_eq!(t.slice(s, e), "Eén coördinator helpt.");
        assert_eq!(
            t.slice(sentence_next(&t, at), sentence_next(&t, at) + 3),
            "Ja."
        );
        let current = t.find_all("Eén")[0];
        assert_eq!(
            sentence_prev(&t, at),
            current,
            "first to the start of this sentence"
        );
        assert_eq!(sentence_prev(&t, current), t.find_all("Nou")[0]);
    }

    #[test]
    fn turn_motions_and_body() {
        let t = t();
        let (s, e) = turn_body_at(&t, 20).unwrap();
        assert_eq!(t.slice(s, e), "Nou, goed. Eén coördinator helpt. Ja.");
        assert_eq!(turn_next(&t, 0), s);
        assert_eq!(turn_prev(&t, s), 3);
    }
}
