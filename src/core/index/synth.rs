//! A synthetic corpus for benchmarks and tests: N interview transcripts of about W words each,
//! drawn from a Dutch vocabulary with inflected forms (plurals, verb forms, adjective endings,
//! diacritics), so that stemming and accent folding matter as in real interviews.
//! Deterministic for a given seed. Not real data: every word is random.
//!
//! Why this ships in the library rather than in a dev-only module: the scaling benchmarks time
//! whole processes of the release binary (`scripts/bench-*.sh` run `codewerk bench-corpus`,
//! then `codewerk search`, `rg`, ...), so that anyone can reproduce the README's figures with
//! the binary alone, on the machine where the real data lives, without a Rust toolchain. The
//! command is hidden from `--help`; the module is word lists and a generator, and adds nothing to
//! any other command's work.

use crate::core::fsutil;
use std::fmt::Write as _;
use std::path::Path;

/// Words that stem alike belong together: every entry lists the forms of one lemma.
const NOUNS: &[&[&str]] = &[
    &["leerling", "leerlingen", "leerlingetje"],
    &["ouder", "ouders"],
    &["docent", "docenten"],
    &["mentor", "mentoren", "mentors"],
    &["zorgcoördinator", "zorgcoördinatoren"],
    &["coördinator", "coördinatoren"],
    &["signaal", "signalen"],
    &["zorg", "zorgen"],
    &["melding", "meldingen"],
    &["meldcode", "meldcodes"],
    &["gesprek", "gesprekken", "gesprekje"],
    &["school", "scholen"],
    &["klas", "klassen"],
    &["vermoeden", "vermoedens"],
    &["situatie", "situaties"],
    &["thuissituatie", "thuissituaties"],
    &["kind", "kinderen", "kindje"],
    &["jongere", "jongeren"],
    &["collega", "collega's"],
    &["team", "teams"],
    &["afspraak", "afspraken"],
    &["protocol", "protocollen"],
    &["stap", "stappen"],
    &["vraag", "vragen"],
    &["gevoel", "gevoelens"],
    &["zorgteam", "zorgteams"],
    &["mishandeling"],
    &["kindermishandeling"],
    &["verwaarlozing"],
    &["wijkteam", "wijkteams"],
    &["jeugdarts", "jeugdartsen"],
    &["aandachtsfunctionaris", "aandachtsfunctionarissen"],
    &["directie"],
    &["beleid"],
    &["scholing"],
    &["training", "trainingen"],
    &["dossier", "dossiers"],
    &["verslag", "verslagen"],
    &["politie"],
    &["instantie", "instanties"],
    &["hulpverlener", "hulpverleners"],
    &["hulpverlening"],
    &["vertrouwen"],
    &["twijfel", "twijfels"],
    &["dilemma", "dilemma's"],
    &["idee", "ideeën"],
    &["knelpunt", "knelpunten"],
    &["ervaring", "ervaringen"],
    &["taak", "taken"],
    &["rol", "rollen"],
    &["verzuim"],
    &["gedrag"],
    &["verandering", "veranderingen"],
    &["week", "weken"],
    &["jaar", "jaren"],
    &["dag", "dagen"],
    &["moment", "momenten"],
    &["overleg", "overleggen"],
    &["leerjaar", "leerjaren"],
    &["mail", "mails"],
    &["reünie", "reünies"],
    &["privacy"],
];

const VERBS: &[&[&str]] = &[
    &[
        "signaleren",
        "signaleer",
        "signaleert",
        "signaleerde",
        "signaleerden",
        "gesignaleerd",
    ],
    &["melden", "meld", "meldt", "meldde", "meldden", "gemeld"],
    &[
        "bespreken",
        "bespreek",
        "bespreekt",
        "besprak",
        "bespraken",
        "besproken",
    ],
    &["praten", "praat", "praatte", "praatten", "gepraat"],
    &["zien", "zie", "ziet", "zag", "zagen", "gezien"],
    &["merken", "merk", "merkt", "merkte", "merkten", "gemerkt"],
    &[
        "vertellen",
        "vertel",
        "vertelt",
        "vertelde",
        "vertelden",
        "verteld",
    ],
    &["vragen", "vraag", "vraagt", "vroeg", "vroegen", "gevraagd"],
    &["verwijzen", "verwijs", "verwijst", "verwees", "verwezen"],
    &[
        "twijfelen",
        "twijfel",
        "twijfelt",
        "twijfelde",
        "getwijfeld",
    ],
    &["handelen", "handel", "handelt", "handelde", "gehandeld"],
    &["overleggen", "overleg", "overlegt", "overlegde", "overlegd"],
    &[
        "informeren",
        "informeer",
        "informeert",
        "informeerde",
        "geïnformeerd",
    ],
    &["inschakelen", "schakel", "schakelt", "ingeschakeld"],
    &["bellen", "bel", "belt", "belde", "belden", "gebeld"],
    &["werken", "werk", "werkt", "werkte", "werkten", "gewerkt"],
    &["denken", "denk", "denkt", "dacht", "dachten", "gedacht"],
    &["weten", "weet", "wist", "wisten", "geweten"],
    &["vinden", "vind", "vindt", "vond", "vonden", "gevonden"],
    &["proberen", "probeer", "probeert", "probeerde", "geprobeerd"],
    &["helpen", "help", "helpt", "hielp", "hielpen", "geholpen"],
    &["volgen", "volg", "volgt", "volgde", "gevolgd"],
    &["registreren", "registreer", "registreert", "geregistreerd"],
    &["beslissen", "beslis", "beslist", "besliste", "beslissen"],
    &["vertrouwen", "vertrouw", "vertrouwt", "vertrouwde"],
];

const ADJECTIVES: &[&[&str]] = &[
    &["moeilijk", "moeilijke", "moeilijker"],
    &["lastig", "lastige"],
    &["belangrijk", "belangrijke", "belangrijkste"],
    &["duidelijk", "duidelijke"],
    &["onveilig", "onveilige"],
    &["veilig", "veilige"],
    &["zorgelijk", "zorgelijke"],
    &["financieel", "financiële"],
    &["sociaal", "sociale"],
    &["emotioneel", "emotionele"],
    &["goed", "goede", "beter"],
    &["groot", "grote", "groter"],
    &["klein", "kleine"],
    &["nieuw", "nieuwe"],
    &["gescheiden"],
    &["huiselijk", "huiselijke"],
];

const FUNCTION: &[&str] = &[
    "de",
    "het",
    "een",
    "en",
    "of",
    "maar",
    "dat",
    "die",
    "dit",
    "is",
    "was",
    "zijn",
    "hebben",
    "heeft",
    "had",
    "ik",
    "je",
    "we",
    "wij",
    "ze",
    "zij",
    "hij",
    "u",
    "niet",
    "wel",
    "ook",
    "nog",
    "al",
    "dan",
    "als",
    "want",
    "omdat",
    "bij",
    "met",
    "voor",
    "van",
    "op",
    "in",
    "aan",
    "naar",
    "over",
    "uit",
    "door",
    "om",
    "te",
    "er",
    "hier",
    "daar",
    "heel",
    "erg",
    "echt",
    "gewoon",
    "eigenlijk",
    "natuurlijk",
    "eh",
    "nou",
    "ja",
    "nee",
    "toch",
    "zo",
    "wat",
    "hoe",
    "waarom",
    "vaak",
    "soms",
    "altijd",
    "nooit",
    "één",
    "twee",
    "wordt",
    "kan",
    "moet",
    "wil",
    "gaat",
];

/// Fixed expressions researchers search as phrases.
const PHRASES: &[&str] = &[
    "Veilig Thuis",
    "huiselijk geweld",
    "niet pluis",
    "de meldcode",
    "in gesprek gaan",
    "blauwe plekken",
    "het zorgteam",
    "de schoolmaatschappelijk werker",
    "een vermoeden van",
];

pub const GROUPS: [&str; 3] = ["docent", "zorgcoördinator", "leidinggevende"];
pub const SCHOOL_TYPES: [&str; 4] = ["praktijk", "vmbo", "vmbo-havo-vwo", "havo-vwo"];

/// SplitMix64: small, fast, good enough for text.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E3779B97F4A7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58476D1CE4E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D049BB133111EB);
        z ^ (z >> 31)
    }
    /// Uniform in 0..n.
    pub fn below(&mut self, n: usize) -> usize {
        ((self.next_u64() >> 11) as f64 / (1u64 << 53) as f64 * n as f64) as usize
    }
    /// Skewed towards low indices (roughly Zipf-like word frequencies).
    pub fn skewed(&mut self, n: usize) -> usize {
        let u = (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64;
        ((u * u * n as f64) as usize).min(n - 1)
    }
}

fn word(rng: &mut Rng) -> &'static str {
    let pick = |rng: &mut Rng, list: &[&[&'static str]]| {
        let forms = list[rng.skewed(list.len())];
        forms[rng.below(forms.len())]
    };
    match rng.below(100) {
        0..=49 => FUNCTION[rng.skewed(FUNCTION.len())],
        50..=74 => pick(rng, NOUNS),
        75..=89 => pick(rng, VERBS),
        _ => pick(rng, ADJECTIVES),
    }
}

/// One sentence of `n` words (roughly), appended to `out`. Returns the words written.
fn sentence(rng: &mut Rng, out: &mut String, question: bool) -> usize {
    let n = 6 + rng.below(14);
    let mut words = 0;
    for i in 0..n {
        if i > 0 {
            out.push(' ');
        }
        let w = if rng.below(40) == 0 {
            PHRASES[rng.below(PHRASES.len())]
        } else {
            word(rng)
        };
        if i == 0 {
            let mut cs = w.chars();
            if let Some(c) = cs.next() {
                out.extend(c.to_uppercase());
                out.push_str(cs.as_str());
            }
        } else {
            out.push_str(w);
        }
        words += w.split(' ').count();
        if i + 1 < n && rng.below(12) == 0 {
            out.push(',');
        }
    }
    out.push(if question { '?' } else { '.' });
    words
}

/// A transcript of about `words` words: interviewer questions and respondent answers as turns.
pub fn transcript_text(rng: &mut Rng, words: usize) -> String {
    let mut out = String::with_capacity(words * 7);
    let mut written = 0;
    while written < words {
        out.push_str("I: ");
        written += sentence(rng, &mut out, true);
        out.push_str("\n\nR: ");
        for k in 0..(2 + rng.below(8)) {
            if k > 0 {
                out.push(' ');
            }
            written += sentence(rng, &mut out, false);
        }
        out.push_str("\n\n");
    }
    out
}

/// What `write_corpus` wrote.
#[derive(Debug, Clone, Copy, Default)]
pub struct CorpusStats {
    pub transcripts: usize,
    pub bytes: u64,
}

/// Write a complete project of `n` synthetic transcripts into `dir` (created if needed).
pub fn write_corpus(dir: &Path, n: usize, words: usize, seed: u64) -> std::io::Result<CorpusStats> {
    std::fs::create_dir_all(dir.join("transcripts"))?;
    std::fs::create_dir_all(dir.join("codebook"))?;
    std::fs::create_dir_all(dir.join("codings"))?;
    let groups: Vec<String> = GROUPS
        .iter()
        .map(|g| format!("{{\"id\": \"{g}\", \"plural\": \"{g}s\"}}"))
        .collect();
    let types: Vec<String> = SCHOOL_TYPES.iter().map(|t| format!("\"{t}\"")).collect();
    fsutil::write_atomic(
        &dir.join("project.json"),
        format!(
            "{{\"name\": \"Synthetic corpus ({n} transcripts)\", \"groups\": [{}], \"school_types\": [{}]}}\n",
            groups.join(", "),
            types.join(", ")
        )
        .as_bytes(),
    )?;
    fsutil::write_atomic(
        &dir.join("codebook").join("codebook.json"),
        CODEBOOK.as_bytes(),
    )?;
    let mut rng = Rng::new(seed);
    let mut csv = String::from("id,file,group,school,school_type\n");
    let mut stats = CorpusStats::default();
    for i in 0..n {
        let id = format!("T{:05}", i + 1);
        let school = i / 5;
        let group = match i % 5 {
            0 => GROUPS[2],
            1 => GROUPS[1],
            _ => GROUPS[0],
        };
        let _ = writeln!(
            csv,
            "{id},{id}.txt,{group},School {school},{}",
            SCHOOL_TYPES[school % SCHOOL_TYPES.len()]
        );
        let text = transcript_text(&mut rng, words);
        stats.bytes += text.len() as u64;
        std::fs::write(dir.join("transcripts").join(format!("{id}.txt")), text)?;
        stats.transcripts += 1;
    }
    fsutil::write_atomic(
        &dir.join("transcripts").join("respondents.csv"),
        csv.as_bytes(),
    )?;
    Ok(stats)
}

const CODEBOOK: &str = r##"{
  "deelvragen": [
    {"number": 1, "title": "Signaleren en handelen", "question": "Hoe signaleren zij?"},
    {"number": 2, "title": "Knelpunten", "question": "Welke knelpunten?"},
    {"number": 3, "title": "Meldcode", "question": "Hoe werkt de meldcode?"}
  ],
  "codes": [
    {"id": "niet-pluis", "name": "Niet pluis gevoel", "deelvraag": 1, "colour_name": "geel", "colour": "#FFE135"},
    {"id": "meldcode", "name": "Meldcode", "deelvraag": 3, "colour_name": "blauw", "colour": "#3366FF"},
    {"id": "twijfel", "name": "Twijfel", "deelvraag": 2, "colour_name": "rood", "colour": "#CC3333"}
  ]
}
"##;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn corpus_loads_as_a_project() {
        let dir = tempfile::tempdir().unwrap();
        let stats = write_corpus(dir.path(), 6, 300, 7).unwrap();
        assert_eq!(stats.transcripts, 6);
        let p = crate::core::project::Project::load(dir.path()).unwrap();
        assert!(!p.has_errors(), "{:?}", p.problems);
        assert_eq!(p.transcripts.len(), 6);
        assert!(p.transcripts[0].word_count() >= 300);
        assert!(p.transcripts[0].turns().len() > 4);
        let again = transcript_text(&mut Rng::new(7), 300);
        assert_eq!(again, p.transcripts[0].text());
    }
}
