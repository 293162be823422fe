// A bounded, process-wide cache of the public keys parsed from IdP certificates, so the ACS
// does not parse X.509 certificates on every sign-in.
#pragma once

#include <cstddef>
#include <list>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "gatehouse/saml/signature.hpp"
#include "gatehouse/util/result.hpp"

namespace gatehouse::saml {

// Maps an org's exact list of certificate texts to the TrustedKeys parsed from it. The key
// is the certificate bytes themselves, not an org: a provider whose certificates change
// looks up a different entry at once (no invalidation step to forget), and a certificate
// list only ever yields the keys of exactly those certificates, so one org's key can never
// answer for another's. Least recently used entries are dropped beyond `capacity`.
// Every member is safe to call from many threads at once.
class TrustedKeysCache {
  public:
    explicit TrustedKeysCache(std::size_t capacity = 256);

    // The keys of `certificates`, parsed on first use and then shared. Fails exactly as
    // TrustedKeys::from_certificates does; failures are not cached.
    Result<TrustedKeys> keys_for(const std::vector<std::string>& certificates);

    // Entries held now (at most the capacity).
    std::size_t size() const;

  private:
    struct Entry {
        TrustedKeys keys;
        std::list<std::string>::iterator recency;
    };
    const std::size_t capacity_;
    mutable std::mutex mutex_;
    std::unordered_map<std::string, Entry> entries_;
    std::list<std::string> recency_;  // most recently used first
};

// The cache validate_response and logout validation use. Lives for the whole process.
TrustedKeysCache& shared_trusted_keys_cache();

}  // namespace gatehouse::saml
