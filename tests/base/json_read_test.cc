#include "engine/base/json_read.h"

#include <gtest/gtest.h>

namespace paiplan {
namespace {

using nlohmann::json;

TEST(JsonReadTest, ReadsMembersOfTheExpectedType) {
  json j = json::parse(R"({"s": "x", "i": 7, "b": true, "o": {"k": "v"}, "a": [1]})");
  EXPECT_EQ(json_read::String(j, "s"), "x");
  EXPECT_EQ(json_read::Int(j, "i"), 7);
  EXPECT_TRUE(json_read::Bool(j, "b"));
  EXPECT_EQ(json_read::String(json_read::Object(j, "o"), "k"), "v");
  EXPECT_EQ(json_read::Array(j, "a").size(), 1u);
  EXPECT_EQ(json_read::StringMap(json_read::Object(j, "o")), (std::map<std::string, std::string>{{"k", "v"}}));
}

// What an API server may answer instead: every reader gives its default, and
// none throws (json::value() throws type_error on each of these).
TEST(JsonReadTest, WrongTypesAndNonObjectsReadAsDefaults) {
  json j = json::parse(R"({"s": 1, "i": "7", "b": "true", "o": "x", "a": {"k": 1}, "m": {"k": 1, "l": "v"}})");
  EXPECT_EQ(json_read::String(j, "s", "def"), "def");
  EXPECT_EQ(json_read::Int(j, "i", -1), -1);
  EXPECT_FALSE(json_read::Bool(j, "b"));
  EXPECT_TRUE(json_read::Object(j, "o").is_object());
  EXPECT_TRUE(json_read::Object(j, "o").empty());
  EXPECT_TRUE(json_read::Array(j, "a").empty());
  EXPECT_EQ(json_read::StringMap(json_read::Field(j, "m")), (std::map<std::string, std::string>{{"l", "v"}}));
  for (const json& not_object : {json("text"), json(3), json::array({1, 2}), json()}) {
    EXPECT_TRUE(json_read::Field(not_object, "s").is_null());
    EXPECT_EQ(json_read::String(not_object, "s"), "");
    EXPECT_EQ(json_read::Int(not_object, "i", 4), 4);
    EXPECT_TRUE(json_read::StringMap(not_object).empty());
  }
}

}  // namespace
}  // namespace paiplan
