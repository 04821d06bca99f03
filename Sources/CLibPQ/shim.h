#ifndef DSARI_CLIBPQ_SHIM_H
#define DSARI_CLIBPQ_SHIM_H
#include <libpq-fe.h>

/* PG_DIAG_* are character-literal macros, which Swift does not import. */
static inline int clibpq_diag_sqlstate(void) { return 'C'; }
static inline int clibpq_diag_message_primary(void) { return 'M'; }
#endif
