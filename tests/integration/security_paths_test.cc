// Security review findings about paths (docs/security.md), each reproduced on
// the real binary: links in service and role packages, traversal names in
// service.yaml, state push and saved plans, links planted under .paiplan/,
// and the modes of what paiplan writes there.
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "tests/integration/test_workspace.h"

namespace paiplan::integration {
namespace {

namespace stdfs = std::filesystem;
using ::testing::HasSubstr;
using ::testing::Not;

// A directory outside the workspace with one private file in it.
struct Outside {
  Outside() {
    char tmpl[] = "/tmp/pp-outside-XXXXXX";
    dir = ::mkdtemp(tmpl);
    file = dir + "/victim";
    WriteFile(file, "precious\n");
    ::chmod(file.c_str(), 0600);
  }
  ~Outside() {
    std::error_code ec;
    stdfs::remove_all(dir, ec);
  }
  // The victim file is as it was, and nothing else appeared.
  void ExpectUntouched() const {
    EXPECT_EQ(ReadFileOr(file), "precious\n");
    struct stat st;
    ASSERT_EQ(::lstat(file.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600u) << "the victim's mode changed";
    size_t n = 0;
    for (const auto& e : stdfs::recursive_directory_iterator(dir)) n += e.path() != file;
    EXPECT_EQ(n, 0u) << "something was written into " << dir;
  }
  std::string dir, file;
};

void Link(const std::string& target, const std::string& link) {
  stdfs::create_directories(stdfs::path(link).parent_path());
  ASSERT_EQ(::symlink(target.c_str(), link.c_str()), 0) << link;
}

TEST(IntegSecurityPathsTest, LinkInServiceDeployDirIsRefusedAndNeverFollowed) {
  TestWorkspace ws;
  Outside out;
  Link(out.file, ws.Path("services/t-app/deploy/extra.conf"));
  for (auto args : {std::vector<std::string>{"validate"}, std::vector<std::string>{"plan"},
                    std::vector<std::string>{"apply", "--auto-approve"}}) {
    RunResult r = ws.Paiplan(args);
    EXPECT_EQ(r.exit_code, 1) << args[0] << ": " << r.All();
    EXPECT_THAT(r.err, HasSubstr("services/t-app/deploy/extra.conf is a symbolic link")) << args[0];
  }
  EXPECT_TRUE(ws.Calls().empty()) << "a script ran";
  out.ExpectUntouched();
}

TEST(IntegSecurityPathsTest, LinkInRolePackageIsRefusedAndNothingIsUploaded) {
  TestWorkspace ws;
  Outside out;
  Link(out.file, ws.Path("roles/master/hostfile"));
  for (auto args : {std::vector<std::string>{"validate"}, std::vector<std::string>{"plan"},
                    std::vector<std::string>{"apply", "--auto-approve"}}) {
    RunResult r = ws.Paiplan(args);
    EXPECT_EQ(r.exit_code, 1) << args[0] << ": " << r.All();
    EXPECT_THAT(r.err, HasSubstr("roles/master/hostfile is a symbolic link")) << args[0];
  }
  EXPECT_FALSE(stdfs::exists(ws.Path(".paiplan/local-nodes/node-0/var/lib/paiplan"))) << "the package was uploaded";
  out.ExpectUntouched();
}

TEST(IntegSecurityPathsTest, TraversalAndAbsoluteNamesInServiceYamlAreRefusedWithTheirLine) {
  TestWorkspace ws({"t-app", "t-store", "t-cache", "t-base"});
  Outside out;
  WriteFile(out.dir + "/x.sh", "touch " + out.dir + "/ran\n");
  WriteFile(ws.Path("services/t-app/deploy/service.yaml"),
            "prerequisite: [t-store, t-cache]\n"
            "template-list:\n"
            "  - ../../../../../../.." + out.dir + "/x\n"
            "  - /etc/hostname\n"
            "start-script: ../../../../../../.." + out.dir + "/x.sh\n"
            "stop-script: stop.sh\n");
  RunResult v = ws.Paiplan({"validate"});
  EXPECT_EQ(v.exit_code, 1) << v.All();
  EXPECT_THAT(v.err, HasSubstr("error: services/t-app/deploy/service.yaml:3:5: template '"));
  EXPECT_THAT(v.err, HasSubstr("contains '..'; it must stay inside its directory"));
  EXPECT_THAT(v.err, HasSubstr("error: services/t-app/deploy/service.yaml:4:5: template '/etc/hostname.template' is an absolute path"));
  EXPECT_THAT(v.err, HasSubstr("error: services/t-app/deploy/service.yaml:5:15: start-script '"));
  RunResult a = ws.Paiplan({"apply", "--auto-approve"});
  EXPECT_EQ(a.exit_code, 1) << a.All();
  EXPECT_FALSE(stdfs::exists(out.dir + "/ran")) << "a script outside the workspace ran";
  EXPECT_FALSE(stdfs::exists(out.dir + "/x")) << "a render was written outside the workspace";
}

TEST(IntegSecurityPathsTest, TraversalAddressesFromStatePushAndSavedPlansAreRefused) {
  TestWorkspace ws;
  ASSERT_EQ(ws.Paiplan({"apply", "--auto-approve"}).exit_code, 0);
  Outside out;
  std::string rel = "../../../../../../../.." + out.dir;
  RunResult pull = ws.Paiplan({"state", "pull", "--show-sensitive"});
  ASSERT_EQ(pull.exit_code, 0) << pull.All();
  auto doc = nlohmann::json::parse(pull.out);
  doc["resources"]["render.t-app/" + rel] = doc["resources"]["render.t-app/t-app.conf"];
  doc["serial"] = doc["serial"].get<int64_t>() + 1;
  WriteFile(ws.Path("evil-state.json"), doc.dump());
  RunResult push = ws.Paiplan({"state", "push", ws.Path("evil-state.json")});
  EXPECT_EQ(push.exit_code, 1) << push.All();
  EXPECT_THAT(push.err, HasSubstr("contains '..'"));
  EXPECT_THAT(ws.Paiplan({"state", "list"}).out, Not(HasSubstr(out.dir)));

  ws.WriteServicesConfig("t-app:\n  value: changed\n");
  ASSERT_EQ(ws.Paiplan({"plan", "-o", ws.Path("p.json")}).exit_code, 0);
  auto plan = nlohmann::json::parse(ReadFileOr(ws.Path("p.json")));
  for (auto& a : plan["actions"]) {
    if (a["address"] == "render.t-app/t-app.conf") a["address"] = "render.t-app/" + rel + "/victim";
  }
  WriteFile(ws.Path("p.json"), plan.dump());
  RunResult apply = ws.Paiplan({"apply", ws.Path("p.json")});
  EXPECT_EQ(apply.exit_code, 1) << apply.All();
  EXPECT_THAT(apply.err, HasSubstr("contains '..'"));
  out.ExpectUntouched();
}

TEST(IntegSecurityPathsTest, LinksPlantedUnderPaiplanAreRefusedNotFollowed) {
  Outside out;
  {  // .paiplan/rendered → outside: nothing is written there.
    TestWorkspace ws;
    Link(out.dir, ws.Path(".paiplan/rendered"));
    RunResult a = ws.Paiplan({"apply", "--auto-approve"});
    EXPECT_EQ(a.exit_code, 1) << a.All();
    EXPECT_THAT(a.All(), HasSubstr(".paiplan/rendered is a symbolic link"));
    out.ExpectUntouched();
  }
  {  // .paiplan/local-nodes/node-0 → outside: the role package goes nowhere.
    TestWorkspace ws;
    Link(out.dir, ws.Path(".paiplan/local-nodes/node-0"));
    RunResult a = ws.Paiplan({"apply", "--auto-approve"});
    EXPECT_EQ(a.exit_code, 1) << a.All();
    EXPECT_THAT(a.All(), HasSubstr("symbolic link"));
    out.ExpectUntouched();
  }
  {  // .paiplan/logs → outside: apply runs, its logs are not written there.
    TestWorkspace ws;
    Link(out.dir, ws.Path(".paiplan/logs"));
    ws.Paiplan({"apply", "--auto-approve"});
    out.ExpectUntouched();
  }
  {  // .paiplan/status/t-probe.log → the victim: plan's probe does not truncate it.
    TestWorkspace ws({"t-probe"});
    ASSERT_EQ(ws.Paiplan({"apply", "--auto-approve"}).exit_code, 0);
    std::error_code ec;
    stdfs::remove(ws.Path(".paiplan/status/t-probe.log"), ec);
    Link(out.file, ws.Path(".paiplan/status/t-probe.log"));
    ws.Paiplan({"plan"});
    ws.Paiplan({"drift"});
    out.ExpectUntouched();
  }
}

TEST(IntegSecurityPathsTest, EverythingUnderPaiplanIsPrivateWhereverTheStateLives) {
  TestWorkspace ws({"t-probe", "t-base"});
  Outside state;
  ws.WriteSettings("state:\n  path: " + state.dir + "/state\n");
  RunResult a = ws.Paiplan({"apply", "--auto-approve"});
  ASSERT_EQ(a.exit_code, 0) << a.All();
  ASSERT_EQ(ws.Paiplan({"plan"}).exit_code, 0);  // writes status/ logs
  ASSERT_TRUE(stdfs::exists(ws.Path(".paiplan/rendered/t-base/t-base.conf")));
  size_t checked = 0;
  std::vector<stdfs::path> all = {ws.Path(".paiplan")};
  for (const auto& e : stdfs::recursive_directory_iterator(ws.Path(".paiplan"))) {
    // Written by the test role's bootstrap.sh (its umask), not by paiplan.
    if (e.path().filename() != "bootstrapped") all.push_back(e.path());
  }
  for (const auto& p : all) {
    struct stat st;
    ASSERT_EQ(::lstat(p.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 077, 0u) << p << " is readable by others: " << std::oct << (st.st_mode & 0777);
    ++checked;
  }
  EXPECT_GE(checked, 10u);
}

}  // namespace
}  // namespace paiplan::integration
