// The path policy (engine/base/path_policy.h): workspace names are plain
// relative names, files under .paiplan are reached without following links,
// and what paiplan writes there is private (0600 files in 0700 directories).
#include "engine/base/path_policy.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>

#include "engine/base/fs.h"

namespace paiplan {
namespace {

class PathPolicyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/pp_policy_XXXXXX";
    dir_ = mkdtemp(tmpl);
    outside_ = dir_ + "/outside";
    ws_ = dir_ + "/ws";
    ASSERT_TRUE(fs::MakeDirs(outside_).ok());
    ASSERT_TRUE(fs::MakeDirs(ws_).ok());
  }
  void TearDown() override { (void)fs::RemoveAll(dir_); }
  static unsigned Mode(const std::string& p) {
    struct stat st;
    return ::lstat(p.c_str(), &st) == 0 ? st.st_mode & 0777 : 01000;
  }
  std::string dir_, outside_, ws_;
};

TEST_F(PathPolicyTest, RelativeNamesRefuseTraversalAbsoluteAndControlCharacters) {
  EXPECT_TRUE(fs::CheckRelativeName("a.conf", "template-list entry").ok());
  EXPECT_TRUE(fs::CheckRelativeName("sub/dir/a.conf", "template-list entry").ok());
  for (const char* bad : {"../../../../tmp/x", "a/../../b", "/etc/passwd", "", "a//b", "./a", "a/.", "a\\b",
                          "a\nb", "a\rb", "..", "x/.."}) {
    Status s = fs::CheckRelativeName(bad, "template-list entry");
    EXPECT_FALSE(s.ok()) << bad;
    EXPECT_EQ(s.code(), Code::kInvalidArgument) << bad;
    EXPECT_NE(s.message().find("template-list entry"), std::string::npos) << s.message();
  }
  EXPECT_FALSE(fs::CheckSingleName("a/b", "service name").ok());
  EXPECT_TRUE(fs::CheckSingleName("grafana", "service name").ok());
  Status nl = fs::CheckSingleLine("10.0.0.1\nroot ALL", "hostip");
  ASSERT_FALSE(nl.ok());
  EXPECT_NE(nl.message().find("\\x0a"), std::string::npos) << "the newline is shown escaped: " << nl.message();
  EXPECT_NE(nl.message().find("byte 9"), std::string::npos) << nl.message();
}

TEST_F(PathPolicyTest, SplitAtPaiplanStartsTheWalkAtTheWorkspace) {
  EXPECT_EQ(fs::SplitAtPaiplan("/ws/.paiplan/rendered/a/b"), std::make_pair(std::string("/ws"), std::string(".paiplan/rendered/a/b")));
  EXPECT_EQ(fs::SplitAtPaiplan("/ws/.paiplan"), std::make_pair(std::string("/ws"), std::string(".paiplan")));
  EXPECT_EQ(fs::SplitAtPaiplan("/ws/.paiplanx/f"), std::make_pair(std::string("/ws/.paiplanx"), std::string("f")));
}

TEST_F(PathPolicyTest, WritesArePrivateAndTightenExistingDirectories) {
  ASSERT_EQ(::mkdir((ws_ + "/.paiplan").c_str(), 0755), 0);
  ASSERT_TRUE(fs::WritePaiplanFile(ws_ + "/.paiplan/rendered/svc/a.conf", "x", 0644).ok());
  EXPECT_EQ(Mode(ws_ + "/.paiplan"), 0700u);
  EXPECT_EQ(Mode(ws_ + "/.paiplan/rendered"), 0700u);
  EXPECT_EQ(Mode(ws_ + "/.paiplan/rendered/svc"), 0700u);
  EXPECT_EQ(Mode(ws_ + "/.paiplan/rendered/svc/a.conf"), 0600u);
  ASSERT_TRUE(fs::WritePaiplanFile(ws_ + "/.paiplan/rendered/svc/run.sh", "x", 0755).ok());
  EXPECT_EQ(Mode(ws_ + "/.paiplan/rendered/svc/run.sh"), 0700u);
  auto back = fs::ReadPaiplanFile(ws_ + "/.paiplan/rendered/svc/a.conf");
  ASSERT_TRUE(back && back->has_value());
  EXPECT_EQ(**back, "x");
}

TEST_F(PathPolicyTest, LinkedDirectoryUnderPaiplanIsRefusedNotFollowed) {
  ASSERT_EQ(::mkdir((ws_ + "/.paiplan").c_str(), 0700), 0);
  ASSERT_EQ(::symlink(outside_.c_str(), (ws_ + "/.paiplan/rendered").c_str()), 0);
  Status w = fs::WritePaiplanFile(ws_ + "/.paiplan/rendered/svc/a.conf", "x");
  ASSERT_FALSE(w.ok());
  EXPECT_EQ(w.code(), Code::kPermissionDenied);
  EXPECT_NE(w.message().find(ws_ + "/.paiplan/rendered is a symbolic link"), std::string::npos) << w.message();
  EXPECT_FALSE(fs::Exists(outside_ + "/svc")) << "the link was followed";
  EXPECT_FALSE(fs::ReadPaiplanFile(ws_ + "/.paiplan/rendered/x").has_value());
  EXPECT_FALSE(fs::MakePaiplanDirs(ws_ + "/.paiplan/rendered/svc").ok());
  EXPECT_FALSE(fs::OpenPaiplanFileForWrite(ws_ + "/.paiplan/rendered/x.log", true).has_value());
}

TEST_F(PathPolicyTest, LinkedFileUnderPaiplanIsRefusedAndItsTargetUntouched) {
  std::string victim = outside_ + "/victim";
  ASSERT_TRUE(fs::WriteFileAtomic(victim, "precious", 0600).ok());
  ASSERT_TRUE(fs::MakePaiplanDirs(ws_ + "/.paiplan/status").ok());
  ASSERT_EQ(::symlink(victim.c_str(), (ws_ + "/.paiplan/status/svc.log").c_str()), 0);
  auto fd = fs::OpenPaiplanFileForWrite(ws_ + "/.paiplan/status/svc.log", false);
  ASSERT_FALSE(fd.has_value()) << "a truncating open followed the link";
  EXPECT_NE(fd.error().message().find("symbolic link"), std::string::npos) << fd.error().message();
  EXPECT_FALSE(fs::WritePaiplanFile(ws_ + "/.paiplan/status/svc.log", "x").ok());
  EXPECT_FALSE(fs::ReadPaiplanFile(ws_ + "/.paiplan/status/svc.log").has_value());
  EXPECT_EQ(*fs::ReadFile(victim), "precious");
  EXPECT_EQ(Mode(victim), 0600u);
  // Removing the link removes the link, never its target.
  ASSERT_TRUE(fs::RemovePaiplanPath(ws_ + "/.paiplan/status/svc.log").ok());
  EXPECT_FALSE(fs::Exists(ws_ + "/.paiplan/status/svc.log"));
  EXPECT_EQ(*fs::ReadFile(victim), "precious");
}

TEST_F(PathPolicyTest, RemoveTreeDoesNotDescendIntoLinks) {
  ASSERT_TRUE(fs::WriteFileAtomic(outside_ + "/keep", "k", 0600).ok());
  ASSERT_TRUE(fs::WritePaiplanFile(ws_ + "/.paiplan/rendered/svc/a", "x").ok());
  ASSERT_EQ(::symlink(outside_.c_str(), (ws_ + "/.paiplan/rendered/svc/link").c_str()), 0);
  ASSERT_TRUE(fs::RemovePaiplanPath(ws_ + "/.paiplan/rendered/svc").ok());
  EXPECT_FALSE(fs::Exists(ws_ + "/.paiplan/rendered/svc"));
  EXPECT_TRUE(fs::Exists(outside_ + "/keep"));
  EXPECT_FALSE(fs::RemovePaiplanPath(ws_ + "/.paiplan/rendered/../../x").ok()) << "'..' walked out";
}

TEST_F(PathPolicyTest, PackageListingRefusesLinksAndNamesThem) {
  std::string pkg = ws_ + "/roles/worker";
  ASSERT_TRUE(fs::MakeDirs(pkg).ok());
  ASSERT_TRUE(fs::WriteFileAtomic(pkg + "/bootstrap.sh", "true", 0755).ok());
  ASSERT_EQ(::symlink("/etc/hostname", (pkg + "/hostname").c_str()), 0);
  auto files = fs::ListFilesRecursive(pkg);
  ASSERT_FALSE(files.has_value());
  EXPECT_EQ(files.error().code(), Code::kPermissionDenied);
  EXPECT_NE(files.error().message().find(pkg + "/hostname is a symbolic link"), std::string::npos)
      << files.error().message();
  ASSERT_EQ(::unlink((pkg + "/hostname").c_str()), 0);
  ASSERT_EQ(::symlink(outside_.c_str(), (pkg + "/sub").c_str()), 0);
  EXPECT_FALSE(fs::ListFilesRecursive(pkg).has_value()) << "a linked directory was listed";
  std::string linked_root = ws_ + "/roles/master";
  ASSERT_EQ(::symlink(pkg.c_str(), linked_root.c_str()), 0);
  EXPECT_FALSE(fs::ListFilesRecursive(linked_root).has_value()) << "a linked package root was followed";
}

}  // namespace
}  // namespace paiplan
