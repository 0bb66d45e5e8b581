//! The checksum (`"sum"`) of a journal line that places a coding.
//!
//! `Project::load_lazy` takes a coding made on the cached version of an unchanged transcript
//! as on its words without reading the text ("vouched"). That is only sound for lines codewerk
//! wrote: a line edited by hand (or damaged) can keep its version, its quote's length and its
//! offsets and still name other words. So every line that places a coding carries a short
//! checksum of what places it, and only a line whose checksum is right vouches for its
//! coding; any other (a wrong sum, or none: journals from before sums, lines written by other
//! tools) has its transcript read and its coding checked against the text.
//!
//! What places a coding: for an `add` or `remove` (whose undo puts it back) the transcript, the
//! offsets, the version and the quote; for an `edit` or `reanchor` the coding's id and both
//! spans (the line does not name the transcript, the id does). Not the code or the memo: they
//! do not say where the coding is.
//!
//! The sum is FNV-1a over those fields, each with its length in front so that no two field
//! lists give the same bytes. It guards against mistakes, not against someone who wants to
//! forge a line (anyone who can edit the journal can write any coding anyway); FNV-1a is
//! stable across Rust versions and about as cheap as reading the bytes once.

use super::op::Op;
use super::passage::Span;
use serde::{Deserializer, Serializer, de};

/// Never the sum of anything (`finish` maps it away): what a `sum` that is not 16 hex digits
/// reads as, so that such a line is read, as a line with a wrong sum is, and not refused.
pub(super) const NEVER: u64 = 0;

/// FNV-1a written to field by field (`transcript::fnv1a` takes one slice).
struct Fnv(u64);

impl Fnv {
    fn new() -> Fnv {
        Fnv(0xcbf2_9ce4_8422_2325)
    }

    fn bytes(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 ^= u64::from(b);
            self.0 = self.0.wrapping_mul(0x0100_0000_01b3);
        }
    }

    /// A field: its length, then its bytes.
    fn field(&mut self, bytes: &[u8]) {
        self.bytes(&(bytes.len() as u64).to_le_bytes());
        self.bytes(bytes);
    }

    fn number(&mut self, n: u64) {
        self.bytes(&n.to_le_bytes());
    }

    fn version(&mut self, v: Option<&str>) {
        match v {
            // A tag byte: no version is not the empty version.
            None => self.bytes(&[0]),
            Some(v) => {
                self.bytes(&[1]);
                self.field(v.as_bytes());
            }
        }
    }

    fn span(&mut self, s: &Span) {
        self.number(s.start as u64);
        self.number(s.end as u64);
        self.version(s.version.as_deref());
        self.field(s.text.as_bytes());
    }

    fn finish(self) -> u64 {
        if self.0 == NEVER { 1 } else { self.0 }
    }
}

/// The sum of what `op` places (None: it places no coding).
pub(super) fn of(op: &Op) -> Option<u64> {
    let mut h = Fnv::new();
    match op {
        Op::Add(c) | Op::Remove(c) => {
            h.bytes(b"c");
            h.field(c.transcript.as_bytes());
            h.number(c.start as u64);
            h.number(c.end as u64);
            h.version(c.version.as_deref());
            h.field(c.text.as_bytes());
        }
        Op::Edit { id, before, after } | Op::Reanchor { id, before, after } => {
            h.bytes(b"s");
            h.number(*id);
            h.span(before);
            h.span(after);
        }
        _ => return None,
    }
    Some(h.finish())
}

/// `"sum": "0123456789abcdef"`: 16 hex digits, as a string because a JSON number above 2^53
/// does not survive every reader (JavaScript, jq).
pub(super) fn serialize<S: Serializer>(sum: &Option<u64>, s: S) -> Result<S::Ok, S::Error> {
    match sum {
        Some(n) => s.serialize_str(&format!("{n:016x}")),
        None => s.serialize_none(),
    }
}

/// Reads any string: one that is not 16 hex digits is a wrong sum (`NEVER`), not an unreadable
/// line (which would drop the coding from every count).
pub(super) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u64>, D::Error> {
    struct Hex;
    impl<'v> de::Visitor<'v> for Hex {
        type Value = Option<u64>;
        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("a checksum of 16 hex digits")
        }
        fn visit_str<E: de::Error>(self, s: &str) -> Result<Option<u64>, E> {
            let ok = s.len() == 16 && s.bytes().all(|b| b.is_ascii_hexdigit());
            Ok(Some(
                ok.then(|| u64::from_str_radix(s, 16).ok())
                    .flatten()
                    .unwrap_or(NEVER),
            ))
        }
        fn visit_unit<E: de::Error>(self) -> Result<Option<u64>, E> {
            Ok(None)
        }
        fn visit_none<E: de::Error>(self) -> Result<Option<u64>, E> {
            Ok(None)
        }
        fn visit_some<D: Deserializer<'v>>(self, d: D) -> Result<Option<u64>, D::Error> {
            d.deserialize_any(Hex)
        }
        // A number or anything else where the sum should be: wrong, not unreadable.
        fn visit_u64<E: de::Error>(self, _: u64) -> Result<Option<u64>, E> {
            Ok(Some(NEVER))
        }
        fn visit_i64<E: de::Error>(self, _: i64) -> Result<Option<u64>, E> {
            Ok(Some(NEVER))
        }
        fn visit_f64<E: de::Error>(self, _: f64) -> Result<Option<u64>, E> {
            Ok(Some(NEVER))
        }
        fn visit_bool<E: de::Error>(self, _: bool) -> Result<Option<u64>, E> {
            Ok(Some(NEVER))
        }
    }
    d.deserialize_any(Hex)
}

/// A journal line rewritten by codewerk itself (pseudonymisation moves offsets and changes
/// quotes): `new` gets the sum of what it places now when the line it replaces (`old`) vouched
/// for itself. A line that did not keeps its sum (or its lack of one): rewriting must not make
/// a line edited by hand look intact.
pub fn reseal(old: &str, new: &mut serde_json::Value) {
    let intact = super::op::Record::parse(old.trim()).is_ok_and(|r| r.sealed() == Some(true));
    if !intact {
        return;
    }
    let Ok(rec) = serde_json::from_value::<super::op::Record>(new.clone()) else {
        return;
    };
    if let (Some(sum), Some(obj)) = (of(&rec.op), new.as_object_mut()) {
        obj.insert("sum".into(), serde_json::Value::from(format!("{sum:016x}")));
    }
}
