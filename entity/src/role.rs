//! A career role, e.g. "API Developer", paid as the SOC occupation it maps to.
use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "role")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    #[sea_orm(unique)]
    pub slug: String,
    pub title: String,
    pub summary: String,
    /// The occupation whose BLS wages stand for this role.
    pub occupation_id: i32,
    /// The O*NET-SOC occupation whose technology skills describe this role, e.g. `15-1299.08`.
    pub onet_soc_code: Option<String>,
    /// The broader role this one specialises, e.g. API Developer specialises Senior Backend Engineer.
    pub specialisation_of_id: Option<i32>,
    /// Written by hand (the seed's catalog); false for roles the OEWS importer makes, one per detailed occupation.
    pub curated: bool,
    /// Goes up by one with every change, so an editor's update can say which version it read.
    pub version: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::occupation::Entity",
        from = "Column::OccupationId",
        to = "super::occupation::Column::Id"
    )]
    Occupation,
}

impl Related<super::occupation::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Occupation.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
