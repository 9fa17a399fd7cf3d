/* Inside the ACL analysis: set operations on acl_dim, boxes (the product of a rule's seven
 * dimensions) and regions (lists of disjoint boxes) with subtraction (audit_acl_box.c).
 * No I/O. A box with an empty dimension is empty. */
#ifndef KW_AUDIT_ACL_BOX_H
#define KW_AUDIT_ACL_BOX_H

#include "audit/audit_acl.h"

#define ACL_NDIM 7

enum { ACL_D_ZIN, ACL_D_ZOUT, ACL_D_SRC, ACL_D_DST, ACL_D_PROTO, ACL_D_SPORT, ACL_D_DPORT };

/* ---- one dimension ---- */

bool acl_dim_has(const acl_dim *d, acl_u128 x);
bool acl_dim_overlaps(const acl_dim *a, const acl_dim *b);
/* a is inside b (an empty a is inside everything). */
bool acl_dim_subset(const acl_dim *a, const acl_dim *b);
/* out = a ∩ b (out cleared first; out must not be a or b). */
void acl_dim_intersect(acl_dim *out, const acl_dim *a, const acl_dim *b);
/* out = a − b (out cleared first; out must not be a or b). */
void acl_dim_subtract(acl_dim *out, const acl_dim *a, const acl_dim *b);
/* The largest value of dimension i (zones, addresses, protocols, ports). */
acl_u128 acl_dim_max(int i);

/* ---- boxes ---- */

typedef struct acl_box {
    acl_dim d[ACL_NDIM];       /* owned */
    acl_u128 lo[ACL_NDIM], hi[ACL_NDIM];  /* bounding interval per dimension (valid when not empty) */
} acl_box;

/* b = the rule's dimensions (copied; b's previous contents freed). */
void acl_box_from_rule(acl_box *b, const acl_rule *r);
void acl_box_free(acl_box *b);
void acl_box_copy(acl_box *out, const acl_box *a);
bool acl_box_empty(const acl_box *b);
/* Recomputes the bounding intervals after a change to b->d. */
void acl_box_bound(acl_box *b);
/* The bounding intervals of a and b meet (a cheap necessary test for acl_box_overlaps). */
bool acl_box_bb_meet(const acl_box *a, const acl_box *b);
bool acl_box_overlaps(const acl_box *a, const acl_box *b);
bool acl_box_subset(const acl_box *a, const acl_box *b);
/* out = a ∩ b (out's contents freed first); false when empty. */
bool acl_box_intersect(acl_box *out, const acl_box *a, const acl_box *b);

/* ---- regions ---- */

typedef struct acl_region {
    acl_box *v;                /* disjoint, none empty; owned */
    size_t n, cap;
    acl_box bb;                /* bounding intervals of the whole region (only lo/hi are used) */
} acl_region;

#define ACL_REGION_MAX 4096

/* r = { b } (copied; r's previous contents freed). */
void acl_region_init(acl_region *r, const acl_box *b);
void acl_region_free(acl_region *r);
/* Some box of r overlaps b. */
bool acl_region_overlaps(const acl_region *r, const acl_box *b);
/* r = r − b. Returns false (r unchanged) when the result would hold more than max boxes;
 * *changed tells whether b took anything from r. */
bool acl_region_subtract(acl_region *r, const acl_box *b, size_t max, bool *changed);

#endif
