#include "state/fast_json.h"

#include <random>

#include <gtest/gtest.h>

namespace paiplan::state {
namespace {

using json = nlohmann::json;

// FastParseJson must either decline or agree exactly with nlohmann.
void ExpectAgrees(const std::string& text) {
  json fast;
  bool ok = FastParseJson(text, &fast);
  json ref = json::parse(text, nullptr, false);
  if (!ok) return;  // declining is always allowed
  ASSERT_FALSE(ref.is_discarded()) << "accepted invalid JSON: " << text;
  EXPECT_EQ(fast, ref) << text;
  EXPECT_EQ(fast.dump(), ref.dump()) << text;  // same types (unsigned vs signed)
}

TEST(FastJsonTest, AcceptsWhatPaiplanWritesAndAgreesWithNlohmann) {
  json record = {{"kind", "service"},
                 {"attributes", {{"n", -5}, {"u", 18446744073709551615ull}, {"z", 0}, {"b", false},
                                 {"nil", nullptr}, {"list", {1, "two", json::array(), json::object()}}}},
                 {"owned_labels", {"pai-master"}}};
  std::string text = record.dump();
  json fast;
  ASSERT_TRUE(FastParseJson(text, &fast));
  EXPECT_EQ(fast, record);
  EXPECT_EQ(fast.dump(), text);
  EXPECT_TRUE(fast["attributes"]["u"].is_number_unsigned());
  EXPECT_TRUE(fast["attributes"]["n"].is_number_integer());
}

TEST(FastJsonTest, DeclinesOrAgreesOnTrickyInputs) {
  for (const char* text :
       {"", " ", "{", "}", "{}", "[]", "{\"a\":1,}", "[1,]", "{\"a\" 1}", "{\"b\":1,\"a\":2}",
        "{\"a\":1,\"a\":2}", "01", "-", "-0", "1.5", "1e3", "18446744073709551616",
        "-9223372036854775809", "\"a\\\"b\"", "\"caf\xc3\xa9\"", "\"\xff\"", "\"tab\there\"",
        "tru", "true", "nul", "null", "{\"a\":[{\"b\":[]}]}", "  {\"a\" : [ 1 , 2 ] }  ",
        "{\"a\":1} x", "[\"x\"]]", "\"unterminated"}) {
    SCOPED_TRACE(text);
    ExpectAgrees(text);
  }
}

TEST(FastJsonTest, RandomRecordsRoundTrip) {
  std::mt19937 rng(7);
  auto random_value = [&](auto& self, int depth) -> json {
    switch (rng() % (depth > 3 ? 4 : 6)) {
      case 0: return int64_t(rng()) - int64_t(rng());
      case 1: return std::string(rng() % 40, char('a' + rng() % 26));
      case 2: return bool(rng() % 2);
      case 3: return nullptr;
      case 4: {
        json a = json::array();
        for (unsigned i = rng() % 4; i > 0; --i) a.push_back(self(self, depth + 1));
        return a;
      }
      default: {
        json o = json::object();
        for (unsigned i = rng() % 5; i > 0; --i) o["k" + std::to_string(rng() % 100)] = self(self, depth + 1);
        return o;
      }
    }
  };
  for (int i = 0; i < 2000; ++i) {
    json v = json::object();
    v["x"] = random_value(random_value, 0);
    std::string text = v.dump();
    json fast;
    ASSERT_TRUE(FastParseJson(text, &fast)) << text;
    ASSERT_EQ(fast.dump(), text);
  }
}

}  // namespace
}  // namespace paiplan::state
