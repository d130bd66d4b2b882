#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "common/time.h"
#include "store/store.h"
#include "store/temp_dir.h"

namespace slayer::store {
namespace {

namespace fs = std::filesystem;

db::Dsn SqliteDsn(const fs::path& path) {
  auto dsn = db::Dsn::Parse("sqlite:///" + path.string());
  EXPECT_TRUE(dsn) << dsn.error().ToString();
  return dsn ? *dsn : db::Dsn{};
}

TEST(OpenStoreTest, CreatesMissingParentDirectoriesAndTheFile) {
  testing::TempDir dir;
  ASSERT_FALSE(dir.path().empty());
  const fs::path file = dir.path() / "var" / "lib" / "slayer" / "slayer.db";
  auto store = OpenStore(SqliteDsn(file));
  ASSERT_TRUE(store) << store.error().ToString();
  EXPECT_TRUE(fs::is_regular_file(file));

  rules::Item item;
  item.key = {"prod", "r", "d", "run", "", ""};
  item.need_by = Timestamp(std::chrono::hours(1));
  ASSERT_TRUE((*store)->Upsert({&item, 1}).ok());
  store->reset();

  // Opening again finds what the first one wrote.
  auto again = OpenStore(SqliteDsn(file));
  ASSERT_TRUE(again) << again.error().ToString();
  auto found = (*again)->Find(item.key);
  ASSERT_TRUE(found) << found.error().ToString();
  ASSERT_TRUE(found->has_value());
  EXPECT_EQ((*found)->need_by, item.need_by);
}

TEST(OpenStoreTest, PathThroughAFileIsAClearError) {
  testing::TempDir dir;
  ASSERT_FALSE(dir.path().empty());
  const fs::path blocker = dir.path() / "not-a-dir";
  std::ofstream(blocker) << "x";
  const fs::path file = blocker / "slayer" / "slayer.db";
  const db::Dsn dsn = SqliteDsn(file);

  auto store = OpenStore(dsn);
  ASSERT_FALSE(store);
  EXPECT_EQ(store.error().code(), StatusCode::kUnavailable) << store.error().ToString();
  EXPECT_EQ(store.error().message(),
            "cannot create the directory " + file.parent_path().string() + " of store " +
                dsn.ToString() + ": Not a directory; point storage at a path SLAyer can create");
}

TEST(OpenStoreTest, UnwritableDirectoryIsPermissionDenied) {
  if (::geteuid() == 0) GTEST_SKIP() << "root writes to read-only directories";
  testing::TempDir dir;
  ASSERT_FALSE(dir.path().empty());
  const fs::path locked = dir.path() / "locked";
  fs::create_directory(locked);
  fs::permissions(locked, fs::perms::owner_read | fs::perms::owner_exec);

  auto in_locked = OpenStore(SqliteDsn(locked / "slayer.db"));
  auto below_locked = OpenStore(SqliteDsn(locked / "sub" / "slayer.db"));
  fs::permissions(locked, fs::perms::owner_all);

  ASSERT_FALSE(in_locked);
  EXPECT_EQ(in_locked.error().code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(in_locked.error().message(),
            "cannot write to the directory " + locked.string() + " of store " +
                SqliteDsn(locked / "slayer.db").ToString() +
                ": Permission denied; give the SLAyer user write access, or point storage "
                "elsewhere");
  ASSERT_FALSE(below_locked);
  EXPECT_EQ(below_locked.error().code(), StatusCode::kPermissionDenied);
  EXPECT_NE(below_locked.error().message().find((locked / "sub").string()), std::string::npos)
      << below_locked.error().ToString();
}

TEST(OpenStoreTest, ReadOnlyFileIsPermissionDenied) {
  if (::geteuid() == 0) GTEST_SKIP() << "root writes to read-only files";
  testing::TempDir dir;
  ASSERT_FALSE(dir.path().empty());
  const fs::path file = dir.path() / "slayer.db";
  ASSERT_TRUE(OpenStore(SqliteDsn(file)));
  fs::permissions(file, fs::perms::owner_read);
  auto store = OpenStore(SqliteDsn(file));
  ASSERT_FALSE(store);
  EXPECT_EQ(store.error().code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(store.error().message(),
            "cannot write to store " + SqliteDsn(file).ToString() +
                ": Permission denied; give the SLAyer user write access, or point storage "
                "elsewhere");
}

TEST(OpenStoreTest, DirectoryAsTheFileIsAClearError) {
  testing::TempDir dir;
  ASSERT_FALSE(dir.path().empty());
  const fs::path file = dir.path() / "slayer.db";
  fs::create_directory(file);
  auto store = OpenStore(SqliteDsn(file));
  ASSERT_FALSE(store);
  EXPECT_EQ(store.error().code(), StatusCode::kUnavailable) << store.error().ToString();
  EXPECT_NE(store.error().message().find(file.string()), std::string::npos)
      << store.error().ToString();
}

TEST(OpenStoreTest, PostgresAndMysqlAreNotSupportedYet) {
  for (const char* url : {"postgresql://slayer:s3cret@db.example:5432/slayer",
                          "mysql://slayer:s3cret@db.example:3306/slayer"}) {
    auto dsn = db::Dsn::Parse(url);
    ASSERT_TRUE(dsn) << dsn.error().ToString();
    auto store = OpenStore(*dsn);
    ASSERT_FALSE(store) << url;
    EXPECT_EQ(store.error().code(), StatusCode::kInvalidArgument) << url;
    EXPECT_EQ(store.error().message(), "storage backend " +
                                           std::string(db::BackendName(dsn->backend)) +
                                           " is not supported yet; use sqlite:///path");
    EXPECT_EQ(store.error().message().find("s3cret"), std::string::npos);
  }
}

}  // namespace
}  // namespace slayer::store
