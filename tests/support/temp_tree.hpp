#pragma once
// A throw-away directory tree for hand-made /proc and /sys fixtures.

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <string_view>

namespace powerfit::testing {

class TempTree {
 public:
  TempTree() {
    std::string pattern = (std::filesystem::temp_directory_path() / "powerfit-test-XXXXXX").string();
    root_ = ::mkdtemp(pattern.data());
  }
  ~TempTree() {
    std::error_code ec;
    std::filesystem::remove_all(root_, ec);
  }
  TempTree(const TempTree&) = delete;
  TempTree& operator=(const TempTree&) = delete;

  const std::filesystem::path& root() const { return root_; }
  std::filesystem::path path(std::string_view relative) const { return root_ / relative; }

  void write(std::string_view relative, std::string_view content) const {
    const auto file = root_ / relative;
    std::filesystem::create_directories(file.parent_path());
    std::ofstream(file, std::ios::trunc) << content;
  }
  // Rewrites an existing file in place, as the kernel's counters change: a reader on another
  // thread sees the old text or the new, never the empty file a truncating write leaves for a moment.
  void rewrite(std::string_view relative, std::string_view content) const {
    const int fd = ::open((root_ / relative).c_str(), O_WRONLY);
    if (fd < 0) throw std::filesystem::filesystem_error("cannot rewrite", root_ / relative, std::error_code(errno, std::generic_category()));
    const bool whole = ::pwrite(fd, content.data(), content.size(), 0) == static_cast<ssize_t>(content.size()) &&
                       ::ftruncate(fd, static_cast<off_t>(content.size())) == 0;
    ::close(fd);
    if (!whole) throw std::filesystem::filesystem_error("short rewrite", root_ / relative, std::error_code(errno, std::generic_category()));
  }
  void mkdir(std::string_view relative) const { std::filesystem::create_directories(root_ / relative); }
  void remove(std::string_view relative) const { std::filesystem::remove_all(root_ / relative); }

 private:
  std::filesystem::path root_;
};

// A file's whole content, bytes as they are ("" when it cannot be read).
inline std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

inline std::filesystem::path fixture(std::string_view name) {
  return std::filesystem::path(POWERFIT_FIXTURES) / name;
}

}  // namespace powerfit::testing

namespace powerfit::testing {

// A writable copy of a committed fixture tree, for tests that move counters.
class FixtureCopy : public TempTree {
 public:
  explicit FixtureCopy(std::string_view name) {
    std::filesystem::copy(fixture(name), root(),
                          std::filesystem::copy_options::recursive | std::filesystem::copy_options::copy_symlinks);
  }
};

}  // namespace powerfit::testing
