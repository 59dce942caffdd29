// Objects pleat did not create (docs/operations.md): schemas built with plain
// SQL before pleat runs, taken through start -> writes through both versions ->
// verify -> rollback (exact schema dump, the user's trigger data unchanged) ->
// start -> complete. Each kind of object is either handled or refused before
// any DDL with a message that names it.
#include <gtest/gtest.h>

#include "engine/lifecycle.h"
#include "support/migration_file.h"
#include "support/op_case.h"
#include "support/test_db.h"

namespace pleat::testing {
namespace {

// Verify's findings on the active migration, as "rule: message" lines.
std::string VerifyFindings(const std::string& url) {
  std::vector<Finding> findings;
  Status s = engine::Lifecycle(OptionsFor(url)).Verify(&findings);
  EXPECT_TRUE(s.ok()) << s.ToString();
  std::string out;
  for (const auto& f : findings) out += f.rule + ": " + f.message + "\n";
  return out;
}

// 2001 rows over two list partitions; `key` adds a primary key.
std::string Events(bool key) {
  return std::string("CREATE TABLE events (id int NOT NULL, kind text NOT NULL, qty int") +
         (key ? ", PRIMARY KEY (id, kind)" : "") + ") PARTITION BY LIST (kind);"
         "CREATE TABLE events_a PARTITION OF events FOR VALUES IN ('a');"
         "CREATE TABLE events_b PARTITION OF events FOR VALUES IN ('b');"
         "INSERT INTO events SELECT g, CASE WHEN g % 2 = 0 THEN 'a' ELSE 'b' END, g FROM generate_series(1, 2001) g;"
         "GRANT SELECT, INSERT, UPDATE ON events TO pleat_app;";
}

// Events with a second level of partitions under 'b', a plain index on qty, a
// unique one and a partial one with an expression, and an index on one
// partition only: every one of them is rebuilt on the new column.
std::string IndexedEvents(bool key) {
  return std::string("CREATE TABLE events (id int NOT NULL, kind text NOT NULL, qty int") +
         (key ? ", PRIMARY KEY (id, kind)" : "") + ") PARTITION BY LIST (kind);"
         "CREATE TABLE events_a PARTITION OF events FOR VALUES IN ('a');"
         "CREATE TABLE events_b PARTITION OF events FOR VALUES IN ('b') PARTITION BY RANGE (id);"
         "CREATE TABLE events_b_low PARTITION OF events_b FOR VALUES FROM (MINVALUE) TO (1000);"
         "CREATE TABLE events_b_high PARTITION OF events_b FOR VALUES FROM (1000) TO (MAXVALUE);"
         "CREATE INDEX events_qty ON events (qty);"
         "CREATE UNIQUE INDEX events_kind_qty ON events (kind, qty, id);"
         "CREATE INDEX events_big ON events ((qty * 2)) WHERE qty > 100;"
         "CREATE INDEX events_a_only ON events_a (qty DESC);"
         "INSERT INTO events SELECT g, CASE WHEN g % 2 = 0 THEN 'a' ELSE 'b' END, g FROM generate_series(1, 2001) g;"
         "GRANT SELECT, INSERT, UPDATE ON events TO pleat_app;";
}

// Every index of the events tree: "table|index|definition|valid|parent index|column names", one line each.
const char* kEventsIndexes =
    "SELECT c.relname, i.relname, regexp_replace(pg_get_indexdef(i.oid), '^.* USING ', ''), x.indisvalid, "
    "coalesce((SELECT p.relname FROM pg_inherits h JOIN pg_class p ON p.oid = h.inhparent WHERE h.inhrelid = i.oid), '-'), "
    "(SELECT string_agg(attname, ',' ORDER BY attnum) FROM pg_attribute WHERE attrelid = i.oid) "
    "FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class c ON c.oid = x.indrelid "
    "WHERE c.relname LIKE 'events%' AND i.relname NOT LIKE '\\_pleat%' ORDER BY 1, 2";

const char* kQtyBigint = R"(
operations:
  - alter_column: {table: events, column: qty, type: bigint, up: qty, down: qty}
)";

// The applications' role: it holds grants only; pleat runs as the owner.
constexpr const char* kApp = "pleat_app";

// Runs SQL as the applications' role.
void AppExec(CaseContext& c, const std::string& sql) {
  pg::Connection app = Connect(UrlAs(c.url, kApp));
  Exec(&app, sql);
}

// Writes through both versions into both partitions, as the applications'
// role, and reads every row back through both.
void WriteEventsBothWays(CaseContext& c) {
  EXPECT_EQ("2001|2003001", c.Rows("SELECT count(qty), sum(qty) FROM " + c.new_schema + ".events"));
  AppExec(c, "INSERT INTO " + c.old_schema + ".events VALUES (5000, 'a', 7)");
  AppExec(c, "INSERT INTO " + c.new_schema + ".events VALUES (5001, 'b', 8)");
  AppExec(c, "UPDATE " + c.old_schema + ".events SET qty = qty + 1 WHERE id IN (1, 2)");
  AppExec(c, "UPDATE " + c.new_schema + ".events SET qty = qty + 1 WHERE id IN (3, 4)");
  const char* expected = "1|2\n2|3\n3|4\n4|5\n5000|7\n5001|8";
  const char* where = " WHERE id IN (1, 2, 3, 4, 5000, 5001) ORDER BY id";
  EXPECT_EQ(expected, c.Rows("SELECT id, qty FROM " + c.old_schema + ".events" + where));
  EXPECT_EQ(expected, c.Rows("SELECT id, qty FROM " + c.new_schema + ".events" + where));
  EXPECT_EQ("", VerifyFindings(c.url));
}

void EventsCompleted(CaseContext& c) {
  EXPECT_EQ("2003|0|bigint", c.Rows("SELECT count(*), count(*) FILTER (WHERE qty IS NULL), "
                                    "(SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE "
                                    "attrelid = 'events'::regclass AND attname = 'qty') FROM events"));
}

TEST(UserObjects, PartitionedTables) {
  EnsureRole(kApp, "LOGIN");
  std::vector<OpCase> cases = {
      {.name = "keyless_partitions_retype",
       .setup_sql = Events(false),
       .migration = kQtyBigint,
       .after_start = WriteEventsBothWays,
       .after_complete = EventsCompleted},
      // verify reads every partition: a write that bypassed the sync trigger is found.
      {.name = "keyless_partitions_verify_sees_rows",
       .setup_sql = Events(false),
       .migration = kQtyBigint,
       .after_start =
           [](CaseContext& c) {
             std::string shadow = c.Value("SELECT quote_ident(attname) FROM pg_attribute WHERE attrelid = "
                                          "'events'::regclass AND attname LIKE '\\_pleat%' AND NOT attisdropped");
             ASSERT_NE("", shadow);
             // A write that bypasses the sync trigger, to one row in each partition.
             c.ExecAsSuperuser("SET session_replication_role = replica; UPDATE events SET " + shadow +
                    " = -1 WHERE id IN (7, 8); RESET session_replication_role");
             std::string found = VerifyFindings(c.url);
             EXPECT_NE(std::string::npos, found.find("2 rows")) << found;
           }},
      {.name = "keyed_partitions_retype",
       .setup_sql = Events(true),
       .migration = kQtyBigint,
       .after_start = WriteEventsBothWays,
       .after_complete = EventsCompleted},

      // A user trigger on the parent (PostgreSQL clones it onto the partitions)
      // logs the applications' updates, and none of the backfill's.
      {.name = "keyless_partitions_user_trigger",
       .setup_sql = Events(false) +
                    "CREATE TABLE log (id int);"
                    "CREATE FUNCTION log_row() RETURNS trigger LANGUAGE plpgsql AS"
                    "  $$BEGIN INSERT INTO log VALUES (NEW.id); RETURN NULL; END$$;"
                    "CREATE TRIGGER log_update AFTER UPDATE ON events FOR EACH ROW EXECUTE FUNCTION log_row();"
                    "GRANT INSERT ON log TO pleat_app;",
       .migration = kQtyBigint,
       .after_start =
           [](CaseContext& c) {
             WriteEventsBothWays(c);
             EXPECT_EQ("1,2,3,4", c.Value("SELECT string_agg(id::text, ',' ORDER BY id) FROM log"));
           },
       .after_complete =
           [](CaseContext& c) {
             EventsCompleted(c);
             EXPECT_EQ("1,2,3,4", c.Value("SELECT string_agg(id::text, ',' ORDER BY id) FROM log"));
           }},
      {.name = "keyless_partitions_add_column",
       .setup_sql = Events(false),
       .migration = R"(
operations:
  - add_column:
      table: events
      up: qty * 2
      column: {name: dbl, type: int, nullable: true}
)",
       .after_start =
           [](CaseContext& c) {
             EXPECT_EQ("2001|4006002", c.Rows("SELECT count(dbl), sum(dbl) FROM " + c.new_schema + ".events"));
             c.Exec("INSERT INTO " + c.old_schema + ".events VALUES (5000, 'a', 7)");
             EXPECT_EQ("14", c.Value("SELECT dbl FROM " + c.new_schema + ".events WHERE id = 5000"));
             EXPECT_EQ("", VerifyFindings(c.url));
           },
       .after_complete =
           [](CaseContext& c) { EXPECT_EQ("0", c.Value("SELECT count(*) FROM events WHERE dbl IS NULL")); }},
  };
  for (const auto& c : cases) RunOpCase(c);
}

// The indexes of a partitioned table over a retyped column: each partition's
// part is built CONCURRENTLY on the new column and attached to a new index ON
// ONLY the parent, so none is lost at complete and no write waits for a build.
TEST(UserObjects, PartitionedIndexesAreRebuilt) {
  EnsureRole(kApp, "LOGIN");
  for (bool key : {false, true}) {
    std::string before;
    RunOpCase({.name = key ? "keyed_partitions_indexed" : "keyless_partitions_indexed",
               .setup_sql = IndexedEvents(key),
               .migration = kQtyBigint,
               .after_start =
                   [&](CaseContext& c) {
                     before = c.Rows(kEventsIndexes);
                     WriteEventsBothWays(c);
                     // The new parts are valid and attached, each partition's under its level's parent.
                     EXPECT_EQ("", c.Rows("SELECT i.relname FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid "
                                          "WHERE i.relname LIKE '\\_pleat\\_ix%' AND NOT x.indisvalid"));
                     EXPECT_EQ("4", c.Value("SELECT count(*) FROM pg_inherits h JOIN pg_class i ON i.oid = h.inhrelid "
                                            "JOIN pg_class p ON p.oid = h.inhparent WHERE i.relname LIKE "
                                            "'%\\_events\\_qty' AND p.relname LIKE '\\_pleat%'"));
                   },
               .after_complete =
                   [&](CaseContext& c) {
                     EventsCompleted(c);
                     // The same indexes, names, definitions and attachments as before the migration.
                     EXPECT_EQ(before, c.Rows(kEventsIndexes));
                     EXPECT_NE(std::string::npos, before.find("events_a|events_a_only|btree (qty DESC)|t|-|qty"))
                         << before;
                     EXPECT_EQ("2", c.Value("SET enable_seqscan = off; SELECT count(*) FROM events WHERE qty = 5"));
                   }});
  }
}

// create_index on a partitioned table: built per partition CONCURRENTLY and
// attached; rollback removes every part.
TEST(UserObjects, CreateIndexOnPartitionedTable) {
  EnsureRole(kApp, "LOGIN");
  RunOpCase({.name = "create_index_on_partitioned",
             .setup_sql = IndexedEvents(false) + "DROP INDEX events_qty; DROP INDEX events_kind_qty;",
             .migration = R"(
operations:
  - create_index: {name: events_qty, table: events, columns: [{column: qty}], unique: false}
  - create_index: {name: events_uq, table: events, columns: [{column: id}, {column: kind}, {column: qty}], unique: true}
)",
             .after_start =
                 [](CaseContext& c) {
                   WriteEventsBothWays(c);
                   EXPECT_EQ("events|events_qty|t|-\n"
                             "events_a|events_a_events_qty|t|events_qty\n"
                             "events_b|events_b_events_qty|t|events_qty\n"
                             "events_b_high|events_b_high_events_qty|t|events_b_events_qty\n"
                             "events_b_low|events_b_low_events_qty|t|events_b_events_qty",
                             c.Rows("SELECT c.relname, i.relname, x.indisvalid, coalesce((SELECT p.relname FROM "
                                    "pg_inherits h JOIN pg_class p ON p.oid = h.inhparent WHERE h.inhrelid = i.oid), '-') "
                                    "FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class c ON "
                                    "c.oid = x.indrelid WHERE i.relname LIKE '%events_qty' ORDER BY 1"));
                   pg::Connection app = Connect(UrlAs(c.url, kApp));
                   EXPECT_FALSE(app.Exec("INSERT INTO " + c.new_schema + ".events VALUES (5000, 'a', 7)").ok());
                 },
             .after_complete =
                 [](CaseContext& c) {
                   EXPECT_EQ("t|t", c.Rows("SELECT bool_and(x.indisvalid), bool_and(x.indisunique) FROM pg_index x "
                                           "WHERE x.indexrelid IN (SELECT relid FROM pg_partition_tree('events_uq'))"));
                 }});
}

// drop_index of a partitioned table's index drops it and its parts at complete
// (PostgreSQL has no DROP INDEX CONCURRENTLY for it); a part alone is refused.
TEST(UserObjects, DropIndexOnPartitionedTable) {
  EnsureRole(kApp, "LOGIN");
  const char* left = "SELECT count(*) FROM pg_class WHERE relname LIKE 'events%qty%' AND relkind IN ('i', 'I')";
  RunOpCase({.name = "drop_index_on_partitioned",
             .setup_sql = IndexedEvents(true) + "DROP INDEX events_kind_qty;",
             .migration = "operations:\n  - drop_index: {name: events_qty}\n",
             .after_start = [&](CaseContext& c) { EXPECT_EQ("5", c.Value(left)); },
             .after_complete = [&](CaseContext& c) { EXPECT_EQ("0", c.Value(left)); }});
  RunOpCase({.name = "drop_index_part",
             .setup_sql = IndexedEvents(true),
             .migration = "operations:\n  - drop_index: {name: events_a_qty_idx}\n",
             .start_error = "index \"events_a_qty_idx\" is a partition's part of index \"events_qty\""});
}

// pleat reads the indexes of the table's schema only: a partition in another
// schema would lose its indexes over a replaced column, so it is refused.
TEST(UserObjects, PartitionInAnotherSchemaIsRefused) {
  EnsureRole(kApp, "LOGIN");
  RunOpCase({.name = "partition_in_another_schema",
             .setup_sql = Events(false) + "CREATE SCHEMA archive; CREATE TABLE archive.events_c PARTITION OF events "
                                          "FOR VALUES IN ('c'); CREATE INDEX ON archive.events_c (qty);",
             .migration = kQtyBigint,
             .start_error = "partition archive.events_c of table \"events\" is in another schema"});
}

// A foreign-table partition gets no index and no backfill or sync: `check` and
// `start` refuse, before any DDL, a migration that would build an index on its
// table or sync it, and let one that does neither through. The FDW (no handler,
// so without contrib) and its server are made by the superuser; the tables, and
// pleat, by the owner.
TEST(UserObjects, ForeignTablePartitionIsRefused) {
  EnsureRole(kApp, "LOGIN");
  const std::string add_dbl = R"(
operations:
  - add_column:
      table: events
      up: qty * 2
      column: {name: dbl, type: int, nullable: true}
)";
  const std::string create_index =
      "operations:\n  - create_index: {name: events_qty, table: events, columns: [{column: qty}], unique: false}\n";
  const std::string refused = "partition events_c of table \"events\" is a foreign table, which pleat cannot ";
  const std::vector<std::pair<std::string, std::string>> cases = {
      {create_index, refused + "build an index on"},
      {kQtyBigint, refused + "backfill or keep in sync"},
      {add_dbl, refused + "backfill or keep in sync"},
      {"operations:\n  - add_column: {table: events, column: {name: note, type: text, nullable: true}}\n", ""},
  };
  for (const auto& [yaml, error] : cases) {
    SCOPED_TRACE(yaml);
    std::string url = NewOwnedDatabase();
    pg::Connection admin = Connect(UrlAs(url, "postgres"));
    Exec(&admin, "CREATE FOREIGN DATA WRAPPER dummy; CREATE SERVER remote FOREIGN DATA WRAPPER dummy;"
                 "GRANT USAGE ON FOREIGN SERVER remote TO pleat_owner;");
    pg::Connection conn = Connect(url);
    Exec(&conn, Events(false) + "CREATE FOREIGN TABLE events_c PARTITION OF events FOR VALUES IN ('c') SERVER remote;");
    std::string before = DumpSchema(url, "public");
    MigrationFile file("01_change", yaml);
    std::vector<Finding> findings;
    nlohmann::json plans;
    Status checked = engine::Lifecycle(OptionsFor(url)).Check(file.path(), &findings, &plans);
    std::string version_schema;
    Status started = engine::Lifecycle(OptionsFor(url)).Start(file.path(), /*complete=*/false, &version_schema);
    if (error.empty()) {
      EXPECT_TRUE(checked.ok()) << checked.ToString();
      EXPECT_TRUE(started.ok()) << started.ToString();
      continue;
    }
    EXPECT_NE(std::string::npos, checked.ToString().find(error)) << checked.ToString();
    EXPECT_NE(std::string::npos, started.ToString().find(error)) << started.ToString();
    EXPECT_NE(std::string::npos, started.ToString().find("DETACH PARTITION")) << started.ToString();
    EXPECT_EQ(before, DumpSchema(url, "public")) << "a refused start changed the schema";
  }
}

TEST(UserObjects, InheritanceIsRefusedBeforeAnyChange) {
  RunOpCase({.name = "inherits_parent",
             .setup_sql = "CREATE TABLE base (id int PRIMARY KEY, qty int);"
                          "CREATE TABLE child (extra text) INHERITS (base);"
                          "INSERT INTO base VALUES (1, 1); INSERT INTO child VALUES (2, 2, 'x');",
             .migration = R"(
operations:
  - alter_column: {table: base, column: qty, type: bigint, up: qty, down: qty}
)",
             .start_error = "table \"base\" has inheritance children (\"child\")"});
}

// `pleat check` refuses what `start` refuses, naming the object.
TEST(UserObjects, CheckRefusesToo) {
  EnsureRole(kApp, "LOGIN");
  std::string url = NewDatabase();
  pg::Connection conn = Connect(url);
  Exec(&conn, Events(true) + "ALTER TABLE events ADD CONSTRAINT events_uq UNIQUE (id, kind, qty);");
  MigrationFile file("01_qty", kQtyBigint);
  std::vector<Finding> findings;
  nlohmann::json plans;
  Status s = engine::Lifecycle(OptionsFor(url)).Check(file.path(), &findings, &plans);
  EXPECT_NE(std::string::npos, s.ToString().find("constraint \"events_uq\" of partitioned table \"events\" is "
                                                 "over column \"qty\"")) << s.ToString();
}

// A table with the user's triggers: updated_at stamps, an audit table, a guard
// that rejects updates of locked rows and one that normalises amounts. None
// depends on column amount in the catalog (see DependentObjectsAreRefused).
const char* kAccounts =
    "CREATE TABLE accounts (id int PRIMARY KEY, amount int, locked boolean NOT NULL DEFAULT false,"
    "  updated_at timestamptz NOT NULL DEFAULT '2020-01-01');"
    "CREATE TABLE audit (account int, amount int);"
    "CREATE FUNCTION stamp() RETURNS trigger LANGUAGE plpgsql AS"
    "  $$BEGIN NEW.updated_at := '2030-01-01'; RETURN NEW; END$$;"
    "CREATE FUNCTION audit_row() RETURNS trigger LANGUAGE plpgsql AS"
    "  $$BEGIN INSERT INTO audit VALUES (NEW.id, NEW.amount); RETURN NULL; END$$;"
    "CREATE FUNCTION guard() RETURNS trigger LANGUAGE plpgsql AS"
    "  $$BEGIN RAISE EXCEPTION 'account % is locked', OLD.id; END$$;"
    "CREATE FUNCTION absolute() RETURNS trigger LANGUAGE plpgsql AS"
    "  $$BEGIN NEW.amount := abs(NEW.amount); RETURN NEW; END$$;"
    "CREATE TRIGGER stamp BEFORE UPDATE ON accounts FOR EACH ROW EXECUTE FUNCTION stamp();"
    "CREATE TRIGGER audit AFTER INSERT OR UPDATE ON accounts FOR EACH ROW WHEN (NEW.id > 0 AND NOT NEW.locked)"
    "  EXECUTE FUNCTION audit_row();"
    "CREATE TRIGGER guard BEFORE UPDATE ON accounts FOR EACH ROW WHEN (OLD.locked AND NEW.locked)"
    "  EXECUTE FUNCTION guard();"
    "CREATE TRIGGER normalize BEFORE INSERT OR UPDATE ON accounts FOR EACH ROW"
    "  EXECUTE FUNCTION absolute();"
    "ALTER TABLE accounts DISABLE TRIGGER audit;"
    "INSERT INTO accounts SELECT g, g, g % 10 = 0 FROM generate_series(1, 500) g;"
    "ALTER TABLE accounts ENABLE TRIGGER audit;"
    "GRANT SELECT, INSERT, UPDATE ON accounts TO pleat_app; GRANT INSERT ON audit TO pleat_app;";

TEST(UserObjects, UserTriggers) {
  EnsureRole(kApp, "LOGIN");
  const std::string untouched = "SELECT count(*) FILTER (WHERE updated_at <> '2020-01-01') || '|' || "
                                "(SELECT count(*) FROM audit) FROM accounts";
  RunOpCase({.name = "user_triggers",
             .setup_sql = kAccounts,
             .migration = R"(
operations:
  - alter_column: {table: accounts, column: amount, type: bigint, up: amount, down: amount}
)",
             .after_start =
                 [&](CaseContext& c) {
                   EXPECT_EQ("0|0", c.Value(untouched)) << "the backfill fired the user's triggers";
                   EXPECT_EQ("500|125250", c.Rows("SELECT count(amount), sum(amount) FROM " + c.new_schema + ".accounts"));
                   // The user's BEFORE trigger runs before pleat's sync trigger, so both versions read
                   // what it left; it acts on the old column, before the sync trigger fills it from a
                   // new-version write, so 1001 keeps its sign in both.
                   AppExec(c, "INSERT INTO " + c.old_schema + ".accounts (id, amount) VALUES (1000, -5)");
                   AppExec(c, "INSERT INTO " + c.new_schema + ".accounts (id, amount) VALUES (1001, -6)");
                   AppExec(c, "UPDATE " + c.old_schema + ".accounts SET amount = -7 WHERE id = 1");
                   EXPECT_EQ("1|7\n1000|5\n1001|-6", c.Rows("SELECT id, amount FROM " + c.old_schema +
                                                           ".accounts WHERE id IN (1, 1000, 1001) ORDER BY id"));
                   EXPECT_EQ("1|7\n1000|5\n1001|-6", c.Rows("SELECT id, amount FROM " + c.new_schema +
                                                           ".accounts WHERE id IN (1, 1000, 1001) ORDER BY id"));
                   // The user's triggers still fire for the applications' writes.
                   EXPECT_EQ("1|3", c.Value(untouched));
                   pg::Connection app = Connect(UrlAs(c.url, kApp));
                   Status locked = app.Exec("UPDATE " + c.old_schema + ".accounts SET amount = 1 WHERE id = 10");
                   EXPECT_NE(std::string::npos, locked.ToString().find("account 10 is locked")) << locked.ToString();
                   EXPECT_EQ("", VerifyFindings(c.url));
                 },
             .after_rollback = [&](CaseContext& c) { EXPECT_EQ("1|3", c.Value(untouched)); },
             .after_complete =
                 [&](CaseContext& c) {
                   EXPECT_EQ("1|3", c.Value(untouched)) << "complete fired the user's triggers";
                   EXPECT_EQ("4", c.Value("SELECT count(*) FROM pg_trigger WHERE tgrelid = 'accounts'::regclass "
                                          "AND NOT tgisinternal AND pg_get_triggerdef(oid) NOT LIKE '%pleat%'"));
                 }});
}

}  // namespace
}  // namespace pleat::testing

namespace pleat::testing {
namespace {

// Objects that depend on a column the migration replaces would make complete
// fail ("other objects depend on it"): refused before any change, by name.
TEST(UserObjects, DependentObjectsAreRefused) {
  const std::string table = "CREATE TABLE items (id int PRIMARY KEY, price int, tag text);"
                            "INSERT INTO items VALUES (1, 10, 'a');";
  const char* retype = R"(
operations:
  - alter_column: {table: items, column: price, type: bigint, up: price, down: price}
)";
  const struct {
    const char* name;
    std::string sql;
    const char* object;
  } cases[] = {
      // A plain view is rebuilt (DependentViewsAreRebuilt), but not one other views use.
      {"view_under_view", "CREATE VIEW cheap AS SELECT id FROM items WHERE price < 5;"
       "CREATE VIEW cheaper AS SELECT id FROM cheap;", "view public.cheap over a column of table \"items\" that the "
       "migration replaces is used by view cheaper"},
      {"matview", "CREATE MATERIALIZED VIEW totals AS SELECT sum(price) FROM items;", "materialized view totals"},
      {"policy", "ALTER TABLE items ENABLE ROW LEVEL SECURITY; CREATE POLICY p ON items USING (price > 0);",
       "policy p on table items"},
      {"trigger_update_of",
       "CREATE FUNCTION noop() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN RETURN NEW; END$$;"
       "CREATE TRIGGER on_price BEFORE UPDATE OF price ON items FOR EACH ROW EXECUTE FUNCTION noop();",
       "trigger on_price on table items"},
      {"generated", "ALTER TABLE items ADD COLUMN doubled int GENERATED ALWAYS AS (price * 2) STORED;",
       "column doubled of table items"},
      {"foreign_key", "CREATE UNIQUE INDEX items_price ON items (price);"
       "CREATE TABLE orders (id int, price int REFERENCES items (price));", "constraint orders_price_fkey on table orders"},
  };
  for (const auto& c : cases)
    RunOpCase({.name = std::string("dependent_") + c.name,
               .setup_sql = table + c.sql,
               .migration = retype,
               .start_error = std::string(c.name) == "view_under_view"
                                  ? std::string(c.object)
                                  : std::string("column \"price\" of table \"items\", which the migration drops, "
                                                "replaces or retypes at complete, is used by: ") + c.object});
  // A view over a column the migration drops cannot be rebuilt without it.
  RunOpCase({.name = "dependent_view_dropped_column",
             .setup_sql = table + "CREATE VIEW cheap AS SELECT id FROM items WHERE price < 5;",
             .migration = R"(
operations:
  - drop_column: {table: items, column: price}
)",
             .start_error = "column \"price\" of table \"items\", which the migration drops, replaces or "
                            "retypes at complete, is used by: view cheap"});
}

// A plain view over a retyped column: complete drops it before the old column
// goes and creates it again on the new one, in its place, with its options,
// owner, grants and comments; a view that does not use the column is untouched.
TEST(UserObjects, DependentViewsAreRebuilt) {
  EnsureRole(kApp, "LOGIN");
  const char* meta = "SELECT c.relname, pg_get_viewdef(c.oid), c.reloptions, c.relacl, pg_get_userbyid(c.relowner), "
                     "obj_description(c.oid, 'pg_class'), col_description(c.oid, 2), "
                     "(SELECT attacl FROM pg_attribute WHERE attrelid = c.oid AND attname = 'tag') "
                     "FROM pg_class c WHERE c.relname IN ('cheap', 'tags') ORDER BY 1";
  const char* types = "SELECT string_agg(attname || ' ' || format_type(atttypid, atttypmod), ', ' ORDER BY attnum) "
                      "FROM pg_attribute WHERE attrelid = 'cheap'::regclass AND attnum > 0";
  std::string before, tags_oid;
  RunOpCase({.name = "view_rebuilt",
             .setup_sql = "CREATE TABLE items (id int PRIMARY KEY, price int, tag text);"
                          "INSERT INTO items SELECT g, g * 10, 't' || g FROM generate_series(1, 20) g;"
                          "CREATE VIEW cheap WITH (security_barrier) AS SELECT id, price * 2 AS double, tag FROM items "
                          "WHERE price < 50;"
                          "CREATE VIEW tags AS SELECT tag FROM items;"
                          "COMMENT ON VIEW cheap IS 'cheap items'; COMMENT ON COLUMN cheap.double IS 'twice';"
                          "GRANT SELECT, INSERT, UPDATE ON items TO pleat_app;"
                          "GRANT SELECT ON cheap TO pleat_app; GRANT UPDATE (tag) ON cheap TO pleat_app;",
             .migration = R"(
operations:
  - alter_column: {table: items, column: price, type: bigint, up: price, down: price}
)",
             .after_start =
                 [&](CaseContext& c) {
                   before = c.Rows(meta);
                   tags_oid = c.Value("SELECT 'tags'::regclass::oid");
                   EXPECT_EQ("id integer, double integer, tag text", c.Value(types));
                   AppExec(c, "INSERT INTO " + c.new_schema + ".items VALUES (0, 1, 'new')");
                   AppExec(c, "UPDATE cheap SET tag = 'cheap' WHERE id = 1");
                   pg::Connection app = Connect(UrlAs(c.url, kApp));
                   EXPECT_EQ("0|2|new\n1|20|cheap\n2|40|t2\n3|60|t3\n4|80|t4",
                             Rows(&app, "SELECT * FROM cheap ORDER BY id"));
                 },
             .after_complete =
                 [&](CaseContext& c) {
                   EXPECT_EQ(before, c.Rows(meta));
                   EXPECT_EQ("id integer, double bigint, tag text", c.Value(types));
                   EXPECT_EQ(tags_oid, c.Value("SELECT 'tags'::regclass::oid")) << "a view not over price was rebuilt";
                   AppExec(c, "UPDATE " + c.new_schema + ".items SET price = 3000000000 WHERE id = 2");
                   AppExec(c, "UPDATE cheap SET tag = 'again' WHERE id = 1");
                   pg::Connection app = Connect(UrlAs(c.url, kApp));
                   EXPECT_EQ("0|2|new\n1|20|again\n3|60|t3\n4|80|t4", Rows(&app, "SELECT * FROM cheap ORDER BY id"));
                 }});
}

}  // namespace
}  // namespace pleat::testing

namespace pleat::testing {
namespace {

// A retyped column is rebuilt as a shadow at the table's end; the version's
// views still list it in its place, so positional INSERTs and SELECT * keep
// their meaning, during the migration and after complete.
TEST(UserObjects, ViewsKeepTheColumnOrder) {
  auto columns = [](CaseContext& c, const std::string& schema) {
    return c.Value("SELECT string_agg(column_name, ',' ORDER BY ordinal_position) FROM information_schema.columns "
                   "WHERE table_schema = '" + schema + "' AND table_name = 'items'");
  };
  RunOpCase({.name = "retyped_column_keeps_its_place",
             .setup_sql = "CREATE TABLE items (id int PRIMARY KEY, price int, tag text); INSERT INTO items VALUES (1, 10, 'a');",
             .migration = R"(
operations:
  - alter_column: {table: items, column: price, type: bigint, up: price, down: price}
  - add_column: {table: items, column: {name: note, type: text, nullable: true}}
)",
             .after_start =
                 [&](CaseContext& c) {
                   EXPECT_EQ("id,price,tag,note", columns(c, c.new_schema));
                   c.Exec("INSERT INTO " + c.new_schema + ".items VALUES (2, 20, 'b', 'n')");
                   EXPECT_EQ("1|10|a\n2|20|b", c.Rows("SELECT id, price, tag FROM " + c.old_schema + ".items ORDER BY id"));
                 },
             .after_complete =
                 [&](CaseContext& c) {
                   EXPECT_EQ("id,price,tag,note", columns(c, c.new_schema));
                   c.Exec("INSERT INTO " + c.new_schema + ".items VALUES (3, 30, 'c', 'm')");
                   // Row 2's note went with the column at rollback.
                   EXPECT_EQ("1|10|a|NULL\n2|20|b|NULL\n3|30|c|m",
                             c.Rows("SELECT id, price, tag, note FROM " + c.new_schema + ".items ORDER BY id"));
                 }});
}

}  // namespace
}  // namespace pleat::testing

namespace pleat::testing {
namespace {

// PostgreSQL refuses UPDATEs of a published table without a replica identity:
// refused before any change, naming the publication and the fix.
TEST(UserObjects, PublicationWithoutReplicaIdentityIsRefused) {
  RunOpCase({.name = "publication_without_identity",
             .setup_sql = "CREATE TABLE t (id int, v int); INSERT INTO t VALUES (1, 1);"
                          "SET client_min_messages = error; CREATE PUBLICATION pub FOR TABLE t;",
             .migration = R"(
operations:
  - add_column: {table: t, up: v * 2, column: {name: w, type: int, nullable: true}}
)",
             .start_error = "table \"t\" is in publication \"pub\", which publishes updates, but has no replica "
                            "identity"});
}

}  // namespace
}  // namespace pleat::testing

namespace pleat::testing {
namespace {

// The backfill is pleat's maintenance write, so the user's triggers see none of
// it, on the target of a move as on its source. move_column's target is an
// existing table whose new column the backfill UPDATEs (its UPDATE triggers are
// exempted; it inserts no row there, so INSERT triggers cannot fire);
// split_table's backfill INSERTs only into the tables it creates, which carry no
// trigger of the user, and only locks the source's rows. The applications'
// writes still fire them.
TEST(UserObjects, MovesDoNotFireUserTriggers) {
  EnsureRole(kApp, "LOGIN");
  const std::string setup =
      "CREATE TABLE users (id int PRIMARY KEY, name text, address text);"
      "CREATE TABLE profiles (id int PRIMARY KEY, user_id int NOT NULL UNIQUE REFERENCES users (id), bio text);"
      "INSERT INTO users SELECT g, 'u' || g, 'a' || g FROM generate_series(1, 300) g;"
      "INSERT INTO profiles SELECT g, g, 'b' || g FROM generate_series(1, 300) g;"
      "CREATE TABLE audit (tbl text, op text, id int);"
      "CREATE FUNCTION audit_row() RETURNS trigger LANGUAGE plpgsql AS"
      "  $$BEGIN INSERT INTO audit VALUES (TG_TABLE_NAME, TG_OP, NEW.id); RETURN NULL; END$$;"
      "CREATE TRIGGER audit_users AFTER INSERT OR UPDATE ON users FOR EACH ROW EXECUTE FUNCTION audit_row();"
      "CREATE TRIGGER audit_profiles AFTER INSERT OR UPDATE ON profiles FOR EACH ROW EXECUTE FUNCTION audit_row();"
      "GRANT SELECT, INSERT, UPDATE ON users, profiles TO pleat_app; GRANT INSERT ON audit TO pleat_app;";
  const std::string audit = "SELECT coalesce(string_agg(tbl || ' ' || op || ' ' || id, ', ' ORDER BY tbl, op, id), '-') "
                            "FROM audit";
  for (const char* migration :
       {"operations:\n  - move_column: {table: users, column: address, to: profiles}\n",
        "operations:\n  - split_table:\n      table: users\n      into:\n        - table: addresses\n"
        "          key: user_id\n          columns:\n            - {from: address}\n"}) {
    RunOpCase({.name = std::string("moves_") + (std::string(migration).find("move_column") != std::string::npos ? "move_column" : "split_table"),
               .setup_sql = setup,
               .migration = migration,
               .after_start =
                   [&](CaseContext& c) {
                     EXPECT_EQ("-", c.Value(audit)) << "the backfill fired the user's triggers";
                     AppExec(c, "INSERT INTO users VALUES (500, 'new', 'x')");
                     AppExec(c, "UPDATE users SET name = 'renamed' WHERE id = 1");
                     EXPECT_NE(std::string::npos, c.Value(audit).find("users INSERT 500, users UPDATE 1"))
                         << c.Value(audit);
                     c.Exec("TRUNCATE audit");
                   },
               .after_rollback = [&](CaseContext& c) { EXPECT_EQ("-", c.Value(audit)); },
               .after_complete =
                   [&](CaseContext& c) { EXPECT_EQ("-", c.Value(audit)) << "the backfill fired the user's triggers"; }});
  }
}

}  // namespace
}  // namespace pleat::testing

namespace pleat::testing {
namespace {

// A column complete retypes in place (varchar(10) to varchar(20): ALTER TYPE
// without a rewrite): the user's plain view over it is dropped and made again
// around the ALTER TYPE, in its transaction; a materialized view over it is
// refused before any change, as ALTER TYPE would fail at complete.
TEST(UserObjects, ViewsOverAColumnRetypedInPlace) {
  const std::string table = "CREATE TABLE tags (id int PRIMARY KEY, label varchar(10));"
                            "INSERT INTO tags VALUES (1, 'a'), (2, 'b');";
  const char* widen = R"(
operations:
  - alter_column: {table: tags, column: label, type: varchar(20)}
)";
  const char* type = "SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = 'labels'::regclass "
                     "AND attname = 'label'";
  RunOpCase({.name = "view_in_place",
             .setup_sql = table + "CREATE VIEW labels AS SELECT id, upper(label) AS up, label FROM tags;"
                                  "COMMENT ON VIEW labels IS 'labels';",
             .migration = widen,
             .after_start = [&](CaseContext& c) { EXPECT_EQ("character varying(10)", c.Value(type)); },
             .after_complete =
                 [&](CaseContext& c) {
                   EXPECT_EQ("character varying(20)", c.Value(type));
                   EXPECT_EQ("labels", c.Value("SELECT obj_description('labels'::regclass, 'pg_class')"));
                   c.Exec("INSERT INTO tags VALUES (3, 'fifteen letters')");
                   EXPECT_EQ("3|FIFTEEN LETTERS", c.Rows("SELECT id, up FROM labels WHERE id = 3"));
                 }});
  RunOpCase({.name = "matview_in_place",
             .setup_sql = table + "CREATE MATERIALIZED VIEW labels AS SELECT label FROM tags;",
             .migration = widen,
             .start_error = "column \"label\" of table \"tags\", which the migration drops, replaces or retypes at "
                            "complete, is used by: materialized view labels"});
}

}  // namespace
}  // namespace pleat::testing

namespace pleat::testing {
namespace {

// A view whose definition does not fit the new type (`code + 1` once code is
// text) fails start, naming the view, before complete could drop it; rollback
// then leaves the schema as it was.
TEST(UserObjects, ViewThatDoesNotFitTheNewTypeFailsStart) {
  std::string url = NewOwnedDatabase();
  pg::Connection conn = Connect(url);
  Exec(&conn, "CREATE TABLE items (id int PRIMARY KEY, code int); INSERT INTO items VALUES (1, 7);"
              "CREATE VIEW nexts AS SELECT id, code + 1 AS next FROM items;");
  std::string before = DumpSchema(url, "public");
  MigrationFile file("01_code", R"(
operations:
  - alter_column: {table: items, column: code, type: text, up: code::text, down: code::int}
)");
  std::string vs;
  Status s = engine::Lifecycle(OptionsFor(url)).Start(file.path(), false, &vs);
  EXPECT_NE(std::string::npos, s.ToString().find("view public.nexts cannot be made again over the new column types"))
      << s.ToString();
  EXPECT_EQ("8", Value(&conn, "SELECT next FROM nexts"));
  s = engine::Lifecycle(OptionsFor(url)).Rollback();
  EXPECT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(before, DumpSchema(url, "public"));
  EXPECT_EQ("", PleatLeftovers(&conn, "public"));
}

}  // namespace
}  // namespace pleat::testing
