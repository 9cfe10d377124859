#include "recording/readable.hpp"

#include <unistd.h>

#include <iterator>

namespace powerfit::recording {

namespace fs = std::filesystem;

ReadableDatabase::ReadableDatabase(const fs::path& path) : readable_path_(path) {
  try {
    database_ = std::make_unique<Database>(Database::open(path, Database::Mode::read_only));
    return;
  } catch (const RecordingError& error) {
    if (std::string(error.what()).find("to migrate it") == std::string::npos) throw;
  }
  std::string pattern = (fs::temp_directory_path() / "powerfit-migrated-XXXXXX").string();
  const int fd = ::mkstemp(pattern.data());
  if (fd < 0) throw RecordingError("cannot create a temporary copy of '" + path.string() + "' to migrate it");
  ::close(fd);
  copy_ = readable_path_ = pattern;
  std::error_code ec;
  fs::copy_file(path, copy_, fs::copy_options::overwrite_existing, ec);
  if (ec) throw RecordingError("cannot copy '" + path.string() + "' to migrate it: " + ec.message());
  database_ = std::make_unique<Database>(Database::open(copy_, Database::Mode::read_write));
}

ReadableDatabase::~ReadableDatabase() {
  database_.reset();
  if (copy_.empty()) return;
  std::error_code ec;
  for (const char* suffix : {"", "-wal", "-shm"}) fs::remove(copy_.string() + suffix, ec);
}

ReadableDatabase::ReadableDatabase(ReadableDatabase&& other) noexcept
    : copy_(std::move(other.copy_)), readable_path_(std::move(other.readable_path_)), database_(std::move(other.database_)) {
  other.copy_.clear();
}

ReadableDatabase& ReadableDatabase::operator=(ReadableDatabase&& other) noexcept {
  std::swap(copy_, other.copy_);
  std::swap(readable_path_, other.readable_path_);
  std::swap(database_, other.database_);
  return *this;
}

std::vector<ReportedRun> reported_runs_of(const std::vector<std::string>& paths) {
  std::vector<ReportedRun> runs;
  for (const auto& path : paths) {
    ReadableDatabase readable(path);
    auto reported = readable.database().reported_runs();
    runs.insert(runs.end(), std::make_move_iterator(reported.begin()), std::make_move_iterator(reported.end()));
  }
  return runs;
}

}  // namespace powerfit::recording
