#include "sensors/proc_file.hpp"

#include "core/text.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <fstream>
#include <optional>
#include <sstream>
#include <utility>

namespace powerfit::sensors {

std::string_view describe(ReadStatus status) {
  switch (status) {
    case ReadStatus::ok: return "ok";
    case ReadStatus::missing: return "no value";
    case ReadStatus::gone: return "gone";
    case ReadStatus::permission_denied: return "permission denied";
    case ReadStatus::io_error: return "read error";
    case ReadStatus::unsupported: return "not supported";
  }
  return "?";
}

ReadStatus status_from_errno(int error) {
  switch (error) {
    case ENOENT:
    case ESRCH:
    case ENODEV:
    case ENXIO: return ReadStatus::gone;
    case EACCES:
    case EPERM: return ReadStatus::permission_denied;
    case EOPNOTSUPP:
    case EINVAL: return ReadStatus::unsupported;
    default: return ReadStatus::io_error;
  }
}

std::string explain_open_failure(const std::filesystem::path& path, ReadStatus status) {
  switch (status) {
    case ReadStatus::gone: return "file absent: " + path.string();
    case ReadStatus::permission_denied:
      return "permission denied: " + path.string() + " (run as root or grant read access)";
    case ReadStatus::unsupported: return "not supported here: " + path.string();
    default: return "cannot read " + path.string();
  }
}

ProcFile::~ProcFile() { close(); }

ProcFile::ProcFile(ProcFile&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)), path_(std::move(other.path_)), buffer_(std::move(other.buffer_)) {}

ProcFile& ProcFile::operator=(ProcFile&& other) noexcept {
  if (this != &other) {
    close();
    fd_ = std::exchange(other.fd_, -1);
    path_ = std::move(other.path_);
    buffer_ = std::move(other.buffer_);
  }
  return *this;
}

ReadStatus ProcFile::open(const std::filesystem::path& path) {
  close();
  path_ = path;
  fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd_ < 0) return status_from_errno(errno);
  if (buffer_.empty()) buffer_.resize(4096);
  return ReadStatus::ok;
}

void ProcFile::close() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

ReadStatus ProcFile::read(std::string_view& content) {
  if (fd_ < 0) return ReadStatus::gone;
  for (;;) {
    // procfs regenerates the text on every read from offset 0, so pread sees fresh values.
    const ssize_t n = ::pread(fd_, buffer_.data(), buffer_.size(), 0);
    if (n < 0) {
      if (errno == EINTR) continue;
      return status_from_errno(errno);
    }
    if (static_cast<std::size_t>(n) < buffer_.size()) {
      content = std::string_view(buffer_.data(), static_cast<std::size_t>(n));
      return ReadStatus::ok;
    }
    buffer_.resize(buffer_.size() * 2);  // rare: the file outgrew the buffer
  }
}

ReadStatus SharedProcFile::open(const std::filesystem::path& path) {
  if (!opened_) opened_ = file_.open(path);
  return *opened_;
}

ReadStatus SharedProcFile::read(std::uint64_t& taken, std::string_view& content) {
  if (number_ == 0 || taken == number_) {
    status_ = file_.read(content_);
    ++number_;
  }
  taken = number_;
  content = content_;
  return status_;
}

std::optional<std::string> read_text_file(const std::filesystem::path& path) {
  std::ifstream in(path);
  if (!in) return std::nullopt;
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) return std::nullopt;
  return text.str();
}

std::string read_trimmed(const std::filesystem::path& path) {
  const auto text = read_text_file(path);
  return text ? std::string(text::trim(*text)) : std::string();
}

}  // namespace powerfit::sensors
