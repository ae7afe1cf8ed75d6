#include "accumulator.hpp"

#include <algorithm>
#include <cmath>

namespace brink {

void Aggregates::reset(const Scenario& s, std::size_t parameter_sets) {
    set_outcomes.assign(parameter_sets * kOutcomeCount, 0);
    horizon = s.horizon;
    rungs = s.rung_count();
    variables = s.variable_count();
    const auto ticks = static_cast<std::size_t>(horizon + 1);
    completed = failed = 0;
    outcomes.fill(0);
    for (auto& h : end_tick) h.assign(ticks, 0);
    max_rung.assign(static_cast<std::size_t>(rungs), 0);
    active_rung.assign(ticks * static_cast<std::size_t>(rungs), 0);
    ended_rung.assign(ticks * static_cast<std::size_t>(rungs), 0);
    value_sum.assign(ticks * static_cast<std::size_t>(variables), 0);
    value_hist.assign(ticks * static_cast<std::size_t>(variables) * kQuantileBins, 0);
    for (std::size_t i = 0; i < 2; ++i) action_counts[i].assign(s.leaders[i].menu.size(), 0);
}

namespace {
void add_into(std::vector<std::uint64_t>& into, const std::vector<std::uint64_t>& from) {
    for (std::size_t i = 0; i < into.size(); ++i) into[i] += from[i];
}
}  // namespace

void Aggregates::add(const Aggregates& o) {
    completed += o.completed;
    failed += o.failed;
    for (std::size_t k = 0; k < outcomes.size(); ++k) {
        outcomes[k] += o.outcomes[k];
        add_into(end_tick[k], o.end_tick[k]);
    }
    add_into(max_rung, o.max_rung);
    add_into(active_rung, o.active_rung);
    add_into(ended_rung, o.ended_rung);
    add_into(value_sum, o.value_sum);
    add_into(value_hist, o.value_hist);
    for (std::size_t i = 0; i < 2; ++i) add_into(action_counts[i], o.action_counts[i]);
    add_into(set_outcomes, o.set_outcomes);
}

namespace {
/// std::llround(y) for |y| < 2^62, inline (llround is a call into libm, 17 of them a
/// tick): the truncation and the fraction y - trunc(y) are both exact.
inline std::int64_t round_half_away(double y) {
    const auto whole = static_cast<std::int64_t>(y);
    const double fraction = y - static_cast<double>(whole);
    return whole + (fraction >= 0.5 ? 1 : 0) - (fraction <= -0.5 ? 1 : 0);
}
}  // namespace

void TickAccumulator::record(int tick, const double* state, int rung) {
    a_.active_rung[a_.tick_rung(tick, rung)] += step_;
    std::uint64_t* sum = a_.value_sum.data() + a_.tick_var(tick, 0);
    std::uint64_t* hist = a_.value_hist.data() + a_.tick_var_bin(tick, 0, 0);
    for (int v = 0; v < a_.variables; ++v, hist += kQuantileBins) {
        const double x = state[v];
        sum[v] += step_ * static_cast<std::uint64_t>(round_half_away(x * kFixedPointScale));
        const int bin = std::min(static_cast<int>(x * kQuantileBins), kQuantileBins - 1);
        hist[bin] += step_;
    }
}

void TickAccumulator::finish(const RunResult& r) {
    ++a_.completed;
    const auto k = static_cast<std::size_t>(r.outcome);
    ++a_.outcomes[k];
    ++a_.end_tick[k][static_cast<std::size_t>(r.end_tick)];
    ++a_.max_rung[static_cast<std::size_t>(r.max_rung)];
    ++a_.ended_rung[a_.tick_rung(r.end_tick, r.final_rung)];
    for (std::size_t i = 0; i < 2; ++i)
        for (std::size_t m = 0; m < r.action_counts[i].size(); ++m)
            a_.action_counts[i][m] += static_cast<std::uint64_t>(r.action_counts[i][m]);
}

}  // namespace brink
