// MaskSensitiveYaml: secrets never leave in the cluster ConfigMap.
#include "engine/config/mask_yaml.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace paiplan::config {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

// yaml-cpp 0.7's LoadAll never returns on this text; libyaml refuses it first.
TEST(MaskSensitiveYamlTest, TextYamlCppLoopsOnIsWithheld) {
  EXPECT_THAT(MaskSensitiveYaml(", -c9100r\nap- --o:-"), ::testing::HasSubstr("not valid YAML, withheld"));
}

TEST(MaskSensitiveYamlTest, TextWithoutSecretsIsKeptByteForByte) {
  std::string text = "# comment\nmachine-list:\n  - hostname: a\n    keyfile-path: /k  # kept\n    pai-worker: \"true\"\n";
  EXPECT_EQ(MaskSensitiveYaml(text), text);
}

TEST(MaskSensitiveYamlTest, MasksPasswordsAndSensitiveKeysInPlace) {
  std::string text =
      "# top\nmachine-list:\n  - hostname: a\n    password: hunter2  # root's\n    pai-worker: \"true\"\n"
      "svc:\n  admin-password: 's3cr''et'\n  api_token: \"t0k\\\"3n\"\n  port: 80\n"
      "  flow: {db-secret: abc, x: 1}\n  ssh-key:\n";
  std::string out = MaskSensitiveYaml(text);
  for (const char* secret : {"hunter2", "s3cr", "t0k", "abc"}) EXPECT_THAT(out, Not(HasSubstr(secret))) << out;
  EXPECT_THAT(out, HasSubstr("password: \"(sensitive)\"  # root's\n"));
  EXPECT_THAT(out, HasSubstr("admin-password: \"(sensitive)\"\n"));
  EXPECT_THAT(out, HasSubstr("{db-secret: \"(sensitive)\", x: 1}"));
  EXPECT_THAT(out, HasSubstr("# top\n"));
  EXPECT_THAT(out, HasSubstr("pai-worker: \"true\"\n"));
}

TEST(MaskSensitiveYamlTest, BlockScalarsAndListsFallBackToReemitting) {
  std::string text = "a:\n  cluster-secret: |\n    line one\n    line two\n  ssh-key: [k1, k2]\n  b: 2\n";
  std::string out = MaskSensitiveYaml(text);
  for (const char* secret : {"line one", "k1", "k2"}) EXPECT_THAT(out, Not(HasSubstr(secret))) << out;
  EXPECT_THAT(out, HasSubstr("b: 2"));
}

TEST(MaskSensitiveYamlTest, UnparsableTextIsWithheld) {
  EXPECT_THAT(MaskSensitiveYaml("password: [unclosed\n"), Not(HasSubstr("unclosed")));
}

}  // namespace
}  // namespace paiplan::config
