#include "demo/migrations.h"

#include <stdlib.h>

#include <filesystem>
#include <fstream>

#include "demo/example_files.h"

namespace pleat::demo {

MigrationFiles::~MigrationFiles() {
  std::error_code ec;
  if (!dir_.empty()) std::filesystem::remove_all(dir_, ec);
}

std::string MigrationFiles::Text(const std::string& name) {
  return name == kCreateContracts ? kCreateContractsText : kSplitContractsText;
}

std::string MigrationFiles::Path(const std::string& name) const { return dir_ + "/" + name + ".yaml"; }

Status MigrationFiles::Write() {
  char tmpl[] = "/tmp/pleat-demo.XXXXXX";
  if (!mkdtemp(tmpl))
    return Status::Invalid("cannot create a temporary directory for the demo's migration files",
                           "make /tmp writable, then run `pleat demo` again");
  dir_ = tmpl;
  for (const char* name : {kCreateContracts, kSplitContracts}) {
    std::ofstream out(Path(name));
    out << Text(name);
    if (!out.flush())
      return Status::Invalid("cannot write " + Path(name), "free some space in /tmp, then run `pleat demo` again");
  }
  return Status::Ok();
}

}  // namespace pleat::demo
