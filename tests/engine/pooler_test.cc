// pleat behind PgBouncer (Debian package pgbouncer, started here in front of
// the test's server). In transaction mode pleat refuses at once, changing
// nothing and leaving no lock, so a direct pleat can work right after (an
// advisory lock taken through the pooler stayed held by the pooled server
// connection). In session mode pleat works and leaves nothing behind either.
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>
#include <thread>

#include "engine/lifecycle.h"
#include "pg/throwaway_server.h"
#include "support/migration_file.h"
#include "support/test_db.h"

namespace pleat::testing {
namespace {

namespace fs = std::filesystem;

constexpr const char* kPgBouncer = "/usr/sbin/pgbouncer";


// One PgBouncer on loopback in front of the test server, as the postgres user
// (PgBouncer will not run as root), trusting every user in its auth file.
class PgBouncer {
 public:
  explicit PgBouncer(const std::string& pool_mode) {
    std::smatch m;
    std::string server = ServerHandle::Url("postgres");
    if (!std::regex_search(server, m, std::regex("host=([^&]+)&port=([0-9]+)"))) return;
    char tmpl[] = "/tmp/pleat-bouncer.XXXXXX";
    if (!mkdtemp(tmpl)) return;
    dir_ = tmpl;
    port_ = pg::FreeLoopbackPort();
    std::ofstream(dir_ + "/users.txt") << "\"postgres\" \"\"\n\"pleat_owner\" \"\"\n";
    std::ofstream(dir_ + "/pgbouncer.ini")
        << "[databases]\n* = host=" << m[1] << " port=" << m[2] << "\n[pgbouncer]\nlisten_addr = 127.0.0.1\n"
        << "listen_port = " << port_ << "\nunix_socket_dir =\nauth_type = trust\nauth_file = " << dir_
        << "/users.txt\npool_mode = " << pool_mode << "\ndefault_pool_size = 3\nmax_client_conn = 50\n"
        << "logfile = " << dir_ << "/pgbouncer.log\npidfile = " << dir_ << "/pgbouncer.pid\n";
    std::string as = geteuid() == 0 ? "chown -R postgres: " + dir_ + " && runuser -u postgres -- " : "";
    started_ = std::system((as + kPgBouncer + " -d -q " + dir_ + "/pgbouncer.ini").c_str()) == 0;
  }
  ~PgBouncer() {
    int pid = 0;
    std::ifstream(dir_ + "/pgbouncer.pid") >> pid;
    if (pid > 0) kill(pid, SIGTERM);
    std::error_code ec;
    if (!dir_.empty()) fs::remove_all(dir_, ec);
  }
  bool started() const { return started_; }
  std::string log() const {
    std::ifstream in(dir_ + "/pgbouncer.log");
    return std::string(std::istreambuf_iterator<char>(in), {});
  }
  // `direct_url` (a database of the test server) through the pooler.
  std::string Url(const std::string& direct_url) const {
    std::smatch m;
    std::regex_search(direct_url, m, std::regex("postgresql://([^@]*)@/([^?]+)"));
    return "postgresql://" + m[1].str() + "@127.0.0.1:" + std::to_string(port_) + "/" + m[2].str();
  }

 private:
  std::string dir_;
  int port_ = 0;
  bool started_ = false;
};

// Waits until PgBouncer accepts connections (it daemonizes before listening).
bool Reachable(const std::string& url) {
  for (int i = 0; i < 100; ++i) {
    pg::Connection c;
    if (pg::Connection::Open(url, &c).ok()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return false;
}

const char* kAddColumn = "operations:\n  - add_column:\n      table: t\n      up: v * 2\n"
                         "      column: {name: w, type: int, nullable: true}\n";

TEST(Pooler, TransactionPoolerIsRefusedAndLeavesNoLock) {
  if (!fs::exists(kPgBouncer)) GTEST_SKIP() << "no " << kPgBouncer << ": run scripts/install-deps.sh";
  PgBouncer bouncer("transaction");
  ASSERT_TRUE(bouncer.started()) << bouncer.log();
  std::string url = NewOwnedDatabase(), pooled = bouncer.Url(url);
  ASSERT_TRUE(Reachable(pooled)) << bouncer.log();
  pg::Connection conn = Connect(url);
  Exec(&conn, "CREATE TABLE t (id int PRIMARY KEY, v int); INSERT INTO t SELECT g, g FROM generate_series(1, 50) g");
  MigrationFile file("01_w", kAddColumn);
  for (int round = 0; round < 2; ++round) {
    SCOPED_TRACE("round " + std::to_string(round));
    std::string vs;
    Status s = engine::Lifecycle(OptionsFor(pooled)).Start(file.path(), false, &vs);
    EXPECT_EQ(Status::Code::kInvalid, s.code()) << s.ToString();
    EXPECT_NE(std::string::npos, s.message().find("transaction pooler")) << s.ToString();
    EXPECT_NE(std::string::npos, s.message().find("PgBouncer")) << s.ToString();
    EXPECT_NE(std::string::npos, s.hint().find("--url")) << s.ToString();
    EXPECT_EQ("", Value(&conn, "SELECT to_regnamespace('pleat')")) << "refused before changing anything";
  }
  // `status` only reads, one statement at a time: it works through the pooler.
  nlohmann::json st;
  Status s = engine::Lifecycle(OptionsFor(pooled)).GetStatus(&st);
  EXPECT_TRUE(s.ok()) << s.ToString();
  // Nothing of pleat's holds on: a direct pleat works at once.
  std::string vs;
  s = engine::Lifecycle(OptionsFor(url)).Start(file.path(), false, &vs);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ("0", Value(&conn, "SELECT count(*) FROM t WHERE w IS DISTINCT FROM v * 2"));
  s = engine::Lifecycle(OptionsFor(pooled)).GetStatus(&st);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ("active", st["active"]["phase"]) << st.dump();
}

TEST(Pooler, SessionPoolerWorksAndKeepsNothingAfterExit) {
  if (!fs::exists(kPgBouncer)) GTEST_SKIP() << "no " << kPgBouncer << ": run scripts/install-deps.sh";
  PgBouncer bouncer("session");
  ASSERT_TRUE(bouncer.started()) << bouncer.log();
  std::string url = NewOwnedDatabase(), pooled = bouncer.Url(url);
  ASSERT_TRUE(Reachable(pooled)) << bouncer.log();
  pg::Connection conn = Connect(url);
  Exec(&conn, "CREATE TABLE t (id int PRIMARY KEY, v int); INSERT INTO t SELECT g, g FROM generate_series(1, 50) g");
  MigrationFile file("01_w", kAddColumn);
  std::string vs;
  Status s = engine::Lifecycle(OptionsFor(pooled)).Start(file.path(), false, &vs);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ("0", Value(&conn, "SELECT count(*) FROM pleat.lease"));
  s = engine::Lifecycle(OptionsFor(url)).Complete();
  EXPECT_TRUE(s.ok()) << "a direct pleat right after: " << s.ToString();
}

}  // namespace
}  // namespace pleat::testing
