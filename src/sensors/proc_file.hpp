#pragma once
// A text file under /proc or /sys kept open and re-read from offset 0 on every tick: one pread
// instead of open/read/close, into a buffer that only grows when the file does.

#include <cstdint>
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

// One such file read by several sources on the same tick (/proc/stat by procfs.cpu and
// estimate.cpu): each reader takes the content read for it, or reads afresh where it has already
// taken that one, so two readers in one tick cost one read of the kernel's text (/proc/stat: 9 µs
// of CPU a read beside an H100; VALIDATION.md, "Every source within twice nvidia-smi?"). Read on
// the sampling thread only.
class SharedProcFile {
 public:
  // Opens the file on the first call; later calls return that call's status.
  ReadStatus open(const std::filesystem::path& path);
  // `taken` is the reader's own: the number of the content it took last (0: none yet).
  ReadStatus read(std::uint64_t& taken, std::string_view& content);

 private:
  ProcFile file_;
  std::optional<ReadStatus> opened_;
  std::uint64_t number_ = 0;  // of the content last read
  ReadStatus status_ = ReadStatus::missing;
  std::string_view content_;
};

// Reads a small file once (for discovery, not for the hot path).
std::optional<std::string> read_text_file(const std::filesystem::path& path);
// The same, without surrounding white space; empty when the file cannot be read.
std::string read_trimmed(const std::filesystem::path& path);

}  // namespace powerfit::sensors
