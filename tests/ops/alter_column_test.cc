#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "engine/lifecycle.h"
#include "support/op_case.h"
#include "support/test_db.h"

namespace pleat::testing {
namespace {

const char* kReviews = R"(
operations:
  - create_table:
      name: reviews
      columns:
        - {name: id, type: serial, pk: true}
        - {name: product, type: text}
        - {name: review, type: text, nullable: true, comment: what they said}
        - {name: rating, type: text, default: "'0'"}
)";

const char* kSeed = "INSERT INTO reviews (product, review, rating) VALUES ('apple', 'good', '5'), ('pear', NULL, '3')";

std::string Col(CaseContext& c, const std::string& what) {
  return c.Value("SELECT " + what + " FROM pg_attribute WHERE attrelid = 'reviews'::regclass AND attname = 'review'");
}

TEST(AlterColumn, ShadowCases) {
  const OpCase cases[] = {
      {.name = "type_change_with_up_and_down",
       .setup_migrations = {kReviews},
       .setup_sql = kSeed,
       .migration = R"(
operations:
  - alter_column: {table: reviews, column: rating, type: integer, up: CAST(rating AS integer), down: CAST(rating AS text)}
)",
       .after_start =
           [](CaseContext& c) {
             EXPECT_EQ("apple|5\npear|3", c.Rows("SELECT product, rating + 0 FROM " + c.new_schema + ".reviews ORDER BY id"));
             c.Exec("INSERT INTO " + c.old_schema + ".reviews (product, rating) VALUES ('fig', '7')");
             c.Exec("INSERT INTO " + c.new_schema + ".reviews (product, rating) VALUES ('kiwi', 9)");
             c.Exec("UPDATE " + c.new_schema + ".reviews SET rating = 4 WHERE product = 'apple'");
             EXPECT_EQ("apple|4\npear|3\nfig|7\nkiwi|9", c.Rows("SELECT product, rating FROM " + c.old_schema + ".reviews ORDER BY id"));
             EXPECT_EQ("apple|4\npear|3\nfig|7\nkiwi|9", c.Rows("SELECT product, rating FROM " + c.new_schema + ".reviews ORDER BY id"));
           },
       .after_complete =
           [](CaseContext& c) {
             EXPECT_EQ("integer", c.Value("SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = "
                                          "'reviews'::regclass AND attname = 'rating'"));
             EXPECT_EQ("apple|4\npear|3\nfig|7\nkiwi|9", c.Rows("SELECT product, rating FROM " + c.new_schema + ".reviews ORDER BY id"));
           }},
      {.name = "nullable_false_with_up",
       .setup_migrations = {kReviews},
       .setup_sql = kSeed,
       .migration = R"(
operations:
  - alter_column:
      table: reviews
      column: review
      nullable: false
      up: SELECT CASE WHEN review IS NULL THEN product || ' is good' ELSE review END
      down: review
)",
       .after_start =
           [](CaseContext& c) {
             EXPECT_EQ("good\npear is good", c.Rows("SELECT review FROM " + c.new_schema + ".reviews ORDER BY id"));
             c.Exec("INSERT INTO " + c.old_schema + ".reviews (product) VALUES ('fig')");
             c.ExecFails("INSERT INTO " + c.new_schema + ".reviews (product) VALUES ('kiwi')", "null value in column \"review\" of relation \"reviews\" violates not-null constraint");
             EXPECT_EQ("fig is good", c.Value("SELECT review FROM " + c.new_schema + ".reviews WHERE product = 'fig'"));
             EXPECT_EQ("NULL", c.Value("SELECT coalesce(review, 'NULL') FROM " + c.old_schema + ".reviews WHERE product = 'fig'"));
           },
       .after_complete =
           [](CaseContext& c) {
             EXPECT_EQ("t", Col(c, "attnotnull"));
             EXPECT_EQ("what they said", c.Value("SELECT col_description('reviews'::regclass, attnum) FROM pg_attribute "
                                                 "WHERE attrelid = 'reviews'::regclass AND attname = 'review'"));
             c.ExecFails("INSERT INTO " + c.new_schema + ".reviews (product) VALUES ('kiwi')", "null value");
           }},
      {.name = "nullable_true",
       .setup_migrations = {kReviews},
       .setup_sql = kSeed,
       .migration = R"(
operations:
  - alter_column:
      table: reviews
      column: product
      nullable: true
      down: SELECT CASE WHEN product IS NULL THEN 'unknown' ELSE product END
)",
       .after_start =
           [](CaseContext& c) {
             c.Exec("INSERT INTO " + c.new_schema + ".reviews (product) VALUES (NULL)");
             EXPECT_EQ("apple\npear\nunknown", c.Rows("SELECT product FROM " + c.old_schema + ".reviews ORDER BY id"));
             c.ExecFails("INSERT INTO " + c.old_schema + ".reviews (product) VALUES (NULL)", "null value");
           },
       .after_complete =
           [](CaseContext& c) {
             EXPECT_EQ("f", c.Value("SELECT attnotnull FROM pg_attribute WHERE attrelid = 'reviews'::regclass AND attname = 'product'"));
           }},
      {.name = "check_unique_references_comment_default_together",
       .setup_migrations = {kReviews},
       .setup_sql = kSeed + std::string("; CREATE TABLE words (w text PRIMARY KEY); INSERT INTO words VALUES ('good'), ('fine'), ('pear is good')"),
       .migration = R"(
operations:
  - alter_column:
      table: reviews
      column: review
      type: varchar(100)
      nullable: false
      default: "'fine'"
      comment: the review text
      check: {name: review_length, constraint: length(review) > 3}
      unique: {name: reviews_review_key}
      references: {name: reviews_review_fk, table: words, column: w}
      up: coalesce(review, product || ' is good')
)",
       .after_start =
           [](CaseContext& c) {
             c.Exec("INSERT INTO " + c.new_schema + ".reviews (product) VALUES ('fig')");  // default 'fine'
             c.ExecFails("INSERT INTO " + c.new_schema + ".reviews (product, review) VALUES ('x', 'no')", "review_length");
             c.ExecFails("INSERT INTO " + c.new_schema + ".reviews (product, review) VALUES ('x', 'good')", "duplicate key");
             c.ExecFails("INSERT INTO " + c.new_schema + ".reviews (product, review) VALUES ('x', 'bogus')", "reviews_review_fk");
             EXPECT_EQ("good\npear is good\nfine", c.Rows("SELECT review FROM " + c.new_schema + ".reviews ORDER BY id"));
             EXPECT_EQ("good\nNULL\nfine", c.Rows("SELECT coalesce(review, 'NULL') FROM " + c.old_schema + ".reviews ORDER BY id"));
           },
       .after_complete =
           [](CaseContext& c) {
             EXPECT_EQ("character varying(100)|t|'fine'::character varying",
                       c.Rows("SELECT format_type(atttypid, atttypmod), attnotnull, pg_get_expr(adbin, adrelid) FROM pg_attribute "
                              "JOIN pg_attrdef ON adrelid = attrelid AND adnum = attnum WHERE attrelid = 'reviews'::regclass AND attname = 'review'"));
             EXPECT_EQ("review_length|c\nreviews_review_fk|f\nreviews_review_key|u",
                       c.Rows("SELECT conname, contype FROM pg_constraint WHERE conrelid = 'reviews'::regclass AND contype NOT IN ('p', 'n') ORDER BY conname"));
             EXPECT_EQ("the review text", c.Value("SELECT col_description('reviews'::regclass, attnum) FROM pg_attribute WHERE attrelid = 'reviews'::regclass AND attname = 'review'"));
           }},
      {.name = "two_alter_columns_on_one_column",
       .setup_migrations = {kReviews},
       .setup_sql = kSeed,
       .migration = R"(
operations:
  - alter_column: {table: reviews, column: rating, type: integer, up: CAST(rating AS integer) + 1, down: CAST(rating - 1 AS text)}
  - alter_column: {table: reviews, column: rating, type: bigint, up: rating * 10, down: (rating / 10)::integer, check: {name: rating_positive, constraint: rating > 0}}
)",
       .after_start =
           [](CaseContext& c) {
             EXPECT_EQ("60\n40", c.Rows("SELECT rating FROM " + c.new_schema + ".reviews ORDER BY id"));
             c.Exec("INSERT INTO " + c.new_schema + ".reviews (product, rating) VALUES ('fig', 90)");
             c.Exec("INSERT INTO " + c.old_schema + ".reviews (product, rating) VALUES ('kiwi', '1')");
             EXPECT_EQ("5\n3\n8\n1", c.Rows("SELECT rating FROM " + c.old_schema + ".reviews ORDER BY id"));
             EXPECT_EQ("60\n40\n90\n20", c.Rows("SELECT rating FROM " + c.new_schema + ".reviews ORDER BY id"));
             EXPECT_EQ("1", c.Value("SELECT count(*) FROM pg_attribute WHERE attrelid = 'reviews'::regclass AND attname LIKE '_pleat%' AND NOT attisdropped"));
           },
       .after_complete =
           [](CaseContext& c) {
             EXPECT_EQ("bigint", c.Value("SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = 'reviews'::regclass AND attname = 'rating'"));
           }},
      {.name = "after_rename_table_and_rename_column_and_with_name",
       .setup_migrations = {kReviews},
       .setup_sql = kSeed,
       .migration = R"(
operations:
  - rename_table: {from: reviews, to: opinions}
  - rename_column: {table: opinions, from: rating, to: stars}
  - alter_column: {table: opinions, column: stars, name: score, type: integer, up: CAST(stars AS integer), down: score::text}
)",
       .after_start =
           [](CaseContext& c) {
             EXPECT_EQ("5\n3", c.Rows("SELECT score FROM " + c.new_schema + ".opinions ORDER BY id"));
             c.Exec("INSERT INTO " + c.new_schema + ".opinions (product, score) VALUES ('fig', 8)");
             c.Exec("INSERT INTO " + c.old_schema + ".reviews (product, rating) VALUES ('kiwi', '2')");
             EXPECT_EQ("5\n3\n8\n2", c.Rows("SELECT rating FROM " + c.old_schema + ".reviews ORDER BY id"));
             EXPECT_EQ("5\n3\n8\n2", c.Rows("SELECT score FROM " + c.new_schema + ".opinions ORDER BY id"));
           },
       .after_complete =
           [](CaseContext& c) {
             EXPECT_EQ("integer", c.Value("SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = 'opinions'::regclass AND attname = 'score'"));
           }},
  };
  for (const auto& c : cases) RunOpCase(c);
}

// Metadata-only paths: no column added, no row touched, the table never rewritten.
// The setup records the table's relfilenode and the seed rows' xmin to compare.
const std::string kFingerprint =
    "CREATE TABLE fingerprint AS SELECT (SELECT relfilenode FROM pg_class WHERE oid = 'reviews'::regclass)::text || '/' || "
    "(SELECT string_agg(xmin::text, ',' ORDER BY id) FROM reviews) AS f";
const std::string kNow =
    "SELECT (SELECT relfilenode FROM pg_class WHERE oid = 'reviews'::regclass)::text || '/' || "
    "(SELECT string_agg(xmin::text, ',' ORDER BY id) FROM reviews WHERE id <= 2)";

void Untouched(CaseContext& c) {
  EXPECT_EQ(c.Value("SELECT f FROM fingerprint"), c.Value(kNow));
  EXPECT_EQ("4", c.Value("SELECT count(*) FROM pg_attribute WHERE attrelid = 'reviews'::regclass AND attnum > 0 AND NOT attisdropped"));
  EXPECT_EQ("4", c.Value("SELECT count(*) FROM pg_attribute WHERE attrelid = 'reviews'::regclass AND attnum > 0"));
}

TEST(AlterColumn, MetadataOnly) {
  const OpCase cases[] = {
      {.name = "comment_and_default",
       .setup_migrations = {kReviews},
       .setup_sql = kSeed + std::string(";") + kFingerprint,
       .migration = R"(
operations:
  - alter_column: {table: reviews, column: review, comment: null}
  - alter_column: {table: reviews, column: rating, default: "'1'", up: rating, down: rating}
)",
       .after_start =
           [](CaseContext& c) {
             Untouched(c);
             EXPECT_EQ("", c.Value("SELECT coalesce(col_description('reviews'::regclass, 3), '')"));
             c.Exec("INSERT INTO " + c.new_schema + ".reviews (product) VALUES ('fig')");
             c.Exec("INSERT INTO " + c.old_schema + ".reviews (product) VALUES ('kiwi')");
             EXPECT_EQ("fig|1\nkiwi|0", c.Rows("SELECT product, rating FROM reviews WHERE id > 2 ORDER BY id"));
           },
       .after_rollback =
           [](CaseContext& c) { EXPECT_EQ("what they said", c.Value("SELECT col_description('reviews'::regclass, 3)")); },
       .after_complete =
           [](CaseContext& c) {
             Untouched(c);
             EXPECT_EQ("'1'::text", c.Value("SELECT pg_get_expr(adbin, adrelid) FROM pg_attrdef WHERE adrelid = 'reviews'::regclass AND adnum = 4"));
             EXPECT_EQ("", c.Value("SELECT coalesce(col_description('reviews'::regclass, 3), '')"));
           }},
      {.name = "drop_default",
       .setup_migrations = {kReviews},
       .setup_sql = kSeed + std::string(";") + kFingerprint,
       .migration = R"(
operations:
  - alter_column: {table: reviews, column: rating, default: null}
)",
       .after_start =
           [](CaseContext& c) {
             Untouched(c);
             // rating is NOT NULL: without its default the new version must give it
             c.ExecFails("INSERT INTO " + c.new_schema + ".reviews (product) VALUES ('fig')", "null value");
             c.Exec("INSERT INTO " + c.old_schema + ".reviews (product) VALUES ('kiwi')");
             EXPECT_EQ("kiwi|0", c.Rows("SELECT product, rating FROM reviews WHERE id > 2 ORDER BY id"));
           },
       .after_complete =
           [](CaseContext& c) {
             Untouched(c);
             EXPECT_EQ("0", c.Value("SELECT count(*) FROM pg_attrdef WHERE adrelid = 'reviews'::regclass AND adnum = 4"));
           }},
  };
  for (const auto& c : cases) RunOpCase(c);
}

// A unique constraint old data violates fails the start (the backfill meets the
// duplicate) with the constraint's name; rollback then restores everything.
// The preflight would refuse this file before any DDL (tests/check); --force
// skips it here to prove the start itself fails cleanly.
TEST(AlterColumn, UniqueViolatedByOldDataFailsStartAndRollsBack) {
  std::string url = NewDatabase();
  auto dir = std::filesystem::temp_directory_path() / ("pleat-alter-unique-" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  auto write = [&](const std::string& name, const std::string& text) {
    std::ofstream(dir / name) << text;
    return (dir / name).string();
  };
  Options o;
  o.conninfo = url;
  o.log = [](const std::string&) {};
  o.preflight.force = true;
  std::string vs;
  ASSERT_TRUE(engine::Lifecycle(o).Start(write("01_setup.yaml", kReviews), true, &vs).ok());
  pg::Connection conn = Connect(url);
  Exec(&conn, "INSERT INTO reviews (product, review) VALUES ('a', 'same'), ('b', 'same')");
  std::string before = DumpSchema(url, "public");
  Status s = engine::Lifecycle(o).Start(
      write("02_unique.yaml", "operations:\n  - alter_column: {table: reviews, column: review, unique: {name: reviews_review_key}}\n"),
      false, &vs);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.ToString().find("reviews_review_key"), std::string::npos) << s.ToString();
  ASSERT_TRUE(engine::Lifecycle(o).Rollback().ok());
  EXPECT_EQ(before, DumpSchema(url, "public"));
  EXPECT_EQ("", PleatLeftovers(&conn, "public"));
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace pleat::testing
