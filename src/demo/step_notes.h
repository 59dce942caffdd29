#ifndef PLEAT_DEMO_STEP_NOTES_H_
#define PLEAT_DEMO_STEP_NOTES_H_
// The plain-words notes `pleat demo` prints before pleat's own lines of each
// kind of step of `pleat start` and `pleat complete` on the contracts split
// (see Narrator::PleatLog). Each prefix must match the start of a line the
// engine logs for that step. Pure data.

#include <vector>

#include "demo/narrator.h"

namespace pleat::demo {

const std::vector<StepNote>& StartNotes();
const std::vector<StepNote>& CompleteNotes();

}  // namespace pleat::demo

#endif  // PLEAT_DEMO_STEP_NOTES_H_
