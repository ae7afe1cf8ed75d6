// One run of the model: MODEL.md section 5, tick by tick (docs/model.md describes it).
//
// The phases of a tick are separate functions (tick.hpp) so that the benchmarks time
// exactly this code. What makes a tick cheap (benchmarks/RESULTS.md has the figures):
//  - each leader's menu is flattened once per run (Workspace::Menu): actions, costs,
//    escalations, and the effects listed by the variable they change; menu positions
//    are carried with the choice instead of searched for;
//  - the war term depends on an action only through its escalation, so it and the
//    reciprocity term are computed once per distinct escalation value per decision,
//    and its step logistics from per-class exp() factors: two exp() calls a decision;
//  - the goal term is linear in the effects unless a move would push a predicted
//    variable past 0 or 1: each position's linear term is computed once per run, and a
//    decision computes the predicted value (and the opponent's believed effect) only
//    for the variables where the opponent's envelope leaves that possible, correcting
//    the positions that change them (about half of the options in the baseline);
//  - the logit weights of all feasible options are one Eigen array expression, so exp()
//    runs vectorised (two doubles per instruction in the portable build, four or eight
//    with -DBRINK_NATIVE=ON); the best option's exponent is exactly 0 and its weight 1.
// These regroup the same arithmetic, so a utility may differ from the straightforward
// formula in its last bits. A choice changes only if the logit draw lands within that
// distance of a boundary between two options (of the order of 1e-15 per decision), so
// results are unchanged in practice: benchmarks/same-results finds the result folders
// of every shipped scenario, at 10^5 runs each, byte-identical to the straightforward
// code's. What is exact is reproducibility: the same code gives the same bits on any
// thread count, and traces and played runs take the same path as `brink run`.
#include <Eigen/Core>
#include <algorithm>
#include <bit>
#include <cmath>
#include <limits>
#include <string>

#include "tick.hpp"

namespace brink {

WorkspaceHandle::WorkspaceHandle() : ws_(new Workspace) {}
WorkspaceHandle::~WorkspaceHandle() { delete ws_; }

namespace {

inline std::size_t at(int i) { return static_cast<std::size_t>(i); }
inline double clamp01(double v) { return v < 0.0 ? 0.0 : (v > 1.0 ? 1.0 : v); }
inline double logistic(double z) { return 1.0 / (1.0 + std::exp(-z)); }

inline bool holds(const std::vector<Condition>& conditions, const std::vector<double>& state, int rung) {
    for (const Condition& c : conditions) {
        const double v = c.variable == kRung ? static_cast<double>(rung) : state[at(c.variable)];
        if (v < c.min || v > c.max) return false;
    }
    return true;
}

struct StepProbabilities {
    double up = 0.0;
    double down = 0.0;
};

inline StepProbabilities step_probabilities(const Scenario& s, int rung, double pressure, double tension) {
    const double x = pressure + s.step.tension_weight * tension;
    StepProbabilities p;
    if (rung + 1 < s.rung_count()) p.up = logistic(s.step.sensitivity * (x - s.up_threshold_at[at(rung)]));
    if (rung > 0) p.down = logistic(s.step.sensitivity * (s.down_threshold_at[at(rung)] - x));
    return p;
}

/// The war cost expected after one ladder step from `rung` with step probabilities p.
inline double expected_war_cost(const Scenario& s, int rung, StepProbabilities p) {
    const auto cost = [&](int r) { return s.ladder[at(r)].war_cost; };
    double expected = (1.0 - p.up - p.down) * cost(rung);
    if (p.up > 0.0) expected += p.up * cost(rung + 1);
    if (p.down > 0.0) expected += p.down * cost(rung - 1);
    return expected;
}

inline double expected_war_cost(const Scenario& s, int rung, double pressure, double tension) {
    return expected_war_cost(s, rung, step_probabilities(s, rung, pressure, tension));
}

/// expected_war_cost for every escalation class of a menu at pressure e_c + E, with
/// exp(-k (e_c + E + wT - u)) = exp(-k e_c) exp(-k (E + wT - u)): the per-class factors
/// come from start(), so a decision takes two exp() calls instead of two per class.
/// The war term may differ from the direct formula in its last bits; whether a choice
/// changes depends on the logit draw landing within that of a boundary (about 1e-15
/// per decision), and the result folders of every shipped scenario are byte-identical
/// (benchmarks/same-results). Not used (`factored` false) when a factor of the menu or
/// of this decision is not a normal number, where the product could lose precision.
class FactoredLadder {
public:
    FactoredLadder(const Scenario& s, const Workspace::Menu& menu, int rung, double opponent_escalation, double tension)
        : s_(s), rung_(rung) {
        const double base = opponent_escalation + s.step.tension_weight * tension;  // opponent_escalation includes the state pressure
        has_up_ = rung + 1 < s.rung_count();
        has_down_ = rung > 0;
        up_ = has_up_ ? std::exp(-s.step.sensitivity * (base - s.up_threshold_at[at(rung)])) : 0.0;
        down_ = has_down_ ? std::exp(s.step.sensitivity * (base - s.down_threshold_at[at(rung)])) : 0.0;
        factored = menu.factored && (!has_up_ || std::isnormal(up_)) && (!has_down_ || std::isnormal(down_));
    }
    bool factored = false;

    StepProbabilities probabilities(const Workspace::Menu& menu, std::size_t c) const {
        StepProbabilities p;
        if (has_up_) p.up = 1.0 / (1.0 + up_ * menu.class_up_factor[c]);
        if (has_down_) p.down = 1.0 / (1.0 + down_ * menu.class_down_factor[c]);
        return p;
    }

private:
    const Scenario& s_;
    int rung_;
    bool has_up_ = false, has_down_ = false;
    double up_ = 0.0, down_ = 0.0;
};

// ---------------------------------------------------------------------------
// Version 2: forecasts over more than one tick (docs/model.md, "Utility in version 2").

/// A distribution over a track's rungs (the ladder or the nuclear track) with the band
/// [lo, hi] outside which it is zero. Its buffers in the workspace are kept all zero
/// outside the band, so that growing the band needs no clearing.
struct Distribution {
    double* mass;
    int lo = 0, hi = 0;
};

/// The distribution after one step from `rung` with step probabilities p.
Distribution one_step(double* mass, int count, int rung, StepProbabilities p) {
    mass[rung] = 1.0 - p.up - p.down;
    Distribution d{mass, rung, rung};
    if (rung + 1 < count) mass[rung + 1] = p.up, d.hi = rung + 1;
    if (rung > 0) mass[rung - 1] = p.down, d.lo = rung - 1;
    return d;
}

/// A move's jumps applied to a forecast: mass below `to` moves there with its probability.
void apply_jumps(Distribution& d, const std::vector<Jump>* jumps) {
    if (!jumps) return;
    for (const Jump& j : *jumps) {
        double moved = 0.0;
        for (int r = d.lo; r <= std::min(d.hi, j.to - 1); ++r) {
            moved += j.probability * d.mass[r];
            d.mass[r] *= 1.0 - j.probability;
        }
        if (j.to >= d.lo) {
            d.mass[j.to] += moved;
            d.hi = std::max(d.hi, j.to);
        }
    }
}

double expected_cost(const Workspace::TrackLaw& law, const Distribution& d) {
    double sum = 0.0;
    for (int r = d.lo; r <= d.hi; ++r) sum += d.mass[r] * law.war_cost[at(r)];
    return sum;
}

/// Step probabilities of every rung in [lo, hi] at pressure x (thresholds by rung):
/// with F = exp(-k x), p_up = 1 / (1 + F exp(k theta_up)), p_down = 1 / (1 + exp(-k theta_down) / F).
void step_table(const Workspace::TrackLaw& law, double x, int lo, int hi, double* up, double* down) {
    const int top = law.count() - 1;
    const double f = std::exp(-law.sensitivity * x);
    const bool factored = law.factored && std::isnormal(f) && std::isnormal(1.0 / f);
    for (int r = lo; r <= hi; ++r) {
        if (law.absorbing[at(r)]) {
            up[r] = down[r] = 0.0;
            continue;
        }
        up[r] = r < top ? (factored ? 1.0 / (1.0 + f * law.up_exp[at(r)])
                                    : logistic(law.sensitivity * (x - law.up_theta[at(r)])))
                        : 0.0;
        down[r] = r > 0 ? (factored ? 1.0 / (1.0 + law.down_exp[at(r)] / f)
                                    : logistic(law.sensitivity * (law.down_theta[at(r)] - x)))
                        : 0.0;
    }
}

/// What a leader's lookahead needs beyond the class: the bands and the step tables of
/// ticks 2..H, computed once per decision (docs/model.md: after this tick's move the
/// leader forecasts with its base policy, its own last move, against the opponent's
/// expected move).
struct Forecast {
    int horizon = 1;
    double discount = 1.0;
    double later = 0.0;           // ladder pressure of ticks >= 2: e(own last) + e'_opp + state + tension
    double nuclear_later = 0.0;   // nuclear pressure of ticks >= 2: n(own last) + n_opp + rung pressure + tension
    double nuclear_first = 0.0;   // nuclear pressure of this tick besides the own move
    double opponent_later = 0.0;  // the opponent's expected escalation at ticks >= 2 (type beliefs)
    double opponent_nuclear = 0.0;
    int rung = 0, level = 0;
    int rung_lo = 0, rung_hi = 0, level_lo = 0, level_hi = 0;  // the rungs and levels a forecast can reach
    StepProbabilities nuclear_step_without_move;  // the track's first step for a move with no nuclear pressure
};

/// Where the step tables live in ws.step_up / ws.step_down: the base table of ticks >= 2
/// (ladder rungs, then nuclear levels) and a second one for tick 2 shifted by committed
/// responses.
struct Tables {
    double *up, *down, *shifted_up, *shifted_down;
};

Tables tables(Workspace& ws) {
    const std::size_t half = ws.step_up.size() / 2;
    return Tables{ws.step_up.data(), ws.step_down.data(), ws.step_up.data() + half, ws.step_down.data() + half};
}

void fill_tables(Workspace& ws, const Forecast& f, bool track, double shift, double nuclear_shift, double* up,
                 double* down) {
    const int rungs = ws.ladder_law.count();
    step_table(ws.ladder_law, f.later + shift, f.rung_lo, f.rung_hi, up, down);
    if (track) step_table(ws.nuclear_law, f.nuclear_later + nuclear_shift, f.level_lo, f.level_hi, up + rungs, down + rungs);
}

/// The discounted war cost still to come from each rung, by backward recursion over a
/// step table: W_k = delta P (c + W_{k-1}), W_0 = 0, so that W_{H-1} = sum_{j=1..H-1}
/// delta^j P^j c and the lookahead of any first-step distribution pi_1 is pi_1 . W_{H-1}
/// (docs/model.md): computed once per decision and shared by every option. Writes
/// W_steps to `value` and W_{steps-1} to `rest` on [lo, hi]; a neighbour outside the band
/// counts as 0, which only touches entries the forecast never reads (the band reaches
/// `steps` rungs beyond any first-step rung).
void value_recursion(const Workspace::TrackLaw& law, const double* up, const double* down, int lo, int hi, int steps,
                     double discount, double* value, double* rest) {
    const double* cost = law.war_cost.data();
    for (int r = lo; r <= hi; ++r) value[r] = rest[r] = 0.0;
    for (int k = 1; k <= steps; ++k) {
        std::swap(value, rest);  // rest holds W_{k-1}; value receives W_k
        for (int r = lo; r <= hi; ++r) {
            const double stay = cost[r] + rest[r];
            double next = (1.0 - up[r] - down[r]) * stay;
            if (up[r] > 0.0 && r + 1 <= hi) next += up[r] * (cost[r + 1] + rest[r + 1]);
            if (down[r] > 0.0 && r - 1 >= lo) next += down[r] * (cost[r - 1] + rest[r - 1]);
            value[r] = discount * next;
        }
    }
    if (steps % 2 == 1) {  // the swaps left W_steps in the caller's `rest`: swap the contents back
        for (int r = lo; r <= hi; ++r) std::swap(value[r], rest[r]);
    }
}

/// One step of the value function at rung r with a step table: delta P (c + W) at r.
double value_step(const Workspace::TrackLaw& law, const double* up, const double* down, const double* w, int r, int lo,
                  int hi, double discount) {
    const double* cost = law.war_cost.data();
    double next = (1.0 - up[r] - down[r]) * (cost[r] + w[r]);
    if (up[r] > 0.0 && r + 1 <= hi) next += up[r] * (cost[r + 1] + w[r + 1]);
    if (down[r] > 0.0 && r - 1 >= lo) next += down[r] * (cost[r - 1] + w[r - 1]);
    return discount * next;
}

/// Discounted war cost of ticks 2..H (before risk aversion) of a first-step distribution:
/// pi_1 . W_{H-1}, or with `shifted`, pi_1 . delta P_2 (c + W_{H-2}) with tick 2's step
/// table shifted by the committed responses.
double forecast_value(const Workspace& ws, const Workspace::TrackLaw& law, const Distribution& d, const Forecast& f,
                      std::size_t offset, bool shifted, int lo, int hi) {
    const double* later = ws.value.data() + offset;
    double total = 0.0;
    if (!shifted) {
        for (int r = d.lo; r <= d.hi; ++r) total += d.mass[r] * later[r];
        return total;
    }
    const std::size_t half = ws.step_up.size() / 2;
    const double* up = ws.step_up.data() + half + offset;
    const double* down = ws.step_down.data() + half + offset;
    const double* rest = ws.value_rest.data() + offset;
    for (int r = d.lo; r <= d.hi; ++r)
        if (d.mass[r] != 0.0) total += d.mass[r] * value_step(law, up, down, rest, r, lo, hi, f.discount);
    return total;
}

/// pi_1 . W for a one-step distribution with no jumps: three terms, no buffer.
double three_point_value(const double* w, int rung, int count, StepProbabilities p) {
    double total = (1.0 - p.up - p.down) * w[rung];
    if (rung + 1 < count) total += p.up * w[rung + 1];
    if (rung > 0) total += p.down * w[rung - 1];
    return total;
}

double lookahead_cost(Workspace& ws, const Forecast& f, const std::vector<Jump>* jumps, StepProbabilities p,
                      StepProbabilities q, bool track, bool shifted) {
    const Workspace::TrackLaw& ladder = ws.ladder_law;
    const auto offset = static_cast<std::size_t>(ladder.count());
    double total = 0.0;
    if (!jumps && !shifted) {
        total = three_point_value(ws.value.data(), f.rung, ladder.count(), p);
    } else {
        Distribution rung = one_step(ws.chain.data(), ladder.count(), f.rung, p);
        apply_jumps(rung, jumps);
        total = forecast_value(ws, ladder, rung, f, 0, shifted, f.rung_lo, f.rung_hi);
        for (int r = rung.lo; r <= rung.hi; ++r) rung.mass[r] = 0.0;  // the buffer stays all zero
    }
    if (!track) return total;
    if (!shifted) return total + three_point_value(ws.value.data() + offset, f.level, ws.nuclear_law.count(), q);
    Distribution level = one_step(ws.levels.data(), ws.nuclear_law.count(), f.level, q);
    total += forecast_value(ws, ws.nuclear_law, level, f, offset, shifted, f.level_lo, f.level_hi);
    for (int l = level.lo; l <= level.hi; ++l) level.mass[l] = 0.0;
    return total;
}

/// The nuclear track's step probabilities at `level` with pressure y.
StepProbabilities nuclear_step(const Scenario& s, int level, double y) {
    const NuclearTrack& t = s.nuclear;
    StepProbabilities p;
    if (level + 1 < t.level_count()) p.up = logistic(t.step.sensitivity * (y - t.up_threshold_at[at(level)]));
    if (level > 0) p.down = logistic(t.step.sensitivity * (t.down_threshold_at[at(level)] - y));
    return p;
}

double expected_level_cost(const Scenario& s, int level, StepProbabilities p) {
    const auto cost = [&](int l) { return s.nuclear.levels[at(l)].war_cost; };
    double expected = (1.0 - p.up - p.down) * cost(level);
    if (p.up > 0.0) expected += p.up * cost(level + 1);
    if (p.down > 0.0) expected += p.down * cost(level - 1);
    return expected;
}

/// Per-tick context shared by both leaders' decisions.
struct TickContext {
    int rung = 0;
    double tension = 0.0;
    std::array<int, 2> perceived{-1, -1};  // opponent's last move as each leader saw it
    std::array<int, 2> previous{-1, -1};   // each leader's own last move
    double state_pressure = 0.0;           // sum_v beta_v s_v (start of tick)
    int level = 0;                         // nuclear-track level
    std::array<int, 2> mode{0, 0};
};

/// Utility terms of action a for leader i, given the predicted state (perceived state
/// plus the believed opponent effect) and the war term (already computed for a's
/// escalation), for observers that ask for details: the goal term by goal. choose()
/// computes the total from Menu::goal_linear and its corrections, equal to this one's
/// to rounding; the utility reported is choose()'s.
struct Terms {
    double goals = 0.0, war = 0.0, cost = 0.0, reciprocity = 0.0, resolve = 0.0;
    double total() const { return goals - war - cost + reciprocity + resolve; }
};

inline Terms utility_terms(const Scenario& s, int i, int a, const double* predicted, double war,
                           const TickContext& ctx, std::vector<double>* by_goal) {
    const Leader& leader = s.leaders[at(i)];
    const Action& action = s.actions[at(a)];
    const double* weight = leader.value_weights.data();
    Terms t;
    if (by_goal) by_goal->assign(leader.goal_names.size(), 0.0);
    for (const Effect& e : action.effects) {
        const double p = predicted[at(e.variable)];
        const double before = clamp01(p);
        const double delta = clamp01(p + e.mean) - before;
        t.goals += weight[at(e.variable)] * delta;
        if (by_goal) {
            for (std::size_t g = 0; g < leader.goal_names.size(); ++g)
                (*by_goal)[g] += leader.priorities[g] * leader.goals[g][at(e.variable)] * delta;
        }
    }
    t.war = war;
    t.cost = action.cost;
    const int seen = ctx.perceived[at(i)];
    if (seen >= 0) t.reciprocity = -leader.traits.reciprocity * std::abs(action.escalation - s.actions[at(seen)].escalation);
    if (a == ctx.previous[at(i)]) t.resolve = leader.traits.resolve;
    return t;
}

/// Leader i perceives the opponent's last move and updates its beliefs.
/// Leader i's beliefs over the opponent's hidden modes after seeing the move at menu
/// position k: a forgetting step toward the priors, then Bayes' rule (docs/model.md).
void update_type_beliefs(const Leader& leader, const Leader& opponent, std::size_t k, std::vector<double>& mu) {
    const double keep = leader.traits.memory;
    double total = 0.0;
    for (std::size_t m = 0; m < mu.size(); ++m) {
        mu[m] = (keep * mu[m] + (1.0 - keep) * opponent.modes[m].prior) * opponent.modes[m].likelihood[k];
        total += mu[m];
    }
    for (std::size_t m = 0; m < mu.size(); ++m) mu[m] = total > 0.0 ? mu[m] / total : opponent.modes[m].prior;
}

void perceive(const Scenario& s, int i, int opponent_move, int opponent_position, TickContext& ctx, Workspace& ws,
              LeaderTick* detail) {
    const Leader& leader = s.leaders[at(i)];
    const Leader& opponent = s.leaders[at(1 - i)];
    // Two draws every tick, used or not, so the stream stays aligned across scenarios.
    const double u_misread = ws.decisions.uniform();
    const double u_which = ws.decisions.uniform();
    int seen = opponent_move;
    bool misread = false;
    if (opponent_move >= 0) {
        const double p_misread = leader.traits.misperception * (1.0 - ws.state[at(s.channel)]);
        if (u_misread < p_misread) {
            const auto it = std::upper_bound(leader.misread_cdf.begin(), leader.misread_cdf.end(), u_which);
            const auto k = std::min<std::size_t>(static_cast<std::size_t>(it - leader.misread_cdf.begin()),
                                                 opponent.menu.size() - 1);
            seen = opponent.menu[k];
            misread = true;
            opponent_position = static_cast<int>(k);
        }
        // Decaying frequency of the opponent's perceived moves.
        double* b = ws.beliefs[at(i)].data();
        const std::size_t n = ws.beliefs[at(i)].size();
        const int* menu = opponent.menu.data();
        const double keep = leader.traits.memory;
        const double hit = (1.0 - keep) * 1.0, miss = (1.0 - keep) * 0.0;  // the two values of (1 - keep) * [k = seen]
        for (std::size_t k = 0; k < n; ++k) b[k] = keep * b[k] + (menu[k] == seen ? hit : miss);
        if (!opponent.modes.empty()) update_type_beliefs(leader, opponent, at(opponent_position), ws.type_beliefs[at(i)]);
    }
    ctx.perceived[at(i)] = seen;
    if (detail) {
        detail->observed = seen;
        detail->actual_previous = opponent_move;
        detail->misread = misread;
    }
}

/// The belief-weighted mean of the opponent's feasible moves: their shares are
/// b_k / mass, or equal when the beliefs put no mass on them.
struct BelievedMove {
    const Workspace::Menu& menu;
    const double* belief;
    const char* feasible;
    bool equal_shares = false;
    double scale = 0.0;       // 1 / mass, or 1 / (number of feasible moves)
    double escalation = 0.0;  // its expected escalation

    BelievedMove(const Workspace::Menu& m, const double* b, const char* f) : menu(m), belief(b), feasible(f) {
        double mass = 0.0, weighted = 0.0, plain = 0.0;
        std::size_t count = 0;
        for (std::size_t k = 0; k < menu.action.size(); ++k)
            if (feasible[at(menu.action[k])]) {
                mass += belief[k];
                weighted += belief[k] * menu.escalation[k];
                plain += menu.escalation[k];
                ++count;
            }
        equal_shares = !(mass > 0.0);
        // No feasible move at all: the opponent's own decision will throw; until then it
        // is believed to do nothing (scale 0), as an empty sum says.
        scale = count == 0 ? 0.0 : (equal_shares ? 1.0 / static_cast<double>(count) : 1.0 / mass);
        escalation = (equal_shares ? plain : weighted) * scale;
    }

    /// Its expected nuclear pressure (version 2; the menu has nuclear pressures only
    /// when the scenario has a nuclear track).
    double nuclear() const {
        double sum = 0.0;
        for (std::size_t k = 0; k < menu.nuclear.size(); ++k)
            if (feasible[at(menu.action[k])]) sum += (equal_shares ? 1.0 : belief[k]) * menu.nuclear[k];
        return sum * scale;
    }

    /// Its expected effect on variable v.
    double effect(std::size_t v) const {
        const int t = menu.touch_of[v];
        if (t < 0) return 0.0;
        double sum = 0.0;
        for (int j = menu.touch_begin[at(t)]; j < menu.touch_begin[at(t) + 1]; ++j) {
            const auto k = at(menu.touch_position[at(j)]);
            if (feasible[at(menu.action[k])]) sum += (equal_shares ? 1.0 : belief[k]) * menu.touch_mean[at(j)];
        }
        return sum * scale;
    }
};

/// Leader i's goal term of every menu position, as corrections to Menu::goal_linear:
/// on each variable its moves change, the predicted value (perceived + the believed
/// opponent effect) lies in bounds that the opponent's envelope gives without computing
/// it; only where those bounds let some move reach 0 or 1 is the predicted value
/// computed and the clamped change replace the linear one. With `predicted`, also
/// writes the predicted value of every variable the moves change (for details).
/// Returns false when nothing needed correcting (`correction` is then not written).
bool goal_corrections(const Workspace::Menu& own, const Workspace::Menu& opponent, const BelievedMove& believed,
                      const double* weight, const double* perceived, double* correction, double* predicted) {
    bool corrected = false;
    for (std::size_t t = 0; t < own.touched.size(); ++t) {
        const auto v = at(own.touched[t]);
        const double low = perceived[v] + opponent.envelope_low[v];
        const double high = perceived[v] + opponent.envelope_high[v];
        const bool inside = low >= 0.0 && high <= 1.0 && low + own.touched_low[t] >= 0.0 && high + own.touched_high[t] <= 1.0;
        if (inside && !predicted) continue;
        const double q = perceived[v] + believed.effect(v);
        if (predicted) predicted[v] = q;
        if (inside) continue;
        if (!corrected) {
            for (std::size_t k = 0; k < own.action.size(); ++k) correction[k] = 0.0;
            corrected = true;
        }
        const double before = clamp01(q);
        for (int j = own.touch_begin[t]; j < own.touch_begin[t + 1]; ++j) {
            const double mean = own.touch_mean[at(j)];
            correction[at(own.touch_position[at(j)])] += weight[v] * ((clamp01(q + mean) - before) - mean);
        }
    }
    return corrected;
}

/// Leader i's forecast settings this decision: the pressures of ticks 2..H (its own
/// last move, the opponent's expected move shifted by the type beliefs), the bands, and
/// the base step tables.
Forecast prepare_forecast(const Scenario& s, Workspace& ws, int i, const TickContext& ctx,
                          const BelievedMove& believed, double pressure) {
    const Leader& leader = s.leaders[at(i)];
    const Leader& opponent = s.leaders[at(1 - i)];
    const int own_last = ctx.previous[at(i)];
    Forecast f;
    f.horizon = leader.traits.foresight;
    f.discount = leader.traits.discount;
    double type_shift = 0.0;
    for (std::size_t m = 0; m < opponent.modes.size(); ++m)
        type_shift += ws.type_beliefs[at(i)][m] * opponent.modes[m].escalation_shift;
    f.opponent_later = believed.escalation + type_shift;
    const double own_escalation = own_last >= 0 ? s.actions[at(own_last)].escalation : 0.0;
    f.later = own_escalation + pressure + type_shift + s.step.tension_weight * ctx.tension;
    f.rung = ctx.rung;
    f.rung_lo = std::max(0, ctx.rung - f.horizon);
    f.rung_hi = std::min(s.rung_count() - 1, ctx.rung + f.horizon);
    for (const int a : leader.menu)
        for (const Jump& j : s.actions[at(a)].jumps) f.rung_hi = std::max(f.rung_hi, std::min(s.rung_count() - 1, j.to + f.horizon));
    const bool track = s.nuclear.present();
    if (track) {
        f.opponent_nuclear = believed.nuclear();
        f.nuclear_first = f.opponent_nuclear + s.nuclear.rung_pressure[at(ctx.rung)] + s.nuclear.step.tension_weight * ctx.tension;
        f.nuclear_later = (own_last >= 0 ? s.actions[at(own_last)].nuclear : 0.0) + f.nuclear_first;
        f.level = ctx.level;
        f.level_lo = std::max(0, ctx.level - f.horizon);
        f.level_hi = std::min(s.nuclear.level_count() - 1, ctx.level + f.horizon);
        f.nuclear_step_without_move = nuclear_step(s, f.level, 0.0 + f.nuclear_first);
    }
    if (f.horizon >= 2) {
        const Tables t = tables(ws);
        fill_tables(ws, f, track, 0.0, 0.0, t.up, t.down);
        value_recursion(ws.ladder_law, t.up, t.down, f.rung_lo, f.rung_hi, f.horizon - 1, f.discount, ws.value.data(),
                        ws.value_rest.data());
        if (track) {
            const auto offset = static_cast<std::size_t>(s.rung_count());
            value_recursion(ws.nuclear_law, t.up + offset, t.down + offset, f.level_lo, f.level_hi, f.horizon - 1,
                            f.discount, ws.value.data() + offset, ws.value_rest.data() + offset);
        }
    }
    return f;
}

struct ClassForecast {
    double first = 0.0;  // war cost expected after this tick's step (ladder and track)
    double later = 0.0;  // discounted war cost of ticks 2..H
};

/// The war costs a leader forecasts for its move (menu class c) from one-step ladder
/// probabilities p; `shifted`: tick 2 under the opponent's committed responses (the
/// shifted tables must be filled).
ClassForecast forecast_class(const Scenario& s, Workspace& ws, const Forecast& f, const Workspace::Menu& own,
                             std::size_t c, StepProbabilities p, bool shifted) {
    ClassForecast out;
    const std::vector<Jump>* jumps = own.class_jumps[c];
    if (jumps) {
        Distribution d = one_step(ws.chain.data(), s.rung_count(), f.rung, p);
        apply_jumps(d, jumps);
        out.first = expected_cost(ws.ladder_law, d);
        for (int r = d.lo; r <= d.hi; ++r) d.mass[r] = 0.0;
    } else {
        out.first = expected_war_cost(s, f.rung, p);
    }
    const bool track = s.nuclear.present();
    StepProbabilities q;
    if (track) {
        // Most moves put no pressure on the track: their step is the decision's, computed once.
        const double n = own.class_nuclear[c];
        q = n == 0.0 ? f.nuclear_step_without_move : nuclear_step(s, f.level, n + f.nuclear_first);
        out.first += expected_level_cost(s, f.level, q);
    }
    if (f.horizon >= 2) out.later = lookahead_cost(ws, f, jumps, p, q, track, shifted);
    return out;
}

/// Version-2 terms by menu position into ws.bonus (and, per position, the lookahead and
/// committed terms into ws.position_look / ws.position_committed): the mode's
/// propensities, audience costs of pending commitments, and for moves that trigger the
/// opponent's commitments the credibility-weighted committed responses.
void strategic_terms(const Scenario& s, Workspace& ws, int i, const TickContext& ctx, const Forecast& f,
                     const Workspace::Menu& own, const FactoredLadder& ladder, double pressure, double averse,
                     const char* feasible) {
    const Leader& leader = s.leaders[at(i)];
    const std::size_t n = own.action.size();
    double* bonus = ws.bonus.data();
    for (std::size_t k = 0; k < n; ++k) {
        bonus[k] = leader.modes.empty() ? 0.0 : leader.modes[at(ctx.mode[at(i)])].propensity[k];
        ws.position_committed[k] = 0.0;
        ws.position_look[k] = ws.class_look[at(own.escalation_class[k])];
    }
    for (std::size_t c = 0; c < s.commitments.size(); ++c)
        if (s.commitments[c].by == i && ws.pending[c] && ws.response_position[c] >= 0)
            bonus[at(ws.response_position[c])] += s.commitments[c].audience_cost;
    if (f.horizon < 2) return;
    for (std::size_t k = 0; k < n; ++k) {
        if (!feasible[at(own.action[k])]) continue;
        double shift = 0.0, nuclear_shift = 0.0, committed = 0.0;
        bool any = false;
        for (int j = own.trigger_begin[k]; j < own.trigger_begin[k + 1]; ++j) {
            const auto c = at(own.trigger_list[at(j)]);
            if (!ws.active[c] || ws.pending[c]) continue;
            const double kappa = ws.credibility[c];
            const Action& response = s.actions[at(s.commitments[c].response)];
            shift += kappa * (response.escalation - f.opponent_later);
            nuclear_shift += kappa * (response.nuclear - f.opponent_nuclear);
            committed += kappa * ws.response_value[c];
            any = true;
        }
        if (!any) continue;
        const auto c = at(own.escalation_class[k]);
        const double e = own.class_escalation[c];
        const StepProbabilities p = ladder.factored ? ladder.probabilities(own, c)
                                                    : step_probabilities(s, ctx.rung, e + pressure, ctx.tension);
        const Tables t = tables(ws);
        fill_tables(ws, f, s.nuclear.present(), shift, nuclear_shift, t.shifted_up, t.shifted_down);
        const double look = averse * forecast_class(s, ws, f, own, c, p, true).later;
        ws.position_look[k] = look;
        ws.position_committed[k] = f.discount * committed;
        bonus[k] += ws.position_committed[k] + (ws.class_look[c] - look);
    }
}

/// Leader i chooses an action by the logit rule; returns its menu position.
int choose(const Scenario& s, int i, const TickContext& ctx, Workspace& ws, LeaderTick* detail) {
    const Leader& leader = s.leaders[at(i)];
    const Workspace::Menu& own = ws.menus[at(i)];
    const Workspace::Menu& opponent = ws.menus[at(1 - i)];
    const std::size_t n_vars = ws.state.size();
    const double* state = ws.state.data();
    double* perceived = ws.perceived.data();
    const char* feasible = ws.feasible.data();

    // Perceived state, noisier when the channel is closed.
    if (s.perception.state_noise > 0.0) {
        const double noise_sd = s.perception.state_noise * (1.0 - state[at(s.channel)]);
        for (std::size_t v = 0; v < n_vars; ++v) perceived[v] = state[v] + noise_sd * ws.decisions.normal();
    } else {
        for (std::size_t v = 0; v < n_vars; ++v) perceived[v] = state[v];
    }

    // Believed opponent move, and the goal terms on the predicted state.
    const BelievedMove believed(opponent, ws.beliefs[at(i)].data(), feasible);
    const double escalation = believed.escalation;
    const double* weight = leader.value_weights.data();
    const double* correction = ws.correction.data();
    const bool corrected = goal_corrections(own, opponent, believed, weight, perceived, ws.correction.data(),
                                            detail ? ws.predicted.data() : nullptr);

    // Utilities of feasible actions, then the logit (quantal-response) rule.
    // U = Goal - War - c + Recip + Resolve (MODEL.md); see utility_terms for the terms.
    const std::size_t menu_size = own.action.size();
    double* class_war = ws.class_war.data();
    double* class_recip = ws.class_recip.data();
    const double averse = 1.0 - leader.traits.risk_tolerance;
    const int seen = ctx.perceived[at(i)];
    const double seen_escalation = seen >= 0 ? s.actions[at(seen)].escalation : 0.0;
    const double reciprocity = leader.traits.reciprocity;
    const double resolve = leader.traits.resolve;
    const int previous = ctx.previous[at(i)];
    const double pressure = escalation + ctx.state_pressure;  // the believed move's, plus the state's
    const FactoredLadder ladder(s, own, ctx.rung, pressure, ctx.tension);
    const bool strategic = ws.strategic[at(i)];
    Forecast forecast;
    if (strategic) forecast = prepare_forecast(s, ws, i, ctx, believed, pressure);
    for (std::size_t c = 0; c < own.class_escalation.size(); ++c) {
        const double e = own.class_escalation[c];
        const StepProbabilities p = ladder.factored ? ladder.probabilities(own, c)
                                                    : step_probabilities(s, ctx.rung, e + pressure, ctx.tension);
        if (!strategic) {
            class_war[c] = averse * expected_war_cost(s, ctx.rung, p);
        } else {
            const ClassForecast f = forecast_class(s, ws, forecast, own, c, p, false);
            class_war[c] = averse * f.first;
            ws.class_look[c] = averse * f.later;
        }
        class_recip[c] = seen >= 0 ? -reciprocity * std::abs(e - seen_escalation) : 0.0;
    }
    if (strategic) strategic_terms(s, ws, i, ctx, forecast, own, ladder, pressure, averse, feasible);
    int* options = ws.options.data();
    double* weights = ws.weights.data();
    std::size_t count = 0;
    double best = -std::numeric_limits<double>::infinity();
    for (std::size_t k = 0; k < menu_size; ++k) {
        const int a = own.action[k];
        if (!feasible[at(a)]) continue;
        const auto c = at(own.escalation_class[k]);
        const double goals = corrected ? own.goal_linear[k] + correction[k] : own.goal_linear[k];
        const double stay = a == previous ? resolve : 0.0;
        double u = goals - class_war[c] - own.cost[k] + class_recip[c] + stay;
        if (strategic) u += ws.bonus[k] - ws.class_look[c];
        options[count] = static_cast<int>(k);
        weights[count] = u;
        if (detail) ws.utilities[count] = u;
        ++count;
        best = std::max(best, u);
    }
    if (count == 0)
        throw RunError("leader '" + leader.id + "' has no feasible action at rung " + std::to_string(ctx.rung));
    // The logit weights of all options at once: Eigen's vectorised exp (exact 1 at the
    // best option's z = 0), then their sum. The buffer is aligned (Workspace::weights),
    // so which options take the packet path depends only on their count.
    const double lambda = leader.traits.rationality;
    Eigen::Map<Eigen::ArrayXd, Eigen::AlignedMax> logit(weights, static_cast<Eigen::Index>(count));
    logit = (lambda * (logit - best)).exp();
    const double total = logit.sum();
    const double target = ws.decisions.uniform() * total;
    std::size_t pick = count - 1;
    double cumulative = 0.0;
    for (std::size_t k = 0; k < count; ++k) {
        cumulative += weights[k];
        if (target < cumulative) {
            pick = k;
            break;
        }
    }
    if (detail) {
        detail->perceived.assign(perceived, perceived + n_vars);
        detail->beliefs = ws.beliefs[at(i)];
        detail->options.clear();
        for (std::size_t k = 0; k < count; ++k) {
            Option o;
            const auto position = at(options[k]);
            o.action = own.action[position];
            const double war = class_war[at(own.escalation_class[position])];
            const Terms t = utility_terms(s, i, o.action, ws.predicted.data(), war, ctx, &o.by_goal);
            o.utility = ws.utilities[k];
            o.probability = weights[k] / total;
            o.war_cost = t.war;
            o.action_cost = t.cost;
            o.reciprocity = t.reciprocity;
            o.resolve = t.resolve;
            if (strategic) {
                o.lookahead = ws.position_look[position];
                o.committed = ws.position_committed[position];
                o.propensity = leader.modes.empty() ? 0.0 : leader.modes[at(ctx.mode[at(i)])].propensity[position];
                for (std::size_t c = 0; c < s.commitments.size(); ++c)
                    if (s.commitments[c].by == i && ws.pending[c] && ws.response_position[c] == static_cast<int>(position))
                        o.audience += s.commitments[c].audience_cost;
            }
            detail->options.push_back(std::move(o));
        }
        detail->chosen = own.action[at(options[pick])];
        detail->mode = leader.modes.empty() ? -1 : ctx.mode[at(i)];
        detail->type_beliefs = ws.type_beliefs[at(i)];
        detail->commitments.clear();
        for (std::size_t c = 0; c < s.commitments.size(); ++c)
            detail->commitments.push_back(CommitmentView{static_cast<int>(c), ws.active[c] != 0, ws.pending[c] != 0,
                                                         ws.deadline[c], ws.credibility[c]});
    }
    return options[pick];
}

inline void apply_effects(const std::vector<Effect>& effects, Workspace& ws) {
    double* state = ws.state.data();
    for (const Effect& e : effects) {
        double change = e.mean;
        if (e.sd > 0.0) change += e.sd * ws.world.normal();
        state[at(e.variable)] += change;
    }
}

/// After the ladder's step: the played moves' jumps (leader 0's, then leader 1's, each in
/// order, one track draw each where the rung is below the target), then the nuclear
/// track's step on the start-of-tick rung's pressure (one track draw).
void step_tracks(const Scenario& s, Workspace& ws, tick::RunState& rs, const tick::Moves& moves, int rung_before,
                 double nuclear_pressure, double tension_before, RunResult& result, TickView* details) {
    bool jumped = false;
    for (std::size_t i = 0; i < 2; ++i)
        for (const Jump& j : s.actions[at(moves.action[i])].jumps) {
            if (rs.rung >= j.to) continue;
            if (ws.track.uniform() < j.probability) {
                rs.rung = j.to;
                jumped = true;
            }
        }
    if (details) details->jumped = jumped;
    if (!s.nuclear.present()) return;
    const NuclearTrack& t = s.nuclear;
    const double y = nuclear_pressure + t.rung_pressure[at(rung_before)] + t.step.tension_weight * tension_before;
    const StepProbabilities p = nuclear_step(s, rs.level, y);
    const double u = ws.track.uniform();
    if (u < p.up) ++rs.level;
    else if (u < p.up + p.down) --rs.level;
    result.max_level = std::max(result.max_level, rs.level);
    int& first = result.first_tick_at_level[at(rs.level)];
    if (first < 0) first = rs.tick;
}

/// Lists a menu's effect means by the variable they change (Workspace::Menu), with the
/// linear goal term of each position for the menu's leader.
void index_effects(const Scenario& s, const Leader& leader, Workspace::Menu& m) {
    const std::size_t n_vars = static_cast<std::size_t>(s.variable_count());
    const std::size_t menu_size = m.action.size();
    m.goal_linear.assign(menu_size, 0.0);
    m.envelope_low.assign(n_vars, 0.0);
    m.envelope_high.assign(n_vars, 0.0);
    m.touch_of.assign(n_vars, -1);
    std::vector<int> per_variable(n_vars, 0);
    for (std::size_t k = 0; k < menu_size; ++k)
        for (const Effect& e : s.actions[at(m.action[k])].effects) {
            m.goal_linear[k] += leader.value_weights[at(e.variable)] * e.mean;
            ++per_variable[at(e.variable)];
        }
    m.touched.clear();
    m.touch_begin.assign(1, 0);
    for (std::size_t v = 0; v < n_vars; ++v)
        if (per_variable[v] > 0) {
            m.touch_of[v] = static_cast<int>(m.touched.size());
            m.touched.push_back(static_cast<int>(v));
            m.touch_begin.push_back(m.touch_begin.back() + per_variable[v]);
        }
    const std::size_t entries = at(m.touch_begin.back());
    m.touch_position.assign(entries, 0);
    m.touch_mean.assign(entries, 0.0);
    m.touched_low.assign(m.touched.size(), std::numeric_limits<double>::infinity());
    m.touched_high.assign(m.touched.size(), -std::numeric_limits<double>::infinity());
    std::vector<int> next(m.touch_begin.begin(), m.touch_begin.end() - 1);
    for (std::size_t k = 0; k < menu_size; ++k)
        for (const Effect& e : s.actions[at(m.action[k])].effects) {
            const auto v = at(e.variable);
            const auto t = at(m.touch_of[v]);
            const auto j = at(next[t]++);
            m.touch_position[j] = static_cast<int>(k);
            m.touch_mean[j] = e.mean;
            m.touched_low[t] = std::min(m.touched_low[t], e.mean);
            m.touched_high[t] = std::max(m.touched_high[t], e.mean);
            m.envelope_low[v] = std::min(m.envelope_low[v], e.mean);
            m.envelope_high[v] = std::max(m.envelope_high[v], e.mean);
        }
}

/// The opponent's commitments that each of leader i's menu positions triggers.
void index_triggers(const Scenario& s, int i, Workspace::Menu& m) {
    m.trigger_begin.assign(1, 0);
    m.trigger_list.clear();
    for (const int a : m.action) {
        for (std::size_t c = 0; c < s.commitments.size(); ++c) {
            const Commitment& commitment = s.commitments[c];
            if (commitment.by != i && std::find(commitment.trigger.begin(), commitment.trigger.end(), a) != commitment.trigger.end())
                m.trigger_list.push_back(static_cast<int>(c));
        }
        m.trigger_begin.push_back(static_cast<int>(m.trigger_list.size()));
    }
}

/// A track's step law for the lookahead; `absorbing` rungs end a run.
void make_law(const std::vector<Rung>& rungs, const LadderStep& step, const std::vector<double>& up_at,
              const std::vector<double>& down_at, int escalation_at, Workspace::TrackLaw& law) {
    const std::size_t n = rungs.size();
    law.sensitivity = step.sensitivity;
    law.up_theta = up_at;
    law.down_theta = down_at;
    law.up_exp.resize(n);
    law.down_exp.resize(n);
    law.war_cost.resize(n);
    law.absorbing.resize(n);
    law.factored = true;
    for (std::size_t r = 0; r < n; ++r) {
        law.up_exp[r] = std::exp(step.sensitivity * up_at[r]);
        law.down_exp[r] = std::exp(-step.sensitivity * down_at[r]);
        law.factored = law.factored && std::isnormal(law.up_exp[r]) && std::isnormal(law.down_exp[r]);
        law.war_cost[r] = rungs[r].war_cost;
        law.absorbing[r] = rungs[r].terminal || (escalation_at >= 0 && static_cast<int>(r) >= escalation_at);
    }
}

/// Version-2 state at the start of a run: which leaders decide with version-2 terms,
/// the forecast laws, type beliefs, commitments, and the intent and track streams
/// (seeded only when used, so that version-1 scenarios cost what they did).
void start_version2(const Scenario& s, std::uint64_t seed, std::uint64_t run_id, std::size_t longest_menu, std::uint64_t branch,
                    Workspace& ws) {
    bool jumps = false;
    for (const Action& a : s.actions) jumps = jumps || !a.jumps.empty();
    const bool track = s.nuclear.present();
    ws.uses_track = jumps || track;
    ws.uses_intent = false;
    for (std::size_t i = 0; i < 2; ++i) {
        const Leader& leader = s.leaders[i];
        ws.uses_intent = ws.uses_intent || leader.modes.size() >= 2;
        ws.strategic[i] = leader.traits.foresight >= 2 || !leader.modes.empty() || !s.commitments.empty() || jumps || track;
        const Leader& opponent = s.leaders[1 - i];
        ws.type_beliefs[i].resize(opponent.modes.size());
        for (std::size_t m = 0; m < opponent.modes.size(); ++m) ws.type_beliefs[i][m] = opponent.modes[m].prior;
    }
    if (ws.strategic[0] || ws.strategic[1]) {
        make_law(s.ladder, s.step, s.up_threshold_at, s.down_threshold_at, s.outcomes.escalation_rung, ws.ladder_law);
        if (track)
            make_law(s.nuclear.levels, s.nuclear.step, s.nuclear.up_threshold_at, s.nuclear.down_threshold_at,
                     s.outcomes.nuclear_escalation_level, ws.nuclear_law);
        const std::size_t rungs = s.ladder.size(), levels = s.nuclear.levels.size();
        ws.chain.assign(rungs, 0.0);
        ws.levels.assign(levels, 0.0);
        ws.step_up.assign(2 * (rungs + levels), 0.0);
        ws.step_down.assign(2 * (rungs + levels), 0.0);
        ws.value.assign(rungs + levels, 0.0);
        ws.value_rest.assign(rungs + levels, 0.0);
        ws.bonus.assign(longest_menu, 0.0);
        ws.position_look.assign(longest_menu, 0.0);
        ws.position_committed.assign(longest_menu, 0.0);
    }
    const std::size_t n = s.commitments.size();
    ws.active.resize(n);
    ws.pending.assign(n, 0);
    ws.deadline.assign(n, 0);
    ws.credibility.resize(n);
    ws.response_position.resize(n);
    ws.response_value.resize(n);
    for (std::size_t c = 0; c < n; ++c) {
        const Commitment& commitment = s.commitments[c];
        ws.active[c] = commitment.declared_by < 0;
        ws.credibility[c] = commitment.credibility;
        const std::vector<int>& menu = s.leaders[at(commitment.by)].menu;
        const auto it = std::find(menu.begin(), menu.end(), commitment.response);
        ws.response_position[c] = it == menu.end() ? -1 : static_cast<int>(it - menu.begin());
        const Leader& anticipating = s.leaders[at(1 - commitment.by)];
        double value = 0.0;
        for (const Effect& e : s.actions[at(commitment.response)].effects) value += anticipating.value_weights[at(e.variable)] * e.mean;
        ws.response_value[c] = value;
    }
    if (ws.uses_intent) ws.intent.reseed(seed, run_id, StreamPurpose::intent, branch);
    if (ws.uses_track) ws.track.reseed(seed, run_id, StreamPurpose::track, branch);
}

}  // namespace

namespace tick {

void start(const Scenario& s, std::uint64_t run_id, std::uint64_t seed, Workspace& ws, RunResult& result,
           RunState& rs, std::uint64_t branch) {
    const std::size_t n_vars = static_cast<std::size_t>(s.variable_count());
    ws.state.assign(s.initial.begin(), s.initial.end());
    ws.perceived.resize(n_vars);
    ws.predicted.assign(n_vars, 0.0);
    ws.feasible.assign(s.actions.size(), 0);
    std::size_t classes = 0;
    std::size_t longest_menu = 0;
    for (std::size_t i = 0; i < 2; ++i) {
        const std::size_t opponent_menu = s.leaders[1 - i].menu.size();
        ws.beliefs[i].assign(opponent_menu, 1.0 / static_cast<double>(opponent_menu));
        const std::vector<int>& menu = s.leaders[i].menu;
        longest_menu = std::max(longest_menu, menu.size());
        Workspace::Menu& m = ws.menus[i];
        m.action.assign(menu.begin(), menu.end());
        m.escalation.resize(menu.size());
        m.cost.resize(menu.size());
        m.escalation_class.resize(menu.size());
        m.class_escalation.clear();
        m.class_nuclear.clear();
        m.class_jumps.clear();
        m.nuclear.clear();
        for (std::size_t k = 0; k < menu.size(); ++k) {
            const Action& action = s.actions[at(menu[k])];
            m.escalation[k] = action.escalation;
            m.cost[k] = action.cost;
            if (s.nuclear.present()) m.nuclear.push_back(action.nuclear);
            // A class: the same escalation and nuclear pressure, and no jumps.
            const double e = action.escalation;
            const double n = s.nuclear.present() ? action.nuclear : 0.0;
            const std::vector<Jump>* jumps = action.jumps.empty() ? nullptr : &action.jumps;
            std::size_t c = 0;
            while (c < m.class_escalation.size() &&
                   (jumps || m.class_jumps[c] ||
                    std::bit_cast<std::uint64_t>(m.class_escalation[c]) != std::bit_cast<std::uint64_t>(e) ||
                    std::bit_cast<std::uint64_t>(m.class_nuclear[c]) != std::bit_cast<std::uint64_t>(n)))
                ++c;
            if (c == m.class_escalation.size()) {
                m.class_escalation.push_back(e);
                m.class_nuclear.push_back(n);
                m.class_jumps.push_back(jumps);
            }
            m.escalation_class[k] = static_cast<int>(c);
        }
        index_triggers(s, static_cast<int>(i), m);
        classes = std::max(classes, m.class_escalation.size());
        m.class_up_factor.resize(m.class_escalation.size());
        m.class_down_factor.resize(m.class_escalation.size());
        m.factored = true;
        for (std::size_t c = 0; c < m.class_escalation.size(); ++c) {
            m.class_up_factor[c] = std::exp(-s.step.sensitivity * m.class_escalation[c]);
            m.class_down_factor[c] = std::exp(s.step.sensitivity * m.class_escalation[c]);
            m.factored = m.factored && std::isnormal(m.class_up_factor[c]) && std::isnormal(m.class_down_factor[c]);
        }
        index_effects(s, s.leaders[i], m);
    }
    ws.class_war.resize(classes);
    ws.class_recip.resize(classes);
    ws.class_look.resize(classes);
    start_version2(s, seed, run_id, longest_menu, branch, ws);
    ws.options.resize(longest_menu);
    ws.weights.resize(longest_menu);
    ws.utilities.resize(longest_menu);
    ws.correction.resize(longest_menu);
    ws.decisions.reseed(seed, run_id, StreamPurpose::decisions, branch);
    ws.world.reseed(seed, run_id, StreamPurpose::world, branch);
    ws.ladder.reseed(seed, run_id, StreamPurpose::ladder, branch);
    ws.events.reseed(seed, run_id, StreamPurpose::events, branch);
    ws.event_fires.assign(s.events.size(), 0);

    result.prepare(s);
    result.run_id = run_id;
    result.max_rung = s.initial_rung;
    result.first_tick_at_rung[at(s.initial_rung)] = 0;
    result.last_tick_at_rung[at(s.initial_rung)] = 0;
    result.outcome = Outcome::frozen_conflict;  // until an outcome is reached; the horizon splits it (simulate)
    result.end_tick = s.horizon;

    rs = RunState{};
    rs.rung = s.initial_rung;
    rs.level = s.nuclear.present() ? s.nuclear.initial_level : 0;
    for (std::size_t i = 0; i < 2; ++i)
        if (!s.leaders[i].modes.empty()) result.first_tick_in_mode[i][0] = 0;
    if (s.nuclear.present()) {
        result.max_level = result.final_level = rs.level;
        result.first_tick_at_level[at(rs.level)] = 0;
    }
}

void begin(const Scenario& s, Workspace& ws, RunState& rs, RunResult& result) {
    // War dynamics: the state's part of the ladder pressure, on the start-of-tick state.
    rs.state_pressure = 0.0;
    for (const StateWeight& w : s.state_weights) rs.state_pressure += w.weight * ws.state[at(w.variable)];
    // 0. Intent: a leader with hidden modes may switch (one draw each, every tick).
    if (!ws.uses_intent) return;
    for (std::size_t i = 0; i < 2; ++i) {
        const std::vector<Mode>& modes = s.leaders[i].modes;
        if (modes.size() < 2) continue;
        const double u = ws.intent.uniform();
        double hazard[64];
        double total = 0.0;
        const std::size_t n = std::min<std::size_t>(modes.size(), 64);
        for (std::size_t m = 0; m < n; ++m) {
            hazard[m] = 0.0;
            if (static_cast<int>(m) == rs.mode[i] || !modes[m].enterable) continue;
            double z = modes[m].intercept + modes[m].rung_slope * rs.rung;
            for (const StateWeight& w : modes[m].slopes) z += w.weight * ws.state[at(w.variable)];
            hazard[m] = logistic(z);
            total += hazard[m];
        }
        const double scale = total > 1.0 ? 1.0 / total : 1.0;
        double cumulative = 0.0;
        for (std::size_t m = 0; m < n; ++m) {
            if (hazard[m] == 0.0) continue;
            cumulative += hazard[m] * scale;
            if (u < cumulative) {
                rs.mode[i] = static_cast<int>(m);
                int& first = result.first_tick_in_mode[i][m];
                if (first < 0) first = rs.tick;
                break;
            }
        }
    }
}

Moves decide(const Scenario& s, Workspace& ws, const RunState& rs, TickView* details) {
    // 1. Perception.
    TickContext ctx;
    ctx.rung = rs.rung;
    ctx.tension = ws.state[at(s.tension)];
    ctx.previous = rs.last;
    ctx.state_pressure = rs.state_pressure;
    ctx.level = rs.level;
    ctx.mode = rs.mode;
    for (int i = 0; i < 2; ++i)
        perceive(s, i, rs.last[at(1 - i)], rs.last_position[at(1 - i)], ctx, ws, details ? &details->leaders[at(i)] : nullptr);

    // 2. Simultaneous choice, on the state at the start of the tick.
    for (std::size_t a = 0; a < s.actions.size(); ++a) ws.feasible[a] = holds(s.actions[a].requires_, ws.state, rs.rung);
    Moves m;
    for (int i = 0; i < 2; ++i) {
        const int k = choose(s, i, ctx, ws, details ? &details->leaders[at(i)] : nullptr);
        m.position[at(i)] = k;
        m.action[at(i)] = s.leaders[at(i)].menu[at(k)];
    }
    return m;
}

double update_state(const Scenario& s, Workspace& ws, const RunState& rs, const Moves& moves, TickView* details,
                    double& nuclear_pressure) {
    // Which events fire is decided on the start-of-tick state, one draw per event every tick.
    const std::size_t n_events = s.events.size();
    for (std::size_t e = 0; e < n_events; ++e) {
        const double u = ws.events.uniform();
        ws.event_fires[e] = u < s.events[e].hazard && holds(s.events[e].requires_, ws.state, rs.rung);
    }

    // 3. Effects with noise: both moves, then the events that fire.
    const Action& a0 = s.actions[at(moves.action[0])];
    const Action& a1 = s.actions[at(moves.action[1])];
    double pressure = a0.escalation + a1.escalation;
    nuclear_pressure = a0.nuclear + a1.nuclear;
    if (details) details->events_fired.clear();
    apply_effects(a0.effects, ws);
    apply_effects(a1.effects, ws);
    for (std::size_t e = 0; e < n_events; ++e) {
        if (ws.event_fires[e]) {
            const Event& event = s.events[e];
            apply_effects(event.effects, ws);
            pressure += event.escalation;
            nuclear_pressure += event.nuclear;
            if (details) details->events_fired.push_back(static_cast<int>(e));
        }
    }
    double* state = ws.state.data();
    const std::size_t n_vars = ws.state.size();
    bool nan = false;
    for (std::size_t v = 0; v < n_vars; ++v) {
        nan |= std::isnan(state[v]);
        state[v] = clamp01(state[v]);  // clamp01(NaN) is NaN; reported below before anything reads it
    }
    if (nan) {
        for (std::size_t v = 0; v < n_vars; ++v)
            if (std::isnan(state[v]))
                throw RunError("variable '" + s.variables[v] + "' became NaN at tick " + std::to_string(rs.tick));
    }
    return pressure;
}

void step_ladder(const Scenario& s, Workspace& ws, RunState& rs, const Moves& moves, double pressure,
                 double nuclear_pressure, double tension_before, RunResult& result, TickView* details) {
    // 4. The ladder moves on the pressure (with the state's part) and the start-of-tick
    // tension, then the moves' jumps and the nuclear track; then tension updates.
    const int rung_before = rs.rung;
    const StepProbabilities p = step_probabilities(s, rs.rung, pressure + rs.state_pressure, tension_before);
    const double u = ws.ladder.uniform();
    if (u < p.up) ++rs.rung;
    else if (u < p.up + p.down) --rs.rung;
    if (ws.uses_track) step_tracks(s, ws, rs, moves, rung_before, nuclear_pressure, tension_before, result, details);
    double& tension = ws.state[at(s.tension)];
    tension = clamp01((1.0 - s.tension_rule.decay) * tension + s.tension_rule.gain * pressure);

    // Bookkeeping.
    if (rs.rung > result.max_rung) result.max_rung = rs.rung;
    int& first = result.first_tick_at_rung[at(rs.rung)];
    if (first < 0) first = rs.tick;
    result.last_tick_at_rung[at(rs.rung)] = rs.tick;
    ++result.ticks_at_rung[at(rs.rung)];
    ++result.action_counts[0][at(moves.position[0])];
    ++result.action_counts[1][at(moves.position[1])];
    rs.last = moves.action;
    rs.last_position = moves.position;
}

void update_commitments(const Scenario& s, Workspace& ws, const RunState& rs, const Moves& moves, RunResult& result,
                        TickView* details) {
    // 6. Commitments: resolution, then triggers, then declarations (docs/model.md).
    if (details) details->honoured.clear(), details->bluffed.clear();
    for (std::size_t c = 0; c < s.commitments.size(); ++c) {
        const Commitment& commitment = s.commitments[c];
        const int by = moves.action[at(commitment.by)];
        const int opponent = moves.action[at(1 - commitment.by)];
        double& kappa = ws.credibility[c];
        if (ws.pending[c]) {
            const bool honoured = by == commitment.response;
            if (honoured || rs.tick >= ws.deadline[c]) {
                kappa = honoured ? kappa + commitment.learning * (1.0 - kappa) : kappa * (1.0 - commitment.learning);
                ++(honoured ? result.honoured : result.bluffed)[c];
                if (details) (honoured ? details->honoured : details->bluffed).push_back(static_cast<int>(c));
                ws.pending[c] = 0;
                ws.active[c] = commitment.declared_by < 0;
            }
        }
        if (ws.active[c] && !ws.pending[c] &&
            std::find(commitment.trigger.begin(), commitment.trigger.end(), opponent) != commitment.trigger.end()) {
            ws.pending[c] = 1;
            ws.deadline[c] = rs.tick + commitment.window;
        }
        if (!ws.active[c] && !ws.pending[c] && commitment.declared_by >= 0 && by == commitment.declared_by) ws.active[c] = 1;
    }
}

bool check_outcome(const Scenario& s, const Workspace& ws, RunState& rs, const Moves& moves, RunResult& result) {
    // 5. Outcomes.
    const Outcomes& o = s.outcomes;
    const bool nuclear_end = s.nuclear.present() && ((o.nuclear_escalation_level >= 0 && rs.level >= o.nuclear_escalation_level) ||
                                                     s.nuclear.levels[at(rs.level)].terminal);
    if (rs.rung >= o.escalation_rung || s.ladder[at(rs.rung)].terminal || nuclear_end) {
        result.outcome = Outcome::escalation;
        return true;
    }
    if (o.joint_agreement && s.actions[at(moves.action[0])].agreement && s.actions[at(moves.action[1])].agreement &&
        ws.state[at(s.channel)] >= o.agreement_channel) {
        result.outcome = Outcome::deescalation;
        return true;
    }
    if (rs.rung <= o.settlement_rung && ws.state[at(s.tension)] < o.settlement_tension) ++rs.settled_ticks;
    else rs.settled_ticks = 0;
    if (rs.settled_ticks >= o.settlement_ticks) {
        result.outcome = Outcome::deescalation;
        return true;
    }
    return false;
}

}  // namespace tick

const char* outcome_name(Outcome outcome) {
    switch (outcome) {
        case Outcome::escalation: return "escalation";
        case Outcome::deescalation: return "deescalation";
        case Outcome::frozen_conflict: return "frozen_conflict";
        case Outcome::ongoing_war: return "ongoing_war";
    }
    return "unknown";
}

const char* outcome_label(Outcome outcome) {
    switch (outcome) {
        case Outcome::escalation: return "escalation";
        case Outcome::deescalation: return "de-escalation";
        case Outcome::frozen_conflict: return "frozen conflict";
        case Outcome::ongoing_war: return "ongoing war";
    }
    return "unknown";
}

std::optional<Outcome> parse_outcome(const std::string& name) {
    for (int k = 0; k < kOutcomeCount; ++k)
        if (name == outcome_name(static_cast<Outcome>(k))) return static_cast<Outcome>(k);
    return std::nullopt;
}

namespace {

/// Lets the observer (a human in `brink play`) replace a leader's choice. The logit draw
/// has already been taken, so the random streams stay aligned with an unplayed run.
void override_moves(const Scenario& s, TickObserver& observer, TickView& view, tick::Moves& moves) {
    for (std::size_t i = 0; i < 2; ++i) {
        LeaderTick& d = view.leaders[i];
        const int wanted = observer.override_choice(static_cast<int>(i), d, moves.action[i]);
        if (wanted == moves.action[i]) continue;
        const bool feasible = std::any_of(d.options.begin(), d.options.end(), [&](const Option& o) { return o.action == wanted; });
        if (!feasible) throw RunError("the chosen action is not feasible for leader '" + s.leaders[i].id + "' at this tick");
        const std::vector<int>& menu = s.leaders[i].menu;
        moves.action[i] = wanted;
        moves.position[i] = static_cast<int>(std::find(menu.begin(), menu.end(), wanted) - menu.begin());
        d.chosen = wanted;
    }
}

}  // namespace

void RunResult::prepare(const Scenario& s) {
    first_tick_at_rung.assign(static_cast<std::size_t>(s.rung_count()), -1);
    last_tick_at_rung.assign(static_cast<std::size_t>(s.rung_count()), -1);
    ticks_at_rung.assign(static_cast<std::size_t>(s.rung_count()), 0);
    final_state.assign(static_cast<std::size_t>(s.variable_count()), 0.0);
    for (std::size_t i = 0; i < 2; ++i) action_counts[i].assign(s.leaders[i].menu.size(), 0);
    first_tick_at_level.assign(s.nuclear.levels.size(), -1);
    max_level = final_level = 0;
    honoured.assign(s.commitments.size(), 0);
    bluffed.assign(s.commitments.size(), 0);
    final_credibility.assign(s.commitments.size(), 0.0);
    for (std::size_t i = 0; i < 2; ++i) first_tick_in_mode[i].assign(s.leaders[i].modes.size(), -1);
}

namespace {

/// Plays ticks rs.tick + 1 .. last (or until an outcome); true when the run ended.
bool play_ticks(const Scenario& s, Workspace& ws, tick::RunState& rs, RunResult& result, int last,
                TickObserver* observer) {
    const bool details = observer && observer->wants_details();
    TickView view;
    TickView* detail_view = details ? &view : nullptr;
    const std::size_t tension = at(s.tension);
    const bool commitments = !s.commitments.empty();

    for (int t = rs.tick + 1; t <= last; ++t) {
        rs.tick = t;
        const double tension_before = ws.state[tension];
        const int rung_before = rs.rung;
        const int level_before = rs.level;
        tick::begin(s, ws, rs, result);
        tick::Moves moves = tick::decide(s, ws, rs, detail_view);
        if (details) override_moves(s, *observer, view, moves);
        double nuclear_pressure = 0.0;
        const double pressure = tick::update_state(s, ws, rs, moves, detail_view, nuclear_pressure);
        tick::step_ladder(s, ws, rs, moves, pressure, nuclear_pressure, tension_before, result, detail_view);
        if (commitments) tick::update_commitments(s, ws, rs, moves, result, detail_view);

        if (observer) {
            view.tick = t;
            view.rung_before = rung_before;
            view.rung = rs.rung;
            view.level_before = level_before;
            view.level = rs.level;
            view.pressure = pressure;
            view.state = ws.state.data();
            view.event_flags = ws.event_fires.data();
            if (!details) {
                view.leaders[0].chosen = moves.action[0];
                view.leaders[1].chosen = moves.action[1];
            }
            observer->on_tick(view);
        }

        if (tick::check_outcome(s, ws, rs, moves, result)) {
            result.end_tick = t;
            return true;
        }
    }
    return false;
}

/// The result's closing fields: the horizon's outcome (when it was reached) and the final state.
void finish(const Scenario& s, const Workspace& ws, const tick::RunState& rs, bool ended, RunResult& result) {
    if (!ended && rs.tick >= s.horizon) result.outcome = horizon_outcome(s, rs.rung);
    if (!ended) result.end_tick = rs.tick;
    result.final_rung = rs.rung;
    result.final_level = rs.level;
    std::copy(ws.state.begin(), ws.state.end(), result.final_state.begin());
    std::copy(ws.credibility.begin(), ws.credibility.end(), result.final_credibility.begin());
}

void save(const Workspace& ws, const tick::RunState& rs, bool ended, RunSnapshot& snapshot) {
    snapshot.tick = rs.tick;
    snapshot.ended = ended;
    snapshot.rung = rs.rung;
    snapshot.level = rs.level;
    snapshot.settled_ticks = rs.settled_ticks;
    snapshot.last = rs.last;
    snapshot.last_position = rs.last_position;
    snapshot.mode = rs.mode;
    snapshot.state = ws.state;
    snapshot.beliefs = ws.beliefs;
    snapshot.type_beliefs = ws.type_beliefs;
    snapshot.active = ws.active;
    snapshot.pending = ws.pending;
    snapshot.deadline = ws.deadline;
    snapshot.credibility = ws.credibility;
}

void load(const RunSnapshot& snapshot, Workspace& ws, tick::RunState& rs) {
    rs.tick = snapshot.tick;
    rs.rung = snapshot.rung;
    rs.level = snapshot.level;
    rs.settled_ticks = snapshot.settled_ticks;
    rs.last = snapshot.last;
    rs.last_position = snapshot.last_position;
    rs.mode = snapshot.mode;
    ws.state = snapshot.state;
    ws.beliefs = snapshot.beliefs;
    ws.type_beliefs = snapshot.type_beliefs;
    ws.active = snapshot.active;
    ws.pending = snapshot.pending;
    ws.deadline = snapshot.deadline;
    ws.credibility = snapshot.credibility;
}

}  // namespace

void simulate(const Scenario& s, std::uint64_t run_id, std::uint64_t seed, RunResult& result,
              WorkspaceHandle& handle, TickObserver* observer) {
    Workspace& ws = handle.get();
    tick::RunState rs;
    tick::start(s, run_id, seed, ws, result, rs);
    if (observer) observer->on_start(ws.state.data(), rs.rung);
    const bool ended = play_ticks(s, ws, rs, result, s.horizon, observer);
    finish(s, ws, rs, ended, result);
}

void start_snapshot(const Scenario& s, RunSnapshot& snapshot, WorkspaceHandle& handle) {
    Workspace& ws = handle.get();
    tick::RunState rs;
    tick::start(s, 0, 0, ws, snapshot.result, rs);
    finish(s, ws, rs, false, snapshot.result);
    save(ws, rs, false, snapshot);
}

void continue_run(const Scenario& s, RunSnapshot& snapshot, int until, std::uint64_t seed, std::uint64_t key,
                  WorkspaceHandle& handle, TickObserver* observer) {
    if (snapshot.ended || snapshot.tick >= std::min(until, s.horizon)) return;
    Workspace& ws = handle.get();
    tick::RunState rs;
    // start() prepares the workspace for the scenario and keys the streams on the branch
    // that forks at the snapshot's tick (tick 0: the run's own streams); the run's own
    // state then comes from the snapshot.
    tick::start(s, key, seed, ws, ws.spare, rs, static_cast<std::uint64_t>(snapshot.tick));
    load(snapshot, ws, rs);
    const bool ended = play_ticks(s, ws, rs, snapshot.result, std::min(until, s.horizon), observer);
    finish(s, ws, rs, ended, snapshot.result);
    save(ws, rs, ended, snapshot);
}

RunResult simulate(const Scenario& s, std::uint64_t run_id, std::uint64_t seed, TickObserver* observer) {
    WorkspaceHandle workspace;
    RunResult result;
    simulate(s, run_id, seed, result, workspace, observer);
    return result;
}

}  // namespace brink
