#ifndef DSARI_CCRYPT_SHIM_H
#define DSARI_CCRYPT_SHIM_H
/*
 * libxcrypt's crypt_rn (Debian libcrypt-dev) for basic-auth passwords
 * stored as bcrypt hashes ($2y$, $2b$, $2a$), as exporter-toolkit's
 * basic_auth_users holds them. Only DsariHTTP imports this module.
 */
#include <crypt.h>
#include <stdlib.h>
#include <string.h>

/* 1 when `password` hashes to `hash` with the hash's own method and salt,
 * 0 when not, -1 when `hash` is not a hash libxcrypt knows (or memory ran
 * out). The comparison takes the same time wherever the hashes differ. */
static inline int dsari_crypt_verify(const char *password, const char *hash) {
    struct crypt_data *data = calloc(1, sizeof *data);
    if (data == NULL) return -1;
    const char *computed = crypt_rn(password, hash, data, (int)sizeof *data);
    int result = -1;
    if (computed != NULL && computed[0] != '*') {
        size_t length = strlen(hash);
        if (strlen(computed) != length) {
            result = 0;
        } else {
            unsigned char difference = 0;
            for (size_t i = 0; i < length; i++) difference |= (unsigned char)(computed[i] ^ hash[i]);
            result = difference == 0;
        }
    }
    explicit_bzero(data, sizeof *data);
    free(data);
    return result;
}
#endif
