// OpenSSL 3 (Debian libssl-dev) for the NRPE listener's TLS; only DsariNRPE
// imports it. The macros Swift cannot call are wrapped as functions here.
#ifndef DSARI_COPENSSL_SHIM_H
#define DSARI_COPENSSL_SHIM_H

#include <openssl/ssl.h>
#include <openssl/err.h>

static inline long dsari_ssl_ctx_set_dh_auto(SSL_CTX *context) {
    return SSL_CTX_set_dh_auto(context, 1);
}

static inline long dsari_ssl_ctx_set_max_tls12(SSL_CTX *context) {
    return SSL_CTX_set_max_proto_version(context, TLS1_2_VERSION);
}

static inline long dsari_ssl_ctx_set_min_tls12(SSL_CTX *context) {
    return SSL_CTX_set_min_proto_version(context, TLS1_2_VERSION);
}

static inline void dsari_ssl_ctx_ignore_unexpected_eof(SSL_CTX *context) {
    SSL_CTX_set_options(context, SSL_OP_IGNORE_UNEXPECTED_EOF);
}

/// The text of the oldest error in OpenSSL's queue (emptied), into `buffer`.
static inline void dsari_ssl_error_text(char *buffer, size_t size) {
    unsigned long code = ERR_get_error();
    if (code == 0) {
        buffer[0] = 0;
    } else {
        ERR_error_string_n(code, buffer, size);
    }
    ERR_clear_error();
}

#endif
