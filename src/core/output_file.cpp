#include "core/output_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cstdio>

namespace powerfit {
namespace fs = std::filesystem;

bool is_sqlite_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::array<char, 16> header{};
  in.read(header.data(), header.size());
  return in.gcount() == 16 && std::string_view(header.data(), 16) == std::string_view("SQLite format 3\0", 16);
}

bool same_file(const fs::path& a, const fs::path& b) {
  struct stat sa {}, sb {};
  if (::stat(a.c_str(), &sa) == 0 && ::stat(b.c_str(), &sb) == 0) return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
  std::error_code ec;
  return fs::weakly_canonical(a, ec) == fs::weakly_canonical(b, ec);
}

std::optional<std::string> output_problem(const fs::path& output, const std::vector<fs::path>& inputs) {
  if (output.empty()) return std::string("an empty output file name; name the file to write");
  const std::string name = "'" + output.string() + "'";
  for (const auto& input : inputs) {
    if (same_file(output, input)) return name + " is also an input of this command; write the output to another file";
  }
  std::error_code ec;
  if (fs::is_directory(output, ec)) return name + " is a directory; name a file to write";
  if (fs::exists(output, ec)) {
    if (!fs::is_regular_file(output, ec)) {
      return name + " is not a regular file; name a file to write";
    }
    if (is_sqlite_file(output)) return name + " is a SQLite database, which an output never replaces; name another file";
  }
  const fs::path directory = output.has_parent_path() ? output.parent_path() : fs::path(".");
  if (!fs::is_directory(directory, ec)) return "the directory of " + name + " does not exist; create it or name another file";
  if (::access(directory.c_str(), W_OK) != 0) return "cannot write in the directory of " + name + "; name a writable place";
  return std::nullopt;
}

ReplacingFile::ReplacingFile(fs::path destination) : destination_(std::move(destination)) {
  const fs::path directory = destination_.has_parent_path() ? destination_.parent_path() : fs::path(".");
  std::string pattern = (directory / ("." + destination_.filename().string() + ".XXXXXX")).string();
  const int fd = ::mkstemp(pattern.data());
  if (fd < 0) {
    out_.setstate(std::ios::badbit);
    return;
  }
  ::close(fd);
  temporary_ = pattern;
  out_.open(temporary_, std::ios::binary | std::ios::trunc);
}

ReplacingFile::~ReplacingFile() {
  if (!committed_ && !temporary_.empty()) {
    out_.close();
    std::error_code ec;
    fs::remove(temporary_, ec);
  }
}

std::optional<std::string> ReplacingFile::commit() {
  const std::string problem = "writing '" + destination_.string() + "' failed (disk full, or the directory not writable); ";
  if (temporary_.empty()) return problem + "nothing was written";
  out_.flush();
  const bool written = out_.good();
  out_.close();
  if (!written || out_.fail()) return problem + "the file that was there is unchanged";
  if (const int fd = ::open(temporary_.c_str(), O_RDONLY); fd >= 0) {
    const bool synced = ::fsync(fd) == 0;
    ::close(fd);
    if (!synced) return problem + "the file that was there is unchanged";
  }
  std::error_code ec;
  // mkstemp made it 0600: the file it replaces keeps its permissions, a new one is 0644.
  const auto replaced = fs::status(destination_, ec);
  fs::permissions(temporary_, fs::exists(replaced) ? replaced.permissions() : static_cast<fs::perms>(0644), ec);
  fs::rename(temporary_, destination_, ec);
  if (ec) return problem + ec.message() + "; the file that was there is unchanged";
  committed_ = true;
  return std::nullopt;
}

std::optional<std::string> write_whole(const fs::path& output, std::string_view content) {
  ReplacingFile file(output);
  file.stream() << content;
  return file.commit();
}

}  // namespace powerfit
