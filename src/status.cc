#include "status.h"

namespace pleat {

Status Status::Database(std::string msg, std::string sqlstate, std::string hint) {
  // A lock timeout and a deadlock both mean another transaction holds what the
  // statement needs: the caller rolls back, waits and retries either way.
  Code code = (sqlstate == "55P03" || sqlstate == "40P01") ? Code::kLockTimeout : Code::kDatabase;
  Status s(code, std::move(msg), std::move(hint));
  s.sqlstate_ = std::move(sqlstate);
  return s;
}

Status Status::WithContext(const std::string& context) const {
  if (ok() || context.empty()) return *this;
  Status s = *this;
  s.message_ = context + ": " + message_;
  return s;
}

Status Status::WithHint(const std::string& hint) const {
  if (ok() || !hint_.empty()) return *this;
  Status s = *this;
  s.hint_ = hint;
  return s;
}

std::string Status::ToString() const {
  if (ok()) return "ok";
  std::string out = message_;
  if (!sqlstate_.empty()) out += " (SQLSTATE " + sqlstate_ + ")";
  if (!hint_.empty()) out += "\nhint: " + hint_;
  return out;
}

int Status::ExitCode() const {
  switch (code_) {
    case Code::kOk: return 0;
    case Code::kCheckFailed: return 1;
    case Code::kUsage: return 2;
    default: return 3;
  }
}

}  // namespace pleat
