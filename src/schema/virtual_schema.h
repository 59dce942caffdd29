#ifndef PLEAT_SCHEMA_VIRTUAL_SCHEMA_H_
#define PLEAT_SCHEMA_VIRTUAL_SCHEMA_H_
// VirtualSchema: the tables and columns one version of the application sees,
// each mapped to the physical table and column that hold its data. Read from
// the live catalog (where every name maps to itself), then each operation's
// Validate() applies its change here, so later operations and the engine see
// the new version. The engine derives views, sync triggers and backfill from
// the difference between the schema before and after a migration.
// A value: copy it to keep a "before". A copy costs O(1) and shares its tables,
// indexes and names with the original (persistent maps, schema/persistent_map.h)
// until either changes them: a table is cloned on its first mutable access, and
// a lookup or change costs O(log n), so validating a file of n operations costs
// time and memory linear in n (up to a log), not n times the schema.

#include <memory>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "schema/column_list.h"
#include "schema/persistent_map.h"

namespace pleat::schema {

// A read-only range over the elements of a PersistentMap keyed by insertion
// order, yielding `const T&`.
template <typename T>
class SharedRange {
 public:
  using Items = PersistentMap<uint64_t, std::shared_ptr<T>>;
  class const_iterator {
   public:
    explicit const_iterator(typename Items::const_iterator it) : it_(std::move(it)) {}
    const T& operator*() const { return **it_; }
    const T* operator->() const { return it_->get(); }
    const_iterator& operator++() { ++it_; return *this; }
    bool operator==(const const_iterator& o) const { return it_ == o.it_; }
    bool operator!=(const const_iterator& o) const { return it_ != o.it_; }

   private:
    typename Items::const_iterator it_;
  };
  explicit SharedRange(const Items* items) : items_(items) {}
  const_iterator begin() const { return const_iterator(items_->begin()); }
  const_iterator end() const { return const_iterator(items_->end()); }
  size_t size() const { return items_->size(); }
  bool empty() const { return items_->empty(); }

 private:
  const Items* items_;
};

struct Column {
  std::string name;      // as this version sees it
  std::string physical;  // the column in the physical table
  std::string type;      // SQL type, as format_type() prints it or as the file wrote it
  bool nullable = true;
  std::optional<std::string> default_sql;  // the real default expression
  bool identity = false;                   // GENERATED ... AS IDENTITY
  bool generated = false;                  // GENERATED ALWAYS AS (...) STORED
  // Set on columns the active migration adds: old writers never provide them.
  bool added = false;
  // For added columns: computes the value from the old version's columns (old
  // names), for backfill and for rows old writers write. Empty: no computation.
  std::optional<std::string> up;
  std::optional<std::string> comment;  // COMMENT ON COLUMN
};

// A physical column this version no longer shows (dropped or replaced). New
// writers never provide it; `down` computes it from the new version's columns.
struct HiddenColumn {
  std::string physical;
  std::optional<std::string> down;
};

// A constraint as the catalog holds it (pg_get_constraintdef), on physical columns.
struct Constraint {
  std::string name;
  char type = 'c';                   // c check, u unique, p primary key, f foreign key, x exclusion
  std::vector<std::string> columns;  // physical columns, in key order
  std::string definition;            // "CHECK (...)", "FOREIGN KEY (...) REFERENCES ..."
  std::string index;                 // the index behind u, p and x constraints
};

// One key of an index, as the catalog describes it.
struct IndexKey {
  std::string column;     // physical column ("" for an expression)
  std::string opclass;    // schema-qualified, quoted; "" for the default (it follows a type change)
  std::string collation;  // schema-qualified, quoted; "" for the column's own
  bool desc = false;
  bool nulls_first = false;
  std::string expression;  // the key's expression, as pg_get_indexdef prints it; "" for a column
};

// An index on a physical table, with the pieces needed to rebuild it on other
// columns (a shadow) without parsing its definition.
struct Index {
  std::string name;
  std::string table;                 // physical table
  std::vector<std::string> columns;  // physical columns it uses, in key order (expressions excluded)
  std::string definition;            // "CREATE [UNIQUE] INDEX name ON schema.table USING ..."
  bool unique = false;
  bool backs_constraint = false;     // owned by a unique, primary key or exclusion constraint
  std::string method;                // btree, hash, gin, ...
  std::vector<IndexKey> keys;
  std::vector<std::string> include;  // INCLUDE columns
  std::string predicate;             // partial index condition, "" for none
  std::string storage;               // "fillfactor=70, ..." or ""
  bool has_expressions = false;
  bool created = false;              // built by the active migration (create_index)
  bool partitioned = false;          // on a partitioned table (relkind 'I'): its partitions carry the data
  std::string parent;                // the partitioned index this one is attached to, "" for none
};

// A partition of a partitioned table, at any level below it.
struct Partition {
  std::string schema, name;
  std::string parent_schema, parent;  // the partitioned table it is a partition of
  bool leaf = true;    // false for a partition that is partitioned itself
  int level = 1;       // 1 for the table's own partitions
};

// A column the active migration rebuilds beside the original, because its values
// or constraints change in ways old writers could violate (ops/shadow_column.h).
// The visible column maps to `physical` (added, with an `up`); the original is in
// Table::hidden. The constraints are the ones the migration adds, on the shadow.
struct Shadow {
  std::string original;  // the physical column it replaces
  std::string physical;  // the shadow column
  std::optional<std::string> comment;    // the comment the column ends with
  std::vector<Constraint> constraints;   // c, f: definition on physical columns; u: name only
  // The name plain DDL gives the NOT NULL an operation sets on the column
  // (PostgreSQL 18 names them after the table and column as that operation saw them).
  std::optional<std::string> not_null_name;
};

// A column the active migration moves to another table (split_table,
// move_column): `from` as the source table had it, stored in `to` of the target.
struct MovedColumn {
  Column from;                       // the source column (physical name, type, nullability, default)
  std::string to;                    // the physical column in the target table
  std::optional<std::string> clear;  // SQL the source gets when its target row goes (NULL when unset)
};

// Rows of `target` mirror rows of `source` matched on source.source_key =
// target.target_key while the migration runs; the moved columns are hidden in
// the new version's source. All names physical.
struct Move {
  std::string source, source_key, target, target_key;
  bool create_rows = false;  // target rows are created for source rows (split_table's new tables)
  std::vector<MovedColumn> columns;
};

struct Table {
  std::string name;      // as this version sees it
  std::string physical;  // the table in the target schema
  bool created = false;  // created by the active migration
  ColumnList<Column> columns;  // shared with copies of the table (schema/column_list.h)
  std::vector<std::string> primary_key;  // visible column names, in key order
  std::vector<HiddenColumn> hidden;
  std::vector<Constraint> constraints;
  std::vector<Shadow> shadows;
  char replica_identity = 'd';         // pg_class.relreplident: d default, n nothing, f full, i index
  std::string replica_identity_index;  // the index when replica_identity is 'i'
  bool partitioned = false;            // PARTITION BY
  std::vector<Partition> partitions;   // every level, shallowest first

  const Column* FindColumn(const std::string& name) const;
  // For a change (of its name too): copies the columns first when a copy of the table shares them.
  Column* MutableColumn(const std::string& name);
  // The visible column stored in physical column `physical`, or null.
  const Column* FindByPhysical(const std::string& physical) const;
};

class VirtualSchema {
 public:
  explicit VirtualSchema(std::string schema_name = "public") : schema_name_(std::move(schema_name)) {}

  const std::string& schema_name() const { return schema_name_; }
  // In the order the tables were added.
  SharedRange<Table> tables() const { return SharedRange<Table>(&tables_); }

  // For a change: clones the table first when a copy of the schema shares it.
  Table* FindTable(const std::string& name);
  const Table* FindTable(const std::string& name) const;
  const Table* FindByPhysical(const std::string& physical) const;
  // By name and physical name, the first table added wins.
  void AddTable(Table table);
  // The one way to change a table's name (the schema looks tables up by name).
  void RenameTable(const std::string& from, const std::string& to);
  // Removes the table from this version; its physical table is hidden until complete.
  void RemoveTable(const std::string& name);
  std::set<std::string> hidden_tables() const;
  // Columns the migration moves between tables, for the cross-table sync (planner/move_sync.h).
  const std::vector<Move>& moves() const { return *moves_; }
  // A move between the tables of an earlier one joins it: one pair of sync
  // triggers carries all their columns.
  // REQUIRES: !LinksOtherwise(move).
  void AddMove(Move move);
  // True when an earlier move links the same two tables by other keys.
  bool LinksOtherwise(const Move& move) const;

  // Indexes of the schema, by name, for create_index/drop_index checks and for
  // rebuilding indexes of replaced columns.
  bool HasIndex(const std::string& name) const;
  const Index* FindIndex(const std::string& name) const;
  // In the order the indexes were added.
  SharedRange<const Index> indexes() const { return SharedRange<const Index>(&indexes_); }
  void AddIndex(Index index);
  void AddIndex(const std::string& name, const std::string& physical_table) { AddIndex(Index{name, physical_table}); }
  void RemoveIndex(const std::string& name);
  // True for any relation (table, view, sequence, index) name in the schema, for clash checks.
  bool HasRelationName(const std::string& name) const;
  void AddRelationName(const std::string& name) { relation_names_.insert(name); }
  // Constraint names of a physical table that stay taken until complete: every
  // one the table had when read, and every one an operation adds. A drop or
  // rename in the file frees a name only at complete, when it happens physically.
  bool HasConstraintName(const std::string& physical_table, const std::string& name) const {
    return constraint_names_.count({physical_table, name}) > 0;
  }
  void AddConstraintName(const std::string& physical_table, const std::string& name) {
    constraint_names_.insert({physical_table, name});
  }
  // True when some function of that name is VOLATILE (from pg_proc).
  bool IsVolatileFunction(const std::string& name) const { return volatile_functions_->count(name) > 0; }
  void AddVolatileFunction(const std::string& name);

  // The physical tables that may differ from what they were at the last
  // ClearChanges(): handed out by FindTable for a change, added, renamed,
  // removed, or given or losing an index; in the order they were added. So a
  // caller comparing the schemas before and after one operation looks at the
  // tables it touched, not at all of them.
  std::vector<std::string> ChangedTables() const;
  void ClearChanges() { changed_ = {}; }

 private:
  void NoteChange(uint64_t seq, const std::string& physical) { changed_.Insert(seq, physical); }

  std::string schema_name_;
  // Tables by the order they were added (a sequence number), with their names
  // and physical names pointing at that number. A table is shared with copies
  // of the schema until FindTable (for a change) clones it.
  PersistentMap<uint64_t, std::shared_ptr<Table>> tables_;
  PersistentMap<std::string, uint64_t> table_names_, table_physicals_;
  PersistentSet<std::string> hidden_tables_;
  std::shared_ptr<const std::vector<Move>> moves_ = std::make_shared<const std::vector<Move>>();
  PersistentMap<uint64_t, std::shared_ptr<const Index>> indexes_;
  PersistentMap<std::string, uint64_t> index_names_;
  uint64_t next_seq_ = 0;  // for tables and indexes alike
  PersistentSet<std::string> relation_names_;
  PersistentSet<std::pair<std::string, std::string>> constraint_names_;  // (physical table, name)
  std::shared_ptr<std::set<std::string>> volatile_functions_ = std::make_shared<std::set<std::string>>();
  PersistentMap<uint64_t, std::string> changed_;  // table sequence number -> physical table
};

// The type a column declared as `type` has once created: serial types exist
// only in CREATE/ALTER TABLE ("bigserial" is a bigint); others are returned as is.
std::string StorageType(const std::string& type);

}  // namespace pleat::schema

#endif  // PLEAT_SCHEMA_VIRTUAL_SCHEMA_H_
