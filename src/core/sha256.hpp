#pragma once
// SHA-256 of a file, in lowercase hex: the identity of a model file across machines.

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace powerfit {

std::string sha256_hex(std::string_view bytes);
std::optional<std::string> sha256_file(const std::filesystem::path& path);  // nullopt: unreadable

}  // namespace powerfit
