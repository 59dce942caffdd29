#include "parse/field_reader.h"

#include <limits>
#include <utility>

namespace pleat::parse {
namespace {

using nlohmann::json;

// Names of JSON types in the words of someone who wrote YAML.
std::string Describe(const json& value) {
  switch (value.type()) {
    case json::value_t::null: return "null";
    case json::value_t::boolean: return "true/false";
    case json::value_t::string: return "text";
    case json::value_t::array: return "a list";
    case json::value_t::object: return "a mapping";
    default: return "a number";
  }
}

// The text of a scalar: YAML `default: 0` means the SQL `0`. False for null,
// lists and mappings, which have no text.
bool ScalarText(const json& value, std::string* out) {
  if (value.is_string()) {
    *out = value.get<std::string>();
  } else if (value.is_boolean()) {
    *out = value.get<bool>() ? "true" : "false";
  } else if (value.is_number_unsigned()) {
    *out = std::to_string(value.get<unsigned long long>());
  } else if (value.is_number_integer()) {
    *out = std::to_string(value.get<long long>());
  } else if (value.is_number_float()) {
    *out = value.dump();  // shortest text that reads back as the same double
  } else {
    return false;
  }
  return true;
}

std::string Prefix(const std::string& where) { return where.empty() ? "" : where + ": "; }

// The value of `key`, or null when absent (or when `object` is not an object).
const json* Find(const json& object, const std::string& key) {
  if (!object.is_object()) return nullptr;
  auto it = object.find(key);
  return it == object.end() ? nullptr : &*it;
}

}  // namespace

FieldReader::FieldReader(const nlohmann::json& object, std::string where)
    : object_(object), where_(std::move(where)) {}

Status FieldReader::RequireObject(const nlohmann::json& value, const std::string& where) {
  if (value.is_object()) return Status::Ok();
  return Status::Invalid(Prefix(where) + "must be a mapping of keys to values, not " +
                             Describe(value),
                         "write it as `key: value` lines");
}

Status FieldReader::Error(const std::string& key, const std::string& what) const {
  return Status::Invalid(Prefix(where_) + "\"" + key + "\" " + what);
}

Status FieldReader::String(const std::string& key, std::string* out) {
  bool present = false;
  std::optional<std::string> value;
  Status s = NullableString(key, &present, &value);
  if (!s.ok()) return s;
  if (!present) return Error(key, "is required").WithHint("add \"" + key + "\" with a value");
  if (!value) return Error(key, "must be text, not null").WithHint("give \"" + key + "\" a value");
  *out = std::move(*value);
  return Status::Ok();
}

Status FieldReader::OptString(const std::string& key, std::optional<std::string>* out) {
  bool present = false;
  Status s = NullableString(key, &present, out);
  if (!s.ok()) return s;
  if (present && !*out) {
    return Error(key, "must be text, not null")
        .WithHint("give \"" + key + "\" a value or remove the key");
  }
  return Status::Ok();
}

Status FieldReader::NullableString(const std::string& key, bool* present,
                                   std::optional<std::string>* out) {
  known_.insert(key);
  const json* value = Find(object_, key);
  *present = value != nullptr;
  out->reset();
  if (value == nullptr || value->is_null()) return Status::Ok();
  std::string text;
  if (!ScalarText(*value, &text)) {
    return Error(key, "must be text, not " + Describe(*value))
        .WithHint("write \"" + key + "\" as a single value");
  }
  *out = std::move(text);
  return Status::Ok();
}

Status FieldReader::OptBool(const std::string& key, std::optional<bool>* out) {
  known_.insert(key);
  const json* value = Find(object_, key);
  out->reset();
  if (value == nullptr) return Status::Ok();
  if (!value->is_boolean()) {
    return Error(key, "must be true or false")
        .WithHint("write true or false, without quotes");
  }
  *out = value->get<bool>();
  return Status::Ok();
}

Status FieldReader::OptInt(const std::string& key, std::optional<long long>* out) {
  known_.insert(key);
  const json* value = Find(object_, key);
  out->reset();
  if (value == nullptr) return Status::Ok();
  bool too_big = value->is_number_unsigned() &&
                 value->get<unsigned long long>() >
                     static_cast<unsigned long long>(std::numeric_limits<long long>::max());
  if (!value->is_number_integer() || too_big) {
    return Error(key, "must be a whole number")
        .WithHint("write a whole number such as 1000, without quotes");
  }
  *out = value->get<long long>();
  return Status::Ok();
}

Status FieldReader::OptObject(const std::string& key, const nlohmann::json** out) {
  known_.insert(key);
  const json* value = Find(object_, key);
  *out = nullptr;
  if (value == nullptr) return Status::Ok();
  if (!value->is_object()) {
    return Error(key, "must be a mapping of keys to values, not " + Describe(*value))
        .WithHint("write \"" + key + "\" as indented `key: value` lines");
  }
  *out = value;
  return Status::Ok();
}

Status FieldReader::OptArray(const std::string& key, const nlohmann::json** out) {
  known_.insert(key);
  const json* value = Find(object_, key);
  *out = nullptr;
  if (value == nullptr) return Status::Ok();
  if (!value->is_array()) {
    return Error(key, "must be a list, not " + Describe(*value))
        .WithHint("write \"" + key + "\" as a list of `- item` lines");
  }
  *out = value;
  return Status::Ok();
}

Status FieldReader::OptStringList(const std::string& key, std::vector<std::string>* out) {
  known_.insert(key);
  const json* value = Find(object_, key);
  out->clear();
  if (value == nullptr) return Status::Ok();
  std::string text;
  if (ScalarText(*value, &text)) {
    out->push_back(std::move(text));
    return Status::Ok();
  }
  if (!value->is_array()) {
    return Error(key, "must be a list of text, not " + Describe(*value))
        .WithHint("write \"" + key + "\" as a list of names");
  }
  for (size_t i = 0; i < value->size(); ++i) {
    if (!ScalarText((*value)[i], &text)) {
      out->clear();
      return Error(key, "item " + std::to_string(i + 1) + " must be text, not " +
                            Describe((*value)[i]))
          .WithHint("write each item of \"" + key + "\" as a single value");
    }
    out->push_back(std::move(text));
  }
  return Status::Ok();
}

Status FieldReader::Finish() const {
  if (!object_.is_object()) return Status::Ok();
  std::vector<std::string> unknown;
  for (auto it = object_.begin(); it != object_.end(); ++it) {
    if (known_.count(it.key()) == 0) unknown.push_back("\"" + it.key() + "\"");
  }
  if (unknown.empty()) return Status::Ok();
  std::string msg = unknown.size() == 1 ? "unknown key " : "unknown keys ";
  for (size_t i = 0; i < unknown.size(); ++i) msg += (i > 0 ? ", " : "") + unknown[i];
  msg += "; allowed keys: ";
  std::string allowed;
  for (const std::string& key : known_) allowed += (allowed.empty() ? "" : ", ") + key;
  msg += allowed.empty() ? "none" : allowed;
  return Status::Invalid(Prefix(where_) + msg, "remove the key or fix its spelling");
}

}  // namespace pleat::parse
