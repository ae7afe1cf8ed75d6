#include "brink/calendar.hpp"

#include <chrono>
#include <cmath>
#include <cstdio>

namespace brink {

std::optional<int> parse_date(std::string_view text) {
    if (text.size() != 10 || text[4] != '-' || text[7] != '-') return std::nullopt;
    int parts[3] = {0, 0, 0};
    const int begin[3] = {0, 5, 8}, length[3] = {4, 2, 2};
    for (int p = 0; p < 3; ++p)
        for (int k = 0; k < length[p]; ++k) {
            const char c = text[static_cast<std::size_t>(begin[p] + k)];
            if (c < '0' || c > '9') return std::nullopt;
            parts[p] = parts[p] * 10 + (c - '0');
        }
    const std::chrono::year_month_day date{std::chrono::year{parts[0]}, std::chrono::month{static_cast<unsigned>(parts[1])},
                                           std::chrono::day{static_cast<unsigned>(parts[2])}};
    if (!date.ok()) return std::nullopt;
    return static_cast<int>(std::chrono::sys_days{date}.time_since_epoch().count());
}

std::string format_date(int day) {
    const std::chrono::year_month_day date{std::chrono::sys_days{std::chrono::days{day}}};
    char text[16];
    std::snprintf(text, sizeof text, "%04d-%02u-%02u", static_cast<int>(date.year()), static_cast<unsigned>(date.month()),
                  static_cast<unsigned>(date.day()));
    return text;
}

int tick_date(int start_day, double tick_days, int tick) {
    return start_day + static_cast<int>(std::lround(tick * tick_days));
}

int tick_covering(int start_day, double tick_days, int day) {
    if (day < start_day) return -1;
    int t = static_cast<int>(std::ceil((day - start_day) / tick_days)) - 1;
    if (t < 0) t = 0;
    // Exact against tick_date's rounding (ticks shorter than a day share dates): the least such t.
    while (tick_date(start_day, tick_days, t) < day) ++t;
    while (t > 0 && tick_date(start_day, tick_days, t - 1) >= day) --t;
    return t;
}

}  // namespace brink
