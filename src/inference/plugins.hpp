#pragma once
// Finds and opens engine plugins: $POWERFIT_PLUGIN_DIR, else PREFIX/lib/powerfit next to an
// installed binary, else the build tree the binary came from.

#include <filesystem>
#include <string>

#include "dataset/dataset.hpp"
#include "inference/plugin_abi.hpp"

namespace powerfit::inference {

struct Plugin {
  std::string engine;  // "libtorch", "opencv-dnn"
  OpenBackendFunction open_backend = nullptr;
  LoadImageFolderFunction load_image_folder = nullptr;  // may be null
};

std::filesystem::path plugin_directory();
// The plugin's file for an engine, whether it exists or not.
std::filesystem::path plugin_path(const std::string& engine);
bool plugin_present(const std::string& engine);
// Opens (once) and returns the engine's plugin; throws BackendError naming the fix.
const Plugin& load_plugin(const std::string& engine);

// Image folders decoded by the OpenCV plugin, loaded when the first folder is decoded; where the
// plugin is not installed the loader says so and how to get it.
dataset::ImageFolderLoader image_folder_loader();

}  // namespace powerfit::inference
