#include "fuzz_inputs.h"

#include "migration/migration.h"

namespace pleat::fuzz {

std::string RunLoaderInput(const std::string& data) {
  size_t first = data.find_first_not_of(" \t\r\n");
  bool json = first != std::string::npos && (data[first] == '{' || data[first] == '[');
  migration::Migration m;
  Status s = migration::LoadMigrationText(json ? "m/01_fuzz.json" : "m/01_fuzz.yaml", data, &m);
  if (s.ok() && m.operations.empty()) return "a loaded migration has no operations";
  return "";
}

}  // namespace pleat::fuzz
