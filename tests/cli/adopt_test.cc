// Adopting pleat on a schema it did not build, and reading its history back:
// `baseline`, `pull` and the forms of `latest` (docs/cli.md, "Adopting a schema").
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "cli/run_pleat.h"
#include "pg/conninfo_options.h"
#include "support/test_db.h"

namespace pleat::testing {
namespace {

namespace fs = std::filesystem;

// What plain SQL or another tool might have built: an enum, a sequence a
// default uses, identity and serial columns, foreign keys with actions (one
// self-reference, one cycle), checks, uniques, comments, a generated column,
// partial and expression indexes, a domain, a function, a trigger, views and
// row-level security; and tables as Prisma Migrate writes them (quoted
// mixed-case names, an enum, a unique index instead of a constraint).
const char kLegacySchema[] = R"(
CREATE TYPE mood AS ENUM ('happy', 'sad');
CREATE SEQUENCE invoice_no START WITH 1000 INCREMENT BY 10;
CREATE DOMAIN positive AS numeric(10, 2) CHECK (VALUE > 0);
CREATE TABLE authors (
  id int GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  name text NOT NULL,
  email varchar(320) CONSTRAINT email_has_at CHECK (email LIKE '%@%'),
  mentor_id int REFERENCES authors (id) ON DELETE SET NULL,
  favorite_book int,
  CONSTRAINT authors_name_email_key UNIQUE (name, email));
COMMENT ON TABLE authors IS 'people who write';
COMMENT ON COLUMN authors.name IS 'as printed';
CREATE TABLE books (
  id bigserial PRIMARY KEY,
  author_id int NOT NULL REFERENCES authors (id) ON DELETE CASCADE ON UPDATE RESTRICT,
  title varchar(200) NOT NULL,
  price numeric(10, 2) NOT NULL DEFAULT 0 CHECK (price >= 0),
  price_cents bigint GENERATED ALWAYS AS ((price * 100)::bigint) STORED,
  feeling mood DEFAULT 'happy',
  isbn text UNIQUE,
  invoice bigint DEFAULT nextval('invoice_no'),
  tags text[] NOT NULL DEFAULT '{}',
  list_price positive,
  created_at timestamptz NOT NULL DEFAULT now());
ALTER TABLE authors ADD CONSTRAINT authors_favorite_fk FOREIGN KEY (favorite_book) REFERENCES books (id)
  DEFERRABLE INITIALLY DEFERRED;
CREATE INDEX books_cheap ON books (price) WHERE price < 10;
CREATE INDEX books_lower_title ON books (lower(title));
CREATE INDEX books_author ON books USING hash (author_id);
CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN NEW.created_at := now(); RETURN NEW; END $$;
CREATE TRIGGER books_touch BEFORE UPDATE ON books FOR EACH ROW EXECUTE FUNCTION touch();
CREATE VIEW cheap_books AS SELECT id, title FROM books WHERE price < 10;
COMMENT ON VIEW cheap_books IS 'under ten';
CREATE MATERIALIZED VIEW book_counts AS SELECT author_id, count(*) AS n FROM books GROUP BY author_id;
CREATE UNIQUE INDEX book_counts_author ON book_counts (author_id);
ALTER TABLE books ENABLE ROW LEVEL SECURITY;
CREATE POLICY books_visible ON books FOR SELECT TO PUBLIC USING (price >= 0);
CREATE TYPE "Role" AS ENUM ('USER', 'ADMIN');
CREATE TABLE "Account" ("id" TEXT NOT NULL, "role" "Role" NOT NULL DEFAULT 'USER',
  "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP, "authorId" INTEGER,
  CONSTRAINT "Account_pkey" PRIMARY KEY ("id"));
CREATE UNIQUE INDEX "Account_authorId_key" ON "Account"("authorId");
ALTER TABLE "Account" ADD CONSTRAINT "Account_authorId_fkey" FOREIGN KEY ("authorId") REFERENCES authors(id)
  ON DELETE SET NULL ON UPDATE CASCADE;
)";

const char kAddSubtitle[] = R"(
operations:
  - add_column:
      table: books
      column: {name: subtitle, type: text, nullable: true}
)";

std::string ReadText(const std::string& path) {
  std::ifstream f(path);
  std::stringstream s;
  s << f.rdbuf();
  return s.str();
}

class Adopt : public PleatTest {
 protected:
  PleatRun PleatAt(const std::string& url, const std::vector<std::string>& args) {
    std::vector<std::string> all = {"--url", url};
    all.insert(all.end(), args.begin(), args.end());
    PleatRun run = RunPleat(all);
    EXPECT_EQ(0, run.exit_code) << run.Describe();
    return run;
  }
};

TEST_F(Adopt, BaselineRecordsTheSchemaWithoutDdlAndRebuildsIt) {
  EnsureRole("adopt_reader", "NOLOGIN");
  pg::Connection conn = Connect(url_);
  Exec(&conn, kLegacySchema);
  Exec(&conn, "GRANT SELECT, INSERT ON books TO adopt_reader; GRANT USAGE ON SEQUENCE invoice_no TO adopt_reader;"
              "GRANT SELECT ON cheap_books TO PUBLIC");
  std::string before = DumpSchema(url_, "public");
  std::string dir = dir_ + "/migrations";

  PleatRun run = PleatOk({"baseline", "00_baseline", dir});
  // Raw SQL the tables need, the tables' operations, raw SQL that needs the tables.
  for (const char* f : {"/00_baseline.yaml", "/00_baseline_2.yaml", "/00_baseline_3.yaml"})
    EXPECT_TRUE(fs::exists(dir + f)) << f << "\n" << run.Describe();
  EXPECT_EQ("public_00_baseline_3", run.LastLine());
  std::string tables = ReadText(dir + "/00_baseline_2.yaml");
  for (const char* part : {"create_table", "create_constraint", "create_index", "type: bigserial", "ALWAYS",
                           "on_delete: CASCADE", "on_update: RESTRICT", "on_delete: SET NULL", "books_cheap"})
    EXPECT_NE(std::string::npos, tables.find(part)) << part << "\n" << tables;
  EXPECT_EQ(before, DumpSchema(url_, "public")) << "baseline ran DDL on the schema";
  EXPECT_EQ("3", Query("SELECT count(*) FROM pleat.migrations WHERE phase = 'completed'"));
  // The version schema applications select: one view per table.
  EXPECT_EQ("Account,authors,books", Query("SELECT string_agg(table_name, ',' ORDER BY table_name) FROM information_schema.views"
                                   " WHERE table_schema = 'public_00_baseline_3'"));

  // (a) The same database: nothing to do.
  run = PleatOk({"migrate", dir, "--complete"});
  EXPECT_NE(std::string::npos, run.err.find("nothing to migrate")) << run.Describe();
  EXPECT_EQ(before, DumpSchema(url_, "public"));

  // (b) An empty database: the files rebuild the same schema.
  std::string empty = NewOwnedDatabase();
  PleatAt(empty, {"migrate", dir, "--complete"});
  EXPECT_EQ(before, DumpSchema(empty, "public"));

  // A migration after the baseline is the only one that runs.
  WriteFile("migrations/01_add_subtitle.yaml", kAddSubtitle);
  run = PleatOk({"migrate", dir, "--complete"});
  EXPECT_EQ("public_01_add_subtitle", run.LastLine()) << run.Describe();
  EXPECT_EQ(std::string::npos, run.err.find("migrations/00_baseline")) << run.Describe();
  EXPECT_EQ("1", Query("SELECT count(*) FROM information_schema.columns WHERE table_schema = 'public'"
                       " AND table_name = 'books' AND column_name = 'subtitle'"));
}

TEST_F(Adopt, BaselineRefusesASchemaWithHistoryAndExistingFiles) {
  WriteFile("m/01_users.yaml", "operations:\n  - create_table: {name: users, columns: [{name: id, type: int, pk: true}]}\n");
  PleatOk({"migrate", dir_ + "/m", "--complete"});
  PleatRun run = Pleat({"baseline", "00_base", dir_ + "/b"});
  EXPECT_EQ(3, run.exit_code) << run.Describe();
  EXPECT_NE(std::string::npos, run.err.find("already has a pleat history")) << run.Describe();
  EXPECT_FALSE(fs::exists(dir_ + "/b/00_base.yaml"));

  std::string other = NewDatabase();
  pg::Connection conn = Connect(other);
  Exec(&conn, "CREATE TABLE t (id int PRIMARY KEY)");
  WriteFile("c/00_base.yaml", "keep me");
  run = RunPleat({"--url", other, "baseline", "00_base", dir_ + "/c"});
  EXPECT_EQ(3, run.exit_code) << run.Describe();
  EXPECT_EQ("keep me", ReadText(dir_ + "/c/00_base.yaml"));
  EXPECT_EQ("0", Value(&conn, "SELECT count(*) FROM pleat.migrations"));
}

TEST_F(Adopt, PullWritesTheHistoryAsTheFilesWere) {
  const std::string users = "# users\noperations:\n  - create_table:\n      name: users\n      columns:\n"
                            "        - {name: id, type: serial, pk: true}\n        - {name: name, type: text}\n";
  const std::string shout = R"j({"operations": [{"add_column": {"table": "users", "up": "upper(name)",
  "column": {"name": "shout", "type": "text", "nullable": true}}}]})j";
  const std::string index = "operations:\n  - create_index: {name: users_name, table: users, columns: [name]}\n";
  WriteFile("src/01_users.yaml", users);
  WriteFile("src/02_shout.json", shout);
  PleatOk({"migrate", dir_ + "/src", "--complete"});
  WriteFile("src/03_index.yaml", index);
  PleatOk({"start", dir_ + "/src/03_index.yaml"});  // the active one is pulled too

  PleatRun run = PleatOk({"pull", dir_ + "/pulled"});
  EXPECT_EQ(users, ReadText(dir_ + "/pulled/01_users.yaml")) << run.Describe();
  EXPECT_EQ(shout, ReadText(dir_ + "/pulled/02_shout.json"));
  EXPECT_EQ(index, ReadText(dir_ + "/pulled/03_index.yaml"));

  // The same database: nothing runs, the active migration stays active.
  std::string dump = DumpSchema(url_, "public");
  PleatOk({"migrate", dir_ + "/pulled"});
  EXPECT_EQ(dump, DumpSchema(url_, "public"));
  EXPECT_EQ("active", Query("SELECT phase FROM pleat.migrations WHERE name = '03_index'"));
  // Pulling again changes nothing; a file that differs is refused.
  run = PleatOk({"--json", "pull", dir_ + "/pulled"});
  EXPECT_EQ(3u, nlohmann::json::parse(run.out)["unchanged"].size()) << run.Describe();
  WriteFile("pulled/01_users.yaml", "operations: []\n");
  run = Pleat({"pull", dir_ + "/pulled"});
  EXPECT_EQ(3, run.exit_code) << run.Describe();
  EXPECT_NE(std::string::npos, run.err.find("differs")) << run.Describe();
  WriteFile("pulled/01_users.yaml", users);

  // An empty database: the pulled files rebuild the same schema.
  PleatOk({"complete"});
  std::string empty = NewOwnedDatabase();
  PleatAt(empty, {"migrate", dir_ + "/pulled", "--complete"});
  EXPECT_EQ(DumpSchema(url_, "public"), DumpSchema(empty, "public"));
}

TEST_F(Adopt, LatestPrintsSchemaMigrationAndUrl) {
  WriteFile("m/01_users.yaml", "operations:\n  - create_table: {name: users, columns: [{name: id, type: int, pk: true}]}\n");
  WriteFile("m/02_more.yaml", "version_schema: v2\noperations:\n  - add_column: {table: users, column: {name: n, type: text, nullable: true}}\n");
  PleatOk({"migrate", dir_ + "/m"});
  EXPECT_EQ("public_v2", PleatOk({"latest"}).LastLine());
  EXPECT_EQ("public_v2", PleatOk({"latest", "schema"}).LastLine());
  EXPECT_EQ("02_more", PleatOk({"latest", "migration"}).LastLine());
  std::string url = PleatOk({"latest", "url"}).LastLine();
  EXPECT_NE(std::string::npos, url.find("options=-c%20search_path%3Dpublic_v2")) << url;
  pg::Connection app = Connect(url);  // the URL works and selects the version schema
  EXPECT_EQ("public_v2", Value(&app, "SHOW search_path"));
  EXPECT_EQ("0", Value(&app, "SELECT count(*) FROM users"));

  // --local answers from the files alone: no database needed.
  WriteFile("m/03_next.yaml", "operations:\n  - drop_column: {table: users, column: n}\n");
  PleatRun local = RunPleat({"latest", "--local", dir_ + "/m", "migration"});
  EXPECT_EQ("03_next", local.LastLine()) << local.Describe();
  EXPECT_EQ("public_03_next", RunPleat({"latest", "schema", "--local", dir_ + "/m"}).LastLine());
  EXPECT_EQ("public_03_next", RunPleat({"latest", "--local", dir_ + "/m"}).LastLine());
  nlohmann::json j = nlohmann::json::parse(PleatOk({"--json", "latest", "url", "--local", dir_ + "/m"}).out);
  EXPECT_EQ("03_next", j["migration"]);
  EXPECT_NE(std::string::npos, j["url"].get<std::string>().find("search_path%3Dpublic_03_next")) << j.dump();
}

TEST_F(Adopt, ConvertWithUrlFillsInWideningTypeChanges) {
  pg::Connection conn = Connect(url_);
  Exec(&conn, "CREATE TABLE items (id int PRIMARY KEY, qty int NOT NULL, name varchar(50), code text);"
              "INSERT INTO items VALUES (1, 7, 'a', '42')");
  std::string sql = WriteFile("change.sql", "ALTER TABLE items ALTER COLUMN qty TYPE bigint;\n"
                                            "ALTER TABLE items ALTER COLUMN name TYPE varchar(200);\n");
  WriteFile("m/.keep", "");
  PleatOk({"convert", sql, "-o", dir_ + "/m/01_widen.yaml"});
  std::string yaml = ReadText(dir_ + "/m/01_widen.yaml");
  EXPECT_NE(std::string::npos, yaml.find("up: \"qty::bigint\"")) << yaml;
  EXPECT_NE(std::string::npos, yaml.find("down: \"qty::integer\"")) << yaml;
  EXPECT_NE(std::string::npos, yaml.find("up: \"name::varchar(200)\"")) << yaml;
  EXPECT_EQ(std::string::npos, yaml.find("TODO")) << yaml;
  // pleat takes the file as it is.
  PleatOk({"migrate", dir_ + "/m", "--complete"});
  EXPECT_EQ("bigint", Query("SELECT data_type FROM information_schema.columns WHERE table_name = 'items'"
                            " AND column_name = 'qty'"));
  EXPECT_EQ("7", Query("SELECT qty FROM items"));

  // Not a widening (text to integer), and without --url: the placeholders stay.
  sql = WriteFile("narrow.sql", "ALTER TABLE items ALTER COLUMN code TYPE integer;\n");
  EXPECT_NE(std::string::npos, PleatOk({"convert", sql}).out.find("TODO"));
  EXPECT_NE(std::string::npos, RunPleat({"convert", dir_ + "/change.sql"}).out.find("TODO"));
}

TEST(WithSearchPath, EncodesAndMergesOptions) {
  struct Case {
    std::string conninfo, schema, want;
  } cases[] = {
      {"postgresql://u@h/db", "public_v2", "postgresql://u@h/db?options=-c%20search_path%3Dpublic_v2"},
      {"postgres://h/db?sslmode=require", "s", "postgres://h/db?sslmode=require&options=-c%20search_path%3Ds"},
      {"postgresql://h/db?options=-c%20statement_timeout%3D5s&x=1", "s",
       "postgresql://h/db?options=-c%20statement_timeout%3D5s%20-c%20search_path%3Ds&x=1"},
      {"", "Mixed Case", "postgresql://?options=-c%20search_path%3D%22Mixed%5C%20Case%22"},
      {"host=h dbname=db", "s", "host=h dbname=db options='-c search_path=s'"},
  };
  for (const auto& c : cases) EXPECT_EQ(c.want, pg::WithSearchPath(c.conninfo, c.schema)) << c.conninfo;
}

}  // namespace
}  // namespace pleat::testing
