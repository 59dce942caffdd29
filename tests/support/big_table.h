#ifndef PLEAT_TESTS_SUPPORT_BIG_TABLE_H_
#define PLEAT_TESTS_SUPPORT_BIG_TABLE_H_
// The migrations of the crash tests: create `big(id, name)`, then add
// `shout = upper(name)`, whose backfill a test interrupts.

namespace pleat::testing {

inline constexpr const char* kCreateBig = R"(
operations:
  - create_table:
      name: big
      columns:
        - {name: id, type: int, pk: true}
        - {name: name, type: text}
)";

inline constexpr const char* kAddShout = R"(
operations:
  - add_column:
      table: big
      up: upper(name)
      column: {name: shout, type: text, nullable: true}
)";

}  // namespace pleat::testing

#endif  // PLEAT_TESTS_SUPPORT_BIG_TABLE_H_
