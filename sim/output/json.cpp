#include "brink/json.hpp"

#include <cstdio>

#include "brink/output.hpp"

namespace brink {

std::string Json::quote(std::string_view text) {
    std::string out = "\"";
    for (const char c : text) {
        switch (c) {
            case '"': out += "\\\""; break;
            case '\\': out += "\\\\"; break;
            case '\n': out += "\\n"; break;
            case '\t': out += "\\t"; break;
            case '\r': out += "\\r"; break;
            default:
                if (static_cast<unsigned char>(c) < 0x20) {
                    char buf[8];
                    std::snprintf(buf, sizeof buf, "\\u%04x", c);
                    out += buf;
                } else {
                    out += c;
                }
        }
    }
    return out + "\"";
}

void Json::newline() {
    out_ += '\n';
    out_.append(2 * first_.size(), ' ');
}

void Json::prefix(std::string_view key) {
    if (!first_.empty()) {
        if (!first_.back()) out_ += ",";
        first_.back() = false;
        newline();
    }
    if (!key.empty()) out_ += quote(key) + ": ";
}

Json& Json::begin_object(std::string_view key) {
    prefix(key);
    out_ += "{";
    first_.push_back(true);
    return *this;
}

Json& Json::end_object() {
    const bool empty = first_.back();
    first_.pop_back();
    if (!empty) newline();
    out_ += "}";
    return *this;
}

Json& Json::begin_array(std::string_view key) {
    prefix(key);
    out_ += "[";
    first_.push_back(true);
    return *this;
}

Json& Json::end_array() {
    const bool empty = first_.back();
    first_.pop_back();
    if (!empty) newline();
    out_ += "]";
    return *this;
}

Json& Json::value(std::string_view key, std::string_view text) {
    prefix(key);
    out_ += quote(text);
    return *this;
}

Json& Json::value(std::string_view key, double number) {
    prefix(key);
    out_ += format_double(number);
    return *this;
}

Json& Json::value(std::string_view key, std::uint64_t number) {
    prefix(key);
    out_ += std::to_string(number);
    return *this;
}

Json& Json::value(std::string_view key, bool flag) {
    prefix(key);
    out_ += flag ? "true" : "false";
    return *this;
}

Json& Json::null(std::string_view key) {
    prefix(key);
    out_ += "null";
    return *this;
}

}  // namespace brink
