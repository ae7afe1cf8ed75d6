#pragma once

namespace brink::cli {

/// Exit codes, following convention.
enum Exit : int {
    ok = 0,
    runtime_failure = 1,  ///< some runs failed, or an I/O error mid-batch
    usage_error = 2,      ///< bad flags, bad scenario, unwritable output folder
    interrupted_sigint = 130,
    interrupted_sigterm = 143,
};

int main(int argc, char** argv);

}  // namespace brink::cli
