// Following a timeline's claims through a run (docs/timelines.md, "What an item states").
#include "brink/history.hpp"

namespace brink {

namespace {

bool rung_claim(const Claim& c) { return c.kind == Claim::Kind::rung || c.kind == Claim::Kind::level; }

}  // namespace

ClaimTracker::ClaimTracker(const Scenario& scenario, std::vector<const Claim*> claims)
    : s_(scenario), claims_(std::move(claims)) {}

void ClaimTracker::attach(const RunSnapshot& run, std::vector<Verdict>& verdicts) {
    verdicts_ = &verdicts;
    if (run.tick != 0) return;
    verdicts.assign(claims_.size(), Verdict::open);
    // Tick 0 is part of "by a date": a rung the run starts at is reached from the start.
    for (std::size_t k = 0; k < claims_.size(); ++k) {
        const Claim& c = *claims_[k];
        if (rung_claim(c)) {
            const int at = c.kind == Claim::Kind::rung ? run.rung : run.level;
            if (at >= c.index) verdicts[k] = c.reached ? Verdict::holds : Verdict::fails;
            else if (c.last_tick == 0) verdicts[k] = c.reached ? Verdict::fails : Verdict::holds;
        } else if (c.kind == Claim::Kind::variable && c.last_tick == 0) {
            const double v = run.state[static_cast<std::size_t>(c.index)];
            verdicts[k] = v >= c.min && v <= c.max ? Verdict::holds : Verdict::fails;
        }
    }
}

void ClaimTracker::on_tick(const TickView& view) {
    std::vector<Verdict>& verdicts = *verdicts_;
    const int t = view.tick;
    for (std::size_t k = 0; k < claims_.size(); ++k) {
        if (verdicts[k] != Verdict::open) continue;
        const Claim& c = *claims_[k];
        bool seen = false;
        switch (c.kind) {
            case Claim::Kind::move:
                seen = t >= c.first_tick && view.leaders[static_cast<std::size_t>(c.leader)].chosen == c.index;
                if (seen) verdicts[k] = Verdict::holds;
                else if (t >= c.last_tick) verdicts[k] = Verdict::fails;
                break;
            case Claim::Kind::event:
                seen = t >= c.first_tick && view.event_flags[c.index] != 0;
                if (seen) verdicts[k] = Verdict::holds;
                else if (t >= c.last_tick) verdicts[k] = Verdict::fails;
                break;
            case Claim::Kind::rung:
            case Claim::Kind::level:
                seen = (c.kind == Claim::Kind::rung ? view.rung : view.level) >= c.index;
                if (seen) verdicts[k] = c.reached ? Verdict::holds : Verdict::fails;
                else if (t >= c.last_tick) verdicts[k] = c.reached ? Verdict::fails : Verdict::holds;
                break;
            case Claim::Kind::variable:
                if (t >= c.last_tick) {
                    const double v = view.state[c.index];
                    verdicts[k] = v >= c.min && v <= c.max ? Verdict::holds : Verdict::fails;
                }
                break;
            case Claim::Kind::outcome: break;  // settle() decides: it needs the run's end
        }
    }
}

void ClaimTracker::settle(const RunSnapshot& run) {
    std::vector<Verdict>& verdicts = *verdicts_;
    for (std::size_t k = 0; k < claims_.size(); ++k) {
        if (verdicts[k] != Verdict::open) continue;
        const Claim& c = *claims_[k];
        if (c.kind == Claim::Kind::outcome) {
            // Decided once the run has ended or passed the date; `reached: false` negates.
            if (!run.ended && run.tick < c.last_tick) continue;
            const bool happened = run.ended && run.result.end_tick <= c.last_tick && run.result.outcome == c.outcome;
            verdicts[k] = happened == c.reached ? Verdict::holds : Verdict::fails;
            continue;
        }
        if (!run.ended) continue;
        // An ended run plays no more moves and keeps its last state and rung.
        switch (c.kind) {
            case Claim::Kind::move:
            case Claim::Kind::event: verdicts[k] = Verdict::fails; break;
            case Claim::Kind::rung:
            case Claim::Kind::level: verdicts[k] = c.reached ? Verdict::fails : Verdict::holds; break;
            case Claim::Kind::variable: {
                const double v = run.state[static_cast<std::size_t>(c.index)];
                verdicts[k] = v >= c.min && v <= c.max ? Verdict::holds : Verdict::fails;
                break;
            }
            case Claim::Kind::outcome: break;
        }
    }
}

}  // namespace brink
