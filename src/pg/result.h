#ifndef PLEAT_PG_RESULT_H_
#define PLEAT_PG_RESULT_H_
// pg::Result owns one PGresult and frees it on every path. Move-only.
// Values come back as text (libpq's text format); a NULL reads as "" and
// IsNull() tells the two apart. Out-of-range access is a programming error.

#include <string>

struct pg_result;

namespace pleat::pg {

class Result {
 public:
  Result() = default;
  explicit Result(pg_result* res) : res_(res) {}
  ~Result();
  Result(Result&& other) noexcept : res_(other.res_) { other.res_ = nullptr; }
  Result& operator=(Result&& other) noexcept;
  Result(const Result&) = delete;
  Result& operator=(const Result&) = delete;

  int rows() const;
  int columns() const;
  std::string Get(int row, int col) const;
  bool IsNull(int row, int col) const;
  // Number of rows a command touched ("UPDATE 42" -> 42); 0 when not reported.
  long long AffectedRows() const;

 private:
  pg_result* res_ = nullptr;
};

}  // namespace pleat::pg

#endif  // PLEAT_PG_RESULT_H_
