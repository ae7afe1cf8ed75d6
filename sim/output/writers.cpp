// Result files: runs.csv (streamed in run-id order), errors.csv, summary.csv,
// summary.json, timeseries.csv, manifest.json, and the checkpoint for --resume.
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <utility>

#include "brink/output.hpp"
#include "brink/stats.hpp"
#include "brink/calendar.hpp"
#include "brink/git_commit.hpp"
#include "brink/version.hpp"
#include "brink/json.hpp"

namespace brink {

namespace fs = std::filesystem;

namespace {

// Format 2 adds the model version and stream scheme after the magic; format 1 (no versions) is refused.
constexpr char kCheckpointMagic[8] = {'B', 'R', 'I', 'N', 'K', 'C', 'P', '2'};
constexpr char kCheckpointMagicV1[8] = {'B', 'R', 'I', 'N', 'K', 'C', 'P', '1'};
constexpr const char* kRunsPartial = "runs.csv.partial";
constexpr const char* kErrorsPartial = "errors.csv.partial";
constexpr const char* kCheckpoint = "checkpoint.bin";
constexpr const char* kManifest = "manifest.json";
constexpr double kCheckpointSeconds = 2.0;
const double kQuantiles[] = {0.05, 0.25, 0.5, 0.75, 0.95};
const char* const kQuantileNames[] = {"q05", "q25", "q50", "q75", "q95"};

double seconds_now() {
    return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

std::string hex64(std::uint64_t v) {
    char buf[20];
    std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(v));
    return buf;
}

// --- checkpoint serialisation (native byte order: a checkpoint resumes on the machine that wrote it)
void put_u64(std::string& out, std::uint64_t v) { out.append(reinterpret_cast<const char*>(&v), sizeof v); }
void put_f64(std::string& out, double v) { out.append(reinterpret_cast<const char*>(&v), sizeof v); }
void put_str(std::string& out, const std::string& s) { put_u64(out, s.size()); out += s; }
void put_vec(std::string& out, const std::vector<std::uint64_t>& v) {
    put_u64(out, v.size());
    out.append(reinterpret_cast<const char*>(v.data()), v.size() * sizeof(std::uint64_t));
}

class Cursor {
public:
    Cursor(const std::string& data, std::string where) : data_(data), where_(std::move(where)) {}
    std::uint64_t u64() { std::uint64_t v; take(&v, sizeof v); return v; }
    double f64() { double v; take(&v, sizeof v); return v; }
    std::string str() {
        const std::uint64_t n = u64();
        if (n > data_.size() - pos_) fail();
        std::string s = data_.substr(pos_, n);
        pos_ += n;
        return s;
    }
    void vec(std::vector<std::uint64_t>& v) {
        const std::uint64_t n = u64();
        if (n != v.size()) fail();
        take(v.data(), n * sizeof(std::uint64_t));
    }
    bool at_end() const { return pos_ == data_.size(); }

private:
    void take(void* into, std::size_t n) {
        if (n > data_.size() - pos_) fail();
        std::memcpy(into, data_.data() + pos_, n);
        pos_ += n;
    }
    [[noreturn]] void fail() { throw OutputError(where_ + " is damaged or from another version of Brink"); }
    const std::string& data_;
    std::string where_;
    std::size_t pos_ = 0;
};

/// The aggregates' part of a checkpoint; create() leaves it out (nothing done yet).
void put_aggregates(std::string& out, const Aggregates& a) {
    std::size_t words = 2 + a.outcomes.size() + a.max_rung.size() + a.active_rung.size() + a.ended_rung.size() +
                        a.value_sum.size() + a.value_hist.size() + 5 + 2;
    for (const auto& h : a.end_tick) words += h.size() + 1;
    for (const auto& ac : a.action_counts) words += ac.size();
    out.reserve(out.size() + words * sizeof(std::uint64_t));
    put_u64(out, a.completed);
    put_u64(out, a.failed);
    for (const auto o : a.outcomes) put_u64(out, o);
    for (const auto& h : a.end_tick) put_vec(out, h);
    put_vec(out, a.max_rung);
    put_vec(out, a.active_rung);
    put_vec(out, a.ended_rung);
    put_vec(out, a.value_sum);
    put_vec(out, a.value_hist);
    for (const auto& ac : a.action_counts) put_vec(out, ac);
}

void read_aggregates(Cursor& c, Aggregates& totals) {
    totals.completed = c.u64();
    totals.failed = c.u64();
    for (auto& o : totals.outcomes) o = c.u64();
    for (auto& h : totals.end_tick) c.vec(h);
    c.vec(totals.max_rung);
    c.vec(totals.active_rung);
    c.vec(totals.ended_rung);
    c.vec(totals.value_sum);
    c.vec(totals.value_hist);
    for (auto& ac : totals.action_counts) c.vec(ac);
}

std::string record_bytes(const BatchRecord& r) {
    std::string out;
    put_str(out, r.scenario_name);
    put_str(out, r.scenario_yaml);
    put_u64(out, r.scenario_hash);
    put_u64(out, r.scenario_files.size());
    for (const auto& f : r.scenario_files) put_str(out, f);
    put_u64(out, r.overrides.size());
    for (const auto& o : r.overrides) put_str(out, o);
    put_u64(out, r.plan.runs);
    put_u64(out, r.plan.seed);
    put_f64(out, r.plan.precision);
    put_u64(out, r.plan.block_size);
    put_str(out, r.command_line);
    return out;
}

BatchRecord read_record_from(Cursor& c) {
    BatchRecord r;
    r.scenario_name = c.str();
    r.scenario_yaml = c.str();
    r.scenario_hash = c.u64();
    for (std::uint64_t n = c.u64(), i = 0; i < n; ++i) r.scenario_files.push_back(c.str());
    for (std::uint64_t n = c.u64(), i = 0; i < n; ++i) r.overrides.push_back(c.str());
    r.plan.runs = c.u64();
    r.plan.seed = c.u64();
    r.plan.precision = c.f64();
    r.plan.block_size = c.u64();
    r.command_line = c.str();
    return r;
}

std::string read_all(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw OutputError("cannot read " + path + ": " + std::strerror(errno));
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

void sync_file(std::FILE* f, const std::string& path) {
    if (std::fflush(f) != 0 || ::fsync(::fileno(f)) != 0) throw IoError("cannot write " + path + ": " + std::strerror(errno));
}

std::uint64_t checked_size(const fs::path& p) {
    std::error_code ec;
    const auto n = fs::file_size(p, ec);
    if (ec) throw OutputError("cannot read " + p.string() + ": " + ec.message());
    return n;
}

/// What this build computes: written after a checkpoint's magic, and checked on resume.
void put_versions(std::string& out) {
    put_u64(out, static_cast<std::uint64_t>(kModelVersion));
    put_str(out, kStreamScheme);
    put_u64(out, static_cast<std::uint64_t>(kStreamSchemeVersion));
}

/// Why `dir` cannot be resumed by this build, given what wrote it.
std::string version_refusal(const std::string& dir, const std::string& where, long long model, const std::string& scheme,
                            long long scheme_version) {
    if (model != kModelVersion)
        return dir + " was written by model version " + std::to_string(model) + " (" + where + "); this Brink runs model version " +
               std::to_string(kModelVersion) + ", so resuming would mix two models' runs. Start the batch again, or resume it with the Brink that started it";
    if (scheme != kStreamScheme || scheme_version != kStreamSchemeVersion)
        return dir + " was written with random-stream scheme " + scheme + " version " + std::to_string(scheme_version) + " (" + where +
               "); this Brink uses " + kStreamScheme + " version " + std::to_string(kStreamSchemeVersion) +
               ", so resuming would mix two streams' runs. Start the batch again, or resume it with the Brink that started it";
    return "";
}

/// The text of `"key": value` in a manifest written by Brink, searched within [from, to): a
/// string's contents or a number's digits; nullopt when the key is absent.
std::optional<std::string> manifest_scalar(const std::string& text, const std::string& key, std::size_t from = 0,
                                           std::size_t to = std::string::npos) {
    const std::string quoted = "\"" + key + "\"";
    std::size_t at = text.find(quoted, from);
    if (at == std::string::npos || at >= to) return std::nullopt;
    at = text.find_first_not_of(" \t\n", at + quoted.size());
    if (at == std::string::npos || text[at] != ':') return std::nullopt;
    at = text.find_first_not_of(" \t\n", at + 1);
    if (at == std::string::npos) return std::nullopt;
    if (text[at] == '"') {
        const std::size_t end = text.find('"', at + 1);
        if (end == std::string::npos) return std::nullopt;
        return text.substr(at + 1, end - at - 1);
    }
    const std::size_t end = text.find_first_of(",}\n", at);
    return text.substr(at, end == std::string::npos ? std::string::npos : end - at);
}

/// The checkpoint of `dir` after its magic and versions (refused when another build wrote it).
std::string checkpoint_body(const std::string& dir) {
    const fs::path path = fs::path(dir) / kCheckpoint;
    std::error_code ec;
    if (!fs::exists(path, ec)) {
        if (fs::exists(fs::path(dir) / kManifest, ec)) {
            const std::string kind = manifest_scalar(read_all((fs::path(dir) / kManifest).string()), "kind").value_or("");
            if (!kind.empty() && kind != "run" && kind != "branch")
                throw OutputError(dir + " is a " + kind + " folder, not a brink run batch; there is nothing for brink run to resume");
            throw OutputError(dir + " holds a finished batch; there is nothing to resume. For more runs, start a new batch with a "
                                    "larger --runs and the same --seed: its first runs are these, run for run");
        }
        throw OutputError(dir + " is not a Brink result folder (no checkpoint.bin)");
    }
    const std::string data = read_all(path.string());
    const auto starts_with = [&](const char (&magic)[8]) { return data.size() >= 8 && data.compare(0, 8, magic, 8) == 0; };
    if (starts_with(kCheckpointMagicV1))
        throw OutputError(dir + " was written by an older Brink (checkpoint format 1, which records no model version); "
                                "resume it with the Brink that started it, or start the batch again");
    if (!starts_with(kCheckpointMagic)) throw OutputError(path.string() + " is not a Brink checkpoint");
    const std::string body = data.substr(sizeof kCheckpointMagic);
    Cursor c(body, path.string());
    const auto model = static_cast<long long>(c.u64());
    const std::string scheme = c.str();
    const auto scheme_version = static_cast<long long>(c.u64());
    if (const std::string why = version_refusal(dir, "its checkpoint.bin", model, scheme, scheme_version); !why.empty())
        throw OutputError(why);
    const std::size_t header = 8 + 8 + scheme.size() + 8;
    return body.substr(header);
}

long long manifest_integer(const std::optional<std::string>& text) {
    long long v = -1;
    if (!text || std::from_chars(text->data(), text->data() + text->size(), v).ec != std::errc()) return -1;
    return v;
}

}  // namespace

void check_manifest_versions(const std::string& dir) {
    const fs::path path = fs::path(dir) / kManifest;
    std::error_code ec;
    if (!fs::exists(path, ec)) return;  // a crashed batch has none yet; its checkpoint says the same
    const std::string text = read_all(path.string());
    const auto model = manifest_scalar(text, "model_version");
    const std::size_t scheme_at = text.find("\"stream_scheme\"");
    const std::size_t scheme_end = scheme_at == std::string::npos ? scheme_at : text.find('}', scheme_at);
    const auto scheme = scheme_at == std::string::npos ? std::nullopt : manifest_scalar(text, "name", scheme_at, scheme_end);
    const auto scheme_version = scheme_at == std::string::npos ? std::nullopt : manifest_scalar(text, "version", scheme_at, scheme_end);
    if (!model || !scheme || !scheme_version)
        throw OutputError(dir + " was written by an older Brink (its manifest.json records no model_version or stream_scheme); "
                                "resume it with the Brink that started it, or start the batch again");
    if (const std::string why = version_refusal(dir, "its manifest.json", manifest_integer(model), *scheme, manifest_integer(scheme_version));
        !why.empty())
        throw OutputError(why);
}

namespace {

void put_version_fields(Json& j) {
    j.value("model_version", kModelVersion);
    j.begin_object("stream_scheme").value("name", kStreamScheme).value("version", kStreamSchemeVersion).end_object();
}

}  // namespace

std::string csv_field(const std::string& text) {
    if (text.find_first_of(",\"\n\r") == std::string::npos) return text;
    std::string out = "\"";
    for (const char c : text) out += c == '"' ? std::string("\"\"") : std::string(1, c);
    return out + "\"";
}

int histogram_quantile(const std::vector<std::uint64_t>& histogram, double q) {
    std::uint64_t total = 0;
    for (const auto c : histogram) total += c;
    if (total == 0) return -1;
    // Smallest t with F(t) >= q (inverse CDF, Hyndman–Fan type 1).
    const double target = q * static_cast<double>(total);
    std::uint64_t cumulative = 0;
    for (std::size_t t = 0; t < histogram.size(); ++t) {
        cumulative += histogram[t];
        if (static_cast<double>(cumulative) >= target && cumulative > 0) return static_cast<int>(t);
    }
    return static_cast<int>(histogram.size()) - 1;
}

std::string runs_csv_header(const Scenario& s) {
    std::string h = "run_id,seed,outcome,end_tick,end_day,max_rung,final_rung";
    for (const Rung& r : s.ladder) h += ",first_tick_" + r.id;
    for (const std::string& v : s.variables) h += ",final_" + v;
    for (const Leader& l : s.leaders)
        for (const int a : l.menu) h += "," + l.id + "_" + s.actions[static_cast<std::size_t>(a)].name;
    // Version-2 mechanisms, only where the scenario has them (a version-1 file keeps its columns).
    if (s.nuclear.present()) {
        h += ",max_level,final_level";
        for (const Rung& level : s.nuclear.levels) h += ",first_tick_level_" + level.id;
    }
    for (const Commitment& c : s.commitments) h += ",honoured_" + c.id + ",bluffed_" + c.id + ",credibility_" + c.id;
    for (const Leader& l : s.leaders)
        for (const Mode& m : l.modes) h += ",first_tick_mode_" + l.id + "_" + m.id;
    // Each rung's history (issue 14): the last tick at it and the ticks spent there.
    for (const Rung& r : s.ladder) h += ",last_tick_" + r.id;
    for (const Rung& r : s.ladder) h += ",ticks_at_" + r.id;
    // Calendar dates, only for a scenario with a start date (others keep their columns).
    if (s.start_day) {
        h += ",end_date";
        for (const Rung& r : s.ladder) h += ",first_date_" + r.id;
    }
    return h + "\n";
}

namespace {

/// A first-tick cell: empty when never reached (NA in pandas and R).
void append_tick(std::string& out, int tick) {
    out += ',';
    if (tick >= 0) out += std::to_string(tick);
}

/// The cells of runs_csv_header's version-2 columns, in its order.
void append_version2_cells(std::string& out, const Scenario& s, const RunResult& r) {
    if (s.nuclear.present()) {
        out += ',';
        out += std::to_string(r.max_level);
        out += ',';
        out += std::to_string(r.final_level);
        for (const int t : r.first_tick_at_level) append_tick(out, t);
    }
    for (std::size_t c = 0; c < s.commitments.size(); ++c) {
        out += ',';
        out += std::to_string(r.honoured[c]);
        out += ',';
        out += std::to_string(r.bluffed[c]);
        out += ',';
        out += format_double(r.final_credibility[c]);
    }
    for (const auto& modes : r.first_tick_in_mode)
        for (const int t : modes) append_tick(out, t);
}

/// The cells of each rung's history and, with a calendar, the dates.
void append_history_cells(std::string& out, const Scenario& s, const RunResult& r) {
    for (const int t : r.last_tick_at_rung) append_tick(out, t);
    for (const int n : r.ticks_at_rung) {
        out += ',';
        out += std::to_string(n);
    }
    if (!s.start_day) return;
    out += ',';
    out += format_date(tick_date(*s.start_day, s.tick_days, r.end_tick));
    for (const int t : r.first_tick_at_rung) {
        out += ',';
        if (t >= 0) out += format_date(tick_date(*s.start_day, s.tick_days, t));
    }
}

}  // namespace

void append_run_row(std::string& out, const Scenario& s, const RunResult& r, std::uint64_t seed) {
    out += std::to_string(r.run_id);
    out += ',';
    out += std::to_string(seed);
    out += ',';
    out += outcome_name(r.outcome);
    out += ',';
    out += std::to_string(r.end_tick);
    out += ',';
    out += format_double(r.end_tick * s.tick_days);
    out += ',';
    out += std::to_string(r.max_rung);
    out += ',';
    out += std::to_string(r.final_rung);
    for (const int t : r.first_tick_at_rung) {
        out += ',';
        if (t >= 0) out += std::to_string(t);  // empty: never reached (NA in pandas and R)
    }
    for (const double v : r.final_state) {
        out += ',';
        out += format_double(v);
    }
    for (const auto& counts : r.action_counts)
        for (const int c : counts) {
            out += ',';
            out += std::to_string(c);
        }
    append_version2_cells(out, s, r);
    append_history_cells(out, s, r);
    if (r.parameter_set >= 0) {
        out += ',';
        out += std::to_string(r.parameter_set);
    }
    out += '\n';
}

std::string summary_csv(const Scenario& s, const Aggregates& a) {
    std::string out = "quantity,outcome,tick,rung,value,ci_low,ci_high,count,runs\n";
    const std::uint64_t n = a.completed;
    const auto row = [&](const std::string& quantity, const std::string& outcome, const std::string& tick,
                         const std::string& rung, const std::string& value, const std::string& low,
                         const std::string& high, std::uint64_t count) {
        out += quantity + "," + outcome + "," + tick + "," + rung + "," + value + "," + low + "," + high + "," +
               std::to_string(count) + "," + std::to_string(n) + "\n";
    };
    for (int k = 0; k < kOutcomeCount; ++k) {
        const std::string name = outcome_name(static_cast<Outcome>(k));
        const Interval ci = wilson(a.outcomes[static_cast<std::size_t>(k)], n);
        row("probability", name, "", "", format_double(ci.estimate), format_double(ci.low), format_double(ci.high),
            a.outcomes[static_cast<std::size_t>(k)]);
    }
    for (int k = 0; k < kOutcomeCount; ++k) {
        const std::string name = outcome_name(static_cast<Outcome>(k));
        for (std::size_t q = 0; q < std::size(kQuantiles); ++q) {
            const int t = histogram_quantile(a.end_tick[static_cast<std::size_t>(k)], kQuantiles[q]);
            row(std::string("end_tick_") + kQuantileNames[q], name, t < 0 ? "" : std::to_string(t), "", t < 0 ? "" : std::to_string(t),
                "", "", a.outcomes[static_cast<std::size_t>(k)]);
        }
    }
    for (int r = 0; r < a.rungs; ++r) {
        const Interval ci = wilson(a.max_rung[static_cast<std::size_t>(r)], n);
        row("max_rung_share", "", "", s.ladder[static_cast<std::size_t>(r)].id, format_double(ci.estimate),
            format_double(ci.low), format_double(ci.high), a.max_rung[static_cast<std::size_t>(r)]);
    }
    for (int k = 0; k < kOutcomeCount; ++k) {
        const std::string name = outcome_name(static_cast<Outcome>(k));
        std::uint64_t cumulative = 0;
        for (int t = 0; t <= a.horizon; ++t) {
            cumulative += a.end_tick[static_cast<std::size_t>(k)][static_cast<std::size_t>(t)];
            const Interval ci = wilson(cumulative, n);
            row("cumulative_incidence", name, std::to_string(t), "", format_double(ci.estimate), format_double(ci.low),
                format_double(ci.high), cumulative);
        }
    }
    return out;
}

std::string summary_json(const Scenario& s, const Aggregates& a, const BatchRecord& record, const BatchStatus& status) {
    Json j;
    j.begin_object();
    j.value("scenario", s.name);
    j.value("scenario_hash", hex64(record.scenario_hash));
    j.value("seed", record.plan.seed);
    j.value("runs_requested", record.plan.runs);
    j.value("runs_completed", a.completed);
    j.value("runs_failed", a.failed);
    j.value("precision_target", record.plan.precision);
    j.value("stopped_by", stop_reason_name(status.reason));
    j.value("tick_days", s.tick_days);
    if (s.start_day) j.value("start_date", format_date(*s.start_day));
    j.value("horizon", s.horizon);
    j.begin_object("outcomes");
    for (int k = 0; k < kOutcomeCount; ++k) {
        const auto kk = static_cast<std::size_t>(k);
        const Interval ci = wilson(a.outcomes[kk], a.completed);
        j.begin_object(outcome_name(static_cast<Outcome>(k)));
        j.value("count", a.outcomes[kk]);
        j.value("probability", ci.estimate);
        j.value("ci95_low", ci.low);
        j.value("ci95_high", ci.high);
        j.begin_object("end_tick_quantiles");
        for (std::size_t q = 0; q < std::size(kQuantiles); ++q) {
            const int t = histogram_quantile(a.end_tick[kk], kQuantiles[q]);
            if (t < 0) j.null(kQuantileNames[q]);
            else j.value(kQuantileNames[q], t);
        }
        j.end_object();
        if (s.start_day) {
            j.begin_object("end_date_quantiles");
            for (std::size_t q = 0; q < std::size(kQuantiles); ++q) {
                const int t = histogram_quantile(a.end_tick[kk], kQuantiles[q]);
                if (t < 0) j.null(kQuantileNames[q]);
                else j.value(kQuantileNames[q], format_date(tick_date(*s.start_day, s.tick_days, t)));
            }
            j.end_object();
        }
        j.begin_array("cumulative_incidence");
        std::uint64_t cumulative = 0;
        for (int t = 0; t <= a.horizon; ++t) {
            cumulative += a.end_tick[kk][static_cast<std::size_t>(t)];
            const Interval c = wilson(cumulative, a.completed);
            j.begin_object().value("tick", t).value("share", c.estimate).value("ci95_low", c.low).value("ci95_high", c.high).end_object();
        }
        j.end_array();
        j.end_object();
    }
    j.end_object();
    // How often each leader chose each action, over all decisions of all completed runs.
    j.begin_object("actions");
    for (std::size_t i = 0; i < 2; ++i) {
        const Leader& l = s.leaders[i];
        std::uint64_t decisions = 0;
        for (const auto c : a.action_counts[i]) decisions += c;
        j.begin_object(l.id);
        for (std::size_t m = 0; m < l.menu.size(); ++m) {
            const std::uint64_t c = a.action_counts[i][m];
            j.begin_object(s.actions[static_cast<std::size_t>(l.menu[m])].name)
                .value("count", c)
                .value("share", decisions ? static_cast<double>(c) / static_cast<double>(decisions) : 0.0)
                .end_object();
        }
        j.end_object();
    }
    j.end_object();
    j.begin_array("max_rung");
    for (int r = 0; r < a.rungs; ++r) {
        const Interval c = wilson(a.max_rung[static_cast<std::size_t>(r)], a.completed);
        j.begin_object()
            .value("rung", r)
            .value("id", s.ladder[static_cast<std::size_t>(r)].id)
            .value("count", a.max_rung[static_cast<std::size_t>(r)])
            .value("share", c.estimate)
            .value("ci95_low", c.low)
            .value("ci95_high", c.high)
            .end_object();
    }
    j.end_array();
    j.end_object();
    return j.str();
}

std::string timeseries_csv(const Scenario& s, const Aggregates& a) {
    std::string out = s.start_day ? "tick,day,date,active_runs" : "tick,day,active_runs";
    for (const Rung& r : s.ladder) out.append(",active_rung_").append(r.id);
    for (const Rung& r : s.ladder) out.append(",all_rung_").append(r.id);
    for (const std::string& v : s.variables)
        for (const char* suffix : {"_mean", "_q05", "_q50", "_q95"}) out.append(",").append(v).append(suffix);
    out += "\n";
    std::vector<std::uint64_t> ended_so_far(static_cast<std::size_t>(a.rungs), 0);
    for (int t = 0; t <= a.horizon; ++t) {
        std::uint64_t active = 0;
        for (int r = 0; r < a.rungs; ++r) active += a.active_rung[a.tick_rung(t, r)];
        out += std::to_string(t) + "," + format_double(t * s.tick_days) + ",";
        if (s.start_day) out += format_date(tick_date(*s.start_day, s.tick_days, t)) + ",";
        out += std::to_string(active);
        for (int r = 0; r < a.rungs; ++r)
            out.append(",").append(active ? format_double(static_cast<double>(a.active_rung[a.tick_rung(t, r)]) / static_cast<double>(active)) : std::string());
        // Over all runs, a run that has ended stays at its final rung.
        for (int r = 0; r < a.rungs; ++r) {
            const std::uint64_t here = a.active_rung[a.tick_rung(t, r)] + ended_so_far[static_cast<std::size_t>(r)];
            out.append(",").append(a.completed ? format_double(static_cast<double>(here) / static_cast<double>(a.completed)) : std::string());
        }
        for (int v = 0; v < a.variables; ++v) {
            if (active == 0) { out += ",,,,"; continue; }
            out.append(",").append(format_double(static_cast<double>(a.value_sum[a.tick_var(t, v)]) / kFixedPointScale / static_cast<double>(active)));
            for (const double q : {0.05, 0.5, 0.95}) {
                // Quantile from the histogram, interpolated linearly within its bin.
                const double target = q * static_cast<double>(active);
                std::uint64_t cumulative = 0;
                double value = 1.0;
                for (int b = 0; b < kQuantileBins; ++b) {
                    const std::uint64_t c = a.value_hist[a.tick_var_bin(t, v, b)];
                    if (c > 0 && static_cast<double>(cumulative + c) >= target) {
                        const double within = (target - static_cast<double>(cumulative)) / static_cast<double>(c);
                        value = (b + std::clamp(within, 0.0, 1.0)) / kQuantileBins;
                        break;
                    }
                    cumulative += c;
                }
                out.append(",").append(format_double(value));
            }
        }
        out += "\n";
        for (int r = 0; r < a.rungs; ++r) ended_so_far[static_cast<std::size_t>(r)] += a.ended_rung[a.tick_rung(t, r)];
    }
    return out;
}

// --- ResultFolder

ResultFolder::ResultFolder(std::string dir, FolderLock lock, const Scenario& scenario, BatchRecord record)
    : dir_(std::move(dir)), lock_(std::move(lock)), scenario_(scenario), record_(std::move(record)), last_checkpoint_(seconds_now()) {}

ResultFolder::~ResultFolder() {
    if (runs_) std::fclose(runs_);
    if (errors_) std::fclose(errors_);
}

namespace {

std::FILE* open_rows(const fs::path& path, const char* mode) {
    std::FILE* f = std::fopen(path.c_str(), mode);
    if (!f) throw IoError("cannot write " + path.string() + ": " + std::strerror(errno));
    return f;
}

void write_rows(std::FILE* f, const std::string& text, const fs::path& path) {
    if (!text.empty() && std::fwrite(text.data(), 1, text.size(), f) != text.size())
        throw IoError("cannot write " + path.string() + ": " + std::strerror(errno));
}

/// Closes a row file, reporting what its last flush could not write.
void close_rows(std::FILE*& f, const fs::path& path) {
    std::FILE* file = std::exchange(f, nullptr);
    if (std::fclose(file) != 0) throw IoError("cannot write " + path.string() + ": " + std::strerror(errno));
}

std::uint64_t position(std::FILE* f, const fs::path& path) {
    const long at = std::ftell(f);
    if (at < 0) throw IoError("cannot write " + path.string() + ": " + std::strerror(errno));
    return static_cast<std::uint64_t>(at);
}

}  // namespace

std::unique_ptr<ResultFolder> ResultFolder::create(const std::string& dir, const Scenario& scenario, const BatchRecord& record) {
    std::unique_ptr<ResultFolder> folder(new ResultFolder(dir, lock_new_folder(dir), scenario, record));
    const fs::path d(dir);
    try {
        folder->runs_ = open_rows(d / kRunsPartial, "wb");
        folder->errors_ = open_rows(d / kErrorsPartial, "wb");
        std::string header = runs_csv_header(scenario);
        if (record.plan.ensemble) header.insert(header.size() - 1, ",parameter_set");  // ensemble runs: the member each played
        write_rows(folder->runs_, header, d / kRunsPartial);
        write_rows(folder->errors_, "run_id,seed,error\n", d / kErrorsPartial);
        write_file_atomically((d / "scenario.yaml").string(), record.scenario_yaml);
        folder->checkpoint(nullptr, 0);
    } catch (const OutputError&) {
        // Leave the folder empty, as it was found, so the same --out works once the problem is fixed.
        for (const char* name : {kCheckpoint, "scenario.yaml", kRunsPartial, kErrorsPartial}) ::unlink((d / name).c_str());
        throw;
    }
    return folder;
}

BatchRecord ResultFolder::read_record(const std::string& dir) {
    const std::string body = checkpoint_body(dir);
    check_manifest_versions(dir);
    Cursor c(body, (fs::path(dir) / kCheckpoint).string());
    return read_record_from(c);
}

std::unique_ptr<ResultFolder> ResultFolder::resume(const std::string& dir, const Scenario& scenario, BatchRecord& record,
                                                   Aggregates& totals, std::uint64_t& next_run) {
    const fs::path d(dir);
    FolderLock lock(dir);
    // Read (again) under the lock: a writer that held it may have moved the batch on.
    const std::string body = checkpoint_body(dir);
    check_manifest_versions(dir);
    const fs::path path = d / kCheckpoint;
    Cursor c(body, path.string());
    record = read_record_from(c);
    next_run = c.u64();
    const std::uint64_t runs_bytes = c.u64();
    const std::uint64_t errors_bytes = c.u64();
    totals.reset(scenario);
    if (next_run == 0 && c.at_end()) {
        // Written by create(): nothing done yet, so no aggregates.
    } else {
        read_aggregates(c, totals);
        if (!c.at_end()) throw OutputError(path.string() + " is damaged (trailing bytes)");
    }

    // Everything is checked before anything changes, so a refused resume leaves the folder as
    // it was. An interrupted batch left its rows under the final names; a crash left them partial.
    struct Rows {
        const char* final_name;
        const char* partial;
        std::uint64_t bytes;
        fs::path source;
    };
    Rows rows[] = {{"runs.csv", kRunsPartial, runs_bytes, {}}, {"errors.csv", kErrorsPartial, errors_bytes, {}}};
    for (Rows& r : rows) {
        std::error_code ec;
        r.source = fs::exists(d / r.partial, ec) ? d / r.partial : d / r.final_name;
        if (!fs::exists(r.source, ec)) throw OutputError(dir + " has neither " + r.final_name + " nor " + r.partial + "; cannot resume");
        if (checked_size(r.source) < r.bytes) throw OutputError(r.source.string() + " is shorter than its checkpoint says; cannot resume");
    }
    std::unique_ptr<ResultFolder> folder(new ResultFolder(dir, std::move(lock), scenario, record));
    std::FILE** files[] = {&folder->runs_, &folder->errors_};
    for (std::size_t k = 0; k < 2; ++k) {
        *files[k] = std::fopen(rows[k].source.c_str(), "r+b");
        if (!*files[k]) throw OutputError("cannot write " + rows[k].source.string() + ": " + std::strerror(errno) + "; nothing was changed");
    }
    // Rows written after the last checkpoint are dropped: they will be simulated again.
    for (std::size_t k = 0; k < 2; ++k) {
        std::FILE* f = *files[k];
        if (::ftruncate(::fileno(f), static_cast<off_t>(rows[k].bytes)) != 0 || std::fseek(f, 0, SEEK_END) != 0)
            throw IoError("cannot cut " + rows[k].source.string() + " back to its checkpoint: " + std::strerror(errno));
    }
    bool renamed = false;
    for (const Rows& r : rows)
        if (r.source != d / r.partial) {
            rename_file(r.source.string(), (d / r.partial).string());
            renamed = true;
        }
    if (renamed) sync_folder(dir);
    return folder;
}

void ResultFolder::on_block(std::uint64_t first, const std::vector<RunSlot>& slots, std::size_t count, const Aggregates& totals) {
    buffer_.clear();
    std::string errors;
    for (std::size_t k = 0; k < count; ++k) {
        const RunSlot& slot = slots[k];
        if (slot.failed) errors += std::to_string(slot.result.run_id) + "," + std::to_string(record_.plan.seed) + "," + csv_field(slot.error) + "\n";
        else append_run_row(buffer_, scenario_, slot.result, record_.plan.seed);
    }
    write_rows(runs_, buffer_, fs::path(dir_) / kRunsPartial);
    write_rows(errors_, errors, fs::path(dir_) / kErrorsPartial);
    if (seconds_now() - last_checkpoint_ >= kCheckpointSeconds) checkpoint(&totals, first + count);
}

void ResultFolder::sync_rows() {
    sync_file(runs_, (fs::path(dir_) / kRunsPartial).string());
    sync_file(errors_, (fs::path(dir_) / kErrorsPartial).string());
}

void ResultFolder::checkpoint(const Aggregates* a, std::uint64_t next_run) {
    sync_rows();
    std::string out(kCheckpointMagic, sizeof kCheckpointMagic);
    put_versions(out);
    out += record_bytes(record_);
    put_u64(out, next_run);
    put_u64(out, position(runs_, fs::path(dir_) / kRunsPartial));
    put_u64(out, position(errors_, fs::path(dir_) / kErrorsPartial));
    if (a) put_aggregates(out, *a);
    write_file_atomically((fs::path(dir_) / kCheckpoint).string(), out);
    last_checkpoint_ = seconds_now();
}

void ResultFolder::finish(const Aggregates& totals, const BatchStatus& status, bool complete, double wall_seconds,
                          const std::string& started, const std::string& ended, int threads) {
    const fs::path d(dir_);
    // An interrupted batch keeps a checkpoint to resume from; a complete one only needs
    // its rows on disk before they take their final names.
    if (complete) sync_rows();
    else checkpoint(&totals, status.next_run);
    write_file_atomically((d / "summary.csv").string(), summary_csv(scenario_, totals));
    write_file_atomically((d / "summary.json").string(), summary_json(scenario_, totals, record_, status));
    write_file_atomically((d / "timeseries.csv").string(), timeseries_csv(scenario_, totals));

    Json j;
    j.begin_object();
    j.value("kind", "run");
    j.value("brink_version", kVersion);
    if (*kGitCommit) j.value("git_commit", kGitCommit);
    else j.null("git_commit");
    put_version_fields(j);
    j.value("complete", complete);
    j.value("stopped_by", stop_reason_name(status.reason));
    j.value("scenario", scenario_.name);
    j.value("scenario_hash", hex64(record_.scenario_hash));
    j.begin_array("scenario_files");
    for (const auto& f : record_.scenario_files) j.value("", f);
    j.end_array();
    j.begin_array("overrides");
    for (const auto& o : record_.overrides) j.value("", o);
    j.end_array();
    j.value("seed", record_.plan.seed);
    j.value("runs_requested", record_.plan.runs);
    j.value("runs_done", status.next_run);
    j.value("runs_completed", totals.completed);
    j.value("runs_failed", totals.failed);
    j.value("precision_target", record_.plan.precision);
    j.value("block_size", record_.plan.block_size);
    j.value("threads", threads);
    j.value("command_line", record_.command_line);
    j.value("started", started);
    j.value("ended", ended);
    j.value("wall_seconds", wall_seconds);
    j.value("resolved_scenario", record_.scenario_yaml);
    j.end_object();

    close_rows(runs_, d / kRunsPartial);
    close_rows(errors_, d / kErrorsPartial);
    // The row files take their final names: complete, or the completed prefix of an interrupted
    // batch. The checkpoint goes last: until it is removed, a failure anywhere here leaves a
    // folder that --resume finishes (to the same bytes).
    rename_file((d / kRunsPartial).string(), (d / "runs.csv").string());
    rename_file((d / kErrorsPartial).string(), (d / "errors.csv").string());
    write_file_atomically((d / kManifest).string(), j.str());  // syncs the folder, renames included
    if (complete) {
        if (::unlink((d / kCheckpoint).c_str()) != 0)
            throw IoError("cannot remove " + (d / kCheckpoint).string() + ": " + std::strerror(errno));
        sync_folder(dir_);
    }
}

}  // namespace brink
