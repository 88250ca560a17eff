// The one path policy: names that come from workspace files (template-list
// entries, script names, role files, service names, state addresses turned
// into paths, names from `state push` and saved plans) and files paiplan
// keeps under `.paiplan/`.
//
// A workspace may come from a hostile pull request (docs/security.md), so:
// - a name taken from a workspace file must be a plain relative name
//   (CheckRelativeName) before it is joined to a root;
// - files under `.paiplan/` are reached by walking from a trusted root one
//   component at a time with O_NOFOLLOW (the *Inside functions): a
//   pre-planted symbolic link anywhere below the root is refused, never
//   followed. Directories they create are 0700 (existing ones are tightened
//   to 0700), files they write are at most `mode & 0700`.
//
// Thread-safety: stateless functions; safe from any thread.
// Every call fails with InvalidArgument for a name the policy refuses and
// with PermissionDenied for a link it will not follow, naming the path and
// saying what to do; IOError for other system errors.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "engine/base/status.h"

namespace paiplan::fs {

// OK when `name` is a plain relative name: not empty, not absolute, no ".",
// ".." or empty component, no backslash, no control character. `what` says
// what the name is ("template-list entry") for the error message.
Status CheckRelativeName(std::string_view name, std::string_view what);
// Like CheckRelativeName and also a single component (no '/').
Status CheckSingleName(std::string_view name, std::string_view what);
// OK when `value` has no control character (a single-line field).
Status CheckSingleLine(std::string_view value, std::string_view what);

// Splits an absolute path at its first `/.paiplan/` component:
// {"/ws", ".paiplan/rendered/x"}. Without one: {dirname, basename}.
std::pair<std::string, std::string> SplitAtPaiplan(const std::string& path);

// Content of root/rel, nullopt when missing; refuses links below root.
Result<std::optional<std::string>> ReadInside(const std::string& root, const std::string& rel);
// Creates root/rel (and missing parents below root) as 0700 directories;
// refuses links below root.
Status MakeDirsInside(const std::string& root, const std::string& rel);
// Replaces root/rel atomically (temporary file + rename in the verified
// directory); `durable` adds the fsyncs of fs::WriteFileAtomic.
Status WriteInside(const std::string& root, const std::string& rel, const std::string& content, int mode = 0600,
                   bool durable = true);
// Removes root/rel (a file, a link itself, or a whole tree); missing is OK.
Status RemoveInside(const std::string& root, const std::string& rel);
// Opens root/rel for writing (created 0600; `append` or truncate); the
// caller closes the descriptor.
Result<int> OpenForWriteInside(const std::string& root, const std::string& rel, bool append);

// The same, on a path split by SplitAtPaiplan: for files under `.paiplan/`.
Result<std::optional<std::string>> ReadPaiplanFile(const std::string& path);
Status WritePaiplanFile(const std::string& path, const std::string& content, int mode = 0600, bool durable = true);
Status MakePaiplanDirs(const std::string& path);
Status RemovePaiplanPath(const std::string& path);
Result<int> OpenPaiplanFileForWrite(const std::string& path, bool append);

// Writes to a descriptor from OpenForWriteInside; closes it on destruction.
// A failed write is dropped (logs must not fail the action they record).
class FdWriter {
 public:
  explicit FdWriter(int fd) : fd_(fd) {}
  FdWriter(const FdWriter&) = delete;
  FdWriter& operator=(const FdWriter&) = delete;
  ~FdWriter();
  void Write(std::string_view s);

 private:
  int fd_;
};

}  // namespace paiplan::fs
