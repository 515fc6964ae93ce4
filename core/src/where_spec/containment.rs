//! A containment document built from equalities: `{"machine": {"id": "m1"}, "is_current": true}`
//! from `machine.id = "m1"` and `is_current = true`. The compiled SQL turns AND-ed
//! equalities into one `@>` test with it, and the planner support derives the GIN index
//! condition from it.

use crate::jsonb::write_json_string;

/// A containment document being built: members merged by key.
pub(super) enum Containment {
    Leaf(String),
    Obj(Vec<(String, Containment)>),
}

impl Containment {
    pub(super) fn empty() -> Containment {
        Containment::Obj(Vec::new())
    }

    pub(super) fn is_empty(&self) -> bool {
        matches!(self, Containment::Obj(m) if m.is_empty())
    }

    /// Adds `path: json`; false (and nothing added) when it conflicts with a member
    /// already there. Leaving a conflicting conjunct out keeps the document implied.
    pub(super) fn insert(&mut self, path: &[String], json: &str) -> bool {
        let Containment::Obj(members) = self else { return false };
        let Some((head, rest)) = path.split_first() else { return false };
        if let Some((_, child)) = members.iter_mut().find(|(k, _)| k == head) {
            return !rest.is_empty() && child.insert(rest, json);
        }
        if rest.is_empty() {
            members.push((head.clone(), Containment::Leaf(json.to_string())));
            return true;
        }
        let mut child = Containment::empty();
        if !child.insert(rest, json) {
            return false;
        }
        members.push((head.clone(), child));
        true
    }

    fn render(&self, out: &mut String) {
        match self {
            Containment::Leaf(j) => out.push_str(j),
            Containment::Obj(members) => {
                out.push('{');
                for (i, (k, v)) in members.iter().enumerate() {
                    crate::guard::interrupts();
                    if i > 0 {
                        out.push_str(", ");
                    }
                    write_json_string(out, k);
                    out.push_str(": ");
                    v.render(out);
                }
                out.push('}');
            }
        }
    }

    pub(super) fn text(&self) -> String {
        let mut s = String::new();
        self.render(&mut s);
        s
    }
}
