// Back-tests: Brink's probabilities for a timeline's questions, scored beside the
// published forecasts (docs/timelines.md, "Back-tests").
#include <algorithm>
#include <map>

#include "brink/history.hpp"

namespace brink {

namespace {

ScoredForecast score(const Question& q, const std::string& who, int day, double probability, Interval interval) {
    ScoredForecast f;
    f.question = q.id;
    f.who = who;
    f.day = day;
    f.probability = probability;
    f.interval = interval;
    f.resolution = q.resolution;
    f.brier = brier_score(probability, q.resolution);
    f.log = log_score(probability, q.resolution);
    return f;
}

void add(MeanScores& m, const ScoredForecast& f, double brink_probability, bool resolution) {
    ++m.count;
    m.brier += f.brier;
    m.log += f.log;
    m.brink_brier += brier_score(brink_probability, resolution);
    m.brink_log += log_score(brink_probability, resolution);
}

}  // namespace

Backtest backtest(const Scenario& s, const Timeline& timeline, const ConditionPlan& plan, std::optional<int> until_day) {
    Backtest bt;
    std::vector<std::size_t> scored_questions;
    for (std::size_t q = 0; q < timeline.questions.size(); ++q) {
        if (until_day && timeline.questions[q].resolved_day <= *until_day) bt.left_out.push_back(timeline.questions[q].id);
        else scored_questions.push_back(q);
    }
    // A forecast made before the scenario starts is compared with Brink as of the start.
    const auto model_day = [&](int day) { return std::max(day, *s.start_day); };
    std::vector<int> days;
    for (const std::size_t q : scored_questions) {
        days.push_back(timeline.questions[q].asked_day);
        for (const PublishedForecast& f : timeline.questions[q].forecasts) days.push_back(model_day(f.day));
    }
    std::sort(days.begin(), days.end());
    days.erase(std::unique(days.begin(), days.end()), days.end());
    std::map<int, std::size_t> at;
    for (const int day : days) {
        at[day] = bt.as_of.size();
        bt.as_of.push_back(odds_as_of(s, timeline, day, plan));
    }

    MeanScores brink{"Brink"};
    std::vector<MeanScores> others;
    for (const std::size_t q : scored_questions) {
        const Question& question = timeline.questions[q];
        const Odds& o = bt.as_of[at[question.asked_day]].questions[q];
        bt.scored.push_back(score(question, "Brink", question.asked_day, o.probability, o.interval));
        add(brink, bt.scored.back(), o.probability, question.resolution);
    }
    for (const std::size_t q : scored_questions) {
        const Question& question = timeline.questions[q];
        for (const PublishedForecast& f : question.forecasts) {
            ScoredForecast row = score(question, f.who, f.day, f.probability, Interval{f.probability, f.probability, f.probability});
            row.brink_probability = bt.as_of[at[model_day(f.day)]].questions[q].probability;
            auto it = std::find_if(others.begin(), others.end(), [&](const MeanScores& m) { return m.who == f.who; });
            if (it == others.end()) it = others.insert(others.end(), MeanScores{f.who});
            add(*it, row, row.brink_probability, question.resolution);
            bt.scored.push_back(std::move(row));
        }
    }
    bt.means.push_back(brink);
    bt.means.insert(bt.means.end(), others.begin(), others.end());
    for (MeanScores& m : bt.means) {
        if (m.count == 0) continue;
        const double n = static_cast<double>(m.count);
        m.brier /= n, m.log /= n, m.brink_brier /= n, m.brink_log /= n;
    }
    return bt;
}

}  // namespace brink
