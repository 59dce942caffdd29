#include "support/random_migration.h"

#include <algorithm>
#include <functional>

namespace pleat::testing {
namespace {

// What the file has done so far, as the next operation sees it.
struct Model {
  std::string a = "accounts", p = "profiles";
  std::string email_type, age_type = "integer", fee_type, fee_default, nick_type;
  bool email_nullable = false, age_idx = false, mc_check = false;
  std::string age_range;  // the name of age's own check, "" when none
  bool age_required = false, nick_gone = false, pk_rebuilt = false, split = false, moved = false;
  bool memo_renamed = false, extras_dropped = false, notes = false, nick_rebuilt = false;
};

struct Out {
  std::string yaml, reference, deferred, start_error;
};

struct Entry {
  const char* name;
  std::function<bool(const Model&)> applicable;
  std::function<void(Model&, Out&)> apply;
};

bool Always(const Model&) { return true; }

std::string Pick(std::mt19937* rng, std::vector<std::string> options) { return options[(*rng)() % options.size()]; }
bool Coin(std::mt19937* rng) { return (*rng)() % 2 == 0; }

const std::vector<Entry>& Pool() {
  static const std::vector<Entry> pool = {
      {"add_column up over email", Always,
       [](Model& m, Out& o) {
         o.yaml += "  - add_column: {table: " + m.a +
                   ", up: upper(email), column: {name: shout, type: text, nullable: true}}\n";
         o.reference += "ALTER TABLE " + m.a + " ADD COLUMN shout text; UPDATE " + m.a + " SET shout = upper(email);\n";
       }},
      {"add_column up over age", Always,
       [](Model& m, Out& o) {
         o.yaml += "  - add_column: {table: " + m.a +
                   ", up: \"coalesce(age, 0) * 12\", column: {name: months, type: bigint, nullable: true}}\n";
         o.reference += "ALTER TABLE " + m.a + " ADD COLUMN months bigint; UPDATE " + m.a +
                        " SET months = coalesce(age, 0) * 12;\n";
       }},
      {"alter_column age type", Always,
       [](Model& m, Out& o) {
         o.yaml += "  - alter_column: {table: " + m.a + ", column: age, type: bigint, up: \"coalesce(age, 0)\", down: age}\n";
         o.reference += "ALTER TABLE " + m.a + " ALTER COLUMN age TYPE bigint; UPDATE " + m.a +
                        " SET age = coalesce(age, 0);\n";
         m.age_type = "bigint";
       }},
      {"create_constraint check on age", Always,
       [](Model& m, Out& o) {
         o.yaml += "  - create_constraint: {table: " + m.a +
                   ", name: age_not_negative, type: check, check: \"age >= 0\", columns: [age],"
                   " up: {age: \"greatest(age, 0)\"}, down: {age: age}}\n";
         o.reference += "UPDATE " + m.a + " SET age = greatest(age, 0); ALTER TABLE " + m.a +
                        " ADD CONSTRAINT age_not_negative CHECK (age >= 0);\n";
       }},
      {"alter_column age not null", Always,
       [](Model& m, Out& o) {
         o.yaml += "  - alter_column: {table: " + m.a + ", column: age, nullable: false, up: \"coalesce(age, 0)\", down: age}\n";
         o.reference += "UPDATE " + m.a + " SET age = coalesce(age, 0); ALTER TABLE " + m.a +
                        " ALTER COLUMN age SET NOT NULL;\n";
         m.age_required = true;
       }},
      {"create_index on email", Always,
       [](Model& m, Out& o) {
         o.yaml += "  - create_index: {name: accounts_email_idx, table: " + m.a + ", columns: [email]}\n";
         o.reference += "CREATE INDEX accounts_email_idx ON " + m.a + " (email);\n";
       }},
      {"alter_column email check", Always,
       [](Model& m, Out& o) {
         o.yaml += "  - alter_column: {table: " + m.a +
                   ", column: email, check: {name: email_has_at, constraint: \"email LIKE '%@%'\"}, up: email, down: email}\n";
         o.reference += "ALTER TABLE " + m.a + " ADD CONSTRAINT email_has_at CHECK (email LIKE '%@%');\n";
       }},
      {"alter_column email default", Always,
       [](Model& m, Out& o) {
         o.yaml += "  - alter_column: {table: " + m.a + ", column: email, default: \"'none@x'\"}\n";
         o.reference += "ALTER TABLE " + m.a + " ALTER COLUMN email SET DEFAULT 'none@x';\n";
       }},
      {"alter_column email unique", Always,
       [](Model& m, Out& o) {
         o.yaml += "  - alter_column: {table: " + m.a + ", column: email, unique: {name: accounts_email_uq}}\n";
         o.reference += "ALTER TABLE " + m.a + " ADD CONSTRAINT accounts_email_uq UNIQUE (email);\n";
       }},
      {"alter_column email nullable", [](const Model& m) { return !m.email_nullable; },
       [](Model& m, Out& o) {
         o.yaml += "  - alter_column: {table: " + m.a + ", column: email, nullable: true}\n";
         o.reference += "ALTER TABLE " + m.a + " ALTER COLUMN email DROP NOT NULL;\n";
         m.email_nullable = true;
       }},
      {"create_constraint unique on email", Always,
       [](Model& m, Out& o) {
         o.yaml += "  - create_constraint: {table: " + m.a +
                   ", name: accounts_email_unique, type: unique, columns: [email], up: {email: email}, down: {email: email}}\n";
         o.reference += "ALTER TABLE " + m.a + " ADD CONSTRAINT accounts_email_unique UNIQUE (email);\n";
       }},
      {"split_table fee", [](const Model& m) { return !m.split; },
       [](Model& m, Out& o) {
         o.yaml += "  - split_table: {table: " + m.a + ", into: [{table: account_fees, key: account_id, columns: [{from: fee}]}]}\n";
         if (m.pk_rebuilt && o.start_error.empty()) o.start_error = "put the split_table before the operation that changes the primary key";
         o.reference += "CREATE TABLE account_fees (id bigint GENERATED BY DEFAULT AS IDENTITY, account_id " +
                        std::string(m.pk_rebuilt ? "bigint" : "integer") +
                        " NOT NULL UNIQUE CONSTRAINT account_fees_account_id_fkey REFERENCES " + m.a +
                        " (id) ON DELETE CASCADE, fee " + m.fee_type + m.fee_default +
                        ", PRIMARY KEY (id));\nINSERT INTO account_fees (account_id, fee) SELECT id, fee FROM " + m.a +
                        " ORDER BY id;\n";
         o.deferred += "ALTER TABLE {A} DROP COLUMN fee;\n";
         m.split = true;
       }},
      {"drop_column nick", [](const Model& m) { return !m.nick_gone; },
       [](Model& m, Out& o) {
         o.yaml += "  - drop_column: {table: " + m.a + ", column: nick, down: \"'n'\"}\n";
         if (m.nick_rebuilt && o.start_error.empty()) o.start_error = "cannot drop column \"nick\" of table \"" + m.a + "\": an earlier operation";
         o.deferred += "ALTER TABLE {A} DROP COLUMN nick;\n";
         m.nick_gone = true;
       }},
      {"alter_column nick type", [](const Model& m) { return !m.nick_gone; },
       [](Model& m, Out& o) {
         o.yaml += "  - alter_column: {table: " + m.a + ", column: nick, type: \"varchar(80)\"}\n";
         o.reference += "ALTER TABLE " + m.a + " ALTER COLUMN nick TYPE varchar(80);\n";
         m.nick_rebuilt = m.nick_type == "text";  // varchar(20) widens in place
       }},
      {"add_column up over nick", Always,
       [](Model& m, Out& o) {
         o.yaml += "  - add_column: {table: " + m.a +
                   ", up: \"coalesce(nick, 'none')\", column: {name: label, type: text, nullable: true}}\n";
         o.reference += "ALTER TABLE " + m.a + " ADD COLUMN label text; UPDATE " + m.a + " SET label = coalesce(nick, 'none');\n";
       }},
      {"add_column unique", Always,
       [](Model& m, Out& o) {
         o.yaml += "  - add_column: {table: " + m.a + ", column: {name: tag, type: text, nullable: true, unique: true}}\n";
         o.reference += "ALTER TABLE " + m.a + " ADD COLUMN tag text UNIQUE;\n";
       }},
      {"move_column city", [](const Model& m) { return !m.moved; },
       [](Model& m, Out& o) {
         o.yaml += "  - move_column: {table: " + m.a + ", column: city, to: " + m.p + "}\n";
         o.reference += "ALTER TABLE " + m.p + " ADD COLUMN city text; UPDATE " + m.p + " p SET city = a.city FROM " + m.a +
                        " a WHERE a.id = p.account_id;\n";
         o.deferred += "ALTER TABLE {A} DROP COLUMN city;\n";
         m.moved = true;
       }},
      {"rename_column memo", [](const Model& m) { return !m.memo_renamed; },
       [](Model& m, Out& o) {
         o.yaml += "  - rename_column: {table: " + m.a + ", from: memo, to: remark}\n";
         o.reference += "ALTER TABLE " + m.a + " RENAME COLUMN memo TO remark;\n";
         m.memo_renamed = true;
       }},
      {"alter_column memo name and comment", [](const Model& m) { return !m.memo_renamed; },
       [](Model& m, Out& o) {
         o.yaml += "  - alter_column: {table: " + m.a + ", column: memo, name: remark, comment: a memo}\n";
         o.reference += "ALTER TABLE " + m.a + " RENAME COLUMN memo TO remark; COMMENT ON COLUMN " + m.a +
                        ".remark IS 'a memo';\n";
         m.memo_renamed = true;
       }},
      {"alter_column email comment", Always,
       [](Model& m, Out& o) {
         o.yaml += "  - alter_column: {table: " + m.a + ", column: email, comment: the address}\n";
         o.reference += "COMMENT ON COLUMN " + m.a + ".email IS 'the address';\n";
       }},
      {"rename_table profiles", [](const Model& m) { return m.p == "profiles"; },
       [](Model& m, Out& o) {
         o.yaml += "  - rename_table: {from: profiles, to: members}\n";
         o.reference += "ALTER TABLE profiles RENAME TO members;\n";
         m.p = "members";
       }},
      {"rename_table accounts", [](const Model& m) { return m.a == "accounts"; },
       [](Model& m, Out& o) {
         o.yaml += "  - rename_table: {from: accounts, to: clients}\n";
         o.reference += "ALTER TABLE accounts RENAME TO clients;\n";
         m.a = "clients";
       }},
      {"drop_table extras", [](const Model& m) { return !m.extras_dropped; },
       [](Model& m, Out& o) {
         o.yaml += "  - drop_table: {name: extras}\n";
         o.deferred += "DROP TABLE extras;\n";
         m.extras_dropped = true;
       }},
      {"create_table notes", [](const Model& m) { return !m.notes; },
       [](Model& m, Out& o) {
         o.yaml += "  - create_table: {name: notes, columns: [{name: id, type: serial, pk: true}, {name: account_id, "
                   "type: integer, nullable: true, references: {name: notes_account_fk, table: " +
                   m.a + ", column: id}}, {name: body, type: text, nullable: true}]}\n";
         o.reference += "CREATE TABLE notes (id serial PRIMARY KEY, account_id integer CONSTRAINT notes_account_fk "
                        "REFERENCES " + m.a + " (id), body text);\n";
         m.notes = true;
       }},
      {"drop_index age", [](const Model& m) { return m.age_idx; },
       [](Model& m, Out& o) {
         o.yaml += "  - drop_index: {name: accounts_age_idx}\n";
         o.reference += "DROP INDEX accounts_age_idx;\n";
         m.age_idx = false;
       }},
      {"drop_constraint age check", [](const Model& m) { return !m.age_range.empty(); },
       [](Model& m, Out& o) {
         o.yaml += "  - drop_constraint: {table: " + m.a + ", name: " + m.age_range + ", up: age, down: age}\n";
         o.reference += "ALTER TABLE " + m.a + " DROP CONSTRAINT " + m.age_range + ";\n";
         m.age_range.clear();
       }},
      {"rename_constraint age check", [](const Model& m) { return m.age_range == "age_range"; },
       [](Model& m, Out& o) {
         o.yaml += "  - rename_constraint: {table: " + m.a + ", from: age_range, to: age_limit}\n";
         o.reference += "ALTER TABLE " + m.a + " RENAME CONSTRAINT age_range TO age_limit;\n";
         m.age_range = "age_limit";
       }},
      {"drop_multicolumn_constraint", [](const Model& m) { return m.mc_check; },
       [](Model& m, Out& o) {
         o.yaml += "  - drop_multicolumn_constraint: {table: " + m.a + ", name: accounts_mc_check}\n";
         o.reference += "ALTER TABLE " + m.a + " DROP CONSTRAINT accounts_mc_check;\n";
         m.mc_check = false;
       }},
      {"set_replica_identity full", Always,
       [](Model& m, Out& o) {
         o.yaml += "  - set_replica_identity: {table: " + m.a + ", identity: {type: full}}\n";
         o.reference += "ALTER TABLE " + m.a + " REPLICA IDENTITY FULL;\n";
       }},
      {"create_constraint foreign key on profiles", Always,
       [](Model& m, Out& o) {
         o.yaml += "  - create_constraint: {table: " + m.p +
                   ", name: profiles_account_fk2, type: foreign_key, columns: [account_id], references: {table: " + m.a +
                   ", columns: [id]}, up: {account_id: account_id}, down: {account_id: account_id}}\n";
         o.reference += "ALTER TABLE " + m.p + " ADD CONSTRAINT profiles_account_fk2 FOREIGN KEY (account_id) REFERENCES " +
                        m.a + " (id);\n";
       }},
      {"alter_column primary key type", [](const Model& m) { return !m.pk_rebuilt; },
       [](Model& m, Out& o) {
         o.yaml += "  - alter_column: {table: " + m.a + ", column: id, type: bigint}\n";
         o.reference += "ALTER TABLE " + m.a + " ALTER COLUMN id TYPE bigint;\n";
         m.pk_rebuilt = true;
       }},
  };
  return pool;
}

std::string SetupSql(const Model& m, std::mt19937* rng) {
  std::string s = "CREATE TABLE accounts (id serial PRIMARY KEY, email " + m.email_type +
                  (m.email_nullable ? "" : " NOT NULL") + (Coin(rng) ? " UNIQUE" : "") + ", age " + m.age_type +
                  (m.age_range.empty() ? "" : " CONSTRAINT age_range CHECK (age < 200)") + ", fee " + m.fee_type +
                  m.fee_default + ", nick " + m.nick_type + ", city text, memo text" +
                  (m.mc_check ? ", CONSTRAINT accounts_mc_check CHECK (coalesce(age, 0) < 1000 OR email IS NULL)" : "") +
                  ");\n";
  if (m.age_idx) s += "CREATE INDEX accounts_age_idx ON accounts (age);\n";
  s += "CREATE TABLE profiles (id serial PRIMARY KEY, account_id integer REFERENCES accounts (id));\n"
       "CREATE TABLE extras (id integer PRIMARY KEY, v text);\n";
  bool nulls = Coin(rng);
  s += "INSERT INTO accounts (id, email, age, fee, nick, city, memo) VALUES (1, 'a@x', 30, 1, 'a', 'rome', 'm1'), " +
       std::string(nulls ? "(2, 'b@x', NULL, NULL, NULL, NULL, NULL)" : "(2, 'b@x', 20, 2, 'b', 'oslo', 'm2')") +
       ", (3, 'c@x', 5, 7, 'c', 'paris', NULL);\n"
       "SELECT setval('accounts_id_seq', 20);\n"
       "INSERT INTO profiles (id, account_id) VALUES (1, 1), (2, 2), (3, 3);\n"
       "SELECT setval('profiles_id_seq', 20);\n"
       "INSERT INTO extras VALUES (1, 'x');\n";
  return s;
}

// A new-version insert of an account: the columns the new version requires.
std::string NewInsert(const Model& m, int id, const std::string& email, int age) {
  return "INSERT INTO {new}." + m.a + " (id, email" + (m.age_required ? ", age" : "") + ") VALUES (" +
         std::to_string(id) + ", '" + email + "'" + (m.age_required ? ", " + std::to_string(age) : "") + ")";
}

}  // namespace

RandomCase GenerateRandomCase(std::mt19937* rng) {
  Model m;
  m.email_type = Pick(rng, {"text", "varchar(60)"});
  m.email_nullable = Coin(rng);
  m.age_type = Pick(rng, {"integer", "smallint"});
  m.age_range = Coin(rng) ? "age_range" : "";
  m.age_idx = Coin(rng);
  m.mc_check = Coin(rng);
  m.fee_type = Pick(rng, {"numeric(10,2)", "integer"});
  m.fee_default = Coin(rng) ? " DEFAULT 0" : "";
  m.nick_type = Pick(rng, {"text", "varchar(20)"});
  RandomCase rc;
  rc.setup_sql = SetupSql(m, rng);
  const auto& pool = Pool();
  int count = 2 + static_cast<int>((*rng)() % 5);
  Out out;
  std::vector<const Entry*> used;  // each entry once: twice would only test taken names
  out.yaml = "operations:\n";
  for (int i = 0; i < count; ++i) {
    std::vector<const Entry*> open;
    for (const auto& e : pool)
      if (e.applicable(m) && std::find(used.begin(), used.end(), &e) == used.end()) open.push_back(&e);
    if (open.empty()) break;
    used.push_back(open[(*rng)() % open.size()]);
    used.back()->apply(m, out);
  }
  for (size_t at = out.deferred.find("{A}"); at != std::string::npos; at = out.deferred.find("{A}"))
    out.deferred.replace(at, 3, m.a);
  if ((*rng)() % 8 == 0) {  // `sql` must be alone in its file: refused as the file is loaded
    out.yaml += "  - sql: {up: \"SELECT 1\", down: \"SELECT 1\"}\n";
    out.start_error = "\"sql\" operation must be alone in its migration";
  }
  rc.migration = out.yaml;
  rc.start_error = out.start_error;
  rc.reference = out.reference + out.deferred;
  rc.old_writes_first = {
      "INSERT INTO {old}.accounts (id, email, age, fee, nick, city, memo) VALUES (4, 'd@x', 40, 3, 'd', 'lima', 'm4')",
      "UPDATE {old}.accounts SET age = 31, fee = 5, city = 'bern', nick = 'z', memo = NULL WHERE id = 1"};
  rc.new_writes_first = {"UPDATE {new}." + m.a + " SET email = 'b2@x' WHERE id = 2", NewInsert(m, 5, "e@x", 7)};
  rc.old_writes = {
      "INSERT INTO {old}.accounts (id, email, age, fee, nick, city, memo) VALUES (6, 'f@x', 50, 9, NULL, 'rio', 'm6')",
      "UPDATE {old}.accounts SET age = 12, fee = 8, city = NULL, nick = 'y', memo = 'm3' WHERE id = 3",
      "DELETE FROM {old}.accounts WHERE id = 5"};
  rc.new_writes = {"UPDATE {new}." + m.a + " SET email = 'a2@x' WHERE id = 1", NewInsert(m, 7, "g@x", 9),
                   "INSERT INTO {new}." + m.p + " (id, account_id) VALUES (10, 7)", "DELETE FROM {new}." + m.a + " WHERE id = 4"};
  if (m.split) {  // through the new tables, which write the source back
    rc.new_writes_first.push_back("UPDATE {new}.account_fees SET fee = 11 WHERE account_id = 2");
    rc.new_writes.push_back("UPDATE {new}.account_fees SET fee = 12 WHERE account_id = 1");
    rc.new_writes.push_back("INSERT INTO {new}.account_fees (account_id, fee) VALUES (7, 13)");
  }
  if (m.moved) {
    rc.new_writes_first.push_back("UPDATE {new}." + m.p + " SET city = 'kyiv' WHERE account_id = 2");
    rc.new_writes.push_back("UPDATE {new}." + m.p + " SET city = 'graz' WHERE account_id = 1");
  }
  rc.tables = {m.a, m.p};
  if (!m.extras_dropped) rc.tables.push_back("extras");
  if (m.split) rc.tables.push_back("account_fees");
  if (m.notes) rc.tables.push_back("notes");
  std::sort(rc.tables.begin(), rc.tables.end());
  return rc;
}

std::string WithSchemas(std::string sql, const std::string& old_schema, const std::string& new_schema) {
  for (const auto& [from, to] : {std::pair<std::string, std::string>{"{old}", old_schema}, {"{new}", new_schema}}) {
    for (size_t at = sql.find(from); at != std::string::npos; at = sql.find(from, at + to.size()))
      sql.replace(at, from.size(), to);
  }
  return sql;
}

}  // namespace pleat::testing
