//! One answer from two executors: random valid queries built from `schema.graphql` (nested lists, filters,
//! orderings, fragments, aliases, repeated fields, directives, variables, and page arguments that must be
//! refused) go to a server on the planned executor and to one on the resolvers, over the same database, and
//! must come back byte for byte the same, status included. The generator asks no field of the planner's
//! `LEFT_TO_RESOLVERS`, so the planned server's metrics must show that it answered every query answered
//! without errors itself (but where async-graphql departs from the spec and the planner defers to it): the
//! comparison is not between the resolvers and themselves, and a field that silently lost its plan fails.
use std::collections::HashMap;
use std::fmt::Write as _;

use async_graphql::parser::types::{BaseType, Type, TypeKind, TypeSystemDefinition};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::{Value, json};

use crate::helpers::TestApp;
use crate::on_every_backend;

on_every_backend!(
    both_executors_answer_random_queries_alike,
    salary_stats_are_planned_and_answer_alike,
    computed_fields_are_planned_and_answer_alike
);

/// Queries per backend; `CAREERQL_DIFFERENTIAL_CASES` runs more.
const DEFAULT_CASES: usize = 400;
/// Texts to search for: words, typos, text too short for trigrams, nothing, and what matches nothing.
const SEARCHED: [&str; 12] =
    ["engineer", "data", "python", "postgress", "seatle", "api", "go", "a", "san fran", "kubernetes", " ", "zz"];
/// Whether the planner leaves `type_name.field` to the resolvers: the generator asks no such field, so every
/// query the spec lets through must be planned.
fn left_to_resolvers(type_name: &str, field: &str) -> bool {
    careerql::graphql::LEFT_TO_RESOLVERS.iter().any(|(ty, name, _)| *ty == type_name && *name == field)
}

async fn both_executors_answer_random_queries_alike(app: TestApp) {
    // Without rate limits: thousands of queries would spend a budget that refills with time, and the two
    // servers would run out at different moments.
    // Each executor named: the suite also runs with `CAREERQL_EXECUTOR=resolvers`.
    let app = app.reconfigure(&["--executor", "planned", "--rate-limit-per-minute", "0"]).await;
    let resolvers = app.another_instance_with(&["--executor", "resolvers", "--rate-limit-per-minute", "0"]).await;
    let schema = SchemaTypes::read();
    let keys = Keys::read(&app).await;
    let cases = std::env::var("CAREERQL_DIFFERENTIAL_CASES").ok().and_then(|n| n.parse().ok()).unwrap_or(DEFAULT_CASES);
    let operation = format!("Differential{}", if app.postgres_database().is_some() { "Postgres" } else { "Sqlite" });
    let mut rng = StdRng::seed_from_u64(0x5eed);
    let mut counted = Executed::read(&app, &operation).await;
    let mut planned = 0;
    for case in 0..cases {
        let (query, variables) = Generator::new(&schema, &keys, &mut rng).operation(&operation);
        let body = json!({ "query": query, "variables": variables });
        let answer = send(&app, &app.url("/graphql"), &body).await;
        let resolved = send(&app, &format!("http://{resolvers}/graphql"), &body).await;
        assert!(
            answer == resolved,
            "case {case}: the executors differ\nquery: {query}\nvariables: {variables}\nplanned:   {answer:?}\nresolvers: {resolved:?}"
        );
        // Every query the spec lets through is the planner's, but where async-graphql answers otherwise
        // than the spec and the planner defers to it so that both answer alike.
        let now = Executed::read(&app, &operation).await;
        let by = now.since(&counted);
        counted = now;
        let data: Value = serde_json::from_str(&answer.1).expect("a JSON answer");
        let without_errors = answer.0 == 200 && data.get("errors").is_none();
        assert!(
            !without_errors || matches!(by, "planned" | "empty_selection" | "conflicting_fields"),
            "case {case} was answered without errors, by the resolvers ({by})\nquery: {query}\nvariables: {variables}"
        );
        planned += usize::from(by == "planned");
    }
    assert!(planned >= cases / 4, "the planner answered {planned} of {cases} queries");
}

/// How often the planned server answered `operation` itself, and left it to the resolvers for each reason.
struct Executed(Vec<(&'static str, f64)>);

impl Executed {
    const REASONS: [&str; 7] =
        ["field", "argument", "empty_selection", "conflicting_fields", "not_found", "database", "operation"];

    async fn read(app: &TestApp, operation: &str) -> Self {
        let metrics = app.metrics().await;
        let planned =
            metrics.value("careerql_graphql_requests_total", &[("operation", operation), ("executor", "planned")]);
        let unplanned = Self::REASONS.map(|reason| {
            (reason, metrics.value("careerql_unplanned_queries_total", &[("operation", operation), ("reason", reason)]))
        });
        Self([("planned", planned)].into_iter().chain(unplanned).collect())
    }

    /// Which count moved since `before`: who answered the one request between them.
    fn since(&self, before: &Self) -> &'static str {
        let moved: Vec<&'static str> =
            self.0.iter().zip(&before.0).filter(|(now, then)| now.1 != then.1).map(|(now, _)| now.0).collect();
        match moved[..] {
            [one] => one,
            [] => "nothing: refused before it ran",
            _ => panic!("one request moved {moved:?}"),
        }
    }
}

/// `salaryStats` with every kind of field below it: keys that name rows (with their own lists), figures,
/// spreads, intervals and estimates with what they derive, each query named for the metrics.
const SALARY_STATS: [&str; 4] = [
    r#"query StatsByCity { salaryStats(groupBy: [CITY], filter: { occupation: { socCode: { eq: "15-1252" } } }, first: 3) {
        totalCount pageInfo { hasNextPage endCursor }
        edges { cursor node { city { name kind salaryRanges(first: 1) { nodes { median } } } count employment mean
                              meanIsLowerBound meanInterval { low high standardError level basis } } } } }"#,
    r#"query StatsEstimates($amount: Float!) { salaryStats(period: ANNUAL, groupBy: [AREA_KIND, OCCUPATION_GROUP]) {
        nodes { areaKind occupationGroup state year source period
                spread { p10 { min max minIsLowerBound maxIsLowerBound } mean { max } }
                estimate { p10 median p90 lowerBounds exact ranges
                           percentileOf(amount: $amount) { amount percentile atLeast atMost method range { id } }
                           levels { entry { low high topCoded } mid { low } senior { high topCoded } } } } } }"#,
    r#"query StatsOrdered { salaryStats(groupBy: [ROLE], orderBy: [{ field: P90_MAX, direction: DESC }], last: 4) {
        nodes { role { slug title skills(first: 2) { nodes { name } } } occupation { title }
                spread { p90 { max } } } pageInfo { hasPreviousPage startCursor } } }"#,
    r#"query StatsByOccupationAndState { salaryStats(groupBy: [OCCUPATION, STATE], first: 5) {
        nodes { __typename occupation { socCode group } state estimate { __typename median exact } } } }"#,
];

async fn salary_stats_are_planned_and_answer_alike(app: TestApp) {
    for data in planned_alike(app, &SALARY_STATS).await {
        let groups = &data["data"]["salaryStats"];
        let count = |list: &str| groups[list].as_array().map_or(0, Vec::len);
        assert!(count("nodes") + count("edges") > 0, "no groups: {data}");
    }
}

/// Sources, wherever they are reached from, a range's national ratios, where a salary ranks, and how roles
/// compare.
const COMPUTED: [&str; 5] = [
    r#"query Sources { sources { slug name license attribution rowsImported } source(slug: "onet-29-2") { title } }"#,
    r#"query RangeSources { salaryRanges(first: 5) { nodes { dataSource { slug referencePeriod }
        toNational { median mean topCoded national { city { kind } median } } } } }"#,
    r#"query ToolSources { role(slug: "senior-backend-engineer") {
        tools(first: 20) { edges { onetExample dataSource { slug attribution } node { name } } } } }"#,
    r#"query Ranks($amount: Float!) { national: salaryRank(amount: $amount, role: "senior-backend-engineer") {
        percentile atLeast method range { median city { slug } toNational { median } } }
        hourly: salaryRank(amount: 55, period: HOURLY, role: "senior-backend-engineer", city: null) { percentile } }"#,
    r#"query Compared { roles(first: 3) { nodes { slug
        compareTo(role: "senior-backend-engineer", cities: ["seattle-wa", "austin-tx"]) {
            other { slug } skillsInBoth { rank otherRank skill { name roles(first: 1) { nodes { slug } } } }
            skillsOnlyInThis { skill { slug } } skillsOnlyInOther { rank }
            toolsInBoth { tool { name } thisUse { onetExample dataSource { slug } } otherUse { hotTechnology } }
            toolsOnlyInOther { tool { slug } } toolsOnlyInThis { __typename }
            wages { city { slug } median mean meanStandardError employment topCoded sameOccupation
                    thisRange { median } otherRange { median city { name } } } } } } }"#,
];

async fn computed_fields_are_planned_and_answer_alike(app: TestApp) {
    let answers = planned_alike(app, &COMPUTED).await;
    let [sources, ranges, tools, ranks, compared] = answers.try_into().expect("five answers");
    let roles = compared["data"]["roles"]["nodes"].as_array().expect("roles").clone();
    assert!(roles.iter().all(|role| role["compareTo"]["wages"][0]["city"]["slug"] == "united-states"), "{roles:?}");
    assert!(roles.iter().any(|role| !role["compareTo"]["skillsInBoth"].as_array().unwrap().is_empty()), "{roles:?}");
    assert_eq!(ranks["data"]["national"]["range"]["city"]["slug"], "united-states", "{ranks}");
    assert!(sources["data"]["sources"].as_array().is_some_and(|list| list.len() >= 2), "{sources}");
    let ranges = ranges["data"]["salaryRanges"]["nodes"].as_array().expect("ranges").clone();
    assert!(ranges.iter().any(|range| range["toNational"]["national"]["city"]["kind"] == "NATIONAL"), "{ranges:?}");
    assert!(ranges.iter().all(|range| range["dataSource"]["slug"].is_string()), "{ranges:?}");
    let edges = tools["data"]["role"]["tools"]["edges"].as_array().expect("edges").clone();
    assert!(edges.iter().any(|edge| edge["dataSource"]["slug"] == "onet-29-2"), "{edges:?}");
}

/// Each of `queries` (named `query Name`) sent to the planned executor and to the resolvers: the answers must
/// be the same bytes, without errors, and the planner's own. The answers, parsed.
async fn planned_alike(app: TestApp, queries: &[&str]) -> Vec<Value> {
    let app = app.reconfigure(&["--executor", "planned"]).await;
    let resolvers = app.another_instance_with(&["--executor", "resolvers"]).await;
    // Named for the backend too: the metrics are the test process's, and both backends' tests run at once.
    let backend = if app.postgres_database().is_some() { "Postgres" } else { "Sqlite" };
    let mut answers = Vec::new();
    let mut names = Vec::new();
    for query in queries {
        let query = query.replacen("query ", &format!("query {backend}"), 1);
        names.push(query["query ".len()..].split(|c: char| !c.is_alphanumeric()).next().expect("a name").to_owned());
        let body = json!({ "query": query, "variables": { "amount": 98765.5 } });
        let planned = send(&app, &app.url("/graphql"), &body).await;
        let resolved = send(&app, &format!("http://{resolvers}/graphql"), &body).await;
        assert_eq!(planned, resolved, "the executors differ on {query}");
        assert_eq!(planned.0, 200);
        let data: Value = serde_json::from_str(&planned.1).expect("JSON");
        assert!(data.get("errors").is_none(), "{data}");
        answers.push(data);
    }
    let metrics = app.metrics().await;
    for name in names {
        let planned =
            metrics.value("careerql_graphql_requests_total", &[("operation", &name), ("executor", "planned")]);
        assert_eq!(planned, 1.0, "{name} was answered by the planned executor");
    }
    answers
}

async fn send(app: &TestApp, url: &str, body: &Value) -> (u16, String) {
    let response = app.client().post(url).json(body).send().await.expect("POST /graphql");
    (response.status().as_u16(), response.text().await.expect("body"))
}

/// The keys rows are looked up by: slugs and global ids that exist (and some that do not).
struct Keys {
    slugs: HashMap<&'static str, Vec<String>>,
    ids: Vec<String>,
}

impl Keys {
    async fn read(app: &TestApp) -> Self {
        let data = app
            .data(
                "{ roles(first: 30) { nodes { id slug } } skills(first: 30) { nodes { id slug } }
                   tools(first: 30) { nodes { id slug } } cities(first: 30) { nodes { id slug } }
                   occupations(first: 30) { nodes { id socCode } } salaryRanges(first: 30) { nodes { id } }
                   sources { slug } }",
            )
            .await;
        let read = |list: &str, field: &str| -> Vec<String> {
            let nodes = data[list]["nodes"].as_array().expect("nodes");
            nodes.iter().map(|node| node[field].as_str().expect("a string").to_owned()).collect()
        };
        let mut slugs = HashMap::new();
        slugs.insert("role", read("roles", "slug"));
        slugs.insert("skill", read("skills", "slug"));
        slugs.insert("tool", read("tools", "slug"));
        slugs.insert("city", read("cities", "slug"));
        slugs.insert("occupation", read("occupations", "socCode"));
        let sources = data["sources"].as_array().expect("sources");
        slugs.insert(
            "source",
            sources.iter().map(|source| source["slug"].as_str().expect("a slug").to_owned()).collect(),
        );
        let lists = ["roles", "skills", "tools", "cities", "occupations", "salaryRanges"];
        Self { slugs, ids: lists.iter().flat_map(|list| read(list, "id")).collect() }
    }

    /// A slug for the root lookup `field`: mostly one that exists.
    fn pick(&self, field: &str, rng: &mut StdRng) -> String {
        match self.slugs.get(field) {
            Some(slugs) if !slugs.is_empty() && rng.random_bool(0.9) => slugs[rng.random_range(0..slugs.len())].clone(),
            _ => "no-such-thing".to_owned(),
        }
    }

    /// A global id for `node(id:)` and `nodes(ids:)`: mostly one that exists, else one of a row that does
    /// not, of an object that is no `Node`, or not one of careerql's ids at all.
    fn id(&self, rng: &mut StdRng) -> String {
        use base64::Engine;
        let encoded = |text: &str| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(text);
        if rng.random_bool(0.9) {
            return self.ids[rng.random_range(0..self.ids.len())].clone();
        }
        match rng.random_range(0..3) {
            0 => encoded("Role:999999"),
            1 => encoded("Change:1"),
            _ => "no-such-id".to_owned(),
        }
    }
}

struct FieldDef {
    name: String,
    args: Vec<(String, Type, bool)>,
    ty: Type,
}

enum TypeDef {
    Object(Vec<FieldDef>),
    /// An interface or a union: the object types it may be, and the fields without arguments selected on it
    /// alone (an interface's: `Node`'s `id`).
    Abstract(Vec<String>, Vec<String>),
    Input(Vec<(String, Type)>),
    Enum(Vec<String>),
    Scalar,
}

/// `schema.graphql`'s types, as the generator walks them.
struct SchemaTypes(HashMap<String, TypeDef>);

impl SchemaTypes {
    fn read() -> Self {
        let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/schema.graphql")).expect("schema");
        let document = async_graphql::parser::parse_schema(text).expect("schema.graphql parses");
        let mut types = HashMap::new();
        let mut implementers: HashMap<String, Vec<String>> = HashMap::new();
        for definition in document.definitions {
            let TypeSystemDefinition::Type(definition) = definition else { continue };
            let definition = definition.node;
            let name = definition.name.node.to_string();
            let def = match definition.kind {
                TypeKind::Object(object) => {
                    for interface in &object.implements {
                        implementers.entry(interface.node.to_string()).or_default().push(name.clone());
                    }
                    TypeDef::Object(
                        object
                            .fields
                            .into_iter()
                            .map(|field| FieldDef {
                                name: field.node.name.node.to_string(),
                                args: field
                                    .node
                                    .arguments
                                    .into_iter()
                                    .map(|arg| {
                                        let arg = arg.node;
                                        let has_default = arg.default_value.is_some();
                                        (arg.name.node.to_string(), arg.ty.node, has_default)
                                    })
                                    .collect(),
                                ty: field.node.ty.node,
                            })
                            .collect(),
                    )
                }
                // Its implementers are known once every object type is read.
                TypeKind::Interface(interface) => TypeDef::Abstract(
                    Vec::new(),
                    interface
                        .fields
                        .iter()
                        .filter(|field| field.node.arguments.is_empty())
                        .map(|field| field.node.name.node.to_string())
                        .collect(),
                ),
                TypeKind::Union(union) => {
                    TypeDef::Abstract(union.members.iter().map(|m| m.node.to_string()).collect(), Vec::new())
                }
                TypeKind::InputObject(input) => TypeDef::Input(
                    input.fields.into_iter().map(|f| (f.node.name.node.to_string(), f.node.ty.node)).collect(),
                ),
                TypeKind::Enum(values) => {
                    TypeDef::Enum(values.values.iter().map(|v| v.node.value.node.to_string()).collect())
                }
                TypeKind::Scalar => TypeDef::Scalar,
            };
            types.insert(name, def);
        }
        for (interface, objects) in implementers {
            if let Some(TypeDef::Abstract(possible, _)) = types.get_mut(&interface) {
                *possible = objects;
            }
        }
        Self(types)
    }
}

fn named(ty: &Type) -> &str {
    match &ty.base {
        BaseType::Named(name) => name.as_str(),
        BaseType::List(inner) => named(inner),
    }
}

/// Builds one operation; what it writes as it goes: the fragments it defines and the variables it uses.
struct Generator<'a> {
    schema: &'a SchemaTypes,
    keys: &'a Keys,
    rng: &'a mut StdRng,
    fragments: Vec<String>,
    variables: Vec<(&'static str, &'static str, Value)>,
    aliases: usize,
}

impl<'a> Generator<'a> {
    fn new(schema: &'a SchemaTypes, keys: &'a Keys, rng: &'a mut StdRng) -> Self {
        Self { schema, keys, rng, fragments: Vec::new(), variables: Vec::new(), aliases: 0 }
    }

    /// The document and its variables.
    fn operation(mut self, name: &str) -> (String, Value) {
        let TypeDef::Object(root) = &self.schema.0["Query"] else { panic!("Query is an object") };
        let roots: Vec<&FieldDef> = root.iter().filter(|f| !left_to_resolvers("Query", &f.name)).collect();
        let mut selection = String::new();
        let mut keys = HashMap::new();
        for _ in 0..self.rng.random_range(1..=2) {
            let field = roots[self.rng.random_range(0..roots.len())];
            selection.push_str(&self.field("Query", field, 0, &mut keys));
            selection.push(' ');
        }
        if self.rng.random_bool(0.1) {
            selection.push_str("__typename ");
        }
        let declared: Vec<String> = self.variables.iter().map(|(name, ty, _)| format!("${name}: {ty}")).collect();
        let declared = if declared.is_empty() { String::new() } else { format!("({})", declared.join(", ")) };
        let variables: serde_json::Map<String, Value> =
            self.variables.iter().map(|(name, _, value)| ((*name).to_owned(), value.clone())).collect();
        let mut document = format!("query {name}{declared} {{ {selection}}}");
        for fragment in &self.fragments {
            document.push('\n');
            document.push_str(fragment);
        }
        (document, Value::Object(variables))
    }

    /// Uses the variable `name` of `ty`, declaring it once.
    fn variable(&mut self, name: &'static str, ty: &'static str, value: Value) -> String {
        if !self.variables.iter().any(|(known, _, _)| *known == name) {
            self.variables.push((name, ty, value));
        }
        format!("${name}")
    }

    /// The text of `field` in a selection whose response keys so far are `keys` (each with the text that
    /// uses it). A key is only used again by the very same text: one key for two different fields (or one
    /// field with different arguments) is invalid, and async-graphql, which does not refuse it, answers
    /// whichever of them resolves last.
    fn field(&mut self, parent: &str, field: &FieldDef, depth: usize, keys: &mut HashMap<String, String>) -> String {
        let mut text = field.name.clone();
        let args = self.arguments(parent, field);
        if !args.is_empty() {
            write!(text, "({})", args.join(", ")).unwrap();
        }
        if self.rng.random_bool(0.08) {
            let directive = match self.rng.random_range(0..4) {
                0 => format!("@skip(if: {})", self.variable("no", "Boolean!", json!(false))),
                1 => format!("@include(if: {})", self.variable("yes", "Boolean!", json!(true))),
                2 => "@skip(if: true)".to_owned(),
                _ => format!("@include(if: {})", self.variable("no", "Boolean!", json!(false))),
            };
            write!(text, " {directive}").unwrap();
        }
        let type_name = named(&field.ty).to_owned();
        if let Some(selection) = self.selection(&type_name, depth + 1) {
            write!(text, " {{ {selection} }}").unwrap();
        }
        let taken = keys.get(&field.name).is_some_and(|used| *used != text);
        if taken || self.rng.random_bool(0.15) {
            self.aliases += 1;
            text = format!("a{}: {text}", self.aliases);
        } else {
            keys.insert(field.name.clone(), text.clone());
        }
        text
    }

    fn arguments(&mut self, parent: &str, field: &FieldDef) -> Vec<String> {
        let mut args = Vec::new();
        for (name, ty, has_default) in &field.args {
            let required = !ty.nullable && !has_default;
            let value = match name.as_str() {
                "slug" if parent == "Query" => Some(format!("{:?}", self.keys.pick(&field.name, self.rng))),
                "socCode" if parent == "Query" => Some(format!("{:?}", self.keys.pick("occupation", self.rng))),
                "id" if parent == "Query" => {
                    let id = self.keys.id(self.rng);
                    Some(if self.rng.random_bool(0.2) {
                        self.variable("id", "ID!", json!(id))
                    } else {
                        format!("{id:?}")
                    })
                }
                "ids" if parent == "Query" => {
                    // Repeats too: each is answered in its place.
                    let ids: Vec<String> = (0..self.rng.random_range(0..=5)).map(|_| self.keys.id(self.rng)).collect();
                    Some(if self.rng.random_bool(0.2) {
                        self.variable("ids", "[ID!]!", json!(ids))
                    } else {
                        format!("{ids:?}")
                    })
                }
                "text" if field.name == "search" => {
                    let text = if self.rng.random_bool(0.02) {
                        "x".repeat(201)
                    } else {
                        SEARCHED[self.rng.random_range(0..SEARCHED.len())].to_owned()
                    };
                    Some(format!("{text:?}"))
                }
                "first" | "last" if self.rng.random_bool(if name == "first" { 0.6 } else { 0.05 }) => {
                    let sizes = [0, 1, 2, 3, 5, 10, 20, 101, -1];
                    let size = sizes[self.rng.random_range(0..sizes.len())];
                    Some(if self.rng.random_bool(0.2) {
                        self.variable("n", "Int", json!(size))
                    } else {
                        size.to_string()
                    })
                }
                "after" | "before" if self.rng.random_bool(0.04) => Some("\"not-a-cursor\"".to_owned()),
                "first" | "last" | "after" | "before" => None,
                _ if required || self.rng.random_bool(0.2) => Some(self.value(ty, 0)),
                _ => None,
            };
            if let Some(value) = value {
                args.push(format!("{name}: {value}"));
            }
        }
        args
    }

    /// A value of input type `ty`.
    fn value(&mut self, ty: &Type, depth: usize) -> String {
        if let BaseType::List(inner) = &ty.base {
            return format!("[{}]", self.value(inner, depth));
        }
        let name = named(ty);
        match &self.schema.0.get(name) {
            Some(TypeDef::Enum(values)) => values[self.rng.random_range(0..values.len())].clone(),
            Some(TypeDef::Input(fields)) => {
                let fields: Vec<&(String, Type)> = fields
                    .iter()
                    .filter(|(name, _)| !matches!(name.as_str(), "and" | "or" | "not"))
                    .filter(|(_, ty)| depth < 2 || !matches!(self.schema.0.get(named(ty)), Some(TypeDef::Input(_))))
                    .collect();
                let required: Vec<&&(String, Type)> = fields.iter().filter(|(_, ty)| !ty.nullable).collect();
                let chosen: Vec<&(String, Type)> = if required.is_empty() && !fields.is_empty() {
                    vec![fields[self.rng.random_range(0..fields.len())]]
                } else {
                    required.into_iter().copied().collect()
                };
                let members: Vec<String> =
                    chosen.into_iter().map(|(name, ty)| format!("{name}: {}", self.value(ty, depth + 1))).collect();
                format!("{{ {} }}", members.join(", "))
            }
            _ => match name {
                "Int" => self.rng.random_range(0..200_000).to_string(),
                "Float" => format!("{}.5", self.rng.random_range(0..100)),
                "Boolean" => self.rng.random_bool(0.5).to_string(),
                _ => {
                    let words = ["a", "engineer", "data", "python", "zz"];
                    format!("{:?}", words[self.rng.random_range(0..words.len())])
                }
            },
        }
    }

    /// A selection of `type_name`'s fields, or `None` for a leaf type.
    fn selection(&mut self, type_name: &str, depth: usize) -> Option<String> {
        let schema = self.schema;
        match schema.0.get(type_name)? {
            TypeDef::Object(fields) => {
                // Deep down, only fields without arguments that end in a leaf, so queries stay small.
                let candidates: Vec<&FieldDef> = fields
                    .iter()
                    .filter(|f| {
                        depth < 4
                            || matches!(schema.0.get(named(&f.ty)), Some(TypeDef::Scalar | TypeDef::Enum(_)) | None)
                    })
                    .filter(|f| !left_to_resolvers(type_name, &f.name))
                    .collect();
                let mut parts = Vec::new();
                let mut keys = HashMap::new();
                for _ in 0..self.rng.random_range(1..=4) {
                    if candidates.is_empty() || self.rng.random_bool(0.1) {
                        parts.push("__typename".to_owned());
                        continue;
                    }
                    let field = candidates[self.rng.random_range(0..candidates.len())];
                    let text = self.field(type_name, field, depth, &mut keys);
                    parts.push(match self.rng.random_range(0..12) {
                        0 => format!("... on {type_name} {{ {text} }}"),
                        1 => format!("... {{ {text} }}"),
                        2 => {
                            let name = format!("F{}", self.fragments.len());
                            self.fragments.push(format!("fragment {name} on {type_name} {{ {text} }}"));
                            format!("...{name}")
                        }
                        // The same field twice: the two selections merge.
                        3 => format!("{text} {text}"),
                        _ => text,
                    });
                }
                Some(parts.join(" "))
            }
            TypeDef::Abstract(possible, own) => {
                let mut parts = Vec::new();
                if self.rng.random_bool(0.7) {
                    parts.push("__typename".to_owned());
                }
                parts.extend(own.iter().filter(|_| self.rng.random_bool(0.3)).cloned());
                // Some of the types it may be, each in a fragment of its own: objects of the others select
                // nothing (which async-graphql answers null).
                for object in possible {
                    if !self.rng.random_bool(0.5) {
                        continue;
                    }
                    let Some(selection) = self.selection(object, depth) else { continue };
                    if self.rng.random_bool(0.25) {
                        let name = format!("F{}", self.fragments.len());
                        self.fragments.push(format!("fragment {name} on {object} {{ {selection} }}"));
                        parts.push(format!("...{name}"));
                    } else {
                        parts.push(format!("... on {object} {{ {selection} }}"));
                    }
                }
                if parts.is_empty() {
                    parts.push("__typename".to_owned());
                }
                Some(parts.join(" "))
            }
            _ => None,
        }
    }
}
