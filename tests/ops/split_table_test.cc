// split_table: the seed case. `contracts` keeps the common fields; the client's
// and the worker's commission fee move to new tables keyed by contract_id.
// Every write path of both versions is exercised after start; rollback must
// restore `contracts` exactly with every value either version wrote.
#include <gtest/gtest.h>

#include "engine/lifecycle.h"
#include "support/migration_file.h"
#include "support/op_case.h"

namespace pleat::testing {
namespace {

const char* kContracts = R"yaml(
operations:
  - create_table:
      name: contracts
      columns:
        - {name: id, type: serial, pk: true}
        - {name: title, type: text}
        - name: commission_fee_client
          type: numeric(10,2)
          check: {name: fee_client_not_negative, constraint: commission_fee_client >= 0}
        - {name: commission_fee_worker, type: "numeric(10,2)", nullable: true, default: "1"}
)yaml";

const char* kSplit = R"(
operations:
  - split_table:
      table: contracts
      into:
        - table: contract_clients
          key: contract_id
          columns:
            - {from: commission_fee_client, name: commission_fee, down: "0"}
        - table: contract_workers
          key: contract_id
          columns:
            - {from: commission_fee_worker, name: commission_fee}
            - {name: note, type: text, nullable: true}
)";

const char* kParent = "SELECT id, title, commission_fee_client, commission_fee_worker FROM public.contracts ORDER BY id";

std::string Children(CaseContext& c, const std::string& schema, const std::string& table) {
  return c.Rows("SELECT contract_id, commission_fee FROM " + schema + "." + table + " ORDER BY contract_id");
}

// Every contract has one child row of each kind holding its fees.
void ExpectInStep(CaseContext& c) {
  for (const char* side : {"client", "worker"}) {
    std::string child = std::string("contract_") + side + "s";
    EXPECT_EQ("0", c.Value("SELECT count(*) FROM public.contracts p FULL JOIN public." + child +
                           " k ON k.contract_id = p.id WHERE k.id IS NULL OR p.id IS NULL OR "
                           "k.commission_fee IS DISTINCT FROM p.commission_fee_" + side))
        << child << ":\n" << c.Rows(kParent) << "\n--\n" << Children(c, "public", child);
  }
}

void AfterStart(CaseContext& c) {
  const std::string& o = c.old_schema;
  const std::string& n = c.new_schema;
  // backfilled, and each version sees its own shape
  EXPECT_EQ("1|10.00\n2|20.00", Children(c, n, "contract_clients"));
  EXPECT_EQ("1|1.00\n2|NULL", Children(c, n, "contract_workers"));
  EXPECT_EQ("id|title", c.Value("SELECT string_agg(column_name, '|' ORDER BY ordinal_position) FROM "
                                "information_schema.columns WHERE table_schema = '" + n + "' AND table_name = 'contracts'"));
  c.ExecFails("SELECT * FROM " + o + ".contract_clients", "does not exist");
  // old writers: their version schema, search_path, the physical table
  c.Exec("INSERT INTO " + o + ".contracts (title, commission_fee_client, commission_fee_worker) VALUES ('c3', 30, 3)");
  c.Exec("SET search_path TO " + o + "; INSERT INTO contracts (title, commission_fee_client, commission_fee_worker) "
         "VALUES ('c4', 40, 4); RESET search_path");
  c.Exec("INSERT INTO public.contracts (title, commission_fee_client, commission_fee_worker) VALUES ('c5', 50, 5)");
  c.Exec("UPDATE " + o + ".contracts SET commission_fee_client = 11 WHERE id = 1");
  c.Exec("UPDATE public.contracts SET commission_fee_worker = 2 WHERE id = 2");
  c.Exec("DELETE FROM " + o + ".contracts WHERE id = 4");
  c.Exec("INSERT INTO public.contracts (id, title, commission_fee_client, commission_fee_worker) VALUES (5, 'c5', 55, 5) "
         "ON CONFLICT (id) DO UPDATE SET commission_fee_client = EXCLUDED.commission_fee_client");
  c.ExecFails("INSERT INTO " + o + ".contracts (id, title, commission_fee_client) VALUES (99, 'bad', NULL)", "null value");
  ExpectInStep(c);
  // new writers, schema-qualified (Prisma 7) and by search_path: the parent first, its children a statement later
  c.Exec("INSERT INTO " + n + ".contracts (title) VALUES ('n6')");
  c.Exec("INSERT INTO " + n + ".contract_clients (contract_id, commission_fee) VALUES (6, 60)");
  c.Exec("INSERT INTO " + n + ".contract_workers (contract_id, commission_fee, note) VALUES (6, 6, 'six')");
  c.Exec("SET search_path TO " + n + "; INSERT INTO contracts (title) VALUES ('n7'); "
         "INSERT INTO contract_clients (contract_id, commission_fee) VALUES (7, 70); "
         "INSERT INTO contract_workers (contract_id, commission_fee) VALUES (7, 7); RESET search_path");
  c.Exec("UPDATE " + n + ".contract_clients SET commission_fee = 12 WHERE contract_id = 2");
  c.Exec("UPDATE " + n + ".contracts SET title = 'c3!' WHERE id = 3");
  c.Exec("DELETE FROM " + n + ".contracts WHERE id = 5");
  ExpectInStep(c);
  // a new-version contract whose children never came, and a deleted child: cleared values
  c.Exec("INSERT INTO " + n + ".contracts (title) VALUES ('n8')");
  c.Exec("DELETE FROM " + n + ".contract_workers WHERE contract_id = 3");
  c.Exec("DELETE FROM " + n + ".contract_clients WHERE contract_id = 7");
  EXPECT_EQ("1|c1|11.00|1.00\n2|c2|12.00|2.00\n3|c3!|30.00|NULL\n6|n6|60.00|6.00\n7|n7|0.00|7.00\n8|n8|NULL|1.00",
            c.Rows(kParent));
}

void AfterRollback(CaseContext& c) {
  // every value either version wrote; rows the new version left without a value get `down`
  EXPECT_EQ("1|c1|11.00|1.00\n2|c2|12.00|2.00\n3|c3!|30.00|NULL\n6|n6|60.00|6.00\n7|n7|0.00|7.00\n8|n8|0.00|1.00",
            c.Rows(kParent));
  EXPECT_EQ("0", c.Value("SELECT count(*) FROM pg_class WHERE relname LIKE 'contract\\_%'"));
  c.ExecFails("INSERT INTO contracts (id, title, commission_fee_client) VALUES (99, 'bad', NULL)", "null value");
}

void AfterComplete(CaseContext& c) {
  const std::string& n = c.new_schema;
  EXPECT_EQ("id|title", c.Value("SELECT string_agg(attname, '|' ORDER BY attnum) FROM pg_attribute WHERE attrelid = "
                                "'public.contracts'::regclass AND attnum > 0 AND NOT attisdropped"));
  EXPECT_EQ("1|11.00\n2|12.00\n3|30.00\n6|60.00\n7|0.00\n8|0.00", Children(c, n, "contract_clients"));
  EXPECT_EQ("1|1.00\n2|2.00\n3|NULL\n6|6.00\n7|7.00\n8|1.00", Children(c, n, "contract_workers"));
  // the moved check and the key's constraints came along
  c.ExecFails("INSERT INTO " + n + ".contract_clients (contract_id, commission_fee) VALUES (8, -1)", "check");
  c.ExecFails("INSERT INTO " + n + ".contract_clients (contract_id, commission_fee) VALUES (1, 1)", "duplicate key");
  c.ExecFails("INSERT INTO " + n + ".contract_clients (contract_id, commission_fee) VALUES (99, 1)", "foreign key");
  // plain tables again: a contract and its children, no triggers in between
  c.Exec("INSERT INTO " + n + ".contracts (title) VALUES ('n9')");
  c.Exec("INSERT INTO " + n + ".contract_workers (contract_id, commission_fee) VALUES (9, 9)");
  EXPECT_EQ("0", c.Value("SELECT count(*) FROM pg_trigger WHERE tgname LIKE '%\\_pleat%'"));
  c.Exec("DELETE FROM " + n + ".contracts WHERE id = 1");
  EXPECT_EQ("0", c.Value("SELECT count(*) FROM public.contract_clients WHERE contract_id = 1"));
  // a later migration may make the relation one-to-many
  c.Exec("ALTER TABLE public.contract_workers DROP CONSTRAINT contract_workers_contract_id_key");
  c.Exec("INSERT INTO " + n + ".contract_workers (contract_id, commission_fee) VALUES (9, 10)");
}

TEST(SplitTable, Cases) {
  const OpCase cases[] = {
      {.name = "contracts_into_clients_and_workers",
       .setup_migrations = {kContracts},
       .setup_sql = "INSERT INTO contracts (title, commission_fee_client, commission_fee_worker) "
                    "VALUES ('c1', 10, 1), ('c2', 20, NULL)",
       .migration = kSplit,
       .after_start = AfterStart,
       .after_rollback = AfterRollback,
       .after_complete = AfterComplete},
      {.name = "key_as_primary_key",
       .setup_migrations = {kContracts},
       .setup_sql = "INSERT INTO contracts (title, commission_fee_client) VALUES ('c1', 10)",
       .migration = "operations:\n  - split_table:\n      table: contracts\n      into:\n"
                    "        - {table: contract_clients, key: contract_id, primary_key: key,"
                    " columns: [{from: commission_fee_client}]}\n",
       .after_complete = [](CaseContext& c) {
         EXPECT_EQ("contract_id", c.Value("SELECT string_agg(a.attname, ',') FROM pg_index i JOIN pg_attribute a ON "
                                          "a.attrelid = i.indrelid AND a.attnum = ANY (i.indkey) WHERE i.indisprimary "
                                          "AND i.indrelid = 'public.contract_clients'::regclass"));
         EXPECT_EQ("1|10.00", c.Rows("SELECT contract_id, commission_fee_client FROM " + c.new_schema +
                                     ".contract_clients"));
       }},
      // A new-version row whose split rows are still to come keeps the moved
      // columns' defaults (commission_fee_worker's 1) in `contracts`: verify
      // must not call that a disagreement, or complete is refused (found by
      // CompositionRandom, seed 20261241).
      {.name = "new_version_row_before_its_split_rows_verifies_clean",
       .setup_migrations = {kContracts},
       .migration = kSplit,
       .before_complete = [](CaseContext& c) {
         c.Exec("INSERT INTO " + c.new_schema + ".contracts (title) VALUES ('c3')");
         EXPECT_EQ("1.00", c.Value("SELECT commission_fee_worker FROM public.contracts WHERE title = 'c3'"));
         std::vector<Finding> findings;
         ASSERT_TRUE(engine::Lifecycle(OptionsFor(c.url)).Verify(&findings).ok());
         for (const auto& f : findings) ADD_FAILURE() << f.rule << ": " << f.object << ": " << f.message;
         c.ExecAsSuperuser("SET session_replication_role = replica; "
                           "UPDATE public.contracts SET commission_fee_worker = 2 WHERE title = 'c3'");
         ASSERT_TRUE(engine::Lifecycle(OptionsFor(c.url)).Verify(&findings).ok());
         EXPECT_EQ(1u, findings.size()) << "a value other than the default with no split row is still found";
         c.ExecAsSuperuser("SET session_replication_role = replica; "
                           "UPDATE public.contracts SET commission_fee_worker = 1 WHERE title = 'c3'");
       }},
      // The trigger that carries a deleted split row back to the source
      // declares PL/pgSQL variables: a `down` reading a column of the same name
      // in a sub-select must not clash with them (variable_conflict = error).
      {.name = "down_reads_a_column_named_like_a_trigger_variable",
       .setup_migrations = {kContracts},
       .setup_sql = "CREATE TABLE flags (id int PRIMARY KEY, gone boolean, guard text);"
                    "INSERT INTO flags VALUES (1, true, 'a'), (2, true, NULL), (3, false, 'c');"
                    "INSERT INTO contracts (title, commission_fee_client) VALUES ('c1', 10)",
       .migration = "operations:\n  - split_table:\n      table: contracts\n      into:\n"
                    "        - {table: contract_clients, key: contract_id, columns: [{from: commission_fee_client,"
                    " name: commission_fee, down: \"(SELECT count(*) FROM flags WHERE gone AND guard IS NOT NULL)\"}]}\n",
       .after_start = [](CaseContext& c) {
         c.Exec("UPDATE " + c.new_schema + ".contract_clients SET commission_fee = 12 WHERE contract_id = 1");
         c.Exec("DELETE FROM " + c.new_schema + ".contract_clients WHERE contract_id = 1");
         EXPECT_EQ("1.00", c.Value("SELECT commission_fee_client FROM public.contracts WHERE id = 1"));
       }},
      {.name = "moving_the_primary_key_is_refused",
       .setup_migrations = {kContracts},
       .migration = "operations:\n  - split_table:\n      table: contracts\n      into:\n"
                    "        - {table: x, key: contract_id, columns: [{from: id}]}\n",
       .start_error = "it is the primary key"},
      {.name = "not_null_extra_without_default_is_refused",
       .setup_migrations = {kContracts},
       .migration = "operations:\n  - split_table:\n      table: contracts\n      into:\n"
                    "        - {table: x, key: contract_id, columns: [{from: title}, {name: y, type: int}]}\n",
       .start_error = "NOT NULL without a default"},
  };
  for (const auto& c : cases) RunOpCase(c);
}

}  // namespace
}  // namespace pleat::testing
