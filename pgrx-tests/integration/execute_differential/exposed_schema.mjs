// The schema fraiseql_execute exposes for an SDL, rebuilt for graphql-js by the agreed
// conventions (docs/execute.md): the SDL as written, plus
//   - the directives @view(name) and @function(name) and the custom scalars;
//   - per entity type T reachable from a @view field: TWhereInput (one filter per field,
//     then AND, OR, NOT), TOrderBy (one OrderDirection per scalar field, nested TOrderBy
//     per object field), TListFilter {any, all, none} for lists of T;
//   - per scalar S used: SFilter (operators named as the where-spec operators, camelCase)
//     and, for lists of S, SListFilter (array operators, and any/all/none over SFilter);
//   - on a @view field of list type, the arguments where, orderBy, limit, offset.
import { parse, buildASTSchema, Kind } from 'graphql';

export const CUSTOM_SCALARS = ['DateTime', 'Date', 'UUID', 'IpAddress', 'CIDR', 'MacAddress', 'LTree', 'DateRange', 'Decimal', 'JSON'];
const BUILTIN_SCALARS = ['String', 'Int', 'Float', 'Boolean', 'ID'];

// The where-spec type hint each scalar's values are read as (docs/where.md "Type hints").
export const TYPE_HINTS = {
  DateTime: 'timestamptz', Date: 'date', UUID: 'uuid', Decimal: 'numeric', IpAddress: 'inet',
  CIDR: 'cidr', MacAddress: 'macaddr', LTree: 'ltree', DateRange: 'daterange',
};

// Operator groups, in the order of the where-spec's operator table.
const CMP = (s) => [['eq', s], ['neq', s], ['gt', s], ['gte', s], ['lt', s], ['lte', s], ['in', `[${s}!]`], ['nin', `[${s}!]`], ['isnull', 'Boolean']];
const EQ = (s) => [['eq', s], ['neq', s], ['in', `[${s}!]`], ['nin', `[${s}!]`], ['isnull', 'Boolean']];
const TEXT = ['contains', 'icontains', 'startsWith', 'istartsWith', 'endsWith', 'iendsWith', 'like', 'ilike', 'nlike', 'nilike', 'matches', 'imatches', 'notMatches', 'niregex'].map((o) => [o, 'String']);
const FULLTEXT = ['plainQuery', 'phraseQuery', 'websearchQuery'].map((o) => [o, 'String']);
const NET = [['inSubnet', 'CIDR'], ['inRange', 'IpRangeInput'],
  ...['isPrivate', 'isPublic', 'isIPv4', 'isIPv6', 'isLoopback', 'isLinkLocal', 'isMulticast', 'isDocumentation', 'isCarrierGrade'].map((o) => [o, 'Boolean'])];
const LTREE = [['ancestorOf', 'LTree'], ['descendantOf', 'LTree'], ['matchesLquery', 'String'], ['matchesLtxtquery', 'String'], ['matchesAnyLquery', '[String!]'],
  ...['depthEq', 'depthNeq', 'depthGt', 'depthGte', 'depthLt', 'depthLte'].map((o) => [o, 'Int'])];
const RANGE = [['containsDate', 'Date'], ...['overlaps', 'adjacent', 'strictlyLeft', 'strictlyRight', 'notLeft', 'notRight'].map((o) => [o, 'DateRange'])];
const OBJECT = [['contains', 'JSON'], ['containedBy', 'JSON'], ['hasKey', 'String'], ['hasAnyKeys', '[String!]'], ['hasAllKeys', '[String!]']];

export function scalarOperators(s) {
  switch (s) {
    case 'String': return [...CMP(s), ...TEXT, ...FULLTEXT];
    case 'Boolean': case 'MacAddress': return EQ(s);
    case 'IpAddress': case 'CIDR': return [...CMP(s), ...NET];
    case 'LTree': return [...EQ(s), ...LTREE];
    case 'DateRange': return [...EQ(s), ...RANGE];
    case 'JSON': return [...CMP(s), ...OBJECT];
    default: return CMP(s); // ID, Int, Float, DateTime, Date, UUID, Decimal, and other scalars
  }
}

export function listOperators(s) {
  return [['arrayContains', `[${s}!]`], ['arrayContainedBy', `[${s}!]`], ['arrayOverlaps', `[${s}!]`],
    ...['lenEq', 'lenNeq', 'lenGt', 'lenGte', 'lenLt', 'lenLte'].map((o) => [o, 'Int']),
    ['anyEq', s], ['allEq', s], ['any', `${s}Filter`], ['all', `${s}Filter`], ['none', `${s}Filter`], ['isnull', 'Boolean']];
}

// {kind: 'scalar'|'object', name, list, nonNull} of a type AST.
export function describe(t) {
  let nonNull = false;
  if (t.kind === Kind.NON_NULL_TYPE) { nonNull = true; t = t.type; }
  if (t.kind === Kind.LIST_TYPE) {
    let inner = t.type;
    if (inner.kind === Kind.NON_NULL_TYPE) inner = inner.type;
    if (inner.kind !== Kind.NAMED_TYPE) return null; // lists of lists are not modelled
    return { name: inner.name.value, list: true, nonNull };
  }
  return { name: t.name.value, list: false, nonNull };
}

const directiveArg = (node, directive) => {
  const d = (node.directives || []).find((x) => x.name.value === directive);
  if (!d) return null;
  const a = d.arguments.find((x) => x.name.value === 'name');
  return a ? a.value.value : null;
};

// Everything the reference resolvers need to know about the SDL, and the schema.
export function exposedSchema(sdl) {
  const doc = parse(sdl);
  const objects = new Map(); // name -> [{name, type: describe(), args, view, fn}]
  const declared = new Set();
  let queryName = 'Query';
  let mutationName = 'Mutation';
  for (const def of doc.definitions) {
    if (def.name) declared.add(def.name.value);
    if (def.kind === Kind.OBJECT_TYPE_DEFINITION) {
      objects.set(def.name.value, def.fields.map((f) => ({
        name: f.name.value, type: describe(f.type), args: f.arguments || [],
        view: directiveArg(f, 'view'), fn: directiveArg(f, 'function'),
      })));
    }
    if (def.kind === Kind.SCHEMA_DEFINITION) {
      for (const op of def.operationTypes) {
        if (op.operation === 'query') queryName = op.type.name.value;
        if (op.operation === 'mutation') mutationName = op.type.name.value;
      }
    }
  }
  const isObject = (n) => objects.has(n) && n !== queryName && n !== mutationName;

  // Entity types: reachable from @view fields through object fields.
  const entities = [];
  const visit = (n) => {
    if (!isObject(n) || entities.includes(n)) return;
    entities.push(n);
    for (const f of objects.get(n)) if (f.type) visit(f.type.name);
  };
  for (const f of objects.get(queryName) || []) if (f.view && f.type) visit(f.type.name);

  const scalarsFiltered = [];
  const scalarLists = [];
  const objectLists = [];
  const add = (arr, x) => { if (!arr.includes(x)) arr.push(x); };
  for (const e of entities) {
    for (const f of objects.get(e)) {
      if (!f.type) continue;
      if (isObject(f.type.name)) { if (f.type.list) add(objectLists, f.type.name); continue; }
      add(scalarsFiltered, f.type.name);
      if (f.type.list) add(scalarLists, f.type.name);
    }
  }

  const gen = [];
  gen.push('directive @view(name: String!) on FIELD_DEFINITION');
  gen.push('directive @function(name: String!) on FIELD_DEFINITION');
  for (const s of CUSTOM_SCALARS) if (!declared.has(s)) gen.push(`scalar ${s}`);
  gen.push('enum OrderDirection { ASC DESC ASC_NULLS_FIRST ASC_NULLS_LAST DESC_NULLS_FIRST DESC_NULLS_LAST }');
  gen.push('input IpRangeInput { from: IpAddress! to: IpAddress! }');
  for (const s of scalarsFiltered) gen.push(`input ${s}Filter { ${scalarOperators(s).map(([o, t]) => `${o}: ${t}`).join(' ')} }`);
  for (const s of scalarLists) gen.push(`input ${s}ListFilter { ${listOperators(s).map(([o, t]) => `${o}: ${t}`).join(' ')} }`);
  for (const e of entities) {
    const where = [];
    const order = [];
    for (const f of objects.get(e)) {
      if (!f.type) continue;
      const n = f.type.name;
      if (isObject(n)) {
        where.push(`${f.name}: ${n}${f.type.list ? 'ListFilter' : 'WhereInput'}`);
        if (!f.type.list) order.push(`${f.name}: ${n}OrderBy`);
      } else {
        where.push(`${f.name}: ${n}${f.type.list ? 'ListFilter' : 'Filter'}`);
        if (!f.type.list) order.push(`${f.name}: OrderDirection`);
      }
    }
    where.push(`AND: [${e}WhereInput!]`, `OR: [${e}WhereInput!]`, `NOT: ${e}WhereInput`);
    gen.push(`input ${e}WhereInput { ${where.join(' ')} }`);
    gen.push(`input ${e}OrderBy { ${order.join(' ')} }`);
  }
  for (const o of objectLists) gen.push(`input ${o}ListFilter { any: ${o}WhereInput all: ${o}WhereInput none: ${o}WhereInput }`);

  // The automatic arguments of list @view fields.
  const withArgs = {
    ...doc,
    definitions: doc.definitions.map((def) => {
      if (def.kind !== Kind.OBJECT_TYPE_DEFINITION || def.name.value !== queryName) return def;
      return {
        ...def,
        fields: def.fields.map((f) => {
          const d = describe(f.type);
          if (!directiveArg(f, 'view') || !d || !d.list) return f;
          const extra = parse(`type X { f(where: ${d.name}WhereInput, orderBy: [${d.name}OrderBy!], limit: Int, offset: Int): Int }`)
            .definitions[0].fields[0].arguments;
          return { ...f, arguments: [...(f.arguments || []), ...extra] };
        }),
      };
    }),
  };
  const full = { kind: Kind.DOCUMENT, definitions: [...withArgs.definitions, ...parse(gen.join('\n')).definitions] };
  const schema = buildASTSchema(full);
  return { schema, objects, queryName, mutationName, isObject, generatedSDL: gen.join('\n') };
}
