#include "data_dirs.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <climits>
#include <filesystem>

namespace brink::cli {

namespace {

#ifdef BRINK_SOURCE_DIR
constexpr const char* kSourceDir = BRINK_SOURCE_DIR;
#else
constexpr const char* kSourceDir = "";
#endif

// Where `cmake --install` puts the data, relative to the installed binary's folder.
#ifdef BRINK_INSTALLED_DATA_DIR
constexpr const char* kInstalledDataDir = BRINK_INSTALLED_DATA_DIR;
#else
constexpr const char* kInstalledDataDir = "../share/brink";
#endif

bool is_dir(const std::string& path) {
    struct stat st {};
    return ::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

}  // namespace

std::string own_path() {
    char buf[PATH_MAX];
    const ssize_t n = ::readlink("/proc/self/exe", buf, sizeof buf - 1);
    if (n <= 0) return {};
    buf[n] = '\0';
    return buf;
}

std::optional<std::string> installed_data_dir() {
    const std::string self = own_path();
    const auto slash = self.rfind('/');
    if (slash == std::string::npos) return std::nullopt;
    const std::string data = self.substr(0, slash + 1) + kInstalledDataDir;
    if (!is_dir(data)) return std::nullopt;
    return data;
}

std::string source_dir() { return kSourceDir; }

std::optional<std::string> shipped_path(const std::string& relative) {
    namespace fs = std::filesystem;
    std::error_code ec;
    for (const std::optional<std::string>& root : {installed_data_dir(), std::optional<std::string>(source_dir())}) {
        if (!root || root->empty()) continue;
        const fs::path there = (fs::path(*root) / relative).lexically_normal();
        if (fs::exists(there, ec)) return there.string();
    }
    return std::nullopt;
}

}  // namespace brink::cli
