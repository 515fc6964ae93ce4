// Interop: the ASTs fraiseql stores must be usable by graphql-js as they are.
// stdin: a JSON array of {query, ast}. For each: print(ast) equals print(parse(query)),
// and validate(schema, ast) reports no error.
const { parse, print, validate, buildSchema } = require('graphql');

const schema = buildSchema(`
  enum Order { ASC DESC }
  input Filter { name: String, tags: [String!] }
  type Machine { id: ID! name: String }
  type RouterConfig { id: ID! configName: String isCurrent: Boolean machine: Machine }
  type Query {
    routerConfigs(first: Int, order: Order, where: Filter): [RouterConfig!]!
    routerConfig(id: ID!): RouterConfig
  }
`);

let input = '';
process.stdin.on('data', (c) => (input += c));
process.stdin.on('end', () => {
  const cases = JSON.parse(input);
  let passed = 0;
  let failed = 0;
  for (const { query, ast } of cases) {
    const problems = [];
    const want = print(parse(query));
    const got = print(ast);
    if (got !== want) problems.push(`print differs:\n--- graphql-js\n${want}\n--- stored AST\n${got}`);
    const errors = validate(schema, ast);
    if (errors.length) problems.push(`validate: ${errors.map((e) => e.message).join('; ')}`);
    if (problems.length) {
      failed++;
      console.log(`FAIL ${query}\n${problems.join('\n')}`);
    } else {
      passed++;
    }
  }
  console.log(`graphql_js interop: ${passed} passed, ${failed} failed`);
  process.exit(failed ? 1 : 0);
});
