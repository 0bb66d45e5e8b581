//! Word-wrapping a transcript to the panel width. The result is a list of visual lines as
//! character ranges, computed once per (transcript, width) so that drawing a frame only touches
//! the lines on screen, however long the transcript.

use unicode_width::UnicodeWidthChar;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VLine {
    /// Character range of the line (newline excluded).
    pub start: usize,
    pub end: usize,
}

#[derive(Debug, Clone, Default)]
pub struct TextLayout {
    pub transcript: Option<usize>,
    pub width: usize,
    pub lines: Vec<VLine>,
}

impl TextLayout {
    pub fn new(transcript: usize, text: &str, width: usize) -> TextLayout {
        TextLayout {
            transcript: Some(transcript),
            width,
            lines: wrap(text, width.max(1)),
        }
    }

    /// The visual line holding character `ch` (the last line for the end of the text).
    pub fn line_of(&self, ch: usize) -> usize {
        match self.lines.binary_search_by(|l| l.start.cmp(&ch)) {
            Ok(i) => i,
            Err(0) => 0,
            Err(i) => i - 1,
        }
    }
}

pub fn char_width(c: char) -> usize {
    if c == '\t' { 1 } else { c.width().unwrap_or(0) }
}

pub fn wrap(text: &str, width: usize) -> Vec<VLine> {
    let mut lines = Vec::new();
    let mut pos = 0;
    let body = text.strip_suffix('\n').unwrap_or(text);
    let mut chars: Vec<char> = Vec::new();
    for logical in body.split('\n') {
        chars.clear();
        chars.extend(logical.chars());
        wrap_line(&chars, pos, width, &mut lines);
        pos += chars.len() + 1;
    }
    lines
}

fn wrap_line(chars: &[char], base: usize, width: usize, out: &mut Vec<VLine>) {
    let mut line_start = 0;
    let mut col = 0;
    let mut last_space: Option<usize> = None;
    let mut i = 0;
    while i < chars.len() {
        let w = char_width(chars[i]);
        // `while`: what a break at the last space carries over, plus this character, can still
        // be too wide (a wide character after a short word): break again before it.
        while col + w > width && i > line_start {
            let brk = match last_space {
                Some(s) if s >= line_start && s < i => s + 1,
                _ => i,
            };
            out.push(VLine {
                start: base + line_start,
                end: base + brk,
            });
            line_start = brk;
            col = chars[brk..i].iter().map(|&c| char_width(c)).sum();
            last_space = None;
        }
        if chars[i] == ' ' {
            last_space = Some(i);
        }
        col += w;
        i += 1;
    }
    out.push(VLine {
        start: base + line_start,
        end: base + chars.len(),
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn wraps_at_spaces_and_keeps_blank_lines() {
        let lines = wrap("aaa bbb ccc\n\nddd\n", 7);
        let texts: Vec<(usize, usize)> = lines.iter().map(|l| (l.start, l.end)).collect();
        assert_eq!(texts, vec![(0, 4), (4, 11), (12, 12), (13, 16)]);
        let narrow: Vec<(usize, usize)> = wrap("aaa bbb ccc", 6)
            .iter()
            .map(|l| (l.start, l.end))
            .collect();
        assert_eq!(narrow, vec![(0, 4), (4, 8), (8, 11)]);
    }

    #[test]
    fn wide_characters_never_overflow_the_line() {
        // Four columns: two CJK characters fill a line; a third goes to the next.
        let lines = wrap("中文字", 4);
        let spans: Vec<(usize, usize)> = lines.iter().map(|l| (l.start, l.end)).collect();
        assert_eq!(spans, vec![(0, 2), (2, 3)]);
        // A combining mark stays with its letter and takes no column.
        let lines = wrap("e\u{301}e\u{301}e\u{301}", 3);
        assert_eq!(lines.len(), 1);
        // One character wider than the panel still gets a line of its own.
        let lines = wrap("😀a", 1);
        assert_eq!(lines[0], VLine { start: 0, end: 1 });
    }

    #[test]
    fn long_words_are_cut() {
        let lines = wrap("abcdefghij", 4);
        assert_eq!(lines.len(), 3);
        assert_eq!((lines[2].start, lines[2].end), (8, 10));
    }

    proptest! {
        /// Every character is on exactly one visual line, in order, and no line is wider than
        /// the panel (but for a single character wider than it). The text mixes the hard
        /// cases: double-width CJK and emoji, tabs (drawn as one space), combining marks of
        /// width 0 (NFD text) and spaces at a line's end.
        #[test]
        fn lines_cover_the_text_in_order(
            text in "[a-zé ö\n\t\u{301}\u{308}\u{4e00}-\u{4e0f}\u{1f600}-\u{1f60f}]{0,200}",
            width in 1usize..30,
        ) {
            let lines = wrap(&text, width);
            let chars: Vec<char> = text.strip_suffix('\n').unwrap_or(&text).chars().collect();
            let mut expect = 0;
            for l in &lines {
                prop_assert_eq!(l.start, expect);
                let w: usize = chars[l.start..l.end].iter().map(|&c| char_width(c)).sum();
                prop_assert!(w <= width || l.end - l.start == 1);
                expect = if l.end < chars.len() && chars[l.end] == '\n' { l.end + 1 } else { l.end };
            }
            prop_assert_eq!(expect, chars.len());
        }
    }
}
