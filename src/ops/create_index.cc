#include "ops/create_index.h"

#include <map>
#include <set>

#include "ops/common.h"
#include "ops/partitioned_index.h"
#include "parse/field_reader.h"
#include "parse/statements.h"
#include "pg/quote.h"

namespace pleat::ops {
namespace {

const std::set<std::string> kMethods = {"btree", "hash", "gist", "gin", "spgist", "brin"};
constexpr size_t kMaxIdentifierBytes = 63;

}  // namespace

std::string CreateIndex::PartitionName(const schema::Partition& partition) const {
  return pg::FitIdentifier(partition.name + "_" + name_);
}

Status CreateIndex::Parse(const nlohmann::json& body, const std::string& where, std::unique_ptr<Operation>* out) {
  auto op = std::make_unique<CreateIndex>();
  Status s = parse::FieldReader::RequireObject(body, where);
  if (!s.ok()) return s;
  parse::FieldReader r(body, where);
  const nlohmann::json* columns = nullptr;
  std::optional<std::string> predicate, method, storage;
  std::optional<bool> unique;
  bool mapping = body.contains("columns") && body["columns"].is_object();
  s = r.String("name", &op->name_);
  if (s.ok()) s = r.String("table", &op->table_);
  if (s.ok()) s = mapping ? r.OptObject("columns", &columns) : r.OptArray("columns", &columns);
  if (s.ok()) s = r.OptString("predicate", &predicate);
  if (s.ok()) s = r.OptString("method", &method);
  if (s.ok()) s = r.OptString("storage_parameters", &storage);
  if (s.ok()) s = r.OptBool("unique", &unique);
  if (s.ok()) s = r.Finish();
  if (s.ok() && !columns) return Status::Invalid(where + ": \"columns\" is required", "list the columns to index");
  if (s.ok()) s = IndexColumn::ParseList(*columns, where, &op->columns_);
  if (s.ok() && predicate && !predicate->empty()) {
    s = parse::Expression::Parse(*predicate, &op->predicate_.emplace());
    if (!s.ok()) s = s.WithContext(where + ": predicate").WithHint("write `predicate` as one SQL boolean expression");
  }
  op->method_ = method.value_or("btree");
  op->storage_parameters_ = storage.value_or("");
  op->unique_ = unique.value_or(false);
  if (s.ok()) s = op->CheckFields(where);
  if (s.ok()) *out = std::move(op);
  return s;
}

// The collation, operator class and storage parameters are spliced into the
// statement as written, so the whole statement must parse as one CREATE INDEX:
// `fillfactor = 70); DROP TABLE x; --` is refused here, before anything runs.
Status CreateIndex::CheckFields(const std::string& where) const {
  if (name_.empty() || name_.size() > kMaxIdentifierBytes)
    return Status::Invalid(where + ": index name \"" + name_ + "\" must be 1 to 63 bytes long",
                           "choose a shorter index name");
  if (!kMethods.count(method_))
    return Status::Invalid(where + ": unknown index method \"" + method_ + "\"",
                           "use one of btree, hash, gist, gin, spgist, brin");
  if (unique_ && method_ != "btree")
    return Status::Invalid(where + ": a " + method_ + " index cannot be unique", "use method btree, or drop unique");
  std::vector<std::string> names;
  for (const auto& c : columns_) {
    names.push_back(c.column);
    if (method_ != "btree" && (!c.sort.empty() || !c.nulls.empty()))
      return Status::Invalid(where + ": a " + method_ + " index has no order, so column \"" + c.column +
                                 "\" cannot set sort or nulls",
                             "use method btree, or remove sort and nulls");
  }
  std::string sql = IndexSql(pg::QuoteIdent(table_), names, predicate_ ? predicate_->text() : "");
  parse::Statements parsed;
  Status s = parse::Statements::Parse(sql, &parsed);
  if (s.ok() && (parsed.statements().size() != 1 || parsed.statements()[0].kind != "IndexStmt"))
    s = Status::Invalid("the settings make more than one statement");
  if (!s.ok())
    return s.WithContext(where + ": index \"" + name_ + "\" does not make a valid CREATE INDEX")
        .WithHint("fix collate, opclass or storage_parameters");
  return Status::Ok();
}

std::string CreateIndex::IndexSql(const std::string& table, const std::vector<std::string>& physical,
                                  const std::string& predicate, const std::string& name, bool concurrently) const {
  std::string elements;
  for (size_t i = 0; i < columns_.size(); ++i) elements += (i ? ", " : "") + columns_[i].Sql(physical[i]);
  std::string sql = std::string("CREATE ") + (unique_ ? "UNIQUE " : "") + "INDEX " +
                    (concurrently ? "CONCURRENTLY " : "") + "IF NOT EXISTS " +
                    pg::QuoteIdent(name.empty() ? name_ : name) + " ON " + table + " USING " + method_ + " (" +
                    elements + ")";
  if (!storage_parameters_.empty()) sql += " WITH (" + storage_parameters_ + ")";
  if (!predicate.empty()) sql += " WHERE (" + predicate + ")";
  return sql;
}

Status CreateIndex::Validate(schema::VirtualSchema* schema) const {
  schema::Table* table = nullptr;
  Status s = FindTable(schema, table_, &table);
  if (!s.ok()) return s;
  if (schema->HasIndex(name_))
    return Status::Invalid("index \"" + name_ + "\" already exists in schema \"" + schema->schema_name() + "\"",
                           "choose another index name, or drop the old index in an earlier migration");
  s = RequireFreeRelationName(*schema, name_);
  for (const auto& p : table->partitions)
    if (s.ok()) s = RequireFreeRelationName(*schema, PartitionName(p));
  for (const auto& c : columns_) {
    schema::Column* column = nullptr;
    if (s.ok()) s = FindColumn(table, c.column, &column);
  }
  if (s.ok() && predicate_) s = CheckExpressionColumns(predicate_->text(), *table, "predicate");
  if (!s.ok()) return s;
  // Described in full, so that an operation later in the file that rebuilds one
  // of its columns (a shadow) rebuilds this index on the shadow too.
  schema::Index index{name_, table->physical};
  std::map<std::string, std::string> renames;
  for (const auto& c : table->columns) renames[c.name] = pg::QuoteIdent(c.physical);
  for (const auto& c : columns_) {
    index.columns.push_back(table->FindColumn(c.column)->physical);
    index.keys.push_back(c.Key(index.columns.back()));
  }
  index.unique = unique_, index.method = method_, index.storage = storage_parameters_, index.created = true;
  index.partitioned = table->partitioned;
  if (predicate_) index.predicate = predicate_->RenameColumns(renames);
  schema->AddIndex(std::move(index));
  return Status::Ok();
}

// CONCURRENTLY takes only a SHARE UPDATE EXCLUSIVE lock: reads and writes of
// both versions go on while the index builds. The statement cannot run in a
// transaction, so IF NOT EXISTS and `invalid_index` make a retry safe. On a
// partitioned table each partition's index is built so, then attached
// (ops/partitioned_index.h); it is named "<partition>_<index>".
Status CreateIndex::Start(const schema::VirtualSchema& before, plan::Plan* plan) const {
  const schema::Table* t = before.FindTable(table_);
  std::vector<std::string> physical;
  for (const auto& c : columns_) physical.push_back(t->FindColumn(c.column)->physical);
  std::map<std::string, std::string> renames;
  for (const auto& c : t->columns) renames[c.name] = pg::QuoteIdent(c.physical);
  const std::string predicate = predicate_ ? predicate_->RenameColumns(renames) : "";
  if (t->partitioned) {
    PlanPartitionedIndex(
        before.schema_name(), *t, name_, [this](const schema::Partition& p) { return PartitionName(p); },
        [&](const std::string& name, const std::string& on, bool concurrently) {
          return IndexSql(on, physical, predicate, name, concurrently);
        },
        "create", "index \"" + name_ + "\"", plan);
    return Status::Ok();
  }
  plan::Step step;
  step.id = plan->IdFor("create");
  step.description = "build index \"" + name_ + "\" on \"" + table_ + "\"";
  step.sql = {IndexSql(PhysicalTable(before, table_), physical, predicate)};
  step.transactional = false;
  step.payload = {{"invalid_index", pg::QualifiedName(before.schema_name(), name_)}};
  plan->Add(std::move(step));
  return Status::Ok();
}

Status CreateIndex::Complete(const schema::VirtualSchema&, plan::Plan*) const { return Status::Ok(); }

Status CreateIndex::Rollback(const schema::VirtualSchema& before, plan::Plan* plan) const {
  const schema::Table* t = before.FindTable(table_);
  if (t && t->partitioned) {
    PlanDropPartitionedIndex(
        before.schema_name(), *t, name_, [this](const schema::Partition& p) { return PartitionName(p); }, "drop", plan);
    return Status::Ok();
  }
  // Also removes an invalid index a failed build left behind.
  plan->AddConcurrent("drop", "drop index \"" + name_ + "\"",
                      {"DROP INDEX CONCURRENTLY IF EXISTS " + pg::QualifiedName(before.schema_name(), name_)});
  return Status::Ok();
}

void CreateIndex::AddCatalogUses(const schema::VirtualSchema& after, CatalogUses* out) const {
  const schema::Index* index = after.FindIndex(name_);
  const schema::Table* t = after.FindByPhysical(index ? index->table : "");
  if (!t) return;
  IndexUse use{0, "index \"" + name_ + "\"", t->physical, method_, unique_, {}, index->predicate};
  for (const auto& k : index->keys) {
    const schema::Column* c = t->FindByPhysical(k.column);
    if (c) use.keys.push_back({c->name, k.column, c->type, k.opclass, k.collation});
  }
  out->indexes.push_back(std::move(use));
}

}  // namespace pleat::ops
