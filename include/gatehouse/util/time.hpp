// Time as Gatehouse sees it: UTC seconds since the epoch, a Clock that tests can set,
// and the xs:dateTime form that SAML and SCIM use on the wire.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace gatehouse::util {

using UnixTime = std::int64_t;  // seconds since 1970-01-01T00:00:00Z

// The source of "now" for every rule that depends on time.
class Clock {
  public:
    virtual ~Clock() = default;
    virtual UnixTime now() const = 0;
};

// The operating system's clock.
class SystemClock final : public Clock {
  public:
    UnixTime now() const override;
};

// One SystemClock for the whole process.
const Clock& system_clock();

// A clock that stays where it is set; for tests and `saml check --at`.
class FixedClock final : public Clock {
  public:
    explicit FixedClock(UnixTime at) : at_(at) {}
    UnixTime now() const override { return at_; }
    void set(UnixTime at) { at_ = at; }
    void advance(std::int64_t seconds) { at_ += seconds; }

  private:
    UnixTime at_;
};

// Formats as "2026-11-23T08:45:00Z".
std::string format_iso8601(UnixTime t);

// Parses xs:dateTime in UTC ("...Z"), with optional fractional seconds (truncated) and an
// optional numeric offset ("+01:00"). Anything else yields nullopt.
std::optional<UnixTime> parse_iso8601(std::string_view text);

// Milliseconds from a monotonic clock, for durations in logs.
double monotonic_ms();

}  // namespace gatehouse::util
