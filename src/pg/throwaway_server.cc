#include "pg/throwaway_server.h"

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace pleat::pg {
namespace {

namespace fs = std::filesystem;

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace

std::string ServerBinaries(const std::string& needed) {
  if (const char* chosen = std::getenv("PGTMP_BIN"); chosen && *chosen) return chosen;
  std::error_code ec;
  std::string best;
  for (const auto& entry : fs::directory_iterator("/usr/lib/postgresql", ec)) {
    if (fs::exists(entry.path() / "bin" / needed) && entry.path().string() > best) best = entry.path().string();
  }
  return best.empty() ? "" : best + "/bin";
}

int FreeLoopbackPort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  int port = 0;
  if (fd >= 0 && bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0)
    port = ntohs(addr.sin_port);
  if (fd >= 0) close(fd);
  return port ? port : 20000 + getpid() % 20000;
}

ThrowawayServer::~ThrowawayServer() { Stop(); }

Status ThrowawayServer::RunAsOwner(const std::string& command, const std::string& what) const {
  std::string cmd = geteuid() == 0 ? "runuser -u postgres -- " + command : command;
  if (std::system(cmd.c_str()) != 0) {
    return Status::Database(what + " failed; its log: " + dir_ + "/server.log\n" +
                                ReadFile(dir_ + "/server.log") + ReadFile(dir_ + "/initdb.log"),
                            "58000", "install the server with scripts/install-deps.sh");
  }
  return Status::Ok();
}

Status ThrowawayServer::Start() {
  bin_dir_ = ServerBinaries("initdb");
  if (bin_dir_.empty())
    return Status::NotFound("no PostgreSQL server binaries under /usr/lib/postgresql",
                            "install the postgresql package (Debian/Ubuntu: apt-get install postgresql; "
                            "scripts/install-deps.sh does it), or set PGTMP_BIN to a server's bin directory");
  if (!fs::exists(bin_dir_ + "/initdb"))
    return Status::NotFound("no initdb in " + bin_dir_ + " (PGTMP_BIN)",
                            "point PGTMP_BIN at a server's bin directory, e.g. one scripts/install-pg-versions.sh "
                            "prints, or unset it");
  // $TMPDIR when set (the test suite points it at a tmpfs such as /dev/shm).
  const char* tmpdir = std::getenv("TMPDIR");
  std::string tmpl = std::string(tmpdir && *tmpdir ? tmpdir : "/tmp") + "/pleat-pg.XXXXXX";
  if (!mkdtemp(tmpl.data()))
    return Status::Database("cannot create a temporary directory " + tmpl, "58000", "check that TMPDIR is writable");
  dir_ = tmpl;
  if (geteuid() == 0 &&
      std::system(("chown postgres: " + dir_ + " && chmod 755 " + dir_).c_str()) != 0)
    return Status::Database("cannot give " + dir_ + " to the postgres user", "58000",
                            "create the postgres system user (the postgresql package does)");
  Status s = RunAsOwner(bin_dir_ + "/initdb -D " + dir_ + "/data -A trust -U postgres -E UTF8 >" +
                            dir_ + "/initdb.log 2>&1",
                        "initdb");
  if (!s.ok()) return s;
  port_ = FreeLoopbackPort();  // the server only uses it to name its socket
  return StartServer();
}

Status ThrowawayServer::StartServer() {
  // fsync off: a throwaway cluster trades durability for speed. max_connections
  // leaves room for the concurrent writers of the tests and the demo.
  return RunAsOwner(bin_dir_ + "/pg_ctl -D " + dir_ + "/data -l " + dir_ + "/server.log -w -o \"-p " +
                        std::to_string(port_) + " -k " + dir_ +
                        " -c listen_addresses='' -c fsync=off -c synchronous_commit=off"
                        " -c full_page_writes=off -c max_connections=100\" start >/dev/null 2>&1",
                    "starting PostgreSQL");
}

Status ThrowawayServer::Restart() {
  Status s = RunAsOwner(bin_dir_ + "/pg_ctl -D " + dir_ + "/data -m immediate -w stop >/dev/null 2>&1",
                        "stopping PostgreSQL");
  return s.ok() ? StartServer() : s;
}

void ThrowawayServer::Attach(const std::string& bin_dir, const std::string& dir, int port) {
  Stop();
  bin_dir_ = bin_dir;
  dir_ = dir;
  port_ = port;
}

void ThrowawayServer::Stop() {
  if (dir_.empty()) return;
  if (!bin_dir_.empty())
    (void)RunAsOwner(bin_dir_ + "/pg_ctl -D " + dir_ + "/data -m immediate -w stop >/dev/null 2>&1",
                     "stopping PostgreSQL");
  std::error_code ec;
  fs::remove_all(dir_, ec);
  dir_.clear();
}

std::string ThrowawayServer::Url(const std::string& dbname) const {
  return "postgresql://postgres@/" + dbname + "?host=" + dir_ + "&port=" + std::to_string(port_);
}

}  // namespace pleat::pg
