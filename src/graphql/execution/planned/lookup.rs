//! The root lookups whose objects are of several types: `node(id:)` and `nodes(ids:)` (the `Node` interface),
//! and `search` (the `SearchResult` union). Each type's rows load in one statement, as the resolvers' loaders
//! batch them, with the selection on that type; they are written in the order asked (or ranked).
use std::collections::HashMap;

use async_graphql::ID;
use entity::{city, occupation, role, salary_range, skill, tool};
use futures_util::future::BoxFuture;
use sea_orm::{DatabaseConnection, EntityTrait};

use super::{Json, Level, ObjectPlan, PlannedObject, Unplanned, distinct, rows_by_id};
use crate::graphql::engine::columns::FromColumns;
use crate::graphql::operation::selection::{Field, Operation};
use crate::graphql::schema::query::MAX_NODES;
use crate::graphql::schema::types::search::{SearchKind, search_query};
use crate::graphql::schema::types::{IdType, parse_global_id};

/// An object a lookup names: its type and row id.
type Named = (IdType, i32);

/// `node(id:)`: the object a global id names.
pub fn node<'a, P>(operation: &Operation<'a>, field: &Field<'a>) -> Result<Box<dyn Level<P> + 'a>, Unplanned> {
    let named = vec![named(&operation.argument(field, "id")?)?];
    let objects = ByType::plan(operation, field, named.iter().map(|(ty, _)| *ty))?;
    Ok(Box::new(NodesLevel { named, list: false, objects }))
}

/// `nodes(ids:)`: the objects global ids name, in the order asked.
pub fn nodes<'a, P>(operation: &Operation<'a>, field: &Field<'a>) -> Result<Box<dyn Level<P> + 'a>, Unplanned> {
    let ids: Vec<ID> = operation.argument(field, "ids")?;
    // Too many is an error the resolvers word.
    if ids.len() > MAX_NODES {
        return Err(Unplanned::Argument);
    }
    let named = ids.iter().map(named).collect::<Result<Vec<_>, _>>()?;
    let objects = ByType::plan(operation, field, named.iter().map(|(ty, _)| *ty))?;
    Ok(Box::new(NodesLevel { named, list: true, objects }))
}

/// `search(text:, kinds:, first:)`: the index's hits, best first, as the resolver asks for them.
pub fn search<'a, P>(operation: &Operation<'a>, field: &Field<'a>) -> Result<Box<dyn Level<P> + 'a>, Unplanned> {
    let text: String = operation.argument(field, "text")?;
    let kinds: Option<Vec<SearchKind>> = operation.argument(field, "kinds")?;
    let first = operation.argument_or(field, "first", 10)?;
    let (kinds, size) = search_query(&text, kinds, first).map_err(|_| Unplanned::Argument)?;
    let objects = ByType::plan(operation, field, kinds.iter().filter_map(|kind| hit_type(kind)))?;
    Ok(Box::new(SearchLevel { text, kinds, size, hits: Vec::new(), objects }))
}

/// The object a global id names; for a string that is not one of careerql's ids, the resolvers word the error.
fn named(id: &ID) -> Result<Named, Unplanned> {
    parse_global_id(id).ok_or(Unplanned::Argument)
}

/// The type of a search hit of `kind`, as the index stores it.
fn hit_type(kind: &str) -> Option<IdType> {
    SearchKind::from_stored(kind).map(SearchKind::id_type)
}

/// The objects `node` or `nodes` asks for.
struct NodesLevel<'a> {
    named: Vec<Named>,
    /// `nodes` writes a list; `node` its one object.
    list: bool,
    objects: ByType<'a>,
}

impl<P> Level<P> for NodesLevel<'_> {
    fn load<'s>(&'s mut self, db: &'s DatabaseConnection, _: &'s [&'s P]) -> BoxFuture<'s, Result<(), Unplanned>> {
        Box::pin(async move {
            self.objects.load(db, &self.named).await?;
            // A miss is a `NOT_FOUND` the resolvers word: `node` is null beside it, `nodes` fails whole.
            if self.named.iter().all(|named| self.objects.holds(*named)) { Ok(()) } else { Err(Unplanned::NotFound) }
        })
    }

    fn write(&self, _: &P, json: &mut Json) {
        if self.list {
            json.begin_list();
            for named in &self.named {
                json.item();
                self.objects.write(*named, json);
            }
            json.end_list();
        } else {
            self.objects.write(self.named[0], json);
        }
    }
}

/// The hits `search` finds.
struct SearchLevel<'a> {
    text: String,
    /// The kinds to search, as the index stores them, and how many hits at most.
    kinds: Vec<&'static str>,
    size: u64,
    hits: Vec<Named>,
    objects: ByType<'a>,
}

impl<P> Level<P> for SearchLevel<'_> {
    fn load<'s>(&'s mut self, db: &'s DatabaseConnection, _: &'s [&'s P]) -> BoxFuture<'s, Result<(), Unplanned>> {
        Box::pin(async move {
            let hits = crate::search::search(db, &self.text, &self.kinds, self.size).await?;
            self.hits = hits.iter().filter_map(|(kind, id)| Some((hit_type(kind)?, *id))).collect();
            self.objects.load(db, &self.hits).await?;
            // An object removed since the index was built is not returned, as the resolver leaves it out.
            self.hits.retain(|hit| self.objects.holds(*hit));
            Ok(())
        })
    }

    fn write(&self, _: &P, json: &mut Json) {
        json.begin_list();
        for hit in &self.hits {
            json.item();
            self.objects.write(*hit, json);
        }
        json.end_list();
    }
}

/// The objects of each type a lookup may name, with the selection on that type.
struct ByType<'a>(Vec<(IdType, Box<dyn Objects + 'a>)>);

impl<'a> ByType<'a> {
    /// Plans the selection of `field` on each of `types`.
    fn plan(
        operation: &Operation<'a>,
        field: &Field<'a>,
        types: impl Iterator<Item = IdType>,
    ) -> Result<Self, Unplanned> {
        let mut planned: Vec<(IdType, Box<dyn Objects + 'a>)> = Vec::new();
        for ty in types {
            if planned.iter().all(|(known, _)| *known != ty) {
                planned.push((ty, objects_of(operation, field, ty)?));
            }
        }
        Ok(Self(planned))
    }

    /// Loads the objects `named`, each type's in one statement.
    async fn load(&mut self, db: &DatabaseConnection, named: &[Named]) -> Result<(), Unplanned> {
        let loads = self.0.iter_mut().map(|(ty, objects)| {
            let ids = distinct(named.iter().filter(|(of, _)| of == ty).map(|(_, id)| *id));
            objects.load(db, ids)
        });
        futures_util::future::try_join_all(loads).await?;
        Ok(())
    }

    fn objects(&self, ty: IdType) -> Option<&(dyn Objects + 'a)> {
        self.0.iter().find(|(known, _)| *known == ty).map(|(_, objects)| objects.as_ref())
    }

    fn holds(&self, (ty, id): Named) -> bool {
        self.objects(ty).is_some_and(|objects| objects.holds(id))
    }

    fn write(&self, (ty, id): Named, json: &mut Json) {
        match self.objects(ty) {
            Some(objects) => objects.write(id, json),
            None => json.null(),
        }
    }
}

/// The objects of one type that a lookup names, loaded by id.
trait Objects: Send {
    /// Loads the rows `ids` (each once), and what their selection nests.
    fn load<'s>(&'s mut self, db: &'s DatabaseConnection, ids: Vec<i32>) -> BoxFuture<'s, Result<(), Unplanned>>;

    fn holds(&self, id: i32) -> bool;

    /// Writes the object `id`, null if there is none.
    fn write(&self, id: i32, json: &mut Json);
}

/// The plan of `field`'s selection on the objects of `ty`.
fn objects_of<'a>(
    operation: &Operation<'a>,
    field: &Field<'a>,
    ty: IdType,
) -> Result<Box<dyn Objects + 'a>, Unplanned> {
    match ty {
        IdType::Role => ObjectsOf::<role::Entity>::plan(operation, field),
        IdType::Skill => ObjectsOf::<skill::Entity>::plan(operation, field),
        IdType::Tool => ObjectsOf::<tool::Entity>::plan(operation, field),
        IdType::City => ObjectsOf::<city::Entity>::plan(operation, field),
        IdType::Occupation => ObjectsOf::<occupation::Entity>::plan(operation, field),
        IdType::SalaryRange => ObjectsOf::<salary_range::Entity>::plan(operation, field),
        // Not a `Node`: `node` refuses its ids.
        IdType::Change => Err(Unplanned::Argument),
    }
}

struct ObjectsOf<'a, E: EntityTrait> {
    /// A selection that selects nothing on the type (`... on Role { title }`, of a search that may find
    /// skills) is the resolvers' only when an object of the type turns up.
    plan: Result<ObjectPlan<'a, E::Model>, Unplanned>,
    rows: HashMap<i32, E::Model>,
}

impl<'a, E: EntityTrait> ObjectsOf<'a, E>
where
    E::Model: PlannedObject + FromColumns,
{
    fn plan(operation: &Operation<'a>, field: &Field<'a>) -> Result<Box<dyn Objects + 'a>, Unplanned> {
        let plan = match ObjectPlan::of(operation, field) {
            Err(unplanned) if unplanned != Unplanned::EmptySelection => return Err(unplanned),
            plan => plan,
        };
        Ok(Box::new(Self { plan, rows: HashMap::new() }))
    }
}

impl<E: EntityTrait> Objects for ObjectsOf<'_, E>
where
    E::Model: PlannedObject + FromColumns,
{
    fn load<'s>(&'s mut self, db: &'s DatabaseConnection, ids: Vec<i32>) -> BoxFuture<'s, Result<(), Unplanned>> {
        Box::pin(async move {
            if ids.is_empty() {
                return Ok(());
            }
            let plan = self.plan.as_mut().map_err(|unplanned| *unplanned)?;
            self.rows = rows_by_id::<E>(db, &ids).await?;
            let rows: Vec<&E::Model> = self.rows.values().collect();
            plan.load(db, &rows).await
        })
    }

    fn holds(&self, id: i32) -> bool {
        self.rows.contains_key(&id)
    }

    fn write(&self, id: i32, json: &mut Json) {
        match (&self.plan, self.rows.get(&id)) {
            (Ok(plan), Some(row)) => plan.write(row, json),
            _ => json.null(),
        }
    }
}

#[cfg(test)]
mod tests {
    use async_graphql::Variables;
    use async_graphql::parser::parse_query;
    use async_graphql::parser::types::DocumentOperations;

    use super::*;
    use crate::graphql::operation::selection::tests::SHAPE;
    use crate::graphql::schema::types::global_id;

    /// Why planning `nodes(ids: $ids)` leaves it to the resolvers, if it does.
    fn unplanned(ids: Vec<ID>) -> Option<Unplanned> {
        let document = parse_query("query($ids: [ID!]!) { nodes(ids: $ids) { id } }").unwrap();
        let DocumentOperations::Single(definition) = &document.operations else { panic!() };
        let variables = Variables::from_json(serde_json::json!({ "ids": ids }));
        let operation =
            Operation { document: &document, definition: &definition.node, variables: &variables, shape: &SHAPE };
        nodes::<()>(&operation, &operation.root_fields("Query").unwrap()[0]).err()
    }

    #[test]
    fn ids_the_resolvers_refuse_are_left_to_them() {
        let roles = |count| (0..count).map(|id| global_id(IdType::Role, id)).collect::<Vec<_>>();
        assert_eq!(unplanned(vec![global_id(IdType::Skill, 1), global_id(IdType::SalaryRange, 1)]), None);
        assert_eq!(unplanned(roles(MAX_NODES as i32)), None);
        assert_eq!(unplanned(roles(MAX_NODES as i32 + 1)), Some(Unplanned::Argument));
        // A change has a global id but is not a `Node`.
        assert_eq!(
            unplanned(vec![global_id(IdType::Role, 1), global_id(IdType::Change, 1)]),
            Some(Unplanned::Argument)
        );
        assert_eq!(unplanned(vec![ID::from("Role:1")]), Some(Unplanned::Argument));
    }

    #[test]
    fn every_kind_searched_has_the_type_of_its_name() {
        for kind in [SearchKind::Role, SearchKind::Skill, SearchKind::Tool, SearchKind::City] {
            let ty = hit_type(kind.stored()).expect("a searched kind is a type");
            assert_eq!(ty.name().to_uppercase(), kind.stored());
        }
    }
}
