#include "pg/result.h"

#include <libpq-fe.h>

#include <cstdlib>

namespace pleat::pg {

Result::~Result() {
  if (res_) PQclear(res_);
}

Result& Result::operator=(Result&& other) noexcept {
  if (this != &other) {
    if (res_) PQclear(res_);
    res_ = other.res_;
    other.res_ = nullptr;
  }
  return *this;
}

int Result::rows() const { return res_ ? PQntuples(res_) : 0; }
int Result::columns() const { return res_ ? PQnfields(res_) : 0; }

std::string Result::Get(int row, int col) const {
  if (!res_ || PQgetisnull(res_, row, col)) return "";
  return std::string(PQgetvalue(res_, row, col), PQgetlength(res_, row, col));
}

bool Result::IsNull(int row, int col) const { return !res_ || PQgetisnull(res_, row, col); }

long long Result::AffectedRows() const {
  if (!res_) return 0;
  const char* n = PQcmdTuples(res_);
  return (n && *n) ? std::atoll(n) : 0;
}

}  // namespace pleat::pg
