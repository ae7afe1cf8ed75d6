// The strategic-leaders figures (issue 13's before/after table): for a scenario, the
// odds and timings that compare the model with the 2021-22 record.
//
//   brink_figures SCENARIO [RUNS] [SEED] [--set path=value ...]
//
// Prints, over RUNS runs (default 20,000; seed from the scenario unless given):
//   P(full-scale war within 10 ticks)  the war rung reached by tick 10
//   median onset                       first tick at the war rung, among runs reaching it
//   Putin's most frequent action       and its share of his ticks
//   median time at full-scale war      ticks at the war rung or above, among runs reaching it,
//                                      and the share still there 52 ticks after onset
//   P(clash)                           the rung `nato_russia_clash` reached
//   P(nuclear alert)                   the nuclear track's level 1 (or a rung named
//                                      `nuclear_alert`) reached
//   outcome shares                     escalation, de-escalation, and runs at the horizon
//                                      split by their final rung (at or above the war rung:
//                                      ongoing war; below: frozen conflict)
// The war rung is `conventional_war` (the baseline's rung 6).
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <stdexcept>
#include <string>
#include <vector>

#include "brink/model.hpp"
#include "brink/scenario.hpp"

using namespace brink;

namespace {

/// Counts, per run, the ticks at the war rung or above and whether the run is still
/// there 52 ticks after its onset.
class WarClock : public TickObserver {
public:
    explicit WarClock(int war_rung) : war_rung_(war_rung) {}
    void on_start(const double*, int rung) override {
        ticks_at_war = 0;
        onset = rung >= war_rung_ ? 0 : -1;
        at_war_a_year_on = false;
        level_reached = 0;
    }
    void on_tick(const TickView& view) override {
        if (view.rung >= war_rung_) {
            ++ticks_at_war;
            if (onset < 0) onset = view.tick;
            if (view.tick == onset + 52) at_war_a_year_on = true;
        }
        level_reached = std::max(level_reached, view.level);
    }
    int ticks_at_war = 0, onset = -1, level_reached = 0;
    bool at_war_a_year_on = false;

private:
    int war_rung_;
};

double median(std::vector<double> v) {
    if (v.empty()) return 0.0;
    std::sort(v.begin(), v.end());
    const std::size_t n = v.size();
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

int rung_named(const Scenario& s, const std::string& id) {
    for (int r = 0; r < s.rung_count(); ++r)
        if (s.ladder[static_cast<std::size_t>(r)].id == id) return r;
    return -1;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 2) {
        std::fprintf(stderr, "usage: brink_figures SCENARIO [RUNS] [SEED] [--set path=value ...]\n");
        return 2;
    }
    std::vector<std::string> overrides;
    std::vector<std::string> positional;
    for (int k = 2; k < argc; ++k) {
        const std::string arg = argv[k];
        if (arg == "--set" && k + 1 < argc) overrides.push_back(argv[++k]);
        else positional.push_back(arg);
    }
    try {
        const LoadedScenario loaded = load_scenario(argv[1], overrides);
        const Scenario& s = loaded.scenario;
        const std::uint64_t runs = positional.size() > 0 ? std::stoull(positional[0]) : 20000;
        const std::uint64_t seed = positional.size() > 1 ? std::stoull(positional[1]) : s.default_seed;
        const int war = rung_named(s, "conventional_war");
        const int clash = rung_named(s, "nato_russia_clash");
        const int alert_rung = rung_named(s, "nuclear_alert");
        if (war < 0) throw std::runtime_error("the scenario has no rung 'conventional_war'");
        const std::size_t putin = 1;
        WorkspaceHandle ws;
        RunResult r;
        WarClock clock(war);
        std::uint64_t war10 = 0, clashes = 0, alerts = 0, reached = 0, a_year_on = 0;
        std::uint64_t by_outcome[kOutcomeCount] = {};
        std::uint64_t ongoing = 0, frozen = 0;
        std::vector<double> onsets, durations;
        std::vector<double> putin_counts(s.leaders[putin].menu.size(), 0.0);
        double putin_ticks = 0.0;
        for (std::uint64_t id = 0; id < runs; ++id) {
            simulate(s, id, seed, r, ws, &clock);
            ++by_outcome[static_cast<int>(r.outcome)];
            if (clock.onset >= 0) {
                ++reached;
                onsets.push_back(clock.onset);
                durations.push_back(clock.ticks_at_war);
                if (clock.onset <= 10) ++war10;
                if (clock.at_war_a_year_on) ++a_year_on;
            }
            if (clash >= 0 && r.first_tick_at_rung[static_cast<std::size_t>(clash)] >= 0) ++clashes;
            if ((s.nuclear.present() && clock.level_reached >= 1) ||
                (alert_rung >= 0 && r.first_tick_at_rung[static_cast<std::size_t>(alert_rung)] >= 0))
                ++alerts;
            if (r.outcome != Outcome::escalation && r.outcome != Outcome::deescalation)
                (r.final_rung >= war ? ongoing : frozen) += 1;
            for (std::size_t k = 0; k < putin_counts.size(); ++k) {
                putin_counts[k] += r.action_counts[putin][k];
                putin_ticks += r.action_counts[putin][k];
            }
        }
        const double n = static_cast<double>(runs);
        const auto top = std::max_element(putin_counts.begin(), putin_counts.end()) - putin_counts.begin();
        std::printf("scenario %s, %llu runs, seed %llu\n", s.name.c_str(), static_cast<unsigned long long>(runs),
                    static_cast<unsigned long long>(seed));
        std::printf("P(full-scale war within 10 ticks)   %.4f\n", war10 / n);
        std::printf("P(full-scale war ever)              %.4f\n", reached / n);
        std::printf("median onset (ticks)                %.1f\n", median(onsets));
        std::printf("Putin's most frequent action        %s, %.4f of his ticks\n",
                    s.actions[static_cast<std::size_t>(s.leaders[putin].menu[static_cast<std::size_t>(top)])].name.c_str(),
                    putin_counts[static_cast<std::size_t>(top)] / putin_ticks);
        std::printf("median time at full-scale war       %.1f ticks; still at war 52 ticks after onset: %.4f\n",
                    median(durations), reached ? static_cast<double>(a_year_on) / static_cast<double>(reached) : 0.0);
        std::printf("P(clash)                            %.4f\n", clashes / n);
        std::printf("P(nuclear alert)                    %.4f\n", alerts / n);
        std::printf("escalation %.4f, de-escalation %.4f, at the horizon: frozen conflict %.4f, ongoing war %.4f\n",
                    by_outcome[0] / n, by_outcome[1] / n, frozen / n, ongoing / n);
        return 0;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "brink_figures: %s\n", e.what());
        return 2;
    }
}
