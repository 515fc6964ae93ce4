//! ltree path queries: `lquery` patterns and `ltxtquery` label searches, with the
//! semantics of PostgreSQL's ltree extension for the syntax documented in docs/where.md.
//! Implemented here (not delegated to the ltree extension) so the operators work without
//! `CREATE EXTENSION ltree` and mean the same thing in both evaluation forms.

/// One label test: text, case-insensitive (`@`), prefix (`*`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Variant {
    text: String,
    ci: bool,
    prefix: bool,
}

impl Variant {
    fn matches(&self, label: &str) -> bool {
        let (l, t) = if self.ci {
            (label.to_lowercase(), self.text.to_lowercase())
        } else {
            (label.to_string(), self.text.clone())
        };
        if self.prefix {
            l.starts_with(&t)
        } else {
            l == t
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Level {
    Star,
    Labels { negate: bool, variants: Vec<Variant> },
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
        return Err(format!("empty label in {s:?}"));
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
    Ok(v)
}

fn quantifier(s: &str) -> Result<(&str, usize, usize, bool), String> {
    let Some(open) = s.find('{') else { return Ok((s, 1, 1, false)) };
    let body = s[open + 1..].strip_suffix('}').ok_or_else(|| format!("unterminated quantifier in {s:?}"))?;
    let num = |t: &str| t.parse::<usize>().map_err(|_| format!("bad quantifier {{{body}}}"));
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

    pub fn matches(&self, labels: &[String]) -> bool {
        // memo[level][label] for the suffix match; small inputs, so a plain table.
        let (nl, nq) = (labels.len(), self.levels.len());
        let mut memo = vec![vec![None::<bool>; nl + 1]; nq + 1];
        self.from(0, 0, labels, &mut memo)
    }

    fn from(&self, q: usize, l: usize, labels: &[String], memo: &mut Vec<Vec<Option<bool>>>) -> bool {
        if let Some(r) = memo[q][l] {
            return r;
        }
        let r = if q == self.levels.len() {
            l == labels.len()
        } else {
            let (level, lo, hi) = &self.levels[q];
            let mut ok = false;
            let mut count = 0;
            loop {
                if count >= *lo && self.from(q + 1, l + count, labels, memo) {
                    ok = true;
                    break;
                }
                if count == *hi || l + count == labels.len() {
                    break;
                }
                let label = &labels[l + count];
                let hit = match level {
                    Level::Star => true,
                    Level::Labels { negate, variants } => variants.iter().any(|v| v.matches(label)) != *negate,
                };
                if !hit {
                    break;
                }
                count += 1;
            }
            ok
        };
        memo[q][l] = Some(r);
        r
    }
}

/// A compiled ltxtquery: words combined with `&`, `|`, `!` and parentheses; a word
/// matches when some label of the path matches it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Ltxtquery {
    Word(Variant),
    Not(Box<Ltxtquery>),
    And(Box<Ltxtquery>, Box<Ltxtquery>),
    Or(Box<Ltxtquery>, Box<Ltxtquery>),
}

impl Ltxtquery {
    pub fn parse(s: &str) -> Result<Ltxtquery, String> {
        let toks = tokenize(s)?;
        let mut pos = 0;
        let q = or_expr(&toks, &mut pos)?;
        if pos != toks.len() {
            return Err(format!("unexpected {:?}", toks[pos]));
        }
        Ok(q)
    }

    pub fn matches(&self, labels: &[String]) -> bool {
        match self {
            Ltxtquery::Word(v) => labels.iter().any(|l| v.matches(l)),
            Ltxtquery::Not(q) => !q.matches(labels),
            Ltxtquery::And(a, b) => a.matches(labels) && b.matches(labels),
            Ltxtquery::Or(a, b) => a.matches(labels) || b.matches(labels),
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
    while i < cs.len() {
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

fn or_expr(t: &[Tok], p: &mut usize) -> Result<Ltxtquery, String> {
    let mut left = and_expr(t, p)?;
    while t.get(*p) == Some(&Tok::Op('|')) {
        *p += 1;
        left = Ltxtquery::Or(Box::new(left), Box::new(and_expr(t, p)?));
    }
    Ok(left)
}

fn and_expr(t: &[Tok], p: &mut usize) -> Result<Ltxtquery, String> {
    let mut left = unary(t, p)?;
    while t.get(*p) == Some(&Tok::Op('&')) {
        *p += 1;
        left = Ltxtquery::And(Box::new(left), Box::new(unary(t, p)?));
    }
    Ok(left)
}

fn unary(t: &[Tok], p: &mut usize) -> Result<Ltxtquery, String> {
    match t.get(*p) {
        Some(Tok::Op('!')) => {
            *p += 1;
            Ok(Ltxtquery::Not(Box::new(unary(t, p)?)))
        }
        Some(Tok::Op('(')) => {
            *p += 1;
            let q = or_expr(t, p)?;
            if t.get(*p) != Some(&Tok::Op(')')) {
                return Err("missing )".into());
            }
            *p += 1;
            Ok(q)
        }
        Some(Tok::Word(w)) => {
            *p += 1;
            Ok(Ltxtquery::Word(variant(w)?))
        }
        other => Err(format!("expected a word, got {other:?}")),
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
