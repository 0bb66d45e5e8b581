//! The codebook's live codes in file order, with the lookups by id that are made per coding
//! (exports, counts) and per code (the code tree): a scan of the list for each made those
//! quadratic in a codebook of 10,000 codes.
//!
//! The list can only be changed through this type, and every change rebuilds the lookups
//! (or, for one code whose id and parent stayed, keeps them), so they cannot go stale. Reading
//! is through `Deref` to `[Code]`: `codes.iter()`, `codes[i]`, `codes.len()` as on a `Vec`.

use super::codebook::Code;
use std::collections::HashMap;
use std::fmt;
use std::ops::Deref;

#[derive(Clone, Default)]
pub struct Codes {
    list: Vec<Code>,
    /// The position of each id: its first, as a scan from the start finds it (a codebook
    /// with a duplicate id is refused on load, but one may be built in memory).
    by_id: HashMap<String, usize>,
    /// The positions of each code's direct sub-codes, in file order.
    children: HashMap<String, Vec<usize>>,
}

impl Codes {
    pub fn new(list: Vec<Code>) -> Codes {
        let mut codes = Codes {
            list,
            by_id: HashMap::new(),
            children: HashMap::new(),
        };
        codes.reindex();
        codes
    }

    fn reindex(&mut self) {
        self.by_id.clear();
        self.children.clear();
        for (i, c) in self.list.iter().enumerate() {
            self.by_id.entry(c.id.clone()).or_insert(i);
            if let Some(p) = &c.parent {
                self.children.entry(p.clone()).or_default().push(i);
            }
        }
    }

    /// The position of the code with this id.
    pub fn index_of(&self, id: &str) -> Option<usize> {
        self.by_id.get(id).copied()
    }

    /// The code with this id.
    pub fn by_id(&self, id: &str) -> Option<&Code> {
        self.index_of(id).map(|i| &self.list[i])
    }

    /// The positions of the codes whose parent is `id`, in file order.
    pub fn children_of(&self, id: &str) -> &[usize] {
        self.children.get(id).map_or(&[], Vec::as_slice)
    }

    pub fn insert(&mut self, at: usize, code: Code) {
        self.list.insert(at.min(self.list.len()), code);
        self.reindex();
    }

    pub fn remove(&mut self, at: usize) -> Option<Code> {
        if at >= self.list.len() {
            return None;
        }
        let code = self.list.remove(at);
        self.reindex();
        Some(code)
    }

    pub fn push(&mut self, code: Code) {
        self.extend([code]);
    }

    pub fn extend(&mut self, more: impl IntoIterator<Item = Code>) {
        self.list.extend(more);
        self.reindex();
    }

    /// Change one code in place. The lookups are rebuilt only if its id or parent changed.
    pub fn update_at<R>(&mut self, at: usize, f: impl FnOnce(&mut Code) -> R) -> Option<R> {
        let c = self.list.get_mut(at)?;
        let (id, parent) = (c.id.clone(), c.parent.clone());
        let out = f(c);
        if c.id != id || c.parent != parent {
            self.reindex();
        }
        Some(out)
    }

    /// Change any of the codes (not their number or order); the lookups are rebuilt after.
    pub fn update<R>(&mut self, f: impl FnOnce(&mut [Code]) -> R) -> R {
        let out = f(&mut self.list);
        self.reindex();
        out
    }

    pub fn into_vec(self) -> Vec<Code> {
        self.list
    }
}

impl From<Vec<Code>> for Codes {
    fn from(list: Vec<Code>) -> Codes {
        Codes::new(list)
    }
}

impl Deref for Codes {
    type Target = [Code];
    fn deref(&self) -> &[Code] {
        &self.list
    }
}

impl<'a> IntoIterator for &'a Codes {
    type Item = &'a Code;
    type IntoIter = std::slice::Iter<'a, Code>;
    fn into_iter(self) -> Self::IntoIter {
        self.list.iter()
    }
}

/// Equal when the lists are: the lookups follow from them.
impl PartialEq for Codes {
    fn eq(&self, other: &Codes) -> bool {
        self.list == other.list
    }
}

impl fmt::Debug for Codes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.list.fmt(f)
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::core::codebook::Rgb;
    use proptest::prelude::*;

    fn code(id: &str, parent: Option<&str>) -> Code {
        Code {
            id: id.into(),
            name: id.to_uppercase(),
            deelvraag: 1,
            category: None,
            colour_name: "rood".into(),
            colour: Rgb(200, 0, 0),
            description: String::new(),
            inductive: false,
            guid: None,
            parent: parent.map(str::to_string),
        }
    }

    /// The lookups agree with a scan of the list, for every id in it and some that are not.
    pub(crate) fn assert_as_scanned(codes: &Codes) {
        let names = ["a", "b", "c", "d", "e", "f", "zz", ""];
        for id in codes.iter().map(|c| c.id.as_str()).chain(names) {
            assert_eq!(
                codes.index_of(id),
                codes.iter().position(|c| c.id == id),
                "index_of({id:?}) in {codes:?}"
            );
            assert_eq!(codes.by_id(id), codes.iter().find(|c| c.id == id));
            let scanned: Vec<usize> = (0..codes.len())
                .filter(|&i| codes[i].parent.as_deref() == Some(id))
                .collect();
            assert_eq!(codes.children_of(id), scanned, "children_of({id:?})");
        }
    }

    #[derive(Debug, Clone)]
    enum Op {
        Insert(usize, u8, Option<u8>),
        Remove(usize),
        Extend(Vec<(u8, Option<u8>)>),
        Rename(usize, u8),
        Reparent(usize, Option<u8>),
        RenameAll(u8),
    }

    fn id(n: u8) -> String {
        ["a", "b", "c", "d", "e", "f"][usize::from(n % 6)].to_string()
    }

    fn op() -> impl Strategy<Value = Op> {
        let parent = proptest::option::of(0u8..6);
        prop_oneof![
            (0usize..8, 0u8..6, parent.clone()).prop_map(|(a, n, p)| Op::Insert(a, n, p)),
            (0usize..8).prop_map(Op::Remove),
            proptest::collection::vec((0u8..6, parent.clone()), 0..3).prop_map(Op::Extend),
            (0usize..8, 0u8..6).prop_map(|(a, n)| Op::Rename(a, n)),
            (0usize..8, parent).prop_map(|(a, p)| Op::Reparent(a, p)),
            (0u8..6).prop_map(Op::RenameAll),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]
        #[test]
        fn lookups_stay_as_scanned_through_every_change(ops in proptest::collection::vec(op(), 0..20)) {
            let mut codes = Codes::new(vec![code("a", None), code("b", Some("a"))]);
            assert_as_scanned(&codes);
            for op in ops {
                match op {
                    Op::Insert(at, n, p) => codes.insert(at, code(&id(n), p.map(id).as_deref())),
                    Op::Remove(at) => { codes.remove(at); }
                    Op::Extend(more) => codes.extend(
                        more.into_iter().map(|(n, p)| code(&id(n), p.map(id).as_deref())),
                    ),
                    Op::Rename(at, n) => { codes.update_at(at, |c| c.id = id(n)); }
                    Op::Reparent(at, p) => { codes.update_at(at, |c| c.parent = p.map(id)); }
                    Op::RenameAll(n) => codes.update(|cs| {
                        if let Some(c) = cs.first_mut() {
                            c.id = id(n);
                        }
                    }),
                }
                assert_as_scanned(&codes);
            }
        }
    }
}
