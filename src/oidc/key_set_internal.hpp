// What a KeySet holds for each kept JWK, and the RAII owners of the OpenSSL objects that
// src/oidc/ creates. Internal to the oidc layer.
#pragma once

#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>

#include <memory>
#include <string>

#include "gatehouse/oidc/jose.hpp"

namespace gatehouse::oidc {

enum class KeyType { rsa, ec_p256 };

struct KeySet::Key {
    KeyType type;
    std::string key_id;     // "kid"; empty when absent
    std::string algorithm;  // the JWK's "alg"; empty when absent
    std::shared_ptr<EVP_PKEY> public_key;
};

namespace detail {

struct PkeyFree {
    void operator()(EVP_PKEY* p) const noexcept { EVP_PKEY_free(p); }
};
struct PkeyCtxFree {
    void operator()(EVP_PKEY_CTX* p) const noexcept { EVP_PKEY_CTX_free(p); }
};
struct MdCtxFree {
    void operator()(EVP_MD_CTX* p) const noexcept { EVP_MD_CTX_free(p); }
};
struct BignumFree {
    void operator()(BIGNUM* p) const noexcept { BN_free(p); }
};
struct ParamBuildFree {
    void operator()(OSSL_PARAM_BLD* p) const noexcept { OSSL_PARAM_BLD_free(p); }
};
struct ParamsFree {
    void operator()(OSSL_PARAM* p) const noexcept { OSSL_PARAM_free(p); }
};

}  // namespace detail

using PkeyPtr = std::unique_ptr<EVP_PKEY, detail::PkeyFree>;
using PkeyCtxPtr = std::unique_ptr<EVP_PKEY_CTX, detail::PkeyCtxFree>;
using MdCtxPtr = std::unique_ptr<EVP_MD_CTX, detail::MdCtxFree>;
using BignumPtr = std::unique_ptr<BIGNUM, detail::BignumFree>;
using ParamBuildPtr = std::unique_ptr<OSSL_PARAM_BLD, detail::ParamBuildFree>;
using ParamsPtr = std::unique_ptr<OSSL_PARAM, detail::ParamsFree>;

}  // namespace gatehouse::oidc
