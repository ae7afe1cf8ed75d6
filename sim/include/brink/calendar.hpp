// Calendar dates: a scenario may start on a date (run.start_date), and then every
// tick has one. Dates are whole days since 1970-01-01 (proleptic Gregorian), so
// arithmetic is integer and time zones never enter.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace brink {

/// "2022-02-24" -> days since 1970-01-01; std::nullopt unless the text is exactly
/// YYYY-MM-DD naming a real day (2022-02-30 is refused).
std::optional<int> parse_date(std::string_view text);

/// Days since 1970-01-01 -> "YYYY-MM-DD".
std::string format_date(int day);

/// A tick's date: the last day it covers, start + round(tick * tick_days). Tick 0 is
/// the start date itself (the initial state); tick t covers the days after tick t-1's
/// date up to and including its own.
int tick_date(int start_day, double tick_days, int tick);

/// The tick that covers `day`: the least t with tick_date(t) >= day, so the start
/// date gives 0 and the next day 1. A day before the start gives -1.
int tick_covering(int start_day, double tick_days, int day);

}  // namespace brink
