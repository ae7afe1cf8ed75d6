// The exact solver (exact.hpp): the scenario's one-tick law as a Markov chain on
// (rung, settlement counter), built from the Scenario object, then propagated tick
// by tick (finite horizon) and solved through the fundamental matrix (no horizon).
//
// Why the reduction is exact, against simulate.cpp:
//   - With rationality 0 the logit weights are exp(0 · (U − U*)) = 1 for every
//     feasible option, whatever the utilities, so a leader picks uniformly among its
//     feasible actions (the decisions stream's uniform u picks index floor(u · n)).
//     Perception, beliefs, state noise and every utility term only feed U, so they
//     change which numbers are drawn but not the law of the choice.
//   - Feasibility, event conditions, the ladder step, the agreement gate and the
//     settlement test read the rung and a few variables; when those variables are
//     constant the tick's law depends on the rung (and the settlement counter) only.
//   - Model version 2: foresight and its discount, hidden modes (a mode's propensities
//     are utility terms; its switches draw from their own intent stream) and commitments
//     (audience costs are utility; credibility is read by no step, and no commitment
//     moves a variable) only enter U, so at rationality 0 they change nothing here.
//     Jumps are part of the one-tick law (their draws come from the track stream,
//     independent of the choices and the ladder draw); state weights on constant
//     variables add a constant pressure. A nuclear track would need (rung, level): refused.
//   - The two choices, the events and the ladder draw are independent within a tick
//     (separate streams), so the pressure law is the product of two uniform choices
//     and one Bernoulli per active event.
#include "brink/exact.hpp"

#include <Eigen/SparseCore>
#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <limits>
#include <map>
#include <set>

namespace brink {

NotReducible::NotReducible(std::vector<std::string> reasons) : reasons_(std::move(reasons)) {
    text_ = "the scenario does not reduce to a Markov chain on the ladder:";
    for (const std::string& r : reasons_) text_ += "\n  - " + r;
}

int ExactChain::state_index(int rung, int counter) const {
    for (int s = 0; s < states(); ++s)
        if (rung_of[static_cast<std::size_t>(s)] == rung && counter_of[static_cast<std::size_t>(s)] == counter) return s;
    return -1;
}

namespace {

/// Largest chain the solver builds: dense Q is states², the fundamental solve states³.
constexpr int kMaxStates = 2000;
/// Most distinct event-pressure values per rung (2^events in the worst case).
constexpr std::size_t kMaxPressureValues = 1u << 16;

std::string num(double x) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%g", x);
    return buf;
}

std::string range_text(const Condition& c) {
    std::string text(1, '[');  // appends only: GCC 12 warns falsely (-Wrestrict) on "[" + std::string&&
    text += num(c.min);
    text += ", ";
    text += num(c.max);
    text += ']';
    return text;
}

/// Actions in either leader's menu, each once, in scenario order.
std::vector<int> menu_actions(const Scenario& s) {
    std::set<int> all;
    for (const Leader& l : s.leaders) all.insert(l.menu.begin(), l.menu.end());
    return {all.begin(), all.end()};
}

bool changes(const Effect& e) { return e.mean != 0.0 || e.sd != 0.0; }

bool has_agreement_action(const Scenario& s, const Leader& l) {
    return std::any_of(l.menu.begin(), l.menu.end(),
                       [&](int a) { return s.actions[static_cast<std::size_t>(a)].agreement; });
}

/// What the chain reads and whether it stays put.
struct Analysis {
    std::vector<std::string> problems;
    bool agreement_gate_read = false;  ///< the channel gates a possible joint agreement
    bool settlement_read = false;      ///< the settlement test reads tension
};

/// Why variable v is not constant during a run ("" when it is).
std::string change_sources(const Scenario& s, int v) {
    const auto vi = static_cast<std::size_t>(v);
    const double initial = s.initial[vi];
    std::vector<std::string> sources;
    bool noisy = false, up = false, down = false;
    const auto note = [&](const Effect& e, const std::string& owner) {
        if (e.variable != v || !changes(e)) return;
        sources.push_back(owner + " (mean " + num(e.mean) + (e.sd > 0.0 ? ", sd " + num(e.sd) : "") + ")");
        noisy = noisy || e.sd != 0.0;
        up = up || e.mean > 0.0;
        down = down || e.mean < 0.0;
    };
    for (const int a : menu_actions(s))
        for (const Effect& e : s.actions[static_cast<std::size_t>(a)].effects) note(e, "action '" + s.actions[static_cast<std::size_t>(a)].name + "'");
    for (const Event& ev : s.events)
        if (ev.hazard > 0.0)
            for (const Effect& e : ev.effects) note(e, "event '" + ev.name + "'");
    // Effects that only push a variable against the bound it sits on are undone by the clamp.
    const bool pinned = !noisy && ((initial == 0.0 && !up) || (initial == 1.0 && !down));
    if (pinned) sources.clear();
    if (v == s.tension) {
        if (s.tension_rule.gain != 0.0) sources.push_back("ladder.tension.gain = " + num(s.tension_rule.gain));
        // Decay moves tension unless it sits at 0 (any other change is listed already).
        if (s.tension_rule.decay != 0.0 && initial != 0.0)
            sources.push_back("ladder.tension.decay = " + num(s.tension_rule.decay));
    }
    if (sources.empty()) return "";
    // The tension rule last: it is often the thing to change.
    std::string text;
    const std::size_t shown = sources.size() > 5 ? 3 : sources.size();
    for (std::size_t k = 0; k < shown; ++k) text += (k ? ", " : "") + sources[k];
    if (shown < sources.size()) {
        std::size_t rule = 0;
        for (std::size_t k = shown; k < sources.size(); ++k) rule += sources[k].rfind("ladder.", 0) == 0 ? 1 : 0;
        text += " and " + std::to_string(sources.size() - shown - rule) + " more";
        for (std::size_t k = shown; k < sources.size(); ++k)
            if (sources[k].rfind("ladder.", 0) == 0) text += ", " + sources[k];
    }
    return text;
}

Analysis analyse(const Scenario& s) {
    Analysis out;
    std::vector<std::string>& p = out.problems;

    for (const Leader& l : s.leaders)
        if (l.traits.rationality != 0.0)
            p.push_back("leader '" + l.id + "' has rationality " + num(l.traits.rationality) +
                        "; the exact solver needs 0 (uniform choice)");

    if (s.initial_rung >= s.outcomes.escalation_rung)
        p.push_back("world.initial_rung (" + num(s.initial_rung) + ") is not below outcomes.escalation_rung (" +
                    num(s.outcomes.escalation_rung) + ")");

    // Which variables the chain reads, and through what.
    std::vector<std::vector<std::string>> uses(static_cast<std::size_t>(s.variable_count()));
    const auto use = [&](int v, std::string why) { uses[static_cast<std::size_t>(v)].push_back(std::move(why)); };
    if (s.step.tension_weight != 0.0)
        use(s.tension, "it feeds the ladder step (ladder.step.tension_weight = " + num(s.step.tension_weight) + ")");
    if (s.outcomes.settlement_tension > 0.0) {
        out.settlement_read = true;
        use(s.tension, "it decides settlements (outcomes.settlement_tension = " + num(s.outcomes.settlement_tension) + ")");
    }
    if (s.outcomes.joint_agreement && has_agreement_action(s, s.leaders[0]) && has_agreement_action(s, s.leaders[1]) &&
        s.outcomes.agreement_channel > 0.0) {
        out.agreement_gate_read = true;
        use(s.channel, "it gates joint agreements (outcomes.agreement_channel = " + num(s.outcomes.agreement_channel) + ")");
    }
    for (const int a : menu_actions(s)) {
        const Action& act = s.actions[static_cast<std::size_t>(a)];
        for (const Condition& c : act.requires_)
            if (c.variable != kRung)
                use(c.variable, "action '" + act.name + "' requires it in " + range_text(c));
    }
    for (const Event& ev : s.events) {
        if (ev.hazard <= 0.0 || ev.escalation == 0.0) continue;  // otherwise its firing moves nothing the chain reads
        for (const Condition& c : ev.requires_)
            if (c.variable != kRung) use(c.variable, "event '" + ev.name + "' requires it in " + range_text(c));
    }
    for (const StateWeight& w : s.state_weights)
        if (w.weight != 0.0)
            use(w.variable, "it feeds the ladder step (ladder.step.state_weights." + s.variables[static_cast<std::size_t>(w.variable)] +
                                " = " + num(w.weight) + ")");
    if (s.nuclear.present())
        p.push_back("the scenario has a nuclear track (nuclear.levels): the chain would be on (rung, level, settlement "
                    "counter), and the exact solver handles the ladder alone");
    for (int v = 0; v < s.variable_count(); ++v) {
        const auto& why = uses[static_cast<std::size_t>(v)];
        if (why.empty()) continue;
        const std::string sources = change_sources(s, v);
        if (sources.empty()) continue;
        std::string text = "variable '" + s.variables[static_cast<std::size_t>(v)] + "' changes during a run (" + sources +
                           ") and the chain reads it: ";
        for (std::size_t k = 0; k < why.size(); ++k) text += (k ? "; " : "") + why[k];
        text += "; the exact solver needs it constant";
        p.push_back(text);
    }
    return out;
}

/// Conditions on the rung and on constant variables (their initial values).
bool holds_at(const std::vector<Condition>& conditions, const Scenario& s, int rung) {
    for (const Condition& c : conditions) {
        const double v = c.variable == kRung ? static_cast<double>(rung) : s.initial[static_cast<std::size_t>(c.variable)];
        if (v < c.min || v > c.max) return false;
    }
    return true;
}

inline double logistic(double z) { return 1.0 / (1.0 + std::exp(-z)); }

/// Law of the summed escalation of the events that fire at this rung: (pressure, probability).
std::vector<std::pair<double, double>> event_pressure(const Scenario& s, int rung) {
    std::map<double, double> law{{0.0, 1.0}};
    for (const Event& ev : s.events) {
        if (ev.hazard <= 0.0 || ev.escalation == 0.0 || !holds_at(ev.requires_, s, rung)) continue;
        std::map<double, double> next;
        for (const auto& [x, q] : law) {
            next[x] += q * (1.0 - ev.hazard);
            next[x + ev.escalation] += q * ev.hazard;
        }
        law.swap(next);
        if (law.size() > kMaxPressureValues)
            throw NotReducible({"the events' pressures take more than " + std::to_string(kMaxPressureValues) +
                                " distinct values at rung " + std::to_string(rung)});
    }
    return {law.begin(), law.end()};
}

}  // namespace

std::vector<std::string> reducibility_problems(const Scenario& s) { return analyse(s).problems; }

ExactChain build_chain(const Scenario& s) {
    const Analysis analysis = analyse(s);
    std::vector<std::string> problems = analysis.problems;

    ExactChain chain;
    chain.rungs = s.rung_count();
    chain.tension = s.initial[static_cast<std::size_t>(s.tension)];
    chain.channel = s.initial[static_cast<std::size_t>(s.channel)];
    chain.war_rung = s.outcomes.war_rung < 0 ? s.outcomes.escalation_rung : s.outcomes.war_rung;
    const int top_transient = std::min(s.outcomes.escalation_rung, s.rung_count());  // rungs [0, top) are transient
    const int K = s.outcomes.settlement_ticks;
    chain.settlement_possible = analysis.settlement_read && chain.tension < s.outcomes.settlement_tension;
    // A joint agreement counts when the gate is open: the constant channel reaches the
    // threshold, or the threshold is <= 0 and any channel does.
    chain.agreement_possible = s.outcomes.joint_agreement &&
                               (analysis.agreement_gate_read ? chain.channel >= s.outcomes.agreement_channel : true);

    // Feasible actions per leader and rung.
    std::array<std::vector<std::vector<int>>, 2> feasible;
    for (std::size_t i = 0; i < 2; ++i) {
        const Leader& l = s.leaders[i];
        feasible[i].resize(static_cast<std::size_t>(std::max(top_transient, 0)));
        for (int r = 0; r < top_transient; ++r) {
            for (const int a : l.menu)
                if (holds_at(s.actions[static_cast<std::size_t>(a)].requires_, s, r)) feasible[i][static_cast<std::size_t>(r)].push_back(a);
            if (problems.empty() && feasible[i][static_cast<std::size_t>(r)].empty())
                problems.push_back("leader '" + l.id + "' has no feasible action at rung " + std::to_string(r) + " (" +
                                   s.ladder[static_cast<std::size_t>(r)].id + ")");
        }
    }

    // Transient states: (rung, counter); counters above 0 only where a settlement can count.
    for (int r = 0; r < top_transient; ++r) {
        const int counters = chain.settlement_possible && r <= s.outcomes.settlement_rung ? K : 1;
        for (int c = 0; c < counters; ++c) {
            chain.rung_of.push_back(r);
            chain.counter_of.push_back(c);
        }
    }
    if (chain.states() > kMaxStates)
        problems.push_back("the chain would have " + std::to_string(chain.states()) + " states (rungs x settlement_ticks); the exact solver handles at most " +
                           std::to_string(kMaxStates));
    if (!problems.empty()) throw NotReducible(problems);

    const int S = chain.states();
    chain.initial = chain.state_index(s.initial_rung, 0);
    chain.transient = Eigen::MatrixXd::Zero(S, S);
    chain.absorbing = Eigen::MatrixXd::Zero(S, 2 * chain.rungs);

    // The state's ladder pressure (ladder.step.state_weights) on variables the analysis
    // found constant.
    double state_pressure = 0.0;
    for (const StateWeight& sw : s.state_weights) state_pressure += sw.weight * s.initial[static_cast<std::size_t>(sw.variable)];
    const std::size_t R = static_cast<std::size_t>(s.rung_count());
    std::vector<std::array<double, 2>> kernel(R);
    std::vector<double> target(R);
    for (int r = 0; r < top_transient; ++r) {
        // kernel[to][agree]: P(the rung ends the tick at `to` and, if agree, both moves are
        // agreement actions): the one-step move, then leader 0's jumps and leader 1's.
        std::fill(kernel.begin(), kernel.end(), std::array<double, 2>{0.0, 0.0});
        const auto& f0 = feasible[0][static_cast<std::size_t>(r)];
        const auto& f1 = feasible[1][static_cast<std::size_t>(r)];
        const double w = 1.0 / (static_cast<double>(f0.size()) * static_cast<double>(f1.size()));
        const auto events = event_pressure(s, r);
        for (const int a0 : f0) {
            for (const int a1 : f1) {
                const Action& x0 = s.actions[static_cast<std::size_t>(a0)];
                const Action& x1 = s.actions[static_cast<std::size_t>(a1)];
                const int agree = chain.agreement_possible && x0.agreement && x1.agreement ? 1 : 0;
                for (const auto& [event_pressure_value, q] : events) {
                    const double x = (x0.escalation + x1.escalation + event_pressure_value + state_pressure) +
                                     s.step.tension_weight * chain.tension;
                    const double pu = r + 1 < s.rung_count() ? logistic(s.step.sensitivity * (x - s.up_threshold_at[static_cast<std::size_t>(r)])) : 0.0;
                    const double pd = r > 0 ? logistic(s.step.sensitivity * (s.down_threshold_at[static_cast<std::size_t>(r)] - x)) : 0.0;
                    // simulate(): up if u < pu, down if u < pu + pd, with u uniform on [0, 1).
                    const double up = std::min(pu, 1.0);
                    const double up_or_down = std::min(pu + pd, 1.0);
                    std::fill(target.begin(), target.end(), 0.0);
                    if (r + 1 < s.rung_count()) target[static_cast<std::size_t>(r + 1)] += up;
                    if (r > 0) target[static_cast<std::size_t>(r - 1)] += up_or_down - up;
                    target[static_cast<std::size_t>(r)] += 1.0 - up_or_down;
                    // Jumps (docs/model.md): each moves the mass below its target there with
                    // its probability, leader 0's move's first.
                    for (const Action* move : {&x0, &x1})
                        for (const Jump& j : move->jumps)
                            for (int below = 0; below < j.to; ++below) {
                                const double moved = j.probability * target[static_cast<std::size_t>(below)];
                                target[static_cast<std::size_t>(below)] -= moved;
                                target[static_cast<std::size_t>(j.to)] += moved;
                            }
                    for (std::size_t to = 0; to < R; ++to) kernel[to][static_cast<std::size_t>(agree)] += w * q * target[to];
                }
            }
        }
        for (int from = 0; from < S; ++from) {
            if (chain.rung_of[static_cast<std::size_t>(from)] != r) continue;
            const int c = chain.counter_of[static_cast<std::size_t>(from)];
            for (int to = 0; to < s.rung_count(); ++to) {
                const double no_agree = kernel[static_cast<std::size_t>(to)][0], agree = kernel[static_cast<std::size_t>(to)][1];
                if (no_agree + agree == 0.0) continue;
                // Outcome check, in simulate()'s order: escalation, joint agreement, settlement counter.
                if (to >= s.outcomes.escalation_rung || s.ladder[static_cast<std::size_t>(to)].terminal) {
                    chain.absorbing(from, chain.absorbing_column(0, to)) += no_agree + agree;
                    continue;
                }
                chain.absorbing(from, chain.absorbing_column(1, to)) += agree;
                if (chain.settlement_possible && to <= s.outcomes.settlement_rung) {
                    if (c + 1 >= K) chain.absorbing(from, chain.absorbing_column(1, to)) += no_agree;
                    else chain.transient(from, chain.state_index(to, c + 1)) += no_agree;
                } else {
                    chain.transient(from, chain.state_index(to, 0)) += no_agree;
                }
            }
        }
    }
    return chain;
}

ExactResult solve_chain(const ExactChain& chain, int horizon) {
    const int S = chain.states();
    const int R = chain.rungs;
    ExactResult out;
    out.horizon = horizon;
    out.rungs = R;
    out.states = S;
    const auto ticks = static_cast<std::size_t>(horizon + 1);
    for (auto& c : out.cumulative_incidence) c.assign(ticks, 0.0);
    out.rung_distribution.assign(ticks, std::vector<double>(static_cast<std::size_t>(R), 0.0));
    out.still_going.assign(ticks, 0.0);

    // Finite horizon: pi_t (row vector over transient states) -> pi_t Q; absorbed += pi_t R.
    const Eigen::SparseMatrix<double> qt = chain.transient.transpose().sparseView();
    const Eigen::SparseMatrix<double> rt = chain.absorbing.transpose().sparseView();
    Eigen::VectorXd pi = Eigen::VectorXd::Zero(S);
    pi(chain.initial) = 1.0;
    Eigen::VectorXd absorbed = Eigen::VectorXd::Zero(2 * R);
    const auto record = [&](std::size_t t) {
        std::vector<double>& dist = out.rung_distribution[t];
        for (int s = 0; s < S; ++s) dist[static_cast<std::size_t>(chain.rung_of[static_cast<std::size_t>(s)])] += pi(s);
        for (int k = 0; k < 2; ++k)
            for (int r = 0; r < R; ++r) {
                dist[static_cast<std::size_t>(r)] += absorbed(chain.absorbing_column(k, r));
                out.cumulative_incidence[static_cast<std::size_t>(k)][t] += absorbed(chain.absorbing_column(k, r));
            }
        out.still_going[t] = pi.sum();
    };
    record(0);
    for (std::size_t t = 1; t < ticks; ++t) {
        absorbed += rt * pi;
        pi = qt * pi;
        record(t);
    }
    const auto H = static_cast<std::size_t>(horizon);
    out.outcome_probability[0] = out.cumulative_incidence[0][H];
    out.outcome_probability[1] = out.cumulative_incidence[1][H];
    // The runs still going at the horizon, split by their rung there (as simulate() does).
    for (int s = 0; s < S; ++s) {
        const bool war = chain.rung_of[static_cast<std::size_t>(s)] >= chain.war_rung;
        out.outcome_probability[static_cast<std::size_t>(war ? Outcome::ongoing_war : Outcome::frozen_conflict)] += pi(s);
    }
    for (const Outcome k : {Outcome::frozen_conflict, Outcome::ongoing_war})
        out.cumulative_incidence[static_cast<std::size_t>(k)][H] = out.outcome_probability[static_cast<std::size_t>(k)];
    out.expected_end_tick = 0.0;
    double second_moment = 0.0;
    for (std::size_t t = 0; t < H; ++t) {
        out.expected_end_tick += out.still_going[t];
        second_moment += static_cast<double>(2 * t + 1) * out.still_going[t];
    }
    out.end_tick_variance = std::max(0.0, second_moment - out.expected_end_tick * out.expected_end_tick);
    for (std::size_t k = 0; k < 2; ++k) {
        double moment = 0.0;
        for (std::size_t t = 1; t < ticks; ++t)
            moment += static_cast<double>(t) * (out.cumulative_incidence[k][t] - out.cumulative_incidence[k][t - 1]);
        out.expected_end_tick_given[k] = out.outcome_probability[k] > 0.0 ? moment / out.outcome_probability[k]
                                                                          : std::numeric_limits<double>::quiet_NaN();
    }
    for (std::size_t k = 2; k < kOutcomeCount; ++k)
        out.expected_end_tick_given[k] = out.outcome_probability[k] > 0.0 ? static_cast<double>(horizon)
                                                                           : std::numeric_limits<double>::quiet_NaN();

    // No horizon. A = states reachable from the start; D = states from which an outcome
    // is reachable. On D, I - Q_DD is invertible (every state leaks out of D), and the
    // expected visits x solve (I - Q_DD)^T x = e_start. E[tau] is finite iff A is inside D.
    std::vector<char> reach(static_cast<std::size_t>(S), 0), ends(static_cast<std::size_t>(S), 0);
    std::vector<int> stack{chain.initial};
    reach[static_cast<std::size_t>(chain.initial)] = 1;
    while (!stack.empty()) {
        const int s = stack.back();
        stack.pop_back();
        for (int j = 0; j < S; ++j)
            if (chain.transient(s, j) > 0.0 && !reach[static_cast<std::size_t>(j)]) {
                reach[static_cast<std::size_t>(j)] = 1;
                stack.push_back(j);
            }
    }
    for (int s = 0; s < S; ++s)
        if (chain.absorbing.row(s).sum() > 0.0) {
            ends[static_cast<std::size_t>(s)] = 1;
            stack.push_back(s);
        }
    while (!stack.empty()) {
        const int j = stack.back();
        stack.pop_back();
        for (int s = 0; s < S; ++s)
            if (chain.transient(s, j) > 0.0 && !ends[static_cast<std::size_t>(s)]) {
                ends[static_cast<std::size_t>(s)] = 1;
                stack.push_back(s);
            }
    }
    std::vector<int> d_states;
    bool always_ends = true;
    for (int s = 0; s < S; ++s) {
        if (ends[static_cast<std::size_t>(s)]) d_states.push_back(s);
        else if (reach[static_cast<std::size_t>(s)]) always_ends = false;
    }
    out.eventual_probability = {0.0, 0.0};
    out.expected_absorption_time = std::numeric_limits<double>::infinity();
    if (ends[static_cast<std::size_t>(chain.initial)]) {
        const auto n = static_cast<Eigen::Index>(d_states.size());
        Eigen::MatrixXd m = Eigen::MatrixXd::Identity(n, n);
        Eigen::VectorXd e = Eigen::VectorXd::Zero(n);
        for (Eigen::Index a = 0; a < n; ++a) {
            if (d_states[static_cast<std::size_t>(a)] == chain.initial) e(a) = 1.0;
            for (Eigen::Index b = 0; b < n; ++b)
                m(b, a) -= chain.transient(d_states[static_cast<std::size_t>(a)], d_states[static_cast<std::size_t>(b)]);  // (I - Q_DD)^T
        }
        const Eigen::VectorXd x = m.partialPivLu().solve(e);
        for (Eigen::Index a = 0; a < n; ++a)
            for (int k = 0; k < 2; ++k)
                for (int r = 0; r < R; ++r)
                    out.eventual_probability[static_cast<std::size_t>(k)] +=
                        x(a) * chain.absorbing(d_states[static_cast<std::size_t>(a)], chain.absorbing_column(k, r));
        if (always_ends) out.expected_absorption_time = x.sum();
    }
    return out;
}

ExactResult solve_exact(const Scenario& scenario) { return solve_chain(build_chain(scenario), scenario.horizon); }

}  // namespace brink
