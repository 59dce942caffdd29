#include "migration/window.h"

#include "parse/document.h"

namespace pleat::migration {

Status JoinWindow(std::vector<Migration> files, Migration* out) {
  Migration joined;
  for (auto& file : files) {
    for (const auto& op : file.operations)
      if (op->IsIsolated())
        return Status::Invalid("file " + file.path + " has a \"" + std::string(op->Key()) +
                                   "\" operation, which must be alone in its migration, and --together joins "
                                   "the pending files into one migration",
                               "run `pleat migrate DIR` without --together, or move the files after it away "
                               "until it is completed");
    joined.members.push_back(Member{file.name, file.text, joined.operations.size()});
    for (auto& op : file.operations) joined.operations.push_back(std::move(op));
    joined.path = file.path;
    joined.name = file.name;
    joined.version_suffix = file.version_suffix;
  }
  joined.text = WindowText(joined.members);
  *out = std::move(joined);
  return Status::Ok();
}

const Member* MemberOf(const Migration& m, size_t index) {
  const Member* found = nullptr;
  for (const auto& member : m.members)
    if (member.first_operation <= index) found = &member;
  return found;
}

std::string OperationWhere(const Migration& m, size_t index) {
  std::string key(m.operations[index]->Key());
  const Member* member = MemberOf(m, index);
  if (!member) return "operation " + std::to_string(index + 1) + " (" + key + ")";
  return "file " + member->name + ", operation " + std::to_string(index - member->first_operation + 1) + " (" + key +
         ")";
}

Status ParseJoinedDocument(const Migration& m, nlohmann::json* out) {
  if (m.members.empty()) return parse::ParseDocument(m.path, m.text, out);
  nlohmann::json operations = nlohmann::json::array();
  for (const auto& member : m.members) {
    Status s = parse::ParseDocument(member.name, member.text, out);
    if (!s.ok()) return s;
    for (const auto& item : (*out)["operations"]) operations.push_back(item);
  }
  (*out)["operations"] = std::move(operations);
  return Status::Ok();
}

std::string WindowText(const std::vector<Member>& members) {
  std::string text;
  for (const auto& member : members) text += "# pleat window member: " + member.name + "\n" + member.text + "\n";
  return text;
}

}  // namespace pleat::migration
