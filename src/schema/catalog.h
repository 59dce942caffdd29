#ifndef PLEAT_SCHEMA_CATALOG_H_
#define PLEAT_SCHEMA_CATALOG_H_
// Reading the live catalog of one schema into a VirtualSchema in which every
// name maps to itself (the physical tables as they are). One round trip per
// kind of object; the caller owns the connection.

#include <string>

#include "pg/connection.h"
#include "schema/virtual_schema.h"
#include "status.h"

namespace pleat::schema {

Status ReadCatalog(pg::Connection* conn, const std::string& schema_name, VirtualSchema* out);

}  // namespace pleat::schema

#endif  // PLEAT_SCHEMA_CATALOG_H_
