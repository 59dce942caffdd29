#ifndef PLEAT_PARSE_DOCUMENT_H_
#define PLEAT_PARSE_DOCUMENT_H_
// Reading a migration file's text into JSON. YAML and JSON files both become a
// nlohmann::json value, so everything after this point reads one format.
// YAML plain scalars become booleans, null or numbers the way YAML 1.2 core
// resolves them; quoted scalars always stay strings.

#include <string>

#include <nlohmann/json.hpp>

#include "status.h"

namespace pleat::parse {

// Parses `text` as JSON when `path` ends in .json, else as YAML. Errors name
// `path` and the line where the parser stopped.
Status ParseDocument(const std::string& path, const std::string& text, nlohmann::json* out);

}  // namespace pleat::parse

#endif  // PLEAT_PARSE_DOCUMENT_H_
