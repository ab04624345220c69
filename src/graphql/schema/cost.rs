//! `@cost`, the weight a field adds to an operation's cost for the work it does beyond the fields it
//! returns, as Apollo's demand control and IBM's cost directive spec declare it in the schema. The guard
//! reads it from the SDL (`Shape::from_sdl`), so what the schema says and what admission charges never part.
use async_graphql::TypeDirective;

/// How much a field weighs in place of the 1 every field counts: an aggregate that reads many rows to return
/// a few groups is charged for the rows, so it queues with the heavy operations.
#[TypeDirective(location = "FieldDefinition")]
pub fn cost(weight: i32) {}

/// What `salaryStats` weighs: the memory one group-by over a full OEWS import holds while it pools its
/// ranges (about 4 MiB) is what a list of this many fields holds.
pub const SALARY_STATS: i32 = 10_000;
