//! One export to make (`Request`): which export, in which format, for which coder, with
//! which filter, and the file name that follows from it.

use super::error::ExportError;
use super::select::{Filter, Selection};
use super::{cooccurrence, words};
use crate::core::codebook::slug;

/// Which export.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    Quotes,
    Summary,
    Report,
    Matrix,
    Cooccurrence,
}

impl Kind {
    pub fn name(self) -> &'static str {
        match self {
            Kind::Quotes => "quotes",
            Kind::Summary => "summary",
            Kind::Report => "report",
            Kind::Matrix => "matrix",
            Kind::Cooccurrence => "cooccurrence",
        }
    }

    /// The formats this export can be written in; the first is the default.
    pub fn formats(self) -> &'static [Format] {
        match self {
            Kind::Quotes | Kind::Summary | Kind::Matrix | Kind::Cooccurrence => {
                &[Format::Csv, Format::Xlsx, Format::Json]
            }
            Kind::Report => &[Format::Md, Format::Html, Format::Json],
        }
    }

    pub fn default_format(self) -> Format {
        self.formats()[0]
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    Csv,
    Xlsx,
    Json,
    Md,
    Html,
}

impl Format {
    pub fn extension(self) -> &'static str {
        match self {
            Format::Csv => "csv",
            Format::Xlsx => "xlsx",
            Format::Json => "json",
            Format::Md => "md",
            Format::Html => "html",
        }
    }

    pub fn parse(s: &str) -> Option<Format> {
        Some(match s.to_ascii_lowercase().as_str() {
            "csv" => Format::Csv,
            "xlsx" | "excel" => Format::Xlsx,
            "json" => Format::Json,
            "md" | "markdown" => Format::Md,
            "html" | "htm" => Format::Html,
            _ => return None,
        })
    }
}

/// One export to make.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    pub kind: Kind,
    pub coder: String,
    pub filter: Filter,
    pub format: Format,
    /// CSV for Excel in a Dutch locale: UTF-8 BOM, `;` between fields, decimal comma, CRLF.
    pub excel: bool,
    /// Matrix only: cells 0/1 instead of passage counts.
    pub binary: bool,
    /// Co-occurrence only: what counts as occurring together.
    pub co_unit: cooccurrence::CoUnit,
    /// Report only (`--key-quotes`): per code and group only the passages marked as key quotes;
    /// where none is marked, the this many shortest (`--shortest N`).
    pub key_quotes: Option<usize>,
    /// Report only: the language of its fixed words (`--lang`); None: project.json's
    /// `report_language`, else English.
    pub lang: Option<words::Lang>,
    /// Report only: counts up to twenty as words ("Veertien docenten van de 27").
    pub number_words: bool,
}

impl Request {
    pub fn new(kind: Kind, coder: &str) -> Request {
        Request {
            kind,
            coder: coder.to_string(),
            filter: Filter::default(),
            format: kind.default_format(),
            excel: false,
            binary: false,
            co_unit: cooccurrence::CoUnit::default(),
            key_quotes: None,
            lang: None,
            number_words: false,
        }
    }

    /// Refuse combinations that make no sense, naming what to use instead.
    pub fn validate(&self) -> Result<(), ExportError> {
        if !self.kind.formats().contains(&self.format) {
            return Err(ExportError::Format {
                kind: self.kind.name(),
                format: self.format.extension(),
                allowed: self
                    .kind
                    .formats()
                    .iter()
                    .map(|f| f.extension())
                    .collect::<Vec<_>>()
                    .join(", "),
            });
        }
        if self.excel && self.format != Format::Csv {
            return Err(ExportError::Usage(format!(
                "--excel is a CSV variant; it cannot be combined with --format {}",
                self.format.extension()
            )));
        }
        if self.binary && self.kind != Kind::Matrix {
            return Err(ExportError::Usage(
                "--binary applies to `export matrix` only".into(),
            ));
        }
        if (self.lang.is_some() || self.number_words) && self.kind != Kind::Report {
            return Err(ExportError::Usage(
                "--lang and --number-words apply to `export report` only".into(),
            ));
        }
        if self.key_quotes.is_some() && self.kind != Kind::Report {
            return Err(ExportError::Usage(
                "--key-quotes applies to `export report` only".into(),
            ));
        }
        if self.co_unit != cooccurrence::CoUnit::default() && self.kind != Kind::Cooccurrence {
            return Err(ExportError::Usage(
                "--unit applies to `export cooccurrence` only".into(),
            ));
        }
        Ok(())
    }

    /// The file name an export gets by default, after what was exported:
    /// `quotes-student-dv1-docent.csv`, `matrix-student-binary.xlsx`, `summary-student-excel.csv`.
    pub fn file_name(&self, sel: &Selection) -> String {
        let mut parts = vec![self.kind.name().to_string(), name_part(&self.coder)];
        let f = &self.filter;
        if !f.deelvragen.is_empty() {
            parts.extend(sel.deelvragen.iter().map(|d| format!("dv{}", d.number)));
        }
        if !f.groups.is_empty() {
            parts.extend(sel.groups.iter().map(|g| name_part(g)));
        }
        if !f.school_types.is_empty() {
            parts.extend(sel.school_types.iter().map(|t| name_part(t)));
        }
        if !f.codes.is_empty() {
            parts.extend(sel.codes.iter().map(|c| name_part(&c.id)));
        }
        for a in &f.attrs {
            parts.push(name_part(a));
        }
        if let Some(by) = &f.by {
            parts.push(format!("by-{}", name_part(by)));
        }
        if let Some(bins) = &f.bins {
            parts.push(format!("bins-{}", name_part(bins)));
        }
        if let Some(w) = &f.where_query {
            parts.push(format!("where-{}", name_part(w)));
        }
        if let Some(a) = &f.among {
            parts.push(format!("among-{}", name_part(a)));
        }
        if self.binary {
            parts.push("binary".into());
        }
        if self.co_unit != cooccurrence::CoUnit::default() {
            parts.push(self.co_unit.name().into());
        }
        if self.key_quotes.is_some() {
            parts.push("key-quotes".into());
        }
        if self.excel {
            parts.push("excel".into());
        }
        let mut stem = parts.join("-");
        // File systems allow 255 bytes a name: with many filters, keep the start and make the
        // rest a short hash, so that different selections still get different names.
        if stem.len() > 120 {
            let hash = crate::core::transcript::fnv1a(stem.as_bytes());
            stem = format!("{}-{hash:016x}", &stem[..100]);
        }
        format!("{stem}.{}", self.format.extension())
    }
}

fn name_part(s: &str) -> String {
    let s = slug(s);
    if s.is_empty() { "x".into() } else { s }
}

#[cfg(test)]
mod tests {
    use super::super::testutil;
    use super::*;

    #[test]
    fn file_names_follow_the_request() {
        let dir = tempfile::tempdir().unwrap();
        let p = testutil::project(dir.path());
        let mut req = Request::new(Kind::Quotes, "ann");
        req.filter.groups = vec!["zorgcoördinator".into()];
        req.filter.deelvragen = vec![1];
        req.excel = true;
        let sel = req.filter.resolve(&p).unwrap();
        assert_eq!(
            req.file_name(&sel),
            "quotes-ann-dv1-zorgcoordinator-excel.csv"
        );
    }

    #[test]
    fn invalid_combinations_are_refused() {
        let mut req = Request::new(Kind::Report, "ann");
        req.format = Format::Csv;
        assert!(req.validate().unwrap_err().to_string().contains("md, html"));
        let mut req = Request::new(Kind::Quotes, "ann");
        req.format = Format::Xlsx;
        req.excel = true;
        assert!(req.validate().is_err());
        let mut req = Request::new(Kind::Quotes, "ann");
        req.binary = true;
        assert!(req.validate().is_err());
    }
}
