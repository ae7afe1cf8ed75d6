// A small JSON writer: deterministic number formatting, pretty printed.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace brink {

class Json {
public:
    Json& begin_object(std::string_view key = {});
    Json& end_object();
    Json& begin_array(std::string_view key = {});
    Json& end_array();
    Json& value(std::string_view key, std::string_view text);
    Json& value(std::string_view key, const char* text) { return value(key, std::string_view(text)); }
    Json& value(std::string_view key, double number);
    Json& value(std::string_view key, std::uint64_t number);
    Json& value(std::string_view key, int number) { return value(key, static_cast<double>(number)); }
    Json& value(std::string_view key, bool flag);
    Json& null(std::string_view key);
    std::string str() const { return out_ + "\n"; }

    static std::string quote(std::string_view text);

private:
    void prefix(std::string_view key);
    void newline();
    std::string out_;
    std::vector<bool> first_;  // per open container: nothing written yet
};

}  // namespace brink
