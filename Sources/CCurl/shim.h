#ifndef DSARI_CCURL_SHIM_H
#define DSARI_CCURL_SHIM_H
/*
 * libcurl (Debian libcurl4-openssl-dev) for the Icinga 2 API: one HTTPS
 * POST of a JSON body with a CA file, a client certificate or basic auth.
 * curl_easy_setopt is variadic, so the whole exchange is one C call here.
 * Only DsariPassive imports this module.
 */
#include <curl/curl.h>
#include <stdlib.h>
#include <string.h>

typedef struct dsari_curl_buffer {
    char *data;
    size_t length;
    size_t capacity;
} dsari_curl_buffer;

static size_t dsari_curl_collect(char *pointer, size_t size, size_t count, void *context) {
    dsari_curl_buffer *buffer = (dsari_curl_buffer *)context;
    size_t bytes = size * count;
    size_t room = buffer->capacity - 1 - buffer->length;
    size_t kept = bytes < room ? bytes : room; /* the answer is read only for messages: a bounded prefix */
    memcpy(buffer->data + buffer->length, pointer, kept);
    buffer->length += kept;
    buffer->data[buffer->length] = 0;
    return bytes;
}

/* The request; NULL strings are left out. */
typedef struct dsari_curl_post {
    const char *url;
    const char *body;
    const char *ca_file;
    const char *cert_file;
    const char *key_file;
    const char *user;
    const char *password;
    long timeout_milliseconds;
} dsari_curl_post;

/* Returns curl's result code; `status` gets the HTTP status (0 without an
 * answer), `answer` a NUL-terminated prefix of the body, `error` curl's
 * message (both `capacity` bytes). */
static inline int dsari_curl_post_json(const dsari_curl_post *post, long *status, char *answer, size_t answer_capacity, char *error) {
    CURL *curl = curl_easy_init();
    if (curl == NULL) {
        strcpy(error, "curl_easy_init failed");
        return CURLE_FAILED_INIT;
    }
    dsari_curl_buffer buffer = {answer, 0, answer_capacity};
    answer[0] = 0;
    error[0] = 0;
    struct curl_slist *headers = NULL;
    headers = curl_slist_append(headers, "Accept: application/json");
    headers = curl_slist_append(headers, "Content-Type: application/json");
    curl_easy_setopt(curl, CURLOPT_URL, post->url);
    curl_easy_setopt(curl, CURLOPT_POST, 1L);
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, post->body);
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, post->timeout_milliseconds);
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, error);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, dsari_curl_collect);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &buffer);
    curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "https,http");
    if (post->ca_file != NULL) curl_easy_setopt(curl, CURLOPT_CAINFO, post->ca_file);
    if (post->cert_file != NULL) curl_easy_setopt(curl, CURLOPT_SSLCERT, post->cert_file);
    if (post->key_file != NULL) curl_easy_setopt(curl, CURLOPT_SSLKEY, post->key_file);
    if (post->user != NULL) {
        curl_easy_setopt(curl, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
        curl_easy_setopt(curl, CURLOPT_USERNAME, post->user);
        curl_easy_setopt(curl, CURLOPT_PASSWORD, post->password != NULL ? post->password : "");
    }
    CURLcode result = curl_easy_perform(curl);
    *status = 0;
    if (result == CURLE_OK) curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, status);
    if (result != CURLE_OK && error[0] == 0) strncpy(error, curl_easy_strerror(result), CURL_ERROR_SIZE - 1);
    curl_slist_free_all(headers);
    curl_easy_cleanup(curl);
    return (int)result;
}
#endif
