// Template rendering through the real binary: `paiplan render` (workspace
// context and --context FILE.json) and the render resources of a plan/apply
// agree with each other and with Python's Jinja2.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/integration/test_workspace.h"

namespace paiplan::integration {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

// Dict iteration, join of a dict (its keys), items() and tojson: the first
// three follow insertion order (YAML order), tojson sorts its keys.
const char* kOrderTemplate =
    "{% for k, v in cluster_cfg['t-order']['ordered'].items() %}{{ loop.index }}:{{ k }}={{ v }}\n"
    "{% endfor %}keys={{ cluster_cfg['t-order']['ordered'] | join(',') }}\n"
    "values={% for v in cluster_cfg['t-order']['ordered'].values() %}{{ v }};{% endfor %}\n"
    "json={{ cluster_cfg['t-order']['ordered'] | tojson }}\n";

// The same context as JSON, keys in YAML order (json.load keeps them).
const char* kOrderContext =
    R"({"cluster_cfg": {"t-order": {"value": "t-order-v1", "ordered": {"zeta": "z", "alpha": 1, "mid": [2, 3]}}}})";

const char* kOrderExpected =
    "1:zeta=z\n2:alpha=1\n3:mid=[2, 3]\nkeys=zeta,alpha,mid\nvalues=z;1;[2, 3];\n"
    "json={\"alpha\": 1, \"mid\": [2, 3], \"zeta\": \"z\"}";

// Python Jinja2's jinja2.Template(text).render(**context) of two files.
RunResult PythonJinja(const std::string& template_path, const std::string& context_path) {
  const char* code =
      "import jinja2, json, sys\n"
      "text = open(sys.argv[1], encoding='utf-8', newline='').read()\n"
      "ctx = json.load(open(sys.argv[2], encoding='utf-8'))\n"
      "sys.stdout.write(jinja2.Template(text).render(**ctx))\n";
  return integration::Run({"/usr/bin/python3", "-c", code, template_path, context_path});
}

// A workspace whose service t-order iterates a dict given in YAML order
// zeta, alpha, mid (sorted order would be alpha, mid, zeta).
void AddOrderService(TestWorkspace& ws) {
  ws.AddService("t-order", {});
  WriteFile(ws.Path("services/t-order/deploy/t-order.conf.template"), kOrderTemplate);
  WriteFile(ws.Path("services/t-order/config/t-order.yaml"),
            "value: t-order-v1\nordered:\n  zeta: z\n  alpha: 1\n  mid: [2, 3]\n");
}

TEST(IntegRenderTest, DictsIterateInYamlOrderInRenderPlanAndApply) {
  TestWorkspace ws({"t-side"});
  AddOrderService(ws);
  std::string tmpl = ws.Path("services/t-order/deploy/t-order.conf.template");
  WriteFile(ws.Path("ctx.json"), kOrderContext);
  RunResult python = PythonJinja(tmpl, ws.Path("ctx.json"));
  ASSERT_EQ(python.exit_code, 0) << "python3-jinja2 is required: " << python.All();
  EXPECT_EQ(python.out, kOrderExpected);

  RunResult render = ws.Paiplan({"render", tmpl});
  ASSERT_EQ(render.exit_code, 0) << render.All();
  EXPECT_EQ(render.out, python.out) << "paiplan render (workspace cluster_cfg) differs from Jinja2";

  // The plan renders the same bytes: the JSON plan's render hash, then the file apply writes.
  RunResult plan = ws.Paiplan({"--json", "plan"});
  ASSERT_EQ(plan.exit_code, 0) << plan.All();
  RunResult apply = ws.Paiplan({"apply", "--auto-approve"});
  ASSERT_EQ(apply.exit_code, 0) << apply.All();
  EXPECT_EQ(ReadFileOr(ws.Path(".paiplan/rendered/t-order/t-order.conf")), python.out);
  auto state = ws.StatePull();
  EXPECT_EQ(state["resources"]["render.t-order/t-order.conf"].value("content", ""), python.out);
  std::string sha = state["resources"]["render.t-order/t-order.conf"]["attributes"].value("sha256", "?");
  EXPECT_THAT(plan.out, HasSubstr(sha)) << "the plan rendered other bytes than apply wrote";
  EXPECT_EQ(ws.Paiplan({"plan", "--detailed-exitcode"}).exit_code, 0);
}

TEST(IntegRenderTest, ContextFileRendersLikeJinja2WithoutAWorkspace) {
  TestWorkspace ws({"t-side"});
  AddOrderService(ws);
  std::string tmpl = ws.Path("services/t-order/deploy/t-order.conf.template");
  WriteFile(ws.Path("ctx.json"), kOrderContext);
  RunResult python = PythonJinja(tmpl, ws.Path("ctx.json"));
  ASSERT_EQ(python.exit_code, 0) << python.All();
  // No workspace at all: -C names a directory without layout.yaml.
  RunOptions o = ws.Options();
  RunResult r = integration::Run({PaiplanBinary(), "-C", "/nonexistent-paiplan-ws", "render", tmpl, "--context", ws.Path("ctx.json")}, o);
  ASSERT_EQ(r.exit_code, 0) << r.All();
  EXPECT_EQ(r.out, python.out);
  EXPECT_EQ(r.out, kOrderExpected);
}

TEST(IntegRenderTest, SyntaxErrorExitsOneNamingFileLineAndColumn) {
  TestWorkspace ws({"t-side"});
  WriteFile(ws.Path("bad.j2"), "line one\n{% for x in items %}\n  {{ x + }}\n{% endfor %}\n");
  WriteFile(ws.Path("ctx.json"), R"({"items": [1, 2]})");
  RunResult r = ws.Paiplan({"render", ws.Path("bad.j2"), "--context", ws.Path("ctx.json")});
  EXPECT_EQ(r.exit_code, 1) << r.All();
  EXPECT_EQ(r.out, "");
  EXPECT_THAT(r.err, HasSubstr(ws.Path("bad.j2") + ":3:"));
  RunResult python = PythonJinja(ws.Path("bad.j2"), ws.Path("ctx.json"));
  EXPECT_NE(python.exit_code, 0) << "Jinja2 accepted the template: " << python.out;
  EXPECT_THAT(python.err, HasSubstr("line 3"));

  WriteFile(ws.Path("unclosed.j2"), "{% if true %}\nyes\n");
  RunResult u = ws.Paiplan({"render", ws.Path("unclosed.j2"), "--context", ws.Path("ctx.json")});
  EXPECT_EQ(u.exit_code, 1) << u.All();
  EXPECT_THAT(u.err, ::testing::ContainsRegex("unclosed\\.j2:[0-9]+:[0-9]+: "));

  WriteFile(ws.Path("notobj.json"), "[1]");
  RunResult c = ws.Paiplan({"render", ws.Path("bad.j2"), "--context", ws.Path("notobj.json")});
  EXPECT_EQ(c.exit_code, 1);
  EXPECT_THAT(c.err, HasSubstr("not a JSON object"));
}

}  // namespace
}  // namespace paiplan::integration
