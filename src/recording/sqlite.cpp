#include "recording/sqlite.hpp"

#include <cctype>
#include <cstdio>
#include <filesystem>
#include <string>
#include <utility>

namespace powerfit::recording {
namespace {

// One line naming what failed, the file and SQLite's reason.
RecordingError error_of(sqlite3* db, std::string_view what) {
  const char* file = sqlite3_db_filename(db, "main");
  return RecordingError(std::string(what) + " in " + (file && *file ? file : "database") + ": " + sqlite3_errmsg(db));
}

[[noreturn]] void fail(sqlite3* db, std::string_view what) { throw error_of(db, what); }

}  // namespace

Statement::Statement(sqlite3* db, std::string_view sql) : db_(db) {
  if (sqlite3_prepare_v2(db, sql.data(), static_cast<int>(sql.size()), &statement_, nullptr) != SQLITE_OK) {
    fail(db, "cannot prepare a query");
  }
}

Statement::~Statement() { sqlite3_finalize(statement_); }

Statement::Statement(Statement&& other) noexcept
    : db_(other.db_), statement_(std::exchange(other.statement_, nullptr)) {}

Statement& Statement::bind(int index, std::int64_t value) {
  sqlite3_bind_int64(statement_, index, value);
  return *this;
}
Statement& Statement::bind(int index, double value) {
  sqlite3_bind_double(statement_, index, value);
  return *this;
}
Statement& Statement::bind(int index, std::string_view value) {
  sqlite3_bind_text(statement_, index, value.data(), static_cast<int>(value.size()), SQLITE_TRANSIENT);
  return *this;
}
Statement& Statement::bind(int index, std::nullopt_t) {
  sqlite3_bind_null(statement_, index);
  return *this;
}

bool Statement::step() {
  const int rc = sqlite3_step(statement_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  // A statement left unreset after an error keeps its read snapshot, and with it the transaction
  // a rollback must end: the error is taken, the statement reset, then thrown.
  RecordingError error = error_of(db_, "query failed");
  sqlite3_reset(statement_);
  throw error;
}

void Statement::run() {
  while (step()) {
  }
  reset();
}

void Statement::reset() {
  sqlite3_reset(statement_);
  sqlite3_clear_bindings(statement_);
}

int Statement::column(std::string_view name) const {
  const int count = sqlite3_column_count(statement_);
  for (int i = 0; i < count; ++i) {
    if (const char* named = sqlite3_column_name(statement_, i); named != nullptr && name == named) return i;
  }
  throw RecordingError("no result column named " + std::string(name) + " (a query out of step with its reader)");
}

std::int64_t Statement::int64(int column) const { return sqlite3_column_int64(statement_, column); }
double Statement::real(int column) const { return sqlite3_column_double(statement_, column); }
bool Statement::is_null(int column) const { return sqlite3_column_type(statement_, column) == SQLITE_NULL; }
std::optional<double> Statement::optional_real(int column) const {
  if (is_null(column)) return std::nullopt;
  return real(column);
}
std::optional<std::int64_t> Statement::optional_int64(int column) const {
  if (is_null(column)) return std::nullopt;
  return int64(column);
}
std::string Statement::text(int column) const {
  const auto* value = sqlite3_column_text(statement_, column);
  return value ? reinterpret_cast<const char*>(value) : "";
}

Transaction::Transaction(sqlite3* db, Lock lock) : db_(db) {
  execute(db_, lock == Lock::immediate ? "BEGIN IMMEDIATE" : "BEGIN");
}

Transaction::~Transaction() {
  if (db_ != nullptr) sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
}

void Transaction::commit() {
  execute(db_, "COMMIT");
  db_ = nullptr;
}

void execute(sqlite3* db, std::string_view sql) {
  char* message = nullptr;
  if (sqlite3_exec(db, std::string(sql).c_str(), nullptr, nullptr, &message) != SQLITE_OK) {
    std::string text = message ? message : "unknown error";
    sqlite3_free(message);
    const char* file = sqlite3_db_filename(db, "main");
    throw RecordingError("database error in " + std::string(file && *file ? file : "database") + ": " + text);
  }
}


// A database opened only to be read leaves nothing beside it and works in a read-only place: a
// closed database (no write-ahead log beside it) is opened immutable, so SQLite creates no -shm or
// -wal file. One with a log (a run still recording, or one killed) is read through the log.
std::string read_only_uri(const std::filesystem::path& path) {
  std::string uri = "file:";
  for (const unsigned char c : path.string()) {
    if (std::isalnum(c) || c == '/' || c == '.' || c == '-' || c == '_' || c == '~') {
      uri += static_cast<char>(c);
    } else {
      char escaped[4];
      std::snprintf(escaped, sizeof escaped, "%%%02X", c);
      uri += escaped;
    }
  }
  std::error_code ec;
  const auto log = std::filesystem::path(path.string() + "-wal");
  const bool logged = std::filesystem::exists(log, ec) && std::filesystem::file_size(log, ec) > 0;
  return uri + (logged ? "?mode=ro" : "?mode=ro&immutable=1");
}


std::int64_t pragma_int(sqlite3* db, const char* pragma) {
  Statement statement(db, std::string("PRAGMA ") + pragma);
  return statement.step() ? statement.int64(0) : 0;
}

}  // namespace powerfit::recording
