#include "pg/sandbox.h"

#include <fcntl.h>
#include <libpq-fe.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>

#include "pg/throwaway_server.h"

namespace pleat::pg {
namespace {

namespace fs = std::filesystem;

std::string StateFile() { return SandboxStateDir() + "/state"; }

// Creates the state directory (mode 0700) and refuses one another user owns.
Status EnsureStateDir() {
  std::string dir = SandboxStateDir();
  std::error_code ec;
  fs::create_directories(dir, ec);
  struct stat st {};
  if (ec || stat(dir.c_str(), &st) != 0)
    return Status::Invalid("sandbox: cannot create the state directory " + dir,
                           "set XDG_RUNTIME_DIR to a directory you can write");
  if (st.st_uid != geteuid())
    return Status::Invalid("sandbox: the state directory " + dir + " belongs to another user",
                           "remove it, or set XDG_RUNTIME_DIR to a directory of your own");
  chmod(dir.c_str(), 0700);
  return Status::Ok();
}

// Holds an exclusive flock on the state directory's lock file while alive.
class StateLock {
 public:
  StateLock() : fd_(open((SandboxStateDir() + "/lock").c_str(), O_CREAT | O_RDWR | O_CLOEXEC, 0600)) {
    if (fd_ >= 0) flock(fd_, LOCK_EX);
  }
  ~StateLock() {
    if (fd_ >= 0) close(fd_);
  }
  StateLock(const StateLock&) = delete;
  StateLock& operator=(const StateLock&) = delete;

 private:
  int fd_;
};

// The recorded sandbox, or false when there is no (readable) state file.
bool ReadState(Sandbox* sandbox) {
  std::ifstream in(StateFile());
  std::map<std::string, std::string> fields;
  for (std::string line; std::getline(in, line);)
    if (size_t eq = line.find('='); eq != std::string::npos) fields[line.substr(0, eq)] = line.substr(eq + 1);
  if (fields["dir"].empty() || fields["url"].empty()) return false;
  sandbox->dir = fields["dir"];
  sandbox->bin_dir = fields["bin"];
  sandbox->port = std::atoi(fields["port"].c_str());
  sandbox->url = fields["url"];
  return true;
}

Status WriteState(const Sandbox& sandbox) {
  std::string tmp = StateFile() + ".new";
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << "dir=" << sandbox.dir << "\nbin=" << sandbox.bin_dir << "\nport=" << sandbox.port
        << "\nurl=" << sandbox.url << "\n";
    if (!out.flush())
      return Status::Invalid("sandbox: cannot write " + tmp, "check that " + SandboxStateDir() + " is writable");
  }
  std::error_code ec;
  fs::rename(tmp, StateFile(), ec);
  if (ec) return Status::Invalid("sandbox: cannot write " + StateFile() + ": " + ec.message());
  return Status::Ok();
}

bool Answers(const Sandbox& sandbox) { return PQping(sandbox.url.c_str()) == PQPING_OK; }

// Stops the recorded server (if it still runs) and removes its directory and the state file.
void Remove(const Sandbox& sandbox) {
  ThrowawayServer server;
  server.Attach(sandbox.bin_dir, sandbox.dir, sandbox.port);
  server.Stop();
  std::error_code ec;
  fs::remove(StateFile(), ec);
}

// The recorded sandbox when it answers; a dead one is cleaned up and explained in `note`.
bool LiveSandbox(Sandbox* sandbox, std::string* note) {
  if (!ReadState(sandbox)) return false;
  if (Answers(*sandbox)) return true;
  Remove(*sandbox);
  *note = "the sandbox PostgreSQL recorded in " + StateFile() + " (in " + sandbox->dir +
          ") no longer answered; removed its leftovers";
  *sandbox = Sandbox{};
  return false;
}

std::string ShellQuote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

}  // namespace

std::string SandboxStateDir() {
  if (const char* run = std::getenv("XDG_RUNTIME_DIR"); run && *run) return std::string(run) + "/pleat-sandbox";
  return "/tmp/pleat-sandbox-" + std::to_string(geteuid());
}

Status StartSandbox(Sandbox* sandbox, bool* reused, std::string* note) {
  if (Status s = EnsureStateDir(); !s.ok()) return s;
  StateLock lock;
  *reused = LiveSandbox(sandbox, note);
  if (*reused) return Status::Ok();
  ThrowawayServer server;
  if (Status s = server.Start(); !s.ok()) return s.WithContext("sandbox: starting PostgreSQL");
  sandbox->dir = server.dir();
  sandbox->bin_dir = server.bin_dir();
  sandbox->port = server.port();
  sandbox->url = server.Url();
  if (Status s = WriteState(*sandbox); !s.ok()) return s;  // the server's destructor stops it
  server.Detach();
  return Status::Ok();
}

Status StopSandbox(Sandbox* stopped_sandbox, bool* stopped, std::string* note) {
  if (Status s = EnsureStateDir(); !s.ok()) return s;
  StateLock lock;
  *stopped = LiveSandbox(stopped_sandbox, note);
  if (*stopped) Remove(*stopped_sandbox);
  return Status::Ok();
}

Status FindSandbox(Sandbox* sandbox, bool* running, std::string* note) {
  if (Status s = EnsureStateDir(); !s.ok()) return s;
  StateLock lock;
  *running = LiveSandbox(sandbox, note);
  return Status::Ok();
}

std::string SandboxExports(const Sandbox& sandbox) {
  return "export DATABASE_URL=" + ShellQuote(sandbox.url) + "\nexport PGHOST=" + ShellQuote(sandbox.dir) +
         " PGPORT=" + std::to_string(sandbox.port) + " PGUSER=postgres PGDATABASE=postgres\n";
}

std::string SandboxUnsets() { return "unset DATABASE_URL PGHOST PGPORT PGUSER PGDATABASE\n"; }

}  // namespace pleat::pg
