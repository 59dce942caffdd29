#include "demo/narrator.h"

namespace pleat::demo {

void Narrator::Section(const std::string& title) {
  *out_ << "\n" << ++section_ << ". " << title << std::endl;
}

// Splits at '\n' so a note may span lines and stay indented.
void Narrator::Say(const std::string& text) {
  size_t start = 0;
  for (size_t end; (end = text.find('\n', start)) != std::string::npos; start = end + 1)
    Line("   ", text.substr(start, end - start));
  Line("   ", text.substr(start));
  out_->flush();
}

void Narrator::Detail(const std::string& line) {
  Line("     ", line);
  out_->flush();
}

// An empty line stays empty: no trailing indent.
void Narrator::Line(const std::string& indent, const std::string& text) {
  *out_ << (text.empty() ? "" : indent) << text << "\n";
}

std::function<void(const std::string&)> Narrator::PleatLog(std::vector<StepNote> notes) {
  auto pending = std::make_shared<std::vector<StepNote>>(std::move(notes));
  return [this, pending](const std::string& line) {
    size_t first = line.find_first_not_of(' ');
    std::string trimmed = first == std::string::npos ? "" : line.substr(first);
    for (auto it = pending->begin(); it != pending->end(); ++it) {
      if (trimmed.rfind(it->prefix, 0) != 0) continue;
      Say(it->note);
      pending->erase(it);
      break;
    }
    Line("       pleat: ", line);
    out_->flush();
  };
}

}  // namespace pleat::demo
