#include "demo/names.h"

namespace pleat::demo {

const std::vector<std::string>& FirstNames() {
  static const std::vector<std::string> kFirst = {
      "Ada", "Grace", "Alan", "Edsger", "Barbara", "Donald", "Frances", "Ken", "Margaret", "Guido",
      "Radia", "Niklaus", "Katherine", "Dennis", "Hedy", "Leslie", "Sophie", "Tim", "Annie", "John"};
  return kFirst;
}

const std::vector<std::string>& LastNames() {
  static const std::vector<std::string> kLast = {
      "Lovelace", "Hopper", "Turing", "Dijkstra", "Liskov", "Knuth", "Allen", "Thompson", "Hamilton",
      "van Rossum", "Perlman", "Wirth", "Johnson", "Ritchie", "Lamarr", "Lamport", "Wilson", "Berners-Lee",
      "Easley", "de la Cruz", "McCarthy"};
  return kLast;
}

Person PersonNumber(long long n) {
  const auto& first = FirstNames();
  const auto& last = LastNames();
  long long f = static_cast<long long>(first.size());
  return {first[n % f], last[n % static_cast<long long>(last.size())]};
}

std::string TextArrayLiteral(const std::vector<std::string>& items) {
  std::string out = "{";
  for (const auto& item : items) {
    out += (out.size() > 1 ? ",\"" : "\"");
    for (char c : item) {
      if (c == '"' || c == '\\') out += '\\';
      out += c;
    }
    out += '"';
  }
  return out + "}";
}

}  // namespace pleat::demo
