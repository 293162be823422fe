// Result<T>: a value or an Error carrying a stable reason code and a human sentence.
// Every fallible operation in Gatehouse returns one; exceptions are for programming errors.
#pragma once

#include <string>
#include <utility>
#include <variant>

namespace gatehouse {

// A failure as a value. `code` is stable and machine-readable (for example
// "saml.signature.invalid"); `message` is one sentence for an administrator.
struct Error {
    std::string code;
    std::string message;
};

// Builds an Error; reads well at return sites: `return fail("store.busy", "...")`.
inline Error fail(std::string code, std::string message) {
    return Error{std::move(code), std::move(message)};
}

template <typename T>
class [[nodiscard]] Result {
  public:
    Result(T value) : state_(std::in_place_index<0>, std::move(value)) {}
    Result(Error error) : state_(std::in_place_index<1>, std::move(error)) {}

    bool ok() const { return state_.index() == 0; }
    explicit operator bool() const { return ok(); }

    // Precondition: ok(). Calling these on an error is a programming error.
    T& value() & { return std::get<0>(state_); }
    const T& value() const& { return std::get<0>(state_); }
    T&& value() && { return std::get<0>(std::move(state_)); }
    T* operator->() { return &value(); }
    const T* operator->() const { return &value(); }
    T& operator*() & { return value(); }
    const T& operator*() const& { return value(); }

    // Precondition: !ok().
    const Error& error() const { return std::get<1>(state_); }

  private:
    std::variant<T, Error> state_;
};

template <>
class [[nodiscard]] Result<void> {
  public:
    Result() = default;
    Result(Error error) : error_(std::move(error)), ok_(false) {}

    bool ok() const { return ok_; }
    explicit operator bool() const { return ok_; }
    const Error& error() const { return error_; }

  private:
    Error error_;
    bool ok_ = true;
};

using Status = Result<void>;

}  // namespace gatehouse
