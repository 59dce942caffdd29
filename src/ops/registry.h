#ifndef PLEAT_OPS_REGISTRY_H_
#define PLEAT_OPS_REGISTRY_H_
// The one table from operation keys ("add_column") to the functions that parse
// their bodies into Operations. Adding an operation means adding one line to
// registry.cc; there is no static self-registration.

#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "ops/operation.h"
#include "status.h"

namespace pleat::ops {

// Parses the body of operation `key`; `where` prefixes errors ("operation 2 (add_column)").
Status ParseOperation(const std::string& key, const nlohmann::json& body, const std::string& where,
                      std::unique_ptr<Operation>* out);
// Every key pleat knows, for error messages.
std::vector<std::string> KnownOperationKeys();

}  // namespace pleat::ops

#endif  // PLEAT_OPS_REGISTRY_H_
