#pragma once
// A thin RAII layer over the SQLite C API; every failure becomes a RecordingError whose message
// is one line naming the file and the problem.

#include <sqlite3.h>

#include <cstdint>
#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

#include "powerfit/error.hpp"

namespace powerfit::recording {

// A database that cannot be opened, read or written: a storage error to whoever catches powerfit::Error.
class RecordingError : public Error {
 public:
  explicit RecordingError(const std::string& message) : Error(Kind::storage, message) {}
};

class Statement {
 public:
  Statement(sqlite3* db, std::string_view sql);
  ~Statement();
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  Statement(Statement&& other) noexcept;

  Statement& bind(int index, std::int64_t value);
  Statement& bind(int index, double value);
  Statement& bind(int index, std::string_view value);
  Statement& bind(int index, std::nullopt_t);
  template <typename T>
  Statement& bind(int index, const std::optional<T>& value) {
    return value ? bind(index, *value) : bind(index, std::nullopt);
  }

  // Steps once: true while a row is available.
  bool step();
  // Steps to completion and resets for the next use.
  void run();
  void reset();

  std::int64_t int64(int column) const;
  double real(int column) const;
  std::optional<double> optional_real(int column) const;
  std::optional<std::int64_t> optional_int64(int column) const;
  std::string text(int column) const;
  bool is_null(int column) const;
  // The index of the result column named `name` (an AS alias); throws when there is none.
  int column(std::string_view name) const;

 private:
  sqlite3* db_;
  sqlite3_stmt* statement_ = nullptr;
};

void execute(sqlite3* db, std::string_view sql);

// The integer a PRAGMA returns ("user_version", "source.application_id"); 0 when none.
std::int64_t pragma_int(sqlite3* db, const char* pragma);

// The URI that opens `path` only to read it (see sqlite.cpp): immutable where no log is beside it.
std::string read_only_uri(const std::filesystem::path& path);

// A transaction that rolls back unless committed: a statement that throws inside one never leaves
// it open for the next ("cannot start a transaction within a transaction").
class Transaction {
 public:
  enum class Lock { deferred, immediate };
  explicit Transaction(sqlite3* db, Lock lock = Lock::deferred);
  ~Transaction();
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  Transaction(Transaction&& other) noexcept : db_(other.db_) { other.db_ = nullptr; }
  Transaction& operator=(Transaction&&) = delete;
  void commit();

 private:
  sqlite3* db_;
};

}  // namespace powerfit::recording
