//! Anchoring codings to text. A coding stores its quoted text next to its offsets; when a
//! transcript is edited, the offsets may no longer point at that text. Then the coding is moved
//! to the nearest place where its text occurs, or flagged as orphaned: never silently shifted.

use super::coding::{Anchor, Coding};
use super::transcript::Transcript;

/// Check a coding against the transcript and move it if its text has moved.
pub fn reanchor(t: &Transcript, c: &mut Coding) {
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

/// Locate a quote in a transcript, as the import of quoted codings does. `occurrence` (1-based)
/// picks one when the quote occurs more than once; without it, a repeated quote is an error.
pub fn find_quote(
    t: &Transcript,
    quote: &str,
    occurrence: Option<usize>,
) -> Result<(usize, usize), String> {
    let quote_norm = super::transcript::normalise(quote);
    if quote_norm.trim().is_empty() {
        return Err("the quote is empty".into());
    }
    let hits = t.find_all(&quote_norm);
    let len = quote_norm.chars().count();
    match (hits.len(), occurrence) {
        (0, _) => Err(format!(
            "quote not found in transcript {}: \"{}\"",
            t.id,
            preview(quote)
        )),
        (1, None) => Ok((hits[0], hits[0] + len)),
        (n, None) => Err(format!(
            "quote occurs {n} times in transcript {}; give \"occurrence\" or a longer quote: \"{}\"",
            t.id,
            preview(quote)
        )),
        (n, Some(k)) if k == 0 || k > n => Err(format!(
            "occurrence {k} asked, but the quote occurs {n} times in {}",
            t.id
        )),
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
            anchor: Anchor::Exact,
            line: 0,
        }
    }

    #[test]
    fn moved_text_is_found_again() {
        let tr = t("R: Nieuw begin. Ik maak me zorgen.\n");
        let mut c = coding(3, 21, "Ik maak me zorgen.");
        reanchor(&tr, &mut c);
        assert_eq!(c.anchor, Anchor::Moved { from: 3 });
        assert_eq!(tr.slice(c.start, c.end), "Ik maak me zorgen.");
    }

    #[test]
    fn vanished_text_is_orphaned_not_shifted() {
        let tr = t("R: Iets heel anders.\n");
        let mut c = coding(3, 10, "verdwenen");
        reanchor(&tr, &mut c);
        assert_eq!(c.anchor, Anchor::Orphaned);
        assert_eq!((c.start, c.end), (3, 10));
    }

    #[test]
    fn find_quote_handles_repeats() {
        let tr = t("R: ja ja, één keer ja\n");
        assert_eq!(find_quote(&tr, "één keer", None), Ok((10, 18)));
        assert!(find_quote(&tr, "ja", None).unwrap_err().contains("3 times"));
        assert_eq!(find_quote(&tr, "ja", Some(3)), Ok((19, 21)));
        assert!(
            find_quote(&tr, "nee", None)
                .unwrap_err()
                .contains("not found")
        );
    }
}
