#include "brink/trace.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <utility>

#include "brink/calendar.hpp"
#include "brink/output.hpp"
#include "brink/json.hpp"

namespace brink {

namespace {

class TraceRecorder final : public TickObserver {
public:
    explicit TraceRecorder(Trace& t, int variables) : t_(t), variables_(variables) {}
    bool wants_details() const override { return true; }
    void on_start(const double* state, int rung) override {
        t_.initial_state.assign(state, state + variables_);
        t_.initial_rung = rung;
    }
    void on_tick(const TickView& view) override {
        t_.ticks.push_back(view);
        t_.states.emplace_back(view.state, view.state + variables_);
        t_.ticks.back().state = nullptr;  // the pointer would dangle; states[] holds the values
    }

private:
    Trace& t_;
    int variables_;
};

std::string fixed(double v, int digits = 2) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.*f", digits, v);
    return buf;
}

std::string signed_fixed(double v, int digits = 3) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%+.*f", digits, v);
    return buf;
}

const std::string& action_name(const Scenario& s, int a) { return s.actions[static_cast<std::size_t>(a)].name; }

/// "alliances +0.012, war cost -0.004" for the largest terms of one option.
std::string reasons(const Scenario& s, int leader, const Option& o) {
    std::vector<std::pair<std::string, double>> terms;
    const Leader& l = s.leaders[static_cast<std::size_t>(leader)];
    for (std::size_t g = 0; g < o.by_goal.size(); ++g) terms.emplace_back(l.goal_names[g], o.by_goal[g]);
    terms.emplace_back("war risk", -o.war_cost);
    terms.emplace_back("cost", -o.action_cost);
    terms.emplace_back("reciprocity", o.reciprocity);
    terms.emplace_back("resolve", o.resolve);
    terms.emplace_back("war it foresees", -o.lookahead);
    terms.emplace_back("committed response", o.committed);
    terms.emplace_back("intent", o.propensity);
    terms.emplace_back("audience cost", o.audience);
    std::stable_sort(terms.begin(), terms.end(), [](const auto& a, const auto& b) { return std::abs(a.second) > std::abs(b.second); });
    std::string out;
    int shown = 0;
    for (const auto& [name, value] : terms) {
        if (std::abs(value) < 5e-4 || shown == 3) break;
        out += (shown++ ? ", " : "") + name + " " + signed_fixed(value);
    }
    return out.empty() ? "no effect it can foresee" : out;
}

/// "expects impose_sanctions (credibility 0.70) if it plays full_scale_offensive", for
/// the opponent's commitments that the leader's feasible moves would trigger.
std::vector<std::string> anticipations(const Scenario& s, int leader, const LeaderTick& d) {
    std::vector<std::string> out;
    if (s.leaders[static_cast<std::size_t>(leader)].traits.foresight < 2) return out;
    for (const CommitmentView& v : d.commitments) {
        const Commitment& c = s.commitments[static_cast<std::size_t>(v.commitment)];
        if (c.by == leader || !v.active || v.pending) continue;
        for (const Option& o : d.options)
            if (std::find(c.trigger.begin(), c.trigger.end(), o.action) != c.trigger.end())
                out.push_back("expects " + action_name(s, c.response) + " from " + s.leaders[static_cast<std::size_t>(c.by)].name +
                              " (commitment " + c.id + ", credibility " + fixed(v.credibility) + ") if it plays " +
                              action_name(s, o.action));
    }
    return out;
}

/// What happened to the commitments in this tick, from the views at the start of this
/// tick and the next (or the run's end).
std::vector<std::string> commitment_news(const Scenario& s, const TickView& v, const std::vector<CommitmentView>* next,
                                         const std::vector<double>& final_credibility) {
    std::vector<std::string> out;
    const std::vector<CommitmentView>& now = v.leaders[0].commitments;
    for (std::size_t c = 0; c < now.size(); ++c) {
        const Commitment& commitment = s.commitments[c];
        const double after = next ? (*next)[c].credibility : final_credibility[c];
        const std::string by = s.leaders[static_cast<std::size_t>(commitment.by)].name;
        for (const int h : v.honoured)
            if (h == static_cast<int>(c))
                out.push_back("Commitment " + commitment.id + ": honoured by " + by + " (credibility " + fixed(now[c].credibility) + " → " + fixed(after) + ")");
        for (const int b : v.bluffed)
            if (b == static_cast<int>(c))
                out.push_back("Commitment " + commitment.id + ": NOT honoured by " + by + ", a bluff (credibility " + fixed(now[c].credibility) + " → " + fixed(after) + ")");
        if (!next) continue;
        const CommitmentView& later = (*next)[c];
        if (later.pending && !(now[c].pending && later.deadline == now[c].deadline))
            out.push_back("Commitment " + commitment.id + ": triggered; " + by + " is committed to " + action_name(s, commitment.response) +
                          " by tick " + std::to_string(later.deadline));
        if (later.active && !now[c].active && !later.pending)
            out.push_back("Commitment " + commitment.id + ": declared by " + by + " (" + action_name(s, commitment.response) + " if " +
                          s.leaders[static_cast<std::size_t>(1 - commitment.by)].name + " plays " + action_name(s, commitment.trigger.front()) +
                          (commitment.trigger.size() > 1 ? " or another trigger" : "") + ")");
    }
    return out;
}

}  // namespace

std::string narrate(const std::string& narrative, const std::string& actor) {
    std::string out = narrative;
    for (std::size_t at; (at = out.find("{actor}")) != std::string::npos;) out.replace(at, 7, actor);
    return out;
}

Trace trace_run(const Scenario& s, std::uint64_t run_id, std::uint64_t seed) {
    Trace t;
    t.run_id = run_id;
    t.seed = seed;
    TraceRecorder recorder(t, s.variable_count());
    WorkspaceHandle ws;
    simulate(s, run_id, seed, t.result, ws, &recorder);
    return t;
}

std::optional<std::uint64_t> find_run(const Scenario& s, std::uint64_t seed, Outcome outcome, std::uint64_t from, std::uint64_t limit) {
    WorkspaceHandle ws;
    RunResult r;
    for (std::uint64_t id = from; id < from + limit; ++id) {
        try {
            simulate(s, id, seed, r, ws);
        } catch (const RunError&) {
            continue;
        }
        if (r.outcome == outcome) return id;
    }
    return std::nullopt;
}

/// Says when a step crossed a firebreak, or when one held the rung: the step's pressure
/// x (with tension) reached the ladder's own up threshold, but not the firebreak's.
std::string firebreak_note(const Scenario& s, int before, int after, double x) {
    const auto rung = [&](int r) -> const Rung& { return s.ladder[static_cast<std::size_t>(r)]; };
    if (after > before && rung(after).up_threshold)
        return "; crossed the firebreak into " + rung(after).label + " (threshold " + signed_fixed(*rung(after).up_threshold, 2) + ")";
    if (after < before && rung(before).down_threshold)
        return "; crossed the firebreak out of " + rung(before).label + " (threshold " + signed_fixed(*rung(before).down_threshold, 2) + ")";
    if (after == before && after + 1 < s.rung_count() && rung(after + 1).up_threshold && x >= s.step.up_threshold &&
        x < *rung(after + 1).up_threshold)
        return "; held below the firebreak into " + rung(after + 1).label + " (threshold " + signed_fixed(*rung(after + 1).up_threshold, 2) + ")";
    return "";
}

std::string horizon_note(const Scenario& s, const RunResult& r) {
    if (r.outcome != Outcome::frozen_conflict && r.outcome != Outcome::ongoing_war) return "";
    const std::string rung = std::to_string(r.final_rung) + " (" + s.ladder[static_cast<std::size_t>(r.final_rung)].label + ")";
    const std::string head = "no outcome by tick " + std::to_string(s.horizon) + "; still at rung " + rung;
    if (s.outcomes.war_rung < 0) return head + ": a frozen conflict (the scenario sets no outcomes.war_rung)";
    const std::string war = std::to_string(s.outcomes.war_rung) + " (" + s.ladder[static_cast<std::size_t>(s.outcomes.war_rung)].label + ")";
    return head + (r.outcome == Outcome::ongoing_war ? ", at or above the war rung " + war + ": an ongoing war"
                                                      : ", below the war rung " + war + ": a frozen conflict");
}

namespace {

/// "day 70" or, with a calendar, "day 70, 2022-02-25".
std::string day_text(const Scenario& s, int tick) {
    std::string text = "day " + std::to_string(static_cast<long>(tick * s.tick_days + 0.5));
    if (s.start_day) text += ", " + format_date(tick_date(*s.start_day, s.tick_days, tick));
    return text;
}

}  // namespace

std::string trace_text(const Scenario& s, const Trace& t, int top_options) {
    std::string out;
    const auto rung_label = [&](int r) { return std::to_string(r) + " " + s.ladder[static_cast<std::size_t>(r)].label; };
    const auto line = [&](const std::string& text) { out += text + "\n"; };
    line(s.name + " — run " + std::to_string(t.run_id) + ", seed " + std::to_string(t.seed));
    const RunResult& r = t.result;
    std::string ending = std::string(outcome_name(r.outcome)) + " at tick " + std::to_string(r.end_tick) + " (" + day_text(s, r.end_tick) + ")";
    line("Outcome: " + ending + "; highest rung " + rung_label(r.max_rung));
    line("Replay: brink trace " + (t.source.empty() ? std::string("<scenario>") : t.source) + " --run " + std::to_string(t.run_id) +
         " --seed " + std::to_string(t.seed));
    line("");
    line("Start: rung " + rung_label(t.initial_rung) + "; tension " + fixed(t.initial_state[static_cast<std::size_t>(s.tension)]) +
         ", channel " + fixed(t.initial_state[static_cast<std::size_t>(s.channel)]));
    std::vector<double> before = t.initial_state;
    for (std::size_t k = 0; k < t.ticks.size(); ++k) {
        const TickView& v = t.ticks[k];
        const std::vector<double>& after = t.states[k];
        line("");
        line("Tick " + std::to_string(v.tick) + " (" + day_text(s, v.tick) + ")");
        for (int i = 0; i < 2; ++i) {
            const Leader& leader = s.leaders[static_cast<std::size_t>(i)];
            const Leader& other = s.leaders[static_cast<std::size_t>(1 - i)];
            const LeaderTick& d = v.leaders[static_cast<std::size_t>(i)];
            if (d.observed >= 0) {
                if (d.observed != d.actual_previous)
                    line("  " + leader.name + " MISREAD " + other.name + "'s last move: saw " + action_name(s, d.observed) +
                         ", it was " + action_name(s, d.actual_previous));
            }
            const Action& chosen = s.actions[static_cast<std::size_t>(d.chosen)];
            const LeaderTick* previous = k > 0 ? &t.ticks[k - 1].leaders[static_cast<std::size_t>(i)] : nullptr;
            if (d.mode >= 0 && (previous ? previous->mode != d.mode : d.mode != 0))
                line("  Intent: " + leader.name + " is now in mode '" + leader.modes[static_cast<std::size_t>(d.mode)].id +
                     "' (hidden from " + other.name + ")");
            line("  " + narrate(chosen.narrative, leader.name));
            if (!d.type_beliefs.empty()) {
                std::string read = "    reads " + other.name + "'s intent as: ";
                for (std::size_t m = 0; m < d.type_beliefs.size(); ++m)
                    read += (m ? ", " : "") + other.modes[m].id + " " + fixed(d.type_beliefs[m]);
                line(read);
            }
            for (const std::string& a : anticipations(s, i, d)) line("    " + a);
            std::vector<const Option*> ranked;
            for (const Option& o : d.options) ranked.push_back(&o);
            std::stable_sort(ranked.begin(), ranked.end(), [](const Option* a, const Option* b) { return a->probability > b->probability; });
            std::string weighed = "    weighed: ";
            for (int n = 0; n < std::min<int>(top_options, static_cast<int>(ranked.size())); ++n) {
                const Option& o = *ranked[static_cast<std::size_t>(n)];
                weighed += std::string(n ? "; " : "") + action_name(s, o.action) + (o.action == d.chosen ? "*" : "") + " " +
                           fixed(100.0 * o.probability, 0) + "% (" + reasons(s, i, o) + ")";
            }
            line(weighed + (ranked.size() > static_cast<std::size_t>(top_options) ? "; " + std::to_string(ranked.size() - static_cast<std::size_t>(top_options)) + " more" : ""));
        }
        for (const int e : v.events_fired) line("  Event: " + narrate(s.events[static_cast<std::size_t>(e)].narrative, ""));
        std::string ladder = "  Ladder: ";
        if (v.rung > v.rung_before) ladder += "UP to " + rung_label(v.rung);
        else if (v.rung < v.rung_before) ladder += "down to " + rung_label(v.rung);
        else ladder += "holds at " + rung_label(v.rung);
        line(ladder + " (pressure " + signed_fixed(v.pressure, 2) + ", tension " + fixed(after[static_cast<std::size_t>(s.tension)]) + ")" +
             firebreak_note(s, v.rung_before, v.rung, v.pressure + s.step.tension_weight * before[static_cast<std::size_t>(s.tension)]));
        std::string moved;
        for (std::size_t var = 0; var < after.size(); ++var) {
            const double change = after[var] - before[var];
            if (static_cast<int>(var) == s.tension || std::abs(change) < 0.02) continue;
            moved += (moved.empty() ? "" : ", ") + s.variables[var] + " " + fixed(before[var]) + "→" + fixed(after[var]);
        }
        if (s.nuclear.present() && v.level != v.level_before)
            line(std::string("  Nuclear posture: ") + (v.level > v.level_before ? "UP" : "down") + " to " +
                 s.nuclear.levels[static_cast<std::size_t>(v.level)].label);
        if (v.jumped) line("  (the rung jumped: an offensive's jump past the rungs between)");
        for (const std::string& news : commitment_news(s, v, k + 1 < t.ticks.size() ? &t.ticks[k + 1].leaders[0].commitments : nullptr,
                                                       t.result.final_credibility))
            line("  " + news);
        if (!moved.empty()) line("  Changed: " + moved);
        before = after;
    }
    line("");
    const std::string note = horizon_note(s, r);
    line("End: " + ending + (note.empty() ? "" : "; " + note) + ".");
    return out;
}

std::string trace_csv(const Scenario& s, const Trace& t) {
    std::string out = std::string("run_id,seed,tick,day,") + (s.start_day ? "date," : "") +
                      "leader,action,probability,utility,observed_opponent_move,opponent_actual_move,misread,"
                      "rung_before,rung_after,pressure,events";
    for (const std::string& v : s.variables) out.append(",").append(v);
    out += "\n";
    for (std::size_t k = 0; k < t.ticks.size(); ++k) {
        const TickView& v = t.ticks[k];
        std::string events;
        for (const int e : v.events_fired) events += (events.empty() ? "" : ";") + s.events[static_cast<std::size_t>(e)].name;
        for (int i = 0; i < 2; ++i) {
            const LeaderTick& d = v.leaders[static_cast<std::size_t>(i)];
            double p = 0.0, u = 0.0;
            for (const Option& o : d.options)
                if (o.action == d.chosen) { p = o.probability; u = o.utility; }
            out += std::to_string(t.run_id) + "," + std::to_string(t.seed) + "," + std::to_string(v.tick) + ",";
            out.append(format_double(v.tick * s.tick_days)).append(",");
            if (s.start_day) out.append(format_date(tick_date(*s.start_day, s.tick_days, v.tick))).append(",");
            out.append(s.leaders[static_cast<std::size_t>(i)].id);
            out.append(",").append(action_name(s, d.chosen)).append(",").append(format_double(p)).append(",").append(format_double(u));
            out.append(",").append(d.observed >= 0 ? action_name(s, d.observed) : std::string());
            out.append(",").append(d.actual_previous >= 0 ? action_name(s, d.actual_previous) : std::string());
            out.append(",").append(d.observed >= 0 && d.observed != d.actual_previous ? "true" : "false");
            out.append(",").append(std::to_string(v.rung_before)).append(",").append(std::to_string(v.rung));
            out.append(",").append(format_double(v.pressure)).append(",").append(events);
            for (const double x : t.states[k]) out.append(",").append(format_double(x));
            out += "\n";
        }
    }
    return out;
}

std::string trace_json(const Scenario& s, const Trace& t) {
    const bool version2 = !s.commitments.empty() || s.nuclear.present() || s.leaders[0].traits.foresight > 1 ||
                          s.leaders[1].traits.foresight > 1 || !s.leaders[0].modes.empty() || !s.leaders[1].modes.empty();
    Json j;
    j.begin_object();
    j.value("scenario", s.name);
    j.value("run_id", t.run_id);
    j.value("seed", t.seed);
    j.value("outcome", outcome_name(t.result.outcome));
    j.value("end_tick", t.result.end_tick);
    j.value("max_rung", t.result.max_rung);
    j.value("initial_rung", t.initial_rung);
    if (s.nuclear.present()) j.value("initial_level", s.nuclear.initial_level);
    if (!s.leaders[0].modes.empty() || !s.leaders[1].modes.empty()) {
        j.begin_object("modes");  // each leader's hidden modes, the first being its mode at tick 0
        for (const Leader& l : s.leaders) {
            j.begin_array(l.id);
            for (const Mode& m : l.modes) j.value("", m.id);
            j.end_array();
        }
        j.end_object();
    }
    if (!s.commitments.empty()) {
        j.begin_object("final_credibility");  // after the last tick (runs.csv: credibility_<id>)
        for (std::size_t c = 0; c < s.commitments.size(); ++c) j.value(s.commitments[c].id, t.result.final_credibility[c]);
        j.end_object();
    }
    j.begin_object("initial_state");
    for (std::size_t v = 0; v < t.initial_state.size(); ++v) j.value(s.variables[v], t.initial_state[v]);
    j.end_object();
    j.begin_array("ticks");
    for (std::size_t k = 0; k < t.ticks.size(); ++k) {
        const TickView& v = t.ticks[k];
        j.begin_object();
        j.value("tick", v.tick);
        if (s.start_day) j.value("date", format_date(tick_date(*s.start_day, s.tick_days, v.tick)));
        j.value("rung_before", v.rung_before).value("rung", v.rung).value("pressure", v.pressure);
        if (s.nuclear.present()) j.value("level_before", v.level_before).value("level", v.level);
        if (!s.commitments.empty()) {
            j.begin_array("commitments");
            for (const CommitmentView& c : v.leaders[0].commitments)
                j.begin_object().value("id", s.commitments[static_cast<std::size_t>(c.commitment)].id).value("active", c.active)
                    .value("pending", c.pending).value("credibility", c.credibility).end_object();
            j.end_array();
            // Resolved at the end of this tick (runs.csv counts them: honoured_<id>, bluffed_<id>).
            for (const auto& [key, list] : {std::pair{"honoured", &v.honoured}, std::pair{"bluffed", &v.bluffed}}) {
                j.begin_array(key);
                for (const int c : *list) j.value("", s.commitments[static_cast<std::size_t>(c)].id);
                j.end_array();
            }
        }
        j.begin_array("events");
        for (const int e : v.events_fired) j.value("", s.events[static_cast<std::size_t>(e)].name);
        j.end_array();
        j.begin_array("leaders");
        for (int i = 0; i < 2; ++i) {
            const LeaderTick& d = v.leaders[static_cast<std::size_t>(i)];
            const Leader& l = s.leaders[static_cast<std::size_t>(i)];
            j.begin_object();
            j.value("leader", l.id).value("action", action_name(s, d.chosen));
            if (d.observed >= 0) j.value("observed_opponent_move", action_name(s, d.observed)).value("opponent_actual_move", action_name(s, d.actual_previous));
            else j.null("observed_opponent_move").null("opponent_actual_move");
            j.value("misread", d.observed >= 0 && d.observed != d.actual_previous);
            if (d.mode >= 0) j.value("mode", l.modes[static_cast<std::size_t>(d.mode)].id);
            j.begin_array("options");
            for (const Option& o : d.options) {
                j.begin_object().value("action", action_name(s, o.action)).value("probability", o.probability).value("utility", o.utility);
                j.begin_object("terms");
                for (std::size_t g = 0; g < o.by_goal.size(); ++g) j.value(l.goal_names[g], o.by_goal[g]);
                j.value("war_cost", -o.war_cost).value("action_cost", -o.action_cost).value("reciprocity", o.reciprocity).value("resolve", o.resolve);
                if (version2) j.value("lookahead", -o.lookahead).value("committed", o.committed).value("propensity", o.propensity).value("audience", o.audience);
                j.end_object();
                j.end_object();
            }
            j.end_array();
            j.end_object();
        }
        j.end_array();
        j.begin_object("state");
        for (std::size_t var = 0; var < t.states[k].size(); ++var) j.value(s.variables[var], t.states[k][var]);
        j.end_object();
        j.end_object();
    }
    j.end_array();
    j.end_object();
    return j.str();
}

namespace {

/// Turns a run's ticks into events.csv rows.
class EventRecorder final : public TickObserver {
public:
    EventRecorder(std::string& out, const Scenario& s, std::uint64_t run_id) : out_(out), s_(s), run_(std::to_string(run_id)) {}
    bool wants_details() const override { return true; }
    void on_start(const double*, int) override { mode_ = {0, 0}; }
    void on_tick(const TickView& v) override {
        for (std::size_t i = 0; i < 2; ++i) {
            const LeaderTick& d = v.leaders[i];
            const std::string& who = s_.leaders[i].id;
            if (d.mode >= 0 && d.mode != mode_[i])
                row(v.tick, "mode", who, s_.leaders[i].modes[static_cast<std::size_t>(d.mode)].id,
                    "from " + s_.leaders[i].modes[static_cast<std::size_t>(mode_[i])].id);
            if (d.mode >= 0) mode_[i] = d.mode;
            if (d.misread) row(v.tick, "misread", who, action_name(s_, d.observed), "was " + action_name(s_, d.actual_previous));
            row(v.tick, "move", who, action_name(s_, d.chosen), "");
        }
        for (const int e : v.events_fired) row(v.tick, "event", "", s_.events[static_cast<std::size_t>(e)].name, "");
        if (v.rung != v.rung_before)
            row(v.tick, "rung", "", s_.ladder[static_cast<std::size_t>(v.rung)].id,
                std::string(v.jumped ? "jump" : v.rung > v.rung_before ? "up" : "down") + " from " + s_.ladder[static_cast<std::size_t>(v.rung_before)].id);
        if (s_.nuclear.present() && v.level != v.level_before)
            row(v.tick, "level", "", s_.nuclear.levels[static_cast<std::size_t>(v.level)].id,
                std::string(v.level > v.level_before ? "up" : "down") + " from " + s_.nuclear.levels[static_cast<std::size_t>(v.level_before)].id);
        for (const int c : v.honoured) commitment(v.tick, c, "honoured");
        for (const int c : v.bluffed) commitment(v.tick, c, "bluffed");
    }

private:
    std::string& out_;
    const Scenario& s_;
    std::string run_;
    std::array<int, 2> mode_{0, 0};

    void commitment(int tick, int c, const char* how) {
        const Commitment& k = s_.commitments[static_cast<std::size_t>(c)];
        row(tick, "commitment", s_.leaders[static_cast<std::size_t>(k.by)].id, k.id, how);
    }
    void row(int tick, const char* kind, const std::string& who, const std::string& what, const std::string& detail) {
        out_ += run_;
        out_ += ',';
        out_ += std::to_string(tick);
        out_ += ',';
        if (s_.start_day) out_ += format_date(tick_date(*s_.start_day, s_.tick_days, tick));
        out_ += ',';
        out_ += kind;
        out_ += ',';
        out_ += who;
        out_ += ',';
        out_ += what;
        out_ += ',';
        out_ += csv_field(detail);
        out_ += '\n';
    }
};

}  // namespace

std::string events_csv_header() { return "run_id,tick,date,kind,who,what,detail\n"; }

void append_run_events(std::string& out, const Scenario& s, std::uint64_t run_id, std::uint64_t seed, WorkspaceHandle& workspace) {
    EventRecorder recorder(out, s, run_id);
    RunResult result;
    simulate(s, run_id, seed, result, workspace, &recorder);
}

}  // namespace brink
