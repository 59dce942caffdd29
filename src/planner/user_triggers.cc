// PlanUserTriggers (user_objects.h): the backfill's exemption of the user's triggers.
#include "planner/user_objects.h"

#include "pg/quote.h"

namespace pleat::planner {
namespace {

// The user's triggers a backfill UPDATE of `$1` (or of one of its partitions)
// would fire: UPDATE events without a column list (a list names the user's
// columns, never the ones the backfill writes), enabled for ordinary sessions.
// Clones on partitions follow their parent's trigger and are left out.
constexpr const char* kTriggers = R"(
WITH rels AS (SELECT relid FROM pg_partition_tree($1::regclass) UNION SELECT $1::regclass)
SELECT t.tgname, t.tgrelid::regclass::text, pg_get_triggerdef(t.oid), t.tgenabled::text,
       (t.tgqual IS NOT NULL)::text, (t.tgconstraint <> 0)::text
FROM pg_trigger t JOIN rels ON rels.relid = t.tgrelid
WHERE NOT t.tgisinternal AND t.tgparentid = 0 AND t.tgtype & 16 = 16 AND t.tgenabled IN ('O', 'A')
  AND coalesce(array_length(t.tgattr::int2[], 1), 0) = 0
  AND t.tgname NOT LIKE '\_pleat%' AND t.tgname NOT LIKE '~\_pleat%'
ORDER BY t.tgrelid, t.tgname)";

// False exactly while a backfill batch runs (it sets the setting locally).
constexpr const char* kNotBackfill = "(pg_catalog.current_setting('pleat.backfill', true) IS DISTINCT FROM 'on')";

struct UserTrigger {
  std::string name, table, definition;
  bool always = false;  // ENABLE ALWAYS; CREATE OR REPLACE resets it to ENABLE
  bool has_when = false;
};

// The trigger's definition with the exemption AND-ed to its WHEN. pg_get_triggerdef
// prints "... FOR EACH ROW|STATEMENT [WHEN (<qual>) ]EXECUTE FUNCTION ...", and
// without pretty-printing it parenthesises every operator expression, so
// "<exemption> AND <qual>" keeps the qual's meaning. A definition where the
// marker is not found exactly once (a name containing it) is refused.
Status Exempted(const UserTrigger& t, std::string* out) {
  const std::string& d = t.definition;
  size_t at = std::string::npos, count = 0;
  for (const char* marker : {" FOR EACH ROW ", " FOR EACH STATEMENT "})
    for (size_t p = d.find(marker); p != std::string::npos; p = d.find(marker, p + 1), ++count)
      at = p + std::string(marker).size();
  const std::string when = "WHEN (";
  if (count != 1 || d.rfind("CREATE TRIGGER ", 0) != 0 || (t.has_when && d.compare(at, when.size(), when) != 0))
    return Status::Invalid("pleat cannot read the definition of trigger \"" + t.name + "\" on \"" + t.table +
                               "\" to keep the backfill from firing it",
                           "rename the trigger or its table so that neither contains \"FOR EACH\"");
  std::string body = d.substr(std::string("CREATE TRIGGER ").size());
  at -= std::string("CREATE TRIGGER ").size();
  body = t.has_when ? body.insert(at + when.size(), std::string(kNotBackfill) + " AND ")
                    : body.insert(at, "WHEN " + std::string(kNotBackfill) + " ");
  *out = "CREATE OR REPLACE TRIGGER " + body;
  return Status::Ok();
}

// `definition` in place of the trigger's current one (ENABLE ALWAYS kept).
std::vector<std::string> ReplaceSql(const UserTrigger& t, const std::string& definition) {
  std::vector<std::string> sql = {definition};
  if (t.always) sql.push_back("ALTER TABLE " + t.table + " ENABLE ALWAYS TRIGGER " + pg::QuoteIdent(t.name));
  return sql;
}

Status Load(pg::Connection* conn, const std::string& qualified, std::vector<UserTrigger>* out) {
  pg::Result res;
  Status s = conn->ExecParams(kTriggers, {qualified}, &res);
  for (int r = 0; s.ok() && r < res.rows(); ++r) {
    UserTrigger t{res.Get(r, 0), res.Get(r, 1), res.Get(r, 2), res.Get(r, 3) == "A", res.Get(r, 4) == "true"};
    if (res.Get(r, 5) == "true")
      return Status::Invalid("constraint trigger \"" + t.name + "\" on \"" + t.table +
                                 "\" would fire for every row the backfill writes, and pleat cannot exempt "
                                 "constraint triggers",
                             "drop the trigger for the migration and create it again after complete, or give it "
                             "an UPDATE OF column list");
    out->push_back(t);
  }
  return s;
}

}  // namespace

Status PlanUserTriggers(pg::Connection* conn, const std::string& schema, const nlohmann::json& backfill,
                        plan::Plan* start, plan::Plan* complete, plan::Plan* rollback) {
  std::vector<UserTrigger> triggers;
  for (const auto& spec : backfill) {
    Status s = Load(conn, pg::QualifiedName(schema, spec.at("table").get<std::string>()), &triggers);
    if (!s.ok()) return s;
  }
  std::vector<std::string> exempt, restore;
  for (const auto& t : triggers) {
    std::string definition;
    Status s = Exempted(t, &definition);
    if (!s.ok()) return s;
    for (auto& sql : ReplaceSql(t, definition)) exempt.push_back(sql);
    for (auto& sql : ReplaceSql(t, "CREATE OR REPLACE " + t.definition.substr(std::string("CREATE ").size())))
      restore.push_back(sql);
  }
  if (exempt.empty()) return Status::Ok();
  const std::string what = "the user's triggers on the backfilled tables";
  start->AddSql("user_triggers", "keep the backfill from firing " + what, exempt);
  complete->AddSql("user_triggers", "restore " + what, restore);
  rollback->AddUndo("user_triggers", "restore " + what, restore, "user_triggers");
  return Status::Ok();
}

}  // namespace pleat::planner
