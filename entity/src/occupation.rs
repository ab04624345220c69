//! A BLS Standard Occupational Classification (SOC) occupation: the unit BLS publishes wages for.
use super::enums::OccupationGroup;
use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "occupation")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    /// SOC code, e.g. `15-1252`.
    #[sea_orm(unique)]
    pub soc_code: String,
    pub title: String,
    /// The occupation's level in the SOC hierarchy, as BLS's O_GROUP gives it.
    pub soc_group: OccupationGroup,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
