// The SP key pairs a running gateway holds while its key rolls over (gatehouse sp-key
// rotate): the current pair signs and is published; a next pair, once staged, is published
// beside it so that IdPs importing the metadata trust it before the switch; after the switch
// the previous pair still decrypts assertions from IdPs that encrypt to it.
#pragma once

#include <memory>
#include <mutex>

#include "gatehouse/saml/keys.hpp"

namespace gatehouse::saml {

struct SpKeyRing {
    std::shared_ptr<const SpCredentials> current;   // null: the gateway has no SP key
    std::shared_ptr<const SpCredentials> next;      // staged, published; may be null
    std::shared_ptr<const SpCredentials> previous;  // decrypts only; may be null
};

// The ring requests read and a reloader replaces. A request takes the ring once and uses
// that one to its end, so a replacement never changes the keys under a request. Thread-safe.
class SpKeys {
  public:
    explicit SpKeys(SpKeyRing ring = {})
        : ring_(std::make_shared<const SpKeyRing>(std::move(ring))) {}

    std::shared_ptr<const SpKeyRing> ring() const {
        std::lock_guard lock(mutex_);
        return ring_;
    }

    void replace(SpKeyRing ring) {
        auto replacement = std::make_shared<const SpKeyRing>(std::move(ring));
        std::lock_guard lock(mutex_);
        ring_ = std::move(replacement);
    }

  private:
    mutable std::mutex mutex_;
    std::shared_ptr<const SpKeyRing> ring_;
};

}  // namespace gatehouse::saml
