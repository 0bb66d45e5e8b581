//! The code query language: codes combined with `AND`, `OR`, `NOT`, parentheses, `NEAR` (in the
//! same turn) and `FOLLOWED-BY` (later in the same transcript).
//!
//! Precedence, loosest first: `OR`, `AND`, `NOT`, then `NEAR` and `FOLLOWED-BY` (left to right):
//! `A AND B NEAR C` is `A AND (B NEAR C)`, `NOT A NEAR B` is `NOT (A NEAR B)`. Operators are
//! written in capitals, as in the search. A code is its id (`veilig-thuis`), or its name in
//! double quotes (`"Veilig Thuis"`); case and accents are ignored. `set:NAME` is a saved query.

use crate::core::codebook::Codebook;
use crate::core::text::fold_key as fold;

/// A parsed query; codes are positions in the codebook.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Expr {
    Code(usize),
    /// A saved respondent set, by name (expanded by the evaluator).
    Set(String),
    Not(Box<Expr>),
    And(Box<Expr>, Box<Expr>),
    Or(Box<Expr>, Box<Expr>),
    Near(Box<Expr>, Box<Expr>),
    FollowedBy(Box<Expr>, Box<Expr>),
}

/// What is wrong with a query, and where: `column` is 1-based, in characters.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("query column {column}: {message}")]
pub struct QueryError {
    pub column: usize,
    pub message: String,
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Open,
    Close,
    And,
    Or,
    Not,
    Near,
    Followed,
    Word(String),
    Quoted(String),
    End,
}

fn describe(t: &Tok) -> String {
    match t {
        Tok::Open => "(".into(),
        Tok::Close => ")".into(),
        Tok::And => "AND".into(),
        Tok::Or => "OR".into(),
        Tok::Not => "NOT".into(),
        Tok::Near => "NEAR".into(),
        Tok::Followed => "FOLLOWED-BY".into(),
        Tok::Word(w) => format!("\"{w}\""),
        Tok::Quoted(w) => format!("\"\\\"{w}\\\"\""),
        Tok::End => "the end of the query".into(),
    }
}

fn lex(q: &str) -> Result<Vec<(Tok, usize)>, QueryError> {
    let chars: Vec<char> = q.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let col = i + 1;
        if c.is_whitespace() || c.is_control() {
            i += 1;
        } else if c == '(' {
            out.push((Tok::Open, col));
            i += 1;
        } else if c == ')' {
            out.push((Tok::Close, col));
            i += 1;
        } else if c == '"' {
            let close = chars[i + 1..].iter().position(|&x| x == '"');
            let Some(len) = close else {
                return Err(QueryError {
                    column: col,
                    message: "unclosed \" (a code name in quotes needs a closing \")".into(),
                });
            };
            let name: String = chars[i + 1..i + 1 + len].iter().collect();
            out.push((Tok::Quoted(name), col));
            i += len + 2;
        } else {
            let start = i;
            while i < chars.len()
                && !chars[i].is_whitespace()
                && !matches!(chars[i], '(' | ')' | '"')
            {
                i += 1;
            }
            let w: String = chars[start..i].iter().collect();
            let tok = match w.as_str() {
                "AND" => Tok::And,
                "OR" => Tok::Or,
                "NOT" => Tok::Not,
                "NEAR" => Tok::Near,
                "FOLLOWED-BY" => Tok::Followed,
                _ => Tok::Word(w),
            };
            out.push((tok, col));
        }
    }
    out.push((Tok::End, chars.len() + 1));
    Ok(out)
}

/// Nesting deeper than this is refused: a query is a few codes, not a stress test.
const MAX_DEPTH: usize = 32;

struct Parser<'a> {
    toks: Vec<(Tok, usize)>,
    at: usize,
    codebook: &'a Codebook,
    depth: usize,
}

impl Parser<'_> {
    fn peek(&self) -> &Tok {
        &self.toks[self.at.min(self.toks.len() - 1)].0
    }
    fn col(&self) -> usize {
        self.toks[self.at.min(self.toks.len() - 1)].1
    }
    fn next(&mut self) -> (Tok, usize) {
        let t = self.toks[self.at.min(self.toks.len() - 1)].clone();
        self.at += 1;
        t
    }
    fn err<T>(&self, message: String) -> Result<T, QueryError> {
        Err(QueryError {
            column: self.col(),
            message,
        })
    }

    fn or(&mut self) -> Result<Expr, QueryError> {
        let mut left = self.and()?;
        while *self.peek() == Tok::Or {
            self.next();
            left = Expr::Or(Box::new(left), Box::new(self.and()?));
        }
        Ok(left)
    }

    fn and(&mut self) -> Result<Expr, QueryError> {
        let mut left = self.not()?;
        while *self.peek() == Tok::And {
            self.next();
            left = Expr::And(Box::new(left), Box::new(self.not()?));
        }
        Ok(left)
    }

    fn not(&mut self) -> Result<Expr, QueryError> {
        if *self.peek() == Tok::Not {
            self.next();
            self.depth += 1;
            if self.depth > MAX_DEPTH {
                return self.err(format!("more than {MAX_DEPTH} NOTs or parentheses deep"));
            }
            let e = self.not()?;
            self.depth -= 1;
            return Ok(Expr::Not(Box::new(e)));
        }
        self.near()
    }

    fn near(&mut self) -> Result<Expr, QueryError> {
        let mut left = self.primary()?;
        loop {
            match self.peek() {
                Tok::Near => {
                    self.next();
                    left = Expr::Near(Box::new(left), Box::new(self.primary()?));
                }
                Tok::Followed => {
                    self.next();
                    left = Expr::FollowedBy(Box::new(left), Box::new(self.primary()?));
                }
                _ => return Ok(left),
            }
        }
    }

    fn primary(&mut self) -> Result<Expr, QueryError> {
        let col = self.col();
        match self.next().0 {
            Tok::Open => {
                self.depth += 1;
                if self.depth > MAX_DEPTH {
                    return Err(QueryError {
                        column: col,
                        message: format!("more than {MAX_DEPTH} NOTs or parentheses deep"),
                    });
                }
                let e = self.or()?;
                if *self.peek() != Tok::Close {
                    return Err(QueryError {
                        column: col,
                        message: format!(
                            "this ( is not closed (found {} at column {})",
                            describe(self.peek()),
                            self.col()
                        ),
                    });
                }
                self.next();
                self.depth -= 1;
                Ok(e)
            }
            Tok::Word(w) if w.starts_with("set:") => {
                let name = w["set:".len()..].to_string();
                if name.is_empty() {
                    return Err(QueryError {
                        column: col,
                        message: "set: needs the name of a saved query".into(),
                    });
                }
                Ok(Expr::Set(name))
            }
            Tok::Word(w) | Tok::Quoted(w) => {
                code(self.codebook, &w)
                    .map(Expr::Code)
                    .map_err(|e| QueryError {
                        column: col,
                        message: e,
                    })
            }
            t => {
                self.at -= 1;
                let hint = match t {
                    Tok::And | Tok::Or | Tok::Near | Tok::Followed => {
                        " (an operator needs a code on both sides)"
                    }
                    Tok::Close => " (a ) without its (, or nothing inside)",
                    _ => "",
                };
                self.err(format!("expected a code, found {}{hint}", describe(&t)))
            }
        }
    }
}

/// A code by id or name, case and accents ignored; unknown: the codebook's one message for an
/// unknown code (near matches, or the codes there are).
fn code(cb: &Codebook, word: &str) -> Result<usize, String> {
    let w = fold(word);
    cb.codes
        .iter()
        .position(|c| c.id == word || fold(&c.id) == w || fold(&c.name) == w)
        .ok_or_else(|| cb.unknown_code(word))
}

/// Parse a query against a codebook.
pub fn parse(query: &str, codebook: &Codebook) -> Result<Expr, QueryError> {
    let toks = lex(query)?;
    let mut p = Parser {
        toks,
        at: 0,
        codebook,
        depth: 0,
    };
    if *p.peek() == Tok::End {
        return p.err("empty query: give a code, e.g. meldcode AND NOT veilig-thuis".into());
    }
    let e = p.or()?;
    match p.peek() {
        Tok::End => Ok(e),
        Tok::Close => p.err("a ) without its (".into()),
        t => {
            let t = describe(t);
            p.err(format!(
                "expected AND, OR, NEAR or FOLLOWED-BY before {t} (codes are joined by an operator)"
            ))
        }
    }
}
