/* One error-code type for the whole tree (curl's CURLcode in spirit). */
#ifndef KW_ERR_H
#define KW_ERR_H

typedef enum kw_rc {
    KW_OK = 0,
    KW_ERR_NOMEM,     /* allocation failed */
    KW_ERR_IO,        /* a system call failed; errno says more */
    KW_ERR_PARSE,     /* input is not in the expected form */
    KW_ERR_RANGE,     /* a value is outside what is allowed */
    KW_ERR_NOTFOUND,  /* the thing asked for does not exist */
    KW_ERR_FULL,      /* a bounded buffer or queue is full */
    KW_ERR_TIMEOUT,   /* a deadline passed */
    KW_ERR_STORE,     /* the database refused */
    KW_ERR_CANCELLED, /* stopped on request */
    KW_ERR_UNSUPPORTED
} kw_rc;

const char *kw_rc_str(kw_rc rc);

#endif
