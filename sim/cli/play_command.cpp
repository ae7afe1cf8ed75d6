// brink play: a person plays one leader against the model's other leader.
#include <algorithm>
#include <cstdio>
#include <iostream>
#include <limits>
#include <sstream>

#include "brink/calendar.hpp"
#include "brink/engine.hpp"
#include "brink/stats.hpp"
#include "brink/trace.hpp"
#include "common.hpp"

namespace brink::cli {

namespace {

/// The game stops before its end: the player typed q, or the input ended.
struct QuitGame {
    bool end_of_input = false;
};

/// Discards rows: the comparison only needs the aggregates.
class NullSink final : public RunSink {
public:
    void on_block(std::uint64_t, const std::vector<RunSlot>&, std::size_t, const Aggregates&) override {}
};

std::string two(double v) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "%.2f", v);
    return buf;
}

/// Shows the situation each tick, asks for the player's move, and reports what happened.
class Player final : public TickObserver {
public:
    Player(const Scenario& s, int human) : s_(s), human_(human) {}
    bool wants_details() const override { return true; }

    void on_start(const double* state, int rung) override {
        state_.assign(state, state + s_.variable_count());
        rung_ = rung;
    }

    int override_choice(int leader, const LeaderTick& d, int chosen) override {
        if (leader != human_) return chosen;
        show_situation(d);
        return ask(d);
    }

    void on_tick(const TickView& v) override {
        state_.assign(v.state, v.state + s_.variable_count());
        rung_ = v.rung;
        const int mine = v.leaders[static_cast<std::size_t>(human_)].chosen;
        path_.push_back(s_.actions[static_cast<std::size_t>(mine)].name);
        for (const int e : v.events_fired) std::printf("  Event: %s\n", narrate(s_.events[static_cast<std::size_t>(e)].narrative, "").c_str());
        const char* move = v.rung > v.rung_before ? "UP to" : v.rung < v.rung_before ? "down to" : "holds at";
        std::printf("  The ladder %s %d (%s).\n", move, v.rung, s_.ladder[static_cast<std::size_t>(v.rung)].label.c_str());
        if (s_.nuclear.present() && v.level != v.level_before)
            std::printf("  Nuclear posture %s %s.\n", v.level > v.level_before ? "rises to" : "falls to",
                        s_.nuclear.levels[static_cast<std::size_t>(v.level)].label.c_str());
    }

    const std::vector<std::string>& path() const { return path_; }

private:
    const Scenario& s_;
    int human_;
    std::vector<double> state_;
    int rung_ = 0;
    std::vector<std::string> path_;

    const Leader& me() const { return s_.leaders[static_cast<std::size_t>(human_)]; }
    const Leader& them() const { return s_.leaders[static_cast<std::size_t>(1 - human_)]; }

    void show_situation(const LeaderTick& d) const {
        const int week = static_cast<int>(path_.size()) + 1;
        const std::string date = s_.start_day ? ", " + format_date(tick_date(*s_.start_day, s_.tick_days, week)) : "";
        std::printf("\n=== Tick %d (day %ld%s) === ladder: %d %s\n", week, static_cast<long>(week * s_.tick_days + 0.5), date.c_str(), rung_,
                    s_.ladder[static_cast<std::size_t>(rung_)].label.c_str());
        std::string line = " ";
        for (std::size_t v = 0; v < state_.size(); ++v) {
            line += " " + s_.variables[v] + " " + two(state_[v]);
            if ((v + 1) % 4 == 0 || v + 1 == state_.size()) {
                std::printf("%s\n", line.c_str());
                line = " ";
            }
        }
        if (d.observed >= 0)
            std::printf("  %s's last move, as you saw it: %s\n", them().name.c_str(),
                        narrate(s_.actions[static_cast<std::size_t>(d.observed)].narrative, them().name).c_str());
        show_commitments(d);
        std::printf("  Your options, %s:\n", me().name.c_str());
        std::string unavailable;
        for (std::size_t k = 0; k < me().menu.size(); ++k) {
            const Action& a = s_.actions[static_cast<std::size_t>(me().menu[k])];
            if (feasible(d, me().menu[k])) std::printf("   %2zu) %-30s %s\n", k + 1, a.name.c_str(), a.description.c_str());
            else unavailable += (unavailable.empty() ? "" : ", ") + std::to_string(k + 1) + ") " + a.name;
        }
        if (!unavailable.empty()) std::printf("  Not possible this week: %s\n", unavailable.c_str());
    }

    /// A number keeps its move all game (its place in the leader's menu), so a class that votes
    /// "number 7" gets the same move every week; moves the situation rules out are not offered.
    static bool feasible(const LeaderTick& d, int action) {
        return std::any_of(d.options.begin(), d.options.end(), [action](const Option& o) { return o.action == action; });
    }

    /// Every commitment as this tick began: who, what, credibility; yours that are due.
    void show_commitments(const LeaderTick& d) const {
        for (const CommitmentView& v : d.commitments) {
            const Commitment& c = s_.commitments[static_cast<std::size_t>(v.commitment)];
            const Leader& by = s_.leaders[static_cast<std::size_t>(c.by)];
            const std::string response = s_.actions[static_cast<std::size_t>(c.response)].name;
            const std::string trigger = s_.actions[static_cast<std::size_t>(c.trigger.front())].name;
            if (v.pending && c.by == human_)
                std::printf("  You are committed (%s) to %s by tick %d; backing down costs you %.3f (audience cost), credibility %.2f\n",
                            c.id.c_str(), response.c_str(), v.deadline, c.audience_cost, v.credibility);
            else if (v.pending)
                std::printf("  %s is committed (%s) to %s by tick %d, credibility %.2f\n", by.name.c_str(), c.id.c_str(), response.c_str(),
                            v.deadline, v.credibility);
            else if (v.active)
                std::printf("  Commitment %s: %s will answer %s with %s (credibility %.2f)\n", c.id.c_str(), by.name.c_str(),
                            trigger.c_str(), response.c_str(), v.credibility);
        }
    }

    int ask(const LeaderTick& d) const {
        const int move = read_move(d);
        std::printf("  You chose %s.\n", s_.actions[static_cast<std::size_t>(move)].name.c_str());
        return move;
    }

    int read_move(const LeaderTick& d) const {
        const std::size_t menu_size = me().menu.size();
        for (;;) {
            std::printf("Your move [a number above, q to quit]: ");
            std::fflush(stdout);
            std::string input;
            if (!std::getline(std::cin, input)) throw QuitGame{true};
            const auto first = input.find_first_not_of(" \t\r");
            input = first == std::string::npos ? "" : input.substr(first, input.find_last_not_of(" \t\r") - first + 1);
            if (input == "q" || input == "quit") throw QuitGame{};
            std::size_t used = 0;
            long choice = 0;
            try {
                choice = std::stol(input, &used);
            } catch (const std::exception&) {
                used = 0;
            }
            const bool number = used == input.size() && used > 0 && choice >= 1 && choice <= static_cast<long>(menu_size);
            const int action = number ? me().menu[static_cast<std::size_t>(choice - 1)] : action_named(input);
            if (action >= 0 && feasible(d, action)) return action;
            if (action >= 0)
                std::printf("  %s is not possible this week; choose one of the numbers listed.\n",
                            s_.actions[static_cast<std::size_t>(action)].name.c_str());
            else
                std::printf("  Please type a number from 1 to %zu (or an action's name, or q to quit).\n", menu_size);
        }
    }

    /// The menu action called `name`, or -1.
    int action_named(const std::string& name) const {
        for (const int a : me().menu)
            if (s_.actions[static_cast<std::size_t>(a)].name == name) return a;
        return -1;
    }
};

int play(const Scenario& s, const std::string& as, std::uint64_t seed, std::uint64_t run, std::uint64_t compare_runs) {
    int human = -1;
    for (int i = 0; i < 2; ++i)
        if (s.leaders[static_cast<std::size_t>(i)].id == as) human = i;
    if (human < 0) {
        std::cerr << "brink play: --as must be " << s.leaders[0].id << " or " << s.leaders[1].id << ", found '" << as << "'\n";
        return usage_error;
    }
    const Leader& me = s.leaders[static_cast<std::size_t>(human)];
    std::printf("%s\nYou are %s. The model plays %s. Each tick (%g days) pick one move.\n", s.name.c_str(), me.name.c_str(),
                s.leaders[static_cast<std::size_t>(1 - human)].name.c_str(), s.tick_days);
    std::printf("The crisis ends in escalation at rung %d (%s), in de-escalation by a settlement or agreement, or after %d ticks ",
                s.outcomes.escalation_rung, s.ladder[static_cast<std::size_t>(s.outcomes.escalation_rung)].label.c_str(), s.horizon);
    if (s.outcomes.war_rung < 0) std::printf("in a frozen conflict.\n");
    else
        std::printf("in an ongoing war (at rung %d, %s, or above) or a frozen conflict.\n", s.outcomes.war_rung,
                    s.ladder[static_cast<std::size_t>(s.outcomes.war_rung)].label.c_str());
    Player player(s, human);
    RunResult result;
    WorkspaceHandle ws;
    try {
        simulate(s, run, seed, result, ws, &player);
    } catch (const QuitGame& quit) {
        const std::size_t ticks = player.path().size();
        std::printf("\nGame ended early after %zu tick%s. Replay it with --seed %llu --run %llu and the same moves.\n", ticks,
                    ticks == 1 ? "" : "s", static_cast<unsigned long long>(seed), static_cast<unsigned long long>(run));
        if (!quit.end_of_input) return ok;
        // A script whose moves ran out is told apart from a player who chose to stop.
        std::cerr << "brink play: the input ended before the game did (exit " << static_cast<int>(game_unfinished) << ")\n";
        return game_unfinished;
    }
    std::printf("\nYour game ended in %s at tick %d; the ladder peaked at rung %d (%s).\n", outcome_label(result.outcome),
                result.end_tick, result.max_rung, s.ladder[static_cast<std::size_t>(result.max_rung)].label.c_str());
    if (const std::string note = horizon_note(s, result); !note.empty()) std::printf("At the end: %s.\n", note.c_str());
    std::printf("Your path:");
    for (std::size_t k = 0; k < player.path().size(); ++k) std::printf("%s %s", k ? "," : "", player.path()[k].c_str());
    std::printf("\n");

    // The model's own leader, from the same start: how often does it end the same way?
    Aggregates totals;
    totals.reset(s);
    NullSink sink;
    run_batch(s, BatchPlan{compare_runs, seed, 0, 0.0, 4096}, 0, totals, sink);
    std::printf("\nThe model's own %s, over %llu runs from the same start:\n", me.name.c_str(), static_cast<unsigned long long>(totals.completed));
    for (int k = 0; k < kOutcomeCount; ++k) {
        const Interval ci = wilson(totals.outcomes[static_cast<std::size_t>(k)], totals.completed);
        std::printf("  %-15s %6s  [%s, %s]%s\n", outcome_label(static_cast<Outcome>(k)), percent(ci.estimate).c_str(), percent(ci.low).c_str(),
                    percent(ci.high).c_str(), k == static_cast<int>(result.outcome) ? "   <- your outcome" : "");
    }
    return ok;
}

}  // namespace

Command add_play_command(CLI::App& app) {
    struct Options {
        std::string scenario, as;
        std::optional<std::uint64_t> seed;  // empty: the scenario's run.seed
        std::uint64_t run = 0, compare_runs = 2000;
        std::vector<std::string> overrides;
    };
    auto o = std::make_shared<Options>();
    CLI::App* cmd = app.add_subcommand("play", "Play one leader against the model, then compare with the Monte Carlo odds");
    cmd->add_option("scenario", o->scenario, "Scenario file (YAML)")->required();
    cmd->add_option("--as", o->as, "The leader you play (a leader id, e.g. biden or putin)")->required();
    add_integer_option(cmd, "--seed", o->seed, 0, kMaxSeed, "Seed (default: the scenario's run.seed); the same seed and moves replay the same game");
    add_integer_option(cmd, "--run", o->run, 0, std::numeric_limits<std::uint64_t>::max(), "Run id of the game (default 0)");
    add_integer_option(cmd, "--compare-runs", o->compare_runs, 1, 10000000, "Monte Carlo runs for the comparison at the end (default 2000)");
    cmd->add_option("--set", o->overrides, "Override a scenario field: path=value (repeatable)");
    return Command{cmd, [o] {
        const auto fail = [](const std::string& m) {
            std::cerr << "brink play: " << m << "\n";
            return static_cast<int>(usage_error);
        };
        const auto loaded = load_or_report(o->scenario, o->overrides);
        if (!loaded) return static_cast<int>(usage_error);
        const std::uint64_t seed = o->seed.value_or(loaded->scenario.default_seed);
        try {
            check_batch_memory(loaded->scenario, BatchPlan{o->compare_runs, seed, 0, 0.0, 4096});  // the comparison, before the game
        } catch (const MemoryError& e) {
            return fail(e.what());
        }
        return play(loaded->scenario, o->as, seed, o->run, o->compare_runs);
    }};
}

}  // namespace brink::cli
