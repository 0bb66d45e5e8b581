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

mod no_panic {
    use super::super::docx::tests::docx;
    use super::*;
    use proptest::prelude::*;

    fn valid_docx() -> Vec<u8> {
        docx(
            "<w:p><w:r><w:t>I: De co</w:t></w:r><w:r><w:t>ördinator?</w:t></w:r></w:p>\
             <w:tbl><w:tr><w:tc><w:p><w:r><w:t>R</w:t></w:r></w:p></w:tc><w:tc><w:p><w:ins><w:r><w:t>Eén.</w:t></w:r></w:ins></w:p></w:tc></w:tr></w:tbl>",
            &[],
        )
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

        /// Any bytes, read as any format: an error or turns, never a panic.
        #[test]
        fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
            for format in Format::ALL {
                let _ = read_as(format, &bytes);
            }
        }

        /// Text-like input (the parsers' interesting paths): labels, times, cue lines, JSON
        /// and CSV punctuation in random order.
        #[test]
        fn random_text_never_panics(s in "([A-Za-zéö’ 0-9:,;.\\[\\]()<>{}\"\\\\/_\n\t-]|-->|WEBVTT|NOTE|00:00:01,000|<v |\\{\\\\an8\\})*") {
            for format in Format::ALL {
                let _ = read_as(format, s.as_bytes());
            }
        }

        /// A valid .docx with bytes flipped, cut or inserted.
        #[test]
        fn mutated_docx_never_panics(
            flips in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..8),
            cut in any::<prop::sample::Index>(),
            do_cut in any::<bool>(),
        ) {
            let mut bytes = valid_docx();
            for (at, b) in flips {
                let i = at.index(bytes.len());
                bytes[i] = b;
            }
            if do_cut {
                bytes.truncate(cut.index(bytes.len()));
            }
            let _ = read_as(Format::Docx, &bytes);
            let _ = read_as(Format::Odt, &bytes);
        }
    }

    #[test]
    fn the_valid_docx_reads() {
        let got = read_as(Format::Docx, &valid_docx()).unwrap();
        assert_eq!(got.turns.len(), 2);
        assert_eq!(got.turns[0].text, "De coördinator?");
        assert_eq!(got.turns[1].speaker.as_deref(), Some("R"));
    }
}
