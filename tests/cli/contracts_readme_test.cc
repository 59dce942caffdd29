// examples/contracts/README.md walked as written: its ```sh and ```sql blocks
// run in order, from the repository's root, in one bash with the pleat under
// test first on PATH (the sql blocks through psql, as a reader would paste
// them). Every command must succeed; a command commented `# prints X` must
// print exactly X, and a sql block prints the values its `-- X` comments name.
// The README starts and stops its own `pleat sandbox`; SandboxTest stops it
// anyway when the walk fails half-way.
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

#include "cli/sandbox_env.h"

namespace pleat::testing {
namespace {

namespace fs = std::filesystem;

const fs::path kRoot = fs::path(__FILE__).parent_path() / "../..";

struct Block {
  std::string lang;
  std::vector<std::string> lines;
};

// The README's fenced blocks of language sh or sql, in order.
std::vector<Block> ShellAndSqlBlocks(const std::string& text) {
  std::vector<Block> blocks;
  std::istringstream in(text);
  Block* open = nullptr;
  bool in_other = false;
  for (std::string line; std::getline(in, line);) {
    std::string trimmed = line.substr(std::min(line.find_first_not_of(' '), line.size()));
    if (trimmed.rfind("```", 0) == 0) {
      if (open || in_other) {
        open = nullptr;
        in_other = false;
      } else if (trimmed == "```sh" || trimmed == "```sql") {
        blocks.push_back({trimmed.substr(3), {}});
        open = &blocks.back();
      } else {
        in_other = true;
      }
    } else if (open) {
      open->lines.push_back(line);
    }
  }
  return blocks;
}

std::string Trim(const std::string& s) {
  size_t b = s.find_first_not_of(" \n"), e = s.find_last_not_of(" \n");
  return b == std::string::npos ? "" : s.substr(b, e + 1 - b);
}

std::string ReadAll(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

struct Step {
  std::string what;      // the command or sql block, for messages
  std::string expected;  // what it must print; empty when the README does not say
  bool check_output = false;
};

class ContractsReadme : public SandboxTest {};

TEST_F(ContractsReadme, CommandsRunAsWritten) {
  std::string readme = ReadAll(kRoot / "examples/contracts/README.md");
  ASSERT_FALSE(readme.empty());
  EXPECT_EQ(std::string::npos, readme.find("../shared")) << "the README must not need paths outside the repository";

  std::string out_dir = run_dir_ + "/steps";
  fs::create_directories(out_dir);
  std::string script = "set -euo pipefail\ncd '" + kRoot.string() + "'\n";
  std::vector<Step> steps;
  std::regex prints(R"(#\s*prints\s+(.*)$)"), sql_value(R"(--\s*(\S+)\s*$)");
  for (const Block& block : ShellAndSqlBlocks(readme)) {
    if (block.lang == "sql") {
      Step step{.what = "", .expected = "", .check_output = true};
      for (const auto& line : block.lines) {
        step.what += line + "\n";
        std::smatch m;
        if (std::regex_search(line, m, sql_value)) step.expected += (step.expected.empty() ? "" : "\n") + m[1].str();
      }
      std::string file = out_dir + "/" + std::to_string(steps.size()) + ".sql";
      std::ofstream(file) << step.what;
      script += "echo '+ psql -f " + file + "' >&2\npsql -X -q -At -v ON_ERROR_STOP=1 -f " + file + " >" + out_dir +
                "/" + std::to_string(steps.size()) + ".out\n";
      steps.push_back(step);
      continue;
    }
    for (const auto& line : block.lines) {
      std::string command = Trim(line);
      if (command.empty() || command[0] == '#') continue;
      Step step{.what = command};
      std::smatch m;
      if (std::regex_search(command, m, prints)) {
        step.expected = Trim(m[1].str());
        step.check_output = true;
      }
      script += "echo '+ step " + std::to_string(steps.size()) + "' >&2\n{\n" + command + "\n} >" + out_dir + "/" +
                std::to_string(steps.size()) + ".out\n";
      steps.push_back(step);
    }
  }
  ASSERT_GE(steps.size(), 8u) << script;
  EXPECT_EQ("eval \"$(pleat sandbox start)\"", steps.front().what.substr(0, 29)) << "the walk starts its sandbox";
  EXPECT_EQ("eval \"$(pleat sandbox stop)\"", steps.back().what) << "the walk ends by stopping its sandbox";

  RunEnv env = Env();
  env.timeout_s = 300;
  PleatRun walk = RunProgram({"/bin/bash", "-c", script}, env);
  EXPECT_EQ(0, walk.exit_code) << walk.Describe() << "\n--- script:\n" << script;
  for (size_t i = 0; i < steps.size(); ++i) {
    if (!steps[i].check_output) continue;
    fs::path out = out_dir + "/" + std::to_string(i) + ".out";
    if (!fs::exists(out)) continue;  // not reached: the exit code above says why
    EXPECT_EQ(steps[i].expected, Trim(ReadAll(out))) << "step " << i << ": " << steps[i].what;
  }
  PleatRun status = RunSandbox("status");
  EXPECT_EQ(1, status.exit_code) << "the README's last command stops the sandbox\n" << status.Describe();
}

}  // namespace
}  // namespace pleat::testing
