#include "gatehouse/saml/trusted_keys_cache.hpp"

#include <algorithm>

namespace gatehouse::saml {
namespace {

// Length-prefixed, so that no two different lists share a key ("ab","c" vs "a","bc").
std::string cache_key(const std::vector<std::string>& certificates) {
    std::string key;
    for (const auto& certificate : certificates) {
        key += std::to_string(certificate.size());
        key += ':';
        key += certificate;
    }
    return key;
}

}  // namespace

TrustedKeysCache::TrustedKeysCache(std::size_t capacity)
    : capacity_(std::max<std::size_t>(capacity, 1)) {}

Result<TrustedKeys> TrustedKeysCache::keys_for(const std::vector<std::string>& certificates) {
    std::string key = cache_key(certificates);
    {
        std::lock_guard lock(mutex_);
        if (auto found = entries_.find(key); found != entries_.end()) {
            recency_.splice(recency_.begin(), recency_, found->second.recency);
            return found->second.keys;
        }
    }
    // Parsed outside the lock: a slow parse must not stall sign-ins of other orgs. Two
    // threads missing together both parse; the second insert finds the entry and keeps it.
    auto parsed = TrustedKeys::from_certificates(certificates);
    if (!parsed) return parsed.error();
    std::lock_guard lock(mutex_);
    if (auto found = entries_.find(key); found != entries_.end()) return found->second.keys;
    recency_.push_front(key);
    entries_.emplace(std::move(key), Entry{*parsed, recency_.begin()});
    while (entries_.size() > capacity_) {
        entries_.erase(recency_.back());
        recency_.pop_back();
    }
    return *parsed;
}

std::size_t TrustedKeysCache::size() const {
    std::lock_guard lock(mutex_);
    return entries_.size();
}

TrustedKeysCache& shared_trusted_keys_cache() {
    static TrustedKeysCache cache;
    return cache;
}

}  // namespace gatehouse::saml
