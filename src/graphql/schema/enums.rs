//! The schema's enums over stored values, each mapped onto the entity's own enum. They live apart from the
//! types so that the filter inputs can name them without importing the types that import the filters.
use async_graphql::Enum;

#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(remote = "entity::enums::AreaKind")]
pub enum AreaKind {
    /// The whole United States: where national figures live.
    National,
    State,
    /// A BLS metropolitan statistical area (or NECTA).
    Metropolitan,
    /// A BLS nonmetropolitan area.
    Nonmetropolitan,
}

/// An occupation's level in the SOC hierarchy, as BLS publishes it (O_GROUP).
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(remote = "entity::enums::OccupationGroup")]
pub enum OccupationGroup {
    /// All occupations together (00-0000).
    Total,
    /// A major group, e.g. 15-0000 Computer and Mathematical Occupations.
    Major,
    Minor,
    Broad,
    /// A detailed occupation, e.g. 15-1252 Software Developers: the level roles are paid as.
    Detailed,
}

#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(remote = "entity::enums::PayPeriod")]
pub enum PayPeriod {
    /// Per year. BLS annual wages are hourly wages × 2,080 hours.
    Annual,
    /// Per hour.
    Hourly,
}

#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(remote = "entity::enums::SkillCategory")]
pub enum SkillCategory {
    /// Knowledge of technologies and techniques.
    Technical,
    /// Ways of working, such as problem-solving.
    Professional,
}

#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(remote = "entity::enums::ToolCategory")]
pub enum ToolCategory {
    /// A programming language, e.g. Java.
    Language,
    /// A language runtime, e.g. Node.js.
    Runtime,
    /// A backend framework, e.g. Django.
    Framework,
    /// A database system, e.g. PostgreSQL.
    Database,
    /// A version control system, e.g. Git.
    VersionControl,
    /// A tool to design, document or test APIs, e.g. Postman.
    ApiTooling,
    /// A cloud platform, e.g. AWS.
    CloudPlatform,
}
