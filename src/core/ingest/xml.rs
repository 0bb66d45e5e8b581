//! Zip packages and the XML inside them, read defensively.
//!
//! A package is opened once; each part is inflated through `Read::take` against a byte budget
//! shared by all parts, so a decompression bomb stops at the cap whatever its headers claim.
//! XML is parsed with quick-xml, which never expands entities by itself; on top of that a
//! DOCTYPE is refused outright (Word and LibreOffice never write one, and it is where external
//! or recursive entities would be declared), references other than the five predefined ones and
//! character references are errors, and nesting depth is capped.

use super::{IngestError, Limits};
use quick_xml::NsReader;
use quick_xml::events::{BytesStart, Event};
use quick_xml::name::ResolveResult;
use std::borrow::Cow;
use std::io::{Cursor, Read};
use zip::ZipArchive;
use zip::result::ZipError;

pub(crate) struct Package<'a> {
    archive: ZipArchive<Cursor<&'a [u8]>>,
    budget: u64,
    limit: u64,
}

impl<'a> Package<'a> {
    pub fn open(bytes: &'a [u8], limits: &Limits) -> Result<Self, IngestError> {
        if !bytes.starts_with(b"PK")
            && let Some(what) = super::text::sniff_container(bytes)
        {
            return Err(IngestError::WrongFormat(what));
        }
        let archive = ZipArchive::new(Cursor::new(bytes)).map_err(zip_error)?;
        if archive.len() > limits.entries {
            return Err(IngestError::TooManyEntries {
                count: archive.len(),
                limit: limits.entries,
            });
        }
        Ok(Package {
            archive,
            budget: limits.inflated,
            limit: limits.inflated,
        })
    }

    /// Entry names (names that are not UTF-8 are skipped: we only look for fixed ASCII names).
    pub fn names(&self) -> Vec<String> {
        self.archive
            .file_names()
            .filter_map(Result::ok)
            .map(std::borrow::Cow::into_owned)
            .collect()
    }

    /// Entries stored as symbolic links (a REFI-QDA reader refuses them rather than follow one).
    pub fn symlinks(&mut self) -> Vec<String> {
        (0..self.archive.len())
            .filter_map(|i| {
                let f = self.archive.by_index_raw(i).ok()?;
                f.is_symlink()
                    .then(|| f.name().map(|n| n.to_string()).ok())?
            })
            .collect()
    }

    /// The inflated bytes of one part, or `None` if the package has no such part.
    pub fn part(&mut self, name: &str) -> Result<Option<Vec<u8>>, IngestError> {
        // Some Windows zip tools write "word\document.xml", or change the case.
        let stored = if self.archive.index_for_name(name).is_some() {
            name.to_string()
        } else {
            match self
                .names()
                .into_iter()
                .find(|n| n.replace('\\', "/").eq_ignore_ascii_case(name))
            {
                Some(n) => n,
                None => return Ok(None),
            }
        };
        let file = match self.archive.by_name(&stored) {
            Ok(f) => f,
            Err(ZipError::FileNotFound) => return Ok(None),
            Err(ZipError::UnsupportedArchive(m)) if m == ZipError::PASSWORD_REQUIRED => {
                return Err(IngestError::Encrypted {
                    part: name.to_string(),
                });
            }
            Err(e) => return Err(zip_error(e)),
        };
        let too_large = || IngestError::TooLarge {
            part: name.to_string(),
            limit: self.limit,
        };
        // The declared size can lie, so it only gives an early refusal; `take` is the guard.
        if file.size() > self.budget {
            return Err(too_large());
        }
        let mut out = Vec::new();
        let mut limited = file.take(self.budget + 1);
        limited
            .read_to_end(&mut out)
            .map_err(|e| IngestError::Zip(format!("{name}: {e}")))?;
        let got = out.len() as u64;
        if got > self.budget {
            return Err(too_large());
        }
        self.budget -= got;
        Ok(Some(out))
    }
}

fn zip_error(e: ZipError) -> IngestError {
    match e {
        ZipError::UnsupportedArchive(m) if m == ZipError::PASSWORD_REQUIRED => {
            IngestError::Encrypted {
                part: "the package".to_string(),
            }
        }
        other => IngestError::Zip(other.to_string()),
    }
}

/// The namespaces the readers care about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Ns {
    /// WordprocessingML (transitional or strict).
    W,
    /// Markup compatibility (mc:AlternateContent).
    Mc,
    OdfText,
    OdfTable,
    OdfOffice,
    OdfStyle,
    Other,
}

fn classify(ns: &ResolveResult<'_>) -> Ns {
    match ns {
        ResolveResult::Bound(n) => match n.0 {
            "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
            | "http://purl.oclc.org/ooxml/wordprocessingml/main" => Ns::W,
            "http://schemas.openxmlformats.org/markup-compatibility/2006" => Ns::Mc,
            "urn:oasis:names:tc:opendocument:xmlns:text:1.0" => Ns::OdfText,
            "urn:oasis:names:tc:opendocument:xmlns:table:1.0" => Ns::OdfTable,
            "urn:oasis:names:tc:opendocument:xmlns:office:1.0" => Ns::OdfOffice,
            "urn:oasis:names:tc:opendocument:xmlns:style:1.0" => Ns::OdfStyle,
            _ => Ns::Other,
        },
        _ => Ns::Other,
    }
}

/// What the readers see of an XML document.
pub(crate) enum Node<'a> {
    /// An element opens (`empty`: it also closes at once, `<w:tab/>`).
    Open {
        ns: Ns,
        name: String,
        start: BytesStart<'a>,
        empty: bool,
    },
    Close {
        ns: Ns,
        name: String,
    },
    Text(Cow<'a, str>),
    Eof,
}

pub(crate) struct Xml<'a> {
    reader: NsReader<&'a [u8]>,
    part: &'static str,
    depth: usize,
    max_depth: usize,
}

impl<'a> Xml<'a> {
    /// Parse `bytes` (which must be UTF-8, as OOXML and ODF parts are) as part `part`.
    pub fn new(bytes: &'a [u8], part: &'static str, limits: &Limits) -> Result<Self, IngestError> {
        let bytes = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
        let text = std::str::from_utf8(bytes).map_err(|e| IngestError::XmlNotUtf8 {
            part,
            offset: e.valid_up_to(),
        })?;
        let mut reader = NsReader::from_str(text);
        let config = reader.config_mut();
        config.check_end_names = true;
        config.expand_empty_elements = false;
        Ok(Xml {
            reader,
            part,
            depth: 0,
            max_depth: limits.depth,
        })
    }

    fn error(&self, message: String) -> IngestError {
        IngestError::Xml {
            part: self.part,
            offset: self.reader.error_position(),
            message,
        }
    }

    pub fn next(&mut self) -> Result<Node<'a>, IngestError> {
        loop {
            let (ns, event) = match self.reader.read_resolved_event() {
                Ok((ns, event)) => (classify(&ns), event),
                Err(e) => return Err(self.error(e.to_string())),
            };
            match event {
                Event::Start(start) => {
                    self.depth += 1;
                    if self.depth > self.max_depth {
                        return Err(IngestError::TooDeep {
                            part: self.part,
                            limit: self.max_depth,
                        });
                    }
                    let name = start.local_name().as_ref().to_string();
                    return Ok(Node::Open {
                        ns,
                        name,
                        start,
                        empty: false,
                    });
                }
                Event::Empty(start) => {
                    let name = start.local_name().as_ref().to_string();
                    return Ok(Node::Open {
                        ns,
                        name,
                        start,
                        empty: true,
                    });
                }
                Event::End(end) => {
                    self.depth = self.depth.saturating_sub(1);
                    let name = end.local_name().as_ref().to_string();
                    return Ok(Node::Close { ns, name });
                }
                Event::Text(t) => return Ok(Node::Text(t.xml10_content())),
                Event::CData(c) => return Ok(Node::Text(c.xml10_content())),
                Event::GeneralRef(r) => {
                    let resolved = match r.resolve_char_ref() {
                        Ok(Some(c)) => c.to_string(),
                        Ok(None) => match predefined(&r) {
                            Some(s) => s.to_string(),
                            None => {
                                return Err(IngestError::UnknownEntity {
                                    part: self.part,
                                    name: r.xml10_content().into_owned(),
                                });
                            }
                        },
                        Err(e) => return Err(self.error(e.to_string())),
                    };
                    return Ok(Node::Text(Cow::Owned(resolved)));
                }
                Event::DocType(_) => return Err(IngestError::Doctype { part: self.part }),
                Event::Eof => {
                    if self.depth != 0 {
                        return Err(self.error("the document ends inside an element".into()));
                    }
                    return Ok(Node::Eof);
                }
                Event::Decl(_) | Event::PI(_) | Event::Comment(_) => {}
            }
        }
    }

    /// Skip to the end of the element just opened (non-empty), ignoring everything inside.
    pub fn skip_element(&mut self) -> Result<(), IngestError> {
        let target = self.depth;
        loop {
            match self.next()? {
                Node::Close { .. } if self.depth < target => return Ok(()),
                Node::Eof => return Err(self.error("unclosed element".into())),
                _ => {}
            }
        }
    }
}

/// A broken part that is left out anyway (comments, notes, headers) does not stop the import:
/// it gets a note. Hostile content (a DOCTYPE, entities, a bomb, absurd nesting) still does.
pub(crate) fn tolerate<T>(
    result: Result<T, IngestError>,
    part: &str,
    notes: &mut Vec<String>,
) -> Result<Option<T>, IngestError> {
    match result {
        Ok(v) => Ok(Some(v)),
        Err(e @ (IngestError::Xml { .. } | IngestError::XmlNotUtf8 { .. })) => {
            notes.push(format!("{part} is broken and was skipped ({e})"));
            Ok(None)
        }
        Err(e) => Err(e),
    }
}

fn predefined(name: &str) -> Option<&'static str> {
    Some(match name {
        "lt" => "<",
        "gt" => ">",
        "amp" => "&",
        "apos" => "'",
        "quot" => "\"",
        _ => return None,
    })
}

/// The value of attribute `local` (any prefix) on an element; only predefined and character
/// references are resolved.
pub(crate) fn attr(start: &BytesStart<'_>, local: &str) -> Option<String> {
    let mut attrs = start.attributes();
    attrs.with_checks(false);
    attrs
        .filter_map(Result::ok)
        .find(|a| a.key.local_name().as_ref() == local)
        .and_then(|a| {
            a.normalized_value(quick_xml::XmlVersion::Implicit1_0)
                .ok()
                .map(Cow::into_owned)
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(xml: &str) -> Result<String, IngestError> {
        let mut x = Xml::new(xml.as_bytes(), "test.xml", &Limits::DEFAULT)?;
        let mut out = String::new();
        loop {
            match x.next()? {
                Node::Text(t) => out.push_str(&t),
                Node::Eof => return Ok(out),
                _ => {}
            }
        }
    }

    #[test]
    fn predefined_and_char_references_resolve() {
        assert_eq!(texts("<a>&lt;&amp;&#233;&#x00EB;</a>").unwrap(), "<&éë");
    }

    #[test]
    fn doctype_and_unknown_entities_are_refused() {
        let xxe = r#"<?xml version="1.0"?><!DOCTYPE a [<!ENTITY x SYSTEM "file:///etc/passwd">]><a>&x;</a>"#;
        assert_eq!(texts(xxe), Err(IngestError::Doctype { part: "test.xml" }));
        assert_eq!(
            texts("<a>&x;</a>"),
            Err(IngestError::UnknownEntity {
                part: "test.xml",
                name: "x".to_string()
            })
        );
    }

    #[test]
    fn deep_nesting_is_capped() {
        let deep = "<a>".repeat(10_000) + &"</a>".repeat(10_000);
        assert_eq!(
            texts(&deep),
            Err(IngestError::TooDeep {
                part: "test.xml",
                limit: MAX
            })
        );
    }
    const MAX: usize = super::super::MAX_XML_DEPTH;

    #[test]
    fn broken_xml_and_encoding() {
        assert!(matches!(texts("<a><b></a>"), Err(IngestError::Xml { .. })));
        assert!(matches!(texts("<a>"), Err(IngestError::Xml { .. })));
        assert_eq!(
            Xml::new(b"<a>\xff</a>", "p", &Limits::DEFAULT).err(),
            Some(IngestError::XmlNotUtf8 {
                part: "p",
                offset: 3
            })
        );
    }
}
