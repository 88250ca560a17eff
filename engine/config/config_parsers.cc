#include "engine/config/config_parsers.h"

#include <fcntl.h>
#include <unistd.h>

#include <cstdlib>
#include <regex>

#include "engine/base/fs.h"
#include "engine/base/sha256.h"
#include "providers/script/process.h"

namespace paiplan::config {

std::string ParserPath(const std::string& name, const std::string& root) {
  std::string module = name;
  for (char& c : module) if (c == '-') c = '_';
  std::string path = fs::Join(root, "config/" + module + ".py");
  return fs::Exists(path) ? path : "";
}

namespace {

struct Parser {
  std::string service, path;
};

std::string Display(const Workspace& ws, const std::string& path) {
  std::string prefix = ws.root + "/";
  return path.starts_with(prefix) ? path.substr(prefix.size()) : path;
}

// Values that must never appear in an error: machine passwords and the
// values of sensitive keys of services-configuration.yaml.
void CollectSecrets(const ojson& v, const std::string& key, std::vector<std::string>* out) {
  if (v.is_object()) {
    for (auto it = v.begin(); it != v.end(); ++it) CollectSecrets(it.value(), it.key(), out);
  } else if (v.is_array()) {
    for (const auto& x : v) CollectSecrets(x, key, out);
  } else if (v.is_string() && IsSensitiveKey(key) && v.get<std::string>().size() >= 3) {
    out->push_back(v.get<std::string>());
  }
}

std::string Mask(std::string text, const Workspace& ws) {
  std::vector<std::string> secrets;
  CollectSecrets(ws.services_config, "", &secrets);
  CollectSecrets(ws.layout, "", &secrets);
  const std::string masked = "(sensitive)";
  for (const auto& s : secrets) {
    for (size_t p = text.find(s); p != std::string::npos; p = text.find(s, p + masked.size())) {
      text.replace(p, s.size(), masked);
    }
  }
  return text;
}

ojson AdapterInput(const Workspace& ws, const std::vector<Parser>& parsers,
                   const std::map<std::string, ojson>& defaults) {
  ojson services = ojson::array();
  for (const auto& p : parsers) {
    auto d = defaults.find(p.service);
    auto o = ws.services_config.is_object() ? ws.services_config.find(p.service) : ws.services_config.end();
    services.push_back({{"name", p.service}, {"parser", p.path},
                        {"default", d == defaults.end() ? ojson::object() : d->second},
                        {"overwrite", o == ws.services_config.end() ? ojson::object() : *o}});
  }
  return {{"layout", ws.layout}, {"model", ws.cluster_cfg}, {"services", services}};
}

// Hash of everything the parsers' result depends on: the adapter, the input
// and every file of each parser's folder (parsers import their neighbours).
std::string InputKey(const std::string& input, const std::vector<Parser>& parsers) {
  Sha256 h;
  h.Update(ParserAdapterSource());
  h.Update(input);
  for (const auto& p : parsers) {
    std::string dir = fs::Dirname(p.path);
    auto files = fs::ListFilesRecursive(dir);
    if (!files) continue;
    for (const auto& f : *files) {
      if (f.ends_with(".pyc")) continue;
      auto text = fs::ReadFile(fs::Join(dir, f));
      h.Update(fs::Join(dir, f));
      h.Update(std::string_view("\0", 1));
      h.Update(text ? Sha256Hex(*text) : "unreadable");
    }
  }
  return h.HexDigest();
}

// The line of the innermost frame in `parser` named by a Python traceback.
int TracebackLine(const std::string& tb, const std::string& parser) {
  int line = 0;
  std::string needle = "File \"" + parser + "\", line ";
  for (size_t p = tb.find(needle); p != std::string::npos; p = tb.find(needle, p + 1)) {
    line = std::atoi(tb.c_str() + p + needle.size());
  }
  return line;
}

struct AdapterRun {
  std::string out, err;
  script::ProcessResult result;
};

Result<AdapterRun> RunAdapter(const Workspace& ws, const std::string& input) {
  char tmpl[] = "/tmp/paiplan-parsers-XXXXXX";
  int fd = mkstemp(tmpl);  // 0600: the layout may hold passwords
  if (fd < 0) return Err(Status::IOError("cannot create a temporary file in /tmp for the parsers' input"));
  bool written = write(fd, input.data(), input.size()) == ssize_t(input.size());
  close(fd);
  AdapterRun run;
  Result<script::ProcessResult> res = Err(Status::IOError("cannot write the parsers' input to /tmp"));
  if (written) {
    script::ProcessRequest req;
    req.argv = {ws.settings.parser_python, "-B", "-c", ParserAdapterSource(), tmpl};
    req.cwd = ws.root;
    req.env = {{"PYTHONDONTWRITEBYTECODE", "1"}, {"PYTHONIOENCODING", "utf-8"}};
    req.timeout = std::chrono::milliseconds(int64_t(ws.settings.parser_timeout * 1000));
    req.kill_grace = std::chrono::milliseconds(500);
    req.on_output = [&](std::string_view chunk, bool is_err) { (is_err ? run.err : run.out).append(chunk); };
    res = script::RunProcess(req);
  }
  unlink(tmpl);
  if (!res) return Err(res.error());
  run.result = *res;
  return run;
}

// The last "paiplan-parser: SERVICE PHASE" progress line of the adapter.
std::string LastStep(const std::string& err) {
  static const std::regex kStep("paiplan-parser: (\\S+) (\\S+)");
  std::string last;
  for (std::sregex_iterator it(err.begin(), err.end(), kStep), end; it != end; ++it) {
    last = (*it)[1].str() + "'s " + (*it)[2].str() + "()";
  }
  return last;
}

std::string Tail(const std::string& s, size_t n = 2000) { return s.size() <= n ? s : "..." + s.substr(s.size() - n); }

// Reports a failed adapter run; `doc` is its JSON answer (null when none).
void ReportFailure(const Workspace& ws, const AdapterRun& run, const ojson& doc, Diagnostics* diags) {
  if (run.result.timed_out) {
    std::string step = LastStep(run.err);
    diags->Error({}, Mask("config parsers did not finish within " +
                              std::to_string(int(ws.settings.parser_timeout)) + " s and were stopped" +
                              (step.empty() ? "" : "; running: " + step),
                          ws),
                 "fix the parser (an endless loop?) or raise config-parsers.timeout in paiplan.yaml");
    return;
  }
  if (doc.is_object() && doc.contains("phase")) {
    std::string parser = doc.value("parser", "?"), phase = doc.value("phase", "?");
    std::string tb = doc.value("traceback", "");
    diags->Error({Display(ws, parser), TracebackLine(tb, parser), 0},
                 Mask("config parser of '" + doc.value("service", "?") + "' (" + Display(ws, parser) + ") failed in " +
                          phase + ": " + doc.value("message", "") + (tb.empty() ? "" : "\n" + tb),
                      ws),
                 "fix the parser or the configuration it checks; nothing was changed");
    return;
  }
  diags->Error({}, Mask("the config parser adapter failed (exit " + std::to_string(run.result.exit_status) +
                            "): " + Tail(run.err + run.out),
                        ws),
               "check that " + ws.settings.parser_python + " is Python 3 and runs");
}

std::string CachePath(const Workspace& ws) { return fs::Join(ws.root, ".paiplan/cache/config-parsers.json"); }

std::optional<ojson> CachedModel(const Workspace& ws, const std::string& key) {
  auto text = fs::ReadFileIfExists(CachePath(ws));
  if (!text || !text->has_value()) return std::nullopt;
  ojson doc = ojson::parse(**text, nullptr, false);
  if (!doc.is_object() || doc.value("key", "") != key || !doc.contains("model")) return std::nullopt;
  return doc["model"];
}

void StoreModel(const Workspace& ws, const std::string& key, const ojson& model) {
  if (!fs::IsDirectory(fs::Join(ws.root, ".paiplan"))) return;  // validate before init writes nothing
  if (!fs::MakeDirs(fs::Dirname(CachePath(ws)), 0700).ok()) return;
  (void)fs::WriteFileAtomic(CachePath(ws), ojson({{"key", key}, {"model", model}}).dump(), 0600);
}

}  // namespace

bool ApplyConfigParsers(Workspace* ws, const std::map<std::string, std::string>& defined,
                        const std::map<std::string, ojson>& defaults, Diagnostics* diags) {
  std::vector<Parser> parsers;
  for (const auto& [name, root] : defined) {
    std::string path = ParserPath(name, root);
    if (!path.empty()) parsers.push_back({name, path});
  }
  if (parsers.empty()) return true;
  std::string input = AdapterInput(*ws, parsers, defaults).dump();
  std::string key = InputKey(input, parsers);
  std::optional<ojson> model = CachedModel(*ws, key);
  if (!model) {
    auto run = RunAdapter(*ws, input);
    if (!run) {
      diags->Error({}, "config parsers need " + ws->settings.parser_python + ": " + run.error().message(),
                   "install python3 (Debian: apt-get install python3) or set config-parsers.python in paiplan.yaml");
      return false;
    }
    ojson doc = ojson::parse(run->out, nullptr, false);
    if (run->result.timed_out || run->result.exit_status != 0 || !doc.is_object() || !doc.value("ok", false) ||
        !doc.contains("model")) {
      ReportFailure(*ws, *run, doc.is_discarded() ? ojson() : doc, diags);
      return false;
    }
    model = doc["model"];
    StoreModel(*ws, key, *model);
  }
  for (auto it = model->begin(); it != model->end(); ++it) ws->cluster_cfg[it.key()] = it.value();
  return true;
}

}  // namespace paiplan::config
