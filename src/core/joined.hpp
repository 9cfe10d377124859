#pragma once
// A list in one line of a message: "gpu0, gpu1".

#include <string>
#include <string_view>
#include <vector>

namespace powerfit {

inline std::string joined(const std::vector<std::string>& items, std::string_view separator = ", ") {
  std::string text;
  for (const auto& item : items) {
    if (!text.empty()) text += separator;
    text += item;
  }
  return text;
}

}  // namespace powerfit
