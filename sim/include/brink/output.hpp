// Writing results: CSV and JSON files, written atomically, and the checkpoint
// that lets an interrupted batch resume with byte-identical results.
#pragma once

#include <cstdint>
#include <cstdio>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "brink/engine.hpp"

namespace brink {

/// Thrown for output problems the user can fix (unwritable folder, not a result folder, ...).
class OutputError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// An operating-system error while writing results (disk full, read-only file system, ...),
/// after the folder was accepted: the message names the operation, the path and the OS error.
/// What is on disk is still a resumable folder (or the old file, for an atomic write).
class IoError : public OutputError {
public:
    using OutputError::OutputError;
};

/// Another process is writing to the folder (it holds the folder's lock).
class FolderBusy : public OutputError {
public:
    using OutputError::OutputError;
};

/// The lock file inside a result folder.
inline constexpr const char* kLockFileName = ".lock";

/// One writer per result folder: an exclusive, non-blocking flock on DIR/.lock held while
/// the object lives; the file holds the holder's pid. The kernel drops the lock when the
/// process ends however it ends, so a kill -9 never blocks a later --resume; a clean release
/// removes the file.
class FolderLock {
public:
    /// Locks the existing folder `dir`. Throws FolderBusy if another process holds it, and
    /// OutputError if the folder cannot be written (read-only, no permission).
    explicit FolderLock(const std::string& dir);
    FolderLock(FolderLock&& other) noexcept;
    FolderLock(const FolderLock&) = delete;
    FolderLock& operator=(const FolderLock&) = delete;
    FolderLock& operator=(FolderLock&&) = delete;
    ~FolderLock();

private:
    std::string path_;
    int fd_ = -1;
};

/// Creates `dir`, or accepts it if it exists and holds nothing (but a stale lock file), and
/// locks it for a new batch or experiment; throws OutputError (FolderBusy) otherwise.
FolderLock lock_new_folder(const std::string& dir);

/// Writes `content` to `path` through a temporary file in the same folder and a rename,
/// then syncs the folder, so a reader (or a crash) sees the old file or the new one, never
/// half of one. Throws IoError.
void write_file_atomically(const std::string& path, const std::string& content);

/// A file written in pieces that appears whole or not at all: the pieces go to a
/// temporary file in the same folder; commit() syncs it, renames it into place and syncs
/// the folder. Destroyed without commit(), it leaves nothing. Throws IoError.
class AtomicStream {
public:
    explicit AtomicStream(std::string path);
    AtomicStream(const AtomicStream&) = delete;
    AtomicStream& operator=(const AtomicStream&) = delete;
    ~AtomicStream();
    void append(const std::string& text);
    void commit();

private:
    std::string path_, temporary_;
    int fd_ = -1;
    [[noreturn]] void fail(int err);
};

/// Renames `from` to `to` (same folder); throws IoError. Sync the folder afterwards.
void rename_file(const std::string& from, const std::string& to);

/// fsync on a folder, so that the renames and removals made in it survive a crash; throws IoError.
void sync_folder(const std::string& dir);

/// Refuses (OutputError) a folder whose manifest.json records another model_version or
/// stream_scheme than this build's (sim/include/brink/version.hpp), or none (an older Brink).
/// A folder without a manifest.json passes.
void check_manifest_versions(const std::string& dir);

/// A CSV cell: quoted (with "" for ") only when it holds a comma, quote or line break.
std::string csv_field(const std::string& text);

/// Shortest text that reads back as the same double (std::to_chars).
std::string format_double(double value);

/// What a batch was asked to do: stored in the checkpoint and the manifest.
struct BatchRecord {
    std::string scenario_name;
    std::string scenario_yaml;  ///< resolved
    std::uint64_t scenario_hash = 0;
    std::vector<std::string> scenario_files;
    std::vector<std::string> overrides;
    BatchPlan plan;
    std::string command_line;
};

/// A result folder being written: implements RunSink (streams rows in run-id order,
/// checkpoints every few seconds) and writes the summaries at the end.
class ResultFolder final : public RunSink {
public:
    /// Creates `dir` (which must not hold results yet) for a new batch, and locks it.
    static std::unique_ptr<ResultFolder> create(const std::string& dir, const Scenario& scenario, const BatchRecord& record);
    /// Locks and opens an interrupted batch; `totals` and the next run id come from its
    /// checkpoint. Checks everything (lock, versions, row files writable) before changing anything.
    static std::unique_ptr<ResultFolder> resume(const std::string& dir, const Scenario& scenario, BatchRecord& record,
                                                Aggregates& totals, std::uint64_t& next_run);
    /// Reads the batch record of an interrupted folder (to load its scenario before resume()).
    /// Refuses (OutputError) a folder written by another model version or stream scheme.
    static BatchRecord read_record(const std::string& dir);

    ~ResultFolder() override;
    void on_block(std::uint64_t first, const std::vector<RunSlot>& slots, std::size_t count, const Aggregates& totals) override;

    /// Writes summary.csv, summary.json, timeseries.csv and manifest.json; when `complete`,
    /// also moves runs.csv and errors.csv into place and removes the checkpoint, last.
    /// Throws IoError; the folder then still resumes (its checkpoint is kept until the end).
    void finish(const Aggregates& totals, const BatchStatus& status, bool complete, double wall_seconds,
                const std::string& started, const std::string& ended, int threads);

    const std::string& dir() const { return dir_; }

private:
    ResultFolder(std::string dir, FolderLock lock, const Scenario& scenario, BatchRecord record);
    /// Syncs the rows and writes checkpoint.bin; without `totals` (nothing done yet) the
    /// aggregates are left out.
    void checkpoint(const Aggregates* totals, std::uint64_t next_run);
    void sync_rows();

    std::string dir_;
    FolderLock lock_;  ///< held from create()/resume() until the folder is destroyed
    const Scenario& scenario_;
    BatchRecord record_;
    std::FILE* runs_ = nullptr;
    std::FILE* errors_ = nullptr;
    std::string buffer_;
    double last_checkpoint_ = 0.0;
};

/// Summary rows and JSON (exposed for tests and other commands).
std::string summary_csv(const Scenario& scenario, const Aggregates& totals);
std::string summary_json(const Scenario& scenario, const Aggregates& totals, const BatchRecord& record,
                         const BatchStatus& status);
std::string timeseries_csv(const Scenario& scenario, const Aggregates& totals);
std::string runs_csv_header(const Scenario& scenario);
void append_run_row(std::string& out, const Scenario& scenario, const RunResult& result, std::uint64_t seed);

/// Time-to-outcome quantile (inverse CDF, type 1) of an end-tick histogram; -1 when empty.
int histogram_quantile(const std::vector<std::uint64_t>& histogram, double q);

}  // namespace brink
