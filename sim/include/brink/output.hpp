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

/// Writes `content` to `path` through a temporary file in the same folder and a rename,
/// so a reader sees the old file or the new one, never half of one.
void write_file_atomically(const std::string& path, const std::string& content);

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
    /// Creates `dir` (which must not hold results yet) for a new batch.
    static std::unique_ptr<ResultFolder> create(const std::string& dir, const Scenario& scenario, const BatchRecord& record);
    /// Opens an interrupted batch; `totals` and the next run id come from its checkpoint.
    static std::unique_ptr<ResultFolder> resume(const std::string& dir, const Scenario& scenario, BatchRecord& record,
                                                Aggregates& totals, std::uint64_t& next_run);
    /// Reads the batch record of an interrupted folder (to load its scenario before resume()).
    static BatchRecord read_record(const std::string& dir);

    ~ResultFolder() override;
    void on_block(std::uint64_t first, const std::vector<RunSlot>& slots, std::size_t count, const Aggregates& totals) override;

    /// Writes summary.csv, summary.json, timeseries.csv and manifest.json; when `complete`,
    /// also moves runs.csv and errors.csv into place and removes the checkpoint.
    void finish(const Aggregates& totals, const BatchStatus& status, bool complete, double wall_seconds,
                const std::string& started, const std::string& ended, int threads);

    const std::string& dir() const { return dir_; }

private:
    ResultFolder(std::string dir, const Scenario& scenario, BatchRecord record);
    /// Syncs the rows and writes checkpoint.bin; without `totals` (nothing done yet) the
    /// aggregates are left out.
    void checkpoint(const Aggregates* totals, std::uint64_t next_run);
    void sync_rows();

    std::string dir_;
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
