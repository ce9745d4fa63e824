// Parley's view of libsrtp2 (SRTP, RFC 3711).
#ifndef PARLEY_CSRTP_SHIM_H
#define PARLEY_CSRTP_SHIM_H

#include <srtp2/srtp.h>

/// Bytes srtp_protect/srtp_protect_rtcp may append (authentication tag, SRTCP index).
static inline int parley_srtp_max_trailer_length(void) { return SRTP_MAX_TRAILER_LEN; }

/// srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80 (a macro).
static inline void parley_srtp_policy_aes_cm_128_hmac_sha1_80(srtp_crypto_policy_t *policy) {
    srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(policy);
}

#endif
