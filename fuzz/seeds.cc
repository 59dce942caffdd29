// fuzz_seeds LOADER_DIR EXPRESSION_DIR FILE...: the seed corpus, made at run
// time from migration files (scripts/fuzz.sh passes pgroll's examples and
// examples/contracts). Each file goes to LOADER_DIR as written and as JSON;
// each string in it goes to EXPRESSION_DIR as an expression (`E`), and the
// values of `type` and sequence option fields also as a type (`T`) or
// sequence options (`S`), the first byte fuzz_inputs.h reads.
#include <cstdio>
#include <fstream>
#include <set>
#include <sstream>
#include <string>

#include <nlohmann/json.hpp>

#include "parse/document.h"

namespace {

void Strings(const nlohmann::json& node, const std::string& key, std::set<std::string>* out) {
  if (node.is_string()) {
    std::string s = node.get<std::string>();
    out->insert("E" + s);
    if (key == "type") out->insert("T" + s);
    if (key.find("sequence") != std::string::npos) out->insert("S" + s);
    out->insert("C" + s);
  } else if (node.is_object()) {
    for (const auto& [k, v] : node.items()) Strings(v, k, out);
  } else if (node.is_array()) {
    for (const auto& v : node) Strings(v, key, out);
  }
}

void Write(const std::string& dir, size_t n, const std::string& text) {
  std::ofstream(dir + "/seed-" + std::to_string(n), std::ios::binary) << text;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    fprintf(stderr, "usage: fuzz_seeds LOADER_DIR EXPRESSION_DIR FILE...\n");
    return 2;
  }
  std::set<std::string> fields;
  size_t files = 0;
  for (int i = 3; i < argc; ++i) {
    std::stringstream text;
    text << std::ifstream(argv[i], std::ios::binary).rdbuf();
    nlohmann::json doc;
    Write(argv[1], files++, text.str());
    if (!pleat::parse::ParseDocument(argv[i], text.str(), &doc).ok()) continue;
    Write(argv[1], files++, doc.dump(1));
    Strings(doc, "", &fields);
  }
  size_t n = 0;
  for (const auto& f : fields) Write(argv[2], n++, f);
  printf("seeds: %zu files, %zu fields\n", files, n);
  return 0;
}
