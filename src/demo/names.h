#ifndef PLEAT_DEMO_NAMES_H_
#define PLEAT_DEMO_NAMES_H_
// Sample people for `pleat demo`. Every full name is "<first> <last>" with one
// space after the first name, so splitting it at the first space and joining
// the parts again gives it back; some last names have spaces of their own
// ("van Rossum") to show that the split keeps them whole. Pure functions.

#include <string>
#include <vector>

namespace pleat::demo {

struct Person {
  std::string first;
  std::string last;
  std::string Full() const { return first + " " + last; }
};

const std::vector<std::string>& FirstNames();
const std::vector<std::string>& LastNames();
// Person `n` (n >= 0): first name n mod 20, last name n mod 21, so the first
// 420 people are all different; person 9 is Guido van Rossum.
Person PersonNumber(long long n);
// A PostgreSQL text[] literal ({"a","b c"}) of `items`, for a query parameter.
std::string TextArrayLiteral(const std::vector<std::string>& items);

}  // namespace pleat::demo

#endif  // PLEAT_DEMO_NAMES_H_
