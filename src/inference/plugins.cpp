#include "inference/plugins.hpp"

#include <dlfcn.h>

#include <cstdlib>
#include <map>
#include <mutex>

namespace powerfit::inference {
namespace {

namespace fs = std::filesystem;

std::string file_name(const std::string& engine) {
  return engine == "libtorch" ? "libpowerfit_libtorch.so" : engine == "opencv-dnn" ? "libpowerfit_opencv.so" : "";
}

}  // namespace

fs::path plugin_directory() {
  if (const char* directory = std::getenv("POWERFIT_PLUGIN_DIR"); directory != nullptr && *directory != '\0') return directory;
  std::error_code ec;
  const auto executable = fs::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    const auto installed = executable.parent_path().parent_path() / "lib" / "powerfit";
    if (fs::is_directory(installed, ec)) return installed;
  }
  return POWERFIT_BUILD_PLUGIN_DIR;
}

fs::path plugin_path(const std::string& engine) { return plugin_directory() / file_name(engine); }

bool plugin_present(const std::string& engine) {
  std::error_code ec;
  return !file_name(engine).empty() && fs::is_regular_file(plugin_path(engine), ec);
}

const Plugin& load_plugin(const std::string& engine) {
  static std::mutex mutex;
  static std::map<std::string, Plugin> loaded;
  const std::lock_guard lock(mutex);
  if (const auto found = loaded.find(engine); found != loaded.end()) return found->second;
  if (!plugin_present(engine)) {
    throw BackendError("backend '" + engine + "' is not installed (no " + plugin_path(engine).string() +
                       "); build with its development package (libtorch-dev, libopencv-dev) or set POWERFIT_PLUGIN_DIR");
  }
  // Never closed: the engine's own threads and static state live as long as the process.
  void* handle = ::dlopen(plugin_path(engine).c_str(), RTLD_NOW | RTLD_LOCAL);
  if (handle == nullptr) {
    throw BackendError("cannot load the " + engine + " plugin: " + std::string(::dlerror()) +
                       "; reinstall the engine's library or rebuild powerfit");
  }
  Plugin plugin{.engine = engine};
  const auto abi_version = reinterpret_cast<AbiVersionFunction>(::dlsym(handle, kAbiVersionSymbol));
  plugin.open_backend = reinterpret_cast<OpenBackendFunction>(::dlsym(handle, kOpenBackendSymbol));
  plugin.load_image_folder = reinterpret_cast<LoadImageFolderFunction>(::dlsym(handle, kLoadImageFolderSymbol));
  if (abi_version == nullptr || abi_version() != kPluginAbiVersion || plugin.open_backend == nullptr) {
    ::dlclose(handle);  // refused: nothing of it stays loaded
    throw BackendError(plugin_path(engine).string() + " is not a powerfit plugin of this version (plugin boundary " +
                       std::to_string(kPluginAbiVersion) + "); rebuild powerfit, or set POWERFIT_PLUGIN_DIR to this build's plugins");
  }
  return loaded.emplace(engine, plugin).first->second;
}

dataset::ImageFolderLoader image_folder_loader() {
  return [](const std::string& directory, const dataset::DatasetOptions& options) -> std::variant<dataset::Dataset, dataset::DataError> {
    const std::string engine = "opencv-dnn";  // named: a reference returned for a temporary's key reads as dangling to GCC 13
    if (!plugin_present(engine)) {
      return dataset::DataError{"'" + directory +
                                "' holds no inputs.npy; image folders need the OpenCV plugin (install libopencv-dev, rebuild)"};
    }
    try {
      const auto& plugin = load_plugin(engine);
      if (plugin.load_image_folder == nullptr) return dataset::DataError{"the OpenCV plugin cannot decode images; rebuild powerfit"};
      dataset::Dataset loaded;
      std::string error;
      if (!plugin.load_image_folder(directory, options, loaded, error)) return dataset::DataError{error};
      return loaded;
    } catch (const BackendError& error) {
      return dataset::DataError{error.what()};
    }
  };
}

}  // namespace powerfit::inference
