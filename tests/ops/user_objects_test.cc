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
  std::vector<check::Finding> findings;
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
         "INSERT INTO events SELECT g, CASE WHEN g % 2 = 0 THEN 'a' ELSE 'b' END, g FROM generate_series(1, 2001) g;";
}

const char* kQtyBigint = R"(
operations:
  - alter_column: {table: events, column: qty, type: bigint, up: qty, down: qty}
)";

// Writes through both versions into both partitions, and reads every row back through both.
void WriteEventsBothWays(CaseContext& c) {
  EXPECT_EQ("2001|2003001", c.Rows("SELECT count(qty), sum(qty) FROM " + c.new_schema + ".events"));
  c.Exec("INSERT INTO " + c.old_schema + ".events VALUES (5000, 'a', 7)");
  c.Exec("INSERT INTO " + c.new_schema + ".events VALUES (5001, 'b', 8)");
  c.Exec("UPDATE " + c.old_schema + ".events SET qty = qty + 1 WHERE id IN (1, 2)");
  c.Exec("UPDATE " + c.new_schema + ".events SET qty = qty + 1 WHERE id IN (3, 4)");
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
      // complete would drop the index with the old column: refused until pleat
      // rebuilds partitioned indexes (per partition CONCURRENTLY, then ATTACH).
      {.name = "keyed_partitions_retype_indexed",
       .setup_sql = Events(true) + "CREATE INDEX events_qty ON events (qty);",
       .migration = kQtyBigint,
       .start_error = "index \"events_qty\" of partitioned table \"events\" uses column \"qty\""},
      // A user trigger on the parent (PostgreSQL clones it onto the partitions)
      // logs the applications' updates, and none of the backfill's.
      {.name = "keyless_partitions_user_trigger",
       .setup_sql = Events(false) +
                    "CREATE TABLE log (id int);"
                    "CREATE FUNCTION log_row() RETURNS trigger LANGUAGE plpgsql AS"
                    "  $$BEGIN INSERT INTO log VALUES (NEW.id); RETURN NULL; END$$;"
                    "CREATE TRIGGER log_update AFTER UPDATE ON events FOR EACH ROW EXECUTE FUNCTION log_row();",
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
      {.name = "create_index_on_partitioned",
       .setup_sql = Events(true),
       .migration = R"(
operations:
  - create_index: {name: events_qty, table: events, columns: [{column: qty}]}
)",
       .start_error = "index \"events_qty\" is on partitioned table \"events\""},
  };
  for (const auto& c : cases) RunOpCase(c);
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
  std::string url = NewDatabase();
  pg::Connection conn = Connect(url);
  Exec(&conn, Events(true) + "CREATE INDEX events_qty ON events (qty);");
  MigrationFile file("01_qty", kQtyBigint);
  std::vector<check::Finding> findings;
  nlohmann::json plans;
  Status s = engine::Lifecycle(OptionsFor(url)).Check(file.path(), &findings, &plans);
  EXPECT_NE(std::string::npos, s.ToString().find("index \"events_qty\" of partitioned table")) << s.ToString();
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
    "ALTER TABLE accounts ENABLE TRIGGER audit;";

TEST(UserObjects, UserTriggers) {
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
                   c.Exec("INSERT INTO " + c.old_schema + ".accounts (id, amount) VALUES (1000, -5)");
                   c.Exec("INSERT INTO " + c.new_schema + ".accounts (id, amount) VALUES (1001, -6)");
                   c.Exec("UPDATE " + c.old_schema + ".accounts SET amount = -7 WHERE id = 1");
                   EXPECT_EQ("1|7\n1000|5\n1001|-6", c.Rows("SELECT id, amount FROM " + c.old_schema +
                                                           ".accounts WHERE id IN (1, 1000, 1001) ORDER BY id"));
                   EXPECT_EQ("1|7\n1000|5\n1001|-6", c.Rows("SELECT id, amount FROM " + c.new_schema +
                                                           ".accounts WHERE id IN (1, 1000, 1001) ORDER BY id"));
                   // The user's triggers still fire for the applications' writes.
                   EXPECT_EQ("1|3", c.Value(untouched));
                   c.ExecFails("UPDATE " + c.old_schema + ".accounts SET amount = 1 WHERE id = 10", "account 10 is locked");
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
      {"view", "CREATE VIEW cheap AS SELECT id FROM items WHERE price < 5;", "view cheap"},
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
               .start_error = std::string("column \"price\" of table \"items\", which the migration drops or "
                                          "replaces at complete, is used by: ") + c.object});
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
