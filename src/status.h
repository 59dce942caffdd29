#ifndef PLEAT_STATUS_H_
#define PLEAT_STATUS_H_
// Status: the one error type of pleat. Every call that can fail returns one.
// It carries a code (which maps to the process exit code), a lower-case message
// naming the object, an optional SQLSTATE from the server and a hint saying what
// to do. Context is prepended as the error rises (file, then operation).
// Ok() costs an empty string; copy freely.

#include <string>

namespace pleat {

class [[nodiscard]] Status {
 public:
  enum class Code { kOk, kCheckFailed, kUsage, kInvalid, kNotFound, kDatabase, kLockTimeout, kBusy };

  Status() = default;
  static Status Ok() { return Status(); }
  static Status CheckFailed(std::string msg, std::string hint = "") { return Status(Code::kCheckFailed, std::move(msg), std::move(hint)); }
  static Status Usage(std::string msg, std::string hint = "") { return Status(Code::kUsage, std::move(msg), std::move(hint)); }
  static Status Invalid(std::string msg, std::string hint = "") { return Status(Code::kInvalid, std::move(msg), std::move(hint)); }
  static Status NotFound(std::string msg, std::string hint = "") { return Status(Code::kNotFound, std::move(msg), std::move(hint)); }
  static Status Busy(std::string msg, std::string hint = "") { return Status(Code::kBusy, std::move(msg), std::move(hint)); }
  // A server error; `sqlstate` is the five-character code (55P03 lock_not_available
  // and 40P01 deadlock_detected become kLockTimeout, which callers retry).
  static Status Database(std::string msg, std::string sqlstate, std::string hint = "");

  bool ok() const { return code_ == Code::kOk; }
  Code code() const { return code_; }
  bool IsLockTimeout() const { return code_ == Code::kLockTimeout; }
  const std::string& message() const { return message_; }
  const std::string& sqlstate() const { return sqlstate_; }
  const std::string& hint() const { return hint_; }

  // Returns a copy whose message starts with "context: ". Ok stays Ok.
  Status WithContext(const std::string& context) const;
  // Returns a copy with `hint` set when it had none.
  Status WithHint(const std::string& hint) const;
  // "message (SQLSTATE x)\nhint: ..." for people.
  std::string ToString() const;
  // Exit code of the CLI: 0 ok, 1 a check failed, 2 usage, 3 migration or database error.
  int ExitCode() const;

 private:
  Status(Code code, std::string msg, std::string hint)
      : code_(code), message_(std::move(msg)), hint_(std::move(hint)) {}
  Code code_ = Code::kOk;
  std::string message_;
  std::string sqlstate_;
  std::string hint_;
};

}  // namespace pleat

#endif  // PLEAT_STATUS_H_
