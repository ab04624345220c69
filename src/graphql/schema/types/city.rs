use async_graphql::connection::EmptyFields;
use async_graphql::{ContextSelectionSet, Enum, ID, InputObject, Value};
use entity::{city, role, salary_range};
use sea_orm::sea_query::{Condition, Expr, ExprTrait};

use crate::graphql::engine::eager::EagerObject;
use crate::graphql::engine::page::{KeyKind, ListSource, Plain, SortKey, column, primary_key};
use crate::graphql::error::ApiError;
pub use crate::graphql::schema::enums::AreaKind;
use crate::graphql::schema::inputs::{
    BooleanFilter, EnumFilter, NullsOrder, OrderDirection, StringFilter, select_where, sort_key, sort_keys,
};
use crate::graphql::schema::types::salary_range::{
    PayPeriod, RangeFigure, RangesOf, SalaryRange, SalaryRangeConnection, SalaryRangeFilter, SalaryRangeOrder,
    ranges_of,
};
use crate::graphql::schema::types::{IdType, global_id};

/// A place wages are published for: a metropolitan area such as San Francisco-Oakland-Fremont, a state,
/// or the nation.
pub struct City(pub city::Model);

pub type CityConnection = Plain<City>;

#[derive(Enum, Copy, Clone, Eq, PartialEq)]
pub enum CityOrderField {
    Name,
    Slug,
    State,
    AreaCode,
    Kind,
    /// The median wage BLS publishes in the city for the occupation of `role` (give `role`).
    MedianWage,
    /// The mean wage BLS publishes in the city for the occupation of `role` (give `role`).
    MeanWage,
    /// Jobs in the city in the occupation of `role` (give `role`).
    Employment,
}

/// One ordering term for cities. The wage and employment fields order cities by a role's figures there.
#[derive(InputObject)]
pub struct CityOrder {
    pub field: CityOrderField,
    #[graphql(default)]
    pub direction: OrderDirection,
    #[graphql(default)]
    pub nulls: NullsOrder,
    /// The role (by slug) whose figures order cities, for `MEDIAN_WAGE`, `MEAN_WAGE` and `EMPLOYMENT`.
    pub role: Option<String>,
    /// The pay period of those figures.
    #[graphql(default_with = "PayPeriod::Annual")]
    pub period: PayPeriod,
}

impl CityOrder {
    fn sort_key(&self) -> Result<SortKey, ApiError> {
        let own = |name: &str, c: city::Column| Ok((name.to_owned(), column(c)));
        let (name, expr) = match self.field {
            CityOrderField::Name => own("name", city::Column::Name),
            CityOrderField::Slug => own("slug", city::Column::Slug),
            CityOrderField::State => own("state", city::Column::State),
            CityOrderField::AreaCode => own("areaCode", city::Column::AreaCode),
            CityOrderField::Kind => own("kind", city::Column::Kind),
            CityOrderField::MedianWage => self.role_figure(RangeFigure::MedianWage),
            CityOrderField::MeanWage => self.role_figure(RangeFigure::MeanWage),
            CityOrderField::Employment => self.role_figure(RangeFigure::Employment),
        }?;
        let kind = if expr_is_text(self.field) { KeyKind::Text } else { KeyKind::Int };
        Ok(sort_key(name, expr, kind, self.direction, self.nulls))
    }

    /// The latest BLS figure for `role`'s occupation in the city being ordered.
    fn role_figure(&self, figure: RangeFigure) -> Result<(String, Expr), ApiError> {
        let Some(slug) = &self.role else {
            let name = figure.name();
            return Err(ApiError::bad_input(format!("ordering cities by {name} needs `role`: whose {name}?")));
        };
        let occupations = select_where(
            role::Column::OccupationId,
            Condition::all().add(column(role::Column::Slug).eq(slug.as_str())),
        );
        Ok(figure.latest_bls(
            slug,
            |occupation| occupation.in_subquery(occupations),
            |area| area.equals((city::Entity, city::Column::Id)),
            self.period,
        ))
    }
}

fn expr_is_text(field: CityOrderField) -> bool {
    matches!(
        field,
        CityOrderField::Name
            | CityOrderField::Slug
            | CityOrderField::State
            | CityOrderField::AreaCode
            | CityOrderField::Kind
    )
}

/// The sort keys for cities: the client's `orderBy`, else by slug.
pub fn city_order(order_by: Option<Vec<CityOrder>>) -> Result<Vec<SortKey>, ApiError> {
    let requested =
        order_by.map(|terms| terms.iter().map(CityOrder::sort_key).collect::<Result<Vec<_>, _>>()).transpose()?;
    sort_keys(
        requested,
        vec![SortKey::new("slug", column(city::Column::Slug), KeyKind::Text)],
        primary_key::<city::Entity>(),
    )
}

filter_input! {
    /// Which cities to return. Every field set must hold; combine filters with `and`, `or` and `not`.
    CityFilter {
        slug: StringFilter,
        name: StringFilter,
        /// Postal code of the principal state, e.g. `{ eq: "CA" }`.
        state: StringFilter,
        area_code: StringFilter,
        area_title: StringFilter,
        kind: EnumFilter<AreaKind>,
        hub: BooleanFilter,
        /// Cities with at least one salary range matching this, e.g. where a role's median exceeds a figure:
        /// `{ role: { slug: { eq: "api-developer" } }, median: { gt: 180000 } }`.
        salary_range: Box<SalaryRangeFilter>,
    }
    |filter| {
        Condition::all()
            .add_option(filter.slug.as_ref().map(|f| f.condition(column(city::Column::Slug))))
            .add_option(filter.name.as_ref().map(|f| f.condition(column(city::Column::Name))))
            .add_option(filter.state.as_ref().map(|f| f.condition(column(city::Column::State))))
            .add_option(filter.area_code.as_ref().map(|f| f.condition(column(city::Column::AreaCode))))
            .add_option(filter.area_title.as_ref().map(|f| f.condition(column(city::Column::AreaTitle))))
            .add_option(
                filter.kind.as_ref().map(|f| f.condition::<entity::enums::AreaKind>(column(city::Column::Kind))),
            )
            .add_option(filter.hub.as_ref().map(|f| f.condition(column(city::Column::Hub))))
            .add_option(filter.salary_range.as_ref().map(|f| {
                column(city::Column::Id).in_subquery(select_where(salary_range::Column::CityId, f.condition()))
            }))
    }
}

pub fn city_source(filter: Option<CityFilter>) -> ListSource {
    ListSource::new(city::Entity, filter.map(|f| f.condition()).unwrap_or_else(Condition::all))
}

/// A city's own columns, read without a future each where a city comes with many rows (a salary breakdown's
/// groups); its lists and computed fields load through the resolvers below.
impl EagerObject for City {
    fn field(&self, name: &str, _: &ContextSelectionSet<'_>) -> Option<Value> {
        let city = &self.0;
        Some(match name {
            "version" => city.version.into(),
            "slug" => city.slug.as_str().into(),
            "name" => city.name.as_str().into(),
            "state" => city.state.as_deref().into(),
            "areaCode" => city.area_code.as_str().into(),
            "areaTitle" => city.area_title.as_str().into(),
            "hub" => city.hub.into(),
            _ => return None,
        })
    }
}

object! {
    impl City(city::Model) {
        /// Globally unique, opaque ID.
        id(city) -> ID { global_id(IdType::City, city.id) }
        /// Goes up by one with every change; send it back as `expectedVersion` when updating.
        version(city) -> i32 { city.version }
        /// Stable, URL-safe name, e.g. `san-francisco-ca`.
        slug(city) -> &str { &city.slug }
        /// Short display name, e.g. "San Francisco".
        name(city) -> &str { &city.name }
        /// Postal code of the area's principal state; null for the nation.
        state(city) -> Option<&str> { city.state.as_deref() }
        /// The BLS area code, e.g. `41860`.
        areaCode(city) -> &str { &city.area_code }
        /// The BLS area title, e.g. "San Francisco-Oakland-Fremont, CA".
        areaTitle(city) -> &str { &city.area_title }
        kind(city) -> AreaKind { city.kind.into() }
        /// One of the tech hubs the careers overview names (San Francisco, Seattle, New York, Austin, Boston).
        hub(city) -> bool { city.hub }
    }
    lists {
        /// Wage distributions published for this area.
        salary_ranges(SalaryRangeFilter, SalaryRangeOrder) -> SalaryRangeConnection =
            |f, o| ranges_of(RangesOf::City, f, o), |row| (SalaryRange(row), EmptyFields);
    }
    resolvers {

    }
}
