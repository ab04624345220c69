use careerql::config::QueryLimits;
use careerql::graphql::{build_schema, sdl};

#[test]
fn schema_graphql_matches_the_server() {
    let server = sdl(&build_schema(&QueryLimits::default(), Default::default()));
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/schema.graphql");
    let checked_in = std::fs::read_to_string(path).unwrap_or_default();
    assert!(
        checked_in == server,
        "schema.graphql differs from the server's schema; regenerate it with `cargo run -- schema > schema.graphql`"
    );
}
