#ifndef PLEAT_PARSE_PARSE_RESULT_H_
#define PLEAT_PARSE_PARSE_RESULT_H_
// ParseResult: owns the result of libpg_query's pg_query_parse (a JSON parse
// tree or an error) and frees it on every path. Only the parsers in
// src/migration use it. Not copyable.

#include <pg_query.h>

#include <string>

namespace pleat::parse {

class ParseResult {
 public:
  explicit ParseResult(const std::string& sql) : result_(pg_query_parse(sql.c_str())) {}
  ~ParseResult() { pg_query_free_parse_result(result_); }
  ParseResult(const ParseResult&) = delete;
  ParseResult& operator=(const ParseResult&) = delete;
  const PgQueryParseResult& get() const { return result_; }

 private:
  PgQueryParseResult result_;
};

}  // namespace pleat::parse

#endif  // PLEAT_PARSE_PARSE_RESULT_H_
