//! ltree path queries: `lquery` patterns and `ltxtquery` label searches, with the
//! semantics of PostgreSQL's ltree extension for the syntax documented in docs/where.md.
//! Implemented here (not delegated to the ltree extension) so the operators work without
//! `CREATE EXTENSION ltree` and mean the same thing in both evaluation forms.

use crate::guard;

/// PostgreSQL's own limits for ltree and lquery values (`LTREE_MAX_LEVELS`,
/// `LQUERY_MAX_LEVELS`): a path or pattern with more levels is not a valid value there
/// either, so it is rejected here rather than matched at any cost.
pub const MAX_LEVELS: usize = 65_535;
/// How deeply parentheses and `!` may nest in an ltxtquery. Parsing and matching recurse
/// once per nesting level (not per operator: `a | b | c` is one level), so this bounds the
/// stack at a few tens of KB; PostgreSQL's `check_stack_depth()` guards it as well.
pub const MAX_LTXTQUERY_NESTING: usize = 256;

/// One label test: text, case-insensitive (`@`), prefix (`*`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Variant {
    /// Lowercased when `ci`, so matching lowercases only the label.
    text: String,
    ci: bool,
    prefix: bool,
}

impl Variant {
    /// `lower` is the label lowercased, computed once per label by the caller.
    fn matches(&self, label: &str, lower: &str) -> bool {
        let l = if self.ci { lower } else { label };
        if self.prefix {
            l.starts_with(&self.text)
        } else {
            l == self.text
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Level {
    Star,
    Labels { negate: bool, variants: Vec<Variant> },
}

impl Level {
    fn accepts(&self, label: &str, lower: &str) -> bool {
        match self {
            Level::Star => true,
            Level::Labels { negate, variants } => variants.iter().any(|v| v.matches(label, lower)) != *negate,
        }
    }
}

/// A compiled lquery.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Lquery {
    levels: Vec<(Level, usize, usize)>,
}

fn label_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

fn variant(s: &str) -> Result<Variant, String> {
    let text: String = s.chars().take_while(|c| label_char(*c)).collect();
    if text.is_empty() {
        return Err(format!("empty label in {:?}", crate::where_spec::clip(s)));
    }
    let mut v = Variant { text: text.clone(), ci: false, prefix: false };
    for m in s[text.len()..].chars() {
        match m {
            '@' => v.ci = true,
            '*' => v.prefix = true,
            '%' => return Err("the % modifier is not supported".to_string()),
            other => return Err(format!("unexpected character {other:?} after label {text:?}")),
        }
    }
    if v.ci {
        v.text = v.text.to_lowercase();
    }
    Ok(v)
}

fn quantifier(s: &str) -> Result<(&str, usize, usize, bool), String> {
    let Some(open) = s.find('{') else { return Ok((s, 1, 1, false)) };
    let body = s[open + 1..].strip_suffix('}').ok_or_else(|| format!("unterminated quantifier in {s:?}"))?;
    let num = |t: &str| match t.parse::<usize>() {
        Ok(n) if n <= MAX_LEVELS => Ok(n),
        _ => Err(format!("bad quantifier {{{body}}}: bounds are integers from 0 to {MAX_LEVELS}")),
    };
    let (lo, hi) = match body.split_once(',') {
        None => (num(body)?, num(body)?),
        Some((a, b)) => (if a.is_empty() { 0 } else { num(a)? }, if b.is_empty() { usize::MAX } else { num(b)? }),
    };
    if lo > hi {
        return Err(format!("quantifier {{{body}}} has its lower bound above the upper one"));
    }
    Ok((&s[..open], lo, hi, true))
}

impl Lquery {
    pub fn parse(s: &str) -> Result<Lquery, String> {
        if s.is_empty() {
            return Err("empty lquery".into());
        }
        let mut levels = Vec::new();
        for part in s.split('.') {
            guard::interrupts();
            if levels.len() == MAX_LEVELS {
                return Err(format!("more than {MAX_LEVELS} levels"));
            }
            let (head, lo, hi, quantified) = quantifier(part)?;
            if head == "*" {
                let (lo, hi) = if quantified { (lo, hi) } else { (0, usize::MAX) };
                levels.push((Level::Star, lo, hi));
                continue;
            }
            let (negate, head) = match head.strip_prefix('!') {
                Some(h) => (true, h),
                None => (false, head),
            };
            let variants = head.split('|').map(variant).collect::<Result<Vec<_>, _>>()?;
            levels.push((Level::Labels { negate, variants }, lo, hi));
        }
        Ok(Lquery { levels })
    }

    /// Whether the whole path matches, in O(levels × labels) time at worst and
    /// O(labels) memory.
    ///
    /// `reach[s]` says that the levels seen so far match exactly `labels[..s]`. A level
    /// `(P, lo, hi)` then reaches `p` when some reachable `s` has `lo <= p - s <= hi` and
    /// every label in `s..p` satisfies `P`, i.e. `s` is at or after the label following
    /// the last label before `p` that fails `P`. A prefix count of `reach` answers "is
    /// some `s` in that window reachable" in O(1), so each level costs one pass over the
    /// positions that can be reached, `[first reachable, last reachable + hi]`: a pass
    /// over the path for `*`, a step of one for a plain label. (A backtracking matcher is
    /// exponential on patterns like `*.*.*.a`; the levels × labels table this replaces
    /// took 413 MB for a 40 KB path and pattern.)
    pub fn matches(&self, labels: &[String]) -> bool {
        let n = labels.len();
        let lower: Vec<String> = if self.levels.iter().any(|(l, ..)| Level::needs_lower(l)) {
            labels.iter().map(|l| l.to_lowercase()).collect()
        } else {
            Vec::new()
        };
        let lower_of = |i: usize| lower.get(i).map_or(labels[i].as_str(), String::as_str);
        let mut reach = vec![false; n + 1];
        let mut next = vec![false; n + 1];
        // count[i - first] = reachable positions in first..i.
        let mut count: Vec<usize> = Vec::with_capacity(n + 2);
        reach[0] = true;
        let (mut first, mut last) = (0usize, 0usize);
        for (level, lo, hi) in &self.levels {
            guard::interrupts();
            count.clear();
            count.push(0);
            for i in first..=last {
                count.push(count[i - first] + usize::from(reach[i]));
            }
            let reachable = |from: usize, to: usize| {
                let (from, to) = (from.max(first), to.min(last));
                from <= to && count[to + 1 - first] > count[from - first]
            };
            let end = last.saturating_add(*hi).min(n);
            let mut first_ok = first;
            let (mut new_first, mut new_last) = (usize::MAX, 0);
            for p in first..=end {
                if p > first && !level.accepts(&labels[p - 1], lower_of(p - 1)) {
                    first_ok = p;
                    if p > last {
                        break; // no reachable start remains before a failing label
                    }
                }
                let hit = p >= first + lo && reachable(first_ok.max(p.saturating_sub(*hi)), p - lo);
                if hit {
                    next[p] = true;
                    new_first = new_first.min(p);
                    new_last = p;
                }
            }
            for r in &mut reach[first..=last] {
                *r = false;
            }
            if new_first == usize::MAX {
                return false;
            }
            std::mem::swap(&mut reach, &mut next);
            (first, last) = (new_first, new_last);
        }
        reach[n]
    }
}

impl Level {
    fn needs_lower(&self) -> bool {
        matches!(self, Level::Labels { variants, .. } if variants.iter().any(|v| v.ci))
    }
}

/// A compiled ltxtquery: words combined with `&`, `|`, `!` and parentheses; a word
/// matches when some label of the path matches it. `&` and `|` chains are n-ary, so the
/// tree is only as deep as the parentheses and `!` nest.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Ltxtquery {
    Word(Variant),
    Not(Box<Ltxtquery>),
    And(Vec<Ltxtquery>),
    Or(Vec<Ltxtquery>),
}

impl Ltxtquery {
    pub fn parse(s: &str) -> Result<Ltxtquery, String> {
        let toks = tokenize(s)?;
        let mut p = TxtParser { t: &toks, pos: 0 };
        let q = p.or_expr(0)?;
        if p.pos != toks.len() {
            return Err(format!("unexpected {:?}", toks[p.pos]));
        }
        Ok(q)
    }

    pub fn matches(&self, labels: &[String]) -> bool {
        let lower: Vec<String> = labels.iter().map(|l| l.to_lowercase()).collect();
        self.test(labels, &lower)
    }

    /// Recursion depth is the nesting depth, at most [`MAX_LTXTQUERY_NESTING`].
    fn test(&self, labels: &[String], lower: &[String]) -> bool {
        guard::stack();
        match self {
            Ltxtquery::Word(v) => labels.iter().zip(lower).any(|(l, lo)| v.matches(l, lo)),
            Ltxtquery::Not(q) => !q.test(labels, lower),
            Ltxtquery::And(qs) => qs.iter().all(|q| q.test(labels, lower)),
            Ltxtquery::Or(qs) => qs.iter().any(|q| q.test(labels, lower)),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Tok {
    Word(String),
    Op(char),
}

fn tokenize(s: &str) -> Result<Vec<Tok>, String> {
    let mut out = Vec::new();
    let cs: Vec<char> = s.chars().collect();
    let mut i = 0;
    let mut tick = guard::Tick::default();
    while i < cs.len() {
        tick.tick();
        let c = cs[i];
        if c.is_whitespace() {
            i += 1;
        } else if "&|!()".contains(c) {
            out.push(Tok::Op(c));
            i += 1;
        } else if label_char(c) {
            let start = i;
            while i < cs.len() && (label_char(cs[i]) || "@*%".contains(cs[i])) {
                i += 1;
            }
            out.push(Tok::Word(cs[start..i].iter().collect()));
        } else {
            return Err(format!("unexpected character {c:?}"));
        }
    }
    if out.is_empty() {
        return Err("empty ltxtquery".into());
    }
    Ok(out)
}

/// Recursive descent whose depth grows only with `(` and `!`, bounded by
/// [`MAX_LTXTQUERY_NESTING`].
struct TxtParser<'t> {
    t: &'t [Tok],
    pos: usize,
}

impl TxtParser<'_> {
    fn at(&self, c: char) -> bool {
        self.t.get(self.pos) == Some(&Tok::Op(c))
    }

    fn or_expr(&mut self, depth: usize) -> Result<Ltxtquery, String> {
        let mut parts = vec![self.and_expr(depth)?];
        while self.at('|') {
            guard::interrupts();
            self.pos += 1;
            parts.push(self.and_expr(depth)?);
        }
        Ok(if parts.len() == 1 { parts.pop().expect("one") } else { Ltxtquery::Or(parts) })
    }

    fn and_expr(&mut self, depth: usize) -> Result<Ltxtquery, String> {
        let mut parts = vec![self.unary(depth)?];
        while self.at('&') {
            guard::interrupts();
            self.pos += 1;
            parts.push(self.unary(depth)?);
        }
        Ok(if parts.len() == 1 { parts.pop().expect("one") } else { Ltxtquery::And(parts) })
    }

    fn unary(&mut self, depth: usize) -> Result<Ltxtquery, String> {
        guard::stack();
        let nest = |d: usize| {
            if d >= MAX_LTXTQUERY_NESTING {
                Err(format!("parentheses and ! nested more than {MAX_LTXTQUERY_NESTING} levels deep"))
            } else {
                Ok(d + 1)
            }
        };
        match self.t.get(self.pos) {
            Some(Tok::Op('!')) => {
                self.pos += 1;
                let d = nest(depth)?;
                Ok(Ltxtquery::Not(Box::new(self.unary(d)?)))
            }
            Some(Tok::Op('(')) => {
                self.pos += 1;
                let d = nest(depth)?;
                let q = self.or_expr(d)?;
                if !self.at(')') {
                    return Err("missing )".into());
                }
                self.pos += 1;
                Ok(q)
            }
            Some(Tok::Word(w)) => {
                self.pos += 1;
                Ok(Ltxtquery::Word(variant(w)?))
            }
            other => Err(format!("expected a word, got {other:?}")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn path(s: &str) -> Vec<String> {
        s.split('.').map(String::from).collect()
    }

    #[test]
    fn lquery_semantics() {
        let m = |q: &str, p: &str| Lquery::parse(q).unwrap().matches(&path(p));
        assert!(m("Top.*", "Top.Science.Astronomy"));
        assert!(m("*.Astronomy", "Top.Science.Astronomy"));
        assert!(m("*.Science.*", "Top.Science.Astronomy"));
        assert!(!m("*.Science", "Top.Science.Astronomy"));
        assert!(m("Top.*{1}.Astronomy", "Top.Science.Astronomy"));
        assert!(!m("Top.*{2,}.Astronomy", "Top.Science.Astronomy"));
        assert!(m("top@.Sci*.*", "Top.Science.Astronomy"));
        assert!(m("top@.sci*@.*", "Top.Science.Astronomy"));
        assert!(!m("top.sci*.*", "Top.Science.Astronomy"));
        assert!(m("Top.!Hobbies.*", "Top.Science.Astronomy"));
        assert!(!m("Top.!Science|Hobbies.*", "Top.Science.Astronomy"));
        assert!(m("*.Science|Hobbies.*", "Top.Hobbies.Amateurs"));
        assert!(m("*.!Foo{2}", "A.B.C"));
        assert!(Lquery::parse("a.%b").is_err());
        assert!(Lquery::parse("a.b{3,1}").is_err());
        assert!(Lquery::parse("a..b").is_err());
    }

    #[test]
    fn ltxtquery_semantics() {
        let m = |q: &str, p: &str| Ltxtquery::parse(q).unwrap().matches(&path(p));
        assert!(m("Science & Astronomy", "Top.Science.Astronomy"));
        assert!(m("astro*@ & !Hobbies", "Top.Science.Astronomy"));
        assert!(!m("Science & !Astronomy", "Top.Science.Astronomy"));
        assert!(m("(Foo | Top) & Science", "Top.Science.Astronomy"));
        assert!(Ltxtquery::parse("a & (b").is_err());
        assert!(Ltxtquery::parse("").is_err());
    }
}
