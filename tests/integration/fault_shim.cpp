// Test-only fault injection for tests/integration/fsync_faults.sh, loaded with LD_PRELOAD
// into the real binary. It wraps fsync() and close():
//  - every fsync is logged with the path of its descriptor (/proc/self/fd), so the test
//    can see that a folder is synced after the files renamed into it;
//  - with BRINK_FAULT_FSYNC=SUBSTRING, an fsync of a file whose path contains SUBSTRING
//    fails with EIO (a disk that reports a write error), and the test can see whether that
//    descriptor was closed all the same.
// The log (BRINK_FAULT_LOG) gets one line per event: "fsync PATH", "failed FD PATH",
// "closed-failed FD".
#include <dlfcn.h>
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace {

using fsync_fn = int (*)(int);
using close_fn = int (*)(int);

constexpr int kMaxFailed = 64;
int failed_fds[kMaxFailed];
int failed_count = 0;

void log_line(const char* format, int fd, const char* path) {
    const char* log = std::getenv("BRINK_FAULT_LOG");
    if (!log) return;
    char line[4200];
    const int n = std::snprintf(line, sizeof line, format, fd, path);
    if (n <= 0) return;
    // O_APPEND writes of one line each: threads and processes do not interleave them.
    const int out = ::open(log, O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (out < 0) return;
    [[maybe_unused]] const ssize_t written = ::write(out, line, static_cast<std::size_t>(n));
    reinterpret_cast<close_fn>(dlsym(RTLD_NEXT, "close"))(out);
}

void path_of(int fd, char* path, std::size_t size) {
    char link[64];
    std::snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
    const ssize_t n = ::readlink(link, path, size - 1);
    path[n > 0 ? n : 0] = '\0';
}

}  // namespace

extern "C" int fsync(int fd) {
    static const auto real = reinterpret_cast<fsync_fn>(dlsym(RTLD_NEXT, "fsync"));
    char path[4096];
    path_of(fd, path, sizeof path);
    const char* fail = std::getenv("BRINK_FAULT_FSYNC");
    if (fail && *fail && std::strstr(path, fail) && failed_count < kMaxFailed) {
        failed_fds[failed_count++] = fd;
        log_line("failed %d %s\n", fd, path);
        errno = EIO;
        return -1;
    }
    log_line("fsync %d %s\n", fd, path);
    return real(fd);
}

extern "C" int close(int fd) {
    static const auto real = reinterpret_cast<close_fn>(dlsym(RTLD_NEXT, "close"));
    for (int k = 0; k < failed_count; ++k)
        if (failed_fds[k] == fd) {
            failed_fds[k] = -1;
            log_line("closed-failed %d%s\n", fd, "");
        }
    return real(fd);
}
