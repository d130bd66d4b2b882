// OpenStore (store/store.h): picks the Store implementation for a DSN's backend.
#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <string>
#include <system_error>

#include "store/sqlite_store.h"
#include "store/store.h"

namespace slayer::store {
namespace {

bool IsPermissionError(std::error_code ec) {
  return ec == std::errc::permission_denied || ec == std::errc::operation_not_permitted ||
         ec == std::errc::read_only_file_system;
}

Status PathError(std::error_code ec, const std::string& what) {
  if (IsPermissionError(ec)) {
    return PermissionDeniedError(what + ": " + ec.message() +
                                 "; give the SLAyer user write access, or point storage elsewhere");
  }
  return UnavailableError(what + ": " + ec.message() +
                          "; point storage at a path SLAyer can create");
}

// Creates the file's directory, and checks up front that SQLite will be able to write there:
// it opens a file it cannot write read-only without a word, and WAL needs the -wal and -shm
// files beside it.
Status PrepareSqlitePath(const db::Dsn& dsn) {
  namespace fs = std::filesystem;
  const std::string where = dsn.ToString();
  const fs::path file(dsn.database);
  const fs::path dir = file.parent_path();
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) {
    return PathError(ec, "cannot create the directory " + dir.string() + " of store " + where);
  }
  if (::access(dir.c_str(), W_OK | X_OK) != 0) {
    return PathError(std::error_code(errno, std::generic_category()),
                     "cannot write to the directory " + dir.string() + " of store " + where);
  }
  if (fs::exists(file, ec) && ::access(file.c_str(), R_OK | W_OK) != 0) {
    return PathError(std::error_code(errno, std::generic_category()),
                     "cannot write to store " + where);
  }
  return Status::Ok();
}

}  // namespace

Result<std::unique_ptr<Store>> OpenStore(const db::Dsn& dsn) {
  switch (dsn.backend) {
    case db::Backend::kSqlite: {
      SLAYER_RETURN_IF_ERROR(PrepareSqlitePath(dsn));
      SLAYER_ASSIGN_OR_RETURN(std::unique_ptr<SqliteStore> store, SqliteStore::Open(dsn));
      return std::unique_ptr<Store>(std::move(store));
    }
    case db::Backend::kPostgres:
    case db::Backend::kMysql:
      return InvalidArgumentError("storage backend " + std::string(db::BackendName(dsn.backend)) +
                                  " is not supported yet; use sqlite:///path");
  }
  return InternalError("unknown storage backend");
}

}  // namespace slayer::store
