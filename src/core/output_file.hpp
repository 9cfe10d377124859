#pragma once
// Files a command writes: checked before anything runs, and written whole or not at all.
//
// An output never destroys an input: one that is a file the command reads or records into (the
// same file by device and inode, or the same path where it does not exist yet) is refused, and so
// is any existing SQLite database (no report, export or summary replaces one). An output is written
// to a temporary file beside it and renamed into place once complete, so a failed write (a full
// disk, a killed process) leaves the file that was there whole.

#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace powerfit {

// Whether `path` starts with SQLite's 16-byte header ("SQLite format 3\0").
bool is_sqlite_file(const std::filesystem::path& path);

// Whether a and b name one file: by device and inode where both exist, else by path.
bool same_file(const std::filesystem::path& a, const std::filesystem::path& b);

// What is wrong with writing `output`, with the fix; nullopt when nothing is. `inputs` are the
// files the command reads or records into.
std::optional<std::string> output_problem(const std::filesystem::path& output, const std::vector<std::filesystem::path>& inputs);

// A file written beside its destination and renamed into place by commit(); removed otherwise.
class ReplacingFile {
 public:
  explicit ReplacingFile(std::filesystem::path destination);
  ~ReplacingFile();
  ReplacingFile(const ReplacingFile&) = delete;
  ReplacingFile& operator=(const ReplacingFile&) = delete;

  // Where to write; commit() says whether it all arrived.
  std::ostream& stream() { return out_; }
  // Flushes, syncs and renames into place. Returns the problem (with the fix), or nullopt.
  std::optional<std::string> commit();

 private:
  std::filesystem::path destination_, temporary_;
  std::ofstream out_;
  bool committed_ = false;
};

// The whole of `content` into `output`, through a ReplacingFile.
std::optional<std::string> write_whole(const std::filesystem::path& output, std::string_view content);

}  // namespace powerfit
