#ifndef PLEAT_PARSE_FIELD_READER_H_
#define PLEAT_PARSE_FIELD_READER_H_
// FieldReader: strict reading of one JSON object from a migration file (YAML is
// converted to JSON first). Each getter marks its key as known; Finish() fails
// on any key nobody asked for, listing the allowed ones, so a typo never passes
// silently. Errors are prefixed with the reader's `where` ("operation 2 (add_column)").
// Scalars given as numbers or booleans where text is expected are accepted as
// their text (YAML `default: 0` means the SQL `0`).

#include <optional>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "status.h"

namespace pleat::parse {

class FieldReader {
 public:
  // REQUIRES: `object` outlives the reader.
  FieldReader(const nlohmann::json& object, std::string where);

  // Fails unless the value is a JSON object (checked once, by the constructor's caller).
  static Status RequireObject(const nlohmann::json& value, const std::string& where);

  Status String(const std::string& key, std::string* out);  // required
  Status OptString(const std::string& key, std::optional<std::string>* out);
  // A key that may be present with value null ("default: null" drops a default):
  // *present says whether the key appeared, *out is nullopt for null.
  Status NullableString(const std::string& key, bool* present, std::optional<std::string>* out);
  Status OptBool(const std::string& key, std::optional<bool>* out);
  Status OptInt(const std::string& key, std::optional<long long>* out);
  // An optional nested object; *out is null when absent.
  Status OptObject(const std::string& key, const nlohmann::json** out);
  // An optional array of anything; *out is null when absent.
  Status OptArray(const std::string& key, const nlohmann::json** out);
  // An optional array of strings (a single string is accepted as a one-element list).
  Status OptStringList(const std::string& key, std::vector<std::string>* out);

  // Fails when the object holds a key no getter asked for.
  Status Finish() const;
  const std::string& where() const { return where_; }

 private:
  Status Error(const std::string& key, const std::string& what) const;
  const nlohmann::json& object_;
  std::string where_;
  std::set<std::string> known_;
};

}  // namespace pleat::parse

#endif  // PLEAT_PARSE_FIELD_READER_H_
