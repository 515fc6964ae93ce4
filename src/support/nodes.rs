//! Building plan nodes: the derived conditions (`Derived`) over the column and its
//! indexes, and the clauses that wrap them. Every node is an ordinary expression node,
//! allocated with `palloc` in the planner's current memory context.

use super::args::{parse, EQUALITIES_MARK};
use super::indexes::{Found, Key};
use fraiseql_core::jsonb;
use fraiseql_core::where_spec::index::{equalities_match, Derived, KeyForm};
use fraiseql_core::where_spec::Spec;
use pgrx::pg_sys::{self, NodeTag};
use pgrx::{is_a, PgBox, PgList};
use std::ffi::CString;
use std::ptr::null_mut;

/// A `Const` of type `typ` read from `text` by the type's input function (the same
/// text the compiled SQL writes as a literal); `None` if the text holds a NUL.
pub(super) fn input_const(typ: pg_sys::Oid, collation: pg_sys::Oid, text: &str) -> Option<*mut pg_sys::Node> {
    let c = CString::new(text).ok()?;
    // SAFETY: catalog lookups for a built-in or extension type; the input function
    // returns a datum palloc'd in the current context, which the Const points to.
    unsafe {
        let (mut input, mut ioparam) = (pg_sys::InvalidOid, pg_sys::InvalidOid);
        pg_sys::getTypeInputInfo(typ, &mut input, &mut ioparam);
        let (mut len, mut byval) = (0i16, false);
        pg_sys::get_typlenbyval(typ, &mut len, &mut byval);
        let value = pg_sys::OidInputFunctionCall(input, c.as_ptr() as *mut _, ioparam, -1);
        // Node: Const(typ, typmod -1, collation, value), not null.
        Some(pg_sys::makeConst(typ, -1, collation, len as i32, value, false, byval).cast())
    }
}

/// `left <op> right`: an `OpExpr` returning boolean, compared under `collation`.
pub(super) fn op_clause(
    op: pg_sys::Oid,
    left: *mut pg_sys::Node,
    right: *mut pg_sys::Node,
    collation: pg_sys::Oid,
) -> *mut pg_sys::Node {
    // SAFETY: builds a node from valid nodes; the planner fills `opfuncid` itself.
    unsafe {
        pg_sys::make_opclause(op, pg_sys::BOOLOID, false, left.cast(), right.cast(), pg_sys::InvalidOid, collation)
            .cast()
    }
}

/// A deep copy of an expression node.
pub(super) fn copy(node: *mut pg_sys::Node) -> *mut pg_sys::Node {
    // SAFETY: copies a valid node into the current memory context.
    unsafe { pg_sys::copyObjectImpl(node.cast()).cast() }
}

/// Node: BooleanTest `(<arg>) IS TRUE`: false where `arg` is false or NULL.
pub(super) fn is_true(arg: *mut pg_sys::Node) -> *mut pg_sys::Node {
    // SAFETY: a zeroed node of the tag's type, palloc'd in the current context.
    let mut node = unsafe { PgBox::<pg_sys::BooleanTest>::alloc_node(NodeTag::T_BooleanTest) };
    node.arg = arg.cast();
    node.booltesttype = pg_sys::BoolTestType::IS_TRUE;
    node.location = -1;
    node.into_pg().cast()
}

/// `(a AND b …)` or `(a OR b …)` of one or more clauses (one clause stands alone), flat:
/// an argument that is itself an AND (an OR) has its arguments spliced in. What the
/// support function returns is used as it is, and a partition's or a UNION ALL member's
/// copy of the quals is simplified without `canonicalize_qual`, which would flatten it:
/// the planner's index matching assumes no OR directly under an OR (an alternative of
/// an `_or` that is itself an `_or` crashed it in `create_index_paths`).
pub(super) fn bool_clause(clauses: Vec<*mut pg_sys::Node>, or: bool) -> *mut pg_sys::Node {
    if clauses.len() == 1 {
        return clauses[0];
    }
    let mut list = PgList::<pg_sys::Node>::new();
    for c in clauses {
        // SAFETY: `c` is a valid expression node; a BoolExpr is read as one.
        let same = unsafe {
            is_a(c, NodeTag::T_BoolExpr) && {
                let b = c as *mut pg_sys::BoolExpr;
                (*b).boolop == if or { pg_sys::BoolExprType::OR_EXPR } else { pg_sys::BoolExprType::AND_EXPR }
            }
        };
        if same {
            // SAFETY: the BoolExpr's argument list, of valid expression nodes.
            let args = unsafe { PgList::<pg_sys::Node>::from_pg((*(c as *mut pg_sys::BoolExpr)).args) };
            for a in args.iter_ptr() {
                list.push(a);
            }
        } else {
            list.push(c);
        }
    }
    // SAFETY: builds a BoolExpr over a fresh list of valid clauses.
    unsafe {
        if or {
            pg_sys::make_orclause(list.into_pg()).cast()
        } else {
            pg_sys::make_andclause(list.into_pg()).cast()
        }
    }
}

/// Builds one derived condition over `data` and the found indexes; `None` when it
/// cannot be built (the operator family lacks the strategy, a value does not read):
/// leaving a conjunct out keeps the rest implied, and an `OR` with an alternative that
/// cannot be built is left out whole.
pub(super) fn build(d: &Derived, data: *mut pg_sys::Node, found: &Found) -> Option<*mut pg_sys::Node> {
    pgrx::check_for_interrupts!();
    match d {
        Derived::Contains(doc) => {
            // Node: OpExpr `data @> '<doc>'::jsonb`, the GIN family's containment operator
            // (jsonb's own where no GIN index is found: an estimate of the condition).
            let right = input_const(pg_sys::JSONBOID, pg_sys::InvalidOid, doc)?;
            let op = if found.contains_op == pg_sys::InvalidOid {
                pg_sys::Oid::from(JSONB_CONTAINS_OP)
            } else {
                found.contains_op
            };
            Some(op_clause(op, copy(data), right, pg_sys::InvalidOid))
        }
        Derived::HasKeys(keys) => {
            // Node: OpExpr `data ?& '{keys}'::text[]`, the GIN family's all-keys operator.
            let mut text = String::from("{");
            for (i, k) in keys.iter().enumerate() {
                if i > 0 {
                    text.push(',');
                }
                text.push('"');
                text.push_str(&k.replace('\\', "\\\\").replace('"', "\\\""));
                text.push('"');
            }
            text.push('}');
            let right = input_const(pg_sys::TEXTARRAYOID, pg_sys::DEFAULT_COLLATION_OID, &text)?;
            (found.exists_all_op != pg_sys::InvalidOid)
                .then(|| op_clause(found.exists_all_op, copy(data), right, pg_sys::DEFAULT_COLLATION_OID))
        }
        Derived::Cmp { key, strategy, value } => {
            // Node: OpExpr `<index expression> <op> '<value>'::<key type>`, the operator
            // of the index's btree family for the strategy, under the index's collation.
            let k = found.keys.get(*key)?;
            let op = btree_op(k, strategy.number())?;
            let right = input_const(k.opcintype, k.collation, &value.input_text(&k.form))?;
            Some(op_clause(op, copy(k.expr), right, k.collation))
        }
        Derived::AnyOf { key, values } => any_of(found.keys.get(*key)?, values),
        Derived::Equalities { doc, spec } => Some(equalities_call(spec, doc, data, found).unwrap_or_else(|| {
            // Node: `(data @> '<doc>') IS TRUE`, which no index matches, where the call
            // cannot be built.
            let contains = build(&Derived::Contains(doc.clone()), data, found);
            contains.map_or(null_mut(), is_true)
        }))
        .filter(|n| !n.is_null()),
        Derived::NotNull { key } => {
            // Node: NullTest `<index expression> IS NOT NULL` (a btree search condition).
            let k = found.keys.get(*key)?;
            // SAFETY: a zeroed node of the tag's type, palloc'd in the current context.
            let mut node = unsafe { PgBox::<pg_sys::NullTest>::alloc_node(NodeTag::T_NullTest) };
            node.arg = copy(k.expr).cast();
            node.nulltesttype = pg_sys::NullTestType::IS_NOT_NULL;
            node.argisrow = false;
            node.location = -1;
            Some(node.into_pg().cast())
        }
        Derived::Or(arms) => {
            // Node: BoolExpr OR of each alternative (a BoolExpr AND of its conditions).
            let mut built = Vec::with_capacity(arms.len());
            for arm in arms {
                let parts = arm.iter().filter_map(|d| build(d, data, found)).collect::<Vec<_>>();
                if parts.is_empty() {
                    return None;
                }
                built.push(bool_clause(parts, false));
            }
            Some(bool_clause(built, true))
        }
    }
}

/// Node: FuncExpr `fraiseql_where(data, '<spec>'::jsonb, '{}'::jsonb, false)`, the
/// equalities of `Derived::Equalities` as a call of their own, marked
/// ([`EQUALITIES_MARK`]) so that it is never rewritten, and so that `index_condition`
/// offers the GIN index for it only where the estimates favour it. `None` when the
/// spec does not parse as the call would parse it (then the containment is a filter).
/// As a filter the call costs about 190 ns per row against 130 ns for a native `@>`
/// (200,000 rows, sequential scan), paid only on rows no index narrowed; the estimate it
/// gives the planner is what lets the GIN index be chosen where it pays.
fn equalities_call(spec: &str, doc: &str, data: *mut pg_sys::Node, found: &Found) -> Option<*mut pg_sys::Node> {
    let (bytes, empty) = (jsonb::encode(spec).ok()?, jsonb::encode("{}").ok()?);
    if !equalities_match(&*parse(&bytes, &empty, false)?, doc) {
        return None;
    }
    if found.where_fn == pg_sys::InvalidOid {
        return None;
    }
    let spec_const = input_const(pg_sys::JSONBOID, pg_sys::InvalidOid, spec)?;
    let types = input_const(pg_sys::JSONBOID, pg_sys::InvalidOid, "{}")?;
    // SAFETY: fresh nodes of our own; the Const is the one just built.
    unsafe {
        (*(spec_const as *mut pg_sys::Const)).location = EQUALITIES_MARK;
        let keys = pg_sys::makeBoolConst(false, false);
        let mut args = PgList::<pg_sys::Node>::new();
        args.push(copy(data));
        args.push(spec_const);
        args.push(types);
        args.push(keys);
        let call = pg_sys::makeFuncExpr(
            found.where_fn,
            pg_sys::BOOLOID,
            args.into_pg(),
            pg_sys::InvalidOid,
            pg_sys::InvalidOid,
            pg_sys::CoercionForm::COERCE_EXPLICIT_CALL,
        );
        Some(call.cast())
    }
}

/// Node: ScalarArrayOpExpr `<index expression> = ANY ('{…}'::<key type>[])`, the
/// equality of the index's btree family under its collation.
fn any_of(k: &Key, values: &[fraiseql_core::where_spec::index::Operand]) -> Option<*mut pg_sys::Node> {
    let op = btree_op(k, fraiseql_core::where_spec::index::Strategy::Eq.number())?;
    let mut datums = Vec::with_capacity(values.len());
    for v in values {
        pgrx::check_for_interrupts!();
        let c = input_const(k.opcintype, k.collation, &v.input_text(&k.form))?;
        // SAFETY: `c` is the Const just built.
        datums.push(unsafe { (*(c as *mut pg_sys::Const)).constvalue });
    }
    // SAFETY: catalog lookups and an array built from datums of the key type.
    unsafe {
        let array_type = pg_sys::get_array_type(k.opcintype);
        if array_type == pg_sys::InvalidOid {
            return None;
        }
        let (mut len, mut byval, mut align) = (0i16, false, 0 as std::ffi::c_char);
        pg_sys::get_typlenbyvalalign(k.opcintype, &mut len, &mut byval, &mut align);
        let array =
            pg_sys::construct_array(datums.as_mut_ptr(), datums.len() as i32, k.opcintype, len as i32, byval, align);
        let right = pg_sys::makeConst(array_type, -1, k.collation, -1, pg_sys::Datum::from(array), false, false);
        let mut node = PgBox::<pg_sys::ScalarArrayOpExpr>::alloc_node(NodeTag::T_ScalarArrayOpExpr);
        node.opno = op;
        node.useOr = true;
        node.inputcollid = k.collation;
        node.location = -1;
        let mut args = PgList::<pg_sys::Node>::new();
        args.push(copy(k.expr));
        args.push(right.cast());
        node.args = args.into_pg();
        Some(node.into_pg().cast())
    }
}

/// The operator of `key`'s btree family for `strategy` on its input type.
fn btree_op(key: &Key, strategy: u16) -> Option<pg_sys::Oid> {
    // SAFETY: a catalog lookup by OIDs.
    let op = unsafe { pg_sys::get_opfamily_member(key.opfamily, key.opcintype, key.opcintype, strategy as i16) };
    (op != pg_sys::InvalidOid).then_some(op)
}

/// The derived clauses the rewrite puts next to a call, built; empty when none apply.
pub(super) fn planner_clauses(spec: &Spec, data: *mut pg_sys::Node, found: &Found) -> Vec<*mut pg_sys::Node> {
    spec.planner_clauses(&found.indexes()).iter().filter_map(|d| build(d, data, found)).collect()
}

/// Node: `((data->>'k') = ANY (…) …) IS TRUE`, the `->>` text form of a spec
/// (`Spec::top_level_text_form`): `conditions` on the text of the top-level `keys`.
/// Cheaper per row than the call, and true exactly where the spec is; false on a NULL
/// column (the core's `rewrite` uses it only where the column is never NULL). The text
/// comparisons use the default collation, deterministic in every PostgreSQL 15
/// database, so equal text is equal bytes. `None` when it cannot be built.
pub(super) fn text_form(keys: &[String], conditions: &[Derived], data: *mut pg_sys::Node) -> Option<*mut pg_sys::Node> {
    // SAFETY: catalog lookups by OID.
    let (field_text, text_opf) = unsafe {
        let op = pg_sys::Oid::from(JSONB_FIELD_TEXT_OP);
        if pg_sys::get_opcode(op) != pg_sys::Oid::from(pg_sys::F_JSONB_OBJECT_FIELD_TEXT) {
            return None;
        }
        let entry = pg_sys::lookup_type_cache(pg_sys::TEXTOID, pg_sys::TYPECACHE_BTREE_OPFAMILY as i32);
        if entry.is_null() || (*entry).btree_opf == pg_sys::InvalidOid {
            return None;
        }
        (op, (*entry).btree_opf)
    };
    let mut text_keys = Vec::with_capacity(keys.len());
    for name in keys {
        let key = input_const(pg_sys::TEXTOID, pg_sys::DEFAULT_COLLATION_OID, name)?;
        // Node: OpExpr `data ->> '<name>'` (text, default collation).
        // SAFETY: builds a node from valid nodes; the planner fills `opfuncid` itself.
        let expr = unsafe {
            pg_sys::make_opclause(
                field_text,
                pg_sys::TEXTOID,
                false,
                copy(data).cast(),
                key.cast(),
                pg_sys::DEFAULT_COLLATION_OID,
                pg_sys::DEFAULT_COLLATION_OID,
            )
        };
        text_keys.push(Key {
            form: KeyForm::Text { path: vec![name.clone()], byte_order: false },
            expr: expr.cast(),
            opfamily: text_opf,
            opcintype: pg_sys::TEXTOID,
            collation: pg_sys::DEFAULT_COLLATION_OID,
        });
    }
    let text_keys = Found { keys: text_keys, ..Found::default() };
    let mut built = Vec::with_capacity(conditions.len());
    for d in conditions {
        built.push(build(d, data, &text_keys)?);
    }
    // `(<conditions>) IS TRUE`: false, not NULL, where a key is missing.
    Some(is_true(bool_clause(built, false)))
}

/// `jsonb ->> text` in pg_catalog (`jsonb_object_field_text`), checked by its function.
const JSONB_FIELD_TEXT_OP: u32 = 3477;
/// `jsonb @> jsonb` in pg_catalog (`jsonb_contains`).
const JSONB_CONTAINS_OP: u32 = 3246;
