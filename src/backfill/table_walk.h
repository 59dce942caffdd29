#ifndef PLEAT_BACKFILL_TABLE_WALK_H_
#define PLEAT_BACKFILL_TABLE_WALK_H_
// TableWalk: how the backfill steps through one table in batches. It picks the
// key (primary key, else a unique index over NOT NULL columns, else ctid),
// renders the WHERE clause of the next batch from a checkpoint, and advances
// the checkpoint. Checkpoints are JSON: {"key": [text values]} (rows after that
// key) or {"block": n, "end": m}. A key checkpoint may also carry "upto": [text
// values], the last key of a part (table_split.h); the walk then stops there,
// and {"upto": [...]} alone means from the start. A ctid walk covers the blocks
// the table had when it began, once; a row an update moved further into that
// range is met again (same result). A keyless partitioned table is walked the
// same way through its parent, over the blocks of its largest leaf. Open() fills it; the rest is const and may
// be shared by workers, each passing its own connection.

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "pg/connection.h"
#include "status.h"

namespace pleat::backfill {

// The items joined by `sep`: Join({"a", "b"}, ", ") is "a, b".
std::string Join(const std::vector<std::string>& items, const std::string& sep);

class TableWalk {
 public:
  // Reads the table's key from the catalog.
  static Status Open(pg::Connection* conn, const std::string& schema, const std::string& table, TableWalk* out);
  // A walk by ctid whatever the key: each batch reads its blocks and nothing
  // else (no probe of the key index). It meets every row once only inside one
  // snapshot (a REPEATABLE READ transaction): an update moves a row.
  static Status OpenByCtid(pg::Connection* conn, const std::string& schema, const std::string& table,
                           TableWalk* out);

  // Finds the range of the next batch of about `rows` rows after `checkpoint`
  // (null: from the start). Sets *where to its WHERE clause and *next to the
  // checkpoint after it; *last is true when the batch reaches the end.
  Status NextBatch(pg::Connection* conn, const nlohmann::json& checkpoint, int rows, std::string* where,
                   nlohmann::json* next, bool* last) const;
  // About how many rows the table holds: the planner's estimate scaled to its
  // current size, which reads no row; counted when the table is small and was
  // never vacuumed or analyzed (reltuples -1 or 0: the estimate is a guess).
  Status EstimateRows(pg::Connection* conn, long long* rows) const;
  // SQL listing the key of every row in `where`, in key order, as text.
  std::string KeysSql(const std::string& where) const;
  // WHERE clause matching one row by its key as KeysSql() printed it.
  std::string RowSql(const std::vector<std::string>& key) const;
  // "(id)=(5)" for messages.
  std::string Describe(const std::vector<std::string>& key) const;

  const std::string& qualified() const { return qualified_; }
  // The quoted key columns, in key order; empty for a ctid walk.
  const std::vector<std::string>& key() const { return key_; }
  // The table's size in blocks when Open() ran (ctid walks only).
  long long blocks() const { return blocks_; }

 private:
  Status KeyBatch(pg::Connection* conn, const nlohmann::json& checkpoint, int rows, std::string* where,
                  nlohmann::json* next, bool* last) const;
  std::string KeyList() const;
  Status ReadBlocks(pg::Connection* conn);
  std::string qualified_;
  std::vector<std::string> key_;  // quoted key columns; empty: walk by ctid
  long long blocks_ = 0;          // table size in blocks when the walk opened (ctid walks; largest leaf)
  long long leaves_ = 1;          // leaf partitions a ctid batch's block range spans
};

}  // namespace pleat::backfill

#endif  // PLEAT_BACKFILL_TABLE_WALK_H_
