#include "engine/base/fs.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstdlib>

namespace paiplan {

TEST(FsTest, AtomicWriteReplacesAndKeepsMode) {
  char tmpl[] = "/tmp/pp_fs_XXXXXX";
  std::string dir = mkdtemp(tmpl);
  std::string p = dir + "/a/b/f.txt";
  ASSERT_TRUE(fs::MakeDirs(dir + "/a/b").ok());
  ASSERT_TRUE(fs::WriteFileAtomic(p, "one", 0600).ok());
  ASSERT_TRUE(fs::WriteFileAtomic(p, "two", 0600).ok());
  EXPECT_EQ(*fs::ReadFile(p), "two");
  struct stat st;
  ASSERT_EQ(stat(p.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  auto missing = fs::ReadFile(dir + "/nope");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code(), Code::kNotFound);
  auto opt = fs::ReadFileIfExists(dir + "/nope");
  ASSERT_TRUE(opt);
  EXPECT_FALSE(opt->has_value());
  auto files = fs::ListFilesRecursive(dir);
  ASSERT_TRUE(files);
  ASSERT_EQ(files->size(), 1u);
  EXPECT_EQ((*files)[0], "a/b/f.txt");
  ASSERT_TRUE(fs::RemoveAll(dir).ok());
  EXPECT_FALSE(fs::Exists(dir));
}

}  // namespace paiplan
