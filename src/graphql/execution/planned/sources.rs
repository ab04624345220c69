//! Sources, planned: the root's `sources` and `source(slug:)`, and the `dataSource` of a salary range or of
//! a role's tool, every one a selection names loaded in one statement.
use std::collections::HashMap;

use entity::{role_tool, source};
use futures_util::future::BoxFuture;
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder};

use super::{Json, Level, ObjectPlan, PlannedObject, Unplanned, Write};
use crate::graphql::engine::columns;
use crate::graphql::operation::selection::{Field, Operation};
use crate::graphql::schema::fields::PlainFields;

impl PlannedObject for source::Model {
    const TYPE: &'static str = <Self as PlainFields>::TYPE;

    fn value(name: &str) -> Option<Write<Self>> {
        Self::plain(name)
    }
}

/// The source of a role's use of a tool: O*NET, where O*NET lists the tool for the role.
pub fn onet_source(link: &role_tool::Model) -> Option<String> {
    link.onet_example.as_ref().map(|_| crate::domain::ONET_SLUG.to_owned())
}

/// Every source, by slug: the root's `sources`.
pub struct AllSources<'a> {
    rows: Vec<source::Model>,
    plan: ObjectPlan<'a, source::Model>,
}

impl<'a> AllSources<'a> {
    pub fn plan<P>(operation: &Operation<'a>, field: &Field<'a>) -> Result<Box<dyn Level<P> + 'a>, Unplanned> {
        Ok(Box::new(Self { rows: Vec::new(), plan: ObjectPlan::of(operation, field)? }))
    }
}

impl<P> Level<P> for AllSources<'_> {
    fn load<'s>(&'s mut self, db: &'s DatabaseConnection, _: &'s [&'s P]) -> BoxFuture<'s, Result<(), Unplanned>> {
        Box::pin(async move {
            self.rows = columns::all(db, source::Entity::find().order_by_asc(source::Column::Slug)).await?;
            Ok(())
        })
    }

    fn write(&self, _: &P, json: &mut Json) {
        json.begin_list();
        for row in &self.rows {
            json.item();
            self.plan.write(row, json);
        }
        json.end_list();
    }
}

/// The source each parent names by slug (none: null), all of a selection's in one statement.
pub struct SourceOf<'a, P> {
    slug: fn(&P) -> Option<String>,
    rows: HashMap<String, source::Model>,
    plan: ObjectPlan<'a, source::Model>,
}

impl<'a, P: Send + Sync + 'static> SourceOf<'a, P> {
    pub fn plan(
        operation: &Operation<'a>,
        field: &Field<'a>,
        slug: fn(&P) -> Option<String>,
    ) -> Result<Box<dyn Level<P> + 'a>, Unplanned> {
        Ok(Box::new(Self { slug, rows: HashMap::new(), plan: ObjectPlan::of(operation, field)? }))
    }
}

impl<P: Send + Sync + 'static> Level<P> for SourceOf<'_, P> {
    fn load<'s>(
        &'s mut self,
        db: &'s DatabaseConnection,
        parents: &'s [&'s P],
    ) -> BoxFuture<'s, Result<(), Unplanned>> {
        Box::pin(async move {
            let mut slugs: Vec<String> = parents.iter().filter_map(|parent| (self.slug)(parent)).collect();
            slugs.sort_unstable();
            slugs.dedup();
            if slugs.is_empty() {
                return Ok(());
            }
            let rows = columns::all(db, source::Entity::find().filter(source::Column::Slug.is_in(slugs))).await?;
            self.rows = rows.into_iter().map(|row| (row.slug.clone(), row)).collect();
            Ok(())
        })
    }

    fn write(&self, parent: &P, json: &mut Json) {
        match (self.slug)(parent).and_then(|slug| self.rows.get(&slug)) {
            Some(row) => self.plan.write(row, json),
            None => json.null(),
        }
    }
}
