#ifndef DSARI_CMICROHTTPD_SHIM_H
#define DSARI_CMICROHTTPD_SHIM_H
/*
 * libmicrohttpd behind calls Swift can make: MHD_start_daemon,
 * MHD_get_daemon_info and MHD_get_connection_info are variadic, and the
 * access handler is called several times per request. With TLS, the client
 * certificate is checked here with GnuTLS (the library libmicrohttpd's TLS
 * is built on in Debian): libmicrohttpd asks for it, but leaves verifying it
 * to the application. Only DsariHTTP imports this module.
 */
#include <gnutls/gnutls.h>
#include <microhttpd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

/* What a route answers; `body` is malloc'd and freed by libmicrohttpd. */
typedef struct dsari_http_reply {
    unsigned int status;
    char *body;
    size_t length;
    char content_type[96];
    char allow[32];
    char extra_header_name[48];
    char extra_header_value[160];
} dsari_http_reply;

/* What the client presented at the TLS handshake. */
typedef enum dsari_http_client_certificate {
    DSARI_HTTP_NO_CLIENT_CERTIFICATE = 0, /* none, or not TLS */
    DSARI_HTTP_CLIENT_CERTIFICATE_VERIFIED = 1, /* signed by the trusted CA, in its validity period */
    DSARI_HTTP_CLIENT_CERTIFICATE_UNVERIFIED = 2 /* presented, but it does not verify */
} dsari_http_client_certificate;

/* A request as the handler sees it; the strings live as long as the call. */
typedef struct dsari_http_request {
    const char *method;
    const char *url;
    /* The Authorization header, or NULL. */
    const char *authorization;
    dsari_http_client_certificate client_certificate;
} dsari_http_request;

typedef void (*dsari_http_handler)(void *context, const dsari_http_request *request, dsari_http_reply *reply);

typedef void (*dsari_http_log)(void *context, const char *text);

typedef struct dsari_http_server {
    dsari_http_handler handler;
    void *context;
    /* libmicrohttpd's error messages, formatted; NULL drops them. */
    dsari_http_log log;
} dsari_http_server;

/* MHD_OPTION_EXTERNAL_LOGGER: the message formatted here (Swift cannot take a va_list format). */
static void dsari_http_error_log(void *cls, const char *format, va_list arguments) {
    dsari_http_server *server = (dsari_http_server *)cls;
    char text[1024];
    vsnprintf(text, sizeof text, format, arguments);
    if (server->log != NULL) server->log(server->context, text);
}

static dsari_http_client_certificate dsari_http_check_client_certificate(struct MHD_Connection *connection) {
    const union MHD_ConnectionInfo *info = MHD_get_connection_info(connection, MHD_CONNECTION_INFO_GNUTLS_SESSION);
    if (info == NULL || info->tls_session == NULL) return DSARI_HTTP_NO_CLIENT_CERTIFICATE;
    gnutls_session_t session = (gnutls_session_t)info->tls_session;
    unsigned int count = 0;
    if (gnutls_certificate_get_peers(session, &count) == NULL || count == 0) return DSARI_HTTP_NO_CLIENT_CERTIFICATE;
    unsigned int status = 0;
    if (gnutls_certificate_verify_peers2(session, &status) != GNUTLS_E_SUCCESS || status != 0)
        return DSARI_HTTP_CLIENT_CERTIFICATE_UNVERIFIED;
    return DSARI_HTTP_CLIENT_CERTIFICATE_VERIFIED;
}

static enum MHD_Result dsari_http_access(void *cls, struct MHD_Connection *connection, const char *url,
                                         const char *method, const char *version, const char *upload_data,
                                         size_t *upload_data_size, void **con_cls) {
    static int request_started;
    (void)version;
    (void)upload_data;
    if (*con_cls == NULL) { /* first call: headers only */
        *con_cls = &request_started;
        return MHD_YES;
    }
    if (*upload_data_size != 0) { /* a body we do not use: consume it */
        *upload_data_size = 0;
        return MHD_YES;
    }
    dsari_http_server *server = (dsari_http_server *)cls;
    dsari_http_reply reply;
    memset(&reply, 0, sizeof reply);
    dsari_http_request request = {
        .method = method,
        .url = url,
        .authorization = MHD_lookup_connection_value(connection, MHD_HEADER_KIND, MHD_HTTP_HEADER_AUTHORIZATION),
        .client_certificate = dsari_http_check_client_certificate(connection),
    };
    server->handler(server->context, &request, &reply);
    struct MHD_Response *response = MHD_create_response_from_buffer(reply.length, reply.body, MHD_RESPMEM_MUST_FREE);
    if (response == NULL) {
        free(reply.body);
        return MHD_NO;
    }
    if (reply.content_type[0]) MHD_add_response_header(response, MHD_HTTP_HEADER_CONTENT_TYPE, reply.content_type);
    if (reply.allow[0]) MHD_add_response_header(response, MHD_HTTP_HEADER_ALLOW, reply.allow);
    if (reply.extra_header_name[0]) MHD_add_response_header(response, reply.extra_header_name, reply.extra_header_value);
    enum MHD_Result result = MHD_queue_response(connection, reply.status, response);
    MHD_destroy_response(response);
    return result;
}

/* HTTPS: PEM texts (NUL-terminated) and a GnuTLS priority string; `trust`
 * (the client CA) may be NULL, and with it libmicrohttpd asks clients for a
 * certificate. */
typedef struct dsari_http_tls {
    const char *key;
    const char *certificate;
    const char *trust;
    const char *priorities;
} dsari_http_tls;

/* Starts a daemon with its own epoll thread on `address` (IPv4 or IPv6; port
 * 0 = any); HTTPS when `tls` is not NULL. */
static inline struct MHD_Daemon *dsari_http_start(dsari_http_server *server, const struct sockaddr *address,
                                                  unsigned int connection_limit, unsigned int timeout_seconds,
                                                  const dsari_http_tls *tls) {
    unsigned int flags = MHD_USE_EPOLL_INTERNAL_THREAD | MHD_USE_ERROR_LOG;
    struct MHD_OptionItem tls_options[5];
    int count = 0;
    if (tls != NULL) {
        flags |= MHD_USE_TLS;
        tls_options[count++] = (struct MHD_OptionItem){MHD_OPTION_HTTPS_MEM_KEY, 0, (void *)tls->key};
        tls_options[count++] = (struct MHD_OptionItem){MHD_OPTION_HTTPS_MEM_CERT, 0, (void *)tls->certificate};
        if (tls->trust != NULL)
            tls_options[count++] = (struct MHD_OptionItem){MHD_OPTION_HTTPS_MEM_TRUST, 0, (void *)tls->trust};
        if (tls->priorities != NULL)
            tls_options[count++] = (struct MHD_OptionItem){MHD_OPTION_HTTPS_PRIORITIES, 0, (void *)tls->priorities};
    }
    tls_options[count] = (struct MHD_OptionItem){MHD_OPTION_END, 0, NULL};
    uint16_t port;
    if (address->sa_family == AF_INET6) {
        flags |= MHD_USE_IPv6;
        port = ntohs(((const struct sockaddr_in6 *)address)->sin6_port);
    } else {
        port = ntohs(((const struct sockaddr_in *)address)->sin_port);
    }
    /* The logger first: libmicrohttpd warns (through its own logger) when it is not. */
    return MHD_start_daemon(flags, port, NULL, NULL, &dsari_http_access, server,
                            MHD_OPTION_EXTERNAL_LOGGER, dsari_http_error_log, server,
                            MHD_OPTION_SOCK_ADDR, address,
                            MHD_OPTION_CONNECTION_LIMIT, connection_limit,
                            MHD_OPTION_CONNECTION_TIMEOUT, timeout_seconds,
                            MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)65536,
                            MHD_OPTION_ARRAY, tls_options,
                            MHD_OPTION_END);
}

/* The port the daemon listens on (useful after asking for port 0). */
static inline unsigned int dsari_http_bound_port(struct MHD_Daemon *daemon) {
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(daemon, MHD_DAEMON_INFO_BIND_PORT);
    return info ? info->port : 0;
}
#endif
