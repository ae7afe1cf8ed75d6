// One run of the model: MODEL.md section 5, tick by tick.
#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "brink/model.hpp"
#include "brink/random.hpp"

namespace brink {

struct Workspace {
    std::vector<double> state;
    std::vector<double> perceived;       // one leader's perceived + predicted state
    std::vector<double> opponent_effect; // believed mean effect of the opponent's move
    std::array<std::vector<double>, 2> beliefs;  // over the opponent's menu
    std::vector<double> utilities;
    std::vector<int> feasible_options;
    std::vector<char> feasible;  // by action index
    Stream decisions, world, ladder, events;
    std::vector<char> event_fires;  // by event index, decided on the start-of-tick state
};

WorkspaceHandle::WorkspaceHandle() : ws_(new Workspace) {}
WorkspaceHandle::~WorkspaceHandle() { delete ws_; }

namespace {

inline double clamp01(double v) { return v < 0.0 ? 0.0 : (v > 1.0 ? 1.0 : v); }
inline double logistic(double z) { return 1.0 / (1.0 + std::exp(-z)); }

bool holds(const std::vector<Condition>& conditions, const std::vector<double>& state, int rung) {
    for (const Condition& c : conditions) {
        const double v = c.variable == kRung ? static_cast<double>(rung) : state[static_cast<std::size_t>(c.variable)];
        if (v < c.min || v > c.max) return false;
    }
    return true;
}

struct StepProbabilities {
    double up = 0.0;
    double down = 0.0;
};

StepProbabilities step_probabilities(const Scenario& s, int rung, double pressure, double tension) {
    const double x = pressure + s.step.tension_weight * tension;
    StepProbabilities p;
    if (rung + 1 < s.rung_count()) p.up = logistic(s.step.sensitivity * (x - s.step.up_threshold));
    if (rung > 0) p.down = logistic(s.step.sensitivity * (s.step.down_threshold - x));
    return p;
}

double expected_war_cost(const Scenario& s, int rung, double pressure, double tension) {
    const StepProbabilities p = step_probabilities(s, rung, pressure, tension);
    const auto cost = [&](int r) { return s.ladder[static_cast<std::size_t>(r)].war_cost; };
    double expected = (1.0 - p.up - p.down) * cost(rung);
    if (p.up > 0.0) expected += p.up * cost(rung + 1);
    if (p.down > 0.0) expected += p.down * cost(rung - 1);
    return expected;
}

/// Per-tick context shared by both leaders' decisions.
struct TickContext {
    int rung = 0;
    double tension = 0.0;
    std::array<int, 2> perceived{-1, -1};  // opponent's last move as each leader saw it
    std::array<int, 2> previous{-1, -1};   // each leader's own last move
};

/// Utility terms of action a for leader i, given the predicted state ws.perceived
/// (perceived state plus the believed opponent effect) and the believed opponent escalation.
struct Terms {
    double goals = 0.0, war = 0.0, cost = 0.0, reciprocity = 0.0, resolve = 0.0;
    double total() const { return goals - war - cost + reciprocity + resolve; }
};

Terms utility_terms(const Scenario& s, int i, int a, const std::vector<double>& predicted,
                    double opponent_escalation, const TickContext& ctx, std::vector<double>* by_goal) {
    const Leader& leader = s.leaders[static_cast<std::size_t>(i)];
    const Action& action = s.actions[static_cast<std::size_t>(a)];
    Terms t;
    if (by_goal) by_goal->assign(leader.goal_names.size(), 0.0);
    for (const Effect& e : action.effects) {
        const double before = clamp01(predicted[static_cast<std::size_t>(e.variable)]);
        const double delta = clamp01(predicted[static_cast<std::size_t>(e.variable)] + e.mean) - before;
        t.goals += leader.value_weights[static_cast<std::size_t>(e.variable)] * delta;
        if (by_goal) {
            for (std::size_t g = 0; g < leader.goal_names.size(); ++g)
                (*by_goal)[g] += leader.priorities[g] * leader.goals[g][static_cast<std::size_t>(e.variable)] * delta;
        }
    }
    t.war = (1.0 - leader.traits.risk_tolerance) *
            expected_war_cost(s, ctx.rung, action.escalation + opponent_escalation, ctx.tension);
    t.cost = action.cost;
    const int seen = ctx.perceived[static_cast<std::size_t>(i)];
    if (seen >= 0)
        t.reciprocity = -leader.traits.reciprocity *
                        std::abs(action.escalation - s.actions[static_cast<std::size_t>(seen)].escalation);
    if (a == ctx.previous[static_cast<std::size_t>(i)]) t.resolve = leader.traits.resolve;
    return t;
}

/// Leader i perceives the opponent's last move and updates its beliefs.
void perceive(const Scenario& s, int i, int opponent_move, TickContext& ctx, Workspace& ws, LeaderTick* detail) {
    const Leader& leader = s.leaders[static_cast<std::size_t>(i)];
    const Leader& opponent = s.leaders[static_cast<std::size_t>(1 - i)];
    // Two draws every tick, used or not, so the stream stays aligned across scenarios.
    const double u_misread = ws.decisions.uniform();
    const double u_which = ws.decisions.uniform();
    int seen = opponent_move;
    bool misread = false;
    if (opponent_move >= 0) {
        const double p_misread = leader.traits.misperception * (1.0 - ws.state[static_cast<std::size_t>(s.channel)]);
        if (u_misread < p_misread) {
            const auto it = std::upper_bound(leader.misread_cdf.begin(), leader.misread_cdf.end(), u_which);
            const auto k = std::min<std::size_t>(static_cast<std::size_t>(it - leader.misread_cdf.begin()),
                                                 opponent.menu.size() - 1);
            seen = opponent.menu[k];
            misread = true;
        }
        // Decaying frequency of the opponent's perceived moves.
        std::vector<double>& b = ws.beliefs[static_cast<std::size_t>(i)];
        const double keep = leader.traits.memory;
        for (std::size_t k = 0; k < b.size(); ++k)
            b[k] = keep * b[k] + (1.0 - keep) * (opponent.menu[k] == seen ? 1.0 : 0.0);
    }
    ctx.perceived[static_cast<std::size_t>(i)] = seen;
    if (detail) {
        detail->observed = seen;
        detail->actual_previous = opponent_move;
        detail->misread = misread;
    }
}

/// Leader i chooses an action by the logit rule.
int decide(const Scenario& s, int i, const TickContext& ctx, Workspace& ws, LeaderTick* detail) {
    const Leader& leader = s.leaders[static_cast<std::size_t>(i)];
    const Leader& opponent = s.leaders[static_cast<std::size_t>(1 - i)];
    const std::size_t n_vars = ws.state.size();

    // Perceived state, noisier when the channel is closed.
    const double noise_sd = s.perception.state_noise * (1.0 - ws.state[static_cast<std::size_t>(s.channel)]);
    for (std::size_t v = 0; v < n_vars; ++v) {
        ws.perceived[v] = ws.state[v];
        if (s.perception.state_noise > 0.0) ws.perceived[v] += noise_sd * ws.decisions.normal();
    }

    // Believed opponent move: belief-weighted mean over its feasible actions.
    const std::vector<double>& b = ws.beliefs[static_cast<std::size_t>(i)];
    std::fill(ws.opponent_effect.begin(), ws.opponent_effect.end(), 0.0);
    double mass = 0.0, escalation = 0.0;
    std::size_t feasible_count = 0;
    for (std::size_t k = 0; k < opponent.menu.size(); ++k)
        if (ws.feasible[static_cast<std::size_t>(opponent.menu[k])]) { mass += b[k]; ++feasible_count; }
    for (std::size_t k = 0; k < opponent.menu.size(); ++k) {
        const int j = opponent.menu[k];
        if (!ws.feasible[static_cast<std::size_t>(j)]) continue;
        const double w = mass > 0.0 ? b[k] / mass : 1.0 / static_cast<double>(feasible_count);
        const Action& act = s.actions[static_cast<std::size_t>(j)];
        escalation += w * act.escalation;
        for (const Effect& e : act.effects) ws.opponent_effect[static_cast<std::size_t>(e.variable)] += w * e.mean;
    }
    for (std::size_t v = 0; v < n_vars; ++v) ws.perceived[v] += ws.opponent_effect[v];

    // Utilities of feasible actions, then the logit (quantal-response) rule.
    ws.feasible_options.clear();
    ws.utilities.clear();
    double best = -std::numeric_limits<double>::infinity();
    for (const int a : leader.menu) {
        if (!ws.feasible[static_cast<std::size_t>(a)]) continue;
        const double u = utility_terms(s, i, a, ws.perceived, escalation, ctx, nullptr).total();
        ws.feasible_options.push_back(a);
        ws.utilities.push_back(u);
        best = std::max(best, u);
    }
    if (ws.feasible_options.empty())
        throw RunError("leader '" + leader.id + "' has no feasible action at rung " + std::to_string(ctx.rung));
    const double lambda = leader.traits.rationality;
    double total = 0.0;
    for (double& u : ws.utilities) {
        u = std::exp(lambda * (u - best));
        total += u;
    }
    const double target = ws.decisions.uniform() * total;
    std::size_t pick = ws.utilities.size() - 1;
    double cumulative = 0.0;
    for (std::size_t k = 0; k < ws.utilities.size(); ++k) {
        cumulative += ws.utilities[k];
        if (target < cumulative) { pick = k; break; }
    }
    if (detail) {
        detail->options.clear();
        for (std::size_t k = 0; k < ws.feasible_options.size(); ++k) {
            Option o;
            o.action = ws.feasible_options[k];
            const Terms t = utility_terms(s, i, o.action, ws.perceived, escalation, ctx, &o.by_goal);
            o.utility = t.total();
            o.probability = ws.utilities[k] / total;
            o.war_cost = t.war;
            o.action_cost = t.cost;
            o.reciprocity = t.reciprocity;
            o.resolve = t.resolve;
            detail->options.push_back(std::move(o));
        }
        detail->chosen = ws.feasible_options[pick];
    }
    return ws.feasible_options[pick];
}

void apply_effects(const std::vector<Effect>& effects, Workspace& ws) {
    for (const Effect& e : effects) {
        double change = e.mean;
        if (e.sd > 0.0) change += e.sd * ws.world.normal();
        ws.state[static_cast<std::size_t>(e.variable)] += change;
    }
}

}  // namespace

const char* outcome_name(Outcome outcome) {
    switch (outcome) {
        case Outcome::escalation: return "escalation";
        case Outcome::deescalation: return "deescalation";
        case Outcome::stalemate: return "stalemate";
    }
    return "unknown";
}

void RunResult::prepare(const Scenario& s) {
    first_tick_at_rung.assign(static_cast<std::size_t>(s.rung_count()), -1);
    final_state.assign(static_cast<std::size_t>(s.variable_count()), 0.0);
    for (std::size_t i = 0; i < 2; ++i) action_counts[i].assign(s.leaders[i].menu.size(), 0);
}

void simulate(const Scenario& s, std::uint64_t run_id, std::uint64_t seed, RunResult& result,
              WorkspaceHandle& handle, TickObserver* observer) {
    Workspace& ws = handle.get();
    const std::size_t n_vars = static_cast<std::size_t>(s.variable_count());
    ws.state.assign(s.initial.begin(), s.initial.end());
    ws.perceived.resize(n_vars);
    ws.opponent_effect.resize(n_vars);
    ws.feasible.assign(s.actions.size(), 0);
    ws.utilities.reserve(s.actions.size());
    ws.feasible_options.reserve(s.actions.size());
    for (std::size_t i = 0; i < 2; ++i) {
        const std::size_t opponent_menu = s.leaders[1 - i].menu.size();
        ws.beliefs[i].assign(opponent_menu, 1.0 / static_cast<double>(opponent_menu));
    }
    ws.decisions.reseed(seed, run_id, StreamPurpose::decisions);
    ws.world.reseed(seed, run_id, StreamPurpose::world);
    ws.ladder.reseed(seed, run_id, StreamPurpose::ladder);
    ws.events.reseed(seed, run_id, StreamPurpose::events);
    ws.event_fires.assign(s.events.size(), 0);

    result.prepare(s);
    result.run_id = run_id;
    int rung = s.initial_rung;
    result.max_rung = rung;
    result.first_tick_at_rung[static_cast<std::size_t>(rung)] = 0;
    result.outcome = Outcome::stalemate;
    result.end_tick = s.horizon;

    const bool details = observer && observer->wants_details();
    TickView view;
    if (observer) observer->on_start(ws.state.data(), rung);

    std::array<int, 2> last{-1, -1};
    int settled_ticks = 0;
    const std::size_t tension = static_cast<std::size_t>(s.tension);
    const std::size_t channel = static_cast<std::size_t>(s.channel);

    for (int tick = 1; tick <= s.horizon; ++tick) {
        // 1. Perception.
        TickContext ctx;
        ctx.rung = rung;
        ctx.tension = ws.state[tension];
        ctx.previous = last;
        for (int i = 0; i < 2; ++i)
            perceive(s, i, last[static_cast<std::size_t>(1 - i)], ctx, ws,
                     details ? &view.leaders[static_cast<std::size_t>(i)] : nullptr);

        // 2. Simultaneous choice, on the state at the start of the tick.
        for (std::size_t a = 0; a < s.actions.size(); ++a) ws.feasible[a] = holds(s.actions[a].requires_, ws.state, rung);
        std::array<int, 2> chosen{};
        for (int i = 0; i < 2; ++i)
            chosen[static_cast<std::size_t>(i)] =
                decide(s, i, ctx, ws, details ? &view.leaders[static_cast<std::size_t>(i)] : nullptr);

        // Which events fire is decided on the start-of-tick state, one draw per event every tick.
        for (std::size_t e = 0; e < s.events.size(); ++e) {
            const double u = ws.events.uniform();
            ws.event_fires[e] = u < s.events[e].hazard && holds(s.events[e].requires_, ws.state, rung);
        }

        // 3. Effects with noise: both moves, then the events that fire.
        const Action& a0 = s.actions[static_cast<std::size_t>(chosen[0])];
        const Action& a1 = s.actions[static_cast<std::size_t>(chosen[1])];
        double pressure = a0.escalation + a1.escalation;
        const double tension_before = ws.state[tension];
        const int rung_before = rung;
        if (details) view.events_fired.clear();
        apply_effects(a0.effects, ws);
        apply_effects(a1.effects, ws);
        for (std::size_t e = 0; e < s.events.size(); ++e) {
            const Event& event = s.events[e];
            if (ws.event_fires[e]) {
                apply_effects(event.effects, ws);
                pressure += event.escalation;
                if (details) view.events_fired.push_back(static_cast<int>(e));
            }
        }
        for (std::size_t v = 0; v < n_vars; ++v) {
            if (std::isnan(ws.state[v]))
                throw RunError("variable '" + s.variables[v] + "' became NaN at tick " + std::to_string(tick));
            ws.state[v] = clamp01(ws.state[v]);
        }

        // 4. The ladder moves on the pressure and the start-of-tick tension; then tension updates.
        const StepProbabilities p = step_probabilities(s, rung, pressure, tension_before);
        const double u = ws.ladder.uniform();
        if (u < p.up) ++rung;
        else if (u < p.up + p.down) --rung;
        ws.state[tension] = clamp01((1.0 - s.tension_rule.decay) * ws.state[tension] + s.tension_rule.gain * pressure);

        // Bookkeeping.
        if (rung > result.max_rung) result.max_rung = rung;
        int& first = result.first_tick_at_rung[static_cast<std::size_t>(rung)];
        if (first < 0) first = tick;
        for (std::size_t i = 0; i < 2; ++i) {
            const std::vector<int>& menu = s.leaders[i].menu;
            const auto k = static_cast<std::size_t>(std::find(menu.begin(), menu.end(), chosen[i]) - menu.begin());
            ++result.action_counts[i][k];
        }
        last = chosen;

        if (observer) {
            view.tick = tick;
            view.rung_before = rung_before;
            view.rung = rung;
            view.pressure = pressure;
            view.state = ws.state.data();
            if (!details) {
                view.leaders[0].chosen = chosen[0];
                view.leaders[1].chosen = chosen[1];
            }
            observer->on_tick(view);
        }

        // 5. Outcomes.
        bool ended = false;
        if (rung >= s.outcomes.escalation_rung || s.ladder[static_cast<std::size_t>(rung)].terminal) {
            result.outcome = Outcome::escalation;
            ended = true;
        } else if (s.outcomes.joint_agreement && a0.agreement && a1.agreement &&
                   ws.state[channel] >= s.outcomes.agreement_channel) {
            result.outcome = Outcome::deescalation;
            ended = true;
        } else {
            if (rung <= s.outcomes.settlement_rung && ws.state[tension] < s.outcomes.settlement_tension) ++settled_ticks;
            else settled_ticks = 0;
            if (settled_ticks >= s.outcomes.settlement_ticks) {
                result.outcome = Outcome::deescalation;
                ended = true;
            }
        }
        if (ended) {
            result.end_tick = tick;
            break;
        }
    }
    result.final_rung = rung;
    std::copy(ws.state.begin(), ws.state.end(), result.final_state.begin());
}

RunResult simulate(const Scenario& s, std::uint64_t run_id, std::uint64_t seed, TickObserver* observer) {
    WorkspaceHandle workspace;
    RunResult result;
    simulate(s, run_id, seed, result, workspace, observer);
    return result;
}

}  // namespace brink
