//! Small text helpers shared by the core: accent folding for matching Dutch words.

use tantivy::tokenizer::{AsciiFoldingFilter, RawTokenizer, TextAnalyzer, TokenStream};
use unicode_normalization::UnicodeNormalization;

/// Remove diacritics from Latin letters: "coördinator" -> "coordinator", "één" -> "een",
/// "Ørsted" -> "Orsted", "ĳs" -> "ijs", "Straße" -> "Strasse". This is the search index's own
/// folding (tantivy's `AsciiFoldingFilter`), so that a filter typed in the TUI or given to an
/// export matches exactly what a search for the same word matches.
pub fn fold_accents(s: &str) -> String {
    if s.is_ascii() {
        return s.to_string();
    }
    let mut analyzer = TextAnalyzer::builder(RawTokenizer::default())
        .filter(AsciiFoldingFilter)
        .build();
    let mut stream = analyzer.token_stream(s);
    let mut out = String::with_capacity(s.len());
    while let Some(token) = stream.next() {
        out.push_str(&token.text);
    }
    out
}

/// The key two names, labels or values compare by: surrounding white space, case and accents
/// ignored ("Zorgcoördinator " = "zorgcoordinator"). Every lookup of a typed name (a group, a
/// code, an attribute, a filter) uses it, so they agree with each other and with search.
pub fn fold_key(s: &str) -> String {
    fold_accents(&s.trim().to_lowercase())
}

/// One character folded to one character, for code that maps offsets character by character
/// (pseudonymisation). It agrees with [`fold_accents`] wherever that gives one character; the
/// ligatures that fold to two ("æ" -> "ae", "ß" -> "ss", "ĳ" -> "ij") stay themselves here.
pub fn fold_char(c: char) -> char {
    if c.is_ascii() {
        return c;
    }
    // Precomposed letters: the base letter of the canonical decomposition ("ë" = "e" + "¨").
    if let Some(base) = c.nfd().next()
        && base.is_ascii()
    {
        return base;
    }
    // Letters that carry their stroke inside and do not decompose.
    match c {
        'ø' => 'o',
        'Ø' => 'O',
        'ł' => 'l',
        'Ł' => 'L',
        'đ' => 'd',
        'Đ' => 'D',
        'ı' => 'i',
        _ => c,
    }
}

/// "1 passage", "2 passages": a count with its noun in the right number.
pub fn count(n: usize, one: &str, many: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{n} {many}")
    }
}

/// `text` cut to `width` terminal columns (wide characters take two, combining marks none),
/// with … when cut: for tables and previews in the TUI and in the command line's text output,
/// where a cut by characters would misalign columns of CJK or emoji and cut a word silently.
pub fn fit(text: &str, width: usize) -> String {
    use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};
    if text.width() <= width {
        return text.to_string();
    }
    if width == 0 {
        return String::new();
    }
    let mut s = String::new();
    let mut used = 0;
    for c in text.chars() {
        let w = c.width().unwrap_or(0);
        if used + w > width - 1 {
            break;
        }
        used += w;
        s.push(c);
    }
    s.push('…');
    s
}

/// Display width in terminal columns.
pub fn width(text: &str) -> usize {
    unicode_width::UnicodeWidthStr::width(text)
}

/// `text` padded with spaces to `width` terminal columns (`format!`'s `{:<w$}` counts
/// characters, so a wide character would push the next column right).
pub fn pad(text: &str, width: usize) -> String {
    let w = unicode_width::UnicodeWidthStr::width(text);
    let mut s = text.to_string();
    s.extend(std::iter::repeat_n(' ', width.saturating_sub(w)));
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fit_and_pad_count_columns_not_characters() {
        assert_eq!(fit("coördinator", 20), "coördinator");
        assert_eq!(fit("coördinator", 5), "coör…");
        // Two columns each: 3 of them and the ellipsis fill 7 columns.
        assert_eq!(fit("漢字漢字漢字", 7), "漢字漢…");
        // A combining mark stays with its letter.
        assert_eq!(fit("e\u{301}en twee", 3), "e\u{301}e…");
        assert_eq!(fit("abc", 0), "");
        assert_eq!(pad("漢字", 6), "漢字  ");
        assert_eq!(pad("één", 5), "één  ");
        assert_eq!(pad("toolong", 3), "toolong");
    }

    #[test]
    fn folds_dutch_diacritics() {
        assert_eq!(
            fold_accents("coördinator één ideeën"),
            "coordinator een ideeen"
        );
        assert_eq!(
            fold_accents("Ørsted Æbleskiver Straße ĳs Łódź"),
            "Orsted AEbleskiver Strasse ijs Lodz"
        );
    }

    #[test]
    fn the_character_fold_agrees_with_the_string_fold_where_it_can() {
        for c in "àáâãäåèéêëìíîïòóôõöùúûüýÿçñøłđÀÉÖÜÇÑØ".chars()
        {
            let one = fold_char(c);
            assert!(one.is_ascii(), "{c} folded to {one}");
            assert_eq!(fold_accents(&c.to_string()), one.to_string(), "{c}");
        }
        // Two-letter foldings keep the character (offsets stay one to one).
        assert_eq!(fold_char('æ'), 'æ');
        assert_eq!(fold_char('ß'), 'ß');
    }
}
