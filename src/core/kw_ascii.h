/* ASCII helpers for parsers of untrusted text: the value of a hexadecimal digit. */
#ifndef KW_ASCII_H
#define KW_ASCII_H

/* The value of the hex digit c (either case), or -1 when c is not one. */
static inline int kw_hexval(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

#endif
