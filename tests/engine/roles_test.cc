// Production roles: pleat runs as the owner of the tables (never a superuser)
// and the applications connect as roles that hold only grants. Every write an
// application version could make before must still work through every phase,
// no role may do through pleat's objects what it could not do before, rollback
// leaves every ACL as it was, and what pleat cannot do with its rights it
// refuses before any DDL.
#include <gtest/gtest.h>

#include "check/rights.h"
#include "engine/lifecycle.h"
#include "support/migration_file.h"
#include "support/test_db.h"

namespace pleat::testing {
namespace {

// Roles are shared by every database of the server; each test uses its own
// database, owned by pleat_owner.
constexpr const char* kOwner = "pleat_owner";
constexpr const char* kApp = "pleat_app";        // table grants
constexpr const char* kNarrow = "pleat_narrow";  // column grants that do not reach the moved column

const char* kAccounts = R"sql(
CREATE TABLE accounts (id serial PRIMARY KEY, email text NOT NULL, card_no text, age int);
INSERT INTO accounts (email, card_no, age) VALUES ('a@x', 'c1', 30), ('b@x', 'c2', 40);
GRANT SELECT, INSERT, UPDATE, DELETE ON accounts TO pleat_app;
GRANT USAGE ON SEQUENCE accounts_id_seq TO pleat_app, pleat_narrow;
GRANT SELECT (id, email, age), INSERT (email, age), UPDATE (email, age) ON accounts TO pleat_narrow;
)sql";

const char* kSplit = R"(
operations:
  - split_table:
      table: accounts
      into:
        - table: account_cards
          key: account_id
          columns:
            - {from: card_no}
)";

const char* kRetype = R"(
operations:
  - alter_column:
      table: accounts
      column: age
      type: bigint
      up: age::bigint
      down: age::int
)";

// Every ACL of the schema's relations and columns, one line each.
std::string Acls(pg::Connection* conn) {
  return Rows(conn,
              "SELECT c.relname || ' ' || coalesce(c.relacl::text, '-') || ' ' || pg_get_userbyid(c.relowner) || "
              "coalesce((SELECT ' ' || string_agg(a.attname || '=' || a.attacl::text, ' ' ORDER BY a.attname) "
              "FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attacl IS NOT NULL AND NOT a.attisdropped), '') "
              "FROM pg_class c WHERE c.relnamespace = 'public'::regnamespace ORDER BY c.relname");
}

class Roles : public ::testing::Test {
 protected:
  void SetUp() override {
    EnsureRole(kApp, "LOGIN");
    EnsureRole(kNarrow, "LOGIN");
    url_ = NewOwnedDatabase(kOwner);
    owner_ = Connect(url_);
    Exec(&owner_, kAccounts);
    app_ = Connect(UrlAs(url_, kApp));
    narrow_ = Connect(UrlAs(url_, kNarrow));
  }

  Status Start(const std::string& yaml, std::string* vs, const Options* options = nullptr) {
    file_ = std::make_unique<MigrationFile>("02_change", yaml);
    engine::Lifecycle lifecycle(options ? *options : OptionsFor(url_));
    return lifecycle.Start(file_->path(), false, vs);
  }
  Status Complete() { return engine::Lifecycle(OptionsFor(url_)).Complete(); }
  Status Rollback() { return engine::Lifecycle(OptionsFor(url_)).Rollback(); }
  int VerifyErrors() {
    std::vector<Finding> findings;
    Status s = engine::Lifecycle(OptionsFor(url_)).Verify(&findings);
    EXPECT_TRUE(s.ok()) << s.ToString();
    int errors = 0;
    for (const auto& f : findings) errors += f.severity == Severity::kError;
    return errors;
  }

  std::string url_;
  pg::Connection owner_, app_, narrow_;
  std::unique_ptr<MigrationFile> file_;
};

// The old app writes through the raw table while a split is active; the role
// with column grants that do not cover the moved column still inserts (pleat's
// move trigger writes the new table with the owner's rights); the new app reads
// and writes the new table through its version schema.
TEST_F(Roles, SplitTableKeepsEveryAppRoleWriting) {
  std::string before_dump = DumpSchema(url_, "public"), before_acls = Acls(&owner_);
  std::string vs;
  Status s = Start(kSplit, &vs);
  ASSERT_TRUE(s.ok()) << s.ToString();
  // old app, raw tables
  Exec(&app_, "INSERT INTO public.accounts (email, card_no) VALUES ('c@x', 'c3')");
  Exec(&app_, "UPDATE public.accounts SET card_no = 'c1!' WHERE id = 1");
  Exec(&narrow_, "INSERT INTO public.accounts (email, age) VALUES ('n@x', 9)");
  Exec(&narrow_, "UPDATE public.accounts SET age = 10 WHERE email = 'n@x'");
  // new app, its version schema: the new table has the split table's grants
  EXPECT_EQ("1|c1!\n2|c2\n3|c3\n4|NULL", Rows(&app_, "SELECT account_id, card_no FROM " + vs +
                                                         ".account_cards ORDER BY account_id"));
  Exec(&app_, "INSERT INTO " + vs + ".accounts (email) VALUES ('d@x')");
  Exec(&app_, "INSERT INTO " + vs + ".account_cards (account_id, card_no) VALUES (5, 'c5')");
  Exec(&app_, "UPDATE " + vs + ".account_cards SET card_no = 'c2!' WHERE account_id = 2");
  Exec(&narrow_, "INSERT INTO " + vs + ".accounts (email) VALUES ('e@x')");
  EXPECT_EQ("1|c1!\n2|c2!\n3|c3\n4|NULL\n5|c5\n6|NULL",
            Rows(&owner_, "SELECT id, card_no FROM public.accounts ORDER BY id"));
  EXPECT_EQ(0, VerifyErrors());
  // nothing more than before: the narrow role reads no card through the new
  // table, and cannot reuse pleat's trigger functions on a table of its own
  Status read = narrow_.Exec("SELECT card_no FROM " + vs + ".account_cards");
  EXPECT_NE(std::string::npos, read.message().find("permission denied")) << read.ToString();
  pg::Connection admin = Connect(UrlAs(url_, "postgres"));
  Exec(&admin, "CREATE SCHEMA narrow_own AUTHORIZATION pleat_narrow");
  Exec(&narrow_, "CREATE TABLE narrow_own.fake (id int, card_no text)");
  std::string fn = Value(&owner_, "SELECT p.oid::regproc FROM pg_proc p WHERE p.proname LIKE '\\_pleat\\_movesrc%'");
  ASSERT_NE("", fn);
  Status attach = narrow_.Exec("CREATE TRIGGER t AFTER INSERT ON narrow_own.fake FOR EACH ROW EXECUTE FUNCTION " +
                               fn + "()");
  EXPECT_NE(std::string::npos, attach.message().find("permission denied")) << attach.ToString();
  Exec(&admin, "DROP SCHEMA narrow_own CASCADE");

  s = Rollback();
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(before_acls, Acls(&owner_));
  EXPECT_EQ(before_dump, DumpSchema(url_, "public"));
  EXPECT_EQ("1|c1!\n2|c2!\n3|c3\n4|NULL\n5|c5\n6|NULL",
            Rows(&owner_, "SELECT id, card_no FROM public.accounts ORDER BY id"));

  s = Start(kSplit, &vs);
  ASSERT_TRUE(s.ok()) << s.ToString();
  Exec(&narrow_, "INSERT INTO public.accounts (email) VALUES ('f@x')");
  s = Complete();
  ASSERT_TRUE(s.ok()) << s.ToString();
  // after complete: the app keeps every right it had, on the final tables
  Exec(&app_, "INSERT INTO " + vs + ".accounts (email) VALUES ('g@x')");
  Exec(&app_, "INSERT INTO " + vs + ".account_cards (account_id, card_no) VALUES (8, 'c8')");
  Exec(&app_, "DELETE FROM public.account_cards WHERE account_id = 8");
  EXPECT_EQ("7", Value(&app_, "SELECT count(*) FROM " + vs + ".account_cards"));
  Exec(&narrow_, "INSERT INTO " + vs + ".accounts (email) VALUES ('h@x')");
  EXPECT_EQ("pleat_owner", Value(&owner_, "SELECT tableowner FROM pg_tables WHERE tablename = 'account_cards'"));
}

// The case the issue was filed for: split_table, add_column and a type change
// in one file, with the old app inserting through the raw table and its version
// schema and the new app reading and writing the split's table.
TEST_F(Roles, SplitAddAndRetypeInOneFile) {
  const char* migration = R"(
operations:
  - split_table:
      table: accounts
      into:
        - table: account_cards
          key: account_id
          columns:
            - {from: card_no}
  - add_column:
      table: accounts
      up: upper(email)
      column: {name: shout, type: text, nullable: true}
  - alter_column: {table: accounts, column: age, type: bigint, up: age::bigint, down: age::int}
)";
  std::string before_acls = Acls(&owner_);
  std::string vs;
  for (int round = 0; round < 2; ++round) {
    Status s = Start(migration, &vs);
    ASSERT_TRUE(s.ok()) << s.ToString();
    EXPECT_EQ("1|c1\n2|c2", Rows(&app_, "SELECT account_id, card_no FROM " + vs + ".account_cards ORDER BY 1"));
    Exec(&app_, "INSERT INTO public.accounts (email, card_no, age) VALUES ('c@x', 'c3', 3)");
    Exec(&narrow_, "INSERT INTO public.accounts (email, age) VALUES ('n@x', 4)");
    Exec(&app_, "INSERT INTO " + vs + ".accounts (email, age) VALUES ('d@x', 50)");
    Exec(&app_, "UPDATE " + vs + ".account_cards SET card_no = 'c1!' WHERE account_id = 1");
    EXPECT_EQ("a@x|A@X|30|c1!\nb@x|B@X|40|c2\nc@x|C@X|3|c3\nd@x|NULL|50|NULL\nn@x|N@X|4|NULL",
              Rows(&app_, "SELECT a.email, a.shout, a.age, c.card_no FROM " + vs + ".accounts a LEFT JOIN " + vs +
                              ".account_cards c ON c.account_id = a.id ORDER BY a.email"));
    EXPECT_EQ(0, VerifyErrors());
    if (round == 1) break;
    ASSERT_TRUE(Rollback().ok());
    EXPECT_EQ(before_acls, Acls(&owner_));
    Exec(&owner_, "DELETE FROM accounts WHERE id > 2; UPDATE accounts SET card_no = 'c1' WHERE id = 1");
  }
  ASSERT_TRUE(Complete().ok());
  Exec(&app_, "INSERT INTO " + vs + ".account_cards (account_id, card_no) SELECT id, 'c5' FROM " + vs +
                  ".accounts WHERE email = 'd@x'");
  Exec(&narrow_, "INSERT INTO public.accounts (email, age) VALUES ('m@x', 6000000000)");
  EXPECT_EQ("6", Value(&app_, "SELECT count(*) FROM " + vs + ".accounts"));
}

// A shadow column (type change) keeps the column grants of the column it
// replaces, during the migration and after complete; rollback leaves the ACLs.
TEST_F(Roles, ShadowColumnKeepsColumnGrants) {
  std::string before_acls = Acls(&owner_);
  std::string vs;
  Status s = Start(kRetype, &vs);
  ASSERT_TRUE(s.ok()) << s.ToString();
  // A role with column grants reads no view that shows a column it may not
  // read (PostgreSQL checks every column a view selects), so it writes the
  // table, and inserts through the new version (docs/roles.md).
  Exec(&narrow_, "UPDATE public.accounts SET age = 31 WHERE id = 1");
  Exec(&narrow_, "INSERT INTO " + vs + ".accounts (email, age) VALUES ('n@x', 50)");
  EXPECT_EQ("1|31\n2|40\n3|50", Rows(&owner_, "SELECT id, age FROM " + vs + ".accounts ORDER BY id"));
  EXPECT_EQ(0, VerifyErrors());
  s = Rollback();
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(before_acls, Acls(&owner_));
  Exec(&owner_, "DELETE FROM accounts WHERE id > 2");
  s = Start(kRetype, &vs);
  ASSERT_TRUE(s.ok()) << s.ToString();
  s = Complete();
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ("bigint", Value(&owner_, "SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = "
                                     "'accounts'::regclass AND attname = 'age'"));
  Exec(&narrow_, "UPDATE public.accounts SET age = 6000000000 WHERE id = 1");
  Exec(&narrow_, "UPDATE public.accounts SET age = 7 WHERE id = 2");
  EXPECT_EQ("1|6000000000\n2|7", Rows(&narrow_, "SELECT id, age FROM public.accounts ORDER BY id"));
  Status denied = narrow_.Exec("UPDATE public.accounts SET card_no = 'x'");
  EXPECT_NE(std::string::npos, denied.message().find("permission denied")) << denied.ToString();
}

// A moved column keeps its column grants in its new table: the narrow role
// updates it in the old place (pleat's trigger carries the value over with the
// owner's rights), then reads and updates it in the new one after complete.
TEST_F(Roles, MovedColumnKeepsColumnGrants) {
  Exec(&owner_, "CREATE TABLE profiles (id serial PRIMARY KEY, account_id int REFERENCES accounts (id), bio text); "
                "INSERT INTO profiles (account_id, bio) VALUES (1, 'p1'), (2, 'p2'); "
                "GRANT SELECT (id, account_id) ON profiles TO pleat_narrow");
  std::string before_acls = Acls(&owner_);
  const char* move = "operations:\n  - move_column: {table: accounts, column: age, to: profiles}\n";
  std::string vs;
  for (int round = 0; round < 2; ++round) {
    Status s = Start(move, &vs);
    ASSERT_TRUE(s.ok()) << s.ToString();
    Exec(&narrow_, "UPDATE public.accounts SET age = 33 WHERE id = 1");
    EXPECT_EQ("1|33\n2|40", Rows(&narrow_, "SELECT account_id, age FROM public.profiles ORDER BY id"));
    EXPECT_EQ(0, VerifyErrors());
    if (round == 0) {
      ASSERT_TRUE(Rollback().ok());
      EXPECT_EQ(before_acls, Acls(&owner_));
    }
  }
  ASSERT_TRUE(Complete().ok());
  Exec(&narrow_, "UPDATE public.profiles SET age = 34 WHERE account_id = 1");
  EXPECT_EQ("1|34\n2|40", Rows(&narrow_, "SELECT account_id, age FROM public.profiles ORDER BY id"));
  Status denied = narrow_.Exec("UPDATE public.profiles SET bio = 'x'");
  EXPECT_NE(std::string::npos, denied.message().find("permission denied")) << denied.ToString();
}

// A column moved from a table with row-level security into one without would
// be readable there past the policies: check and start refuse it before any DDL.
TEST_F(Roles, MoveOutOfRowSecurityIsRefused) {
  Exec(&owner_, "CREATE TABLE profiles (id serial PRIMARY KEY, account_id int REFERENCES accounts (id)); "
                "INSERT INTO profiles (account_id) VALUES (1), (2); ALTER TABLE accounts ENABLE ROW LEVEL SECURITY; "
                "CREATE POLICY only_a ON accounts USING (email LIKE 'a%')");
  std::string before = DumpSchema(url_, "public");
  std::string vs;
  Status s = Start("operations:\n  - move_column: {table: accounts, column: card_no, to: profiles}\n", &vs);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(std::string::npos, s.ToString().find("has row-level security and \"profiles\" has none")) << s.ToString();
  EXPECT_EQ(before, DumpSchema(url_, "public"));
}

// A table from create_table follows the owner's default privileges, as plain DDL would.
TEST_F(Roles, CreateTableFollowsDefaultPrivileges) {
  Exec(&owner_, "ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT ON TABLES TO pleat_app; "
                "ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE ON SEQUENCES TO pleat_app");
  std::string vs;
  Status s = Start("operations:\n  - create_table:\n      name: notes\n      columns:\n"
                   "        - {name: id, type: serial, pk: true}\n        - {name: body, type: text}\n",
                   &vs);
  ASSERT_TRUE(s.ok()) << s.ToString();
  Exec(&app_, "INSERT INTO " + vs + ".notes (body) VALUES ('hello')");
  s = Complete();
  ASSERT_TRUE(s.ok()) << s.ToString();
  Exec(&app_, "INSERT INTO " + vs + ".notes (body) VALUES ('again')");
  EXPECT_EQ("2", Value(&app_, "SELECT count(*) FROM public.notes"));
}

// A login role that is a member of the owner runs pleat with --role: what
// pleat creates is owned by the owner. Without --role, a member that does not
// inherit the owner's rights is told so before any DDL.
TEST_F(Roles, RoleOptionActsAsTheOwner) {
  EnsureRole("pleat_deployer", "LOGIN NOINHERIT");
  pg::Connection admin = Connect(UrlAs(url_, "postgres"));
  Exec(&admin, "GRANT pleat_owner TO pleat_deployer");
  ASSERT_TRUE(engine::Lifecycle(OptionsFor(url_)).Init().ok());
  std::string before = DumpSchema(url_, "public");
  Options options = OptionsFor(UrlAs(url_, "pleat_deployer"));
  std::string vs;
  Status s = Start(kSplit, &vs, &options);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(std::string::npos, s.ToString().find("--role")) << s.ToString();
  EXPECT_EQ(before, DumpSchema(url_, "public"));
  options.role = kOwner;
  s = Start(kSplit, &vs, &options);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ("pleat_owner", Value(&owner_, "SELECT tableowner FROM pg_tables WHERE tablename = 'account_cards'"));
  EXPECT_EQ("0", Value(&owner_, "SELECT count(*) FROM pg_proc WHERE proname LIKE '\\_pleat%' AND "
                                "proowner <> 'pleat_owner'::regrole"));
  Exec(&app_, "INSERT INTO public.accounts (email, card_no) VALUES ('c@x', 'c3')");
  s = engine::Lifecycle(options).Complete();
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ("c3", Value(&app_, "SELECT card_no FROM " + vs + ".account_cards WHERE account_id = 3"));
}

// check names every right pleat's role lacks, before any DDL.
TEST_F(Roles, CheckPredictsMissingRights) {
  EnsureRole("pleat_stranger", "LOGIN");
  MigrationFile file("02_change", kRetype);
  std::vector<Finding> findings;
  nlohmann::json plans;
  Status s = engine::Lifecycle(OptionsFor(UrlAs(url_, "pleat_stranger"))).Check(file.path(), &findings, &plans);
  ASSERT_TRUE(s.ok()) << s.ToString();
  std::string rules;
  for (const auto& f : findings)
    if (check::IsRightsFinding(f)) rules += f.rule + " ";
  EXPECT_EQ("rights-create-schema rights-create-database rights-not-owner ", rules);
}

// FORCE ROW LEVEL SECURITY hides rows from the owner: pleat refuses before any
// DDL rather than backfill some rows; as an owner with BYPASSRLS it reads every
// row, and the app still sees only what its policy allows.
TEST_F(Roles, ForcedRowSecurity) {
  Exec(&owner_, "ALTER TABLE accounts ENABLE ROW LEVEL SECURITY; ALTER TABLE accounts FORCE ROW LEVEL SECURITY; "
                "CREATE POLICY only_a ON accounts USING (email LIKE 'a%')");
  std::string before = DumpSchema(url_, "public");
  std::string vs;
  Status s = Start(kRetype, &vs);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(std::string::npos, s.ToString().find("FORCE ROW LEVEL SECURITY")) << s.ToString();
  EXPECT_EQ(before, DumpSchema(url_, "public"));

  // a member of the owner that may bypass row security
  EnsureRole("pleat_bypass", "LOGIN BYPASSRLS");
  pg::Connection admin = Connect(UrlAs(url_, "postgres"));
  Exec(&admin, "GRANT pleat_owner TO pleat_bypass");
  Options options = OptionsFor(UrlAs(url_, "pleat_bypass"));
  s = Start(kRetype, &vs, &options);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ("1", Value(&app_, "SELECT count(*) FROM " + vs + ".accounts"));
  s = engine::Lifecycle(options).Complete();
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ("1|30\n2|40", Rows(&admin, "SELECT id, age FROM public.accounts ORDER BY id"));
}

// The split's new table follows the split table's row-level security: the
// app reads and writes card rows only of the accounts its policy shows it.
TEST_F(Roles, SplitTableFollowsRowSecurity) {
  Exec(&owner_, "ALTER TABLE accounts ENABLE ROW LEVEL SECURITY; "
                "CREATE POLICY only_a ON accounts USING (email LIKE 'a%')");
  std::string before = DumpSchema(url_, "public");
  std::string vs;
  for (int round = 0; round < 2; ++round) {
    Status s = Start(kSplit, &vs);
    ASSERT_TRUE(s.ok()) << s.ToString();
    EXPECT_EQ("2", Value(&owner_, "SELECT count(*) FROM public.account_cards"));
    EXPECT_EQ(round == 0 ? "1|c1" : "1|c1!", Rows(&app_, "SELECT account_id, card_no FROM " + vs + ".account_cards"));
    Status hidden = app_.Exec("INSERT INTO " + vs + ".account_cards (account_id, card_no) VALUES (2, 'x') "
                              "ON CONFLICT (account_id) DO UPDATE SET card_no = EXCLUDED.card_no");
    EXPECT_NE(std::string::npos, hidden.message().find("row-level security")) << hidden.ToString();
    Exec(&app_, "UPDATE " + vs + ".account_cards SET card_no = 'c1!' WHERE account_id = 1");
    EXPECT_EQ("c1!", Value(&owner_, "SELECT card_no FROM public.accounts WHERE id = 1"));
    if (round == 0) {
      ASSERT_TRUE(Rollback().ok());
      EXPECT_EQ(before, DumpSchema(url_, "public"));
    }
  }
  ASSERT_TRUE(Complete().ok());
  EXPECT_EQ("1|c1!", Rows(&app_, "SELECT account_id, card_no FROM public.account_cards"));
}

}  // namespace
}  // namespace pleat::testing
