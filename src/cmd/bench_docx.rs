//! `codewerk bench-docx DIR` (hidden): write N synthetic interviews as .docx files, for the
//! import benchmark (scripts/bench-import.sh). Each paragraph is one turn, split into runs the
//! way Word splits them (mid-word, with a bold run now and then).

use crate::cli::BenchDocxOpt;
use anyhow::{Context, Result};
use codewerk::core::index::synth::{Rng, transcript_text};
use std::io::Write;

const CONTENT_TYPES: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>"#;
const RELS: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>"#;

pub fn run(o: &BenchDocxOpt) -> Result<()> {
    std::fs::create_dir_all(&o.dir)
        .with_context(|| format!("cannot create {}", o.dir.display()))?;
    let mut rng = Rng::new(o.seed);
    let mut bytes = 0u64;
    for i in 0..o.files {
        let text = transcript_text(&mut rng, o.words);
        let mut body = String::with_capacity(text.len() * 2);
        for para in text.split("\n\n").filter(|p| !p.trim().is_empty()) {
            body.push_str("<w:p><w:pPr><w:pStyle w:val=\"Normal\"/></w:pPr>");
            let chars: Vec<char> = para.chars().collect();
            let mut at = 0;
            while at < chars.len() {
                let len = (20 + rng.below(60)).min(chars.len() - at);
                let run: String = chars[at..at + len].iter().collect();
                let run = run
                    .replace('&', "&amp;")
                    .replace('<', "&lt;")
                    .replace('>', "&gt;");
                let bold = if rng.below(10) == 0 {
                    "<w:rPr><w:b/></w:rPr>"
                } else {
                    ""
                };
                body.push_str(&format!(
                    "<w:r>{bold}<w:t xml:space=\"preserve\">{run}</w:t></w:r>"
                ));
                at += len;
            }
            body.push_str("</w:p>");
        }
        let document = format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?><w:document xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\"><w:body>{body}<w:sectPr/></w:body></w:document>"
        );
        let path = o.dir.join(format!("interview-{:04}.docx", i + 1));
        let file = std::fs::File::create(&path)
            .with_context(|| format!("cannot create {}", path.display()))?;
        let mut z = zip::ZipWriter::new(file);
        let opt = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        for (name, part) in [
            ("[Content_Types].xml", CONTENT_TYPES),
            ("_rels/.rels", RELS),
            ("word/document.xml", document.as_str()),
        ] {
            z.start_file(name, opt)?;
            z.write_all(part.as_bytes())?;
        }
        z.finish()?;
        bytes += std::fs::metadata(&path).map_or(0, |m| m.len());
    }
    println!(
        "wrote {} .docx files of about {} words, {:.1} MB, to {}",
        o.files,
        o.words,
        bytes as f64 / 1e6,
        o.dir.display()
    );
    Ok(())
}
