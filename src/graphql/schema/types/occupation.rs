use async_graphql::connection::EmptyFields;
use async_graphql::{Enum, ID};
use entity::{occupation, role};
use sea_orm::sea_query::{Condition, Expr};

use crate::graphql::engine::page::{KeyKind, ListSource, Plain, SortKey, SortedSource, column, primary_key};
use crate::graphql::error::ApiError;
pub use crate::graphql::schema::enums::OccupationGroup;
use crate::graphql::schema::inputs::{EnumFilter, OrderField, StringFilter, sort_keys};
use crate::graphql::schema::types::role::{Role, RoleConnection, RoleFilter, RoleOrder, role_order, role_source};
use crate::graphql::schema::types::salary_range::{
    RangesOf, SalaryRange, SalaryRangeConnection, SalaryRangeFilter, SalaryRangeOrder, ranges_of,
};
use crate::graphql::schema::types::{IdType, global_id};

/// A BLS Standard Occupational Classification (SOC) occupation, the unit BLS publishes wages for.
pub struct Occupation(pub occupation::Model);

pub type OccupationConnection = Plain<Occupation>;

#[derive(Enum, Copy, Clone, Eq, PartialEq)]
pub enum OccupationOrderField {
    SocCode,
    Title,
}

impl OrderField for OccupationOrderField {
    fn key(self) -> (&'static str, Expr, KeyKind) {
        match self {
            Self::SocCode => ("socCode", column(occupation::Column::SocCode), KeyKind::Text),
            Self::Title => ("title", column(occupation::Column::Title), KeyKind::Text),
        }
    }
}

ordering_input!(OccupationOrder, OccupationOrderField);

filter_input! {
    /// Which occupations to return. Every field set must hold; combine filters with `and`, `or` and `not`.
    OccupationFilter {
        soc_code: StringFilter,
        title: StringFilter,
        group: EnumFilter<OccupationGroup>,
    }
    |filter| {
        Condition::all()
            .add_option(filter.soc_code.as_ref().map(|f| f.condition(column(occupation::Column::SocCode))))
            .add_option(filter.title.as_ref().map(|f| f.condition(column(occupation::Column::Title))))
            .add_option(
                filter
                    .group
                    .as_ref()
                    .map(|f| f.condition::<entity::enums::OccupationGroup>(column(occupation::Column::SocGroup))),
            )
    }
}

pub fn occupation_source(filter: Option<OccupationFilter>) -> ListSource {
    ListSource::new(occupation::Entity, filter.map(|f| f.condition()).unwrap_or_else(Condition::all))
}

/// The roles a batch of occupations stand for.
pub fn occupation_roles(
    filter: Option<RoleFilter>,
    order_by: Option<Vec<RoleOrder>>,
) -> Result<SortedSource, ApiError> {
    Ok((role_source(filter).children_of(column(role::Column::OccupationId)), role_order(order_by)?))
}

/// The sort keys for occupations: the client's `orderBy`, else by SOC code.
pub fn occupation_order(order_by: Option<Vec<OccupationOrder>>) -> Result<Vec<SortKey>, ApiError> {
    let requested = order_by.map(|terms| terms.iter().map(|t| t.sort_key()).collect());
    let (name, expr, kind) = OccupationOrderField::SocCode.key();
    sort_keys(requested, vec![SortKey::new(name, expr, kind)], primary_key::<occupation::Entity>())
}

object! {
    impl Occupation(occupation::Model) {
        /// Globally unique, opaque ID.
        id(occupation) -> ID { global_id(IdType::Occupation, occupation.id) }
        /// The SOC code, e.g. `15-1252`.
        socCode(occupation) -> &str { &occupation.soc_code }
        /// The SOC title, e.g. "Software Developers".
        title(occupation) -> &str { &occupation.title }
        /// Its level in the SOC hierarchy.
        group(occupation) -> OccupationGroup { occupation.soc_group.into() }
    }
    lists {
        /// Roles whose wages this occupation stands for.
        roles(RoleFilter, RoleOrder) -> RoleConnection = occupation_roles, |row| (Role(row), EmptyFields);
        /// Wage distributions published for the whole occupation (role-specific figures are on the role).
        salary_ranges(SalaryRangeFilter, SalaryRangeOrder) -> SalaryRangeConnection =
            |f, o| ranges_of(RangesOf::Occupation, f, o), |row| (SalaryRange(row), EmptyFields);
    }
    resolvers {

    }
}
