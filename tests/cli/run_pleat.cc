#include "cli/run_pleat.h"

#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "support/test_db.h"

extern char** environ;

namespace pleat::testing {
namespace {

// Variables through which libpq or pleat would pick a server on their own.
bool SelectsDatabase(const std::string& entry) {
  return entry.rfind("DATABASE_URL=", 0) == 0 || entry.rfind("PG", 0) == 0;
}

std::vector<std::string> ChildEnvironment(const RunEnv& env) {
  std::vector<std::string> out;
  for (char** e = environ; *e; ++e) {
    std::string entry = *e;
    if (!SelectsDatabase(entry) && !env.set.count(entry.substr(0, entry.find('=')))) out.push_back(entry);
  }
  for (const auto& [k, v] : env.set) out.push_back(k + "=" + v);
  return out;
}

std::vector<char*> CStrings(std::vector<std::string>* strings) {
  std::vector<char*> out;
  for (auto& s : *strings) out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

// Reads both pipes until they close or the deadline passes (or kill_when says
// so); false on timeout.
bool Drain(int out_fd, int err_fd, const RunEnv& env, PleatRun* run) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(env.timeout_s);
  pollfd fds[2] = {{out_fd, POLLIN, 0}, {err_fd, POLLIN, 0}};
  std::string* sinks[2] = {&run->out, &run->err};
  int open = 2;
  while (open > 0) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0 || (env.kill_when && env.kill_when(*run))) return false;
    int wait_ms = static_cast<int>(env.kill_when ? std::min<long long>(left.count(), 50) : left.count());
    if (poll(fds, 2, wait_ms) < 0 && errno != EINTR) return false;
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || fds[i].revents == 0) continue;
      char buf[4096];
      ssize_t n = read(fds[i].fd, buf, sizeof buf);
      if (n > 0) {
        sinks[i]->append(buf, n);
      } else if (n == 0 || errno != EINTR) {
        fds[i].fd = -1;
        --open;
      }
    }
  }
  return true;
}

}  // namespace

std::string PleatRun::LastLine() const {
  size_t end = out.find_last_not_of("\n");
  if (end == std::string::npos) return "";
  size_t start = out.rfind('\n', end);
  start = start == std::string::npos ? 0 : start + 1;
  return out.substr(start, end + 1 - start);
}

std::string PleatRun::Describe() const {
  return "exit code " + std::to_string(exit_code) + "\n--- stdout:\n" + out + "--- stderr:\n" + err;
}

std::string PleatBinary() {
  if (const char* bin = std::getenv("PLEAT_BIN"); bin && *bin) return bin;
  std::error_code ec;
  auto self = std::filesystem::read_symlink("/proc/self/exe", ec);
  return (self / ".." / "pleat").lexically_normal().string();
}

PleatRun RunPleat(const std::vector<std::string>& args, const RunEnv& env) {
  std::vector<std::string> argv = {PleatBinary()};
  argv.insert(argv.end(), args.begin(), args.end());
  return RunProgram(argv, env);
}

PleatRun RunProgram(const std::vector<std::string>& argv_in, const RunEnv& env) {
  PleatRun run;
  std::vector<std::string> argv_s = argv_in;
  std::vector<std::string> env_s = ChildEnvironment(env);
  std::vector<char*> argv = CStrings(&argv_s), envp = CStrings(&env_s);
  int out_pipe[2], err_pipe[2];
  if (pipe(out_pipe) != 0 || pipe(err_pipe) != 0) return run;
  pid_t pid = fork();
  if (pid == 0) {
    dup2(out_pipe[1], 1);
    dup2(err_pipe[1], 2);
    for (int fd : {out_pipe[0], out_pipe[1], err_pipe[0], err_pipe[1]}) close(fd);
    execve(argv[0], argv.data(), envp.data());
    fprintf(stderr, "cannot run %s: %s\n", argv[0], strerror(errno));
    _exit(127);
  }
  close(out_pipe[1]);
  close(err_pipe[1]);
  bool finished = pid > 0 && Drain(out_pipe[0], err_pipe[0], env, &run);
  close(out_pipe[0]);
  close(err_pipe[0]);
  if (pid <= 0) return run;
  if (!finished) kill(pid, SIGKILL);
  int status = 0;
  waitpid(pid, &status, 0);
  run.exit_code = finished && WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return run;
}

void PleatTest::SetUp() {
  url_ = NewOwnedDatabase();
  char tmpl[] = "/tmp/pleat_cli_XXXXXX";
  ASSERT_NE(nullptr, mkdtemp(tmpl)) << strerror(errno);
  dir_ = tmpl;
}

void PleatTest::TearDown() {
  std::error_code ec;
  std::filesystem::remove_all(dir_, ec);
}

std::string PleatTest::WriteFile(const std::string& name, const std::string& text) {
  std::filesystem::path path = std::filesystem::path(dir_) / name;
  std::filesystem::create_directories(path.parent_path());
  std::ofstream(path, std::ios::binary) << text;
  return path.string();
}

PleatRun PleatTest::Pleat(const std::vector<std::string>& args, const RunEnv& env) {
  std::vector<std::string> all = {"--url", url_};
  all.insert(all.end(), args.begin(), args.end());
  return RunPleat(all, env);
}

PleatRun PleatTest::PleatOk(const std::vector<std::string>& args, const RunEnv& env) {
  PleatRun run = Pleat(args, env);
  std::string cmd;
  for (const auto& a : args) cmd += " " + a;
  EXPECT_EQ(0, run.exit_code) << "pleat" << cmd << "\n" << run.Describe();
  return run;
}

std::string PleatTest::Query(const std::string& sql) {
  pg::Connection conn = Connect(url_);
  return Value(&conn, sql);
}

}  // namespace pleat::testing
