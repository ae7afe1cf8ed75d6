#include <cmath>
#include <map>

#include "brink/calendar.hpp"
#include "brink/git_commit.hpp"
#include "brink/history_output.hpp"
#include "brink/json.hpp"
#include "brink/output.hpp"
#include "brink/version.hpp"

namespace brink {

namespace {

void odds_row(std::string& out, const OddsAsOf& o, const std::string& kind, const std::string& name, const Odds& odds) {
    out += format_date(o.day) + "," + std::to_string(o.tick) + "," + std::to_string(o.particles) + "," + format_double(o.ess) + "," +
           kind + "," + csv_field(name) + "," + format_double(odds.probability) + "," + format_double(odds.interval.low) + "," +
           format_double(odds.interval.high) + "\n";
}

}  // namespace

std::string odds_csv(const Scenario& s, const Timeline& timeline, const std::vector<OddsAsOf>& series) {
    std::string out = "as_of,tick,particles,ess,kind,name,probability,low,high\n";
    for (const OddsAsOf& o : series) {
        for (int k = 0; k < kOutcomeCount; ++k)
            odds_row(out, o, "outcome", outcome_name(static_cast<Outcome>(k)), o.outcomes[static_cast<std::size_t>(k)]);
        for (std::size_t q = 0; q < o.questions.size(); ++q) odds_row(out, o, "question", timeline.questions[q].id, o.questions[q]);
        for (std::size_t r = 0; r < o.rung_by_horizon.size(); ++r) odds_row(out, o, "rung_reached", s.ladder[r].id, o.rung_by_horizon[r]);
        // The probability of everything observed by the date (no interval: an estimate's product).
        const double evidence = std::exp(o.log_evidence);
        odds_row(out, o, "observations", "all", Odds{evidence, Interval{evidence, evidence, evidence}});
    }
    return out;
}

std::string stages_csv(const std::vector<OddsAsOf>& series) {
    std::string out = "as_of,stage,tick,date,observations,attempts,rounds,survivors,acceptance,ess\n";
    for (const OddsAsOf& o : series)
        for (std::size_t k = 0; k < o.stages.size(); ++k) {
            const Stage& st = o.stages[k];
            std::string ids;
            for (const std::string& id : st.observations) ids += (ids.empty() ? "" : ";") + id;
            out += format_date(o.day) + "," + std::to_string(k + 1) + "," + std::to_string(st.tick) + "," + format_date(st.day) + "," +
                   csv_field(ids) + "," + std::to_string(st.attempts) + "," + std::to_string(st.rounds) + "," +
                   std::to_string(st.survivors) + "," + format_double(st.acceptance()) + "," + format_double(st.ess) + "\n";
        }
    return out;
}

std::string forecasts_csv(const Timeline& timeline) {
    std::string out = "question,who,date,probability,resolution,source\n";
    for (const Question& q : timeline.questions)
        for (const PublishedForecast& f : q.forecasts)
            out += q.id + "," + csv_field(f.who) + "," + format_date(f.day) + "," + format_double(f.probability) + "," +
                   (q.resolution ? "true" : "false") + "," + csv_field(f.source) + "\n";
    return out;
}

std::string backtest_csv(const std::vector<ScoredForecast>& scored) {
    std::string out = "question,who,date,probability,low,high,resolution,brier,log,brink_probability\n";
    for (const ScoredForecast& f : scored)
        out += f.question + "," + csv_field(f.who) + "," + format_date(f.day) + "," + format_double(f.probability) + "," +
               format_double(f.interval.low) + "," + format_double(f.interval.high) + "," + (f.resolution ? "true" : "false") + "," +
               format_double(f.brier) + "," + format_double(f.log) + "," +
               (f.brink_probability >= 0.0 ? format_double(f.brink_probability) : std::string()) + "\n";
    return out;
}

std::string backtest_json(const Backtest& bt) {
    Json j;
    j.begin_object();
    j.begin_array("means");
    for (const MeanScores& m : bt.means)
        j.begin_object().value("who", m.who).value("count", m.count).value("brier", m.brier).value("log", m.log)
            .value("brink_brier", m.brink_brier).value("brink_log", m.brink_log).end_object();
    j.end_array();
    j.begin_array("forecasts");
    for (const ScoredForecast& f : bt.scored) {
        j.begin_object().value("question", f.question).value("who", f.who).value("date", format_date(f.day));
        j.value("probability", f.probability);
        if (f.who == "Brink") j.value("ci95_low", f.interval.low).value("ci95_high", f.interval.high);
        else j.value("brink_probability", f.brink_probability);
        j.value("resolution", f.resolution).value("brier", f.brier).value("log", f.log).end_object();
    }
    j.end_array();
    j.begin_array("as_of");
    for (const OddsAsOf& o : bt.as_of)
        j.begin_object().value("date", format_date(o.day)).value("tick", o.tick).value("particles", o.particles).value("ess", o.ess).end_object();
    j.end_array();
    j.begin_array("not_scored");
    for (const std::string& id : bt.left_out) j.value("", id);
    j.end_array();
    j.end_object();
    return j.str();
}

std::string reliability_csv(const std::vector<ScoredForecast>& scored) {
    std::map<std::string, std::vector<ScoredForecast>> by_who;
    for (const ScoredForecast& f : scored) by_who[f.who == "Brink" ? std::string() : f.who].push_back(f);  // Brink first
    std::string out = "who,bin_low,bin_high,count,mean_probability,frequency\n";
    for (const auto& [who, list] : by_who)
        for (const ReliabilityBin& b : reliability(list))
            out += csv_field(who.empty() ? "Brink" : who) + "," + format_double(b.low) + "," + format_double(b.high) + "," +
                   std::to_string(b.count) + "," + (b.count ? format_double(b.mean_probability) : "") + "," +
                   (b.count ? format_double(b.frequency) : "") + "\n";
    return out;
}

std::string history_manifest(const HistoryRecord& r, const std::string& started, const std::string& ended) {
    Json j;
    j.begin_object();
    j.value("kind", r.kind).value("command", r.command).value("command_line", r.command_line);
    j.value("brink_version", kVersion);
    if (*kGitCommit) j.value("git_commit", kGitCommit);
    else j.null("git_commit");
    j.value("model_version", kModelVersion);
    j.begin_object("stream_scheme").value("name", kStreamScheme).value("version", kStreamSchemeVersion).end_object();
    j.begin_object("scenario").value("name", r.scenario_name);
    char hash[17];
    std::snprintf(hash, sizeof hash, "%016llx", static_cast<unsigned long long>(r.scenario_hash));
    j.value("hash", hash);
    j.begin_array("files");
    for (const std::string& f : r.scenario_files) j.value("", f);
    j.end_array().end_object();
    std::snprintf(hash, sizeof hash, "%016llx", static_cast<unsigned long long>(r.timeline_hash));
    j.begin_object("timeline").value("file", r.timeline_file).value("hash", hash).end_object();
    if (!r.ensemble_file.empty()) j.value("ensemble", r.ensemble_file);
    j.value("particles", r.plan.particles).value("seed", r.plan.seed).value("ess_floor", r.plan.ess_floor);
    j.value("max_rounds", r.plan.max_rounds).value("threads", r.threads);
    j.value("started", started).value("ended", ended).value("wall_seconds", r.wall_seconds);
    j.end_object();
    return j.str();
}

namespace {

/// "{a: 0.25, b: 0.75}" over names.
std::string named_values(const std::vector<std::string>& names, const std::vector<double>& values) {
    std::string out = "{";
    for (std::size_t k = 0; k < values.size(); ++k) out += (k ? ", " : "") + names[k] + ": " + format_double(values[k]);
    return out + "}";
}

std::vector<std::string> menu_names(const Scenario& s, std::size_t leader) {
    std::vector<std::string> names;
    for (const int a : s.leaders[leader].menu) names.push_back(s.actions[static_cast<std::size_t>(a)].name);
    return names;
}

}  // namespace

std::string state_yaml(const Scenario& s, const RunSnapshot& run, const std::string& origin) {
    std::string out = "# A Brink run paused between ticks: `brink branch SCENARIO --state THIS_FILE` continues it.\n"
                      "# Edit any value (names must stay the scenario's); docs/timelines.md, \"State files\".\n";
    out += "# " + origin + "\n";
    out += "scenario: " + Json::quote(s.name) + "   # informational\n";
    out += "model_version: " + std::to_string(kModelVersion) + "\n";
    out += "tick: " + std::to_string(run.tick) + "\n";
    if (s.start_day) out += "date: " + format_date(tick_date(*s.start_day, s.tick_days, run.tick)) + "   # informational: tick decides\n";
    out += "rung: " + s.ladder[static_cast<std::size_t>(run.rung)].id + "\n";
    if (s.nuclear.present()) out += "level: " + s.nuclear.levels[static_cast<std::size_t>(run.level)].id + "\n";
    out += "settled_ticks: " + std::to_string(run.settled_ticks) + "   # consecutive ticks in the settlement zone\n";
    out += "variables:\n";
    for (std::size_t v = 0; v < run.state.size(); ++v) out += "  " + s.variables[v] + ": " + format_double(run.state[v]) + "\n";
    out += "leaders:\n";
    for (std::size_t i = 0; i < 2; ++i) {
        const Leader& leader = s.leaders[i];
        out += "  " + leader.id + ":\n";
        out += "    last_move: " + (run.last[i] < 0 ? std::string("none") : s.actions[static_cast<std::size_t>(run.last[i])].name) + "\n";
        if (!leader.modes.empty()) out += "    mode: " + leader.modes[static_cast<std::size_t>(run.mode[i])].id + "\n";
        out += "    beliefs: " + named_values(menu_names(s, 1 - i), run.beliefs[i]) + "   # over the opponent's moves\n";
        if (!run.type_beliefs[i].empty()) {
            std::vector<std::string> modes;
            for (const Mode& m : s.leaders[1 - i].modes) modes.push_back(m.id);
            out += "    type_beliefs: " + named_values(modes, run.type_beliefs[i]) + "   # over the opponent's modes\n";
        }
    }
    if (!s.commitments.empty()) {
        out += "commitments:\n";
        for (std::size_t c = 0; c < s.commitments.size(); ++c)
            out += "  " + s.commitments[c].id + ": {active: " + (run.active[c] ? "true" : "false") + ", pending: " +
                   (run.pending[c] ? "true" : "false") + ", deadline: " + std::to_string(run.deadline[c]) +
                   ", credibility: " + format_double(run.credibility[c]) + "}\n";
    }
    return out;
}

}  // namespace brink
