// IsWidening: which type changes keep every value, so convert --url may fill
// in their up/down as casts.
#include <gtest/gtest.h>

#include "convert/widening.h"

namespace pleat::convert {
namespace {

TEST(IsWidening, KnownWideningsAndTheirReverse) {
  struct Case {
    const char *from, *to;
    bool widens;
  } cases[] = {
      {"integer", "bigint", true},
      {"int4", "int8", true},
      {"smallint", "integer", true},
      {"integer", "numeric", true},
      {"integer", "numeric(5,0)", false},  // 2147483647 does not fit
      {"real", "double precision", true},
      {"integer", "real", false},          // 24 bits of mantissa
      {"character varying(50)", "varchar(100)", true},
      {"character varying(50)", "text", true},
      {"text", "character varying", true},
      {"numeric(10,2)", "numeric(12,2)", true},
      {"numeric(10,2)", "numeric(12,4)", true},
      {"numeric(10,2)", "numeric(10,3)", false},  // one digit fewer before the point
      {"numeric(10,2)", "numeric", true},
      {"bigint", "integer", false},
      {"varchar(100)", "varchar(50)", false},
      {"text", "varchar(10)", false},
      {"text", "integer", false},
      {"timestamp without time zone", "timestamp with time zone", false},
  };
  for (const auto& c : cases) EXPECT_EQ(c.widens, IsWidening(c.from, c.to)) << c.from << " -> " << c.to;
}

}  // namespace
}  // namespace pleat::convert
