// The Airflow DDL files embedded into the binary at build time (src/sim/schema/, generated into
// embedded_schema.cc by embed_schema.cmake). Immutable; thread-safe.
#pragma once

#include <string_view>
#include <vector>

#include "common/result.h"
#include "db/dsn.h"
#include "sim/airflow_version.h"

namespace slayer::sim {

namespace detail {
struct EmbeddedFile {
  const char* name;
  const char* text;
};
extern const EmbeddedFile kEmbeddedSchemaFiles[];
extern const int kEmbeddedSchemaFileCount;
}  // namespace detail

// The DDL text for a version and backend, as shipped (comments included); errors as
// SchemaFileName.
Result<std::string_view> SchemaDdl(AirflowVersion v, db::Backend backend);

// Splits a DDL script into its statements: `--` comment lines dropped, split at ';' ending a
// line. The embedded files hold no ';' inside string literals.
std::vector<std::string> SplitSqlStatements(std::string_view script);

}  // namespace slayer::sim
