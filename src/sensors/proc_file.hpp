#pragma once
// A text file under /proc or /sys kept open and re-read from offset 0 on every tick: one pread
// instead of open/read/close, into a buffer that only grows when the file does.

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sensors/source.hpp"

namespace powerfit::sensors {

ReadStatus status_from_errno(int error);

// "file absent: /proc/diskstats", "permission denied: ... (fix: ...)", for `powerfit sensors`.
std::string explain_open_failure(const std::filesystem::path& path, ReadStatus status);

class ProcFile {
 public:
  ProcFile() = default;
  ~ProcFile();
  ProcFile(ProcFile&& other) noexcept;
  ProcFile& operator=(ProcFile&& other) noexcept;
  ProcFile(const ProcFile&) = delete;
  ProcFile& operator=(const ProcFile&) = delete;

  ReadStatus open(const std::filesystem::path& path);
  void close();
  const std::filesystem::path& path() const { return path_; }

  // Reads the whole file; `content` stays valid until the next read.
  ReadStatus read(std::string_view& content);

 private:
  int fd_ = -1;
  std::filesystem::path path_;
  std::vector<char> buffer_ = std::vector<char>(4096);
};

// Reads a small file once (for discovery, not for the hot path).
std::optional<std::string> read_text_file(const std::filesystem::path& path);
// The same, without surrounding white space; empty when the file cannot be read.
std::string read_trimmed(const std::filesystem::path& path);

}  // namespace powerfit::sensors
