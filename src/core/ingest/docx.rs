//! Word (.docx): the paragraphs and tables of `word/document.xml` in order.
//!
//! A paragraph's text is the text of all its runs joined as they are (Word splits runs
//! mid-word whenever formatting, spelling marks or revision ids change). Tracked changes are
//! read as accepted: inserted text kept, deleted and moved-away text dropped. Comments,
//! footnotes, endnotes, headers and footers live in other parts and are left out, with a note
//! saying how many there were. Field codes (`PAGE`, `HYPERLINK ...`) are dropped, their results
//! kept. Of `mc:AlternateContent`, only the first choice is read (the fallback repeats it).

use super::blocks::Blocks;
use super::text::{self, Item};
use super::xml::{Node, Ns, Package, Xml, attr, tolerate};
use super::{IngestError, Limits, RawTurn};
use quick_xml::events::BytesStart;

const DOCUMENT: &str = "word/document.xml";

/// How many header/footer parts we look into for the note (Word writes at most six per
/// section; more is not a real document, and each costs a parse).
const MAX_HEADER_PARTS: usize = 64;

pub(crate) fn read(
    bytes: &[u8],
    limits: &Limits,
    notes: &mut Vec<String>,
) -> Result<Vec<RawTurn>, IngestError> {
    let mut pkg = Package::open(bytes, limits)?;
    let doc = pkg.part(DOCUMENT)?.ok_or(IngestError::MissingPart {
        part: DOCUMENT,
        kind: "Word",
    })?;
    let (items, stats) = parse_document(&doc, limits)?;
    if stats.tracked {
        notes.push("tracked changes taken as accepted".to_string());
    }
    if stats.plain_tables > 0 {
        notes.push(format!(
            "{} read cell by cell (not speaker | text)",
            plural(stats.plain_tables, "table", "tables")
        ));
    }

    let comments = count_in(&mut pkg, "word/comments.xml", limits, notes, |name, _| {
        name == "comment"
    })?;
    let notes_filter = |name: &str, start: &BytesStart<'_>| {
        (name == "footnote" || name == "endnote")
            // Separators are part of every notes part, not notes anyone wrote.
            && attr(start, "type").is_none_or(|t| t == "normal")
    };
    let footnotes = count_in(&mut pkg, "word/footnotes.xml", limits, notes, notes_filter)?;
    let endnotes = count_in(&mut pkg, "word/endnotes.xml", limits, notes, notes_filter)?;
    let mut headers = 0;
    let mut footers = 0;
    let mut names: Vec<String> = pkg
        .names()
        .into_iter()
        .filter(|n| {
            let n = n.as_str();
            (n.starts_with("word/header") || n.starts_with("word/footer"))
                && n.ends_with(".xml")
                && !n[5..].contains('/')
        })
        .collect();
    names.sort();
    names.truncate(MAX_HEADER_PARTS);
    for name in names {
        if let Some(bytes) = pkg.part(&name)?
            && tolerate(has_text(&bytes, limits), HEADER_PART, notes)?.unwrap_or(false)
        {
            if name.starts_with("word/header") {
                headers += 1;
            } else {
                footers += 1;
            }
        }
    }
    for (n, one, many) in [
        (comments, "comment", "comments"),
        (footnotes, "footnote", "footnotes"),
        (endnotes, "endnote", "endnotes"),
        (headers, "header", "headers"),
        (footers, "footer", "footers"),
    ] {
        if n > 0 {
            notes.push(format!("{} left out", plural(n, one, many)));
        }
    }
    Ok(text::turns_from_items(items))
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

#[derive(Debug, Default)]
struct Stats {
    tracked: bool,
    plain_tables: usize,
}

fn parse_document(bytes: &[u8], limits: &Limits) -> Result<(Vec<Item>, Stats), IngestError> {
    let mut xml = Xml::new(bytes, DOCUMENT, limits)?;
    let mut blocks = Blocks::default();
    let mut stats = Stats::default();
    // Depth of open w:t elements: only their text is document text (whitespace between
    // elements is indentation).
    let mut in_t = 0usize;
    loop {
        match xml.next()? {
            Node::Eof => break,
            Node::Text(t) if in_t > 0 => blocks.text(&t),
            Node::Open {
                ns: Ns::Mc,
                name,
                empty: false,
                ..
            } if name == "Fallback" => xml.skip_element()?,
            Node::Open {
                ns: Ns::W,
                name,
                empty,
                ..
            } => match name.as_str() {
                "p" => {
                    blocks.start_para();
                    if empty {
                        blocks.end_para();
                    }
                }
                "t" if !empty => in_t += 1,
                "tab" | "ptab" => blocks.tab(),
                "br" | "cr" => blocks.line_break(),
                "noBreakHyphen" => blocks.text("-"),
                "tbl" if !empty => blocks.start_table(),
                "tr" if !empty => blocks.start_row(),
                "tc" if !empty => blocks.start_cell(),
                "ins" | "moveTo" => stats.tracked = true,
                "del" | "moveFrom" => {
                    stats.tracked = true;
                    if !empty {
                        xml.skip_element()?;
                    }
                }
                // Text that is not document text: field instructions, deleted text, and
                // property blocks (which hold tab stops and revision marks, not text).
                "instrText" | "delText" | "delInstrText" | "pPr" | "rPr" | "sectPr" | "tblPr"
                | "trPr" | "tcPr" | "tblGrid" | "pPrChange" | "rPrChange" | "sdtPr"
                | "sdtEndPr"
                    if !empty =>
                {
                    xml.skip_element()?;
                }
                _ => {}
            },
            Node::Close { ns: Ns::W, name } => match name.as_str() {
                "p" => blocks.end_para(),
                "t" => in_t = in_t.saturating_sub(1),
                "tbl" => blocks.end_table(),
                "tr" => blocks.end_row(),
                "tc" => blocks.end_cell(),
                _ => {}
            },
            _ => {}
        }
    }
    stats.plain_tables = blocks.plain_tables;
    Ok((blocks.finish(), stats))
}

/// The name errors in header and footer parts go by (their names are not fixed).
const HEADER_PART: &str = "a header or footer part";

/// Count elements a filter accepts in an optional part (0 if the part is missing).
fn count_in(
    pkg: &mut Package<'_>,
    part: &'static str,
    limits: &Limits,
    notes: &mut Vec<String>,
    accept: impl Fn(&str, &BytesStart<'_>) -> bool,
) -> Result<usize, IngestError> {
    let Some(bytes) = pkg.part(part)? else {
        return Ok(0);
    };
    Ok(tolerate(count_elements(&bytes, part, limits, accept), part, notes)?.unwrap_or(0))
}

fn count_elements(
    bytes: &[u8],
    part: &'static str,
    limits: &Limits,
    accept: impl Fn(&str, &BytesStart<'_>) -> bool,
) -> Result<usize, IngestError> {
    let mut xml = Xml::new(bytes, part, limits)?;
    let mut n = 0;
    loop {
        match xml.next()? {
            Node::Eof => return Ok(n),
            Node::Open {
                ns: Ns::W,
                name,
                start,
                ..
            } if accept(&name, &start) => n += 1,
            _ => {}
        }
    }
}

/// Whether a header/footer part holds any text.
fn has_text(bytes: &[u8], limits: &Limits) -> Result<bool, IngestError> {
    let mut xml = Xml::new(bytes, HEADER_PART, limits)?;
    let mut in_t = 0usize;
    loop {
        match xml.next()? {
            Node::Eof => return Ok(false),
            Node::Open {
                ns: Ns::W,
                name,
                empty: false,
                ..
            } if name == "t" => in_t += 1,
            Node::Close { ns: Ns::W, name } if name == "t" => in_t = in_t.saturating_sub(1),
            Node::Text(t) if in_t > 0 && !t.trim().is_empty() => return Ok(true),
            _ => {}
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::super::{Format, read_with};
    use super::*;
    use std::io::Write;
    use zip::write::SimpleFileOptions;

    pub const W: &str = "http://schemas.openxmlformats.org/wordprocessingml/2006/main";

    /// A zip with the given entries.
    pub fn zip_of(entries: &[(&str, &[u8])]) -> Vec<u8> {
        let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        let opts =
            SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
        for (name, data) in entries {
            w.start_file(*name, opts).unwrap();
            w.write_all(data).unwrap();
        }
        w.finish().unwrap().into_inner()
    }

    /// A .docx whose body is `body` (WordprocessingML), plus extra parts.
    pub fn docx(body: &str, extra: &[(&str, &[u8])]) -> Vec<u8> {
        let doc = format!(
            r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:document xmlns:w="{W}" xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006"><w:body>{body}<w:sectPr><w:pgSz w:w="11906" w:h="16838"/></w:sectPr></w:body></w:document>"#
        );
        let mut entries: Vec<(&str, &[u8])> = vec![
            ("[Content_Types].xml", b"<Types/>"),
            ("word/document.xml", doc.as_bytes()),
        ];
        entries.extend_from_slice(extra);
        zip_of(&entries)
    }

    fn turns(bytes: &[u8]) -> Result<(Vec<RawTurn>, Vec<String>), IngestError> {
        read_with(Format::Docx, bytes, &Limits::DEFAULT).map(|i| (i.turns, i.notes))
    }

    fn p(runs: &str) -> String {
        format!(
            "<w:p><w:pPr><w:pStyle w:val=\"Normal\"/><w:tabs><w:tab w:val=\"left\" w:pos=\"720\"/></w:tabs></w:pPr>{runs}</w:p>"
        )
    }

    fn r(text: &str) -> String {
        format!("<w:r><w:rPr><w:b/></w:rPr><w:t xml:space=\"preserve\">{text}</w:t></w:r>")
    }

    #[test]
    fn runs_split_mid_word_join_without_spaces() {
        let body = p(&format!(
            "{}{}{}<w:proofErr w:type=\"spellStart\"/>{}",
            r("I: De co"),
            r("ö"),
            r("rdinator"),
            r(" zei ’één’.")
        )) + &p(&format!(
            "{}<w:r><w:tab/><w:t>met tab</w:t><w:br/><w:t>en regel</w:t></w:r>",
            r("R: Antwoord")
        ));
        let (t, notes) = turns(&docx(&body, &[])).unwrap();
        assert_eq!(
            t,
            vec![
                RawTurn::new(Some("I".into()), None, "De coördinator zei ’één’."),
                RawTurn::new(Some("R".into()), None, "Antwoord met tab\nen regel"),
            ]
        );
        assert!(notes.is_empty(), "{notes:?}");
    }

    #[test]
    fn tracked_changes_are_accepted() {
        let body = p(&format!(
            "{}<w:ins w:id=\"1\" w:author=\"A\">{}</w:ins><w:del w:id=\"2\" w:author=\"A\"><w:r><w:delText>weg</w:delText></w:r></w:del><w:moveFrom w:id=\"3\"><w:r><w:t>verplaatst</w:t></w:r></w:moveFrom>{}",
            r("R: Dit is "),
            r("nieuw"),
            r(" en goed.")
        ));
        let (t, notes) = turns(&docx(&body, &[])).unwrap();
        assert_eq!(t[0].text, "Dit is nieuw en goed.");
        assert_eq!(notes, vec!["tracked changes taken as accepted".to_string()]);
    }

    #[test]
    fn fields_and_alternate_content() {
        let body = p(&format!(
            "{}<w:r><w:fldChar w:fldCharType=\"begin\"/></w:r><w:r><w:instrText> PAGE </w:instrText></w:r><w:r><w:fldChar w:fldCharType=\"separate\"/></w:r>{}<w:r><w:fldChar w:fldCharType=\"end\"/></w:r>\
             <w:r><mc:AlternateContent><mc:Choice Requires=\"wps\"><w:drawing/></mc:Choice><mc:Fallback><w:pict><w:t>dubbel</w:t></w:pict></mc:Fallback></mc:AlternateContent></w:r>",
            r("R: pagina "),
            r("3")
        ));
        let (t, _) = turns(&docx(&body, &[])).unwrap();
        assert_eq!(t[0].text, "pagina 3");
    }

    #[test]
    fn tables_comments_notes_headers() {
        let row = |a: &str, b: &str| {
            format!(
                "<w:tr><w:trPr/><w:tc><w:tcPr/>{}</w:tc><w:tc>{}</w:tc></w:tr>",
                p(&r(a)),
                p(&r(b))
            )
        };
        let body = p(&r("Inleiding van het gesprek."))
            + "<w:tbl><w:tblPr/>"
            + &row("Spreker", "Tekst")
            + &row("I", "Wat doet de coördinator?")
            + &row("R", "Eén ding.")
            + "</w:tbl>"
            + &p(&r("Afsluiting."));
        let comments = format!(
            r#"<w:comments xmlns:w="{W}"><w:comment w:id="0"><w:p><w:r><w:t>Opmerking</w:t></w:r></w:p></w:comment><w:comment w:id="1"/></w:comments>"#
        );
        let footnotes = format!(
            r#"<w:footnotes xmlns:w="{W}"><w:footnote w:type="separator" w:id="-1"/><w:footnote w:type="continuationSeparator" w:id="0"/><w:footnote w:id="1"><w:p><w:r><w:t>Voetnoot</w:t></w:r></w:p></w:footnote></w:footnotes>"#
        );
        let header = format!(
            r#"<w:hdr xmlns:w="{W}"><w:p><w:r><w:t>Vertrouwelijk</w:t></w:r></w:p></w:hdr>"#
        );
        let empty_footer = format!(r#"<w:ftr xmlns:w="{W}"><w:p/></w:ftr>"#);
        let (t, notes) = turns(&docx(
            &body,
            &[
                ("word/comments.xml", comments.as_bytes()),
                ("word/footnotes.xml", footnotes.as_bytes()),
                ("word/header1.xml", header.as_bytes()),
                ("word/footer1.xml", empty_footer.as_bytes()),
            ],
        ))
        .unwrap();
        assert_eq!(t.len(), 4);
        assert_eq!(
            t[1],
            RawTurn::new(Some("I".into()), None, "Wat doet de coördinator?")
        );
        assert_eq!(t[2].speaker.as_deref(), Some("R"));
        assert_eq!(t[3].text, "Afsluiting.");
        assert_eq!(
            notes,
            vec![
                "2 comments left out".to_string(),
                "1 footnote left out".to_string(),
                "1 header left out".to_string()
            ]
        );
    }

    #[test]
    fn broken_side_parts_are_skipped_with_a_note_but_hostile_ones_refused() {
        let body = p(&r("R: ja"));
        let (t, notes) = turns(&docx(
            &body,
            &[("word/comments.xml", b"<w:comments><w:comment>")],
        ))
        .unwrap();
        assert_eq!(t[0].text, "ja");
        assert_eq!(notes.len(), 1);
        assert!(
            notes[0].starts_with("word/comments.xml is broken and was skipped"),
            "{notes:?}"
        );
        let hostile =
            br#"<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><w:hdr>&e;</w:hdr>"#;
        assert_eq!(
            turns(&docx(&body, &[("word/header1.xml", hostile)])),
            Err(IngestError::Doctype { part: HEADER_PART })
        );
    }

    #[test]
    fn word_transcription_layout() {
        let body = p(&r("00:00:03 Speaker 1"))
            + &p(&r("Goedemorgen, één vraag."))
            + &p(&r("00:00:09 Jan de Vries"))
            + &p(&r("Ja."));
        let (t, _) = turns(&docx(&body, &[])).unwrap();
        assert_eq!(
            t,
            vec![
                RawTurn::new(
                    Some("Speaker 1".into()),
                    Some(3.0),
                    "Goedemorgen, één vraag."
                ),
                RawTurn::new(Some("Jan de Vries".into()), Some(9.0), "Ja."),
            ]
        );
    }

    #[test]
    fn hostile_packages() {
        // Not a zip, a truncated zip, a zip without the document.
        assert!(matches!(
            turns(b"PK\x03\x04garbage"),
            Err(IngestError::Zip(_))
        ));
        let good = docx(&p(&r("R: ja")), &[]);
        assert!(matches!(
            turns(&good[..good.len() / 2]),
            Err(IngestError::Zip(_))
        ));
        let no_doc = zip_of(&[("word/other.xml", b"<a/>"), ("../../etc/passwd", b"x")]);
        assert_eq!(
            turns(&no_doc),
            Err(IngestError::MissingPart {
                part: "word/document.xml",
                kind: "Word"
            })
        );
        // A Windows zip tool's backslashes.
        let doc = format!(
            r#"<w:document xmlns:w="{W}"><w:body>{}</w:body></w:document>"#,
            p(&r("R: ja"))
        );
        let backslash = zip_of(&[("word\\document.xml", doc.as_bytes())]);
        assert_eq!(turns(&backslash).unwrap().0[0].text, "ja");
        // Entry names with ".." next to a real document do no harm.
        let doc = format!(
            r#"<w:document xmlns:w="{W}"><w:body>{}</w:body></w:document>"#,
            p(&r("R: ja"))
        );
        let dotdot = zip_of(&[
            ("../evil.xml", b"<a/>"),
            ("word/document.xml", doc.as_bytes()),
        ]);
        assert_eq!(turns(&dotdot).unwrap().0[0].text, "ja");
        // External entities: the DOCTYPE is refused, nothing is resolved.
        let xxe = format!(
            r#"<?xml version="1.0"?><!DOCTYPE w:document [<!ENTITY x SYSTEM "file:///etc/passwd">]><w:document xmlns:w="{W}"><w:body><w:p><w:r><w:t>&x;</w:t></w:r></w:p></w:body></w:document>"#
        );
        let z = zip_of(&[("word/document.xml", xxe.as_bytes())]);
        assert_eq!(
            turns(&z),
            Err(IngestError::Doctype {
                part: "word/document.xml"
            })
        );
        // Invalid UTF-8 in the XML.
        let z = zip_of(&[("word/document.xml", b"<w:document>\xe9</w:document>")]);
        assert_eq!(
            turns(&z),
            Err(IngestError::XmlNotUtf8 {
                part: "word/document.xml",
                offset: 12
            })
        );
        // Deep nesting.
        let deep = format!(
            r#"<w:document xmlns:w="{W}">{}{}</w:document>"#,
            "<w:sdt>".repeat(5000),
            "</w:sdt>".repeat(5000)
        );
        let z = zip_of(&[("word/document.xml", deep.as_bytes())]);
        assert!(matches!(turns(&z), Err(IngestError::TooDeep { .. })));
        // An empty body.
        assert_eq!(turns(&docx("<w:p/>", &[])), Err(IngestError::Empty));
    }

    #[test]
    fn decompression_bombs_stop_at_the_cap() {
        // 16 MiB of spaces inside a paragraph deflates to ~16 KiB.
        let mut doc = format!(r#"<w:document xmlns:w="{W}"><w:body><w:p><w:r><w:t>"#).into_bytes();
        doc.extend(std::iter::repeat_n(b' ', 16 << 20));
        doc.extend(b"</w:t></w:r></w:p></w:body></w:document>");
        let z = zip_of(&[("word/document.xml", &doc)]);
        assert!(z.len() < 1 << 20, "{}", z.len());
        let limits = Limits {
            inflated: 1 << 20,
            ..Limits::DEFAULT
        };
        assert_eq!(
            read_with(Format::Docx, &z, &limits),
            Err(IngestError::TooLarge {
                part: "word/document.xml".into(),
                limit: 1 << 20
            })
        );
        // Headers that lie about the inflated size: reading stops there (the zip crate checks
        // the declared size, and `take` caps the budget as well).
        let mut lying = z.clone();
        for (sig, at) in [(&b"PK\x03\x04"[..], 22), (&b"PK\x01\x02"[..], 24)] {
            let pos = lying.windows(4).position(|w| w == sig).unwrap();
            lying[pos + at..pos + at + 4].copy_from_slice(&100u32.to_le_bytes());
        }
        assert!(matches!(
            read_with(Format::Docx, &lying, &limits),
            Err(IngestError::Zip(m)) if m.contains("declared uncompressed size")
        ));
        // Too many entries.
        let names: Vec<String> = (0..50).map(|i| format!("f{i}")).collect();
        let entries: Vec<(&str, &[u8])> = names.iter().map(|n| (n.as_str(), &b""[..])).collect();
        let limits = Limits {
            entries: 20,
            ..Limits::DEFAULT
        };
        assert_eq!(
            read_with(Format::Docx, &zip_of(&entries), &limits),
            Err(IngestError::TooManyEntries {
                count: 50,
                limit: 20
            })
        );
    }
}
