// Small file-system helpers used across paiplan. All return Status/Result and
// never throw. Writes that must survive a crash go through WriteFileAtomic
// (temp file in the same directory, fsync, rename, fsync of the directory).
//
// Thread-safety: stateless functions; safe from any thread.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "engine/base/status.h"

namespace paiplan::fs {

// Whole file as bytes. NotFound if it does not exist; IOError otherwise.
Result<std::string> ReadFile(const std::string& path);
// Like ReadFile but a missing file is std::nullopt.
Result<std::optional<std::string>> ReadFileIfExists(const std::string& path);
// Replaces `path` atomically with `content`, file mode `mode`.
Status WriteFileAtomic(const std::string& path, const std::string& content, int mode = 0644);
// Like WriteFileAtomic (readers see the old or the new content, never a part)
// but without the fsyncs: after a power loss the file may be old, new or
// empty. For files whose loss is detected and repaired, never for state.
Status ReplaceFile(const std::string& path, const std::string& content, int mode = 0644);
// mkdir -p with `mode` for created directories.
Status MakeDirs(const std::string& path, int mode = 0755);
// rm -rf; a missing path is OK.
Status RemoveAll(const std::string& path);
bool Exists(const std::string& path);
bool IsDirectory(const std::string& path);
// Names (not paths) of the entries of `dir`, sorted; NotFound if missing.
Result<std::vector<std::string>> ListDir(const std::string& dir);
// Relative paths of all regular files under `dir`, sorted, recursively.
// PermissionDenied (naming it) when `dir` or anything under it is a
// symbolic link: links are never followed.
Result<std::vector<std::string>> ListFilesRecursive(const std::string& dir);
// Joins with a single '/'.
std::string Join(const std::string& a, const std::string& b);
std::string Dirname(const std::string& path);
std::string Basename(const std::string& path);
// Absolute, lexically normalised path (no symlink resolution).
std::string Absolute(const std::string& path);

}  // namespace paiplan::fs
