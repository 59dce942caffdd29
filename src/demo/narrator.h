#ifndef PLEAT_DEMO_NARRATOR_H_
#define PLEAT_DEMO_NARRATOR_H_
// Narrator: the printed story of `pleat demo`, line by line as it happens
// (flushed at once, so it reads well through a pipe). Sections are numbered
// headings; pleat's own progress lines (Options::log) are indented
// under the demo's sentences, and each kind of step gets a plain-words note
// the first time one of its lines appears. Main thread only.

#include <functional>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

namespace pleat::demo {

// Printed before the first pleat line that starts with `prefix`.
struct StepNote {
  std::string prefix;
  std::string note;
};

class Narrator {
 public:
  explicit Narrator(std::ostream* out) : out_(out) {}

  void Section(const std::string& title);
  // A sentence of the story; '\n' starts another line at the same indent.
  void Say(const std::string& text);
  // An indented detail under the last sentence.
  void Detail(const std::string& line);
  // A log function for Options::log that prints pleat's lines under
  // the notes of `notes`. The Narrator must outlive it.
  std::function<void(const std::string&)> PleatLog(std::vector<StepNote> notes);

 private:
  void Line(const std::string& indent, const std::string& text);

  std::ostream* out_;
  int section_ = 0;
};

}  // namespace pleat::demo

#endif  // PLEAT_DEMO_NARRATOR_H_
