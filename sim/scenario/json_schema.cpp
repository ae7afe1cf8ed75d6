// The scenario format as a JSON Schema (draft-07), for editors: generated from
// scenario_fields(), the table the loader reads every field through, so the two
// cannot drift. The schema accepts every file the loader accepts; the loader
// refuses more (names that must exist, two leaders, cross-field rules). No field
// is required: a file that `extends:` another gives only what it changes, and
// what a complete file lacks is reported by `brink validate` (docs/scenario-reference.md,
// Editor support).
#include <algorithm>
#include <charconv>
#include <cmath>
#include <initializer_list>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "brink/scenario.hpp"

namespace brink {

namespace {

/// A JSON value, objects keeping their keys in insertion order.
struct JValue {
    enum class Kind { null, boolean, number, string, array, object } kind = Kind::null;
    bool flag = false;
    double number = 0.0;
    std::string text;
    std::vector<JValue> items;      // array items, or object values
    std::vector<std::string> keys;  // object keys, parallel to items

    static JValue of(bool b) { JValue v; v.kind = Kind::boolean; v.flag = b; return v; }
    static JValue of(double d) { JValue v; v.kind = Kind::number; v.number = d; return v; }
    static JValue of(std::string_view s) { JValue v; v.kind = Kind::string; v.text = s; return v; }
    static JValue of(const char* s) { return of(std::string_view(s)); }  // not the bool overload
    static JValue digits(std::string d) { JValue v; v.kind = Kind::number; v.text = std::move(d); return v; }
    static JValue array(std::vector<JValue> items = {}) { JValue v; v.kind = Kind::array; v.items = std::move(items); return v; }
    static JValue object() { JValue v; v.kind = Kind::object; return v; }
    static JValue types(std::initializer_list<std::string_view> names) {
        if (names.size() == 1) return of(*names.begin());
        JValue v = array();
        for (const std::string_view n : names) v.items.push_back(of(n));
        return v;
    }

    JValue& set(std::string_view key, JValue value) {
        keys.emplace_back(key);
        items.push_back(std::move(value));
        return *this;
    }
};

std::string quote(std::string_view s) {
    std::string out = "\"";
    for (const char c : s) {
        const auto u = static_cast<unsigned char>(c);
        if (c == '"' || c == '\\') out += std::string("\\") + c;
        else if (c == '\n') out += "\\n";
        else if (u < 0x20) {
            static constexpr char kHex[] = "0123456789abcdef";
            out += std::string("\\u00") + kHex[u >> 4] + kHex[u & 15];
        } else out += c;
    }
    return out + "\"";
}

/// The shortest text that reads back as the same double; whole numbers in plain digits.
std::string number_text(double v) {
    char buf[64];
    const bool whole = std::floor(v) == v && std::fabs(v) < 1e21;
    const auto r = whole ? std::to_chars(buf, buf + sizeof buf, v, std::chars_format::fixed) : std::to_chars(buf, buf + sizeof buf, v);
    return std::string(buf, r.ptr);
}

bool is_scalar(const JValue& v) { return v.kind != JValue::Kind::array && v.kind != JValue::Kind::object; }

/// Pretty printed, two spaces; an array of scalars stays on one line.
void print(const JValue& v, int indent, std::string& out) {
    const std::string pad(static_cast<std::size_t>(indent + 2), ' ');
    switch (v.kind) {
        case JValue::Kind::null: out += "null"; return;
        case JValue::Kind::boolean: out += v.flag ? "true" : "false"; return;
        case JValue::Kind::number: out += v.text.empty() ? number_text(v.number) : v.text; return;
        case JValue::Kind::string: out += quote(v.text); return;
        case JValue::Kind::array: {
            bool flat = true;
            for (const JValue& item : v.items) flat = flat && is_scalar(item);
            out += "[";
            for (std::size_t i = 0; i < v.items.size(); ++i) {
                out += i ? (flat ? ", " : ",\n" + pad) : (flat ? "" : "\n" + pad);
                print(v.items[i], indent + 2, out);
            }
            if (!flat && !v.items.empty()) out += "\n" + std::string(static_cast<std::size_t>(indent), ' ');
            out += "]";
            return;
        }
        case JValue::Kind::object: {
            if (v.items.empty()) { out += "{}"; return; }
            out += "{";
            for (std::size_t i = 0; i < v.items.size(); ++i) {
                out += (i ? ",\n" : "\n") + pad + quote(v.keys[i]) + ": ";
                print(v.items[i], indent + 2, out);
            }
            out += "\n" + std::string(static_cast<std::size_t>(indent), ' ') + "}";
            return;
        }
    }
}

/// scenario_fields() as a tree: "a.*.b[].c" is a -> * -> b -> [] -> c.
struct FieldNode {
    std::string key;  // a name, "*" (any name) or "[]" (a list item)
    const FieldSpec* spec = nullptr;
    std::vector<FieldNode> children;

    const FieldNode* child(std::string_view k) const {
        for (const FieldNode& c : children)
            if (c.key == k) return &c;
        return nullptr;
    }
};

std::vector<std::string> path_keys(std::string_view path) {
    std::vector<std::string> keys;
    std::size_t start = 0;
    while (start <= path.size()) {
        const std::size_t dot = std::min(path.find('.', start), path.size());
        std::string_view segment = path.substr(start, dot - start);
        const bool item = segment.size() > 2 && segment.substr(segment.size() - 2) == "[]";
        if (item) segment.remove_suffix(2);
        keys.emplace_back(segment);
        if (item) keys.emplace_back("[]");
        start = dot + 1;
    }
    return keys;
}

FieldNode field_tree() {
    FieldNode root;
    for (const FieldSpec& f : scenario_fields()) {
        const std::vector<std::string> keys = path_keys(f.path);
        FieldNode* node = &root;
        for (std::size_t i = 0; i + 1 < keys.size(); ++i) {
            auto it = std::find_if(node->children.begin(), node->children.end(), [&](const FieldNode& c) { return c.key == keys[i]; });
            if (it == node->children.end())
                throw std::logic_error("scenario schema: field " + std::string(f.path) + " is declared before its parent");
            node = &*it;
        }
        node->children.push_back(FieldNode{keys.back(), &f, {}});
    }
    return root;
}

/// A default the editor can insert: only those written as a JSON value of the field's type.
std::optional<JValue> default_of(const FieldSpec& f) {
    const std::string_view d = f.default_value;
    if (d.empty()) return std::nullopt;
    if (f.type == "number" || f.type == "integer") {
        double v = 0.0;
        const auto [end, ec] = std::from_chars(d.data(), d.data() + d.size(), v);
        if (ec == std::errc() && end == d.data() + d.size()) return JValue::of(v);
        return std::nullopt;
    }
    if (f.type == "boolean" && (d == "true" || d == "false")) return JValue::of(d == "true");
    if (f.type == "map" && d == "{}") return JValue::object();
    if (f.type == "list" && d == "[]") return JValue::array();
    // A quoted literal, not a pattern such as "{actor} chooses <name>.".
    if (f.type == "string" && d.size() >= 2 && d.front() == '"' && d.back() == '"' &&
        d.find_first_of("<{") == std::string_view::npos)
        return JValue::of(d.substr(1, d.size() - 2));
    return std::nullopt;
}

/// An integer field's upper bound: run.seed's 2^64 - 1 is no double (the table holds 2^64);
/// the loader reads it as a 64-bit integer, so the schema says 18446744073709551615.
JValue integer_max(const FieldSpec& f) {
    if (f.max >= 18446744073709551615.0) return JValue::digits("18446744073709551615");
    return JValue::of(f.max);
}

std::string range_text(const FieldSpec& f) {
    if (std::isinf(f.max)) return "at least " + number_text(f.min);
    const std::string max = f.type == "integer" ? integer_max(f).text : "";
    return "in [" + number_text(f.min) + ", " + (max.empty() ? number_text(f.max) : max) + "]";
}

/// What an editor shows on hover: the meaning, then unit, default and range.
std::string description_of(const FieldSpec& f, bool ranged) {
    std::string text(f.meaning);
    if (!f.unit.empty()) text += " Unit: " + std::string(f.unit) + ".";
    if (!f.default_value.empty()) text += " Default: " + std::string(f.default_value) + ".";
    if (ranged) text += " Range: " + range_text(f) + " (inclusive).";
    return text;
}

/// How a "number or rung" field reads: under the key `rung` a rung, under a variable a number.
enum class Reading { plain, as_number, as_rung };

JValue number_schema(const FieldSpec& f, bool integer) {
    JValue s = JValue::object();
    s.set("type", JValue::of(integer ? "integer" : "number"));
    if (std::isfinite(f.min)) s.set("minimum", JValue::of(f.min));
    if (std::isfinite(f.max)) s.set("maximum", integer ? integer_max(f) : JValue::of(f.max));
    return s;
}

/// A rung or level: its id, or its index (0 up; the loader checks the id exists and the index fits).
JValue rung_schema(const FieldSpec& f) {
    JValue s = JValue::object();
    s.set("type", JValue::types({"string", "integer"}));
    s.set("minimum", JValue::of(f.min));
    return s;
}

/// A `*` whose own fields are "number or rung": the range of a variable, or of `rung`.
bool reads_rungs(const FieldNode& any) {
    return std::any_of(any.children.begin(), any.children.end(), [](const FieldNode& c) { return c.spec->type == "number or rung"; });
}

JValue schema_of(const FieldNode& n, Reading reading);

/// A map: named keys (unknown ones refused, as the loader does), or any key (`*`).
JValue map_schema(const FieldNode& n, bool nullable, Reading reading) {
    JValue s = JValue::object();
    s.set("type", nullable ? JValue::types({"object", "null"}) : JValue::of("object"));
    JValue properties = JValue::object();
    for (const FieldNode& c : n.children)
        if (c.key != "*") properties.set(c.key, schema_of(c, reading));
    const FieldNode* any = n.child("*");
    if (any && reads_rungs(*any)) properties.set("rung", schema_of(*any, Reading::as_rung));
    if (!properties.items.empty()) s.set("properties", std::move(properties));
    s.set("additionalProperties", any ? schema_of(*any, reads_rungs(*any) ? Reading::as_number : reading) : JValue::of(false));
    return s;
}

JValue typed_schema(const FieldNode& n, Reading reading) {
    const FieldSpec& f = *n.spec;
    const std::string_view t = f.type;
    const JValue scalar = JValue::types({"string", "number", "boolean"});
    if (t == "number" || t == "integer") return number_schema(f, t == "integer");
    if (t == "boolean") return JValue::object().set("type", JValue::of("boolean"));
    // The loader reads a string from any scalar: `name: 2022` is the text "2022".
    if (t == "string") return JValue::object().set("type", scalar);
    if (t == "date") return JValue::object().set("type", JValue::of("string")).set("pattern", JValue::of("^[0-9]{4}-[0-9]{2}-[0-9]{2}$"));
    if (t == "rung" || t == "level") return rung_schema(f);
    if (t == "number or rung") {
        if (reading == Reading::plain) throw std::logic_error("scenario schema: " + std::string(f.path) + " is a number or a rung, but not under a map keyed by variable or `rung`");
        return reading == Reading::as_rung ? rung_schema(f) : number_schema(f, false);
    }
    if (t == "map") {
        const bool named = n.key != "*" && n.key != "[]";  // a named section may be left empty (null)
        return map_schema(n, named, reading);
    }
    if (t == "number or map") {
        JValue branches = JValue::array({number_schema(f, false), map_schema(n, false, reading)});
        return JValue::object().set("anyOf", std::move(branches));
    }
    if (t == "list") {
        const FieldNode* item = n.child("[]");
        // A list with no declared item is a list of names (a menu, a commitment's triggers).
        JValue items = item ? schema_of(*item, reading) : JValue::object().set("type", JValue::of("string"));
        return JValue::object().set("type", JValue::of("array")).set("items", std::move(items));
    }
    if (t == "list or string")
        return JValue::object()
            .set("type", JValue::types({"array", "string", "number"}))
            .set("items", JValue::object().set("type", scalar));
    throw std::logic_error("scenario schema: field " + std::string(f.path) + " has type '" + std::string(t) +
                           "', which the JSON Schema generator does not know");
}

JValue schema_of(const FieldNode& n, Reading reading) {
    const FieldSpec& f = *n.spec;
    JValue s = typed_schema(n, reading);
    const bool ranged = f.type == "number" || f.type == "integer" || (f.type == "number or map") ||
                        (f.type == "number or rung" && reading == Reading::as_number);
    s.keys.insert(s.keys.begin(), "description");
    s.items.insert(s.items.begin(), JValue::of(description_of(f, ranged)));
    if (const auto d = default_of(f)) s.set("default", *d);
    return s;
}

}  // namespace

std::string scenario_json_schema() {
    const FieldNode root = field_tree();
    JValue s = JValue::object();
    s.set("$schema", JValue::of("http://json-schema.org/draft-07/schema#"));
    s.set("title", JValue::of("Brink scenario"));
    s.set("description", JValue::of(
        "A Brink scenario file (docs/scenario-reference.md). Generated by `brink schema` from the table the loader reads "
        "every field through (sim/scenario/schema.cpp). No field is required here, so that a file which extends another "
        "can give only what it changes; `brink validate` checks the complete scenario (required fields, names that must "
        "exist, cross-field rules)."));
    s.set("type", JValue::of("object"));
    JValue properties = JValue::object();
    for (const FieldNode& c : root.children) properties.set(c.key, schema_of(c, Reading::plain));
    s.set("properties", std::move(properties));
    s.set("additionalProperties", JValue::of(false));
    std::string out;
    print(s, 0, out);
    return out + "\n";
}

}  // namespace brink
