#include "demo/step_notes.h"

namespace pleat::demo {

const std::vector<StepNote>& StartNotes() {
  static const std::vector<StepNote> kNotes = {
      {"create table", "Expand: the new tables go in beside contracts, empty. contracts keeps its fee\n"
                       "columns, because app v1 still uses them: no table rewrite, no long lock."},
      {"install the triggers", "Dual write: triggers copy the fees v1 writes into the new tables, and the\n"
                               "rows v2 will write there back into contracts, so both versions work unchanged."},
      {"backfill", "Backfill: existing contracts get their client and worker rows in small batches,\n"
                   "each its own short transaction."},
      {"create version schema", "Publish: the new version schema shows contracts without the fees, and the\n"
                                "new tables, as app v2 expects them."},
  };
  return kNotes;
}

const std::vector<StepNote>& CompleteNotes() {
  static const std::vector<StepNote> kNotes = {
      {"drop the old version schema", "Retire: v1's version schema goes; no app uses it any more."},
      {"remove the triggers", "Stop syncing and contract: nobody writes the fees in contracts now, so the\n"
                              "triggers go, and so do those columns (a catalog change and a brief lock)."},
      {"rebuild version schema", "v2's views now read the final tables."},
  };
  return kNotes;
}

}  // namespace pleat::demo
