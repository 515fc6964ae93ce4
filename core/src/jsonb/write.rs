//! JSON text → jsonb bytes, laid out exactly as PostgreSQL's `convertToJsonb` lays them
//! out. The extension reads jsonb that the server wrote; this writer exists so that the
//! reader, the where-spec engine and the shaper can be tested on real layouts without a
//! server, and so benchmarks and fuzzers can produce documents.

use super::numeric::encode_decimal;
use super::{
    key_order, JB_FARRAY, JB_FOBJECT, JB_FSCALAR, JB_OFFSET_STRIDE, JENTRY_HAS_OFF, JENTRY_ISBOOL_FALSE,
    JENTRY_ISBOOL_TRUE, JENTRY_ISCONTAINER, JENTRY_ISNULL, JENTRY_ISNUMERIC, JENTRY_ISSTRING, JENTRY_OFFLENMASK,
    JENTRY_TYPEMASK,
};
use std::fmt;

/// Why a JSON text could not be encoded (the same inputs `jsonb_in` rejects).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EncodeError {
    pub message: String,
    pub offset: usize,
}

impl fmt::Display for EncodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} at byte {}", self.message, self.offset)
    }
}

impl std::error::Error for EncodeError {}

enum Node {
    Null,
    Bool(bool),
    Number(Vec<u8>),
    String(String),
    Array(Vec<Node>),
    Object(Vec<(String, Node)>),
}

/// Encodes a JSON text as a jsonb payload (the bytes after the varlena header).
pub fn encode(json: &str) -> Result<Vec<u8>, EncodeError> {
    let mut p = Parser { s: json.as_bytes(), i: 0 };
    // Refused before it is parsed: the parsed tree costs a multiple of the text.
    if json.len() > MAX_ENCODE_BYTES {
        return Err(p.err("the JSON text is larger than a jsonb value can be (256 MB)"));
    }
    p.ws();
    let node = p.value(0)?;
    p.ws();
    if p.i != p.s.len() {
        return Err(p.err("trailing characters after the JSON value"));
    }
    let mut out = Vec::new();
    match node {
        Node::Array(_) | Node::Object(_) => {
            write_node(&mut out, &node);
        }
        scalar => {
            // A scalar root is stored as a one-element array flagged SCALAR.
            write_container(
                &mut out,
                std::slice::from_ref(&scalar).iter().map(|n| (None, n)),
                1,
                JB_FARRAY | JB_FSCALAR,
            );
        }
    }
    if out.len() > MAX_ENCODE_BYTES {
        return Err(p.err("the value is larger than a jsonb value can be (256 MB)"));
    }
    Ok(out)
}

/// PostgreSQL's limit on a jsonb value (`JENTRY_OFFLENMASK`): offsets past it would wrap.
const MAX_ENCODE_BYTES: usize = JENTRY_OFFLENMASK as usize;

fn pad(out: &mut Vec<u8>) -> usize {
    let n = (4 - out.len() % 4) % 4;
    out.extend(std::iter::repeat_n(0u8, n));
    n
}

/// Appends the node's data and returns its JEntry (type | length).
fn write_node(out: &mut Vec<u8>, node: &Node) -> u32 {
    match node {
        Node::Null => JENTRY_ISNULL,
        Node::Bool(false) => JENTRY_ISBOOL_FALSE,
        Node::Bool(true) => JENTRY_ISBOOL_TRUE,
        Node::String(s) => {
            out.extend_from_slice(s.as_bytes());
            JENTRY_ISSTRING | s.len() as u32
        }
        Node::Number(varlena) => {
            let padlen = pad(out);
            out.extend_from_slice(varlena);
            JENTRY_ISNUMERIC | (padlen + varlena.len()) as u32
        }
        Node::Array(items) => {
            let start = out.len();
            write_container(out, items.iter().map(|n| (None, n)), items.len(), JB_FARRAY);
            JENTRY_ISCONTAINER | (out.len() - start) as u32
        }
        Node::Object(members) => {
            let start = out.len();
            write_container(out, members.iter().map(|(k, v)| (Some(k.as_str()), v)), members.len(), JB_FOBJECT);
            JENTRY_ISCONTAINER | (out.len() - start) as u32
        }
    }
}

fn write_container<'n>(
    out: &mut Vec<u8>,
    children: impl Iterator<Item = (Option<&'n str>, &'n Node)>,
    count: usize,
    flags: u32,
) {
    pad(out);
    let base = out.len();
    out.extend_from_slice(&(count as u32 | flags).to_ne_bytes());
    let object = flags & JB_FOBJECT != 0;
    let n_entries = if object { count * 2 } else { count };
    let entries_at = out.len();
    out.extend(std::iter::repeat_n(0u8, n_entries * 4));
    let data_start = out.len();
    let children: Vec<_> = children.collect();
    let mut metas = Vec::with_capacity(n_entries);
    if object {
        for (k, _) in &children {
            let k = k.unwrap_or_default();
            out.extend_from_slice(k.as_bytes());
            metas.push(JENTRY_ISSTRING | k.len() as u32);
        }
    }
    for (_, v) in &children {
        metas.push(write_node(out, v));
    }
    let _ = base;
    let mut total = 0u32;
    for (i, meta) in metas.iter_mut().enumerate() {
        total += *meta & JENTRY_OFFLENMASK;
        if i % JB_OFFSET_STRIDE == 0 {
            *meta = (*meta & JENTRY_TYPEMASK) | total | JENTRY_HAS_OFF;
        }
    }
    debug_assert_eq!(total as usize, out.len() - data_start);
    for (i, meta) in metas.iter().enumerate() {
        out[entries_at + i * 4..entries_at + i * 4 + 4].copy_from_slice(&meta.to_ne_bytes());
    }
}

struct Parser<'s> {
    s: &'s [u8],
    i: usize,
}

const MAX_DEPTH: usize = 1000;

impl Parser<'_> {
    fn err(&self, m: &str) -> EncodeError {
        EncodeError { message: m.to_string(), offset: self.i }
    }

    fn ws(&mut self) {
        while self.i < self.s.len() && matches!(self.s[self.i], b' ' | b'\t' | b'\n' | b'\r') {
            self.i += 1;
        }
    }

    fn eat(&mut self, lit: &[u8]) -> bool {
        if self.s[self.i..].starts_with(lit) {
            self.i += lit.len();
            true
        } else {
            false
        }
    }

    fn value(&mut self, depth: usize) -> Result<Node, EncodeError> {
        if depth > MAX_DEPTH {
            return Err(self.err("JSON nested too deeply"));
        }
        match self.s.get(self.i) {
            None => Err(self.err("unexpected end of input")),
            Some(b'n') if self.eat(b"null") => Ok(Node::Null),
            Some(b't') if self.eat(b"true") => Ok(Node::Bool(true)),
            Some(b'f') if self.eat(b"false") => Ok(Node::Bool(false)),
            Some(b'"') => Ok(Node::String(self.string()?)),
            Some(b'[') => {
                self.i += 1;
                let mut items = Vec::new();
                self.ws();
                if self.eat(b"]") {
                    return Ok(Node::Array(items));
                }
                loop {
                    self.ws();
                    items.push(self.value(depth + 1)?);
                    self.ws();
                    if self.eat(b"]") {
                        return Ok(Node::Array(items));
                    }
                    if !self.eat(b",") {
                        return Err(self.err("expected ',' or ']'"));
                    }
                }
            }
            Some(b'{') => {
                self.i += 1;
                let mut members: Vec<(String, Node)> = Vec::new();
                self.ws();
                if !self.eat(b"}") {
                    loop {
                        self.ws();
                        if self.s.get(self.i) != Some(&b'"') {
                            return Err(self.err("expected a string key"));
                        }
                        let k = self.string()?;
                        self.ws();
                        if !self.eat(b":") {
                            return Err(self.err("expected ':'"));
                        }
                        self.ws();
                        let v = self.value(depth + 1)?;
                        members.push((k, v));
                        self.ws();
                        if self.eat(b"}") {
                            break;
                        }
                        if !self.eat(b",") {
                            return Err(self.err("expected ',' or '}'"));
                        }
                    }
                }
                // jsonb keeps the last of duplicate keys and sorts by (length, bytes).
                let mut seen: Vec<(String, Node)> = Vec::with_capacity(members.len());
                for (k, v) in members {
                    if let Some(slot) = seen.iter_mut().find(|(sk, _)| *sk == k) {
                        slot.1 = v;
                    } else {
                        seen.push((k, v));
                    }
                }
                seen.sort_by(|a, b| key_order(a.0.as_bytes(), b.0.as_bytes()));
                Ok(Node::Object(seen))
            }
            Some(b'-' | b'0'..=b'9') => self.number(),
            Some(_) => Err(self.err("unexpected character")),
        }
    }

    fn number(&mut self) -> Result<Node, EncodeError> {
        let start = self.i;
        let digits = |p: &mut Self| {
            let s = p.i;
            while p.i < p.s.len() && p.s[p.i].is_ascii_digit() {
                p.i += 1;
            }
            p.i - s
        };
        self.eat(b"-");
        let int_start = self.i;
        let n = digits(self);
        if n == 0 || (n > 1 && self.s[int_start] == b'0') {
            return Err(self.err("invalid number"));
        }
        if self.eat(b".") && digits(self) == 0 {
            return Err(self.err("invalid number"));
        }
        if self.i < self.s.len() && matches!(self.s[self.i], b'e' | b'E') {
            self.i += 1;
            if !self.eat(b"+") {
                self.eat(b"-");
            }
            if digits(self) == 0 {
                return Err(self.err("invalid number"));
            }
        }
        let text = std::str::from_utf8(&self.s[start..self.i]).expect("ASCII");
        let text = text.replace("e+", "e").replace("E+", "e");
        encode_decimal(&text).map(Node::Number).ok_or_else(|| self.err("number out of numeric range"))
    }

    fn hex4(&mut self) -> Result<u32, EncodeError> {
        let h = self.s.get(self.i..self.i + 4).ok_or_else(|| self.err("truncated \\u escape"))?;
        let h = std::str::from_utf8(h).map_err(|_| self.err("invalid \\u escape"))?;
        let v = u32::from_str_radix(h, 16).map_err(|_| self.err("invalid \\u escape"))?;
        self.i += 4;
        Ok(v)
    }

    fn string(&mut self) -> Result<String, EncodeError> {
        self.i += 1; // opening quote
        let mut out = String::new();
        loop {
            let start = self.i;
            while self.i < self.s.len() && !matches!(self.s[self.i], b'"' | b'\\') && self.s[self.i] >= 0x20 {
                self.i += 1;
            }
            out.push_str(std::str::from_utf8(&self.s[start..self.i]).map_err(|_| self.err("invalid UTF-8"))?);
            match self.s.get(self.i) {
                None => return Err(self.err("unterminated string")),
                Some(b'"') => {
                    self.i += 1;
                    return Ok(out);
                }
                Some(b'\\') => {
                    self.i += 1;
                    let c = *self.s.get(self.i).ok_or_else(|| self.err("truncated escape"))?;
                    self.i += 1;
                    match c {
                        b'"' => out.push('"'),
                        b'\\' => out.push('\\'),
                        b'/' => out.push('/'),
                        b'b' => out.push('\u{8}'),
                        b'f' => out.push('\u{c}'),
                        b'n' => out.push('\n'),
                        b'r' => out.push('\r'),
                        b't' => out.push('\t'),
                        b'u' => {
                            let mut cp = self.hex4()?;
                            if (0xD800..0xDC00).contains(&cp) {
                                if !self.eat(b"\\u") {
                                    return Err(self.err("unpaired surrogate"));
                                }
                                let lo = self.hex4()?;
                                if !(0xDC00..0xE000).contains(&lo) {
                                    return Err(self.err("unpaired surrogate"));
                                }
                                cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                            } else if (0xDC00..0xE000).contains(&cp) {
                                return Err(self.err("unpaired surrogate"));
                            }
                            if cp == 0 {
                                return Err(self.err("\\u0000 cannot be stored in jsonb"));
                            }
                            out.push(char::from_u32(cp).ok_or_else(|| self.err("invalid code point"))?);
                        }
                        _ => return Err(self.err("invalid escape")),
                    }
                }
                Some(_) => return Err(self.err("control character in string")),
            }
        }
    }
}
