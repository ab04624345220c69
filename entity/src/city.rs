//! A BLS area: a metropolitan or nonmetropolitan area, a state, or the nation (kind tells which).
use super::enums::AreaKind;
use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "city")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    #[sea_orm(unique)]
    pub slug: String,
    pub name: String,
    /// Postal code of the area's principal state; `None` for the nation.
    pub state: Option<String>,
    /// The BLS area code, e.g. `41860`.
    #[sea_orm(unique)]
    pub area_code: String,
    /// The BLS area title, e.g. "San Francisco-Oakland-Fremont, CA".
    pub area_title: String,
    pub kind: AreaKind,
    /// One of the tech hubs the careers overview names.
    pub hub: bool,
    /// Goes up by one with every change, so an editor's update can say which version it read.
    pub version: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
