//! The report's fixed words in its language (`--lang nl|en`, default `report_language` in
//! project.json, else English): "14 of 27 docenten" / "14 van de 27 docenten", nouns in the
//! number their count asks for ("1 zorgcoördinator", "2 passages"), and, with
//! `--number-words`, counts up to twenty as words the way a results chapter writes them
//! ("Veertien docenten van de 27", "Geen van de 9 leidinggevenden").
//!
//! Group nouns come from the project: the group id is the singular ("zorgcoördinator"), the
//! plural is project.json's ("zorgcoördinatoren").

use super::ExportError;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    #[default]
    En,
    Nl,
}

impl Lang {
    pub fn parse(s: &str) -> Result<Lang, ExportError> {
        match s.trim().to_lowercase().as_str() {
            "en" | "english" => Ok(Lang::En),
            "nl" | "dutch" | "nederlands" => Ok(Lang::Nl),
            _ => Err(ExportError::Unknown {
                what: "report language",
                value: s.to_string(),
                known: "nl, en".into(),
            }),
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Nl => "nl",
        }
    }
}

/// A noun in both numbers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Noun {
    pub one: String,
    pub many: String,
}

impl Noun {
    pub fn new(one: &str, many: &str) -> Noun {
        Noun {
            one: one.into(),
            many: many.into(),
        }
    }

    pub fn of(&self, n: usize) -> &str {
        if n == 1 { &self.one } else { &self.many }
    }
}

const NL: [&str; 21] = [
    "geen",
    "één",
    "twee",
    "drie",
    "vier",
    "vijf",
    "zes",
    "zeven",
    "acht",
    "negen",
    "tien",
    "elf",
    "twaalf",
    "dertien",
    "veertien",
    "vijftien",
    "zestien",
    "zeventien",
    "achttien",
    "negentien",
    "twintig",
];
const EN: [&str; 21] = [
    "none",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
    "twenty",
];

fn capitalise(s: &str) -> String {
    // Dutch writes "Eén" at the start of a sentence (Taalunie), not "Één".
    if s == "één" {
        return "Eén".into();
    }
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Words {
    pub lang: Lang,
    /// Counts up to twenty as words (`--number-words`).
    pub number_words: bool,
}

impl Words {
    /// n as a word (up to twenty, with `number_words`), else digits.
    pub fn number(&self, n: usize) -> String {
        match (self.number_words, self.lang) {
            (true, Lang::Nl) if n <= 20 => NL[n].into(),
            (true, Lang::En) if n <= 20 => EN[n].into(),
            _ => n.to_string(),
        }
    }

    /// "14 of 27 docenten", "1 of 1 zorgcoördinator"; nl "14 van de 27 docenten". With number
    /// words, as a sentence starts: "Fourteen of the 27 docenten", "Veertien docenten van de
    /// 27", "Eén van de 9 zorgcoördinatoren", "Geen van de 9 leidinggevenden".
    pub fn n_of_m(&self, n: usize, m: usize, noun: &Noun) -> String {
        // The noun follows the group size: "1 of 1 zorgcoördinator", "0 of 27 docenten".
        let of_m = noun.of(m);
        if !self.number_words || n > 20 {
            return match self.lang {
                Lang::En => format!("{n} of {m} {of_m}"),
                Lang::Nl => format!("{n} van de {m} {of_m}"),
            };
        }
        let word = capitalise(&self.number(n));
        match self.lang {
            Lang::En => format!("{word} of the {m} {of_m}"),
            Lang::Nl if n <= 1 => format!("{word} van de {m} {of_m}"),
            Lang::Nl => format!("{word} {} van de {m}", noun.many),
        }
    }

    /// "1 passage", "23 passages" (Dutch has the same word).
    pub fn passages(&self, n: usize) -> String {
        format!("{n} {}", if n == 1 { "passage" } else { "passages" })
    }

    /// "Not mentioned by any of the 9 docenten" / "Not mentioned by the 1 zorgcoördinator";
    /// nl "Door geen van de 9 docenten genoemd" / "Niet genoemd door de ene zorgcoördinator".
    pub fn not_mentioned(&self, size: usize, noun: &Noun) -> String {
        match (self.lang, size) {
            (Lang::En, 1) => format!("Not mentioned by the 1 {}", noun.one),
            (Lang::En, _) => format!("Not mentioned by any of the {size} {}", noun.many),
            (Lang::Nl, 1) => format!("Niet genoemd door de ene {}", noun.one),
            (Lang::Nl, _) => format!("Door geen van de {size} {} genoemd", noun.many),
        }
    }

    /// A school type's count in the split line: "vmbo 1 of 2" / "vmbo 1 van de 2".
    pub fn split(&self, what: &str, n: usize, m: usize) -> String {
        match self.lang {
            Lang::En => format!("{what} {n} of {m}"),
            Lang::Nl => format!("{what} {n} van de {m}"),
        }
    }

    /// A fixed word or phrase of the report in the language.
    pub fn t(&self, en: &'static str) -> &'static str {
        if self.lang == Lang::En {
            return en;
        }
        match en {
            "Results" => "Resultaten",
            "Overview" => "Overzicht",
            "Deelvraag" => "Deelvraag",
            "Code" => "Code",
            "Memo" => "Memo",
            "key quotes" => "kernquotes",
            "no key quote marked" => "geen kernquote gemarkeerd",
            "respondent" => "respondent",
            "respondents" => "respondenten",
            "school" => "school",
            "schools" => "scholen",
            "group" => "groep",
            "school type" => "schooltype",
            "only passages where" => "alleen passages waar",
            "only respondents with" => "alleen respondenten met",
            _ => en,
        }
    }

    /// "no key quote marked: the 2 shortest of 23 passages".
    pub fn shortest(&self, n: usize, of: usize) -> String {
        match self.lang {
            Lang::En => format!("no key quote marked: the {n} shortest of {of} passages"),
            Lang::Nl => format!("geen kernquote gemarkeerd: de {n} kortste van {of} passages"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_read_as_the_chapter_writes_them() {
        let docent = Noun::new("docent", "docenten");
        let zc = Noun::new("zorgcoördinator", "zorgcoördinatoren");
        let en = Words::default();
        assert_eq!(en.n_of_m(14, 27, &docent), "14 of 27 docenten");
        assert_eq!(en.n_of_m(1, 1, &zc), "1 of 1 zorgcoördinator");
        assert_eq!(
            en.not_mentioned(1, &zc),
            "Not mentioned by the 1 zorgcoördinator"
        );
        let nl = Words {
            lang: Lang::Nl,
            number_words: false,
        };
        assert_eq!(nl.n_of_m(14, 27, &docent), "14 van de 27 docenten");
        assert_eq!(nl.passages(1), "1 passage");
        assert_eq!(nl.passages(2), "2 passages");
        assert_eq!(
            nl.not_mentioned(9, &zc),
            "Door geen van de 9 zorgcoördinatoren genoemd"
        );
        let words = Words {
            lang: Lang::Nl,
            number_words: true,
        };
        assert_eq!(words.n_of_m(14, 27, &docent), "Veertien docenten van de 27");
        assert_eq!(words.n_of_m(8, 9, &zc), "Acht zorgcoördinatoren van de 9");
        assert_eq!(words.n_of_m(1, 9, &zc), "Eén van de 9 zorgcoördinatoren");
        assert_eq!(words.n_of_m(0, 9, &zc), "Geen van de 9 zorgcoördinatoren");
        assert_eq!(words.n_of_m(21, 27, &docent), "21 van de 27 docenten");
        let en_words = Words {
            lang: Lang::En,
            number_words: true,
        };
        assert_eq!(
            en_words.n_of_m(12, 27, &docent),
            "Twelve of the 27 docenten"
        );
        assert!(
            Lang::parse("fr")
                .unwrap_err()
                .to_string()
                .contains("nl, en")
        );
    }
}
