#include "latest.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <iostream>

#include "common.hpp"

namespace brink::cli {

namespace fs = std::filesystem;

namespace {

constexpr const char* kResults = "results";
constexpr const char* kLatest = "results/latest";

/// The name of `dir` in ./results when it lies directly there (symlinks resolved); else "".
std::string name_in_results(const std::string& dir) {
    std::error_code e1, e2;
    const fs::path results = fs::weakly_canonical(fs::absolute(kResults), e1);
    const fs::path folder = fs::weakly_canonical(fs::absolute(dir), e2);
    if (e1 || e2 || folder.parent_path() != results) return "";
    return folder.filename().string();
}

void warn(const std::string& command, const std::string& what) {
    std::cerr << "brink " << command << ": warning: " << what << "\n";
}

}  // namespace

void point_latest_at(const std::string& command, const std::string& dir) {
    const std::string name = name_in_results(dir);
    if (name.empty()) return;  // a folder elsewhere (--out): results/latest is about ./results only
    struct stat st {};
    if (::lstat(kLatest, &st) == 0 && !S_ISLNK(st.st_mode)) {
        // Someone's own file or folder: never replaced.
        warn(command, std::string(kLatest) + " is a " + (S_ISDIR(st.st_mode) ? "folder" : "file") +
                          ", not a symlink, so it was left as it is and does not name " + dir +
                          " (remove it to let brink keep it pointing at the last result folder)");
        return;
    }
    // A symlink under a name of this process's own, renamed over `latest`: rename replaces
    // the old link in one step, so a reader finds the old folder or the new, never nothing.
    const std::string temporary = std::string(kResults) + "/.latest.tmp" + std::to_string(::getpid());
    ::unlink(temporary.c_str());  // left by a process killed here that had this pid
    if (::symlink(name.c_str(), temporary.c_str()) != 0) {
        warn(command, "cannot point " + std::string(kLatest) + " at " + dir + ": " + std::strerror(errno) +
                          " (this file system may not support symlinks); name the folder instead of --latest");
        return;
    }
    if (::rename(temporary.c_str(), kLatest) != 0) {
        const int err = errno;
        ::unlink(temporary.c_str());
        warn(command, "cannot point " + std::string(kLatest) + " at " + dir + ": " + std::strerror(err));
    }
}

std::optional<std::string> latest_folder(const std::string& command) {
    const auto fail = [&](const std::string& why) {
        std::cerr << "brink " << command << ": --latest: " << why << "\n";
        return std::nullopt;
    };
    std::error_code ec;
    const std::string here = fs::current_path(ec).string();
    struct stat st {};
    if (::lstat(kLatest, &st) != 0) {
        if (errno == ENOENT)
            return fail("there is no " + std::string(kLatest) + " in " + here +
                        " (brink makes it when a command writes a result folder in results/); name the folder instead");
        return fail(std::string("cannot read ") + kLatest + ": " + std::strerror(errno));
    }
    if (S_ISDIR(st.st_mode)) return std::string(kLatest);  // a folder someone made: it is the folder
    if (!S_ISLNK(st.st_mode)) return fail(std::string(kLatest) + " is a file, not a symlink to a result folder");
    const fs::path target = fs::read_symlink(kLatest, ec);
    if (ec) return fail(std::string("cannot read the symlink ") + kLatest + ": " + ec.message());
    const fs::path folder = (target.is_absolute() ? target : fs::path(kResults) / target).lexically_normal();
    if (!fs::is_directory(folder, ec))
        return fail(std::string(kLatest) + " points at " + folder.string() + ", which is " +
                    (fs::exists(fs::symlink_status(folder, ec)) ? "not a folder" : "not there (moved or removed?)") +
                    "; name the folder instead");
    return folder.string();
}

CLI::Option* add_latest_flag(CLI::App* cmd, bool& latest, CLI::Option* folder, const std::string& help) {
    CLI::Option* flag = cmd->add_flag("--latest", latest, help);
    if (folder) flag->excludes(folder);
    return flag;
}

int resume_folder(const std::string& command, bool resume_given, bool latest, std::string& dir) {
    const auto fail = [&](const std::string& why) { return std::cerr << "brink " << command << ": " << why << "\n", int{usage_error}; };
    if (latest && !resume_given) return fail("--latest goes with --resume: brink " + command + " --resume --latest continues results/latest");
    if (!resume_given) return ok;
    if (latest && !dir.empty()) return fail("give --resume DIR or --resume --latest, not both");
    if (!latest && dir.empty()) return fail("--resume needs the folder to continue: --resume DIR, or --resume --latest");
    return take_latest(command, latest, dir);
}

int take_latest(const std::string& command, bool latest, std::string& folder) {
    if (!latest) return ok;
    const std::optional<std::string> named = latest_folder(command);
    if (!named) return usage_error;
    folder = *named;
    return ok;
}

}  // namespace brink::cli
