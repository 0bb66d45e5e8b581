//! Tests of `read()` across formats: normalisation, detection and the no-panic property.

use super::*;

#[test]
fn detect_by_extension() {
    assert_eq!(detect(Path::new("a.TXT")), Ok(Format::Text));
    assert_eq!(detect(Path::new("a.docx")), Ok(Format::Docx));
    assert_eq!(detect(Path::new("a.VTT")), Ok(Format::Vtt));
    assert_eq!(
        detect(Path::new("a.pdf")),
        Err(IngestError::UnsupportedType)
    );
    assert_eq!(
        detect(Path::new("noext")),
        Err(IngestError::UnsupportedType)
    );
}

#[test]
fn text_read_is_normalised() {
    // Decomposed "ö" (o + combining diaeresis) comes out composed; CRLF, tabs and blank lines
    // inside a turn are normalised; empty turns dropped.
    let got = read(
        Path::new("x.txt"),
        "I:\tDe coo\u{308}rdinator?\r\n\r\n\r\nR:   Eén  ding.  \r\n\r\nR:\r\n".as_bytes(),
    )
    .unwrap();
    assert_eq!(got.format, Format::Text);
    assert_eq!(
        got.turns,
        vec![
            RawTurn::new(Some("I".into()), None, "De coördinator?"),
            RawTurn::new(Some("R".into()), None, "Eén ding."),
        ]
    );
    assert_eq!(got.speakers(), vec!["I", "R"]);
    assert_eq!(got.word_count(), 4);
}

#[test]
fn empty_documents_are_empty() {
    for (name, bytes) in [
        ("a.txt", &b""[..]),
        ("a.txt", b"\n\n  \n"),
        ("a.txt", b"\xef\xbb\xbf"),
        ("a.srt", b"\n"),
    ] {
        assert_eq!(
            read(Path::new(name), bytes),
            Err(IngestError::Empty),
            "{name}"
        );
    }
}

#[test]
fn srt_read() {
    let got = read(
        Path::new("x.srt"),
        b"1\n00:00:01,000 --> 00:00:02,000\nR: Ja.\n",
    )
    .unwrap();
    assert_eq!(got.format, Format::Srt);
    assert_eq!(
        got.turns,
        vec![RawTurn::new(Some("R".into()), Some(1.0), "Ja.")]
    );
}
