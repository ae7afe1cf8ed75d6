// Atomic files, folder syncs, and the lock that keeps one writer per result folder.
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <filesystem>
#include <utility>

#include "brink/output.hpp"

namespace brink {

namespace fs = std::filesystem;

namespace {

std::string os_error(int err) { return std::strerror(err); }

/// " (pid N)" from the lock file's contents, or "" when it holds no pid (not written yet).
std::string holder_of(int fd) {
    char buf[32] = {};
    const ssize_t n = ::pread(fd, buf, sizeof buf - 1, 0);
    long pid = 0;
    const auto [end, ec] = std::from_chars(buf, buf + (n > 0 ? n : 0), pid);
    if (ec != std::errc() || end == buf || pid <= 0) return "";
    return " (pid " + std::to_string(pid) + ")";
}

/// True when `dir` holds anything but a lock file.
bool holds_files(const std::string& dir) {
    std::error_code ec;
    for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec))
        if (it->path().filename() != kLockFileName) return true;
    if (ec) throw OutputError("cannot read the folder " + dir + ": " + ec.message());
    return false;
}

}  // namespace

std::string format_double(double value) {
    char buf[32];
    const auto [end, ec] = std::to_chars(buf, buf + sizeof buf, value);
    if (ec != std::errc()) return "nan";
    return std::string(buf, end);
}

void sync_folder(const std::string& dir) {
    const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) throw IoError("cannot open the folder " + dir + " to sync it: " + os_error(errno));
    const int err = ::fsync(fd) != 0 ? errno : 0;
    ::close(fd);
    // EINVAL: this file system cannot sync a folder (some network and FUSE ones); nothing more can be done.
    if (err != 0 && err != EINVAL) throw IoError("cannot sync the folder " + dir + ": " + os_error(err));
}

void rename_file(const std::string& from, const std::string& to) {
    if (::rename(from.c_str(), to.c_str()) != 0) throw IoError("cannot rename " + from + " to " + to + ": " + os_error(errno));
}

namespace {

/// Writes all of `text` to `fd`; the error number, or 0.
int write_all(int fd, const std::string& text) {
    std::size_t written = 0;
    while (written < text.size()) {
        const ssize_t n = ::write(fd, text.data() + written, text.size() - written);
        if (n >= 0) written += static_cast<std::size_t>(n);
        else if (errno != EINTR) return errno;
    }
    return 0;
}

}  // namespace

AtomicStream::AtomicStream(std::string path) : path_(std::move(path)), temporary_(path_ + ".tmp" + std::to_string(::getpid())) {
    fd_ = ::open(temporary_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd_ < 0) throw IoError("cannot write " + path_ + ": " + os_error(errno));
}

AtomicStream::~AtomicStream() {
    if (fd_ < 0) return;
    ::close(fd_);
    ::unlink(temporary_.c_str());
}

void AtomicStream::append(const std::string& text) {
    if (const int err = write_all(fd_, text); err != 0) fail(err);
}

void AtomicStream::commit() {
    // Data reaches the disk before the rename makes it visible; the descriptor is closed
    // whatever fsync says.
    int err = ::fsync(fd_) != 0 ? errno : 0;
    if (::close(fd_) != 0 && err == 0) err = errno;
    fd_ = -1;
    if (err != 0) {
        ::unlink(temporary_.c_str());
        throw IoError("cannot write " + path_ + ": " + os_error(err));
    }
    if (::rename(temporary_.c_str(), path_.c_str()) != 0) {
        err = errno;
        ::unlink(temporary_.c_str());
        throw IoError("cannot move " + temporary_ + " to " + path_ + ": " + os_error(err));
    }
    // The rename itself reaches the disk only with the folder.
    const fs::path parent = fs::path(path_).parent_path();
    sync_folder(parent.empty() ? std::string(".") : parent.string());
}

void AtomicStream::fail(int err) {
    ::close(fd_);
    fd_ = -1;
    ::unlink(temporary_.c_str());
    throw IoError("cannot write " + path_ + ": " + os_error(err));
}

void write_file_atomically(const std::string& path, const std::string& content) {
    AtomicStream file(path);
    file.append(content);
    file.commit();
}

// --- FolderLock

FolderLock::FolderLock(const std::string& dir) : path_((fs::path(dir) / kLockFileName).string()) {
    for (;;) {
        fd_ = ::open(path_.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
        if (fd_ < 0) throw OutputError("cannot write to the folder " + dir + ": " + os_error(errno) + " (creating its lock file " + path_ + ")");
        if (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
            const int err = errno;
            const std::string holder = holder_of(fd_);
            ::close(fd_);
            fd_ = -1;
            if (err == EWOULDBLOCK)
                throw FolderBusy(dir + " is in use: another brink process" + holder +
                                 " is writing to it; wait for it to finish (or stop it), then try again");
            throw OutputError("cannot lock " + path_ + ": " + os_error(err));
        }
        // A holder that let go between our open and flock removed the file: the lock we got is
        // on a deleted file, so start again on the one now at that path.
        struct stat held {}, named {};
        if (::fstat(fd_, &held) == 0 && ::stat(path_.c_str(), &named) == 0 && held.st_dev == named.st_dev && held.st_ino == named.st_ino)
            break;
        ::close(fd_);
        fd_ = -1;
    }
    // The pid only names the holder in a second writer's message; the lock is what counts,
    // so a failure to note it (disk full) is not an error.
    const std::string pid = std::to_string(::getpid()) + "\n";
    [[maybe_unused]] const bool noted = ::ftruncate(fd_, 0) == 0 && ::pwrite(fd_, pid.data(), pid.size(), 0) == static_cast<ssize_t>(pid.size());
}

FolderLock::FolderLock(FolderLock&& other) noexcept : path_(std::move(other.path_)), fd_(std::exchange(other.fd_, -1)) {}

FolderLock::~FolderLock() {
    if (fd_ < 0) return;
    // Removed while still held, so no other process can hold a lock on this file afterwards
    // (one that opened it meanwhile sees it was removed, and starts again).
    ::unlink(path_.c_str());
    ::close(fd_);
}

FolderLock lock_new_folder(const std::string& dir) {
    std::error_code ec;
    if (fs::exists(dir, ec)) {
        if (!fs::is_directory(dir, ec)) throw OutputError(dir + " exists and is not a folder; choose another --out");
    } else {
        fs::create_directories(dir, ec);
        if (ec) throw OutputError("cannot create the output folder " + dir + ": " + ec.message());
    }
    if (::access(dir.c_str(), W_OK) != 0) throw OutputError("cannot write to the output folder " + dir + ": " + os_error(errno));
    const std::string refused = dir + " already holds files; choose another --out, or --resume it if it is an interrupted batch or sweep";
    if (holds_files(dir)) {
        // Busy says more than "holds files" when another brink is filling it right now.
        if (fs::exists(fs::path(dir) / kLockFileName, ec)) {
            const FolderLock probe(dir);
        }
        throw OutputError(refused);
    }
    FolderLock lock(dir);
    // Again under the lock: another writer may have filled it since the first look.
    if (holds_files(dir)) throw OutputError(refused);
    return lock;
}

}  // namespace brink
