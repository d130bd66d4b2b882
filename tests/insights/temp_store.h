// Test helpers: a SQLite history store in a temporary directory, for the tests that fill one and
// read it back (insights, the API's history endpoints, `slayer report`).
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <memory>
#include <utility>

#include "common/result.h"
#include "store/sqlite_store.h"
#include "store/temp_dir.h"

namespace slayer::insights::test {

// Opens the SQLite store at `file`, creating it (its directory must exist), as
// `storage: sqlite://<file>` does.
inline Result<std::unique_ptr<store::Store>> OpenSqliteStore(const std::filesystem::path& file) {
  auto dsn = db::Dsn::Parse("sqlite://" + file.string());
  if (!dsn) return dsn.error();
  auto store = store::SqliteStore::Open(*dsn);
  if (!store) return store.error();
  return std::unique_ptr<store::Store>(std::move(*store));
}

// A test with an empty store at <a fresh temporary directory>/slayer.db. A derived SetUp()
// starts with ASSERT_NO_FATAL_FAILURE(TempStoreTest::SetUp()).
class TempStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_FALSE(dir_.path().empty());
    auto store = OpenSqliteStore(dir_.path() / "slayer.db");
    ASSERT_TRUE(store) << store.error().message();
    store_ = std::move(*store);
  }

  slayer::testing::TempDir dir_;
  std::unique_ptr<store::Store> store_;
};

}  // namespace slayer::insights::test
