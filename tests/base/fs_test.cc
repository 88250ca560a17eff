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

TEST(FsTest, ReplaceFileIsAtomicRenameWithMode) {
  char tmpl[] = "/tmp/pp_fs_XXXXXX";
  std::string dir = mkdtemp(tmpl);
  std::string p = dir + "/f.sh";
  ASSERT_TRUE(fs::ReplaceFile(p, "one", 0755).ok());
  ASSERT_TRUE(fs::ReplaceFile(p, "two", 0640).ok());
  EXPECT_EQ(*fs::ReadFile(p), "two");
  struct stat st;
  ASSERT_EQ(stat(p.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0640u);
  auto entries = fs::ListDir(dir);  // no temporary file left behind
  ASSERT_TRUE(entries);
  EXPECT_EQ(*entries, std::vector<std::string>{"f.sh"});
  auto no_dir = fs::ReplaceFile(dir + "/missing/f", "x");
  ASSERT_FALSE(no_dir.ok());
  EXPECT_NE(no_dir.message().find("missing/f"), std::string::npos) << no_dir.message();
  ASSERT_TRUE(fs::RemoveAll(dir).ok());
}

TEST(FsTest, MakeDirsCreatesEveryMissingLevelAndRefusesAFile) {
  char tmpl[] = "/tmp/pp_fs_XXXXXX";
  std::string dir = mkdtemp(tmpl);
  ASSERT_TRUE(fs::MakeDirs(dir + "/a/b/c/", 0700).ok());
  EXPECT_TRUE(fs::IsDirectory(dir + "/a/b/c"));
  struct stat st;
  ASSERT_EQ(stat((dir + "/a/b").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);
  EXPECT_TRUE(fs::MakeDirs(dir + "/a/b/c").ok());  // exists: fine
  EXPECT_TRUE(fs::MakeDirs(dir + "//a//d").ok());
  EXPECT_TRUE(fs::IsDirectory(dir + "/a/d"));
  ASSERT_TRUE(fs::WriteFileAtomic(dir + "/a/file", "x").ok());
  auto under_file = fs::MakeDirs(dir + "/a/file/sub");
  ASSERT_FALSE(under_file.ok());
  EXPECT_NE(under_file.message().find("a/file"), std::string::npos) << under_file.message();
  auto is_file = fs::MakeDirs(dir + "/a/file");
  ASSERT_FALSE(is_file.ok());
  EXPECT_NE(is_file.message().find("not a directory"), std::string::npos) << is_file.message();
  ASSERT_TRUE(fs::RemoveAll(dir).ok());
}

}  // namespace paiplan
