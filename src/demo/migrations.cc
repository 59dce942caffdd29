#include "demo/migrations.h"

#include <stdlib.h>

#include <filesystem>
#include <fstream>

namespace pleat::demo {
namespace {

constexpr const char* kCreateUsersText = R"(operations:
  - create_table:
      name: users
      columns:
        - {name: id, type: serial, pk: true}
        - {name: name, type: text, nullable: true}
        - {name: email, type: text, nullable: true}
)";

std::string SplitNameText() {
  return std::string(R"(operations:
  - add_column:
      table: users
      column: {name: first_name, type: text, nullable: true}
      up: ")") + kFirstNameUp + R"("
  - add_column:
      table: users
      column: {name: last_name, type: text, nullable: true}
      up: ")" + kLastNameUp + R"("
  - drop_column:
      table: users
      column: name
      down: ")" + kNameDown + "\"\n";
}

}  // namespace

MigrationFiles::~MigrationFiles() {
  std::error_code ec;
  if (!dir_.empty()) std::filesystem::remove_all(dir_, ec);
}

std::string MigrationFiles::Text(const std::string& name) {
  return name == kCreateUsers ? kCreateUsersText : SplitNameText();
}

std::string MigrationFiles::Path(const std::string& name) const { return dir_ + "/" + name + ".yaml"; }

Status MigrationFiles::Write() {
  char tmpl[] = "/tmp/pleat-demo.XXXXXX";
  if (!mkdtemp(tmpl))
    return Status::Invalid("cannot create a temporary directory for the demo's migration files",
                           "make /tmp writable, then run `pleat demo` again");
  dir_ = tmpl;
  for (const char* name : {kCreateUsers, kSplitName}) {
    std::ofstream out(Path(name));
    out << Text(name);
    if (!out.flush())
      return Status::Invalid("cannot write " + Path(name), "free some space in /tmp, then run `pleat demo` again");
  }
  return Status::Ok();
}

}  // namespace pleat::demo
