#pragma once
// What powerfit throws: one type, with the kind of problem. A wrong argument or call order is the
// caller's to fix; a storage error means the database could not be written or read.

#include <stdexcept>
#include <string>

#include "powerfit/export.hpp"

namespace powerfit {

class POWERFIT_EXPORT Error : public std::runtime_error {
 public:
  enum class Kind { argument, state, storage };
  Error(Kind kind, const std::string& message) : std::runtime_error(message), kind_(kind) {}
  Kind kind() const { return kind_; }

 private:
  Kind kind_;
};

}  // namespace powerfit
