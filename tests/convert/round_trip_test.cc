// DDL as prisma migrate diff, Django, Rails and people write it, converted and
// taken through start -> rollback -> start -> complete on a real PostgreSQL.
#include <map>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "convert/convert.h"
#include "support/op_case.h"

namespace pleat::testing {
namespace {

// Values for the placeholders convert leaves, keyed "<table>.<column>.<field>".
using Fill = std::map<std::string, std::string>;

// The YAML of each migration `sql` converts to, with the placeholders filled as a user would.
std::vector<std::string> Converted(const std::string& sql, const Fill& fill = {}) {
  std::vector<convert::ConvertedMigration> parts;
  Status s = convert::Convert(sql, &parts);
  EXPECT_TRUE(s.ok()) << s.ToString();
  std::vector<std::string> yaml;
  for (auto& part : parts) {
    for (auto& op : part) {
      if (!op.body.contains("column")) continue;
      const auto& column = op.body["column"];
      std::string name = column.is_string() ? column.get<std::string>() : column["name"].get<std::string>();
      for (const char* field : {"up", "down"}) {
        auto it = fill.find(op.body["table"].get<std::string>() + "." + name + "." + field);
        if (it != fill.end()) op.body[field] = it->second;
      }
    }
    yaml.push_back(convert::ToYaml(part));
  }
  return yaml;
}

// All parts but the last are setup migrations; the last is the migration under test.
OpCase CaseOf(const std::string& name, std::vector<std::string> setup, const std::vector<std::string>& parts) {
  EXPECT_FALSE(parts.empty());
  setup.insert(setup.end(), parts.begin(), parts.end() - 1);
  return OpCase{.name = name, .setup_migrations = setup, .migration = parts.back()};
}

const char* kPrismaInit = R"(-- CreateEnum
CREATE TYPE "Role" AS ENUM ('USER', 'ADMIN');

-- CreateTable
CREATE TABLE "User" (
    "id" SERIAL NOT NULL,
    "email" TEXT NOT NULL,
    "name" TEXT,
    "role" "Role" NOT NULL DEFAULT 'USER',
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "profile" JSONB,

    CONSTRAINT "User_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Post" (
    "id" SERIAL NOT NULL,
    "title" VARCHAR(255) NOT NULL,
    "published" BOOLEAN NOT NULL DEFAULT false,
    "authorId" INTEGER NOT NULL,
    "price" DECIMAL(65,30),
    "tags" TEXT[],

    CONSTRAINT "Post_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "User_email_key" ON "User"("email");

-- CreateIndex
CREATE INDEX "Post_authorId_idx" ON "Post"("authorId");

-- AddForeignKey
ALTER TABLE "Post" ADD CONSTRAINT "Post_authorId_fkey" FOREIGN KEY ("authorId") REFERENCES "User"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
)";

const char* kPrismaEvolve = R"(/*
  Warnings:

  - Added the required column `slug` to the `Post` table without a default value. This is not possible if the table is not empty.
  - Made the column `name` on table `User` required. This step will fail if there are existing NULL values in that column.

*/
-- AlterTable
ALTER TABLE "Post" ADD COLUMN     "slug" TEXT NOT NULL,
ALTER COLUMN "title" SET DATA TYPE TEXT;

-- AlterTable
ALTER TABLE "User" ALTER COLUMN "name" SET NOT NULL;

-- CreateIndex
CREATE UNIQUE INDEX "Post_slug_key" ON "Post"("slug");
)";

TEST(ConvertRoundTrip, PrismaInit) {
  auto parts = Converted(kPrismaInit);
  ASSERT_EQ(parts.size(), 2u);  // the enum is raw SQL, alone in its migration
  OpCase c = CaseOf("prisma_init", {}, parts);
  c.after_start = [](CaseContext& c) {
    c.Exec("INSERT INTO " + c.new_schema + ".\"User\" (email) VALUES ('a@x')");
    c.Exec("INSERT INTO " + c.new_schema + ".\"Post\" (title, \"authorId\") VALUES ('hi', 1)");
    c.ExecFails("INSERT INTO " + c.new_schema + ".\"User\" (email) VALUES ('a@x')", "duplicate key");
  };
  c.after_complete = [](CaseContext& c) {
    c.Exec("INSERT INTO " + c.new_schema + ".\"User\" (email, role) VALUES ('b@x', 'ADMIN'), ('c@x', DEFAULT)");
    c.Exec("INSERT INTO " + c.new_schema + ".\"Post\" (title, \"authorId\") SELECT 'p', id FROM \"User\" WHERE email = 'c@x'");
    c.ExecFails("INSERT INTO " + c.new_schema + ".\"Post\" (title, \"authorId\") VALUES ('x', 999)", "foreign key");
    EXPECT_EQ("USER|f", c.Rows("SELECT role, published FROM " + c.new_schema +
                               ".\"User\" JOIN " + c.new_schema + ".\"Post\" ON \"authorId\" = \"User\".id"));
  };
  RunOpCase(c);
}

TEST(ConvertRoundTrip, PrismaEvolveWithPlaceholdersFilled) {
  auto parts = Converted(kPrismaEvolve, {{"Post.slug.up", "'post-' || id"},
                                         {"Post.title.up", "title"},
                                         {"Post.title.down", "left(title, 255)"},
                                         {"User.name.up", "coalesce(name, 'anonymous')"}});
  ASSERT_EQ(parts.size(), 1u);
  OpCase c = CaseOf("prisma_evolve", Converted(kPrismaInit), parts);
  c.setup_sql = "INSERT INTO \"User\" (email) VALUES ('a@x'); INSERT INTO \"Post\" (title, \"authorId\") VALUES ('t', 1)";
  c.after_start = [](CaseContext& c) {
    EXPECT_EQ("anonymous", c.Value("SELECT name FROM " + c.new_schema + ".\"User\""));
    EXPECT_EQ("post-1", c.Value("SELECT slug FROM " + c.new_schema + ".\"Post\""));
    c.Exec("INSERT INTO " + c.old_schema + ".\"Post\" (title, \"authorId\") VALUES ('old', 1)");
    EXPECT_EQ("post-2", c.Value("SELECT slug FROM " + c.new_schema + ".\"Post\" WHERE title = 'old'"));
    c.Exec("INSERT INTO " + c.new_schema + ".\"Post\" (title, slug, \"authorId\") VALUES ('new', 'n', 1)");
    EXPECT_EQ("new", c.Value("SELECT title FROM " + c.old_schema + ".\"Post\" WHERE id = 3"));
  };
  c.after_complete = [](CaseContext& c) {
    c.ExecFails("INSERT INTO " + c.new_schema + ".\"User\" (email) VALUES ('b@x')", "null value");
    c.Exec("INSERT INTO " + c.new_schema + ".\"Post\" (title, slug, \"authorId\") VALUES ('x', 'n', 1)");
    c.ExecFails("INSERT INTO " + c.new_schema + ".\"Post\" (title, slug, \"authorId\") VALUES ('y', 'n', 1)",
                "duplicate key");
    EXPECT_EQ("text", c.Value("SELECT data_type FROM information_schema.columns WHERE table_name = 'Post' "
                              "AND column_name = 'title' AND table_schema = 'public'"));
  };
  RunOpCase(c);
}

// The loader reads `up` and `down` as text; start refuses the placeholders when it
// validates the operations, before anything changes (the runner checks the schema).
TEST(ConvertRoundTrip, StartRefusesPlaceholders) {
  const std::string kSql[] = {"ALTER TABLE users ALTER COLUMN name SET NOT NULL",
                              "ALTER TABLE users ALTER COLUMN name DROP NOT NULL",
                              "ALTER TABLE users ALTER COLUMN age TYPE bigint",
                              "ALTER TABLE users ADD COLUMN slug text NOT NULL"};
  for (const std::string& sql : kSql) {
    auto parts = Converted(sql);
    ASSERT_EQ(parts.size(), 1u);
    OpCase c{.name = "placeholder", .migration = parts[0], .start_error = "syntax error at or near \":\""};
    c.setup_sql = "CREATE TABLE users (id bigint PRIMARY KEY, name text NOT NULL, age int); "
                  "INSERT INTO users VALUES (1, 'a', 2)";
    if (sql.find("SET NOT NULL") != std::string::npos) c.setup_sql += "; ALTER TABLE users ALTER COLUMN name DROP NOT NULL";
    RunOpCase(c);
  }
}

TEST(ConvertRoundTrip, DjangoSqlmigrate) {
  auto parts = Converted(R"(BEGIN;
--
-- Create model Question
--
CREATE TABLE "polls_question" ("id" bigint NOT NULL PRIMARY KEY GENERATED BY DEFAULT AS IDENTITY, "question_text" varchar(200) NOT NULL, "pub_date" timestamp with time zone NOT NULL);
--
-- Create model Choice
--
CREATE TABLE "polls_choice" ("id" bigint NOT NULL PRIMARY KEY GENERATED BY DEFAULT AS IDENTITY, "choice_text" varchar(200) NOT NULL, "votes" integer NOT NULL, "question_id" bigint NOT NULL);
ALTER TABLE "polls_choice" ADD CONSTRAINT "polls_choice_question_id_c5b4b260_fk_polls_question_id" FOREIGN KEY ("question_id") REFERENCES "polls_question" ("id") DEFERRABLE INITIALLY DEFERRED;
CREATE INDEX "polls_choice_question_id_c5b4b260" ON "polls_choice" ("question_id");
COMMIT;
)");
  ASSERT_EQ(parts.size(), 1u);
  OpCase c = CaseOf("django", {}, parts);
  c.after_complete = [](CaseContext& c) {
    c.Exec("INSERT INTO " + c.new_schema + ".polls_question (question_text, pub_date) VALUES ('q', now())");
    c.Exec("INSERT INTO " + c.new_schema + ".polls_choice (choice_text, votes, question_id) VALUES ('c', 0, 1)");
    EXPECT_EQ("t", c.Value("SELECT condeferrable FROM pg_constraint WHERE conname LIKE 'polls_choice_question_id%'"));
  };
  RunOpCase(c);
}

TEST(ConvertRoundTrip, RailsMigrations) {
  auto setup = Converted(
      R"(CREATE TABLE "articles" ("id" bigserial primary key, "title" character varying, "body" text, "created_at" timestamp(6) NOT NULL, "updated_at" timestamp(6) NOT NULL))");
  auto parts = Converted(R"(ALTER TABLE "articles" ADD "status" character varying DEFAULT 'draft' NOT NULL;
CREATE INDEX "index_articles_on_status" ON "articles" ("status");
ALTER TABLE "articles" RENAME COLUMN "body" TO "content";)");
  ASSERT_EQ(parts.size(), 1u);
  OpCase c = CaseOf("rails", setup, parts);
  c.setup_sql = "INSERT INTO articles (title, body, created_at, updated_at) VALUES ('a', 'b', now(), now())";
  c.after_start = [](CaseContext& c) {
    EXPECT_EQ("draft|b", c.Rows("SELECT status, content FROM " + c.new_schema + ".articles"));
    c.Exec("INSERT INTO " + c.old_schema + ".articles (title, body, created_at, updated_at) VALUES ('o', 'ob', now(), now())");
    EXPECT_EQ("draft|ob", c.Rows("SELECT status, content FROM " + c.new_schema + ".articles WHERE title = 'o'"));
  };
  c.after_complete = [](CaseContext& c) {
    EXPECT_EQ("1", c.Value("SELECT count(*) FROM pg_indexes WHERE indexname = 'index_articles_on_status'"));
    EXPECT_EQ("b\nob", c.Rows("SELECT content FROM " + c.new_schema + ".articles ORDER BY id"));
  };
  RunOpCase(c);
}

TEST(ConvertRoundTrip, HandWrittenChangesToAnExistingTable) {
  auto parts = Converted(R"(
ALTER TABLE users ADD COLUMN age integer CHECK (age >= 0);
ALTER TABLE users ALTER COLUMN bio SET DEFAULT '';
ALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE (email);
DROP INDEX users_name_idx;
ALTER TABLE users DROP COLUMN legacy;
DROP TABLE old_stuff;
ALTER TABLE users DROP CONSTRAINT bio_len;
)");
  ASSERT_EQ(parts.size(), 1u);
  OpCase c = CaseOf("hand_written", {}, parts);
  c.setup_sql =
      "CREATE TABLE users (id bigint PRIMARY KEY GENERATED BY DEFAULT AS IDENTITY, email text, name text,"
      " bio text CONSTRAINT bio_len CHECK (length(bio) < 5),"
      " legacy int); CREATE INDEX users_name_idx ON users (name); CREATE TABLE old_stuff (a int);"
      "INSERT INTO users (email, name, legacy) VALUES ('a@x', 'a', 1)";
  c.after_start = [](CaseContext& c) {
    c.Exec("INSERT INTO " + c.new_schema + ".users (email, age) VALUES ('b@x', 3)");
    EXPECT_EQ("", c.Value("SELECT bio FROM " + c.new_schema + ".users WHERE email = 'b@x'"));
    c.ExecFails("INSERT INTO " + c.new_schema + ".users (email, age) VALUES ('c@x', -1)", "check");
    c.ExecFails("SELECT legacy FROM " + c.new_schema + ".users", "does not exist");
    c.ExecFails("INSERT INTO " + c.new_schema + ".users (bio) VALUES ('long bio')", "bio_len");  // until complete
    EXPECT_EQ("1", c.Value("SELECT legacy FROM " + c.old_schema + ".users WHERE email = 'a@x'"));
  };
  c.after_complete = [](CaseContext& c) {
    c.ExecFails("INSERT INTO " + c.new_schema + ".users (email) VALUES ('a@x')", "duplicate key");
    EXPECT_EQ("", c.Value("SELECT to_regclass('public.old_stuff')"));
    EXPECT_EQ("", c.Value("SELECT to_regclass('public.users_name_idx')"));
    c.Exec("INSERT INTO " + c.new_schema + ".users (bio) VALUES ('long bio')");
  };
  RunOpCase(c);
}

}  // namespace
}  // namespace pleat::testing
