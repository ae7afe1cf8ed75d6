// Odds given what has been observed: sequential Monte Carlo over a timeline's
// observations (docs/timelines.md, "Odds as events unfold").
//
// Stages end at the ticks where observations are decided. At each stage every
// particle is continued to the stage's tick; those that contradict an observation are
// dropped. While fewer than the floor survive, every parent is continued again with
// fresh streams (another round): each parent is an equally weighted draw from the
// process conditioned on the earlier observations, so each of its continuations that
// survives is an equally weighted draw from the process conditioned on these too. The
// survivors are then resampled (systematic resampling) back to the particle count, and
// each child continues on streams of its own, keyed by (seed, stage, round, index):
// nothing depends on the thread count.
#include <algorithm>
#include <cmath>
#include <limits>
#include <memory>
#include <optional>
#include <omp.h>

#include "brink/history.hpp"
#include "brink/calendar.hpp"
#include "brink/random.hpp"

namespace brink {

namespace {

/// The master seed of a stage's streams: distinct from the plain runs' seed and from
/// every other stage's, so no branch replays another's draws.
std::uint64_t stage_seed(std::uint64_t seed, int stage) {
    return splitmix64(seed ^ splitmix64(0xb12a7c4ULL + static_cast<std::uint64_t>(stage)));
}

struct Particle {
    std::size_t member = 0;  ///< the ensemble member it plays (0 without one)
    RunSnapshot run;
    std::vector<Verdict> verdicts;
    bool failed = false;  ///< the run left the model's domain (RunError)
};

/// The population and the machinery to move it forward.
class Conditioner {
public:
    /// `estimating`: a stage that keeps no run ends the conditioning quietly (the
    /// evidence is then zero) instead of throwing ConditionError.
    Conditioner(const Scenario& s, const Timeline& timeline, const ConditionPlan& plan, bool estimating = false)
        : s_(s), timeline_(timeline), plan_(plan), estimating_(estimating),
          threads_(plan.threads > 0 ? plan.threads : omp_get_max_threads()),
          n_(static_cast<std::size_t>(std::max<std::uint64_t>(1, plan.particles))),
          floor_(plan.ess_floor > 0 ? std::min<std::uint64_t>(plan.ess_floor, n_) : std::max<std::uint64_t>(1, n_ / 4)) {
        for (const Observation& o : timeline.observations) claims_.push_back(&o.claim);
        for (const Question& q : timeline.questions) claims_.push_back(&q.claim);
        for (int t = 0; t < threads_; ++t) {
            workspaces_.push_back(std::make_unique<WorkspaceHandle>());
            trackers_.emplace_back(s, claims_);
        }
        if (!plan.ensemble) {
            Particle origin;
            start_snapshot(s, origin.run, *workspaces_[0]);
            trackers_[0].attach(origin.run, origin.verdicts);
            population_.assign(n_, origin);
            return;
        }
        // one origin per member (their starting states may differ), shared by its particles
        std::vector<std::optional<Particle>> origins(plan.ensemble->members.size());
        population_.reserve(n_);
        for (std::size_t i = 0; i < n_; ++i) {
            const std::size_t m = plan.ensemble->member_of(i);
            if (!origins[m]) {
                origins[m].emplace();
                origins[m]->member = m;
                start_snapshot(plan.ensemble->members[m], origins[m]->run, *workspaces_[0]);
                trackers_[0].attach(origins[m]->run, origins[m]->verdicts);
            }
            population_.push_back(*origins[m]);
        }
    }

    /// Continues the population to `tick`, keeping only runs consistent with the
    /// observations decided by then.
    Stage advance(int tick, int stage_index) {
        Stage stage;
        stage.tick = tick;
        stage.day = tick_date(*s_.start_day, s_.tick_days, tick);
        std::vector<std::size_t> decided;  // observations decided at this stage
        for (std::size_t k = 0; k < timeline_.observations.size(); ++k) {
            const int last = timeline_.observations[k].claim.last_tick;
            if (last <= tick && last > decided_through_) decided.push_back(k), stage.observations.push_back(timeline_.observations[k].id);
        }
        std::vector<Particle> survivors;
        std::vector<std::uint64_t> failures(timeline_.observations.size(), 0);
        std::vector<Particle> children(n_);
        while (survivors.size() < floor_ && stage.rounds < plan_.max_rounds) {
            continue_all(children, tick, stage_seed(plan_.seed, stage_index), static_cast<std::uint64_t>(stage.rounds) * n_);
            for (Particle& child : children) {
                if (consistent(child, tick, failures)) survivors.push_back(std::move(child));
            }
            stage.attempts += n_;
            ++stage.rounds;
        }
        stage.survivors = survivors.size();
        stage.ess = static_cast<double>(std::min<std::uint64_t>(stage.survivors, n_));
        if (survivors.empty() && estimating_) return stage;
        if (survivors.empty()) throw ConditionError(no_survivor_message(stage, failures));
        resample(survivors, stage_index);
        decided_through_ = std::max(decided_through_, tick);
        return stage;
    }

    /// Continues every particle to the horizon (one round, no conditioning).
    void finish(int stage_index) {
        std::vector<Particle> children(n_);
        continue_all(children, s_.horizon, stage_seed(plan_.seed, stage_index), 0);
        population_ = std::move(children);
    }

    const std::vector<Particle>& population() const { return population_; }
    std::size_t claim_count() const { return claims_.size(); }

private:
    const Scenario& s_;
    const Timeline& timeline_;
    const ConditionPlan& plan_;
    bool estimating_;
    int threads_;
    std::size_t n_;
    std::uint64_t floor_;
    std::vector<const Claim*> claims_;  // observations, then questions
    std::vector<std::unique_ptr<WorkspaceHandle>> workspaces_;
    std::vector<ClaimTracker> trackers_;
    std::vector<Particle> population_;
    int decided_through_ = 0;

    const Scenario& scenario_of(const Particle& p) const { return plan_.ensemble ? plan_.ensemble->members[p.member] : s_; }

    void continue_all(std::vector<Particle>& children, int tick, std::uint64_t seed, std::uint64_t key_base) {
        const auto n = static_cast<std::int64_t>(n_);
#pragma omp parallel for schedule(dynamic, 16) num_threads(threads_)
        for (std::int64_t i = 0; i < n; ++i) {
            const auto t = static_cast<std::size_t>(omp_get_thread_num());
            Particle& child = children[static_cast<std::size_t>(i)];
            child = population_[static_cast<std::size_t>(i)];
            if (child.failed) continue;
            ClaimTracker& tracker = trackers_[t];
            tracker.attach(child.run, child.verdicts);
            try {
                continue_run(scenario_of(child), child.run, tick, seed, key_base + static_cast<std::uint64_t>(i), *workspaces_[t], &tracker);
                tracker.settle(child.run);
            } catch (const RunError&) {
                child.failed = true;
            }
        }
    }

    /// True when no observation decided by `tick` fails; counts the failures of each.
    bool consistent(const Particle& p, int tick, std::vector<std::uint64_t>& failures) const {
        if (p.failed) return false;
        bool ok = true;
        for (std::size_t k = 0; k < timeline_.observations.size(); ++k) {
            if (timeline_.observations[k].claim.last_tick > tick) continue;
            if (p.verdicts[k] != Verdict::holds) {
                ok = false;
                ++failures[k];
            }
        }
        return ok;
    }

    /// Systematic resampling of equally weighted survivors back to n particles.
    void resample(std::vector<Particle>& survivors, int stage_index) {
        Stream stream(plan_.seed, static_cast<std::uint64_t>(stage_index), StreamPurpose::decisions);
        const double u = stream.uniform();
        const double step = static_cast<double>(survivors.size()) / static_cast<double>(n_);
        for (std::size_t i = 0; i < n_; ++i) {
            const auto j = std::min(survivors.size() - 1, static_cast<std::size_t>((static_cast<double>(i) + u) * step));
            population_[i] = survivors[j];
        }
    }

    std::string no_survivor_message(const Stage& stage, const std::vector<std::uint64_t>& failures) const {
        std::string names;
        for (std::size_t k = 0; k < failures.size(); ++k) {
            if (failures[k] != stage.attempts) continue;
            const Observation& o = timeline_.observations[k];
            names += "\n  " + o.id + " (" + o.where + "): " + o.claim.describe;
        }
        if (names.empty())
            for (std::size_t k = 0; k < failures.size(); ++k)
                if (failures[k] > 0) {
                    const Observation& o = timeline_.observations[k];
                    names += "\n  " + o.id + " (" + o.where + "): " + o.claim.describe + ", false in " + std::to_string(failures[k]) + " runs";
                }
        return "no run is consistent with the observations decided by " + format_date(stage.day) + " (tick " +
               std::to_string(stage.tick) + ") after " + std::to_string(stage.attempts) + " continuations; " +
               (names.find("false in") == std::string::npos ? "none of them satisfied:" : "together they exclude every run:") + names;
    }
};

/// The observation ticks of `timeline` decided on or before `day`, in order.
std::vector<int> stage_ticks(const Timeline& timeline, int day) {
    std::vector<int> ticks;
    for (const Observation& o : timeline.observations)
        if (o.claim.last_day <= day) ticks.push_back(o.claim.last_tick);
    std::sort(ticks.begin(), ticks.end());
    ticks.erase(std::unique(ticks.begin(), ticks.end()), ticks.end());
    return ticks;
}

}  // namespace

double log_evidence(const Scenario& s, const Timeline& timeline, int until_day, std::uint64_t particles, std::uint64_t seed) {
    if (!s.start_day) throw ConditionError("the scenario has no calendar (run.start_date)");
    ConditionPlan plan;
    plan.particles = particles;
    plan.seed = seed;
    plan.threads = 1;     // the caller parallelises over parameter sets
    plan.ess_floor = 1;   // one round per stage: the plain particle filter's estimate
    plan.max_rounds = 1;
    Conditioner conditioner(s, timeline, plan, true);
    double log_p = 0.0;
    int stage_index = 1;
    for (const int tick : stage_ticks(timeline, until_day)) {
        const Stage stage = conditioner.advance(tick, stage_index++);
        if (stage.survivors == 0) return -std::numeric_limits<double>::infinity();
        log_p += std::log(stage.acceptance());
    }
    return log_p;
}

OddsAsOf odds_as_of(const Scenario& s, const Timeline& timeline, int as_of_day, const ConditionPlan& plan) {
    if (!s.start_day) throw ConditionError("the scenario has no calendar (run.start_date)");
    OddsAsOf odds;
    odds.day = as_of_day;
    odds.tick = std::min(s.horizon, std::max(0, tick_covering(*s.start_day, s.tick_days, as_of_day)));
    odds.particles = std::max<std::uint64_t>(1, plan.particles);
    Conditioner conditioner(s, timeline, plan);
    int stage_index = 1;
    for (const int tick : stage_ticks(timeline, as_of_day)) odds.stages.push_back(conditioner.advance(tick, stage_index++));
    conditioner.finish(stage_index);

    odds.ess = static_cast<double>(odds.particles);
    for (const Stage& st : odds.stages) {
        odds.ess = std::min(odds.ess, st.ess);
        odds.log_evidence += std::log(st.acceptance());
    }
    const auto& population = conditioner.population();
    const double n = static_cast<double>(population.size());
    const auto share = [&](auto&& holds) {
        std::uint64_t k = 0;
        for (const auto& p : population) k += holds(p) ? 1 : 0;
        Odds o;
        o.probability = static_cast<double>(k) / n;
        o.interval = wilson_share(o.probability, odds.ess);
        return o;
    };
    for (int k = 0; k < kOutcomeCount; ++k)
        odds.outcomes[static_cast<std::size_t>(k)] =
            share([&](const auto& p) { return !p.failed && p.run.result.outcome == static_cast<Outcome>(k); });
    const std::size_t first_question = timeline.observations.size();
    for (std::size_t q = 0; q < timeline.questions.size(); ++q)
        odds.questions.push_back(share([&](const auto& p) { return !p.failed && p.verdicts[first_question + q] == Verdict::holds; }));
    for (int r = 0; r < s.rung_count(); ++r)
        odds.rung_by_horizon.push_back(share([&](const auto& p) { return !p.failed && p.run.result.max_rung >= r; }));
    return odds;
}

}  // namespace brink
