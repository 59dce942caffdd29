// The user's views over a column that a shadow replaces (alter_column of an
// indexed or retyped column) are dropped and made again at complete, because
// PostgreSQL cannot drop a column a view reads. That happens in the transaction
// that replaces the column, so an application reading the view never finds it
// missing, and a complete that fails there (a held lock) leaves the view as it
// was, readable, until complete runs again.
#include <gtest/gtest.h>

#include "engine/lifecycle.h"
#include "support/migration_file.h"
#include "support/test_db.h"

namespace pleat::testing {
namespace {

constexpr const char* kApp = "pleat_app";

const char* kPriceBigint = R"(
operations:
  - alter_column: {table: items, column: price, type: bigint, up: price, down: price}
)";

// The view's rows as the application reads them.
const char* kRead = "SELECT string_agg(id || ':' || double, ',' ORDER BY id) FROM cheap";

TEST(UserViewsAtComplete, NeverMissingEvenWhenCompleteFailsBetweenDropAndRebuild) {
  EnsureRole(kApp, "LOGIN");
  std::string url = NewOwnedDatabase(), vs;
  pg::Connection owner = Connect(url);
  Exec(&owner,
       "CREATE TABLE items (id int PRIMARY KEY, price int, tag text);"
       "INSERT INTO items SELECT g, g * 10, 't' || g FROM generate_series(1, 20) g;"
       "CREATE VIEW cheap AS SELECT id, price * 2 AS double, tag FROM items WHERE price < 50;"
       "GRANT SELECT ON cheap TO pleat_app;");
  Status s = StartYaml(url, "01_price", kPriceBigint, /*complete=*/false, &vs);
  ASSERT_TRUE(s.ok()) << s.ToString();
  pg::Connection app = Connect(UrlAs(url, kApp)), locker = Connect(url);
  EXPECT_EQ("1:20,2:40,3:60,4:80", Value(&app, kRead));

  // Before every complete step: is the view there? After the point of no
  // return, the next step meets a lock on the table that outlasts its retries.
  Options options = OptionsFor(url);
  options.lock_timeout_ms = 50;
  options.max_lock_attempts = 2;
  std::string missing;  // the steps before which the view was gone
  bool past_no_return = false, locked = false;
  options.before_step = [&](const std::string& phase, const std::string& id) {
    if (phase != "complete") return;
    if (Value(&app, "SELECT to_regclass('public.cheap') IS NULL") == "t") missing += id + " ";
    if (past_no_return && !locked) {
      Exec(&locker, "BEGIN; LOCK TABLE items IN ACCESS SHARE MODE");
      locked = true;
    }
    if (id == "no_return") past_no_return = true;
  };
  s = engine::Lifecycle(options).Complete();
  ASSERT_FALSE(s.ok()) << "complete did not meet the held lock";
  EXPECT_TRUE(locked);
  EXPECT_EQ("1:20,2:40,3:60,4:80", Value(&app, kRead)) << "the failed complete left the view changed";

  Exec(&locker, "COMMIT");
  s = engine::Lifecycle(options).Complete();
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ("", missing) << "the view was missing before these steps";
  EXPECT_EQ("1:20,2:40,3:60,4:80", Value(&app, kRead));
  EXPECT_EQ("bigint", Value(&owner, "SELECT format_type(atttypid, atttypmod) FROM pg_attribute "
                                    "WHERE attrelid = 'cheap'::regclass AND attname = 'double'"));
}

}  // namespace
}  // namespace pleat::testing
